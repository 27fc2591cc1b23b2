"""The contract every resource provider of the local engine implements, the helpers they share,
and the registry of them.

A provider turns one Pulumi resource type into calls on the emulator's AWS APIs:
- `create(ctx, want) -> Created(id, outputs)`, `read(ctx, have) -> live inputs`,
  `update(ctx, have, want) -> outputs` and `delete(ctx, have)`, all four abstract; a resource
  AWS cannot change in place derives from `Immutable`, whose `update` is never called.
- `inputs`: every input it applies. A program that sets any other input is refused at plan
  time, naming the resource and the property: an input the engine would drop would leave a
  resource that says "created" and behaves otherwise (an API answering 403).
- `outputs`: the outputs it computes beyond its inputs (which are echoed back as outputs). A
  program reading any other output of the type is refused the same way.
- `read` returns the live value of every applied input it can read back, in the form the
  state records (Pulumi's camelCase, plain JSON), so the engine shows drift and repairs it.
- `find(ctx, want)`: the id of a live resource a create of `want` made, by its physical name
  or identity. A run killed between a create and its record leaves such a resource; the next
  run finds it and removes it before creating again, so nothing is duplicated or orphaned.
- `settle(ctx, created)`: waits, once at the end of a run, until what this provider created is
  usable (a Lambda function Active), so new resources are waited for together, not in turn.
- `updatable`: the inputs that change in place; a change to any other input replaces the
  resource, as the AWS provider would.
- `auto_name`: which input names the resource when the program sets none (see naming.py; the
  engine fills it in before `create`).
- `identity`: for a resource whose AWS identity is made of its inputs (a method is its API,
  resource and verb), those inputs; see the engine's replace order.
Inputs and outputs use Pulumi's camelCase property names, because the program reads outputs by
those names. A module per pulumi-aws module (`aws:<module>/...`) holds the providers of its
types; every module of this package is imported, and `@provides` registers its providers.

What providers share beyond the contract lives next to this package, one module a job:
`live.py` (how `read` shapes live values like the record), `tagging.py` (each service's tag
calls), `secret_values.py` (secret inputs sent plain, read back wrapped) and `openapi.py` (the
import of an OpenAPI body into a REST or HTTP API).
"""

from __future__ import annotations

import abc
import functools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TypeVar

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    import botocore.session

from shared.local.engine.naming import AutoName
from shared.local.engine.state import ResourceRecord

Inputs = dict[str, Any]
Outputs = dict[str, Any]
# A botocore client: botocore makes their classes at run time, so there is no static type.
Client = Any

# -- not found ----------------------------------------------------------------------------------

# The error codes that mean "there is no such resource", in every service the providers use.
_NOT_FOUND = {
    "NotFoundException",  # API Gateway (v1 and v2)
    "ResourceNotFoundException",  # Lambda, CloudWatch Logs, ACM
    "NoSuchEntity",  # IAM
    "NoSuchHostedZone",  # Route 53
    "NoSuchBucket",  # S3, and its configurations when they are not there:
    "NoSuchKey",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "404",
}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_not_found(error: ClientError) -> bool:
    return error_code(error) in _NOT_FOUND


def not_found(what: str) -> ClientError:
    """The error a `read` raises when a lookup by listing finds nothing."""
    return ClientError(
        {"Error": {"Code": "NotFoundException", "Message": f"{what} not found"}}, "Read"
    )


# -- how providers reach the emulator -----------------------------------------------------------


