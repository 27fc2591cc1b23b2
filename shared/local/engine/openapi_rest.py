"""A REST API's OpenAPI body applied with the calls a program would make, for MiniStack 1.5.33,
which has no PutRestApi (see providers/apigateway.py's module doc).

What it translates: resources, methods (operation names, request parameters and models, the
`x-api-key` security scheme as `apiKeyRequired`, request validators), method responses,
integrations and their responses, models (`definitions`, `components.schemas`), the API key
source and binary media types. Anything else API Gateway would import (authorizers, gateway
responses, resource policies, endpoint configuration, other `x-amazon-apigateway-*`
extensions) is refused by name before any call is made; see openapi.py.
"""

from __future__ import annotations

import json
from typing import Any

from shared.local.engine.openapi import EXTENSION, OPENAPI_METHODS, operations, refuse
from shared.local.engine.providers.base import (
    Client,
    as_int,
    binary_media_type_ops,
    drop_none,
    replace_op,
)

_IMPORTED_API_EXTENSIONS = {
    "x-amazon-apigateway-binary-media-types",
    "x-amazon-apigateway-api-key-source",
    "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-request-validator",
}
_IMPORTED_OPERATION_EXTENSIONS = {
    "x-amazon-apigateway-integration",
    "x-amazon-apigateway-request-validator",
}
_IMPORTED_INTEGRATION_KEYS = {
    "type",
    "uri",
    "httpMethod",
    "credentials",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "timeoutInMillis",
    "contentHandling",
    "cacheKeyParameters",
    "connectionType",
    "responses",
}


def _api_key_schemes(spec: dict[str, Any], owner: str) -> set[str]:
    """The security schemes that mean "the x-api-key header"; any other scheme (an authorizer)
    is refused."""
    schemes = spec.get("securityDefinitions") or (spec.get("components") or {}).get(
        "securitySchemes"
    )
    names = set()
    for name, scheme in (schemes or {}).items():
        extensions = sorted(k for k in scheme if k.startswith(EXTENSION))
        is_key = scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == (
            "x-api-key"
        )
        if extensions or not is_key:
            raise refuse(owner, f"the security scheme {name!r} (an authorizer)")
        names.add(name)
    return names


