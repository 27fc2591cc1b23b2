"""Deploy-time building blocks: the Pulumi components the stack programs compose.

    from shared.components import Function, FunctionArgs, RestApi, RestApiArgs, Route, ...

Each component is a `pulumi.ComponentResource` taking `(name, args, opts)`; its docstring lists
its default settings. Stack settings are declared with `shared.components.config`.
"""

from shared.components.api import HttpTarget, LambdaTarget, Quota, Route, Stage, Throttle
from shared.components.bucket import PrivateBucket, PrivateBucketArgs
from shared.components.domain import CustomDomain, CustomDomainArgs
from shared.components.function import Function, FunctionArgs
from shared.components.http_api import HttpApi, HttpApiArgs
from shared.components.model import ModelFunctionSettings
from shared.components.rest_api import RestApi, RestApiArgs
from shared.components.usage_plan import UsagePlan, UsagePlanArgs

__all__ = [
    "CustomDomain",
    "CustomDomainArgs",
    "Function",
    "FunctionArgs",
    "HttpApi",
    "HttpApiArgs",
    "HttpTarget",
    "LambdaTarget",
    "ModelFunctionSettings",
    "PrivateBucket",
    "PrivateBucketArgs",
    "Quota",
    "RestApi",
    "RestApiArgs",
    "Route",
    "Stage",
    "Throttle",
    "UsagePlan",
    "UsagePlanArgs",
]
