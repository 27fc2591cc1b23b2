"""REST APIs (API Gateway v1, pulumi-aws's `apigateway` module) on the emulator: the API (built
resource by resource or from an OpenAPI `body`) and its resources, methods, method responses,
integrations, integration responses, models and validators, deployments and stages, API keys
and usage plans, and custom domain names with their base path mappings.

Where MiniStack 1.5.33 differs from AWS:
- It has no PutRestApi ("Unknown API Gateway v1 path") and its ImportRestApi makes an empty API
  named "unnamed". A RestApi with a `body` is made as pulumi-aws makes it (CreateRestApi, then
  PutRestApi with `putRestApiMode`); only when the emulator answers that PutRestApi is unknown
  does `OpenApiImport` apply the document with the calls a program would make (resources,
  methods, method responses, integrations, integration responses, models, request validators,
  API key source, binary media types). What it does not translate is refused by name rather
  than dropped: Lambda/Cognito authorizers (`x-amazon-apigateway-authorizer`, `securitySchemes`
  other than the `x-api-key` header), gateway responses, resource policies, endpoint
  configuration and any other `x-amazon-apigateway-*` extension. The body is not read back
  (there is no faithful export without a stage), so a change behind the engine's back to an
  imported definition is not seen as drift.
- DeleteResource leaves the resource's children behind (AWS deletes the subtree); the import's
  overwrite deletes deepest first.
- It routes a request to a custom domain's mapping by its Host header.
- A binary media type added with UpdateRestApi is kept as written in the patch path
  (`image~1png`), where AWS reads `image/png`; `read` reads it back as AWS would show it.
- It has no UpdateDomainName and no UpdateBasePathMapping ("Unknown API Gateway v1 path").
  The providers make the AWS calls and, only when the emulator answers that way, fall back to
  what the emulator does instead: CreateDomainName on an existing name overwrites it but drops
  its mappings, so those are read first and put back; CreateBasePathMapping on an existing base
  path overwrites it. On AWS both creates would be a ConflictException.
- A domain needs no certificate and a mapping's API and stage are not checked.
- `regionalDomainName` is `<domain>.execute-api.<region>.amazonaws.com` (AWS:
  `d-<id>.execute-api...`), and both the CloudFront and the regional names are returned whatever
  the endpoint type; AWS returns only the one of the domain's endpoint type.
- A domain's tags given at creation and tags set later with TagResource are kept apart
  (GetDomainName shows only the first); the provider uses TagResource/UntagResource for
  changes, as on AWS, and reads tags with GetTags.
- No canary settings, cache cluster sizes, client certificates or documentation versions on
  stages: those inputs are left out, so a program setting them is refused.

`read` returns what `live_inputs` makes of the live resource: the inputs the program set, and
an input it left unset only where the live value is no longer AWS's default.
"""

from __future__ import annotations

import io
import json
from typing import Any

from botocore.exceptions import ClientError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from shared.errors import UserError
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Immutable,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
    replace_op,
    retag,
)
from shared.local.engine.state import ResourceRecord

_NO_BASE_PATH = "(none)"
REST_API = "aws:apigateway/restApi:RestApi"
METHOD = "aws:apigateway/method:Method"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION = "aws:apigateway/integration:Integration"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
STAGE = "aws:apigateway/stage:Stage"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
_METHOD_IDENTITY = ("restApi", "resourceId", "httpMethod")

# -- helpers shared by the API Gateway providers ------------------------------------------------


def live_inputs(have: ResourceRecord, live: Inputs, defaults: Inputs | None = None) -> Inputs:
    """What `read` returns from `live` (every readable input, keyed as the program's): the
    inputs the record holds, and one the program left unset only where its live value differs
    from AWS's default (in `defaults`), i.e. where someone changed it behind the engine's back.
    A settings object (a dict in `defaults` as None) is compared by the keys the program gave."""
    out: Inputs = {}
    for key, value in live.items():
        unset_but_changed = defaults is not None and key in defaults and value != defaults[key]
        if key in have.inputs or unset_but_changed:
            out[key] = value
    return out


def only_keys(live: dict[str, Any] | None, recorded: Any) -> Any:
    """A live settings object reduced to the keys the program set (the others are AWS's
    defaults, which a program that did not set them cannot drift from)."""
    if not isinstance(recorded, dict) or live is None:
        return live
    return {k: live.get(k) for k in recorded}


def execution_arn(ctx: Context, api_id: str, region: str | None = None) -> str:
    return f"arn:aws:execute-api:{region or ctx.region}:{ctx.account_id}:{api_id}"


def rest_invoke_url(ctx: Context, api_id: str, stage: str) -> str:
    """The emulator's address for a stage; on AWS it is https://{api}.execute-api.{region}..."""
    return f"{ctx.endpoint_url}/restapis/{api_id}/{stage}/_user_request_"


def _arn(ctx: Context, inputs: Inputs, path: str) -> str:
    """An API Gateway resource ARN, e.g. path `/restapis/abc` or `/apikeys/xyz`."""
    return f"arn:aws:apigateway:{ctx.region_of(inputs)}::{path}"


def _method_key(inputs: Inputs) -> dict[str, str]:
    """What names a method (and its integration): the API, the resource and the HTTP verb."""
    return {
        "restApiId": inputs["restApi"],
        "resourceId": inputs["resourceId"],
        "httpMethod": inputs["httpMethod"],
    }


def _response_key(inputs: Inputs) -> dict[str, str]:
    """What names a method or integration response: its method and status code."""
    return {**_method_key(inputs), "statusCode": inputs["statusCode"]}


def _patch_ops(mapping: dict[str, str], old: Inputs, new: Inputs) -> list[dict[str, str]]:
    """Replace operations for each changed top-level input, mapped to its patch path."""
    return [
        replace_op(path, new.get(prop) if new.get(prop) is not None else "")
        for prop, path in mapping.items()
        if old.get(prop) != new.get(prop)
    ]


def _map_ops(path: str, old: dict | None, new: dict | None) -> list[dict[str, str]]:
    """Patch operations turning one string map (request parameters, templates) into another;
    a key is a path segment, its '/' written '~1'."""
    old, new = old or {}, new or {}

    def at(key: str) -> str:
        return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"

    ops = [{"op": "remove", "path": at(k)} for k in old if k not in new]
    ops += [replace_op(at(k), v) for k, v in new.items() if old.get(k) != v]
    return ops


def _retag(client: Client, arn: str, old: dict | None, new: dict | None) -> None:
    retag(
        old,
        new,
        untag=lambda keys: client.untag_resource(resourceArn=arn, tagKeys=keys),
        tag=lambda tags: client.tag_resource(resourceArn=arn, tags=tags),
    )


def _live_tags(client: Client, arn: str) -> dict[str, str]:
    return dict(client.get_tags(resourceArn=arn).get("tags") or {})


def _tags_readable(client: Client, arn: str, tags: dict[str, str] | None) -> None:
    """Make a new resource's creation tags show in GetTags: the emulator keeps the tags of a
    stage, key, plan or domain given at creation apart from those GetTags and TagResource
    use (see the module doc); on AWS they already show and this makes no call."""
    if tags and _live_tags(client, arn) != tags:
        client.tag_resource(resourceArn=arn, tags=tags)


