"""An HTTP API's OpenAPI body read as what ReimportApi makes of it on AWS, for MiniStack 1.5.33,
which has no ReimportApi (see providers/apigatewayv2.py's module doc).

ReimportApi replaces an API's routes and integrations with one route per operation, each with
the integration its `x-amazon-apigateway-integration` describes, and takes the document's
`x-amazon-apigateway-cors`. `HttpApiImport` checks the whole document before anything is
called, refusing by name what it does not translate (authorizers and `security`, any other
`x-amazon-apigateway-*` extension, integration settings it does not know; see openapi.py), and
gives each route with its integration in the Integration provider's input form: the provider
module makes them, because an emulator integration needs that provider's own translation of
HTTP_PROXY URIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.local.engine.openapi import EXTENSION, OPENAPI_METHODS, operations, refuse

OWNER = "HTTP API"
_INTEGRATION = "x-amazon-apigateway-integration"
_IMPORTED_API_EXTENSIONS = {"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version"}
_IMPORTED_INTEGRATION_KEYS = {
    "type",
    "uri",
    "httpMethod",
    "payloadFormatVersion",
    "connectionType",
    "timeoutInMillis",
    "requestParameters",
}


@dataclass(frozen=True)
class ImportedRoute:
    """One operation of the document as an HTTP API route."""

    route_key: str
    operation_name: str | None
    # The route's integration as an aws:apigatewayv2/integration:Integration's inputs (without
    # `apiId`), or None for a route with none.
    integration: dict[str, Any] | None


class HttpApiImport:
    """An HTTP API's OpenAPI document, checked whole when it is made."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._check()

    @property
    def cors(self) -> dict[str, Any] | None:
        """The document's CORS configuration, keyed as the program's `corsConfiguration`."""
        cors: dict[str, Any] | None = self.spec.get("x-amazon-apigateway-cors")
        return cors

    def routes(self) -> list[ImportedRoute]:
        return [
            ImportedRoute(
                route_key,
                operation.get("operationId"),
                _integration_inputs(operation.get(_INTEGRATION)),
            )
            for route_key, _, operation in self._operations()
        ]

    def _operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(route key, where the operation is for messages, the operation) for each one; the
        path `/$default` is the catch-all route."""
        found = []
        for path, item in self.spec.get("paths", {}).items():
            for verb, operation in operations(item):
                method = OPENAPI_METHODS[verb.lower()]
                key = "$default" if path == "/$default" else f"{method} {path}"
                found.append((key, f"{method} {path}", operation))
        return found

    def _check(self) -> None:
        for key in self.spec:
            if key.startswith(EXTENSION) and key not in _IMPORTED_API_EXTENSIONS:
                raise refuse(OWNER, key)
        if self.spec.get("security") or (self.spec.get("components") or {}).get("securitySchemes"):
            raise refuse(OWNER, "security schemes (authorizers)")
        for _, where, operation in self._operations():
            for key in operation:
                if key.startswith(EXTENSION) and key != _INTEGRATION:
                    raise refuse(OWNER, f"{key} on {where}")
            if operation.get("security"):
                raise refuse(OWNER, f"security on {where}")
            integration = operation.get(_INTEGRATION) or {}
            for key in sorted(set(integration) - _IMPORTED_INTEGRATION_KEYS):
                raise refuse(OWNER, f"the integration setting {key!r} on {where}")


def _integration_inputs(integration: dict[str, Any] | None) -> dict[str, Any] | None:
    if not integration:
        return None
    return {
        "integrationType": str(integration["type"]).upper(),
        "integrationUri": integration.get("uri"),
        "integrationMethod": integration.get("httpMethod"),
        "payloadFormatVersion": integration.get("payloadFormatVersion"),
        "connectionType": integration.get("connectionType"),
        "timeoutMilliseconds": integration.get("timeoutInMillis"),
        "requestParameters": integration.get("requestParameters"),
    }
