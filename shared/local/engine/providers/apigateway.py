"""REST APIs (API Gateway v1, pulumi-aws's `apigateway` module) on the emulator: the API (built
resource by resource or from an OpenAPI `body`) and its resources, methods, method responses,
integrations, integration responses, models and validators, deployments and stages, API keys
and usage plans, and custom domain names with their base path mappings.

Where MiniStack 1.5.33 differs from AWS:
- It has no PutRestApi ("Unknown API Gateway v1 path") and its ImportRestApi makes an empty API
  named "unnamed". A RestApi with a `body` is made as pulumi-aws makes it (CreateRestApi, then
  PutRestApi with `putRestApiMode`); only when the emulator answers that PutRestApi is unknown
  does the engine's own import (shared/local/engine/openapi_rest.py) apply the document with the
  calls a program would make (resources, methods, method responses, integrations, integration
  responses, models, request validators, API key source, binary media types). What it does not
  translate is refused by name rather than dropped: Lambda/Cognito authorizers
  (`x-amazon-apigateway-authorizer`, `securitySchemes` other than the `x-api-key` header),
  gateway responses, resource policies, endpoint configuration and any other
  `x-amazon-apigateway-*` extension. The body is not read back (there is no faithful export
  without a stage), so a change behind the engine's back to an imported definition is not seen
  as drift.
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

import json
from typing import Any

from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine import service_bridge
from shared.local.engine.live import live_inputs, only_keys, same_json, same_set
from shared.local.engine.naming import AutoName
from shared.local.engine.openapi import parse_openapi
from shared.local.engine.openapi_rest import RestApiImport
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
    binary_media_type_ops,
    drop_none,
    not_found,
    provides,
    replace_op,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import API_GATEWAY

_NO_BASE_PATH = "(none)"
REST_API = "aws:apigateway/restApi:RestApi"
METHOD = "aws:apigateway/method:Method"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION = "aws:apigateway/integration:Integration"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
STAGE = "aws:apigateway/stage:Stage"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
_METHOD_IDENTITY = ("restApi", "resourceId", "httpMethod")

# -- helpers shared by the API Gateway providers ------------------------------------------------


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


def _tags_readable(client: Client, arn: str, tags: dict[str, str] | None) -> None:
    """Make a new resource's creation tags show in GetTags: the emulator keeps the tags of a
    stage, key, plan or domain given at creation apart from those GetTags and TagResource
    use (see the module doc); on AWS they already show and this makes no call."""
    if tags and API_GATEWAY.read(client, arn) != tags:
        API_GATEWAY.tag(client, arn, tags)


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
        ops += binary_media_type_ops(old.get("binaryMediaTypes"), new.get("binaryMediaTypes"))
        if ops:
            client.update_rest_api(restApiId=have.id, patchOperations=ops)
        arn = _arn(ctx, new, f"/restapis/{have.id}")
        API_GATEWAY.retag(client, arn, old.get("tags"), new.get("tags"))
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
            "binaryMediaTypes": same_set(
                recorded.get("binaryMediaTypes"), _media_types(api.get("binaryMediaTypes"))
            ),
            "endpointConfiguration": _live_endpoint_configuration(
                api.get("endpointConfiguration"), recorded.get("endpointConfiguration")
            ),
            "disableExecuteApiEndpoint": bool(api.get("disableExecuteApiEndpoint")),
            "tags": API_GATEWAY.read(client, _arn(ctx, recorded, f"/restapis/{have.id}")),
        }
        defaults: Inputs = {
            "description": "",
            "apiKeySource": "HEADER",
            "binaryMediaTypes": [],
            "disableExecuteApiEndpoint": False,
            "tags": {},
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        apis = self.client(ctx, want.inputs).get_rest_apis(limit=500).get("items", [])
        found = _first(apis, name=want.inputs["name"])
        return found["id"] if found else None


def _media_types(live: Any) -> list[str]:
    """The emulator keeps types added by patch as keys of a map, written `image~1png`."""
    types = list(live.keys()) if isinstance(live, dict) else list(live or [])
    return [t.replace("~1", "/") for t in types]


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
        RestApiImport(client, api_id, parse_openapi(body, "RestApi")).apply(mode == "overwrite")
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
        ops += binary_media_type_ops(have, inputs["binaryMediaTypes"])
    if ops:
        client.update_rest_api(restApiId=api_id, patchOperations=ops)


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
        return live_inputs(
            have.inputs, {"parentId": res.get("parentId"), "pathPart": res["pathPart"]}
        )

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
        {
            "apiKeyRequired",
            "requestValidatorId",
            "authorization",
            "authorizerId",
            "authorizationScopes",
            "operationName",
        }
    )
    identity = _METHOD_IDENTITY
    # A method names its authorizer by id; AWS refuses an authorizer it does not know yet.
    after = {AUTHORIZER: ("restApi",)}

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
        # botocore reads the emulator's "false" back as False, so the answer cannot tell; a
        # changed flag or scope list is put again whatever it says.
        changed = {
            k for k in ("apiKeyRequired", "authorizationScopes") if have.inputs.get(k) != i.get(k)
        }
        if changed:
            self._put_again(client, i, method)
        return {}

    def _put_again(self, client: Client, i: Inputs, method: dict[str, Any]) -> None:
        """The emulator keeps a patched flag as text ("false" then counts as true when a call
        comes in), and a scope added or removed by patch (`add /authorizationScopes`, AWS's
        way) as the whole list, so it gets the method put again, with its responses and
        integration."""
        client.put_method(**_method_key(i), **self._settings(i))
        for status, response in (method.get("methodResponses") or {}).items():
            client.put_method_response(
                **_method_key(i),
                statusCode=status,
                responseParameters=response.get("responseParameters") or {},
                responseModels=response.get("responseModels") or {},
            )
        integration = method.get("methodIntegration")
        if integration:
            _put_integration_again(client, _method_key(i), integration)

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
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        if self.lookup(client.get_method, **_method_key(i)) is None:
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
        return live_inputs(have.inputs, live, {"responseModels": {}, "responseParameters": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_method_response, **_response_key(want.inputs))
        return None if found is None else self._id(want.inputs)


_INTEGRATION_PATHS = {
    "uri": "/uri",
    "integrationHttpMethod": "/httpMethod",
    "passthroughBehavior": "/passthroughBehavior",
    "timeoutMilliseconds": "/timeoutInMillis",
    "contentHandling": "/contentHandling",
    "credentials": "/credentials",
}


def _put_maps_again(client: Client, inputs: Inputs) -> None:
    """Give an integration the request parameters and templates of `inputs`.

    AWS patches them key by key (`/requestTemplates/application~1json`). MiniStack 1.5.33
    keeps the patch path's key as written (`application~1json`, next to the old
    `application/json`), so the integration is put again with the new maps, the rest as it is,
    and its integration responses, which a put drops, put back."""
    key = _method_key(inputs)
    current = client.get_integration(**key)
    maps = {
        "requestParameters": inputs.get("requestParameters") or {},
        "requestTemplates": inputs.get("requestTemplates") or {},
    }
    _put_integration_again(client, key, {**current, **maps})


def _put_integration_again(
    client: Client, key: dict[str, Any], integration: dict[str, Any]
) -> None:
    """Put `integration` (as GetIntegration shows it) on the method `key` names, and its
    integration responses after it: a put drops them."""
    client.put_integration(
        **key,
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
            **key,
            statusCode=status,
            **drop_none(
                selectionPattern=response.get("selectionPattern") or None,
                responseParameters=response.get("responseParameters"),
                responseTemplates=response.get("responseTemplates"),
                contentHandling=response.get("contentHandling"),
            ),
        )


@provides
class Integration(Provider):
    """Where a method's requests go. `credentials` is the role API Gateway assumes for an AWS
    integration; on the emulator it is kept and read back, and IAM is not enforced, except for
    the `AWS` integrations to the SageMaker and Bedrock runtimes, which the emulator's gateway
    cannot call: those are applied through the engine's bridge (service_bridge.py), which
    checks the role's policies as AWS would, renders the templates and maps the responses."""

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

    def refusals(self, inputs: Inputs) -> list[str]:
        return service_bridge.refusals(inputs)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        emulated = {"type": i["type"], "uri": i.get("uri")}
        emulated["integrationHttpMethod"] = i.get("integrationHttpMethod")
        if bridged := service_bridge.bridged(i):
            emulated = {
                "type": "AWS_PROXY",
                "uri": service_bridge.ensure(ctx, i),
                "integrationHttpMethod": "POST",
            }
        try:
            client.put_integration(
                **_method_key(i),
                **drop_none(
                    **emulated,
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
        except BaseException:
            if bridged:
                service_bridge.remove(ctx, i)
            raise
        return Created(self._id(i))

    @staticmethod
    def _id(i: Inputs) -> str:
        return f"agi-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}"

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        """A patch, not a put: PutIntegration would drop the integration responses. For a
        bridged integration the URI and verb are the bridge's (its emulator copy keeps the
        bridge's); moving into or out of the bridge patches the emulator copy's type too,
        which the emulator allows (AWS does not: there a changed type replaces)."""
        old, new = have.inputs, want.inputs
        was, now = service_bridge.bridged(old), service_bridge.bridged(new)
        ops = _patch_ops(_INTEGRATION_PATHS, old, new)
        if now:
            bridge_inputs = ("uri", "integrationHttpMethod", "credentials")
            if not was:
                uri = service_bridge.ensure(ctx, new)
                ops = [op for op in ops if op["path"] not in ("/uri", "/httpMethod")]
                ops += [replace_op("/type", "AWS_PROXY"), replace_op("/uri", uri)]
                ops.append(replace_op("/httpMethod", "POST"))
            else:
                ops = [op for op in ops if op["path"] not in ("/uri", "/httpMethod")]
                if any(old.get(k) != new.get(k) for k in bridge_inputs):
                    service_bridge.reconfigure(ctx, new)
        elif was:
            ops = [op for op in ops if op["path"] not in ("/uri", "/httpMethod")]
            ops += [replace_op("/type", new["type"]), replace_op("/uri", new.get("uri") or "")]
            if new.get("integrationHttpMethod"):
                ops.append(replace_op("/httpMethod", new["integrationHttpMethod"]))
        client = self.client(ctx, new)
        if ops:
            client.update_integration(**_method_key(new), patchOperations=ops)
        maps = ("requestParameters", "requestTemplates")
        if any(old.get(k) != new.get(k) for k in maps):
            _put_maps_again(client, new)
        if was and not now:
            service_bridge.remove(ctx, old)
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        try:
            self.client(ctx, have.inputs).delete_integration(**_method_key(have.inputs))
        finally:
            if service_bridge.bridged(have.inputs):
                service_bridge.remove(ctx, have.inputs)

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
        if service_bridge.bridged(have.inputs):
            declared = service_bridge.declared(ctx, have.inputs, found)
            if declared is not None:  # the bridge's emulator copy: as the program declared it
                live.update(declared)
        defaults: Inputs = {
            "credentials": None,
            "requestParameters": {},
            "requestTemplates": {},
            "timeoutMilliseconds": 29000,
            "passthroughBehavior": "WHEN_NO_MATCH",
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_integration, **_method_key(want.inputs))
        return None if found is None else self._id(want.inputs)


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
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_integration_response, **_response_key(want.inputs))
        return None if found is None else self._id(want.inputs)


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
        if isinstance(recorded, str) and isinstance(schema, str) and same_json(recorded, schema):
            schema = recorded  # the same document, written differently
        live = {
            "contentType": model.get("contentType"),
            "schema": schema,
            "description": model.get("description") or None,
        }
        return live_inputs(have.inputs, live, {"description": None})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        model = self.lookup(client.get_model, restApiId=i["restApi"], modelName=i["name"])
        return None if model is None else str(model["id"])


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
            have.inputs, live, {"validateRequestBody": False, "validateRequestParameters": False}
        )

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        items = self.client(ctx, i).get_request_validators(restApiId=i["restApi"])["items"]
        found = _first(items, name=i["name"])
        return found["id"] if found else None


