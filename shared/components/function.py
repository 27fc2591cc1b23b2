"""A Lambda function with its own log group and a least-privilege role, as one component.

Default settings (each overridable through `FunctionArgs.function_args` unless marked fixed):
- runtime python3.12, handler `app.handler`, 256 MB, 10 s timeout;
- code: the function's folder plus the handler runtime, as a deterministic zip (fixed);
- role: its own, assumable by Lambda only, allowed to write to the function's own log group and
  nothing else, plus the caller's explicit `statements` (fixed: the role is the component's);
- log group `/aws/lambda/<function name>` with `log_retention_days` (7), created right after the
  function (its name derives from the auto-named function) and before anything can invoke it;
- tags: project, environment, managed-by (merged over the caller's).

Outputs: `function_name`, `function_arn`, `invoke_arn`, `role_arn`, `log_group_name`. They
resolve only once the role's policy and the log group exist, so whatever uses them (an API's
permission and stage) cannot call the function before it may log.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import boundary, naming
from shared.components.packaging import package

RUNTIME = "python3.12"
TYPE = "aigw:lambda:Function"


@dataclass(frozen=True, kw_only=True)
class FunctionArgs:
    source_dir: Path
    handler: str = "app.handler"
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    timeout_s: int = 10
    memory_mb: int = 256
    # IAM statements added to the role's one inline policy, e.g. {"Effect": "Allow",
    # "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/prefix/*"}; values may be Outputs.
    statements: Sequence[Mapping[str, Any]] = ()
    log_retention_days: int = 7
    description: str = ""
    region: str | None = None
    function_args: Mapping[str, Any] = field(default_factory=dict)  # extra aws.lambda_.Function


class Function(pulumi.ComponentResource):
    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    code_sha256: str

    def __init__(
        self, name: str, args: FunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _check(args)  # before any resource exists
        super().__init__(TYPE, name, None, opts)

        role = aws.iam.Role(  # IAM is global: no region
            f"{name}-role",
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
            permissions_boundary=boundary.for_stack(),
            tags=naming.tags(),
            opts=naming.child(self),
        )
        code = package(args.source_dir, name)
        self.code_sha256 = base64.b64encode(
            hashlib.sha256(Path(code.path).read_bytes()).digest()
        ).decode("ascii")
        function = aws.lambda_.Function(
            name,
            **naming.merged(
                TYPE,
                defaults={
                    "runtime": RUNTIME,
                    "handler": args.handler,
                    "timeout": args.timeout_s,
                    "memory_size": args.memory_mb,
                    "description": args.description or None,
                    "environment": (
                        {"variables": dict(args.environment)} if args.environment else None
                    ),
                    "region": args.region,
                },
                extra=args.function_args,
                insisted={
                    "role": role.arn,
                    "code": code,
                    "source_code_hash": self.code_sha256,
                    "tags": naming.tags(),
                },
            ),
            opts=naming.child(self),
        )
        # Lambda writes to /aws/lambda/<name>; ours exists first, with retention. Its name is
        # fixed by the function's, so a replacement must delete the old group first.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=pulumi.Output.concat("/aws/lambda/", function.name),
            retention_in_days=args.log_retention_days,
            tags=naming.tags(),
            region=args.region,
            opts=naming.child(self, delete_before_replace=True),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=policy_document(log_group.arn, args.statements),
            opts=naming.child(self),
        )

        def ready(value: pulumi.Output[str]) -> pulumi.Output[str]:
            """`value`, once the function may write its logs."""
            return pulumi.Output.all(value, log_group.arn, policy.id).apply(lambda v: v[0])

        self.function_name = ready(function.name)
        self.function_arn = ready(function.arn)
        self.invoke_arn = ready(function.invoke_arn)
        self.role_arn = role.arn
        self.log_group_name = log_group.name
        # Plain, for the APIs in front of it: it must give up before their integration does.
        self.timeout_s = args.timeout_s
        self.register_outputs(
            {
                "function_name": self.function_name,
                "function_arn": self.function_arn,
                "code_sha256": self.code_sha256,
                "invoke_arn": self.invoke_arn,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
            }
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
    function: Function,
    name: str,
    execution_arn: pulumi.Input[str],
    source_path: str = "/*/*",
    *,
    region: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.lambda_.Permission:
    """Let the API whose execution ARN is given invoke `function`, on `source_path` only
    (`/<stage>/<METHOD>/<path>`). Without it API Gateway answers 500; stages should depend
    on the result."""
    return aws.lambda_.Permission(
        f"{name}-invoke-permission",
        action="lambda:InvokeFunction",
        function=function.function_name,
        principal="apigateway.amazonaws.com",
        source_arn=source_arn(execution_arn, source_path),
        region=region,
        opts=opts,
    )


def _check(args: FunctionArgs) -> None:
    if not 1 <= args.timeout_s <= 900:
        raise ValueError(f"timeout_s must be 1..900 seconds, got {args.timeout_s}")
    if not 128 <= args.memory_mb <= 10_240:
        raise ValueError(f"memory_mb must be 128..10240, got {args.memory_mb}")
    _check_statements(args.statements)


def _check_statements(statements: Sequence[Mapping[str, Any]]) -> None:
    for statement in statements:
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise ValueError(f"IAM statement needs Effect Allow or Deny: {dict(statement)!r}")
        if "Action" not in statement or "Resource" not in statement:
            raise ValueError(f"IAM statement needs Action and Resource: {dict(statement)!r}")
