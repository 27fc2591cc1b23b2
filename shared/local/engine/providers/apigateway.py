"""REST APIs (API Gateway v1, pulumi-aws's `apigateway` module) on the emulator: the API and its
resources, methods, integrations, models and validators, deployments and stages, API keys and
usage plans, and custom domain names with their base path mappings.

Where MiniStack 1.5.33 differs from AWS:
- It routes a request to a custom domain's mapping by its Host header.
- A binary media type added with UpdateRestApi is kept as written in the patch path
  (`image~1png`), where AWS reads `image/png`.
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
  changes, as on AWS.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

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

# -- helpers shared by the REST API resources ---------------------------------------------------


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


def _patch_ops(mapping: dict[str, str], old: Inputs, new: Inputs) -> list[dict[str, str]]:
    """Replace operations for each changed top-level input, mapped to its patch path."""
    return [
        replace_op(path, new.get(prop) if new.get(prop) is not None else "")
        for prop, path in mapping.items()
        if old.get(prop) != new.get(prop)
    ]


def _retag(client: Client, arn: str, old: dict | None, new: dict | None) -> None:
    retag(
        old,
        new,
        untag=lambda keys: client.untag_resource(resourceArn=arn, tagKeys=keys),
        tag=lambda tags: client.tag_resource(resourceArn=arn, tags=tags),
    )


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


def _unsupported(error: ClientError) -> bool:
    """The emulator's answer to an API Gateway call it does not implement."""
    message = error.response.get("Error", {}).get("Message", "")
    return message.startswith("Unknown API Gateway v1 path")


# -- APIs, resources, methods, integrations -----------------------------------------------------


