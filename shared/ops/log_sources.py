"""Which CloudWatch Logs groups belong to a deployed stack, for `invoke logs`.

They come from what the stack deployed, never from a listing of the account's groups:
- each Lambda function writes to `/aws/lambda/<function name>` (or the group its
  `loggingConfig` names); its source is the function's logical name, as the program calls it;
- each API Gateway stage (REST or HTTP API) writes its access log to the group its
  `accessLogSettings.destinationArn` names; its source is `access` (`access:<stage>` when
  the stack has several stages);
- any other group the stack declares (a REST stage's execution logs) shows too, by its
  logical name.
Locally the resources are the engine's recorded state; on AWS, `pulumi stack export` of the
stack (the resources as the CLI reports them). The same records give the same groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared import catalog
from shared.errors import UserError

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STAGES = ("aws:apigateway/stage:Stage", "aws:apigatewayv2/stage:Stage")
ACCESS = "access"


@dataclass(frozen=True)
class Resource:
    """What both environments record of a resource: type, logical name, physical id and the
    properties (inputs and outputs together) that name its log group."""

    type: str
    name: str
    id: str
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class LogSource:
    """One log group of the stack: where it is and what its events are shown as."""

    label: str  # the function's logical name, `access`, or the group's logical name
    group: str
    region: str
    function: bool  # a Lambda function's own group (what --function chooses among)


def sources(resources: Iterable[Resource], default_region: str) -> list[LogSource]:
    """The stack's log groups: its functions' first (in the order deployed), then access
    logs, then any other group it declares; each group once."""
    resources = list(resources)
    found: dict[tuple[str, str], LogSource] = {}

    def add(source: LogSource) -> None:
        found.setdefault((source.region, source.group), source)

    for resource in resources:
        if resource.type == FUNCTION:
            props = resource.properties
            name = str(props.get("name") or resource.id)
            group = (props.get("loggingConfig") or {}).get("logGroup") or f"/aws/lambda/{name}"
            region = _region(props, default_region)
            add(LogSource(resource.name, group, region, function=True))
    stages = [r for r in resources if r.type in STAGES and _access_log_arn(r)]
    for resource in stages:
        group, region = _group_of(_access_log_arn(resource), default_region)
        # Several stages (the versions stack's v1, v2, live): which one is in the label.
        stage = resource.properties.get("stageName") or resource.properties.get("name")
        label = f"{ACCESS}:{stage}" if len(stages) > 1 and stage else ACCESS
        add(LogSource(label, group, region, function=False))
    for resource in resources:
        if resource.type == LOG_GROUP:
            props = resource.properties
            group = str(props.get("name") or resource.id)
            add(LogSource(resource.name, group, _region(props, default_region), function=False))
    return list(found.values())


def local_resources(stack: str) -> list[Resource]:
    """The stack's resources as the local engine recorded them (empty: not deployed)."""
    from shared.local.engine.state import StateStore
    from shared.ops import local

    state = StateStore(local.state_path(stack))
    return [
        Resource(r.type, r.name, r.id, {**r.inputs, **r.outputs}) for r in state.resources.values()
    ]


def cloud_resources(stack: str, env: str) -> list[Resource]:
    """The stack's resources as `pulumi stack export` reports them (empty: not deployed)."""
    from shared.ops import cloud

    resources = []
    for entry in cloud.resources(stack, env):
        urn = str(entry.get("urn", ""))
        props = {**(entry.get("inputs") or {}), **(entry.get("outputs") or {})}
        name = urn.rsplit("::", 1)[-1]  # the logical name ends the URN
        resources.append(Resource(str(entry.get("type", "")), name, entry.get("id", ""), props))
    return resources


def for_stack(stack: str, env: str) -> list[LogSource]:
    """The log groups of `stack` as deployed to `env`, or a UserError saying it is not."""
    from shared.ops.stack_files import stack_config

    if env == catalog.LOCAL:
        resources = local_resources(stack)
        how = f"deploy it with `invoke deploy --stack={stack}`"
    else:
        resources = cloud_resources(stack, env)
        how = f"deploy it with `invoke deploy --stack={stack} --env={env}`"
    if not any(r.type != "pulumi:pulumi:Stack" for r in resources):
        raise UserError(f"{stack} is not deployed to {env}: it has no logs yet; {how}.")
    region = stack_config(catalog.stack_dir(stack), env).get("aws:region", "us-east-1")
    return sources(resources, str(region))


def _access_log_arn(stage: Resource) -> str:
    settings = stage.properties.get("accessLogSettings") or {}
    if isinstance(settings, list):  # pulumi-aws 6 exported it as a one-item list
        settings = settings[0] if settings else {}
    return str(settings.get("destinationArn") or "")


def _region(props: Mapping[str, Any], default: str) -> str:
    """pulumi-aws 7's per-resource `region`, else the one in its ARN, else the stack's."""
    if region := props.get("region"):
        return str(region)
    parts = str(props.get("arn") or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


def _group_of(arn: str, default_region: str) -> tuple[str, str]:
    """(group name, region) of `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`."""
    head, _, name = arn.partition(":log-group:")
    parts = head.split(":")
    region = parts[3] if len(parts) > 3 and parts[3] else default_region
    return name.removesuffix(":*"), region
