"""Resource providers of the local engine, one module per pulumi-aws module (`aws:<module>/...`;
`lambda_` for `aws:lambda`, as pulumi-aws names it in Python), registered by type token.

Every module of this package is imported here, so a new module registers its providers with
`@provides` alone; no list to keep.
"""

import importlib
import pkgutil

from shared.local.engine.providers.base import (
    REGISTRY,
    Context,
    Created,
    Desired,
    Immutable,
    Provider,
)


def _import_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name != "base"]
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names


MODULES = _import_modules()

__all__ = ["MODULES", "REGISTRY", "Context", "Created", "Desired", "Immutable", "Provider"]