def endpoint_types(inputs: Inputs) -> list[str] | None:
    """`endpointConfiguration.types` as the API takes it (a list); pulumi-aws 7 takes one
    endpoint type as a string."""
    types = (inputs.get("endpointConfiguration") or {}).get("types")
    if not types:
        return None
    return [types] if isinstance(types, str) else list(types)


def _endpoint_configuration(inputs: Inputs) -> dict[str, list[str]] | None:
    types = endpoint_types(inputs)
    return {"types": types} if types else None


def _live_endpoint_configuration(live: dict | None, recorded: Any) -> Any:
    """The live endpoint configuration in the recorded shape (one type as a string)."""
    types = list((live or {}).get("types") or [])
    recorded_types = (recorded or {}).get("types") if isinstance(recorded, dict) else None
    if isinstance(recorded_types, str) and len(types) == 1:
        return {"types": types[0]}
    return {"types": types}


def _unsupported(error: ClientError) -> bool:
    """The emulator's answer to an API Gateway call it does not implement."""
    message = error.response.get("Error", {}).get("Message", "")
    return message.startswith("Unknown API Gateway v1 path")


def _first(items: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    return next((i for i in items if all(i.get(k) == v for k, v in match.items())), None)


def _exists(call: Any, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return False
        raise
    return True


# -- APIs ---------------------------------------------------------------------------------------

_REST_API_PATHS = {
    "name": "/name",
    "description": "/description",
    "apiKeySource": "/apiKeySource",
    "disableExecuteApiEndpoint": "/disableExecuteApiEndpoint",
}


@provides
class RestApi(Provider):
    type_token = REST_API
    service = "apigateway"
    inputs = frozenset(
        {
            "name",
            "description",
            "apiKeySource",
            "binaryMediaTypes",
            "endpointConfiguration",
            "disableExecuteApiEndpoint",
            "body",
            "putRestApiMode",
            "failOnWarnings",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"rootResourceId", "executionArn", "arn", "createdDate"})
    updatable = frozenset(
        {
            "name",
            "description",
            "tags",
            "apiKeySource",
            "binaryMediaTypes",
            "disableExecuteApiEndpoint",
            "body",
            "putRestApiMode",
            "failOnWarnings",
        }
    )
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        api = client.create_rest_api(
            **drop_none(
                name=i["name"],
                description=i.get("description"),
                apiKeySource=i.get("apiKeySource"),
                binaryMediaTypes=i.get("binaryMediaTypes"),
                endpointConfiguration=_endpoint_configuration(i),
                disableExecuteApiEndpoint=i.get("disableExecuteApiEndpoint"),
                tags=i.get("tags"),
            )
        )
        try:
            if i.get("body") is not None:
                _put_definition(client, api["id"], i)
        except BaseException:
            client.delete_rest_api(restApiId=api["id"])  # nothing half-imported left behind
            raise
        return Created(api["id"], self._outputs(ctx, client, api["id"], i))

    def _outputs(self, ctx: Context, client: Client, api_id: str, inputs: Inputs) -> Outputs:
        api = client.get_rest_api(restApiId=api_id)
        created = api.get("createdDate")
        return {
            "name": inputs["name"],
            "rootResourceId": api["rootResourceId"],
            "executionArn": execution_arn(ctx, api_id, ctx.region_of(inputs)),
            "arn": _arn(ctx, inputs, f"/restapis/{api_id}"),
            "createdDate": created.isoformat() if created is not None else None,
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        if new.get("body") is not None and (
            old.get("body") != new.get("body")
            or old.get("putRestApiMode") != new.get("putRestApiMode")
        ):
            _put_definition(client, have.id, new)
        ops = _patch_ops(_REST_API_PATHS, old, new)
        ops += _binary_media_type_ops(old.get("binaryMediaTypes"), new.get("binaryMediaTypes"))
        if ops:
            client.update_rest_api(restApiId=have.id, patchOperations=ops)
        arn = _arn(ctx, new, f"/restapis/{have.id}")
        _retag(client, arn, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, client, have.id, new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_rest_api(restApiId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        api = client.get_rest_api(restApiId=have.id)
        recorded = have.inputs
        live = {
            "name": api.get("name"),
            "description": api.get("description") or "",
            "apiKeySource": api.get("apiKeySource"),
            "binaryMediaTypes": _same_set(
                recorded.get("binaryMediaTypes"), _media_types(api.get("binaryMediaTypes"))
            ),
            "endpointConfiguration": _live_endpoint_configuration(
                api.get("endpointConfiguration"), recorded.get("endpointConfiguration")
            ),
            "disableExecuteApiEndpoint": bool(api.get("disableExecuteApiEndpoint")),
            "tags": _live_tags(client, _arn(ctx, recorded, f"/restapis/{have.id}")),
        }
        defaults: Inputs = {
            "description": "",
            "apiKeySource": "HEADER",
            "binaryMediaTypes": [],
            "disableExecuteApiEndpoint": False,
            "tags": {},
        }
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        apis = self.client(ctx, want.inputs).get_rest_apis(limit=500).get("items", [])
        found = _first(apis, name=want.inputs["name"])
        return found["id"] if found else None


def _media_types(live: Any) -> list[str]:
    """The emulator keeps types added by patch as keys of a map, written `image~1png`."""
    types = list(live.keys()) if isinstance(live, dict) else list(live or [])
    return [t.replace("~1", "/") for t in types]


def _same_set(recorded: list | None, live: list[str]) -> list[str]:
    """The recorded list when the live one holds the same items (AWS keeps no order)."""
    if recorded is not None and sorted(recorded) == sorted(live):
        return list(recorded)
    return sorted(live)


def _binary_media_type_ops(old: list | None, new: list | None) -> list[dict[str, str]]:
    """Add and remove operations; a media type is a path segment, its '/' written '~1'."""
    before, after = set(old or []), set(new or [])
    changes = [("remove", t) for t in sorted(before - after)]
    changes += [("add", t) for t in sorted(after - before)]
    return [{"op": op, "path": "/binaryMediaTypes/" + t.replace("/", "~1")} for op, t in changes]


def _put_definition(client: Client, api_id: str, inputs: Inputs) -> None:
    """PutRestApi as pulumi-aws calls it; on the emulator, which has none, the same import made
    of ordinary calls. Then, as pulumi-aws does, the settings the program gives win over the
    document's (an overwrite renames the API after the document's title)."""
    mode = inputs.get("putRestApiMode") or "overwrite"
    body = inputs["body"]
    try:
        client.put_rest_api(
            restApiId=api_id,
            mode=mode,
            failOnWarnings=bool(inputs.get("failOnWarnings")),
            body=body.encode(),
        )
    except ClientError as error:
        if not _unsupported(error):
            raise
        OpenApiImport(client, api_id, parse_openapi(body, "RestApi")).apply(mode == "overwrite")
    api = client.get_rest_api(restApiId=api_id)
    live = {
        "name": api.get("name"),
        "description": api.get("description"),
        "apiKeySource": api.get("apiKeySource"),
        "disableExecuteApiEndpoint": api.get("disableExecuteApiEndpoint"),
    }
    ops = [
        replace_op(path, inputs[prop])
        for prop, path in _REST_API_PATHS.items()
        if inputs.get(prop) is not None and live[prop] != inputs[prop]
    ]
    if inputs.get("binaryMediaTypes") is not None:
        have = _media_types(api.get("binaryMediaTypes"))
        ops += _binary_media_type_ops(have, inputs["binaryMediaTypes"])
    if ops:
        client.update_rest_api(restApiId=api_id, patchOperations=ops)


# -- OpenAPI import, for the emulator that has none ---------------------------------------------


def parse_openapi(body: str, owner: str) -> dict[str, Any]:
    """An OpenAPI document given as JSON or YAML text."""
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
_EXTENSION = "x-amazon-apigateway-"
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


def refuse(owner: str, what: str) -> UserError:
    return UserError(
        f"The OpenAPI body of a {owner} uses {what}, which the local engine cannot apply: the "
        "emulator has no OpenAPI import, and the engine's own import does not translate it."
    )


def _api_key_schemes(spec: dict[str, Any], owner: str) -> set[str]:
    """The security schemes that mean "the x-api-key header"; any other scheme (an authorizer)
    is refused."""
    schemes = spec.get("securityDefinitions") or (spec.get("components") or {}).get(
        "securitySchemes"
    )
    names = set()
    for name, scheme in (schemes or {}).items():
        extensions = sorted(k for k in scheme if k.startswith(_EXTENSION))
        is_key = scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == (
            "x-api-key"
        )
        if extensions or not is_key:
            raise refuse(owner, f"the security scheme {name!r} (an authorizer)")
        names.add(name)
    return names


class OpenApiImport:
    """A REST API's OpenAPI document applied with ordinary API Gateway calls: what PutRestApi
    does on AWS, for the emulator that lacks it. Checks the whole document before any call."""

    OWNER = "RestApi"

    def __init__(self, client: Client, api_id: str, spec: dict[str, Any]) -> None:
        self.client, self.api_id, self.spec = client, api_id, spec
        self.key_schemes = _api_key_schemes(spec, self.OWNER)
        self._check()

    def _check(self) -> None:
        for key in self.spec:
            if key.startswith(_EXTENSION) and key not in _IMPORTED_API_EXTENSIONS:
                raise refuse(self.OWNER, key)
        for path, item in self.spec.get("paths", {}).items():
            for verb, operation in self._operations(item):
                where = f"{verb.upper()} {path}"
                for key in operation:
                    if key.startswith(_EXTENSION) and key not in _IMPORTED_OPERATION_EXTENSIONS:
                        raise refuse(self.OWNER, f"{key} on {where}")
                integration = operation.get("x-amazon-apigateway-integration") or {}
                for key in sorted(set(integration) - _IMPORTED_INTEGRATION_KEYS):
                    raise refuse(self.OWNER, f"the integration setting {key!r} on {where}")
                for requirement in operation.get("security") or self.spec.get("security") or []:
                    for scheme in requirement:
                        if scheme not in self.key_schemes:
                            raise refuse(self.OWNER, f"the security scheme {scheme!r} on {where}")

    @staticmethod
    def _operations(item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return [(verb, op or {}) for verb, op in item.items() if verb.lower() in OPENAPI_METHODS]

    def apply(self, overwrite: bool) -> None:
        if overwrite:
            self._clear()
        self._api_settings()
        self._models()
        validators = self._validators()
        root = self._resources()["/"]
        for path, item in self.spec.get("paths", {}).items():
            resource_id = self._resource(path, root)
            for verb, operation in self._operations(item):
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
        ops += _binary_media_type_ops([], types)
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


# -- resources, methods, integrations and their responses ---------------------------------------


@provides
class Resource(Immutable):
    type_token = "aws:apigateway/resource:Resource"
    service = "apigateway"
    inputs = frozenset({"restApi", "parentId", "pathPart", "region"})
    outputs = frozenset({"path"})
    identity = ("restApi", "parentId", "pathPart")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        res = self.client(ctx, i).create_resource(
            restApiId=i["restApi"], parentId=i["parentId"], pathPart=i["pathPart"]
        )
        return Created(res["id"], {"path": res["path"]})

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_resource(
            restApiId=have.inputs["restApi"], resourceId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        res = self.client(ctx, have.inputs).get_resource(
            restApiId=have.inputs["restApi"], resourceId=have.id
        )
        return live_inputs(have, {"parentId": res.get("parentId"), "pathPart": res["pathPart"]})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        items = self.client(ctx, i).get_resources(restApiId=i["restApi"], limit=500)["items"]
        found = _first(items, parentId=i["parentId"], pathPart=i["pathPart"])
        return found["id"] if found else None


def _bool(value: Any) -> bool:
    """A flag as AWS shows it; the emulator keeps a patched flag as the patch's text."""
    return value.lower() == "true" if isinstance(value, str) else bool(value)


_METHOD_PATHS = {
    "apiKeyRequired": "/apiKeyRequired",
    "requestValidatorId": "/requestValidatorId",
    "authorization": "/authorizationType",
    "authorizerId": "/authorizerId",
    "operationName": "/operationName",
}


@provides
class Method(Provider):
    type_token = METHOD
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "resourceId",
            "httpMethod",
            "authorization",
            "authorizerId",
            "authorizationScopes",
            "apiKeyRequired",
            "requestValidatorId",
            "requestModels",
            "requestParameters",
            "operationName",
            "region",
        }
    )
    updatable = frozenset(
        {"apiKeyRequired", "requestValidatorId", "authorization", "authorizerId", "operationName"}
    )
    identity = _METHOD_IDENTITY

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self.client(ctx, i).put_method(**_method_key(i), **self._settings(i))
        return Created(f"agm-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}")

    @staticmethod
    def _settings(i: Inputs) -> dict[str, Any]:
        return drop_none(
            authorizationType=i.get("authorization", "NONE"),
            authorizerId=i.get("authorizerId"),
            authorizationScopes=i.get("authorizationScopes"),
            apiKeyRequired=bool(i.get("apiKeyRequired", False)),
            requestValidatorId=i.get("requestValidatorId"),
            requestModels=i.get("requestModels"),
            requestParameters=i.get("requestParameters"),
            operationName=i.get("operationName"),
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        client = self.client(ctx, i)
        ops = _patch_ops(_METHOD_PATHS, have.inputs, i)
        method = client.update_method(**_method_key(i), patchOperations=ops)
        if isinstance(method.get("apiKeyRequired"), str):
            self._put_again(client, i, method)
        return {}

    def _put_again(self, client: Client, i: Inputs, method: dict[str, Any]) -> None:
        """The emulator keeps a patched flag as text ("false" then counts as true when a call
        comes in), so it gets the method put again, with its responses and integration."""
        client.put_method(**_method_key(i), **self._settings(i))
        for status, response in (method.get("methodResponses") or {}).items():
            client.put_method_response(
                **_method_key(i),
                statusCode=status,
                responseParameters=response.get("responseParameters") or {},
                responseModels=response.get("responseModels") or {},
            )
        integration = method.get("methodIntegration")
        if not integration:
            return
        client.put_integration(
            **_method_key(i),
            **drop_none(
                type=integration["type"],
                integrationHttpMethod=integration.get("httpMethod"),
                uri=integration.get("uri") or None,
                credentials=integration.get("credentials"),
                requestParameters=integration.get("requestParameters"),
                requestTemplates=integration.get("requestTemplates"),
                passthroughBehavior=integration.get("passthroughBehavior"),
                timeoutInMillis=as_int(integration.get("timeoutInMillis")),
                contentHandling=integration.get("contentHandling"),
                cacheKeyParameters=integration.get("cacheKeyParameters"),
                connectionType=integration.get("connectionType"),
            ),
        )
        for status, response in (integration.get("integrationResponses") or {}).items():
            client.put_integration_response(
                **_method_key(i),
                statusCode=status,
                **drop_none(
                    selectionPattern=response.get("selectionPattern") or None,
                    responseParameters=response.get("responseParameters"),
                    responseTemplates=response.get("responseTemplates"),
                    contentHandling=response.get("contentHandling"),
                ),
            )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_method(**_method_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        method = self.client(ctx, have.inputs).get_method(**_method_key(have.inputs))
        live = {
            "authorization": method.get("authorizationType"),
            "authorizerId": method.get("authorizerId"),
            "authorizationScopes": method.get("authorizationScopes") or [],
            "apiKeyRequired": _bool(method.get("apiKeyRequired")),
            "requestValidatorId": method.get("requestValidatorId"),
            "requestModels": method.get("requestModels") or {},
            "requestParameters": {
                k: _bool(v) for k, v in (method.get("requestParameters") or {}).items()
            },
            "operationName": method.get("operationName") or None,
        }
        defaults: Inputs = {
            "apiKeyRequired": False,
            "authorizerId": None,
            "requestValidatorId": None,
            "requestModels": {},
            "requestParameters": {},
        }
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        if not _exists(client.get_method, **_method_key(i)):
            return None
        return f"agm-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}"


@provides
class MethodResponse(Provider):
    """A status code a method may answer with, its headers and models (non-proxy integrations
    need one per status their integration responses map to)."""

    type_token = METHOD_RESPONSE
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "resourceId",
            "httpMethod",
            "statusCode",
            "responseModels",
            "responseParameters",
            "region",
        }
    )
    updatable = frozenset({"responseModels", "responseParameters"})
    identity = (*_METHOD_IDENTITY, "statusCode")
    after = {METHOD: _METHOD_IDENTITY}

    def create(self, ctx: Context, want: Desired) -> Created:
        self._put(ctx, want.inputs)
        return Created(self._id(want.inputs))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"agmr-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}-{i['statusCode']}"

    def _put(self, ctx: Context, i: Inputs) -> None:
        self.client(ctx, i).put_method_response(
            **_response_key(i),
            responseModels=i.get("responseModels") or {},
            responseParameters=i.get("responseParameters") or {},
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._put(ctx, want.inputs)  # a put replaces the response, as an update would
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_method_response(**_response_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        response = client.get_method_response(**_response_key(have.inputs))
        live = {
            "responseModels": response.get("responseModels") or {},
            "responseParameters": {
                k: _bool(v) for k, v in (response.get("responseParameters") or {}).items()
            },
        }
        return live_inputs(have, live, {"responseModels": {}, "responseParameters": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        found = _exists(client.get_method_response, **_response_key(want.inputs))
        return self._id(want.inputs) if found else None


_INTEGRATION_PATHS = {
    "uri": "/uri",
    "integrationHttpMethod": "/httpMethod",
    "passthroughBehavior": "/passthroughBehavior",
    "timeoutMilliseconds": "/timeoutInMillis",
    "contentHandling": "/contentHandling",
    "credentials": "/credentials",
}


@provides
class Integration(Provider):
    """Where a method's requests go. `credentials` is the role API Gateway assumes for an AWS
    integration (on the emulator it is kept and read back; IAM is not enforced)."""

    type_token = INTEGRATION
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "resourceId",
            "httpMethod",
            "type",
            "uri",
            "integrationHttpMethod",
            "requestParameters",
            "requestTemplates",
            "passthroughBehavior",
            "timeoutMilliseconds",
            "contentHandling",
            "credentials",
            "connectionType",
            "cacheKeyParameters",
            "region",
        }
    )
    # UpdateIntegration patches these; a changed type or connection replaces the integration.
    updatable = frozenset({*_INTEGRATION_PATHS, "requestParameters", "requestTemplates"})
    identity = _METHOD_IDENTITY
    after = {METHOD: _METHOD_IDENTITY}

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self.client(ctx, i).put_integration(
            **_method_key(i),
            **drop_none(
                type=i["type"],
                integrationHttpMethod=i.get("integrationHttpMethod"),
                uri=i.get("uri"),
                requestParameters=i.get("requestParameters"),
                requestTemplates=i.get("requestTemplates"),
                passthroughBehavior=i.get("passthroughBehavior"),
                timeoutInMillis=as_int(i.get("timeoutMilliseconds")),
                contentHandling=i.get("contentHandling"),
                credentials=i.get("credentials"),
                connectionType=i.get("connectionType"),
                cacheKeyParameters=i.get("cacheKeyParameters"),
            ),
        )
        return Created(self._id(i))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"agi-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}"

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        """A patch, not a put: PutIntegration would drop the integration responses."""
        old, new = have.inputs, want.inputs
        ops = _patch_ops(_INTEGRATION_PATHS, old, new)
        ops += _map_ops(
            "/requestParameters", old.get("requestParameters"), new.get("requestParameters")
        )
        ops += _map_ops(
            "/requestTemplates", old.get("requestTemplates"), new.get("requestTemplates")
        )
        if ops:
            self.client(ctx, new).update_integration(**_method_key(new), patchOperations=ops)
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_integration(**_method_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        found = self.client(ctx, have.inputs).get_integration(**_method_key(have.inputs))
        timeout = found.get("timeoutInMillis")
        live = {
            "type": found.get("type"),
            "uri": found.get("uri") or None,
            "integrationHttpMethod": found.get("httpMethod"),
            "requestParameters": found.get("requestParameters") or {},
            "requestTemplates": found.get("requestTemplates") or {},
            "passthroughBehavior": found.get("passthroughBehavior"),
            "timeoutMilliseconds": None if timeout is None else int(timeout),
            "contentHandling": found.get("contentHandling"),
            "credentials": found.get("credentials"),
            "connectionType": found.get("connectionType"),
            "cacheKeyParameters": found.get("cacheKeyParameters") or [],
        }
        defaults: Inputs = {
            "credentials": None,
            "requestParameters": {},
            "requestTemplates": {},
            "timeoutMilliseconds": 29000,
            "passthroughBehavior": "WHEN_NO_MATCH",
        }
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        return (
            self._id(want.inputs)
            if _exists(client.get_integration, **_method_key(want.inputs))
            else None
        )


@provides
class IntegrationResponse(Provider):
    """How a non-proxy integration's answer becomes the method's: by selection pattern, to a
    status code the method declares (its MethodResponse)."""

    type_token = INTEGRATION_RESPONSE
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "resourceId",
            "httpMethod",
            "statusCode",
            "selectionPattern",
            "responseParameters",
            "responseTemplates",
            "contentHandling",
            "region",
        }
    )
    updatable = frozenset(
        {"selectionPattern", "responseParameters", "responseTemplates", "contentHandling"}
    )
    identity = (*_METHOD_IDENTITY, "statusCode")
    after = {
        INTEGRATION: _METHOD_IDENTITY,
        METHOD_RESPONSE: (*_METHOD_IDENTITY, "statusCode"),
    }

    def create(self, ctx: Context, want: Desired) -> Created:
        self._put(ctx, want.inputs)
        return Created(self._id(want.inputs))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"agir-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}-{i['statusCode']}"

    def _put(self, ctx: Context, i: Inputs) -> None:
        self.client(ctx, i).put_integration_response(
            **_response_key(i),
            **drop_none(
                selectionPattern=i.get("selectionPattern"),
                responseParameters=i.get("responseParameters"),
                responseTemplates=i.get("responseTemplates"),
                contentHandling=i.get("contentHandling"),
            ),
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._put(ctx, want.inputs)  # a put replaces the response, as an update would
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_integration_response(**_response_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        response = client.get_integration_response(**_response_key(have.inputs))
        live = {
            "selectionPattern": response.get("selectionPattern") or None,
            "responseParameters": response.get("responseParameters") or {},
            "responseTemplates": response.get("responseTemplates") or {},
            "contentHandling": response.get("contentHandling"),
        }
        defaults: Inputs = {
            "selectionPattern": None,
            "responseParameters": {},
            "responseTemplates": {},
        }
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        found = _exists(client.get_integration_response, **_response_key(want.inputs))
        return self._id(want.inputs) if found else None


@provides
class Model(Provider):
    type_token = "aws:apigateway/model:Model"
    service = "apigateway"
    inputs = frozenset({"restApi", "name", "contentType", "schema", "description", "region"})
    updatable = frozenset({"schema", "description"})
    identity = ("restApi", "name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        model = self.client(ctx, i).create_model(
            **drop_none(
                restApiId=i["restApi"],
                name=i["name"],
                contentType=i["contentType"],
                schema=i.get("schema"),
                description=i.get("description"),
            )
        )
        return Created(model["id"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops(
            {"schema": "/schema", "description": "/description"}, have.inputs, want.inputs
        )
        self.client(ctx, want.inputs).update_model(
            restApiId=want.inputs["restApi"], modelName=want.inputs["name"], patchOperations=ops
        )
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_model(
            restApiId=have.inputs["restApi"], modelName=have.inputs["name"]
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        model = self.client(ctx, have.inputs).get_model(
            restApiId=have.inputs["restApi"], modelName=have.inputs["name"]
        )
        recorded = have.inputs.get("schema")
        schema = model.get("schema")
        if isinstance(recorded, str) and isinstance(schema, str) and _same_json(recorded, schema):
            schema = recorded  # the same document, written differently
        live = {
            "contentType": model.get("contentType"),
            "schema": schema,
            "description": model.get("description") or None,
        }
        return live_inputs(have, live, {"description": None})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        try:
            return str(client.get_model(restApiId=i["restApi"], modelName=i["name"])["id"])
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise


def _same_json(a: str, b: str) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return a == b


@provides
class RequestValidator(Provider):
    type_token = "aws:apigateway/requestValidator:RequestValidator"
    service = "apigateway"
    inputs = frozenset(
        {"restApi", "name", "validateRequestBody", "validateRequestParameters", "region"}
    )
    updatable = frozenset({"name", "validateRequestBody", "validateRequestParameters"})
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        validator = self.client(ctx, i).create_request_validator(
            restApiId=i["restApi"],
            name=i["name"],
            validateRequestBody=bool(i.get("validateRequestBody", False)),
            validateRequestParameters=bool(i.get("validateRequestParameters", False)),
        )
        return Created(validator["id"], {"name": i["name"]})

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops(
            {
                "name": "/name",
                "validateRequestBody": "/validateRequestBody",
                "validateRequestParameters": "/validateRequestParameters",
            },
            have.inputs,
            want.inputs,
        )
        self.client(ctx, want.inputs).update_request_validator(
            restApiId=want.inputs["restApi"], requestValidatorId=have.id, patchOperations=ops
        )
        return {"name": want.inputs["name"]}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_request_validator(
            restApiId=have.inputs["restApi"], requestValidatorId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        validator = self.client(ctx, have.inputs).get_request_validator(
            restApiId=have.inputs["restApi"], requestValidatorId=have.id
        )
        live = {
            "name": validator.get("name"),
            "validateRequestBody": _bool(validator.get("validateRequestBody")),
            "validateRequestParameters": _bool(validator.get("validateRequestParameters")),
        }
        return live_inputs(
            have, live, {"validateRequestBody": False, "validateRequestParameters": False}
        )

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        items = self.client(ctx, i).get_request_validators(restApiId=i["restApi"])["items"]
        found = _first(items, name=i["name"])
        return found["id"] if found else None


# -- deployments and stages ---------------------------------------------------------------------

# What a deployment snapshots: it must come after every one of these of its API in the run.
_DEFINITION: dict[str, tuple[str, ...]] = {
    token: ("restApi",) for token in (METHOD, METHOD_RESPONSE, INTEGRATION, INTEGRATION_RESPONSE)
}


@provides
class Deployment(Provider):
    """A snapshot of the API; replaced, the new one is made before the old one goes (Pulumi's
    default), since stages point at it until they move to the new one. `triggers` is applied
    by replacement (a changed trigger makes a new snapshot). A deployment has no name, so
    `find` has nothing to look for: one left by an interrupted run goes with its API."""

    type_token = "aws:apigateway/deployment:Deployment"
    service = "apigateway"
    inputs = frozenset({"restApi", "description", "triggers", "variables", "region"})
    outputs = frozenset({"executionArn", "createdDate"})
    updatable = frozenset({"description"})
    after = _DEFINITION

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        deployment = self.client(ctx, i).create_deployment(
            **drop_none(
                restApiId=i["restApi"],
                description=i.get("description"),
                variables=i.get("variables"),
            )
        )
        created = deployment.get("createdDate")
        return Created(
            deployment["id"],
            {
                "executionArn": execution_arn(ctx, i["restApi"], ctx.region_of(i)) + "/",
                "createdDate": created.isoformat() if created is not None else None,
            },
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops({"description": "/description"}, have.inputs, want.inputs)
        self.client(ctx, want.inputs).update_deployment(
            restApiId=want.inputs["restApi"], deploymentId=have.id, patchOperations=ops
        )
        return {k: have.outputs.get(k) for k in self.outputs}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_deployment(
            restApiId=have.inputs["restApi"], deploymentId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        deployment = self.client(ctx, have.inputs).get_deployment(
            restApiId=have.inputs["restApi"], deploymentId=have.id
        )
        live = {"description": deployment.get("description") or None}
        return live_inputs(have, live, {"description": None})


@provides
class Stage(Provider):
    type_token = STAGE
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "stageName",
            "deployment",
            "description",
            "variables",
            "xrayTracingEnabled",
            "accessLogSettings",
            "cacheClusterEnabled",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"invokeUrl", "executionArn", "arn"})
    updatable = frozenset(
        {
            "deployment",
            "description",
            "variables",
            "xrayTracingEnabled",
            "accessLogSettings",
            "tags",
            "cacheClusterEnabled",
        }
    )
    identity = ("restApi", "stageName")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        client.create_stage(
            **drop_none(
                restApiId=i["restApi"],
                stageName=i["stageName"],
                deploymentId=i["deployment"],
                description=i.get("description"),
                variables=i.get("variables"),
                tracingEnabled=i.get("xrayTracingEnabled"),
                cacheClusterEnabled=i.get("cacheClusterEnabled"),
                tags=i.get("tags"),
            )
        )
        try:
            if ops := _access_log_ops(None, i.get("accessLogSettings")):
                client.update_stage(
                    restApiId=i["restApi"], stageName=i["stageName"], patchOperations=ops
                )
            _tags_readable(client, self._outputs(ctx, i)["arn"], i.get("tags"))
        except BaseException:
            client.delete_stage(restApiId=i["restApi"], stageName=i["stageName"])
            raise
        return Created(self._id(i), self._outputs(ctx, i))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"ags-{i['restApi']}-{i['stageName']}"

    @staticmethod
    def _outputs(ctx: Context, i: Inputs) -> Outputs:
        api, stage = i["restApi"], i["stageName"]
        return {
            "invokeUrl": rest_invoke_url(ctx, api, stage),
            "executionArn": f"{execution_arn(ctx, api, ctx.region_of(i))}/{stage}",
            "arn": _arn(ctx, i, f"/restapis/{api}/stages/{stage}"),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = _patch_ops(
            {
                "deployment": "/deploymentId",
                "description": "/description",
                "xrayTracingEnabled": "/tracingEnabled",
                "cacheClusterEnabled": "/cacheClusterEnabled",
            },
            old,
            new,
        )
        ops += _variable_ops(old.get("variables"), new.get("variables"))
        ops += _access_log_ops(old.get("accessLogSettings"), new.get("accessLogSettings"))
        if ops:
            client.update_stage(
                restApiId=new["restApi"], stageName=new["stageName"], patchOperations=ops
            )
        outputs = self._outputs(ctx, new)
        _retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_stage(
            restApiId=have.inputs["restApi"], stageName=have.inputs["stageName"]
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        stage = client.get_stage(restApiId=i["restApi"], stageName=i["stageName"])
        live = {
            "deployment": stage.get("deploymentId"),
            "description": stage.get("description") or None,
            "variables": stage.get("variables") or {},
            "xrayTracingEnabled": _bool(stage.get("tracingEnabled")),
            "accessLogSettings": only_keys(
                stage.get("accessLogSettings") or None, i.get("accessLogSettings")
            ),
            "cacheClusterEnabled": _bool(stage.get("cacheClusterEnabled")),
            "tags": _live_tags(client, self._outputs(ctx, i)["arn"]),
        }
        defaults: Inputs = {
            "description": None,
            "variables": {},
            "xrayTracingEnabled": False,
            "accessLogSettings": None,
            "cacheClusterEnabled": False,
            "tags": {},
        }
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        found = _exists(client.get_stage, restApiId=i["restApi"], stageName=i["stageName"])
        return self._id(i) if found else None


def _variable_ops(old: dict | None, new: dict | None) -> list[dict[str, str]]:
    old, new = old or {}, new or {}
    ops = [{"op": "remove", "path": f"/variables/{k}"} for k in old if k not in new]
    ops += [replace_op(f"/variables/{k}", v) for k, v in new.items() if old.get(k) != v]
    return ops


def _access_log_ops(old: dict | None, new: dict | None) -> list[dict[str, str]]:
    if old == new:
        return []
    if not new:
        return [{"op": "remove", "path": "/accessLogSettings"}]
    return [
        replace_op("/accessLogSettings/destinationArn", new["destinationArn"]),
        replace_op("/accessLogSettings/format", new["format"]),
    ]


# MethodSettings fields → the stage patch path under /{methodPath}/.
_METHOD_SETTING_PATHS = {
    "throttlingRateLimit": "throttling/rateLimit",
    "throttlingBurstLimit": "throttling/burstLimit",
    "loggingLevel": "logging/loglevel",
    "metricsEnabled": "metrics/enabled",
    "dataTraceEnabled": "logging/dataTrace",
    "cachingEnabled": "caching/enabled",
    "cacheTtlInSeconds": "caching/ttlInSeconds",
    "cacheDataEncrypted": "caching/dataEncrypted",
    "requireAuthorizationForCacheControl": "caching/requireAuthorizationForCacheControl",
    "unauthorizedCacheControlHeaderStrategy": "caching/unauthorizedCacheControlHeaderStrategy",
}


@provides
class MethodSettings(Provider):
    """Throttling, logging, metrics and caching of a stage's methods (`*/*`: all of them)."""

    type_token = "aws:apigateway/methodSettings:MethodSettings"
    service = "apigateway"
    inputs = frozenset({"restApi", "stageName", "methodPath", "settings", "region"})
    updatable = frozenset({"settings"})
    identity = ("restApi", "stageName", "methodPath")
    after = {STAGE: ("restApi", "stageName")}

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self._apply(ctx, i)
        return Created(self._id(i))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"{i['restApi']}-{i['stageName']}-{i['methodPath']}"

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._apply(ctx, want.inputs)
        return {}

    def _apply(self, ctx: Context, i: Inputs) -> None:
        settings = i.get("settings") or {}
        unknown = sorted(set(settings) - set(_METHOD_SETTING_PATHS))
        if unknown:
            raise UserError(
                f"MethodSettings: the local engine does not apply {', '.join(unknown)}."
            )
        ops = [
            replace_op(f"/{i['methodPath']}/{path}", settings[prop])
            for prop, path in _METHOD_SETTING_PATHS.items()
            if settings.get(prop) is not None
        ]
        self.client(ctx, i).update_stage(
            restApiId=i["restApi"], stageName=i["stageName"], patchOperations=ops
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).update_stage(
            restApiId=i["restApi"],
            stageName=i["stageName"],
            patchOperations=[{"op": "remove", "path": f"/{i['methodPath']}"}],
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        stage = self.client(ctx, i).get_stage(restApiId=i["restApi"], stageName=i["stageName"])
        settings = (stage.get("methodSettings") or {}).get(i["methodPath"])
        if settings is None:
            raise not_found(f"method settings {i['methodPath']}")
        return live_inputs(have, {"settings": only_keys(settings, i.get("settings") or {})})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        try:
            stage = client.get_stage(restApiId=i["restApi"], stageName=i["stageName"])
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise
        return self._id(i) if i["methodPath"] in (stage.get("methodSettings") or {}) else None


# -- API keys and usage plans -------------------------------------------------------------------


@provides
class ApiKey(Provider):
    type_token = "aws:apigateway/apiKey:ApiKey"
    service = "apigateway"
    inputs = frozenset({"name", "description", "enabled", "value", "customerId", "tags", "region"})
    outputs = frozenset({"value", "arn", "createdDate", "lastUpdatedDate"})
    updatable = frozenset({"description", "enabled", "name", "tags", "customerId"})
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        key = self.client(ctx, i).create_api_key(
            **drop_none(
                name=i["name"],
                description=i.get("description"),
                enabled=i.get("enabled", True),
                value=i.get("value"),
                customerId=i.get("customerId"),
                tags=i.get("tags"),
            )
        )
        outputs = self._outputs(ctx, key, i)
        _tags_readable(self.client(ctx, i), outputs["arn"], i.get("tags"))
        return Created(key["id"], outputs)

    @staticmethod
    def _outputs(ctx: Context, key: dict[str, Any], inputs: Inputs) -> Outputs:
        def when(name: str) -> str | None:
            value = key.get(name)
            return value.isoformat() if value is not None else None

        return {
            "value": key["value"],
            "name": inputs["name"],
            "arn": _arn(ctx, inputs, f"/apikeys/{key['id']}"),
            "createdDate": when("createdDate"),
            "lastUpdatedDate": when("lastUpdatedDate"),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = _patch_ops(
            {
                "name": "/name",
                "description": "/description",
                "enabled": "/enabled",
                "customerId": "/customerId",
            },
            old,
            new,
        )
        if ops:
            client.update_api_key(apiKey=have.id, patchOperations=ops)
        key = client.get_api_key(apiKey=have.id, includeValue=True)
        outputs = self._outputs(ctx, key, new)
        _retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_api_key(apiKey=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        key = client.get_api_key(apiKey=have.id, includeValue=True)
        live = {
            "name": key.get("name"),
            "description": key.get("description") or None,
            "enabled": _bool(key.get("enabled")),
            "value": key.get("value"),
            "customerId": key.get("customerId") or None,
            "tags": _live_tags(client, _arn(ctx, have.inputs, f"/apikeys/{have.id}")),
        }
        defaults: Inputs = {"description": None, "enabled": True, "customerId": None, "tags": {}}
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        keys = client.get_api_keys(nameQuery=want.inputs["name"], limit=500).get("items", [])
        found = _first(keys, name=want.inputs["name"])
        return found["id"] if found else None


@provides
class UsagePlan(Provider):
    """API keys' throttle and quota on API stages. Per-stage and per-method throttles
    (`apiStages[].throttles`) are not applied: a plan with them is refused."""

    type_token = "aws:apigateway/usagePlan:UsagePlan"
    service = "apigateway"
    inputs = frozenset(
        {"name", "description", "apiStages", "throttleSettings", "quotaSettings", "tags", "region"}
    )
    outputs = frozenset({"arn"})
    updatable = frozenset({"description", "throttleSettings", "quotaSettings", "name", "tags"})
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        stages = i.get("apiStages") or []
        if any(s.get("throttles") for s in stages):
            raise UserError("UsagePlan: the local engine does not apply apiStages[].throttles.")
        plan = self.client(ctx, i).create_usage_plan(
            **drop_none(
                name=i["name"],
                description=i.get("description"),
                apiStages=[drop_none(apiId=s["apiId"], stage=s["stage"]) for s in stages],
                throttle=_throttle(i.get("throttleSettings")),
                quota=_quota(i.get("quotaSettings")),
                tags=i.get("tags"),
            )
        )
        outputs = self._outputs(ctx, plan["id"], i)
        _tags_readable(self.client(ctx, i), outputs["arn"], i.get("tags"))
        return Created(plan["id"], outputs)

    @staticmethod
    def _outputs(ctx: Context, plan_id: str, inputs: Inputs) -> Outputs:
        return {"name": inputs["name"], "arn": _arn(ctx, inputs, f"/usageplans/{plan_id}")}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = _patch_ops({"name": "/name", "description": "/description"}, old, new)
        throttle, quota = _throttle(new.get("throttleSettings")), _quota(new.get("quotaSettings"))
        if old.get("throttleSettings") != new.get("throttleSettings") and throttle:
            ops += [replace_op(f"/throttle/{k}", v) for k, v in throttle.items()]
        if old.get("quotaSettings") != new.get("quotaSettings") and quota:
            ops += [replace_op(f"/quota/{k}", v) for k, v in quota.items()]
        if ops:
            client.update_usage_plan(usagePlanId=have.id, patchOperations=ops)
        outputs = self._outputs(ctx, have.id, new)
        _retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_usage_plan(usagePlanId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        plan = client.get_usage_plan(usagePlanId=have.id)
        throttle = plan.get("throttle") or {}
        quota = plan.get("quota") or {}
        live = {
            "name": plan.get("name"),
            "description": plan.get("description") or None,
            "apiStages": [
                {"apiId": s.get("apiId"), "stage": s.get("stage")}
                for s in plan.get("apiStages") or []
            ],
            "throttleSettings": only_keys(throttle or None, i.get("throttleSettings")),
            "quotaSettings": only_keys(quota or None, i.get("quotaSettings")),
            "tags": _live_tags(client, _arn(ctx, i, f"/usageplans/{have.id}")),
        }
        if _same_items(live["apiStages"], i.get("apiStages")):
            live["apiStages"] = i.get("apiStages")
        defaults: Inputs = {"description": None, "apiStages": [], "tags": {}}
        return live_inputs(have, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        plans = self.client(ctx, want.inputs).get_usage_plans(limit=500).get("items", [])
        found = _first(plans, name=want.inputs["name"])
        return found["id"] if found else None


def _same_items(live: list[dict[str, Any]], recorded: list[dict[str, Any]] | None) -> bool:
    """The same API stages in any order (the keys the engine applies only)."""
    if recorded is None:
        return False

    def key(s: dict[str, Any]) -> tuple[str, str]:
        return (str(s.get("apiId")), str(s.get("stage")))

    return sorted(map(key, live)) == sorted(map(key, recorded))


def _throttle(settings: dict | None) -> dict[str, Any] | None:
    if not settings:
        return None
    return drop_none(
        burstLimit=as_int(settings.get("burstLimit")), rateLimit=settings.get("rateLimit")
    )


def _quota(settings: dict | None) -> dict[str, Any] | None:
    if not settings:
        return None
    return drop_none(
        limit=as_int(settings.get("limit")),
        offset=as_int(settings.get("offset")),
        period=settings.get("period"),
    )


@provides
class UsagePlanKey(Immutable):
    type_token = "aws:apigateway/usagePlanKey:UsagePlanKey"
    service = "apigateway"
    inputs = frozenset({"usagePlanId", "keyId", "keyType", "region"})
    outputs = frozenset({"name", "value"})
    identity = ("usagePlanId", "keyId")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        key = self.client(ctx, i).create_usage_plan_key(
            usagePlanId=i["usagePlanId"], keyId=i["keyId"], keyType=i["keyType"]
        )
        return Created(key["id"], {"name": key.get("name"), "value": key.get("value")})

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_usage_plan_key(
            usagePlanId=have.inputs["usagePlanId"], keyId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        key = self.client(ctx, have.inputs).get_usage_plan_key(
            usagePlanId=have.inputs["usagePlanId"], keyId=have.id
        )
        return live_inputs(have, {"keyId": key.get("id"), "keyType": key.get("type")})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        found = _exists(client.get_usage_plan_key, usagePlanId=i["usagePlanId"], keyId=i["keyId"])
        return i["keyId"] if found else None


# -- custom domain names ------------------------------------------------------------------------


def _mutual_tls(inputs: Inputs) -> dict[str, Any] | None:
    config = inputs.get("mutualTlsAuthentication")
    if not config:
        return None
    return drop_none(
        truststoreUri=config.get("truststoreUri"), truststoreVersion=config.get("truststoreVersion")
    )


@provides
class DomainName(Provider):
    type_token = DOMAIN_NAME
    service = "apigateway"
    inputs = frozenset(
        {
            "domainName",
            "certificateArn",
            "certificateName",
            "certificateBody",
            "certificateChain",
            "certificatePrivateKey",
            "regionalCertificateArn",
            "regionalCertificateName",
            "endpointConfiguration",
            "securityPolicy",
            "mutualTlsAuthentication",
            "ownershipVerificationCertificateArn",
            "policy",
            "tags",
            "region",
        }
    )
    outputs = frozenset(
        {
            "arn",
            "cloudfrontDomainName",
            "cloudfrontZoneId",
            "regionalDomainName",
            "regionalZoneId",
            "securityPolicy",
        }
    )
    updatable = frozenset(
        {
            "certificateArn",
            "certificateName",
            "regionalCertificateArn",
            "regionalCertificateName",
            "securityPolicy",
            "endpointConfiguration",
            "tags",
        }
    )
    identity = ("domainName",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        domain = self._create(client, i)
        outputs = self._outputs(ctx, i, domain)
        _tags_readable(client, outputs["arn"], i.get("tags"))
        return Created(i["domainName"], outputs)

    @staticmethod
    def _create(client: Client, inputs: Inputs) -> dict[str, Any]:
        answer: dict[str, Any] = client.create_domain_name(
            **drop_none(
                domainName=inputs["domainName"],
                certificateArn=inputs.get("certificateArn"),
                certificateName=inputs.get("certificateName"),
                certificateBody=inputs.get("certificateBody"),
                certificateChain=inputs.get("certificateChain"),
                certificatePrivateKey=inputs.get("certificatePrivateKey"),
                regionalCertificateArn=inputs.get("regionalCertificateArn"),
                regionalCertificateName=inputs.get("regionalCertificateName"),
                endpointConfiguration=_endpoint_configuration(inputs),
                securityPolicy=inputs.get("securityPolicy"),
                mutualTlsAuthentication=_mutual_tls(inputs),
                ownershipVerificationCertificateArn=inputs.get(
                    "ownershipVerificationCertificateArn"
                ),
                policy=inputs.get("policy"),
                tags=inputs.get("tags") or None,
            )
        )
        return answer

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, domain: dict[str, Any]) -> Outputs:
        return {
            "arn": _arn(ctx, inputs, f"/domainnames/{domain['domainName']}"),
            "cloudfrontDomainName": domain.get("distributionDomainName") or None,
            "cloudfrontZoneId": domain.get("distributionHostedZoneId") or None,
            "regionalDomainName": domain.get("regionalDomainName") or None,
            "regionalZoneId": domain.get("regionalHostedZoneId") or None,
            "securityPolicy": domain.get("securityPolicy") or None,
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = [
            replace_op(f"/{prop}", new.get(prop) or "")
            for prop in (
                "certificateArn",
                "certificateName",
                "regionalCertificateArn",
                "regionalCertificateName",
                "securityPolicy",
            )
            if old.get(prop) != new.get(prop)
        ]
        old_types, new_types = endpoint_types(old), endpoint_types(new)
        if old_types and new_types and old_types != new_types:
            # AWS changes an endpoint type by replacing the old type's entry with the new one.
            ops.append(replace_op(f"/endpointConfiguration/types/{old_types[0]}", new_types[0]))
        if ops:
            try:
                client.update_domain_name(domainName=have.id, patchOperations=ops)
            except ClientError as error:
                if not _unsupported(error):
                    raise
                self._recreate_keeping_mappings(client, have.id, new)
        arn = _arn(ctx, new, f"/domainnames/{have.id}")
        _retag(client, arn, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, new, client.get_domain_name(domainName=have.id))

    def _recreate_keeping_mappings(self, client: Client, name: str, inputs: Inputs) -> None:
        """The emulator-only path (see the module notes): overwrite, then restore mappings."""
        mappings = client.get_base_path_mappings(domainName=name, limit=500).get("items", [])
        self._create(client, inputs)
        for mapping in mappings:
            base_path = mapping.get("basePath")
            client.create_base_path_mapping(
                **drop_none(
                    domainName=name,
                    restApiId=mapping["restApiId"],
                    stage=mapping.get("stage"),
                    basePath=None if base_path in (None, _NO_BASE_PATH) else base_path,
                )
            )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_domain_name(domainName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        domain = client.get_domain_name(domainName=have.id)
        live = {
            "certificateArn": domain.get("certificateArn") or None,
            "regionalCertificateArn": domain.get("regionalCertificateArn") or None,
            "securityPolicy": domain.get("securityPolicy") or None,
            "endpointConfiguration": _live_endpoint_configuration(
                domain.get("endpointConfiguration"), i.get("endpointConfiguration")
            ),
            "tags": _live_tags(client, _arn(ctx, i, f"/domainnames/{have.id}")),
        }
        return live_inputs(have, live, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["domainName"]
        found = _exists(self.client(ctx, want.inputs).get_domain_name, domainName=name)
        return name if found else None


@provides
class BasePathMapping(Provider):
    """A path of a custom domain mapped to an API stage; id `<domain>/<base path>`."""

    type_token = "aws:apigateway/basePathMapping:BasePathMapping"
    service = "apigateway"
    inputs = frozenset({"domainName", "restApi", "stageName", "basePath", "region"})
    after = {STAGE: ("restApi", "stageName"), DOMAIN_NAME: ("domainName",)}
    updatable = frozenset({"restApi", "stageName"})
    identity = ("domainName", "basePath")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self._put(self.client(ctx, i), i)
        base_path = i.get("basePath") or ""
        return Created(f"{i['domainName']}/{base_path}", {"basePath": base_path})

    @staticmethod
    def _put(client: Client, inputs: Inputs) -> None:
        client.create_base_path_mapping(
            **drop_none(
                domainName=inputs["domainName"],
                restApiId=inputs["restApi"],
                stage=inputs.get("stageName"),
                basePath=inputs.get("basePath") or None,
            )
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = []
        if old.get("restApi") != new.get("restApi"):
            ops.append(replace_op("/restapiId", new["restApi"]))
        if old.get("stageName") != new.get("stageName"):
            ops.append(replace_op("/stage", new.get("stageName") or ""))
        try:
            client.update_base_path_mapping(
                domainName=new["domainName"], basePath=_path_key(new), patchOperations=ops
            )
        except ClientError as error:
            if not _unsupported(error):
                raise
            self._put(client, new)  # the emulator overwrites the mapping in place
        return {"basePath": new.get("basePath") or ""}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_base_path_mapping(
            domainName=have.inputs["domainName"], basePath=_path_key(have.inputs)
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        mapping = self.client(ctx, have.inputs).get_base_path_mapping(
            domainName=have.inputs["domainName"], basePath=_path_key(have.inputs)
        )
        live = {"restApi": mapping.get("restApiId"), "stageName": mapping.get("stage") or None}
        return live_inputs(have, live, {"stageName": None})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        if not _exists(
            client.get_base_path_mapping, domainName=i["domainName"], basePath=_path_key(i)
        ):
            return None
        return f"{i['domainName']}/{i.get('basePath') or ''}"


def _path_key(inputs: Inputs) -> str:
    """How the API names a mapping: its base path, or "(none)" for the domain's root."""
    return inputs.get("basePath") or _NO_BASE_PATH
