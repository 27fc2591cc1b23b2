"""OpenAPI bodies of REST and HTTP APIs, as the local engine reads them.

pulumi-aws applies a RestApi's or an HTTP Api's `body` with API Gateway's own import
(PutRestApi, ReimportApi); MiniStack 1.5.33 has neither, so the engine applies the document
with the ordinary calls a program would make: openapi_rest.py for a REST API, openapi_http.py
for an HTTP API. This module is what both share: reading the document (JSON or YAML), the
operations it names, and the refusal, by name, of what an import does not translate (an
authorizer, a gateway response, any other `x-amazon-apigateway-*` extension), so that nothing
in a body is dropped silently.
"""

from __future__ import annotations

import io
import json
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from shared.errors import UserError

# An OpenAPI path item's operations, by the HTTP method API Gateway gives each.
OPENAPI_METHODS = {
    "get": "GET",
    "put": "PUT",
    "post": "POST",
    "delete": "DELETE",
    "options": "OPTIONS",
    "head": "HEAD",
    "patch": "PATCH",
    "x-amazon-apigateway-any-method": "ANY",
}
# What API Gateway's own extensions to OpenAPI start with.
EXTENSION = "x-amazon-apigateway-"


def parse_openapi(body: str, owner: str) -> dict[str, Any]:
    """An OpenAPI document given as JSON or YAML text; `owner` names the resource type in the
    messages."""
    try:
        spec = json.loads(body)
    except ValueError:
        try:
            spec = YAML(typ="safe").load(io.StringIO(body))
        except YAMLError as error:
            message = f"The OpenAPI body of a {owner} is neither JSON nor YAML: {error}"
            raise UserError(message) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("paths", {}), dict):
        raise UserError(f"The OpenAPI body of a {owner} must be a document with `paths`.")
    return spec


def operations(item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A path item's operations: (the HTTP method as the document writes it, the operation)."""
    return [(verb, op or {}) for verb, op in item.items() if verb.lower() in OPENAPI_METHODS]


def refuse(owner: str, what: str) -> UserError:
    """The error for what the engine's import of a `owner`'s body does not translate."""
    return UserError(
        f"The OpenAPI body of a {owner} uses {what}, which the local engine cannot apply: the "
        "emulator has no OpenAPI import, and the engine's own import does not translate it."
    )
