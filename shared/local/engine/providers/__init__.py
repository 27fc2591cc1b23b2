"""Resource providers of the local engine, one module per AWS service, registered by type token."""

from shared.local.engine.providers import (  # noqa: F401  (importing registers the providers)
    acm,
    apigateway,
    apigatewayv2,
    awslambda,
    domains,
    iam,
    logs,
    route53,
    s3,
)
from shared.local.engine.providers.base import REGISTRY, Context, Desired, Provider

__all__ = ["REGISTRY", "Context", "Desired", "Provider"]