class RestApiImport:
    """A REST API's OpenAPI document applied with ordinary API Gateway calls: what PutRestApi
    does on AWS, for the emulator that lacks it. Checks the whole document before any call."""

    OWNER = "RestApi"

    def __init__(self, client: Client, api_id: str, spec: dict[str, Any]) -> None:
        self.client, self.api_id, self.spec = client, api_id, spec
        self.key_schemes = _api_key_schemes(spec, self.OWNER)
        self._check()

    def _check(self) -> None:
        for key in self.spec:
            if key.startswith(EXTENSION) and key not in _IMPORTED_API_EXTENSIONS:
                raise refuse(self.OWNER, key)
        for path, item in self.spec.get("paths", {}).items():
            for verb, operation in operations(item):
                where = f"{verb.upper()} {path}"
                for key in operation:
                    if key.startswith(EXTENSION) and key not in _IMPORTED_OPERATION_EXTENSIONS:
                        raise refuse(self.OWNER, f"{key} on {where}")
                integration = operation.get("x-amazon-apigateway-integration") or {}
                for key in sorted(set(integration) - _IMPORTED_INTEGRATION_KEYS):
                    raise refuse(self.OWNER, f"the integration setting {key!r} on {where}")
                for requirement in operation.get("security") or self.spec.get("security") or []:
                    for scheme in requirement:
                        if scheme not in self.key_schemes:
                            raise refuse(self.OWNER, f"the security scheme {scheme!r} on {where}")

    def apply(self, overwrite: bool) -> None:
        if overwrite:
            self._clear()
        self._api_settings()
        self._models()
        validators = self._validators()
        root = self._resources()["/"]
        for path, item in self.spec.get("paths", {}).items():
            resource_id = self._resource(path, root)
            for verb, operation in operations(item):
                self._operation(resource_id, OPENAPI_METHODS[verb.lower()], operation, validators)

    def _resources(self) -> dict[str, str]:
        items = self.client.get_resources(restApiId=self.api_id, limit=500).get("items", [])
        return {r["path"]: r["id"] for r in items}

    def _clear(self) -> None:
        """What an overwrite replaces: every resource but the root (deepest first, see the
        module doc), the root's methods, the models and the validators."""
        items = self.client.get_resources(restApiId=self.api_id, limit=500).get("items", [])
        for resource in sorted(items, key=lambda r: -r["path"].count("/")):
            if resource["path"] == "/":
                for verb in resource.get("resourceMethods") or {}:
                    self.client.delete_method(
                        restApiId=self.api_id, resourceId=resource["id"], httpMethod=verb
                    )
            else:
                self.client.delete_resource(restApiId=self.api_id, resourceId=resource["id"])
        for model in self.client.get_models(restApiId=self.api_id).get("items", []):
            self.client.delete_model(restApiId=self.api_id, modelName=model["name"])
        validators = self.client.get_request_validators(restApiId=self.api_id).get("items", [])
        for validator in validators:
            self.client.delete_request_validator(
                restApiId=self.api_id, requestValidatorId=validator["id"]
            )

    def _api_settings(self) -> None:
        ops = []
        if source := self.spec.get("x-amazon-apigateway-api-key-source"):
            ops.append(replace_op("/apiKeySource", source))
        types = self.spec.get("x-amazon-apigateway-binary-media-types") or []
        ops += binary_media_type_ops([], types)
        if ops:
            self.client.update_rest_api(restApiId=self.api_id, patchOperations=ops)

    def _models(self) -> None:
        schemas = self.spec.get("definitions") or (self.spec.get("components") or {}).get("schemas")
        for name, schema in (schemas or {}).items():
            self.client.create_model(
                restApiId=self.api_id,
                name=name,
                contentType="application/json",
                schema=json.dumps(schema),
            )

    def _validators(self) -> dict[str, str]:
        made = {}
        for name, flags in (self.spec.get("x-amazon-apigateway-request-validators") or {}).items():
            validator = self.client.create_request_validator(
                restApiId=self.api_id,
                name=name,
                validateRequestBody=bool(flags.get("validateRequestBody")),
                validateRequestParameters=bool(flags.get("validateRequestParameters")),
            )
            made[name] = validator["id"]
        return made

    def _resource(self, path: str, root: str) -> str:
        known = self._resources()
        parent, so_far = root, ""
        for segment in [s for s in path.strip("/").split("/") if s]:
            so_far += "/" + segment
            if so_far not in known:
                made = self.client.create_resource(
                    restApiId=self.api_id, parentId=parent, pathPart=segment
                )
                known[so_far] = made["id"]
            parent = known[so_far]
        return parent

    def _operation(
        self, resource_id: str, verb: str, operation: dict[str, Any], validators: dict[str, str]
    ) -> None:
        key = {"restApiId": self.api_id, "resourceId": resource_id, "httpMethod": verb}
        security = operation.get("security")
        if security is None:
            security = self.spec.get("security") or []
        validator = operation.get(
            "x-amazon-apigateway-request-validator",
            self.spec.get("x-amazon-apigateway-request-validator"),
        )
        self.client.put_method(
            **key,
            authorizationType="NONE",
            apiKeyRequired=any(requirement for requirement in security),
            **drop_none(
                operationName=operation.get("operationId"),
                requestParameters=_request_parameters(operation) or None,
                requestModels=_request_models(operation) or None,
                requestValidatorId=validators.get(validator) if validator else None,
            ),
        )
        for status, response in (operation.get("responses") or {}).items():
            if str(status).isdigit():
                self.client.put_method_response(
                    **key, statusCode=str(status), **_method_response(response or {})
                )
        integration = operation.get("x-amazon-apigateway-integration")
        if not integration:
            return
        self.client.put_integration(
            **key,
            type=str(integration["type"]).upper(),
            **drop_none(
                integrationHttpMethod=integration.get("httpMethod"),
                uri=integration.get("uri"),
                credentials=integration.get("credentials"),
                requestParameters=integration.get("requestParameters"),
                requestTemplates=integration.get("requestTemplates"),
                passthroughBehavior=_upper(integration.get("passthroughBehavior")),
                timeoutInMillis=as_int(integration.get("timeoutInMillis")),
                contentHandling=integration.get("contentHandling"),
                cacheKeyParameters=integration.get("cacheKeyParameters"),
                connectionType=integration.get("connectionType"),
            ),
        )
        for pattern, response in (integration.get("responses") or {}).items():
            self.client.put_integration_response(
                **key,
                statusCode=str(response["statusCode"]),
                **drop_none(
                    selectionPattern=None if pattern == "default" else pattern,
                    responseParameters=response.get("responseParameters"),
                    responseTemplates=response.get("responseTemplates"),
                    contentHandling=response.get("contentHandling"),
                ),
            )


def _upper(value: Any) -> str | None:
    return None if value is None else str(value).upper()


_PARAMETER_PLACES = {"path": "path", "query": "querystring", "header": "header"}


def _request_parameters(operation: dict[str, Any]) -> dict[str, bool]:
    return {
        f"method.request.{_PARAMETER_PLACES[p['in']]}.{p['name']}": bool(p.get("required"))
        for p in operation.get("parameters") or []
        if p.get("in") in _PARAMETER_PLACES
    }


def _model_name(schema: dict[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _request_models(operation: dict[str, Any]) -> dict[str, str]:
    content = (operation.get("requestBody") or {}).get("content") or {}
    models = {kind: _model_name(media.get("schema")) for kind, media in content.items()}
    for parameter in operation.get("parameters") or []:  # Swagger 2: a body parameter
        if parameter.get("in") == "body":
            models["application/json"] = _model_name(parameter.get("schema"))
    return {kind: name for kind, name in models.items() if name}


def _method_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    content = response.get("content") or {}
    models = {kind: _model_name(media.get("schema")) for kind, media in content.items()}
    if response.get("schema"):  # Swagger 2
        models["application/json"] = _model_name(response["schema"])
    return drop_none(
        responseParameters={f"method.response.header.{h}": False for h in headers} or None,
        responseModels={k: v for k, v in models.items() if v} or None,
    )
