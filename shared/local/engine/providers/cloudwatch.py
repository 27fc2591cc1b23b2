"""pulumi-aws's `cloudwatch` module on the emulator: CloudWatch Logs log groups, CloudWatch
metric alarms, and EventBridge buses, rules and targets (pulumi-aws keeps EventBridge under
`cloudwatch`, its name before the service was renamed).

Where MiniStack 1.5.33 differs from AWS:
- A log group's data-protection, deletion protection and infrequent-access limits are not
  enforced; `deletionProtectionEnabled` is not applied, so not accepted.
- EventBridge delivers events to SQS, SNS, Lambda, Step Functions and other buses, but does not
  check that the target's resource policy lets events.amazonaws.com in (AWS drops the event).
  It keeps no event bus dead-letter, KMS or log configuration, so those inputs are not accepted.
- ListTargetsByRule on a missing rule answers with no targets (AWS: ResourceNotFoundException).
- Metric alarms are stored and evaluated against put metric data; metric-math alarms
  (`metricQueries`) are not applied here, so not accepted.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.live import live_inputs, same_document
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    as_int,
    drop_none,
    not_found,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import CLOUDWATCH, CLOUDWATCH_LOGS, EVENTBRIDGE, tag_list

DEFAULT_BUS = "default"


# -- CloudWatch Logs ----------------------------------------------------------------------------


def log_group_arn(ctx: Context, name: str, region: str | None = None) -> str:
    return f"arn:aws:logs:{region or ctx.region}:{ctx.account_id}:log-group:{name}"


@provides
class LogGroup(Provider):
    type_token = "aws:cloudwatch/logGroup:LogGroup"
    service = "logs"
    inputs = frozenset(
        {
            "name",
            "namePrefix",
            "retentionInDays",
            "kmsKeyId",
            "logGroupClass",
            "skipDestroy",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"arn", "tagsAll"})
    # skipDestroy only changes what delete does; no API call.
    updatable = frozenset({"retentionInDays", "tags", "skipDestroy"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=512)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        name = i["name"]
        client = self.client(ctx, i)
        client.create_log_group(
            **drop_none(
                logGroupName=name,
                logGroupClass=i.get("logGroupClass"),
                kmsKeyId=i.get("kmsKeyId"),
                tags=i.get("tags") or None,
            )
        )
        try:
            if i.get("retentionInDays"):
                self._set_retention(client, name, i["retentionInDays"])
        except Exception:
            # Leave nothing unrecorded behind: a half-made group would block the next create.
            client.delete_log_group(logGroupName=name)
            raise
        return Created(name, self._outputs(ctx, name, i))

    def _outputs(self, ctx: Context, name: str, inputs: Inputs) -> Outputs:
        return {
            "name": name,
            "arn": log_group_arn(ctx, name, ctx.region_of(inputs)),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        if have.inputs.get("retentionInDays") != want.inputs.get("retentionInDays"):
            self._set_retention(client, have.id, want.inputs.get("retentionInDays"))
        arn = log_group_arn(ctx, have.id, ctx.region_of(want.inputs))
        CLOUDWATCH_LOGS.retag(client, arn, have.inputs.get("tags"), want.inputs.get("tags"))
        return self._outputs(ctx, have.id, want.inputs)

    @staticmethod
    def _set_retention(client: Client, name: str, days: float | None) -> None:
        """0 or none: keep events forever."""
        if days:
            client.put_retention_policy(logGroupName=name, retentionInDays=as_int(days))
        else:
            client.delete_retention_policy(logGroupName=name)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        if have.inputs.get("skipDestroy"):
            return  # left on the emulator, as the AWS provider leaves it on AWS
        self.client(ctx, have.inputs).delete_log_group(logGroupName=have.id)

    def _describe(self, client: Client, name: str) -> dict[str, Any] | None:
        pages = client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
        for page in pages:
            for group in page.get("logGroups", []):
                if group["logGroupName"] == name:
                    return dict(group)
        return None

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        group = self._describe(client, have.id)
        if group is None:
            raise not_found(f"log group {have.id}")
        arn = log_group_arn(ctx, have.id, ctx.region_of(have.inputs))
        live = {
            "name": group["logGroupName"],
            # No retention is "never expire", which the program writes as 0 or leaves out.
            "retentionInDays": float(group.get("retentionInDays") or 0),
            "kmsKeyId": group.get("kmsKeyId"),
            "logGroupClass": group.get("logGroupClass", "STANDARD"),
            "tags": CLOUDWATCH_LOGS.read(client, arn),
        }
        if "retentionInDays" not in have.inputs and not live["retentionInDays"]:
            del live["retentionInDays"]
        return live_inputs(have.inputs, live, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        return name if self._describe(self.client(ctx, want.inputs), name) else None


# -- CloudWatch metric alarms -------------------------------------------------------------------

# Alarm inputs that map one to one onto PutMetricAlarm parameters (numbers as integers).
_ALARM_PARAMETERS = {
    "alarmDescription": "AlarmDescription",
    "comparisonOperator": "ComparisonOperator",
    "evaluationPeriods": "EvaluationPeriods",
    "metricName": "MetricName",
    "namespace": "Namespace",
    "period": "Period",
    "statistic": "Statistic",
    "extendedStatistic": "ExtendedStatistic",
    "threshold": "Threshold",
    "unit": "Unit",
    "datapointsToAlarm": "DatapointsToAlarm",
    "treatMissingData": "TreatMissingData",
    "evaluateLowSampleCountPercentiles": "EvaluateLowSampleCountPercentile",
    "actionsEnabled": "ActionsEnabled",
    "alarmActions": "AlarmActions",
    "okActions": "OKActions",
    "insufficientDataActions": "InsufficientDataActions",
}
_INTEGERS = frozenset({"EvaluationPeriods", "Period", "DatapointsToAlarm"})
# What DescribeAlarms reports for a setting the program left out: another value is drift.
_ALARM_DEFAULTS: dict[str, Any] = {
    "dimensions": {},
    "actionsEnabled": True,
    "alarmActions": [],
    "okActions": [],
    "insufficientDataActions": [],
    "treatMissingData": "missing",
    "tags": {},
}


@provides
class MetricAlarm(Provider):
    """An alarm on one metric; its id is its name. PutMetricAlarm makes and changes it."""

    type_token = "aws:cloudwatch/metricAlarm:MetricAlarm"
    service = "cloudwatch"
    inputs = frozenset({"name", "dimensions", "tags", "region", *_ALARM_PARAMETERS})
    outputs = frozenset({"arn", "tagsAll"})
    updatable = frozenset({"dimensions", "tags", *_ALARM_PARAMETERS})
    auto_name = AutoName("name", max_length=255)
    # PutMetricAlarm overwrites an alarm of the same name.
    identity = ("name",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        self._put(client, i, tags=i.get("tags"))
        try:
            outputs = self._outputs(client, i)
        except Exception:
            client.delete_alarms(AlarmNames=[i["name"]])  # leave nothing unrecorded behind
            raise
        return Created(i["name"], outputs)

    @staticmethod
    def _put(client: Client, inputs: Inputs, tags: dict[str, str] | None) -> None:
        parameters = {
            api: (as_int(inputs[prop]) if api in _INTEGERS else inputs[prop])
            for prop, api in _ALARM_PARAMETERS.items()
            if inputs.get(prop) is not None
        }
        dimensions = [{"Name": k, "Value": v} for k, v in (inputs.get("dimensions") or {}).items()]
        client.put_metric_alarm(
            AlarmName=inputs["name"],
            Dimensions=dimensions,
            **parameters,
            **({"Tags": tag_list(tags)} if tags else {}),
        )

    @staticmethod
    def _outputs(client: Client, inputs: Inputs) -> Outputs:
        [alarm] = client.describe_alarms(AlarmNames=[inputs["name"]])["MetricAlarms"]
        return {"arn": alarm["AlarmArn"], "tagsAll": dict(inputs.get("tags") or {})}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        self._put(client, want.inputs, tags=None)  # tags of an existing alarm: TagResource
        arn = self._outputs(client, want.inputs)["arn"]
        CLOUDWATCH.retag(client, arn, have.inputs.get("tags"), want.inputs.get("tags"))
        return self._outputs(client, want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_alarms(AlarmNames=[have.id])

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        alarms = client.describe_alarms(AlarmNames=[have.id])["MetricAlarms"]
        if not alarms:
            raise not_found(f"metric alarm {have.id}")
        alarm = alarms[0]
        live: Inputs = {
            prop: (float(alarm[api]) if api in _INTEGERS else alarm[api])
            for prop, api in _ALARM_PARAMETERS.items()
            if api in alarm
        }
        live["name"] = alarm["AlarmName"]
        live["dimensions"] = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
        live["tags"] = CLOUDWATCH.read(client, alarm["AlarmArn"])
        return live_inputs(have.inputs, live, _ALARM_DEFAULTS)

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        alarms = self.client(ctx, want.inputs).describe_alarms(AlarmNames=[name])["MetricAlarms"]
        return str(name) if alarms else None


# -- EventBridge buses --------------------------------------------------------------------------


@provides
class EventBus(Provider):
    """A custom event bus; its id is its name, as in the AWS provider."""

    type_token = "aws:cloudwatch/eventBus:EventBus"
    service = "events"
    inputs = frozenset({"name", "description", "tags", "region"})
    outputs = frozenset({"arn", "tagsAll"})
    updatable = frozenset({"description", "tags"})
    auto_name = AutoName("name", max_length=256)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        arn = self.client(ctx, i).create_event_bus(
            **drop_none(
                Name=i["name"],
                Description=i.get("description"),
                Tags=tag_list(i.get("tags")) or None,
            )
        )["EventBusArn"]
        return Created(i["name"], {"arn": arn, "tagsAll": dict(i.get("tags") or {})})

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        if have.inputs.get("description") != want.inputs.get("description"):
            client.update_event_bus(Name=have.id, Description=want.inputs.get("description") or "")
        arn = client.describe_event_bus(Name=have.id)["Arn"]
        EVENTBRIDGE.retag(client, arn, have.inputs.get("tags"), want.inputs.get("tags"))
        return {"arn": arn, "tagsAll": dict(want.inputs.get("tags") or {})}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_event_bus(Name=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        bus = client.describe_event_bus(Name=have.id)
        live = {
            "name": bus["Name"],
            "description": bus.get("Description") or None,
            "tags": EVENTBRIDGE.read(client, bus["Arn"]),
        }
        return live_inputs(have.inputs, live, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        found = self.lookup(self.client(ctx, want.inputs).describe_event_bus, Name=name)
        return None if found is None else str(name)


# -- EventBridge rules --------------------------------------------------------------------------


def _bus(inputs: Inputs) -> str:
    return str(inputs.get("eventBusName") or DEFAULT_BUS)


def _rule_id(inputs: Inputs) -> str:
    """The AWS provider's id of a rule: `<bus>/<name>`, the name alone on the default bus."""
    bus = _bus(inputs)
    return str(inputs["name"]) if bus == DEFAULT_BUS else f"{bus}/{inputs['name']}"


