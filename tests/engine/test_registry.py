"""The provider registry, without an emulator: every provider module is found without a list,
named after the pulumi-aws module of the types it provides, and every provider implements the
typed contract."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import pytest

from shared.local import engine
from shared.local.engine import providers
from shared.local.engine.providers import MODULES, REGISTRY, Created, Immutable, Provider

CONTRACT = ("create", "read", "update", "delete")
STACK_NAMES = ("proxy", "versions", "orchestration", "global", "workflows")


def test_every_module_of_the_package_is_imported():
    found = {m.name for m in pkgutil.iter_modules(providers.__path__)} - {"base"}
    assert set(MODULES) == found
    registered = {type(p).__module__.rsplit(".", 1)[-1] for p in REGISTRY.values()}
    assert registered == found  # and each registers something


@pytest.mark.parametrize("token", sorted(REGISTRY))
def test_module_is_the_pulumi_aws_module_of_its_types(token):
    provider = REGISTRY[token]
    module_name = type(provider).__module__.rsplit(".", 1)[-1]
    aws_module, resource = token.split(":")[1].split("/")[0], token.split(":")[2]
    # pulumi-aws names a module that is a Python keyword with a trailing underscore (lambda_).
    assert module_name.rstrip("_") == aws_module
    resource_class = getattr(importlib.import_module(f"pulumi_aws.{module_name}"), resource)
    assert resource_class.pulumi_type == token  # the token names a real pulumi-aws resource


@pytest.mark.parametrize("token", sorted(REGISTRY))
def test_provider_implements_the_typed_contract(token):
    cls = type(REGISTRY[token])
    assert issubclass(cls, Provider) and not inspect.isabstract(cls)
    assert isinstance(cls.service, str) and cls.service
    for method in CONTRACT:
        hints = typing.get_type_hints(getattr(cls, method))
        assert "return" in hints, f"{cls.__name__}.{method} has no return annotation"
        params = [p for p in inspect.signature(getattr(cls, method)).parameters if p != "self"]
        assert all(p in hints for p in params), f"{cls.__name__}.{method} is not annotated"
    assert typing.get_type_hints(cls.create)["return"] is Created
    if issubclass(cls, Immutable):
        assert not cls.updatable
    else:
        assert cls.updatable, f"{cls.__name__}: no updatable input; derive from Immutable"
    for prop in cls.identity:
        assert prop not in cls.updatable, f"{cls.__name__}: identity input {prop} is updatable"


def test_no_provider_knows_a_stack():
    for module in {type(p).__module__ for p in REGISTRY.values()}:
        source = inspect.getsource(importlib.import_module(module))
        for stack in STACK_NAMES:
            assert f"stacks/{stack}" not in source and f'"{stack}"' not in source, (module, stack)


def test_the_engine_imports_neither_the_ops_layer_nor_the_components():
    for module in pkgutil.walk_packages(engine.__path__, f"{engine.__name__}."):
        source = inspect.getsource(importlib.import_module(module.name))
        assert "shared.ops" not in source and "shared.components" not in source, module.name
