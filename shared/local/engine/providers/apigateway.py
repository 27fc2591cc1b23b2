"""REST API (API Gateway v1) resources on the emulator."""

from __future__ import annotations

from typing import Any

from shared.local.engine.providers.base import (
    Context,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
    replace_op,
)


def _rest_api_id(inputs: dict[str, Any]) -> str:
    return inputs["restApi"]


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    """API Gateway in the resource's region: pulumi-aws 7's per-resource `region` input."""
    return ctx.client("apigateway", inputs.get("region"))


def _region(ctx: Context, inputs: dict[str, Any]) -> str:
    return inputs.get("region") or ctx.region


def _method_key(inputs: dict[str, Any]) -> dict[str, str]:
    """What names a method (and its integration): the API, the resource and the HTTP verb."""
    return {
        "restApiId": inputs["restApi"],
        "resourceId": inputs["resourceId"],
        "httpMethod": inputs["httpMethod"],
    }


def execution_arn(ctx: Context, api_id: str, region: str | None = None) -> str:
    return f"arn:aws:execute-api:{region or ctx.region}:{ctx.account_id}:{api_id}"


def rest_invoke_url(ctx: Context, api_id: str, stage: str) -> str:
    """The emulator's address for a stage; on AWS it is https://{api}.execute-api.{region}..."""
    return f"{ctx.endpoint_url}/restapis/{api_id}/{stage}/_user_request_"


def _patch_ops(mapping: dict[str, str], old: dict[str, Any], new: dict[str, Any]) -> list[dict]:
    """Replace operations for each changed top-level input, mapped to its patch path."""
    return [
        replace_op(path, new.get(prop) if new.get(prop) is not None else "")
        for prop, path in mapping.items()
        if old.get(prop) != new.get(prop)
    ]


