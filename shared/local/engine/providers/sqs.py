"""SQS queues and queue policies on the emulator.

A queue's settings are its attributes: one attribute per input, every value a string on the
wire (numbers and booleans included), so each input is mapped to its attribute with a codec.

Where MiniStack 1.5.33 differs from AWS:
- A queue URL names the emulator's own address (http://127.0.0.1:<port>/<account>/<name>),
  not `https://sqs.<region>.amazonaws.com/...`; the URL is the queue's id, as in the AWS
  provider, so it is read from the emulator and never built.
- Setting `Policy` to "" removes the policy (AWS does the same), so a deleted QueuePolicy leaves
  no `Policy` attribute.

Also how SQS and SNS keep settings as string attributes (`Attribute`), which the SNS providers
share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    not_found,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import SQS

# SQS answers a missing queue with its own codes (the JSON protocol's, then the query one's).
QUEUE_NOT_FOUND = frozenset(
    {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue"}
)
FIFO_SUFFIX = ".fifo"


# -- queues -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """How one input is written as an attribute (SQS queues, SNS topics and subscriptions keep
    their settings as string attributes) and read back, and its AWS default (what an update
    sets when the program stops setting the input). A document (a policy) reads back as the
    recorded text when it means the same."""

    name: str
    write: Callable[[Any], str]
    read: Callable[[str], Any]
    default: str
    document: bool = False


def write_attributes(specs: dict[str, Attribute], inputs: Inputs) -> dict[str, str]:
    """The attributes a create sets: one per input the program set."""
    return {
        spec.name: spec.write(inputs[key])
        for key, spec in specs.items()
        if inputs.get(key) is not None
    }


def changed_attributes(specs: dict[str, Attribute], old: Inputs, new: Inputs) -> dict[str, str]:
    """The attributes an update sets: those whose input changed; an input no longer set goes
    back to AWS's default."""
    return {
        spec.name: (spec.write(new[key]) if new.get(key) is not None else spec.default)
        for key, spec in specs.items()
        if old.get(key) != new.get(key)
    }


def read_attributes(specs: dict[str, Attribute], recorded: Inputs, live: dict) -> Inputs:
    """The inputs the live attributes amount to, in the record's form."""
    found: Inputs = {}
    for key, spec in specs.items():
        value = live.get(spec.name)
        if spec.document:
            found[key] = same_document(recorded.get(key), value)
        elif value is not None:
            found[key] = spec.read(value)
    return found


def document(name: str) -> Attribute:
    """A JSON document attribute; "" removes it."""
    return Attribute(name, str, str, "", document=True)


def _number(value: Any) -> str:
    return str(int(value))


def flag(value: Any) -> str:
    return "true" if value else "false"


def is_true(text: str) -> bool:
    return text == "true"


ATTRIBUTES: dict[str, Attribute] = {
    "visibilityTimeoutSeconds": Attribute("VisibilityTimeout", _number, float, "30"),
    "messageRetentionSeconds": Attribute("MessageRetentionPeriod", _number, float, "345600"),
    "delaySeconds": Attribute("DelaySeconds", _number, float, "0"),
    # 1 MiB: the default SQS reports since it raised the limit (MiniStack captured it too).
    "maxMessageSize": Attribute("MaximumMessageSize", _number, float, "1048576"),
    "receiveWaitTimeSeconds": Attribute("ReceiveMessageWaitTimeSeconds", _number, float, "0"),
    "contentBasedDeduplication": Attribute("ContentBasedDeduplication", flag, is_true, "false"),
    "deduplicationScope": Attribute("DeduplicationScope", str, str, "queue"),
    "fifoThroughputLimit": Attribute("FifoThroughputLimit", str, str, "perQueue"),
    "kmsMasterKeyId": Attribute("KmsMasterKeyId", str, str, ""),
    "kmsDataKeyReusePeriodSeconds": Attribute(
        "KmsDataKeyReusePeriodSeconds", _number, float, "300"
    ),
    # SSE-SQS is on by default for new queues (since 2022).
    "sqsManagedSseEnabled": Attribute("SqsManagedSseEnabled", flag, is_true, "true"),
    "policy": document("Policy"),
    "redrivePolicy": document("RedrivePolicy"),
    "redriveAllowPolicy": document("RedriveAllowPolicy"),
}

# Every queue reports these; a value other than AWS's default where the program set none is
# drift too (a visibility timeout changed, a tag added behind the engine's back).
REPORTED_DEFAULTS = {
    **{
        key: ATTRIBUTES[key].read(ATTRIBUTES[key].default)
        for key in (
            "visibilityTimeoutSeconds",
            "messageRetentionSeconds",
            "delaySeconds",
            "maxMessageSize",
            "receiveWaitTimeSeconds",
        )
    },
    "tags": {},
}


