"""What every resource provider of the local engine implements, and the registry of them.

A provider turns one Pulumi resource type into calls on the emulator's AWS APIs. It declares which
inputs can change in place (`updatable`); a change to any other input replaces the resource,
as the AWS provider would. Inputs and outputs use Pulumi's camelCase property names, because
the program reads outputs by those names.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.local.engine.state import ResourceRecord

_NOT_FOUND = {
    "NotFoundException",
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NoSuchBucket",
    "NoSuchKey",
    "404",
}


def is_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _NOT_FOUND


def not_found(what: str) -> ClientError:
    """The error a `read` raises when a lookup by listing finds nothing."""
    return ClientError(
        {"Error": {"Code": "NotFoundException", "Message": f"{what} not found"}}, "Read"
    )


@dataclass
class Context:
    """How providers reach the emulator: clients made once per service and region, reused."""

    endpoint_url: str
    region: str
    account_id: str = "000000000000"
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client for `service` in `region` (the context's own region when None): resources
        with pulumi-aws 7's per-resource `region` input live in the region they name."""
        key = (service, region or self.region)
        if key not in self._clients:
            with _SESSION_LOCK:
                self._clients[key] = _session().client(
                    service,
                    region_name=key[1],
                    endpoint_url=self.endpoint_url,
                    config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60),
                )
        return self._clients[key]


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session() -> boto3.session.Session:
    """One session per process: it caches the parsed service models, which cost far more to
    load (a few hundred ms for API Gateway) than any emulator call."""
    return boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test")


@dataclass(frozen=True)
class Desired:
    """A resource as the program wants it: logical name, state key and inputs."""

    key: str
    name: str
    inputs: dict[str, Any]

    def physical_name(self, prop: str = "name") -> str:
        """The explicit name, else a stable auto-name like Pulumi's `<logical>-<suffix>`."""
        explicit = self.inputs.get(prop)
        if explicit:
            return explicit
        return f"{self.name}-{hashlib.sha256(self.key.encode()).hexdigest()[:7]}"


class Provider:
    type_token: ClassVar[str]
    updatable: ClassVar[frozenset[str]] = frozenset()
    # Deployments must exist before the old one goes, since stages point at them.
    create_before_delete: ClassVar[bool] = False

    def create(self, ctx: Context, want: Desired) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> dict[str, Any]:
        """Change `have` in place to match `want`; returns computed outputs."""
        raise NotImplementedError

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        raise NotImplementedError

    def read(self, ctx: Context, have: ResourceRecord) -> Any:
        """Fetch the live resource; a not-found ClientError means it vanished."""
        raise NotImplementedError

    def exists(self, ctx: Context, have: ResourceRecord) -> bool:
        try:
            self.read(ctx, have)
        except ClientError as error:
            if is_not_found(error):
                return False
            raise
        return True

    def delete_if_present(self, ctx: Context, have: ResourceRecord) -> None:
        try:
            self.delete(ctx, have)
        except ClientError as error:
            if not is_not_found(error):
                raise


REGISTRY: dict[str, Provider] = {}


def provides(cls: type[Provider]) -> type[Provider]:
    """Class decorator: register a provider under its Pulumi type token."""
    REGISTRY[cls.type_token] = cls()
    return cls


def drop_none(**kwargs: Any) -> dict[str, Any]:
    """boto3 rejects None for optional parameters; leave them out instead."""
    return {k: v for k, v in kwargs.items() if v is not None}


def as_int(value: Any) -> int | None:
    """Pulumi hands numbers over as floats; the AWS APIs want integers where they say so."""
    return None if value is None else int(value)


def replace_op(path: str, value: Any) -> dict[str, str]:
    """A patch operation; API Gateway wants every value as a string, integers without '.0'."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return {"op": "replace", "path": path, "value": text}