@dataclass
class Context:
    """The emulator's address and the default region; a client per service, region and emulator,
    made once in the process and reused."""

    endpoint_url: str
    region: str
    account_id: str = "000000000000"
    # Where the SageMaker runtime is answered locally (the model server); None: its default
    # address. What the engine's bridge for REST `AWS` integrations calls (service_bridge.py).
    model_url: str | None = None

    def client(self, service: str, region: str | None = None) -> Client:
        """A client for `service` in `region` (the context's own region when None)."""
        key = (service, region or self.region, self.endpoint_url)
        if key not in _CLIENTS:
            with _SESSION_LOCK:
                if key not in _CLIENTS:  # another thread may have made it meanwhile
                    from botocore.config import Config

                    _CLIENTS[key] = _session().create_client(
                        service,
                        region_name=key[1],
                        endpoint_url=self.endpoint_url,
                        aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(
                            retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60
                        ),
                    )
        return _CLIENTS[key]

    def region_of(self, inputs: Inputs) -> str:
        """The region a resource lives in: pulumi-aws 7's per-resource `region` input, else the
        provider's (here the context's) region."""
        return inputs.get("region") or self.region


_SESSION_LOCK = threading.Lock()
# Clients by (service, region, emulator URL), for the whole process: making one costs 5-40 ms
# of botocore building its methods (more the first time, loading the model), more than the calls
# most resources make with it, and every engine of a process (a multi-stack deploy, a bench
# run, a test session) asks for the same few. botocore clients are safe to share between threads.
_CLIENTS: dict[tuple[str, str, str], Client] = {}


@functools.cache
def _session() -> botocore.session.Session:
    """One botocore session per process: it caches the parsed service models, which cost far
    more to load (a few hundred ms for API Gateway) than any emulator call. botocore's own:
    boto3 adds resources and S3 transfers the engine does not use, and ~75 ms of imports to
    every command. Imported here, not by the module: what runs a program without applying it
    (a policy check, `invoke graph`) makes no call, and botocore's session and client modules
    are a tenth of a second to import."""
    import botocore.session

    return botocore.session.get_session()


# -- the contract -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desired:
    """A resource as the program wants it: state key, logical name and inputs (its auto-name
    already filled in)."""

    key: str
    name: str
    inputs: Inputs


@dataclass(frozen=True)
class Created:
    """What `create` made: the physical id and the computed outputs."""

    id: str
    outputs: Outputs = field(default_factory=dict)


