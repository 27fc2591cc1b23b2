"""Lambda functions, their aliases, resource-policy permissions and layer versions on the
emulator.

A new function is `Pending` for a while (AWS: seconds; MiniStack 1.5.33: half a second, which
the local emulator shortens to a tenth, emulator.LAMBDA_ACTIVATION_S).
`create` does not wait for it: what programs make right after a function (a permission, an
alias, an API integration naming its ARN) needs only the function to exist, on AWS as on
MiniStack, so `settle` waits for all the run's new functions together at the end. An update
still waits for `Active` / `Successful` between its calls, because AWS refuses a second update
while one is in progress.

Where MiniStack 1.5.33 differs from AWS (the calls below stay the AWS ones):
- A Pending function can already be invoked and updated; AWS refuses both.
- Python zips run in MiniStack's own interpreter, whatever `runtime` says.
- Removing the last permission leaves an empty policy (`get_policy` answers with no statements)
  where AWS answers ResourceNotFoundException; `read` treats both as "gone".
- A role that was just created is usable at once; AWS may refuse it for a few seconds ("cannot be
  assumed by Lambda"), so creation retries that error for a while.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.live import live_inputs
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
    is_not_found,
    not_found,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import LAMBDA
from shared.local.engine.values import plain
from shared.local.engine.waiting import Backoff

# Inputs that change what runs (update_function_code) and how it runs (..._configuration).
# Container images are left out: MiniStack runs them only with Docker.
CODE_INPUTS = frozenset(
    {"code", "sourceCodeHash", "s3Bucket", "s3Key", "s3ObjectVersion", "architectures"}
)
CONFIG_INPUTS = frozenset(
    {
        "runtime",
        "handler",
        "role",
        "timeout",
        "memorySize",
        "environment",
        "description",
        "layers",
        "tracingConfig",
        "ephemeralStorage",
        "loggingConfig",
        "kmsKeyArn",
    }
)
# Fixed timestamp and mode: the same files always give the same zip, so the same CodeSha256.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_WAIT_SECONDS = 300.0


# -- code packages ------------------------------------------------------------------------------


def code_zip(code: Any) -> bytes:
    """The zip file bytes for a `code` input: a FileArchive (a .zip file or a folder) or an
    AssetArchive of assets and archives."""
    if isinstance(code, pulumi.FileArchive):
        path = Path(code.path)
        if path.is_dir():
            return _zip(_folder_entries(path, ""))
        if zipfile.is_zipfile(path):
            return path.read_bytes()
        raise UserError(f"Lambda code {path}: the local engine takes a .zip file or a folder.")
    if isinstance(code, pulumi.AssetArchive):
        return _zip(_archive_entries(code.assets, ""))
    raise UserError(
        f"Lambda code of type {type(code).__name__}: the local engine takes a FileArchive "
        "(a .zip file or a folder) or an AssetArchive."
    )


def _folder_entries(folder: Path, prefix: str) -> dict[str, bytes]:
    return {
        prefix + child.relative_to(folder).as_posix(): child.read_bytes()
        for child in sorted(folder.rglob("*"))
        if child.is_file()
    }


def _archive_entries(assets: dict[str, Any], prefix: str) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    for name, asset in assets.items():
        where = prefix + name
        if isinstance(asset, pulumi.StringAsset):
            entries[where] = asset.text.encode()
        elif isinstance(asset, pulumi.FileAsset):
            entries[where] = Path(asset.path).read_bytes()
        elif isinstance(asset, pulumi.FileArchive) and Path(asset.path).is_dir():
            entries.update(_folder_entries(Path(asset.path), where + "/"))
        elif isinstance(asset, pulumi.FileArchive):
            with zipfile.ZipFile(asset.path) as inner:
                for info in inner.infolist():
                    if not info.is_dir():
                        entries[f"{where}/{info.filename}"] = inner.read(info)
        elif isinstance(asset, pulumi.AssetArchive):
            entries.update(_archive_entries(asset.assets, where + "/"))
        else:
            raise UserError(
                f"Lambda code entry {where!r}: {type(asset).__name__} is not supported."
            )
    return entries


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _code(inputs: dict[str, Any]) -> dict[str, Any]:
    if inputs.get("code") is not None:
        return {"ZipFile": code_zip(inputs["code"])}
    if inputs.get("s3Bucket"):
        return drop_none(
            S3Bucket=inputs["s3Bucket"],
            S3Key=inputs.get("s3Key"),
            S3ObjectVersion=inputs.get("s3ObjectVersion"),
        )
    raise UserError("A Lambda function or layer needs `code`, or `s3_bucket` and `s3_key`.")


def code_sha256(code: Any) -> str:
    """The CodeSha256 Lambda reports for the package of a `code` input."""
    return base64.b64encode(hashlib.sha256(code_zip(code)).digest()).decode()


def live_code(recorded: Inputs, outputs: Outputs, sha256: str | None) -> Any:
    """The live `code` in the record's form: the recorded one while the emulator holds the
    package the engine uploaded (same CodeSha256), else the live digest, which differs from it."""
    return recorded.get("code") if sha256 == outputs.get("codeSha256") else {"codeSha256": sha256}


# -- functions ----------------------------------------------------------------------------------


def _configuration(inputs: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """Configuration parameters; with `full`, removed inputs are reset to AWS's defaults (an
    update must clear what the program no longer sets)."""
    variables = (inputs.get("environment") or {}).get("variables")
    tracing = (inputs.get("tracingConfig") or {}).get("mode")
    storage = (inputs.get("ephemeralStorage") or {}).get("size")
    logging = _logging_config(inputs.get("loggingConfig"))
    return drop_none(
        Runtime=inputs.get("runtime"),
        Handler=inputs.get("handler"),
        Role=inputs.get("role"),
        Description=inputs.get("description", "" if full else None),
        Timeout=as_int(inputs.get("timeout", 3 if full else None)),
        MemorySize=as_int(inputs.get("memorySize", 128 if full else None)),
        Environment={"Variables": variables or {}} if variables or full else None,
        Layers=inputs.get("layers", [] if full else None),
        TracingConfig={"Mode": tracing or "PassThrough"} if tracing or full else None,
        EphemeralStorage={"Size": as_int(storage or 512)} if storage or full else None,
        LoggingConfig=logging,
        KMSKeyArn=inputs.get("kmsKeyArn", "" if full else None),
    )


_LOGGING_KEYS = {
    "logFormat": "LogFormat",
    "applicationLogLevel": "ApplicationLogLevel",
    "systemLogLevel": "SystemLogLevel",
    "logGroup": "LogGroup",
}


def _logging_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    return drop_none(**{aws: config.get(prop) for prop, aws in _LOGGING_KEYS.items()})


# What AWS sets for an input a program leaves out, in the record's form (see live.live_inputs);
# None: nothing, so a runtime or handler set behind the engine's back is drift.
_FUNCTION_DEFAULTS: Inputs = {
    "runtime": None,
    "handler": None,
    "description": "",
    "timeout": 3,
    "memorySize": 128,
    "environment": {"variables": {}},
    "layers": [],
    "architectures": ["x86_64"],
    "tracingConfig": {"mode": "PassThrough"},
    "ephemeralStorage": {"size": 512},
    "kmsKeyArn": "",
    "packageType": "Zip",
    "reservedConcurrentExecutions": -1,
    "tags": {},
}


def function_arn(ctx: Context, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{ctx.account_id}:function:{name}"


def invoke_arn(region: str, arn: str) -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"


def _streaming_invoke_arn(region: str, arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2021-11-15/functions/{arn}"
        "/response-streaming-invocations"
    )


def _is_ready(config: dict[str, Any], operation: str) -> bool:
    """Whether the function is Active and its last update Successful (AWS rejects changes
    meanwhile); a Failed state becomes a ClientError the engine reports."""
    state, update = config.get("State"), config.get("LastUpdateStatus")
    if state == "Failed" or update == "Failed":
        reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or state
        raise ClientError(
            {"Error": {"Code": "FunctionFailed", "Message": f"{config['FunctionName']}: {reason}"}},
            operation,
        )
    return state in (None, "Active", "Inactive") and update in (None, "Successful")


def _wait_until_ready(functions: list[tuple[Client, str]], operation: str) -> None:
    """Poll every function of `functions` (client, name) in the same rounds until all are
    ready, so N functions cost one wait, not N. A function that is gone is not waited for."""
    waiting = list(functions)
    deadline = time.monotonic() + _WAIT_SECONDS
    backoff = Backoff(longest=2.0)
    while True:
        still = []
        for client, name in waiting:
            try:
                config = client.get_function_configuration(FunctionName=name)
            except ClientError as error:
                if is_not_found(error):
                    continue
                raise
            if not _is_ready(config, operation):
                still.append((client, name))
        if not still:
            return
        if time.monotonic() > deadline:
            names = ", ".join(name for _, name in still)
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"still not Active: {names}"}}, operation
            )
        waiting = still
        backoff.sleep()


def _retry_new_role(call: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """AWS refuses a freshly created role for a few seconds; retry that one error."""
    deadline = time.monotonic() + 60
    backoff = Backoff(longest=2.0)
    while True:
        try:
            return call(**kwargs)
        except ClientError as error:
            message = error.response.get("Error", {}).get("Message", "")
            if "cannot be assumed" not in message or time.monotonic() > deadline:
                raise
            backoff.sleep()


@provides
class Function(Provider):
    """A function from a zip package (`code`, or `s3Bucket`/`s3Key`). With `publish`, every
    change of code or configuration publishes a version, as in the AWS provider: `version` and
    `qualifiedArn` name the newest one."""

    type_token = "aws:lambda/function:Function"
    service = "lambda"
    inputs = (
        CODE_INPUTS
        | CONFIG_INPUTS
        | {
            "name",
            "packageType",
            "publish",
            "reservedConcurrentExecutions",
            "skipDestroy",
            "tags",
            "region",
        }
    )
    outputs = frozenset(
        {
            "arn",
            "invokeArn",
            "qualifiedArn",
            "qualifiedInvokeArn",
            "responseStreamingInvokeArn",
            "version",
            "codeSha256",
            "sourceCodeSize",
            "lastModified",
            "tagsAll",
        }
    )
    updatable = (
        CODE_INPUTS
        | CONFIG_INPUTS
        | {
            "tags",
            "publish",
            "reservedConcurrentExecutions",
            "skipDestroy",
        }
    )
    auto_name = AutoName("name", max_length=64)

    def create(self, ctx: Context, want: Desired) -> Created:
        """Returns while the function is still Pending; `settle` waits for it."""
        i = want.inputs
        if i.get("packageType", "Zip") != "Zip":
            raise UserError(
                f"Lambda function {want.name}: packageType {i['packageType']!r}; the local "
                "engine runs zip packages only (container images need Docker)."
            )
        client = self.client(ctx, i)
        name = i["name"]
        config = _retry_new_role(
            client.create_function,
            FunctionName=name,
            Code=_code(i),
            Publish=bool(i.get("publish")),
            **drop_none(
                PackageType=i.get("packageType"),
                Architectures=i.get("architectures"),
                Tags=i.get("tags") or None,
            ),
            **_configuration(i, full=False),
        )
        if i.get("reservedConcurrentExecutions") is not None:
            try:
                self._set_concurrency(client, name, i["reservedConcurrentExecutions"])
            except Exception:
                client.delete_function(FunctionName=name)  # leave nothing unrecorded behind
                raise
        version = config.get("Version", "$LATEST") if i.get("publish") else "$LATEST"
        return Created(name, self._outputs(ctx, i, config, version))

    def settle(self, ctx: Context, created: list[ResourceRecord]) -> None:
        _wait_until_ready([(self.client(ctx, r.inputs), r.id) for r in created], "CreateFunction")

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        name = have.id
        changed = {k for k in set(old) | set(new) if old.get(k) != plain(new.get(k))}
        publish = bool(new.get("publish"))
        # A function whose run ended before `settle` may still be Pending.
        _wait_until_ready([(client, name)], "UpdateFunction")
        published = None
        if changed & CONFIG_INPUTS:
            _retry_new_role(
                client.update_function_configuration,
                FunctionName=name,
                **_configuration(new, full=True),
            )
            _wait_until_ready([(client, name)], "UpdateFunctionConfiguration")
        if changed & CODE_INPUTS:
            answer = client.update_function_code(
                FunctionName=name,
                Publish=publish,
                **_code(new),
                **drop_none(Architectures=new.get("architectures")),
            )
            published = answer.get("Version") if publish else None
            _wait_until_ready([(client, name)], "UpdateFunctionCode")
        elif publish and changed & (CONFIG_INPUTS | {"publish"}):
            published = client.publish_version(FunctionName=name)["Version"]
        if "reservedConcurrentExecutions" in changed:
            self._set_concurrency(client, name, new.get("reservedConcurrentExecutions"))
        if "tags" in changed:
            arn = function_arn(ctx, ctx.region_of(new), name)
            LAMBDA.retag(client, arn, old.get("tags"), new.get("tags"))
        if not publish:
            version = "$LATEST"
        elif published is not None:
            version = published
        else:  # published before, nothing new to publish
            version = have.outputs.get("version") or self._newest_version(client, name)
        config = client.get_function_configuration(FunctionName=name)
        return self._outputs(ctx, new, config, version)

    @staticmethod
    def _set_concurrency(client: Client, name: str, value: float | None) -> None:
        # -1 (the AWS provider's default) and None both mean "no reservation".
        reserved = as_int(value)
        if reserved is not None and reserved >= 0:
            client.put_function_concurrency(
                FunctionName=name, ReservedConcurrentExecutions=reserved
            )
        else:
            client.delete_function_concurrency(FunctionName=name)

    @staticmethod
    def _newest_version(client: Client, name: str) -> str:
        pages = client.get_paginator("list_versions_by_function").paginate(FunctionName=name)
        numbers = [
            int(v["Version"]) for p in pages for v in p["Versions"] if v["Version"].isdigit()
        ]
        return str(max(numbers)) if numbers else "$LATEST"

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, config: dict[str, Any], version: str) -> Outputs:
        region = ctx.region_of(inputs)
        # A published version's configuration carries the qualified ARN; drop the qualifier.
        arn = ":".join(config["FunctionArn"].split(":")[:7])
        qualified = f"{arn}:{version}"
        return {
            "name": config["FunctionName"],
            "arn": arn,
            "invokeArn": invoke_arn(region, arn),
            "qualifiedArn": qualified,
            "qualifiedInvokeArn": invoke_arn(region, qualified),
            "responseStreamingInvokeArn": _streaming_invoke_arn(region, arn),
            "version": version,
            "codeSha256": config.get("CodeSha256"),
            "sourceCodeSize": config.get("CodeSize"),
            "lastModified": config.get("LastModified"),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if have.inputs.get("skipDestroy"):
            return
        self.client(ctx, have.inputs).delete_function(FunctionName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        answer = self.client(ctx, i).get_function(FunctionName=have.id)
        config = answer["Configuration"]
        live: Inputs = {
            "runtime": config.get("Runtime"),
            "handler": config.get("Handler"),
            "role": config.get("Role"),
            "description": config.get("Description") or "",
            "timeout": config.get("Timeout"),
            "memorySize": config.get("MemorySize"),
            "environment": {"variables": (config.get("Environment") or {}).get("Variables", {})},
            "layers": [layer["Arn"] for layer in config.get("Layers") or []],
            "architectures": config.get("Architectures") or ["x86_64"],
            "tracingConfig": {"mode": (config.get("TracingConfig") or {}).get("Mode")},
            "ephemeralStorage": {"size": (config.get("EphemeralStorage") or {}).get("Size")},
            "kmsKeyArn": config.get("KMSKeyArn") or "",
            "packageType": config.get("PackageType") or "Zip",
            "reservedConcurrentExecutions": (answer.get("Concurrency") or {}).get(
                "ReservedConcurrentExecutions", -1
            ),
            "tags": answer.get("Tags") or {},
        }
        if "code" in i:
            live["code"] = live_code(i, have.outputs, config.get("CodeSha256"))
        if i.get("loggingConfig"):
            logging = config.get("LoggingConfig") or {}
            live["loggingConfig"] = {
                prop: logging.get(aws)
                for prop, aws in _LOGGING_KEYS.items()
                if prop in i["loggingConfig"]
            }
        no_variables = not live["environment"]["variables"]
        if "environment" in i and not i["environment"].get("variables") and no_variables:
            live["environment"] = i["environment"]  # an empty one, as the program wrote it
        return live_inputs(i, live, _FUNCTION_DEFAULTS)

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        found = self.lookup(self.client(ctx, want.inputs).get_function, FunctionName=name)
        return None if found is None else str(name)


# -- aliases ------------------------------------------------------------------------------------


def _routing(config: dict[str, Any] | None) -> dict[str, Any]:
    weights = (config or {}).get("additionalVersionWeights") or {}
    return {"AdditionalVersionWeights": {k: float(v) for k, v in weights.items()}}


@provides
class Alias(Provider):
    """A name for one version of a function (or a weighted pair, `routingConfig`); its id is
    the alias ARN, as in the AWS provider."""

    type_token = "aws:lambda/alias:Alias"
    service = "lambda"
    inputs = frozenset(
        {"functionName", "functionVersion", "name", "description", "routingConfig", "region"}
    )
    outputs = frozenset({"arn", "invokeArn"})
    updatable = frozenset({"functionVersion", "description", "routingConfig"})
    auto_name = AutoName("name", max_length=128)
    identity = ("functionName", "name")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        alias = self.client(ctx, i).create_alias(
            FunctionName=i["functionName"],
            Name=i["name"],
            FunctionVersion=i["functionVersion"],
            **drop_none(
                Description=i.get("description"),
                RoutingConfig=_routing(i["routingConfig"]) if i.get("routingConfig") else None,
            ),
        )
        return Created(alias["AliasArn"], self._outputs(ctx, i, alias["AliasArn"]))

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, arn: str) -> Outputs:
        return {"arn": arn, "invokeArn": invoke_arn(ctx.region_of(inputs), arn)}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        i = want.inputs
        self.client(ctx, i).update_alias(
            FunctionName=i["functionName"],
            Name=i["name"],
            FunctionVersion=i["functionVersion"],
            Description=i.get("description") or "",
            RoutingConfig=_routing(i.get("routingConfig")),  # no weights: routing removed
        )
        return self._outputs(ctx, i, have.id)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).delete_alias(FunctionName=i["functionName"], Name=i["name"])

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        alias = self.client(ctx, i).get_alias(FunctionName=i["functionName"], Name=i["name"])
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        recorded = (i.get("routingConfig") or {}).get("additionalVersionWeights") or {}
        live = {
            "functionVersion": alias["FunctionVersion"],
            "description": alias.get("Description") or "",
            # An empty routingConfig and none at all both mean "no weights".
            "routingConfig": (
                i.get("routingConfig")
                if weights == recorded
                else {"additionalVersionWeights": weights}
            ),
        }
        return live_inputs(i, live, {"description": "", "routingConfig": None})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        client = self.client(ctx, i)
        alias = self.lookup(client.get_alias, FunctionName=i["functionName"], Name=i["name"])
        return None if alias is None else str(alias["AliasArn"])


# -- layers -------------------------------------------------------------------------------------


@provides
class LayerVersion(Immutable):
    """One version of a layer. Versions cannot change: every input change publishes a new one
    (and deletes the old one unless `skipDestroy`), as in the AWS provider. Its id is the
    version's ARN."""

    type_token = "aws:lambda/layerVersion:LayerVersion"
    service = "lambda"
    inputs = frozenset(
        {
            "layerName",
            "code",
            "s3Bucket",
            "s3Key",
            "s3ObjectVersion",
            "sourceCodeHash",
            "compatibleRuntimes",
            "compatibleArchitectures",
            "description",
            "licenseInfo",
            "skipDestroy",
            "region",
        }
    )
    outputs = frozenset(
        {"arn", "layerArn", "version", "codeSha256", "sourceCodeSize", "createdDate"}
    )

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        layer = self.client(ctx, i).publish_layer_version(
            LayerName=i["layerName"],
            Content=_code(i),
            **drop_none(
                Description=i.get("description"),
                CompatibleRuntimes=i.get("compatibleRuntimes"),
                CompatibleArchitectures=i.get("compatibleArchitectures"),
                LicenseInfo=i.get("licenseInfo"),
            ),
        )
        return Created(
            layer["LayerVersionArn"],
            {
                "arn": layer["LayerVersionArn"],
                "layerArn": layer["LayerArn"],
                "version": str(layer["Version"]),
                "codeSha256": layer["Content"].get("CodeSha256"),
                "sourceCodeSize": layer["Content"].get("CodeSize"),
                "createdDate": layer.get("CreatedDate"),
            },
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if have.inputs.get("skipDestroy"):
            return
        name, number = have.id.rsplit(":", 2)[-2:]
        self.client(ctx, have.inputs).delete_layer_version(
            LayerName=name, VersionNumber=int(number)
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        layer = self.client(ctx, i).get_layer_version_by_arn(Arn=have.id)
        live = {
            "description": layer.get("Description") or "",
            "compatibleRuntimes": layer.get("CompatibleRuntimes") or [],
            "compatibleArchitectures": layer.get("CompatibleArchitectures") or [],
            "licenseInfo": layer.get("LicenseInfo") or "",
        }
        if "code" in i:
            live["code"] = live_code(i, have.outputs, layer["Content"].get("CodeSha256"))
        defaults = {
            "description": "",
            "compatibleRuntimes": [],
            "compatibleArchitectures": [],
            "licenseInfo": "",
        }
        return live_inputs(i, live, defaults)

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The newest version of the layer with this package and description: a version has no
        name of its own."""
        i = want.inputs
        if i.get("code") is None:
            return None
        sha = code_sha256(i["code"])
        pages = self.client(ctx, i).get_paginator("list_layer_versions")
        try:
            versions = [
                v for p in pages.paginate(LayerName=i["layerName"]) for v in p["LayerVersions"]
            ]
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise
        client = self.client(ctx, i)
        for version in sorted(versions, key=lambda v: -int(v["Version"])):
            if (version.get("Description") or "") != (i.get("description") or ""):
                continue
            layer = client.get_layer_version_by_arn(Arn=version["LayerVersionArn"])
            if layer["Content"].get("CodeSha256") == sha:
                return str(version["LayerVersionArn"])
        return None


# -- permissions --------------------------------------------------------------------------------

# Where a statement keeps each condition input: (condition operator, key).
_PERMISSION_CONDITIONS = {
    "sourceArn": ("ArnLike", "AWS:SourceArn"),
    "sourceAccount": ("StringEquals", "AWS:SourceAccount"),
    "principalOrgId": ("StringEquals", "aws:PrincipalOrgID"),
    "eventSourceToken": ("StringEquals", "lambda:EventSourceToken"),
    "functionUrlAuthType": ("StringEquals", "lambda:FunctionUrlAuthType"),
}


@provides
class Permission(Immutable):
    """One statement of a function's resource policy. AWS has no call to change a statement, so
    every input change replaces it (remove, then add)."""

    type_token = "aws:lambda/permission:Permission"
    service = "lambda"
    inputs = frozenset(
        {
            "action",
            "function",
            "principal",
            "statementId",
            "statementIdPrefix",
            "sourceArn",
            "sourceAccount",
            "eventSourceToken",
            "qualifier",
            "principalOrgId",
            "functionUrlAuthType",
            "invokedViaFunctionUrl",
            "region",
        }
    )
    auto_name = AutoName("statementId", prefix="statementIdPrefix", max_length=100)
    identity = ("function", "statementId", "qualifier")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        statement_id = i["statementId"]
        self.client(ctx, i).add_permission(
            **drop_none(
                FunctionName=i["function"],
                StatementId=statement_id,
                Action=i["action"],
                Principal=i["principal"],
                SourceArn=i.get("sourceArn"),
                SourceAccount=i.get("sourceAccount"),
                EventSourceToken=i.get("eventSourceToken"),
                Qualifier=i.get("qualifier"),
                PrincipalOrgID=i.get("principalOrgId"),
                FunctionUrlAuthType=i.get("functionUrlAuthType"),
                InvokedViaFunctionUrl=i.get("invokedViaFunctionUrl"),
            )
        )
        return Created(statement_id, {"statementId": statement_id})

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).remove_permission(
            **drop_none(
                FunctionName=i["function"], StatementId=have.id, Qualifier=i.get("qualifier")
            )
        )

    def _statement(self, ctx: Context, inputs: Inputs, statement_id: str) -> dict[str, Any]:
        answer = self.client(ctx, inputs).get_policy(
            **drop_none(FunctionName=inputs["function"], Qualifier=inputs.get("qualifier"))
        )
        statements = json.loads(answer["Policy"]).get("Statement", [])
        found = [s for s in statements if s.get("Sid") == statement_id]
        if not found:
            raise not_found(f"permission {statement_id} of {inputs['function']}")
        return found[0]

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        statement = self._statement(ctx, i, have.id)
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            named = list(principal.values())
            # An account id comes back as its root ARN; the record's form is kept when it names
            # the same principal.
            principal = (
                i["principal"]
                if i["principal"] in named
                or any(str(n).endswith(f":{i['principal']}:root") for n in named)
                else named[0]
            )
        conditions = statement.get("Condition") or {}
        live = {"action": statement.get("Action"), "principal": principal}
        for prop, (operator, key) in _PERMISSION_CONDITIONS.items():
            live[prop] = (conditions.get(operator) or {}).get(key)
        return live_inputs(i, live, dict.fromkeys(_PERMISSION_CONDITIONS))

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        found = self.lookup(self._statement, ctx=ctx, inputs=i, statement_id=i["statementId"])
        return None if found is None else str(i["statementId"])