@provides
class RestApi(Provider):
    type_token = "aws:apigateway/restApi:RestApi"
    updatable = frozenset({"description", "tags", "apiKeySource", "binaryMediaTypes"})

    def create(self, ctx, want):
        i = want.inputs
        api = _client(ctx, want.inputs).create_rest_api(
            **drop_none(
                name=want.physical_name(),
                description=i.get("description"),
                apiKeySource=i.get("apiKeySource"),
                binaryMediaTypes=i.get("binaryMediaTypes"),
                endpointConfiguration=_endpoint_config(i),
                tags=i.get("tags"),
            )
        )
        return api["id"], self._outputs(ctx, api["id"], api["rootResourceId"], want)

    def _outputs(self, ctx, api_id, root_id, want):
        return {
            "name": want.physical_name(),
            "rootResourceId": root_id,
            "executionArn": execution_arn(ctx, api_id, want.inputs.get("region")),
            "arn": self.arn(ctx, api_id, want.inputs),
        }

    def update(self, ctx, have, want):
        client = _client(ctx, want.inputs)
        ops = _patch_ops(
            {"description": "/description", "apiKeySource": "/apiKeySource"},
            have.inputs,
            want.inputs,
        )
        if ops:
            client.update_rest_api(restApiId=have.id, patchOperations=ops)
        _retag(
            ctx,
            self.arn(ctx, have.id, want.inputs),
            have.inputs.get("tags"),
            want.inputs.get("tags"),
            want.inputs.get("region"),
        )
        return self._outputs(ctx, have.id, have.outputs["rootResourceId"], want)

    def arn(self, ctx, api_id, inputs):
        return f"arn:aws:apigateway:{_region(ctx, inputs)}::/restapis/{api_id}"

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_rest_api(restApiId=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_rest_api(restApiId=have.id)


def _endpoint_config(inputs: dict[str, Any]) -> dict[str, Any] | None:
    config = inputs.get("endpointConfiguration")
    if not config:
        return None
    # pulumi-aws 7 takes one endpoint type as a string; the API takes a list.
    types = config.get("types")
    return {"types": [types] if isinstance(types, str) else types}


def _retag(
    ctx: Context, arn: str, old: dict | None, new: dict | None, region: str | None = None
) -> None:
    old, new = old or {}, new or {}
    client = ctx.client("apigateway", region)
    if removed := [k for k in old if k not in new]:
        client.untag_resource(resourceArn=arn, tagKeys=removed)
    if new and new != old:
        client.tag_resource(resourceArn=arn, tags=new)


@provides
class Resource(Provider):
    type_token = "aws:apigateway/resource:Resource"

    def create(self, ctx, want):
        i = want.inputs
        res = _client(ctx, want.inputs).create_resource(
            restApiId=_rest_api_id(i), parentId=i["parentId"], pathPart=i["pathPart"]
        )
        return res["id"], {"path": res["path"]}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_resource(
            restApiId=_rest_api_id(have.inputs), resourceId=have.id
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_resource(
            restApiId=_rest_api_id(have.inputs), resourceId=have.id
        )


@provides
class Method(Provider):
    type_token = "aws:apigateway/method:Method"
    updatable = frozenset({"apiKeyRequired", "requestValidatorId", "authorization", "authorizerId"})

    def create(self, ctx, want):
        i = want.inputs
        _client(ctx, want.inputs).put_method(
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
        return f"agm-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}", {}

    def update(self, ctx, have, want):
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
        _client(ctx, want.inputs).update_method(**_method_key(want.inputs), patchOperations=ops)
        return {}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_method(**_method_key(have.inputs))

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_method(**_method_key(have.inputs))


@provides
class Integration(Provider):
    type_token = "aws:apigateway/integration:Integration"
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

    def create(self, ctx, want):
        i = want.inputs
        _client(ctx, want.inputs).put_integration(
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
        return f"agi-{i['restApi']}-{i['resourceId']}-{i['httpMethod']}", {}

    def update(self, ctx, have, want):
        return self.create(ctx, want)[1]

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_integration(**_method_key(have.inputs))

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_integration(**_method_key(have.inputs))


@provides
class Model(Provider):
    type_token = "aws:apigateway/model:Model"
    updatable = frozenset({"schema", "description"})

    def create(self, ctx, want):
        i = want.inputs
        model = _client(ctx, want.inputs).create_model(
            **drop_none(
                restApiId=_rest_api_id(i),
                name=i["name"],
                contentType=i["contentType"],
                schema=i.get("schema"),
                description=i.get("description"),
            )
        )
        return model["id"], {}

    def update(self, ctx, have, want):
        ops = _patch_ops(
            {"schema": "/schema", "description": "/description"}, have.inputs, want.inputs
        )
        _client(ctx, want.inputs).update_model(
            restApiId=_rest_api_id(want.inputs), modelName=want.inputs["name"], patchOperations=ops
        )
        return {}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_model(
            restApiId=_rest_api_id(have.inputs), modelName=have.inputs["name"]
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_model(
            restApiId=_rest_api_id(have.inputs), modelName=have.inputs["name"]
        )


@provides
class RequestValidator(Provider):
    type_token = "aws:apigateway/requestValidator:RequestValidator"
    updatable = frozenset({"name", "validateRequestBody", "validateRequestParameters"})

    def create(self, ctx, want):
        i = want.inputs
        validator = _client(ctx, want.inputs).create_request_validator(
            restApiId=_rest_api_id(i),
            name=want.physical_name(),
            validateRequestBody=bool(i.get("validateRequestBody", False)),
            validateRequestParameters=bool(i.get("validateRequestParameters", False)),
        )
        return validator["id"], {}

    def update(self, ctx, have, want):
        ops = _patch_ops(
            {
                "name": "/name",
                "validateRequestBody": "/validateRequestBody",
                "validateRequestParameters": "/validateRequestParameters",
            },
            have.inputs,
            want.inputs,
        )
        _client(ctx, want.inputs).update_request_validator(
            restApiId=_rest_api_id(want.inputs), requestValidatorId=have.id, patchOperations=ops
        )
        return {}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_request_validator(
            restApiId=_rest_api_id(have.inputs), requestValidatorId=have.id
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_request_validator(
            restApiId=_rest_api_id(have.inputs), requestValidatorId=have.id
        )


@provides
class Deployment(Provider):
    type_token = "aws:apigateway/deployment:Deployment"
    updatable = frozenset({"description"})
    create_before_delete = True

    def create(self, ctx, want):
        i = want.inputs
        deployment = _client(ctx, want.inputs).create_deployment(
            **drop_none(
                restApiId=_rest_api_id(i),
                description=i.get("description"),
                variables=i.get("variables"),
            )
        )
        arn = execution_arn(ctx, i["restApi"], i.get("region"))
        return deployment["id"], {"executionArn": arn + "/"}

    def update(self, ctx, have, want):
        ops = _patch_ops({"description": "/description"}, have.inputs, want.inputs)
        _client(ctx, want.inputs).update_deployment(
            restApiId=_rest_api_id(want.inputs), deploymentId=have.id, patchOperations=ops
        )
        return {"executionArn": have.outputs.get("executionArn")}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_deployment(
            restApiId=_rest_api_id(have.inputs), deploymentId=have.id
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_deployment(
            restApiId=_rest_api_id(have.inputs), deploymentId=have.id
        )


@provides
class Stage(Provider):
    type_token = "aws:apigateway/stage:Stage"
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

    def create(self, ctx, want):
        i = want.inputs
        client = _client(ctx, want.inputs)
        client.create_stage(
            **drop_none(
                restApiId=_rest_api_id(i),
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
        return f"ags-{i['restApi']}-{i['stageName']}", self._outputs(ctx, i)

    def _outputs(self, ctx, i):
        api, stage = i["restApi"], i["stageName"]
        return {
            "invokeUrl": rest_invoke_url(ctx, api, stage),
            "executionArn": f"{execution_arn(ctx, api, i.get('region'))}/{stage}",
            "arn": f"arn:aws:apigateway:{_region(ctx, i)}::/restapis/{api}/stages/{stage}",
        }

    def update(self, ctx, have, want):
        old, new = have.inputs, want.inputs
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
            _client(ctx, want.inputs).update_stage(
                restApiId=new["restApi"], stageName=new["stageName"], patchOperations=ops
            )
        _retag(
            ctx, self._outputs(ctx, new)["arn"], old.get("tags"), new.get("tags"), new.get("region")
        )
        return self._outputs(ctx, new)

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_stage(
            restApiId=_rest_api_id(have.inputs), stageName=have.inputs["stageName"]
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_stage(
            restApiId=_rest_api_id(have.inputs), stageName=have.inputs["stageName"]
        )


def _variable_ops(old: dict | None, new: dict | None) -> list[dict]:
    old, new = old or {}, new or {}
    ops = [{"op": "remove", "path": f"/variables/{k}"} for k in old if k not in new]
    ops += [replace_op(f"/variables/{k}", v) for k, v in new.items() if old.get(k) != v]
    return ops


def _access_log_ops(old: dict | None, new: dict | None) -> list[dict]:
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
    updatable = frozenset({"settings"})

    def create(self, ctx, want):
        self._apply(ctx, want.inputs)
        i = want.inputs
        return f"{i['restApi']}-{i['stageName']}-{i['methodPath']}", {}

    def update(self, ctx, have, want):
        self._apply(ctx, want.inputs)
        return {}

    def _apply(self, ctx, i):
        settings = i.get("settings") or {}
        ops = [
            replace_op(f"/{i['methodPath']}/{path}", settings[prop])
            for prop, path in _METHOD_SETTING_PATHS.items()
            if settings.get(prop) is not None
        ]
        _client(ctx, i).update_stage(
            restApiId=i["restApi"], stageName=i["stageName"], patchOperations=ops
        )

    def delete(self, ctx, have):
        i = have.inputs
        _client(ctx, have.inputs).update_stage(
            restApiId=i["restApi"],
            stageName=i["stageName"],
            patchOperations=[{"op": "remove", "path": f"/{i['methodPath']}"}],
        )

    def read(self, ctx, have):
        i = have.inputs
        stage = _client(ctx, i).get_stage(restApiId=i["restApi"], stageName=i["stageName"])
        if i["methodPath"] not in stage.get("methodSettings", {}):
            raise not_found(f"method settings {i['methodPath']}")
        return stage


@provides
class ApiKey(Provider):
    type_token = "aws:apigateway/apiKey:ApiKey"
    updatable = frozenset({"description", "enabled", "name", "tags", "customerId"})

    def create(self, ctx, want):
        i = want.inputs
        key = _client(ctx, want.inputs).create_api_key(
            **drop_none(
                name=want.physical_name(),
                description=i.get("description"),
                enabled=i.get("enabled", True),
                value=i.get("value"),
                customerId=i.get("customerId"),
                tags=i.get("tags"),
            )
        )
        return key["id"], self._outputs(ctx, key["id"], key["value"], want)

    def _outputs(self, ctx, key_id, value, want):
        return {
            "value": value,
            "name": want.physical_name(),
            "arn": f"arn:aws:apigateway:{ctx.region}::/apikeys/{key_id}",
        }

    def update(self, ctx, have, want):
        ops = _patch_ops(
            {"description": "/description", "enabled": "/enabled", "customerId": "/customerId"},
            have.inputs,
            want.inputs,
        )
        if have.outputs.get("name") != want.physical_name():
            ops.append(replace_op("/name", want.physical_name()))
        if ops:
            _client(ctx, want.inputs).update_api_key(apiKey=have.id, patchOperations=ops)
        _retag(ctx, have.outputs["arn"], have.inputs.get("tags"), want.inputs.get("tags"))
        return self._outputs(ctx, have.id, have.outputs["value"], want)

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_api_key(apiKey=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_api_key(apiKey=have.id)


@provides
class UsagePlan(Provider):
    type_token = "aws:apigateway/usagePlan:UsagePlan"
    updatable = frozenset({"description", "throttleSettings", "quotaSettings", "name", "tags"})

    def create(self, ctx, want):
        i = want.inputs
        plan = _client(ctx, want.inputs).create_usage_plan(
            **drop_none(
                name=want.physical_name(),
                description=i.get("description"),
                apiStages=[
                    drop_none(apiId=s["apiId"], stage=s["stage"]) for s in i.get("apiStages", [])
                ],
                throttle=_throttle(i.get("throttleSettings")),
                quota=_quota(i.get("quotaSettings")),
                tags=i.get("tags"),
            )
        )
        return plan["id"], self._outputs(ctx, plan["id"], want)

    def _outputs(self, ctx, plan_id, want):
        return {
            "name": want.physical_name(),
            "arn": f"arn:aws:apigateway:{ctx.region}::/usageplans/{plan_id}",
        }

    def update(self, ctx, have, want):
        old, new = have.inputs, want.inputs
        ops = _patch_ops({"description": "/description"}, old, new)
        if have.outputs.get("name") != want.physical_name():
            ops.append(replace_op("/name", want.physical_name()))
        throttle, quota = _throttle(new.get("throttleSettings")), _quota(new.get("quotaSettings"))
        if old.get("throttleSettings") != new.get("throttleSettings") and throttle:
            ops += [replace_op(f"/throttle/{k}", v) for k, v in throttle.items()]
        if old.get("quotaSettings") != new.get("quotaSettings") and quota:
            ops += [replace_op(f"/quota/{k}", v) for k, v in quota.items()]
        if ops:
            _client(ctx, want.inputs).update_usage_plan(usagePlanId=have.id, patchOperations=ops)
        _retag(ctx, have.outputs["arn"], old.get("tags"), new.get("tags"))
        return self._outputs(ctx, have.id, want)

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_usage_plan(usagePlanId=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_usage_plan(usagePlanId=have.id)


def _throttle(settings: dict | None) -> dict | None:
    if not settings:
        return None
    return drop_none(
        burstLimit=as_int(settings.get("burstLimit")), rateLimit=settings.get("rateLimit")
    )


def _quota(settings: dict | None) -> dict | None:
    if not settings:
        return None
    return drop_none(
        limit=as_int(settings.get("limit")),
        offset=as_int(settings.get("offset")),
        period=settings.get("period"),
    )


@provides
class UsagePlanKey(Provider):
    type_token = "aws:apigateway/usagePlanKey:UsagePlanKey"

    def create(self, ctx, want):
        i = want.inputs
        key = _client(ctx, want.inputs).create_usage_plan_key(
            usagePlanId=i["usagePlanId"], keyId=i["keyId"], keyType=i["keyType"]
        )
        return key["id"], {"name": key.get("name"), "value": key.get("value")}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_usage_plan_key(
            usagePlanId=have.inputs["usagePlanId"], keyId=have.id
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_usage_plan_key(
            usagePlanId=have.inputs["usagePlanId"], keyId=have.id
        )