def queue_name(inputs: Inputs) -> str:
    """The queue's physical name. A FIFO queue's name must end in `.fifo`; pulumi-aws adds the
    suffix to the auto-name it makes, and the engine's auto-name cannot, so it is added here
    (an explicit FIFO name without it is invalid on AWS, so nothing valid is changed)."""
    name = str(inputs["name"])
    if inputs.get("fifoQueue") and not name.endswith(FIFO_SUFFIX):
        name += FIFO_SUFFIX
    return name


@provides
class Queue(Provider):
    """A queue; its id is its URL, as in the AWS provider."""

    type_token = "aws:sqs/queue:Queue"
    service = "sqs"
    inputs = frozenset({"name", "namePrefix", "fifoQueue", "tags", "region", *ATTRIBUTES})
    outputs = frozenset({"arn", "url", "tagsAll"})
    # A queue cannot become FIFO or stop being one; every attribute changes in place.
    updatable = frozenset({"tags", *ATTRIBUTES})
    # Room for the `.fifo` suffix within SQS's 80 characters.
    auto_name = AutoName("name", prefix="namePrefix", max_length=80 - len(FIFO_SUFFIX))
    not_found_codes = QUEUE_NOT_FOUND
    # CreateQueue with the name of a queue that has the same attributes returns that queue:
    # a replacement that keeps the name must delete the old one first.
    identity = ("name",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        attributes = write_attributes(ATTRIBUTES, i)
        if i.get("fifoQueue"):
            attributes["FifoQueue"] = "true"
        url = client.create_queue(
            QueueName=queue_name(i), Attributes=attributes, tags=i.get("tags") or {}
        )["QueueUrl"]
        try:
            outputs = self._outputs(client, url, i)
        except Exception:
            client.delete_queue(QueueUrl=url)  # leave nothing unrecorded behind
            raise
        return Created(url, outputs)

    @staticmethod
    def _outputs(client: Client, url: str, inputs: Inputs) -> Outputs:
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return {
            "name": queue_name(inputs),
            "arn": arn,
            "url": url,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        changed = changed_attributes(ATTRIBUTES, old, new)
        if changed:
            client.set_queue_attributes(QueueUrl=have.id, Attributes=changed)
        SQS.retag(client, have.id, old.get("tags"), new.get("tags"))
        return self._outputs(client, have.id, new)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_queue(QueueUrl=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        live = client.get_queue_attributes(QueueUrl=have.id, AttributeNames=["All"])["Attributes"]
        recorded = have.inputs
        found: Inputs = {
            "fifoQueue": live.get("FifoQueue") == "true",
            "tags": SQS.read(client, have.id),
            **read_attributes(ATTRIBUTES, recorded, live),
        }
        name = have.id.rstrip("/").rsplit("/", 1)[-1]
        # The recorded form when it names this queue (it may lack the `.fifo` added here).
        found["name"] = recorded.get("name") if name == queue_name(recorded) else name
        return live_inputs(recorded, found, REPORTED_DEFAULTS)

    def find(self, ctx: Context, want: Desired) -> str | None:
        client = self.client(ctx, want.inputs)
        url = self.lookup(client.get_queue_url, QueueName=queue_name(want.inputs))
        return None if url is None else str(url["QueueUrl"])


@provides
class QueuePolicy(Provider):
    """A queue's `Policy` attribute as a resource of its own; its id is the queue URL."""

    type_token = "aws:sqs/queuePolicy:QueuePolicy"
    service = "sqs"
    inputs = frozenset({"queueUrl", "policy", "region"})
    updatable = frozenset({"policy"})
    not_found_codes = QUEUE_NOT_FOUND
    identity = ("queueUrl",)

    def create(self, ctx: Context, want: Desired) -> Created:
        self._put(ctx, want.inputs, want.inputs["policy"])
        return Created(want.inputs["queueUrl"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        self._put(ctx, want.inputs, want.inputs["policy"])
        return {}

    def _put(self, ctx: Context, inputs: Inputs, policy: str) -> None:
        self.client(ctx, inputs).set_queue_attributes(
            QueueUrl=inputs["queueUrl"], Attributes={"Policy": policy}
        )

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self._put(ctx, have.inputs, "")

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        live = (
            self.client(ctx, have.inputs)
            .get_queue_attributes(QueueUrl=have.id, AttributeNames=["Policy"])
            .get("Attributes", {})
            .get("Policy")
        )
        if not live:
            raise not_found(f"policy of queue {have.id}")
        return {
            "queueUrl": have.id,
            "policy": same_document(have.inputs.get("policy"), live),
        }

    def find(self, ctx: Context, want: Desired) -> str | None:
        url = want.inputs["queueUrl"]
        attributes = self.lookup(
            self.client(ctx, want.inputs).get_queue_attributes,
            QueueUrl=url,
            AttributeNames=["Policy"],
        )
        return url if attributes and attributes.get("Attributes", {}).get("Policy") else None