def _target_id(inputs: Inputs) -> str:
    """The AWS provider's id of a target: `<bus>/<rule>/<target id>`, or `<rule>-<target id>`
    on the default bus."""
    bus, rule, target = _bus(inputs), inputs["rule"], inputs["targetId"]
    return f"{rule}-{target}" if bus == DEFAULT_BUS else f"{bus}/{rule}/{target}"


def _rule_state(inputs: Inputs) -> str:
    """`state` wins; the deprecated `isEnabled` maps onto ENABLED / DISABLED."""
    if inputs.get("state"):
        return str(inputs["state"])
    return "DISABLED" if inputs.get("isEnabled") is False else "ENABLED"


@provides
class EventRule(Provider):
    """A rule on a bus: an event pattern or a schedule. PutRule makes and changes it."""

    type_token = "aws:cloudwatch/eventRule:EventRule"
    service = "events"
    inputs = frozenset(
        {
            "name",
            "namePrefix",
            "eventBusName",
            "description",
            "eventPattern",
            "scheduleExpression",
            "roleArn",
            "state",
            "isEnabled",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"arn", "tagsAll"})
    updatable = frozenset(
        {
            "description",
            "eventPattern",
            "scheduleExpression",
            "roleArn",
            "state",
            "isEnabled",
            "tags",
        }
    )
    auto_name = AutoName("name", prefix="namePrefix", max_length=64)
    # PutRule overwrites a rule of the same name on the same bus.
    identity = ("name", "eventBusName")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        arn = self._put(client, i, {}, tags=i.get("tags"))
        return Created(_rule_id(i), {"arn": arn, "tagsAll": dict(i.get("tags") or {})})

    @staticmethod
    def _put(client: Client, new: Inputs, old: Inputs, tags: dict[str, str] | None) -> str:
        """PutRule keeps a description or role it is not given: clear the ones that went."""
        return str(
            client.put_rule(
                **drop_none(
                    Name=new["name"],
                    EventBusName=_bus(new),
                    EventPattern=new.get("eventPattern"),
                    ScheduleExpression=new.get("scheduleExpression"),
                    State=_rule_state(new),
                    Description=new.get("description", "" if old.get("description") else None),
                    RoleArn=new.get("roleArn", "" if old.get("roleArn") else None),
                    Tags=tag_list(tags) or None,
                )
            )["RuleArn"]
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        arn = self._put(client, want.inputs, have.inputs, tags=None)
        EVENTBRIDGE.retag(client, arn, have.inputs.get("tags"), want.inputs.get("tags"))
        return {"arn": arn, "tagsAll": dict(want.inputs.get("tags") or {})}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).delete_rule(Name=i["name"], EventBusName=_bus(i))

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        rule = client.describe_rule(Name=i["name"], EventBusName=_bus(i))
        state = rule.get("State", "ENABLED")
        live = {
            "name": rule["Name"],
            "eventBusName": rule.get("EventBusName", DEFAULT_BUS),
            "description": rule.get("Description") or None,
            "eventPattern": same_document(i.get("eventPattern"), rule.get("EventPattern")),
            "scheduleExpression": rule.get("ScheduleExpression") or None,
            "roleArn": rule.get("RoleArn") or None,
            "state": state,
            "isEnabled": state != "DISABLED",
            "tags": EVENTBRIDGE.read(client, rule["Arn"]),
        }
        # A rule the program leaves enabled by default and that was disabled has drifted,
        # unless the program says so through the older `isEnabled`.
        default = {"tags": {}} if "isEnabled" in i else {"state": "ENABLED", "tags": {}}
        return live_inputs(have.inputs, live, default)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        found = self.lookup(self.client(ctx, i).describe_rule, Name=i["name"], EventBusName=_bus(i))
        return None if found is None else _rule_id(i)


