"""Resource providers of the local engine, one module per AWS service, registered by type token."""

from shared.engine.providers import apigateway, apigatewayv2, logs  # noqa: F401  (registers the providers)
from shared.engine.providers.base import REGISTRY, Context, Desired, Provider

__all__ = ["REGISTRY", "Context", "Desired", "Provider"]