# -- authorizers --------------------------------------------------------------------------------

_AUTHORIZER_PATHS = {
    "name": "/name",
    "authorizerUri": "/authorizerUri",
    "authorizerCredentials": "/authorizerCredentials",
    "identitySource": "/identitySource",
    "identityValidationExpression": "/identityValidationExpression",
    "authorizerResultTtlInSeconds": "/authorizerResultTtlInSeconds",
}


@provides
class Authorizer(Provider):
    """Who may call the methods that name it: a Cognito user pool's tokens
    (`COGNITO_USER_POOLS`, the pools in `providerArns`) or a Lambda's verdict (`TOKEN`,
    `REQUEST`). pulumi-aws's defaults are AWS's: type TOKEN, identity source the Authorization
    header, results cached 300 s.

    Where MiniStack 1.5.33 differs: UpdateAuthorizer applies a patch path verbatim, so the
    per-ARN patch AWS takes for `providerArns` (`/providerARNs/<arn>`) would corrupt the list;
    a changed `providerArns` replaces the authorizer instead (the methods naming it then
    move to the new one). A patched TTL is kept as text, which the emulator reads as the
    number; `read` does too."""

    type_token = AUTHORIZER
    service = "apigateway"
    inputs = frozenset(
        {
            "restApi",
            "name",
            "type",
            "providerArns",
            "authorizerUri",
            "authorizerCredentials",
            "identitySource",
            "identityValidationExpression",
            "authorizerResultTtlInSeconds",
            "region",
        }
    )
    outputs = frozenset({"arn"})
    updatable = frozenset(_AUTHORIZER_PATHS)
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        authorizer = self.client(ctx, i).create_authorizer(
            **drop_none(
                restApiId=i["restApi"],
                name=i["name"],
                type=i.get("type") or "TOKEN",
                providerARNs=i.get("providerArns"),
                authorizerUri=i.get("authorizerUri"),
                authorizerCredentials=i.get("authorizerCredentials"),
                identitySource=i.get("identitySource") or "method.request.header.Authorization",
                identityValidationExpression=i.get("identityValidationExpression"),
                authorizerResultTtlInSeconds=as_int(i.get("authorizerResultTtlInSeconds", 300)),
            )
        )
        return Created(authorizer["id"], self._outputs(ctx, i, authorizer["id"]))

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, authorizer_id: str) -> Outputs:
        path = f"/restapis/{inputs['restApi']}/authorizers/{authorizer_id}"
        return {"arn": _arn(ctx, inputs, path)}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops(_AUTHORIZER_PATHS, have.inputs, want.inputs)
        if ops:
            self.client(ctx, want.inputs).update_authorizer(
                restApiId=want.inputs["restApi"], authorizerId=have.id, patchOperations=ops
            )
        return self._outputs(ctx, want.inputs, have.id)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_authorizer(
            restApiId=have.inputs["restApi"], authorizerId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        found = self.client(ctx, have.inputs).get_authorizer(
            restApiId=have.inputs["restApi"], authorizerId=have.id
        )
        ttl = found.get("authorizerResultTtlInSeconds")
        live = {
            "name": found.get("name"),
            "type": found.get("type"),
            "providerArns": same_set(
                have.inputs.get("providerArns"), found.get("providerARNs") or []
            ),
            "authorizerUri": found.get("authorizerUri") or None,
            "authorizerCredentials": found.get("authorizerCredentials") or None,
            "identitySource": found.get("identitySource") or None,
            "identityValidationExpression": found.get("identityValidationExpression") or None,
            "authorizerResultTtlInSeconds": None if ttl in (None, "") else float(ttl),
        }
        defaults: Inputs = {
            "type": "TOKEN",
            "providerArns": [],
            "authorizerUri": None,
            "authorizerCredentials": None,
            "identitySource": "method.request.header.Authorization",
            "identityValidationExpression": None,
            "authorizerResultTtlInSeconds": 300.0,
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        if self.lookup(client.get_rest_api, restApiId=i["restApi"]) is None:
            return None
        items = client.get_authorizers(restApiId=i["restApi"], limit=500).get("items", [])
        found = _first(items, name=i["name"])
        return found["id"] if found else None


# -- deployments and stages ---------------------------------------------------------------------

# What a deployment snapshots: it must come after every one of these of its API in the run.
_DEFINITION: dict[str, tuple[str, ...]] = {
    token: ("restApi",)
    for token in (METHOD, METHOD_RESPONSE, INTEGRATION, INTEGRATION_RESPONSE, AUTHORIZER)
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
        return live_inputs(have.inputs, live, {"description": None})


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
        API_GATEWAY.retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
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
            "tags": API_GATEWAY.read(client, self._outputs(ctx, i)["arn"]),
        }
        defaults: Inputs = {
            "description": None,
            "variables": {},
            "xrayTracingEnabled": False,
            "accessLogSettings": None,
            "cacheClusterEnabled": False,
            "tags": {},
        }
        return live_inputs(have.inputs, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        found = self.lookup(client.get_stage, restApiId=i["restApi"], stageName=i["stageName"])
        return None if found is None else self._id(i)


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
        return live_inputs(have.inputs, {"settings": only_keys(settings, i.get("settings") or {})})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        stage = self.lookup(client.get_stage, restApiId=i["restApi"], stageName=i["stageName"])
        if stage is None or i["methodPath"] not in (stage.get("methodSettings") or {}):
            return None
        return self._id(i)


# -- API keys and usage plans -------------------------------------------------------------------


def _flags_as_json(client: Client, operation: str) -> None:
    """Make `client` send the flags of `operation`'s patch (`/enabled`) as JSON booleans.

    AWS takes every patch value as text and reads `"false"` as false. MiniStack 1.5.33 keeps
    the text, and its gateway then tests the text for truth: a key disabled by an update
    (`"false"`) went on being accepted (measured: 200), while one created disabled is refused
    (403). Sent as a JSON boolean the emulator keeps false, and its gateway refuses the key as
    AWS does. Registered once per client (botocore drops a handler whose id it already has)."""

    def booleans(params: dict[str, Any], **_: Any) -> None:
        body = json.loads(params.get("body") or b"{}")
        for op in body.get("patchOperations") or []:
            if op.get("path") in _FLAG_PATHS and op.get("value") in ("true", "false"):
                op["value"] = op["value"] == "true"
        params["body"] = json.dumps(body).encode()

    client.meta.events.register(
        f"before-call.apigateway.{operation}", booleans, unique_id=f"aigw-flags-{operation}"
    )


_FLAG_PATHS = {"/enabled"}


@provides
class ApiKey(Provider):
    """A caller's key. Where MiniStack 1.5.33 differs: see `_flags_as_json` (a key disabled
    in place)."""

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
            _flags_as_json(client, "UpdateApiKey")
            client.update_api_key(apiKey=have.id, patchOperations=ops)
        key = client.get_api_key(apiKey=have.id, includeValue=True)
        outputs = self._outputs(ctx, key, new)
        API_GATEWAY.retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
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
            "tags": API_GATEWAY.read(client, _arn(ctx, have.inputs, f"/apikeys/{have.id}")),
        }
        defaults: Inputs = {"description": None, "enabled": True, "customerId": None, "tags": {}}
        return live_inputs(have.inputs, live, defaults)

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
        API_GATEWAY.retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
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
            "tags": API_GATEWAY.read(client, _arn(ctx, i, f"/usageplans/{have.id}")),
        }
        if _same_items(live["apiStages"], i.get("apiStages")):
            live["apiStages"] = i.get("apiStages")
        defaults: Inputs = {"description": None, "apiStages": [], "tags": {}}
        return live_inputs(have.inputs, live, defaults)

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
        return live_inputs(have.inputs, {"keyId": key.get("id"), "keyType": key.get("type")})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        found = self.lookup(
            client.get_usage_plan_key, usagePlanId=i["usagePlanId"], keyId=i["keyId"]
        )
        return None if found is None else i["keyId"]


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
        API_GATEWAY.retag(client, arn, old.get("tags"), new.get("tags"))
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
            "tags": API_GATEWAY.read(client, _arn(ctx, i, f"/domainnames/{have.id}")),
        }
        return live_inputs(have.inputs, live, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["domainName"]
        found = self.lookup(self.client(ctx, want.inputs).get_domain_name, domainName=name)
        return None if found is None else name


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
        return live_inputs(have.inputs, live, {"stageName": None})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        found = self.lookup(
            client.get_base_path_mapping, domainName=i["domainName"], basePath=_path_key(i)
        )
        if found is None:
            return None
        return f"{i['domainName']}/{i.get('basePath') or ''}"


def _path_key(inputs: Inputs) -> str:
    """How the API names a mapping: its base path, or "(none)" for the domain's root."""
    return inputs.get("basePath") or _NO_BASE_PATH


# -- account settings ---------------------------------------------------------------------------
# API Gateway's account settings of one region: the CloudWatch role API Gateway writes stage logs
# with. On AWS a stage that sets access or execution logging fails ("CloudWatch Logs role ARN must
# be set in account settings to enable logging") until this is set in its region. The setting is a
# singleton per account and region, so the resource's id is fixed (the AWS provider's
# `api-gateway-account`) and its identity is its region. Deleting it resets the role to none, as
# pulumi-aws 7 does. AWS also checks that the role trusts `apigateway.amazonaws.com`; MiniStack
# 1.5.33 stores any ARN, so that check is the bootstrap's tests' job.

ACCOUNT_ID = "api-gateway-account"


@provides
class Account(Provider):
    type_token = "aws:apigateway/account:Account"
    service = "apigateway"
    inputs = frozenset({"cloudwatchRoleArn", "region"})
    outputs = frozenset({"apiKeyVersion", "features", "throttleSettings"})
    updatable = frozenset({"cloudwatchRoleArn"})
    identity = ("region",)

    def create(self, ctx: Context, want: Desired) -> Created:
        client = self.client(ctx, want.inputs)
        return Created(ACCOUNT_ID, self._set(client, want.inputs.get("cloudwatchRoleArn") or ""))

    @staticmethod
    def _set(client: Client, role_arn: str) -> Outputs:
        account = client.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}]
        )
        return _outputs(account)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        return self._set(self.client(ctx, want.inputs), want.inputs.get("cloudwatchRoleArn") or "")

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self._set(self.client(ctx, have.inputs), "")

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The setting always exists; a role reset behind the engine's back is drift."""
        account = self.client(ctx, have.inputs).get_account()
        live = {"cloudwatchRoleArn": account.get("cloudwatchRoleArn") or ""}
        return live_inputs(have.inputs, live, {"cloudwatchRoleArn": ""})

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The setting a create made is there when the region's role is the one it set."""
        account = self.client(ctx, want.inputs).get_account()
        wanted = want.inputs.get("cloudwatchRoleArn")
        return ACCOUNT_ID if wanted and account.get("cloudwatchRoleArn") == wanted else None


def _outputs(account: dict[str, Any]) -> Outputs:
    throttle = account.get("throttleSettings") or {}
    return {
        "apiKeyVersion": str(account.get("apiKeyVersion", "")),
        "features": list(account.get("features") or []),
        "throttleSettings": [
            {
                "burstLimit": throttle.get("burstLimit", 0),
                "rateLimit": float(throttle.get("rateLimit", 0)),
            }
        ],
    }
