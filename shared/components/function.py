"""Lambda functions: deterministic zips, a least-privilege role, and API Gateway's permission.

`package` zips a function's folder together with the handler runtime (`shared/runtime/`,
shipped as the `aigw_runtime` package). The zip is byte-for-byte the same for the same sources
(sorted entries, fixed timestamps and permissions, no compression-library variance), so a
redeploy without source changes shows no diff.

`LambdaFunction` creates the function with its own log group and a role allowed to write to that
log group only, plus whatever statements the caller grants. `allow_api_gateway` is the
`lambda_.Permission` the seeds forgot: without it API Gateway answers 500.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from shared import catalog
from shared.components import config, naming
from shared.components.config import setting

RUNTIME = "python3.12"
RUNTIME_PACKAGE = "aigw_runtime"  # the import name of shared/runtime/ inside every zip
RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"

# The earliest time a zip can record; any fixed value makes the bytes reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644  # regular file, rw-r--r--
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def zip_entries(source_dir: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file) for the function's files at the root plus the runtime package,
    sorted by name."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"Lambda source folder {source_dir} does not exist")
    entries = dict(_files(source_dir, ""))
    for name in entries:
        if name.split("/")[0] == RUNTIME_PACKAGE:
            raise ValueError(
                f"{source_dir} has its own {RUNTIME_PACKAGE}/; that name is reserved for the "
                "handler runtime"
            )
    entries.update(_files(RUNTIME_DIR, RUNTIME_PACKAGE + "/"))
    return sorted(entries.items())


def build_zip(source_dir: Path) -> bytes:
    """The deployment zip's bytes: the same sources always give the same bytes."""
    buffer = io.BytesIO()
    # Stored, not deflated: zlib builds (zlib, zlib-ng) compress the same input to different
    # bytes, which would make CI and laptops disagree. The code is a few kilobytes anyway.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in zip_entries(source_dir):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.create_system = 3  # Unix, so the permission bits below are honoured
            info.external_attr = _FILE_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_zip(source_dir: Path, destination: Path) -> Path:
    """Build the zip into `destination`, leaving the file untouched when its bytes are equal."""
    data = build_zip(source_dir)
    destination = Path(destination)
    if destination.is_file() and destination.read_bytes() == data:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, destination)  # readers never see half a zip
    return destination


def zip_path(name: str) -> Path:
    """`<state>/build/<project>-<stack>/<name>.zip` for the running program."""
    if not _NAME.match(name):
        raise ValueError(f"invalid package name {name!r}: letters, digits, '.', '_', '-' only")
    stack_dir = f"{pulumi.get_project()}-{pulumi.get_stack()}"
    return catalog.state_dir() / "build" / stack_dir / f"{name}.zip"


def package(source_dir: Path, name: str) -> pulumi.FileArchive:
    """The function's code as an archive: `source_dir`'s files at the root, the handler runtime
    as `aigw_runtime/`. Written under the state folder, rewritten only when it changed."""
    return pulumi.FileArchive(str(write_zip(source_dir, zip_path(name))))


@dataclass(frozen=True, kw_only=True)
class ModelFunctionSettings:
    """Settings every stack whose functions call the model endpoint declares (extend it)."""

    model_endpoint: str = setting(kind=config.URL, description="Model URL (SageMaker contract)")
    model_timeout_s: float = setting(5.0, minimum=0.1, maximum=28)
    function_timeout_s: int = setting(30, minimum=1, maximum=900)

    def problems(self) -> Iterator[str]:
        if self.model_timeout_s >= self.function_timeout_s:
            yield "modelTimeoutS: must be shorter than functionTimeoutS, so a slow model gets 504."

    def model_environment(self) -> dict[str, str]:
        """What the handler runtime's model client reads."""
        return {
            "MODEL_ENDPOINT_URL": self.model_endpoint,
            "MODEL_TIMEOUT_SECONDS": str(self.model_timeout_s),
        }