# -- EventBridge targets ------------------------------------------------------------------------


def _target(inputs: Inputs) -> dict[str, Any]:
    """The PutTargets entry for a target's inputs."""
    transformer = inputs.get("inputTransformer")
    retry = inputs.get("retryPolicy")
    dead_letter = inputs.get("deadLetterConfig")
    sqs = inputs.get("sqsTarget")
    return drop_none(
        Id=inputs["targetId"],
        Arn=inputs["arn"],
        RoleArn=inputs.get("roleArn"),
        Input=inputs.get("input"),
        InputPath=inputs.get("inputPath"),
        InputTransformer=(
            drop_none(
                InputPathsMap=transformer.get("inputPaths"),
                InputTemplate=transformer.get("inputTemplate"),
            )
            if transformer
            else None
        ),
        RetryPolicy=(
            drop_none(
                MaximumRetryAttempts=as_int(retry.get("maximumRetryAttempts")),
                MaximumEventAgeInSeconds=as_int(retry.get("maximumEventAgeInSeconds")),
            )
            if retry
            else None
        ),
        DeadLetterConfig=drop_none(Arn=dead_letter.get("arn")) if dead_letter else None,
        SqsParameters=drop_none(MessageGroupId=sqs.get("messageGroupId")) if sqs else None,
    )


