"""The DynamoDB, SQS, SNS, EventBridge, CloudWatch and Step Functions providers against a real
emulator.

Each type, applied through its provider alone: create (checked with boto3), read gives back
exactly the recorded inputs (no false drift), an updatable input changes in place, a change made
directly with boto3 shows as drift, find() finds what create made, delete leaves nothing. Then
two small Pulumi programs (tests/engine/programs/ai_data, ai_events) deployed, used (an event
put on the bus reaches the queue, a workflow execution succeeds), redeployed as a no-op and
destroyed.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError

from shared.local.engine.engine import Action
from shared.local.engine.naming import check
from shared.local.engine.providers import REGISTRY, Context, Desired
from shared.local.engine.state import ResourceRecord
from shared.local.engine.values import plain

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ACCOUNT = "000000000000"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Applied:
    """One resource applied through its provider alone, its record kept as the engine keeps
    it (plain inputs, the auto-name filled in and listed in `defaults`)."""

    def __init__(self, ctx: Context, token: str, name: str, inputs: dict[str, Any]) -> None:
        self.ctx = ctx
        self.provider = REGISTRY[token]
        checked = check(self.provider.auto_name, name, inputs, None)
        self.want = Desired(f"{token}::{name}", name, checked.inputs)
        created = self.provider.create(ctx, self.want)
        self.record = ResourceRecord(
            token,
            name,
            created.id,
            plain(checked.inputs),
            plain({**checked.inputs, **created.outputs}),
            defaults=list(checked.defaults),
        )
        self.deleted = False

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def outputs(self) -> dict[str, Any]:
        return self.record.outputs

    def live(self) -> dict[str, Any]:
        live = self.provider.read(self.ctx, self.record)
        assert isinstance(live, dict)
        # read compares only inputs the provider applies
        assert set(live) <= (self.provider.inputs or set()), set(live) - set(
            self.provider.inputs or ()
        )
        return live

    def drift(self) -> dict[str, tuple[Any, Any]]:
        """Recorded and live value of each input that differs."""
        return {
            key: (self.record.inputs.get(key), value)
            for key, value in self.live().items()
            if self.record.inputs.get(key) != value
        }

    def update(self, **changes: Any) -> None:
        inputs = {**self.want.inputs, **changes}
        inputs = {k: v for k, v in inputs.items() if v is not None}
        assert set(changes) <= self.provider.updatable
        want = replace(self.want, inputs=inputs)
        outputs = self.provider.update(self.ctx, self.record, want)
        self.want = want
        self.record = replace(
            self.record, inputs=plain(inputs), outputs=plain({**inputs, **outputs})
        )

    def found(self) -> str | None:
        return self.provider.find(self.ctx, self.want)

    def delete(self) -> None:
        self.provider.delete(self.ctx, self.record)
        self.deleted = True

    def exists(self) -> bool:
        return self.provider.exists(self.ctx, self.record)


@pytest.fixture
def ctx(emulator_server) -> Context:
    return Context(emulator_server.url, REGION)


@pytest.fixture
def apply(ctx) -> Iterator[Callable[..., Applied]]:
    """`apply(token, logical name, **inputs)`; whatever a test leaves is deleted after it, newest
    first."""
    made: list[Applied] = []

    def make(token: str, logical: str, /, **inputs: Any) -> Applied:
        applied = Applied(ctx, token, logical, inputs)
        made.append(applied)
        return applied

    yield make
    for applied in reversed(made):
        if not applied.deleted:
            applied.provider.delete_if_present(ctx, applied.record)


def assert_lifecycle_end(resource: Applied) -> None:
    """find() finds what create made; after delete nothing is left and find() finds nothing."""
    assert resource.found() == resource.id
    resource.delete()
    assert not resource.exists()
    assert resource.found() is None


# -- DynamoDB -----------------------------------------------------------------------------------

TABLE = "aws:dynamodb/table:Table"


def test_table_with_indexes_stream_ttl_and_recovery(apply, emulator_client):
    ddb = emulator_client("dynamodb")
    table = apply(
        TABLE,
        "conversations",
        hashKey="sessionId",
        rangeKey="turn",
        attributes=[
            {"name": "sessionId", "type": "S"},
            {"name": "turn", "type": "N"},
            {"name": "userId", "type": "S"},
        ],
        billingMode="PROVISIONED",
        readCapacity=2.0,
        writeCapacity=3.0,
        globalSecondaryIndexes=[
            {
                "name": "byUser",
                "hashKey": "userId",
                "projectionType": "INCLUDE",
                "nonKeyAttributes": ["title"],
                "readCapacity": 1.0,
                "writeCapacity": 1.0,
            }
        ],
        streamEnabled=True,
        streamViewType="NEW_IMAGE",
        ttl={"attributeName": "expiresAt", "enabled": True},
        pointInTimeRecovery={"enabled": True},
        tags={"owner": "first"},
    )
    name = table.id
    assert name.startswith("conversations-")  # auto-named
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert [g["IndexName"] for g in described["GlobalSecondaryIndexes"]] == ["byUser"]
    assert table.outputs["arn"] == described["TableArn"]
    assert table.outputs["streamArn"] == described["LatestStreamArn"]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiresAt")
    assert table.drift() == {}

    # Capacity, a new index, the stream off, TTL off and a tag change in place.
    table.update(
        writeCapacity=5.0,
        attributes=[*table.want.inputs["attributes"], {"name": "model", "type": "S"}],
        globalSecondaryIndexes=[
            *table.want.inputs["globalSecondaryIndexes"],
            {
                "name": "byModel",
                "hashKey": "model",
                "projectionType": "ALL",
                "readCapacity": 1.0,
                "writeCapacity": 1.0,
            },
        ],
        streamEnabled=False,
        streamViewType=None,
        ttl={"attributeName": "expiresAt", "enabled": False},
        tags={"owner": "second"},
    )
    described = ddb.describe_table(TableName=name)["Table"]
    assert table.id == name
    assert described["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert sorted(g["IndexName"] for g in described["GlobalSecondaryIndexes"]) == [
        "byModel",
        "byUser",
    ]
    assert table.outputs["streamArn"] == ""
    assert (
        ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"]
        == "DISABLED"
    )
    assert table.drift() == {}

    # Behind the engine's back: recovery turned off, a tag removed.
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    ddb.untag_resource(ResourceArn=described["TableArn"], TagKeys=["owner"])
    assert table.drift() == {
        "pointInTimeRecovery": ({"enabled": True}, {"enabled": False}),
        "tags": ({"owner": "second"}, {}),
    }

    assert_lifecycle_end(table)
    assert name not in ddb.list_tables()["TableNames"]


def test_on_demand_table_with_explicit_name_reads_back_unchanged(apply, emulator_client):
    name = unique("jobs")
    table = apply(
        TABLE,
        "jobs",
        name=name,
        hashKey="id",
        attributes=[{"name": "id", "type": "S"}],
        billingMode="PAY_PER_REQUEST",
    )
    assert table.id == name
    assert table.outputs["streamArn"] == ""
    assert table.drift() == {}
    # An on-demand table that gained a stream behind the engine's back has not drifted in any
    # input the program set; one switched to provisioned capacity has.
    emulator_client("dynamodb").update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    assert table.drift() == {"billingMode": ("PAY_PER_REQUEST", "PROVISIONED")}
    assert_lifecycle_end(table)


def test_table_whose_ttl_is_refused_is_not_left_behind(apply, emulator_client):
    # AWS rule: a TTL attribute name has at least one character (botocore checks it before
    # sending). The table is made first, so the failed create must remove it again, or the
    # next attempt would collide with it.
    name = unique("refused")
    with pytest.raises(ParamValidationError, match="AttributeName"):
        apply(
            TABLE,
            "refused",
            name=name,
            hashKey="id",
            attributes=[{"name": "id", "type": "S"}],
            billingMode="PAY_PER_REQUEST",
            ttl={"attributeName": "", "enabled": True},
        )
    assert name not in emulator_client("dynamodb").list_tables()["TableNames"]


# -- SQS ----------------------------------------------------------------------------------------

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"


def send_policy(queue_arn: str, service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                }
            ],
        }
    )


def test_queue_attributes_redrive_policy_and_tags(apply, emulator_client):
    sqs = emulator_client("sqs")
    dead = apply(QUEUE, "dead", messageRetentionSeconds=1209600.0)
    redrive = json.dumps({"deadLetterTargetArn": dead.outputs["arn"], "maxReceiveCount": 3})
    queue = apply(
        QUEUE,
        "jobs",
        visibilityTimeoutSeconds=60.0,
        messageRetentionSeconds=86400.0,
        delaySeconds=2.0,
        maxMessageSize=2048.0,
        receiveWaitTimeSeconds=10.0,
        redrivePolicy=redrive,
        tags={"owner": "first"},
    )
    url = queue.id
    assert url == queue.outputs["url"]
    assert queue.outputs["arn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue.want.inputs['name']}"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["VisibilityTimeout"], attributes["DelaySeconds"]) == ("60", "2")
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 3
    assert queue.drift() == {}

    queue.update(visibilityTimeoutSeconds=120.0, delaySeconds=None, tags={"team": "ml"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    # An input no longer set goes back to AWS's default (DelaySeconds 0).
    assert (attributes["VisibilityTimeout"], attributes["DelaySeconds"]) == ("120", "0")
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "ml"}
    assert queue.drift() == {}

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5"})
    sqs.tag_queue(QueueUrl=url, Tags={"extra": "x"})
    assert queue.drift() == {
        "visibilityTimeoutSeconds": (120.0, 5.0),
        "tags": ({"team": "ml"}, {"team": "ml", "extra": "x"}),
    }

    assert_lifecycle_end(queue)
    assert url not in sqs.list_queues().get("QueueUrls", [])


def test_fifo_queue_auto_name_ends_in_fifo(apply, emulator_client):
    # AWS rule: a FIFO queue's name must end with ".fifo" (pulumi-aws adds it to auto-names).
    queue = apply(QUEUE, "orders", fifoQueue=True, contentBasedDeduplication=True)
    assert queue.outputs["name"].endswith(".fifo")
    assert queue.outputs["arn"].endswith(".fifo")
    assert not queue.want.inputs["name"].endswith(".fifo")  # the record keeps the auto-name
    assert queue.drift() == {}
    queue.update(contentBasedDeduplication=False)
    assert queue.drift() == {}
    # A setting the program left to AWS's default (30 s) changed behind the engine's back.
    emulator_client("sqs").set_queue_attributes(
        QueueUrl=queue.id, Attributes={"VisibilityTimeout": "5"}
    )
    assert queue.drift() == {"visibilityTimeoutSeconds": (None, 5.0)}
    assert_lifecycle_end(queue)


def test_queue_policy_is_set_compared_by_meaning_and_removed(apply, emulator_client):
    sqs = emulator_client("sqs")
    queue = apply(QUEUE, "events")
    policy = send_policy(queue.outputs["arn"], "events.amazonaws.com")
    attached = apply(QUEUE_POLICY, "policy", queueUrl=queue.id, policy=policy)
    assert attached.id == queue.id
    live = sqs.get_queue_attributes(QueueUrl=queue.id, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(live["Policy"]) == json.loads(policy)
    assert attached.drift() == {}  # however the emulator formats the document

    other = send_policy(queue.outputs["arn"], "sns.amazonaws.com")
    attached.update(policy=other)
    assert attached.drift() == {}
    sqs.set_queue_attributes(QueueUrl=queue.id, Attributes={"Policy": policy})
    [(recorded, live)] = attached.drift().values()
    assert recorded == other and json.loads(live) == json.loads(policy)

    assert_lifecycle_end(attached)
    live = sqs.get_queue_attributes(QueueUrl=queue.id, AttributeNames=["All"])["Attributes"]
    assert "Policy" not in live


# -- SNS ----------------------------------------------------------------------------------------

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def test_topic_attributes_and_tags(apply, emulator_client):
    sns = emulator_client("sns")
    topic = apply(TOPIC, "results", displayName="Results", tags={"owner": "first"})
    arn = topic.id
    assert arn == topic.outputs["arn"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic.outputs['name']}"
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Results"
    assert topic.drift() == {}

    topic.update(displayName="Model results", tags={"owner": "second"})
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Model results"
    assert topic.drift() == {}

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="x")
    assert topic.drift() == {"displayName": ("Model results", "x")}

    assert_lifecycle_end(topic)
    assert arn not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_subscription_delivers_to_a_queue_and_changes_in_place(apply, emulator_client):
    sns, sqs = emulator_client("sns"), emulator_client("sqs")
    topic = apply(TOPIC, "fanout")
    queue = apply(QUEUE, "inbox")
    subscription = apply(
        SUBSCRIPTION,
        "inbox-sub",
        topic=topic.id,
        protocol="sqs",
        endpoint=queue.outputs["arn"],
        rawMessageDelivery=True,
    )
    assert subscription.outputs["arn"] == subscription.id
    assert subscription.drift() == {}

    sns.publish(TopicArn=topic.id, Message="hello")
    [message] = sqs.receive_message(QueueUrl=queue.id, WaitTimeSeconds=5)["Messages"]
    assert message["Body"] == "hello"  # raw delivery: the message itself, no SNS envelope

    subscription.update(filterPolicy=json.dumps({"kind": ["result"]}))
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription.id)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["result"]}
    assert subscription.drift() == {}

    sns.set_subscription_attributes(
        SubscriptionArn=subscription.id, AttributeName="RawMessageDelivery", AttributeValue="false"
    )
    assert subscription.drift() == {"rawMessageDelivery": (True, False)}

    assert_lifecycle_end(subscription)
    assert sns.list_subscriptions_by_topic(TopicArn=topic.id)["Subscriptions"] == []


# -- EventBridge --------------------------------------------------------------------------------

BUS = "aws:cloudwatch/eventBus:EventBus"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def receive(sqs: Any, url: str, timeout: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            return messages
    return []


def test_bus_rule_and_sqs_target_deliver_an_event(apply, emulator_client):
    events, sqs = emulator_client("events"), emulator_client("sqs")
    bus = apply(BUS, "inference", description="inference events", tags={"owner": "first"})
    queue = apply(QUEUE, "completed")
    pattern = json.dumps({"source": ["ai.gateway"], "detail-type": ["InferenceCompleted"]})
    rule = apply(RULE, "on-completed", eventBusName=bus.id, eventPattern=pattern)
    target = apply(
        TARGET,
        "to-queue",
        rule=rule.want.inputs["name"],
        eventBusName=bus.id,
        arn=queue.outputs["arn"],
        inputTransformer={
            "inputPaths": {"model": "$.detail.model"},
            "inputTemplate": '{"finished": <model>}',
        },
        retryPolicy={"maximumRetryAttempts": 2.0, "maximumEventAgeInSeconds": 600.0},
    )
    assert bus.outputs["arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus.id}"
    assert rule.id == f"{bus.id}/{rule.want.inputs['name']}"
    assert rule.outputs["arn"].endswith(f":rule/{bus.id}/{rule.want.inputs['name']}")
    assert target.id == f"{bus.id}/{rule.want.inputs['name']}/{target.want.inputs['targetId']}"
    for resource in (bus, rule, target):
        assert resource.drift() == {}, resource.record.type

    answer = events.put_events(
        Entries=[
            {
                "EventBusName": bus.id,
                "Source": "ai.gateway",
                "DetailType": "InferenceCompleted",
                "Detail": json.dumps({"model": "small"}),
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    [message] = receive(sqs, queue.id)
    assert json.loads(message["Body"]) == {"finished": "small"}

    # In place: the bus's description, the rule's state, the target's transformer.
    bus.update(description="second", tags={})
    rule.update(state="DISABLED", description="paused")
    target.update(inputTransformer=None, input=json.dumps({"fixed": True}))
    assert events.describe_event_bus(Name=bus.id)["Description"] == "second"
    assert (
        events.describe_rule(Name=rule.want.inputs["name"], EventBusName=bus.id)["State"]
        == "DISABLED"
    )
    for resource in (bus, rule, target):
        assert resource.drift() == {}, resource.record.type

    # Behind the engine's back.
    events.enable_rule(Name=rule.want.inputs["name"], EventBusName=bus.id)
    assert rule.drift() == {"state": ("DISABLED", "ENABLED")}

    for resource in (target, rule, bus):
        assert_lifecycle_end(resource)
    assert bus.id not in [b["Name"] for b in events.list_event_buses()["EventBuses"]]


def test_scheduled_rule_on_the_default_bus(apply, emulator_client):
    events = emulator_client("events")
    rule = apply(
        RULE,
        "nightly",
        scheduleExpression="rate(1 day)",
        isEnabled=True,
        tags={"owner": "first"},
    )
    assert rule.id == rule.want.inputs["name"]  # the default bus: the name alone
    assert rule.drift() == {}
    events.untag_resource(ResourceARN=rule.outputs["arn"], TagKeys=["owner"])
    assert rule.drift() == {"tags": ({"owner": "first"}, {})}
    assert_lifecycle_end(rule)


# -- CloudWatch ---------------------------------------------------------------------------------

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_log_group_retention_and_tags(apply, emulator_client):
    logs = emulator_client("logs")
    group = apply(LOG_GROUP, "workflow", retentionInDays=7.0, tags={"owner": "first"})
    assert group.outputs["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group.id}"
    assert group.drift() == {}

    group.update(retentionInDays=30.0, tags={"owner": "second"})
    [described] = logs.describe_log_groups(logGroupNamePrefix=group.id)["logGroups"]
    assert described["retentionInDays"] == 30
    assert group.drift() == {}

    logs.delete_retention_policy(logGroupName=group.id)
    assert group.drift() == {"retentionInDays": (30.0, 0.0)}

    assert_lifecycle_end(group)


def test_metric_alarm_is_put_changed_and_deleted(apply, emulator_client):
    cloudwatch = emulator_client("cloudwatch")
    alarm = apply(
        ALARM,
        "errors",
        namespace="AWS/Lambda",
        metricName="Errors",
        dimensions={"FunctionName": "answer"},
        statistic="Sum",
        period=60.0,
        evaluationPeriods=2.0,
        comparisonOperator="GreaterThanThreshold",
        threshold=1.0,
        alarmActions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"],
        tags={"owner": "first"},
    )
    [described] = cloudwatch.describe_alarms(AlarmNames=[alarm.id])["MetricAlarms"]
    assert described["Dimensions"] == [{"Name": "FunctionName", "Value": "answer"}]
    assert alarm.outputs["arn"] == described["AlarmArn"]
    assert alarm.drift() == {}

    alarm.update(threshold=5.0, treatMissingData="notBreaching")
    [described] = cloudwatch.describe_alarms(AlarmNames=[alarm.id])["MetricAlarms"]
    assert (described["Threshold"], described["TreatMissingData"]) == (5.0, "notBreaching")
    assert alarm.drift() == {}

    cloudwatch.disable_alarm_actions(AlarmNames=[alarm.id])
    assert alarm.drift() == {"actionsEnabled": (None, False)}

    assert_lifecycle_end(alarm)


# -- Step Functions -----------------------------------------------------------------------------

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
PASS_DEFINITION = json.dumps(
    {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
)


def wait_for_execution(sfn: Any, arn: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return execution
        time.sleep(0.2)


def test_state_machine_runs_and_changes_in_place(apply, emulator_client):
    sfn = emulator_client("stepfunctions")
    role = f"arn:aws:iam::{ACCOUNT}:role/workflow"
    machine = apply(
        STATE_MACHINE,
        "postprocess",
        definition=PASS_DEFINITION,
        roleArn=role,
        loggingConfiguration={"level": "OFF"},
        tags={"owner": "first"},
    )
    arn = machine.id
    assert arn == machine.outputs["arn"]
    assert arn == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine.outputs['name']}"
    assert (machine.outputs["status"], machine.outputs["creationDate"][:2]) == ("ACTIVE", "20")
    assert machine.drift() == {}

    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    finished = wait_for_execution(sfn, execution)
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"ok": 1}

    second = json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": 2}, "End": True}}}
    )
    machine.update(definition=second, tags={"owner": "second"})
    assert machine.id == arn
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == json.loads(
        second
    )
    assert machine.drift() == {}
    finished = wait_for_execution(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert json.loads(finished["output"]) == {"ok": 2}

    sfn.update_state_machine(stateMachineArn=arn, definition=PASS_DEFINITION)
    assert machine.drift() == {"definition": (second, PASS_DEFINITION)}

    assert_lifecycle_end(machine)
    assert arn not in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]


def test_published_state_machine_gets_a_version_per_change(apply):
    machine = apply(
        STATE_MACHINE,
        "versioned",
        definition=PASS_DEFINITION,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
        type="EXPRESS",
        publish=True,
    )
    assert machine.outputs["stateMachineVersionArn"] == f"{machine.id}:1"
    assert machine.drift() == {}
    machine.update(definition=PASS_DEFINITION.replace('"ok": 1', '"ok": 3'))
    assert machine.outputs["stateMachineVersionArn"] == f"{machine.id}:2"
    assert machine.drift() == {}
    assert_lifecycle_end(machine)


# -- the programs -------------------------------------------------------------------------------


@pytest.fixture
def ai_data(engine_harness):
    h = engine_harness("ai_data", "ai-data")
    yield h
    h.destroy()


@pytest.fixture
def ai_events(engine_harness):
    h = engine_harness("ai_events", "ai-events")
    yield h
    h.destroy()


def test_ai_data_program_deploys_fans_out_redeploys_as_a_no_op_and_destroys(
    ai_data, emulator_client
):
    ddb, sqs, sns = (emulator_client(s) for s in ("dynamodb", "sqs", "sns"))
    outputs = ai_data.up()

    table = outputs["tableName"].value
    described = ddb.describe_table(TableName=table)["Table"]
    assert outputs["streamArn"].value == described["LatestStreamArn"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    sns.publish(TopicArn=outputs["topicArn"].value, Message="result ready")
    [message] = receive(sqs, outputs["jobsUrl"].value)
    assert message["Body"] == "result ready"
    redrive = sqs.get_queue_attributes(
        QueueUrl=outputs["jobsUrl"].value, AttributeNames=["RedrivePolicy"]
    )["Attributes"]["RedrivePolicy"]
    assert json.loads(redrive)["maxReceiveCount"] == 5

    before = ai_data.ids()
    plan = ai_data.plan()
    assert not plan.has_changes, [(s.action, s.name, s.changed) for s in plan.steps]
    assert plan.count(Action.SAME) == 6
    # Read back from the emulator, every resource is as recorded.
    plan = ai_data.engine().plan(live=True)
    assert not plan.has_changes, [(s.action, s.name, s.changed) for s in plan.steps]

    # Changed behind the engine's back: the deploy shows the drift and puts it right.
    sqs.set_queue_attributes(
        QueueUrl=outputs["jobsUrl"].value, Attributes={"VisibilityTimeout": "5"}
    )
    ddb.untag_resource(ResourceArn=outputs["tableArn"].value, TagKeys=["owner"])
    plan = ai_data.engine().plan(live=True)
    assert sorted((s.action, s.name, s.changed) for s in plan.steps if s.changed) == [
        (Action.UPDATE, "conversations", ("tags (drifted)",)),
        (Action.UPDATE, "jobs", ("visibilityTimeoutSeconds (drifted)",)),
    ]
    ai_data.up()
    attributes = sqs.get_queue_attributes(
        QueueUrl=outputs["jobsUrl"].value, AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "60"
    tags = ddb.list_tags_of_resource(ResourceArn=outputs["tableArn"].value)["Tags"]
    assert tags == [{"Key": "owner", "Value": "first"}]

    plan = ai_data.plan(retention="3600", owner="second")
    assert sorted((s.action, s.name) for s in plan.steps if s.action is not Action.SAME) == [
        (Action.UPDATE, "conversations"),
        (Action.UPDATE, "jobs"),
        (Action.UPDATE, "results"),
    ]
    ai_data.up(retention="3600", owner="second")
    assert ai_data.ids() == before
    attributes = sqs.get_queue_attributes(
        QueueUrl=outputs["jobsUrl"].value, AttributeNames=["MessageRetentionPeriod"]
    )["Attributes"]
    assert attributes["MessageRetentionPeriod"] == "3600"

    ai_data.destroy()
    assert table not in ddb.list_tables()["TableNames"]
    urls = sqs.list_queues().get("QueueUrls", [])
    assert outputs["jobsUrl"].value not in urls and outputs["deadLettersUrl"].value not in urls
    assert outputs["topicArn"].value not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_ai_events_program_delivers_an_event_runs_its_workflow_and_destroys(
    ai_events, emulator_client
):
    events, sqs, sfn, logs = (
        emulator_client(s) for s in ("events", "sqs", "stepfunctions", "logs")
    )
    outputs = ai_events.up()

    assert outputs["stateMachineStatus"].value == "ACTIVE"
    events.put_events(
        Entries=[
            {
                "EventBusName": outputs["busName"].value,
                "Source": "ai.gateway",
                "DetailType": "InferenceCompleted",
                "Detail": json.dumps({"requestId": "r-1"}),
            }
        ]
    )
    [message] = receive(sqs, outputs["queueUrl"].value)
    assert json.loads(message["Body"])["detail"] == {"requestId": "r-1"}

    machine = outputs["stateMachineArn"].value
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"answer": "42"}))
    finished = wait_for_execution(sfn, execution["executionArn"])
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {
        "answer": "42",
        "annotation": {"postprocessed": True},
    }
    logging = sfn.describe_state_machine(stateMachineArn=machine)["loggingConfiguration"]
    assert logging["level"] == "ERROR"

    plan = ai_events.engine().plan(live=True)
    assert not plan.has_changes, [(s.action, s.name, s.changed) for s in plan.steps]
    rule_name = outputs["ruleArn"].value.rsplit("/", 1)[-1]
    events.disable_rule(Name=rule_name, EventBusName=outputs["busName"].value)
    logs.put_retention_policy(logGroupName=outputs["logGroupName"].value, retentionInDays=1)
    plan = ai_events.engine().plan(live=True)
    assert sorted((s.action, s.name, s.changed) for s in plan.steps if s.changed) == [
        (Action.UPDATE, "on-completed", ("state (drifted)",)),
        (Action.UPDATE, "workflow-logs", ("retentionInDays (drifted)",)),
    ]

    plan = ai_events.plan(description="second")
    assert [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.UPDATE, "on-completed")
    ]
    ai_events.up(description="second")
    described = events.describe_rule(Name=rule_name, EventBusName=outputs["busName"].value)
    assert (described["Description"], described["State"]) == ("second", "ENABLED")
    [group] = logs.describe_log_groups(logGroupNamePrefix=outputs["logGroupName"].value)[
        "logGroups"
    ]
    assert group["retentionInDays"] == 7

    ai_events.destroy()
    assert outputs["busName"].value not in [
        b["Name"] for b in events.list_event_buses()["EventBuses"]
    ]
    assert machine not in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    assert not logs.describe_log_groups(logGroupNamePrefix=outputs["logGroupName"].value)[
        "logGroups"
    ]
