"""Deploy-time building blocks: the Pulumi components the stack programs compose.

    from shared.components import Function, FunctionArgs, RestApi, RestApiArgs, Route, ...

Each component is a `pulumi.ComponentResource` taking `(name, args, opts)`; its docstring lists
its default settings. Stack settings are declared with `shared.components.config`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.components.access import Access
    from shared.components.api import (
        HttpTarget,
        LambdaTarget,
        ModelTarget,
        Quota,
        Route,
        Stage,
        Throttle,
    )
    from shared.components.bucket import PrivateBucket, PrivateBucketArgs
    from shared.components.domain import CustomDomain, CustomDomainArgs
    from shared.components.function import Function, FunctionArgs
    from shared.components.http_api import HttpApi, HttpApiArgs
    from shared.components.identity import ClientCredentialsIssuer, ClientCredentialsIssuerArgs
    from shared.components.model import ModelBackend, ModelFunctionSettings
    from shared.components.rest_api import RestApi, RestApiArgs
    from shared.components.usage_plan import UsagePlans, UsagePlansArgs

# Each name from the module that defines it, imported when first used (PEP 562): a program
# loads the components it composes and the pulumi-aws modules they need, not every one
# (the bucket's, the domain's, ... cost a command that never uses them ~60 ms).
_HOMES = {
    "access": ("Access",),
    "api": ("HttpTarget", "LambdaTarget", "ModelTarget", "Quota", "Route", "Stage", "Throttle"),
    "bucket": ("PrivateBucket", "PrivateBucketArgs"),
    "domain": ("CustomDomain", "CustomDomainArgs"),
    "function": ("Function", "FunctionArgs"),
    "http_api": ("HttpApi", "HttpApiArgs"),
    "identity": ("ClientCredentialsIssuer", "ClientCredentialsIssuerArgs"),
    "model": ("ModelBackend", "ModelFunctionSettings"),
    "rest_api": ("RestApi", "RestApiArgs"),
    "usage_plan": ("UsagePlans", "UsagePlansArgs"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


__all__ = [
    "Access",
    "ClientCredentialsIssuer",
    "ClientCredentialsIssuerArgs",
    "CustomDomain",
    "CustomDomainArgs",
    "Function",
    "FunctionArgs",
    "HttpApi",
    "HttpApiArgs",
    "HttpTarget",
    "LambdaTarget",
    "ModelBackend",
    "ModelFunctionSettings",
    "ModelTarget",
    "PrivateBucket",
    "PrivateBucketArgs",
    "Quota",
    "RestApi",
    "RestApiArgs",
    "Route",
    "Stage",
    "Throttle",
    "UsagePlans",
    "UsagePlansArgs",
]