def _live_target(target: dict[str, Any], recorded: Inputs) -> Inputs:
    """A target as the program writes it (camelCase blocks, numbers as floats)."""
    transformer = target.get("InputTransformer")
    retry = target.get("RetryPolicy")
    sqs = target.get("SqsParameters")
    dead_letter = target.get("DeadLetterConfig")

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        "targetId": target["Id"],
        "arn": target["Arn"],
        "roleArn": target.get("RoleArn") or None,
        "input": same_document(recorded.get("input"), target.get("Input")),
        "inputPath": target.get("InputPath") or None,
        "inputTransformer": (
            drop_none(
                inputPaths=transformer.get("InputPathsMap"),
                inputTemplate=transformer.get("InputTemplate"),
            )
            if transformer
            else None
        ),
        "retryPolicy": (
            drop_none(
                maximumRetryAttempts=number(retry.get("MaximumRetryAttempts")),
                maximumEventAgeInSeconds=number(retry.get("MaximumEventAgeInSeconds")),
            )
            if retry
            else None
        ),
        "deadLetterConfig": drop_none(arn=dead_letter.get("Arn")) if dead_letter else None,
        "sqsTarget": drop_none(messageGroupId=sqs.get("MessageGroupId")) if sqs else None,
    }


@provides
class EventTarget(Provider):
    """One target of a rule (a queue, a function, a state machine, a bus ...). PutTargets makes
    and changes it. Only the target kinds below are applied: ECS, Batch, Kinesis,
    Redshift, SageMaker, AppSync, HTTP and Run Command targets are not accepted."""

    type_token = "aws:cloudwatch/eventTarget:EventTarget"
    service = "events"
    inputs = frozenset(
        {
            "rule",
            "eventBusName",
            "targetId",
            "arn",
            "roleArn",
            "input",
            "inputPath",
            "inputTransformer",
            "retryPolicy",
            "deadLetterConfig",
            "sqsTarget",
            "region",
        }
    )
    updatable = frozenset(
        {
            "arn",
            "roleArn",
            "input",
            "inputPath",
            "inputTransformer",
            "retryPolicy",
            "deadLetterConfig",
            "sqsTarget",
        }
    )
    auto_name = AutoName("targetId", max_length=64)
    # PutTargets overwrites the target of the same id on the same rule.
    identity = ("rule", "eventBusName", "targetId")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        self._put(ctx, i)
        return Created(_target_id(i), {"targetId": i["targetId"]})

    def _put(self, ctx: Context, inputs: Inputs) -> None:
        answer = self.client(ctx, inputs).put_targets(
            Rule=inputs["rule"], EventBusName=_bus(inputs), Targets=[_target(inputs)]
        )
        if answer.get("FailedEntryCount"):
            [failed] = answer["FailedEntries"]
            raise ClientError(
                {"Error": {"Code": failed.get("ErrorCode"), "Message": failed.get("ErrorMessage")}},
                "PutTargets",
            )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._put(ctx, want.inputs)
        return {"targetId": want.inputs["targetId"]}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        i = have.inputs
        self.client(ctx, i).remove_targets(
            Rule=i["rule"], EventBusName=_bus(i), Ids=[i["targetId"]]
        )

    def _live(self, ctx: Context, inputs: Inputs) -> dict[str, Any] | None:
        client = self.client(ctx, inputs)
        pages = client.get_paginator("list_targets_by_rule").paginate(
            Rule=inputs["rule"], EventBusName=_bus(inputs)
        )
        for page in pages:
            for target in page.get("Targets", []):
                if target["Id"] == inputs["targetId"]:
                    return dict(target)
        return None

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        target = self._live(ctx, i)
        if target is None:
            raise not_found(f"target {i['targetId']} of rule {i['rule']}")
        live = {"rule": i["rule"], "eventBusName": _bus(i), **_live_target(target, i)}
        return live_inputs(have.inputs, live)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        target = self.lookup(self._live, ctx=ctx, inputs=i)
        return None if target is None else _target_id(i)