class LambdaFunction:
    """A python3.12 function named `<project>-<stack>-<part>`, with its log group and role.

    `statements` are IAM policy statements added to the role's one inline policy, e.g.
    `{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/prefix/*"}`;
    values may be Outputs.
    """

    def __init__(
        self,
        part: str,
        *,
        source_dir: Path,
        handler: str = "app.handler",
        environment: Mapping[str, pulumi.Input[str]] | None = None,
        timeout_s: int = 10,
        memory_mb: int = 256,
        statements: Sequence[Mapping[str, Any]] = (),
        log_retention_days: int = 7,
        description: str = "",
        region: str | None = None,
    ) -> None:
        if not 1 <= timeout_s <= 900:
            raise ValueError(f"timeout_s must be 1..900 seconds, got {timeout_s}")
        if not 128 <= memory_mb <= 10_240:
            raise ValueError(f"memory_mb must be 128..10240, got {memory_mb}")
        self.part = part
        self.name = naming.name(part)
        for what, value in (("function", self.name), ("role", naming.name(f"{part}-role"))):
            if len(value) > 64:  # both AWS limits
                raise ValueError(f"{what} name {value!r} is longer than 64 characters")
        _check_statements(statements)  # before any resource exists
        self.log_group = aws.cloudwatch.LogGroup(
            f"{part}-logs",
            name=f"/aws/lambda/{self.name}",
            retention_in_days=log_retention_days,
            tags=naming.tags(),
            **naming.placed(region),
        )
        self.role = aws.iam.Role(  # IAM is global: no region
            f"{part}-role",
            name=naming.name(f"{part}-role"),
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=naming.tags(),
        )
        self.policy = aws.iam.RolePolicy(
            f"{part}-policy",
            name=naming.name(f"{part}-policy"),
            role=self.role.id,
            policy=policy_document(self.log_group.arn, statements),
        )
        code = package(source_dir, part)
        self.code_sha256 = base64.b64encode(
            hashlib.sha256(Path(code.path).read_bytes()).digest()
        ).decode("ascii")
        self.function = aws.lambda_.Function(
            part,
            name=self.name,
            description=description or None,
            runtime=RUNTIME,
            handler=handler,
            role=self.role.arn,
            code=code,
            source_code_hash=self.code_sha256,
            timeout=timeout_s,
            memory_size=memory_mb,
            environment={"variables": dict(environment)} if environment else None,
            tags=naming.tags(),
            **naming.placed(region),
            # Our log group (with its retention) must exist before Lambda makes one of its own,
            # and the role must be allowed to write to it before the first invocation.
            opts=pulumi.ResourceOptions(depends_on=[self.log_group, self.policy]),
        )


def policy_document(
    log_group_arn: pulumi.Input[str], statements: Sequence[Mapping[str, Any]] = ()
) -> pulumi.Output[str]:
    """The role's inline policy: write to its own log group, plus `statements`."""
    _check_statements(statements)
    logs = {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        # Log streams are `<log group ARN>:log-stream:<name>`; the group's ARN has no `:*`.
        "Resource": pulumi.Output.concat(log_group_arn, ":*"),
    }
    return pulumi.Output.json_dumps(
        {"Version": "2012-10-17", "Statement": [logs, *[dict(s) for s in statements]]}
    )


def source_arn(execution_arn: pulumi.Input[str], source_path: str = "/*/*") -> pulumi.Output[str]:
    """`execution_arn` + `/<stage>/<METHOD>/<path>`, as API Gateway names its callers."""
    return pulumi.Output.concat(execution_arn, caller_path(source_path))


def caller_path(source_path: str) -> str:
    """`/<stage>/<METHOD>/<path>` with ANY and path parameters as `*`: neither is valid inside
    an execute-api ARN (`/*/ANY/items/{id}` -> `/*/*/items/*`)."""
    if not source_path.startswith("/"):
        raise ValueError(f"source_path must start with '/', got {source_path!r}")
    segments = source_path.split("/")
    if len(segments) > 2 and segments[2].upper() == "ANY":
        segments[2] = "*"
    return "/".join("*" if s.startswith("{") and s.endswith("}") else s for s in segments)


def allow_api_gateway(
    function: aws.lambda_.Function | LambdaFunction,
    part: str,
    execution_arn: pulumi.Input[str],
    source_path: str = "/*/*",
    region: str | None = None,
) -> aws.lambda_.Permission:
    """Let the API whose execution ARN is given invoke `function` (on `source_path` only:
    `/<stage>/<METHOD>/<path>`). Stages should depend on the result."""
    if isinstance(function, LambdaFunction):
        function = function.function
    return aws.lambda_.Permission(
        f"{part}-invoke-permission",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="apigateway.amazonaws.com",
        source_arn=source_arn(execution_arn, source_path),
        **naming.placed(region),
    )


def _check_statements(statements: Sequence[Mapping[str, Any]]) -> None:
    for statement in statements:
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise ValueError(f"IAM statement needs Effect Allow or Deny: {dict(statement)!r}")
        if "Action" not in statement or "Resource" not in statement:
            raise ValueError(f"IAM statement needs Action and Resource: {dict(statement)!r}")


def _files(root: Path, prefix: str) -> list[tuple[str, Path]]:
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for file_name in files:
            if file_name.endswith(_SKIPPED_SUFFIXES) or file_name.startswith("."):
                continue
            path = Path(directory) / file_name
            found.append((prefix + path.relative_to(root).as_posix(), path))
    return found