@provides
class RestApi(Provider):
    type_token = "aws:apigateway/restApi:RestApi"
    service = "apigateway"
    updatable = frozenset({"name", "description", "tags", "apiKeySource", "binaryMediaTypes"})
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        api = self.client(ctx, i).create_rest_api(
            **drop_none(
                name=i["name"],
                description=i.get("description"),
                apiKeySource=i.get("apiKeySource"),
                binaryMediaTypes=i.get("binaryMediaTypes"),
                endpointConfiguration=_endpoint_configuration(i),
                tags=i.get("tags"),
            )
        )
        return Created(api["id"], self._outputs(ctx, api["id"], api["rootResourceId"], i))

    @staticmethod
    def _outputs(ctx: Context, api_id: str, root_id: str, inputs: Inputs) -> Outputs:
        return {
            "name": inputs["name"],
            "rootResourceId": root_id,
            "executionArn": execution_arn(ctx, api_id, ctx.region_of(inputs)),
            "arn": _arn(ctx, inputs, f"/restapis/{api_id}"),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        ops = _patch_ops(
            {"name": "/name", "description": "/description", "apiKeySource": "/apiKeySource"},
            old,
            new,
        )
        ops += _binary_media_type_ops(old.get("binaryMediaTypes"), new.get("binaryMediaTypes"))
        if ops:
            client.update_rest_api(restApiId=have.id, patchOperations=ops)
        arn = _arn(ctx, new, f"/restapis/{have.id}")
        _retag(client, arn, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, have.id, have.outputs["rootResourceId"], new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_rest_api(restApiId=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_rest_api(restApiId=have.id)


def _binary_media_type_ops(old: list | None, new: list | None) -> list[dict[str, str]]:
    """Add and remove operations; a media type is a path segment, its '/' written '~1'."""
    before, after = set(old or []), set(new or [])
    changes = [("remove", t) for t in sorted(before - after)]
    changes += [("add", t) for t in sorted(after - before)]
    return [{"op": op, "path": "/binaryMediaTypes/" + t.replace("/", "~1")} for op, t in changes]


@provides
class Resource(Immutable):
    type_token = "aws:apigateway/resource:Resource"
    service = "apigateway"
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_resource(
            restApiId=have.inputs["restApi"], resourceId=have.id
        )


@provides
class Method(Provider):
    type_token = "aws:apigateway/method:Method"
    service = "apigateway"
    updatable = frozenset({"apiKeyRequired", "requestValidatorId", "authorization", "authorizerId"})
    identity = ("restApi", "resourceId", "httpMethod")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self.client(ctx, i).put_method(
            **_method_key(i),
            **drop_none(
                authorizationType=i.get("authorization", "NONE"),
                authorizerId=i.get("authorizerId"),
                apiKeyRequired=i.get("apiKeyRequired", False),
                requestValidatorId=i.get("requestValidatorId"),
                requestModels=i.get("requestModels"),
                requestParameters=i.get("requestParameters"),
                operationName=i.get("operationName"),
            ),
        )
        return Created(f"agm-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}")

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops(
            {
                "apiKeyRequired": "/apiKeyRequired",
                "requestValidatorId": "/requestValidatorId",
                "authorization": "/authorizationType",
                "authorizerId": "/authorizerId",
            },
            have.inputs,
            want.inputs,
        )
        self.client(ctx, want.inputs).update_method(**_method_key(want.inputs), patchOperations=ops)
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_method(**_method_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_method(**_method_key(have.inputs))


@provides
class Integration(Provider):
    type_token = "aws:apigateway/integration:Integration"
    service = "apigateway"
    # put_integration overwrites, so everything but the method it belongs to updates in place.
    updatable = frozenset(
        {
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
        }
    )
    identity = ("restApi", "resourceId", "httpMethod")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self._put(ctx, i)
        return Created(f"agi-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}")

    def _put(self, ctx: Context, i: Inputs) -> None:
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

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._put(ctx, want.inputs)
        return {}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_integration(**_method_key(have.inputs))

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_integration(**_method_key(have.inputs))


@provides
class Model(Provider):
    type_token = "aws:apigateway/model:Model"
    service = "apigateway"
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_model(
            restApiId=have.inputs["restApi"], modelName=have.inputs["name"]
        )


@provides
class RequestValidator(Provider):
    type_token = "aws:apigateway/requestValidator:RequestValidator"
    service = "apigateway"
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_request_validator(
            restApiId=have.inputs["restApi"], requestValidatorId=have.id
        )


# -- deployments and stages ---------------------------------------------------------------------


@provides
class Deployment(Provider):
    """A snapshot of the API; replaced, the new one is made before the old one goes (Pulumi's
    default), since stages point at it until they move to the new one."""

    type_token = "aws:apigateway/deployment:Deployment"
    service = "apigateway"
    updatable = frozenset({"description"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        deployment = self.client(ctx, i).create_deployment(
            **drop_none(
                restApiId=i["restApi"],
                description=i.get("description"),
                variables=i.get("variables"),
            )
        )
        arn = execution_arn(ctx, i["restApi"], ctx.region_of(i))
        return Created(deployment["id"], {"executionArn": arn + "/"})

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        ops = _patch_ops({"description": "/description"}, have.inputs, want.inputs)
        self.client(ctx, want.inputs).update_deployment(
            restApiId=want.inputs["restApi"], deploymentId=have.id, patchOperations=ops
        )
        return {"executionArn": have.outputs.get("executionArn")}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_deployment(
            restApiId=have.inputs["restApi"], deploymentId=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_deployment(
            restApiId=have.inputs["restApi"], deploymentId=have.id
        )


@provides
class Stage(Provider):
    type_token = "aws:apigateway/stage:Stage"
    service = "apigateway"
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
        if ops := _access_log_ops(None, i.get("accessLogSettings")):
            client.update_stage(
                restApiId=i["restApi"], stageName=i["stageName"], patchOperations=ops
            )
        return Created(f"ags-{i['restApi']}-{i['stageName']}", self._outputs(ctx, i))

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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_stage(
            restApiId=have.inputs["restApi"], stageName=have.inputs["stageName"]
        )


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
}


@provides
class MethodSettings(Provider):
    type_token = "aws:apigateway/methodSettings:MethodSettings"
    service = "apigateway"
    updatable = frozenset({"settings"})
    identity = ("restApi", "stageName", "methodPath")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self._apply(ctx, i)
        return Created(f"{i['restApi']}-{i['stageName']}-{i['methodPath']}")

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._apply(ctx, want.inputs)
        return {}

    def _apply(self, ctx: Context, i: Inputs) -> None:
        settings = i.get("settings") or {}
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        i = have.inputs
        stage = self.client(ctx, i).get_stage(restApiId=i["restApi"], stageName=i["stageName"])
        if i["methodPath"] not in stage.get("methodSettings", {}):
            raise not_found(f"method settings {i['methodPath']}")
        return stage


# -- API keys and usage plans -------------------------------------------------------------------


@provides
class ApiKey(Provider):
    type_token = "aws:apigateway/apiKey:ApiKey"
    service = "apigateway"
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
        return Created(key["id"], self._outputs(ctx, key["id"], key["value"], i))

    @staticmethod
    def _outputs(ctx: Context, key_id: str, value: str, inputs: Inputs) -> Outputs:
        return {
            "value": value,
            "name": inputs["name"],
            "arn": _arn(ctx, inputs, f"/apikeys/{key_id}"),
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
        outputs = self._outputs(ctx, have.id, have.outputs["value"], new)
        _retag(client, outputs["arn"], old.get("tags"), new.get("tags"))
        return outputs

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_api_key(apiKey=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_api_key(apiKey=have.id)


@provides
class UsagePlan(Provider):
    type_token = "aws:apigateway/usagePlan:UsagePlan"
    service = "apigateway"
    updatable = frozenset({"description", "throttleSettings", "quotaSettings", "name", "tags"})
    auto_name = AutoName("name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        plan = self.client(ctx, i).create_usage_plan(
            **drop_none(
                name=i["name"],
                description=i.get("description"),
                apiStages=[
                    drop_none(apiId=s["apiId"], stage=s["stage"]) for s in i.get("apiStages", [])
                ],
                throttle=_throttle(i.get("throttleSettings")),
                quota=_quota(i.get("quotaSettings")),
                tags=i.get("tags"),
            )
        )
        return Created(plan["id"], self._outputs(ctx, plan["id"], i))

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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_usage_plan(usagePlanId=have.id)


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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_usage_plan_key(
            usagePlanId=have.inputs["usagePlanId"], keyId=have.id
        )


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
    type_token = "aws:apigateway/domainName:DomainName"
    service = "apigateway"
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
        domain = self._create(self.client(ctx, i), i)
        return Created(i["domainName"], self._outputs(ctx, i, domain))

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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_domain_name(domainName=have.id)


@provides
class BasePathMapping(Provider):
    """A path of a custom domain mapped to an API stage; id `<domain>/<base path>`."""

    type_token = "aws:apigateway/basePathMapping:BasePathMapping"
    service = "apigateway"
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_base_path_mapping(
            domainName=have.inputs["domainName"], basePath=_path_key(have.inputs)
        )


def _path_key(inputs: Inputs) -> str:
    """How the API names a mapping: its base path, or "(none)" for the domain's root."""
    return inputs.get("basePath") or _NO_BASE_PATH