class Provider(abc.ABC):
    type_token: ClassVar[str]
    # The AWS service its calls go to (botocore's name: 'apigateway', 'lambda', ...).
    service: ClassVar[str]
    # Every input the provider applies (see the module doc). None only while a provider is
    # being written; tests/engine/test_registry.py requires every registered one to declare.
    inputs: ClassVar[frozenset[str] | None] = None
    # The outputs `create` and `update` compute beyond the inputs.
    outputs: ClassVar[frozenset[str]] = frozenset()
    updatable: ClassVar[frozenset[str]] = frozenset()
    auto_name: ClassVar[AutoName | None] = None
    # Resources of other types this one needs on AWS though a program may declare no dependency
    # on them: {type token: the inputs both carry with equal values}. An Integration needs the
    # Method of its API, resource and verb; the engine applies it after any such resource of
    # the run, as AWS's order demands, whatever order the program declared them in.
    after: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Error codes of this provider's service that also mean "no such resource".
    not_found_codes: ClassVar[frozenset[str]] = frozenset()
    # The inputs that name the resource within AWS when AWS does not make its id. A replacement
    # that keeps every one of them cannot make the new resource next to the old one (AWS
    # answers with a conflict, or a put call overwrites the old one and deleting the old copy
    # then deletes the new), so the engine deletes the old one first.
    identity: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def create(self, ctx: Context, want: Desired) -> Created:
        """Make the resource; if a later call of the same create fails, undo the earlier ones
        (nothing unrecorded must be left behind to block the next attempt)."""

    @abc.abstractmethod
    def read(self, ctx: Context, have: ResourceRecord) -> Inputs | object:
        """Fetch the live resource; a not-found ClientError means it vanished. Returns the
        live value of every applied input it can read back, keyed and shaped as the record's
        inputs (an input left out is not compared); what the engine compares to find drift."""

    @abc.abstractmethod
    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        """Change `have` in place to match `want` (only `updatable` inputs differ); returns the
        computed outputs."""

    @abc.abstractmethod
    def delete(self, ctx: Context, have: ResourceRecord) -> None: ...

    def refusals(self, inputs: Inputs) -> list[str]:
        """The inputs whose values (not names: see `inputs`) this provider would not apply as
        declared, each with why, e.g. a mapping template beyond what the engine renders. The
        engine refuses them at plan time, with the unapplied inputs. Values still unknown are
        not checked."""
        return []

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The id of the live resource a `create(ctx, want)` made, or None. `want` carries the
        physical name the create was given (its auto-name filled in)."""
        return None

    def settle(self, ctx: Context, created: list[ResourceRecord]) -> None:
        """Wait until the resources this provider created in the run are usable; most are as
        soon as `create` returns."""
        return None

    def is_not_found(self, error: ClientError) -> bool:
        return is_not_found(error) or error_code(error) in self.not_found_codes

    def client(self, ctx: Context, inputs: Inputs) -> Client:
        """The client for this provider's service in the resource's region."""
        return ctx.client(self.service, inputs.get("region"))

    def lookup(self, call: Callable[..., Any], **kwargs: Any) -> Any:
        """`call(**kwargs)`'s answer, or None where it answers that there is no such resource:
        how `find` asks whether what a create would have made is there."""
        try:
            return call(**kwargs)
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise

    def exists(self, ctx: Context, have: ResourceRecord) -> bool:
        try:
            self.read(ctx, have)
        except ClientError as error:
            if self.is_not_found(error):
                return False
            raise
        return True

    def delete_if_present(self, ctx: Context, have: ResourceRecord) -> None:
        try:
            self.delete(ctx, have)
        except ClientError as error:
            if not self.is_not_found(error):
                raise


class Immutable(Provider):
    """A resource with no updatable input: every change replaces it, so `update` is never
    called."""

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> NoReturn:
        raise AssertionError(f"{self.type_token} has no updatable inputs; it is replaced")


REGISTRY: dict[str, Provider] = {}

P = TypeVar("P", bound=type[Provider])


def provides(cls: P) -> P:
    """Class decorator: register a provider under its Pulumi type token."""
    if cls.type_token in REGISTRY:
        raise TypeError(f"two providers for {cls.type_token}")
    if cls.updatable and issubclass(cls, Immutable):
        raise TypeError(f"{cls.__name__} is Immutable but lists updatable inputs")
    REGISTRY[cls.type_token] = cls()
    return cls


# -- helpers ------------------------------------------------------------------------------------


def drop_none(**kwargs: Any) -> dict[str, Any]:
    """boto3 rejects None for optional parameters; leave them out instead."""
    return {k: v for k, v in kwargs.items() if v is not None}


def json_text(document: Any) -> str:
    """A JSON document input (a policy) as the text AWS takes: pulumi-aws takes it as text or,
    from a program that passes one, as a dict."""
    return document if isinstance(document, str) else json.dumps(document)


def as_int(value: Any) -> int | None:
    """Pulumi hands numbers over as floats; the AWS APIs want integers where they say so."""
    return None if value is None else int(value)


def binary_media_type_ops(old: list | None, new: list | None) -> list[dict[str, str]]:
    """API Gateway's patch operations turning one list of binary media types into another: a
    media type is a path segment, its '/' written '~1'."""
    before, after = set(old or []), set(new or [])
    changes = [("remove", t) for t in sorted(before - after)]
    changes += [("add", t) for t in sorted(after - before)]
    return [{"op": op, "path": "/binaryMediaTypes/" + t.replace("/", "~1")} for op, t in changes]


def replace_op(path: str, value: Any) -> dict[str, str]:
    """A patch operation; API Gateway wants every value as a string, integers without '.0'."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return {"op": "replace", "path": path, "value": text}
