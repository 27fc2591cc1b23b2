"""Lambda functions and their resource-policy permissions on the emulator.

Where MiniStack 1.5.33 differs from AWS (the calls below stay the AWS ones):
- A new or updated function reports `State: Pending` / `LastUpdateStatus: InProgress` for about
  half a second and can already be invoked meanwhile; AWS refuses a second update while one is in
  progress, so every change waits for `Active` / `Successful` as the AWS provider does.
- Python zips run in MiniStack's own interpreter, whatever `runtime` says.
- Removing the last permission leaves an empty policy (`get_policy` answers with no statements)
  where AWS answers ResourceNotFoundException; `read` treats both as "gone".
- A role that was just created is usable at once; AWS may refuse it for a few seconds ("cannot be
  assumed by Lambda"), so creation retries that error for a while.
"""

from __future__ import annotations

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
    not_found,
    provides,
    retag,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.values import plain

# Inputs that change what runs (update_function_code) and how it runs (..._configuration).
CODE_INPUTS = frozenset(
    {"code", "sourceCodeHash", "s3Bucket", "s3Key", "s3ObjectVersion", "imageUri", "architectures"}
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
    if inputs.get("imageUri"):
        return {"ImageUri": inputs["imageUri"]}
    raise UserError("A Lambda function needs `code`, `s3_bucket`/`s3_key` or `image_uri`.")


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


def _logging_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    return drop_none(
        LogFormat=config.get("logFormat"),
        ApplicationLogLevel=config.get("applicationLogLevel"),
        SystemLogLevel=config.get("systemLogLevel"),
        LogGroup=config.get("logGroup"),
    )


def function_arn(ctx: Context, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{ctx.account_id}:function:{name}"


def invoke_arn(region: str, arn: str) -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"


def _wait_until_ready(client: Client, name: str, operation: str) -> dict[str, Any]:
    """Poll until the function is Active and its last update Successful (AWS rejects changes
    meanwhile); a Failed state becomes a ClientError the engine reports."""
    deadline = time.monotonic() + _WAIT_SECONDS
    pause = 0.1
    while True:
        config = client.get_function_configuration(FunctionName=name)
        state, update = config.get("State"), config.get("LastUpdateStatus")
        if state == "Failed" or update == "Failed":
            reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or state
            raise ClientError(
                {"Error": {"Code": "FunctionFailed", "Message": f"{name}: {reason}"}}, operation
            )
        if state in (None, "Active", "Inactive") and update in (None, "Successful"):
            return config
        if time.monotonic() > deadline:
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"{name} still {state}/{update}"}},
                operation,
            )
        time.sleep(pause)
        pause = min(pause * 1.25, 2.0)


def _retry_new_role(call: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """AWS refuses a freshly created role for a few seconds; retry that one error."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return call(**kwargs)
        except ClientError as error:
            message = error.response.get("Error", {}).get("Message", "")
            if "cannot be assumed" not in message or time.monotonic() > deadline:
                raise
            time.sleep(2)


@provides
class Function(Provider):
    type_token = "aws:lambda/function:Function"
    service = "lambda"
    updatable = CODE_INPUTS | CONFIG_INPUTS | {"tags", "publish", "reservedConcurrentExecutions"}
    auto_name = AutoName("name", max_length=64)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        name = i["name"]
        _retry_new_role(
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
        try:
            _wait_until_ready(client, name, "CreateFunction")
            self._set_concurrency(client, name, i.get("reservedConcurrentExecutions"))
        except Exception:
            client.delete_function(FunctionName=name)  # leave nothing unrecorded behind
            raise
        return Created(name, self._outputs(ctx, client, name, i))

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        name = have.id
        changed = {k for k in set(old) | set(new) if old.get(k) != plain(new.get(k))}
        publish = bool(new.get("publish"))
        if changed & CONFIG_INPUTS:
            _retry_new_role(
                client.update_function_configuration,
                FunctionName=name,
                **_configuration(new, full=True),
            )
            _wait_until_ready(client, name, "UpdateFunctionConfiguration")
        if changed & CODE_INPUTS:
            client.update_function_code(
                FunctionName=name,
                Publish=publish,
                **_code(new),
                **drop_none(Architectures=new.get("architectures")),
            )
            _wait_until_ready(client, name, "UpdateFunctionCode")
        elif publish and changed & (CONFIG_INPUTS | {"publish"}):
            client.publish_version(FunctionName=name)
        if "reservedConcurrentExecutions" in changed:
            self._set_concurrency(client, name, new.get("reservedConcurrentExecutions"))
        if "tags" in changed:
            arn = function_arn(ctx, ctx.region_of(new), name)
            retag(
                old.get("tags"),
                new.get("tags"),
                untag=lambda keys: client.untag_resource(Resource=arn, TagKeys=keys),
                tag=lambda tags: client.tag_resource(Resource=arn, Tags=tags),
            )
        return self._outputs(ctx, client, name, new)

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
    def _outputs(ctx: Context, client: Client, name: str, inputs: Inputs) -> Outputs:
        config = client.get_function_configuration(FunctionName=name)
        region = ctx.region_of(inputs)
        arn = config["FunctionArn"]
        version = "$LATEST"
        if inputs.get("publish"):
            versions = client.list_versions_by_function(FunctionName=name)["Versions"]
            published = [int(v["Version"]) for v in versions if v["Version"].isdigit()]
            version = str(max(published)) if published else version
        qualified = f"{arn}:{version}"
        return {
            "name": name,
            "arn": arn,
            "invokeArn": invoke_arn(region, arn),
            "qualifiedArn": qualified,
            "qualifiedInvokeArn": invoke_arn(region, qualified),
            "version": version,
            "codeSha256": config.get("CodeSha256"),
            "sourceCodeSize": config.get("CodeSize"),
        }

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if have.inputs.get("skipDestroy"):
            return
        self.client(ctx, have.inputs).delete_function(FunctionName=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_function(FunctionName=have.id)


# -- permissions --------------------------------------------------------------------------------


@provides
class Permission(Immutable):
    """One statement of a function's resource policy. AWS has no call to change a statement, so
    every input change replaces it (remove, then add)."""

    type_token = "aws:lambda/permission:Permission"
    service = "lambda"
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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        i = have.inputs
        answer = self.client(ctx, i).get_policy(
            **drop_none(FunctionName=i["function"], Qualifier=i.get("qualifier"))
        )
        statements = json.loads(answer["Policy"]).get("Statement", [])
        found = [s for s in statements if s.get("Sid") == have.id]
        if not found:
            raise not_found(f"permission {have.id} of {i['function']}")
        return found[0]
