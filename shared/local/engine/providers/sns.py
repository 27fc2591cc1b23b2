"""SNS topics and their subscriptions on the emulator.

Topic and subscription settings are attributes, set one per call; see sqs.Attribute for the
mapping of inputs to attributes. Where MiniStack 1.5.33 differs from AWS:
- Subscriptions are confirmed at once whatever the protocol (AWS waits for an HTTP endpoint or
  an e-mail reader to confirm); `pendingConfirmation` is therefore always false.
- Deleting a topic that does not exist succeeds, as on AWS; `read` uses GetTopicAttributes,
  which answers NotFound.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from shared.local.engine.live import live_inputs
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    provides,
)
from shared.local.engine.providers.sqs import (
    FIFO_SUFFIX,
    Attribute,
    changed_attributes,
    document,
    flag,
    is_true,
    read_attributes,
    write_attributes,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import SNS, tag_list

# GetTopicAttributes and GetSubscriptionAttributes answer this for a missing one.
SNS_NOT_FOUND = frozenset({"NotFound"})


TOPIC_ATTRIBUTES: dict[str, Attribute] = {
    "displayName": Attribute("DisplayName", str, str, ""),
    "policy": document("Policy"),
    "deliveryPolicy": document("DeliveryPolicy"),
    "kmsMasterKeyId": Attribute("KmsMasterKeyId", str, str, ""),
    "signatureVersion": Attribute("SignatureVersion", lambda v: str(int(v)), float, "1"),
    "tracingConfig": Attribute("TracingConfig", str, str, "PassThrough"),
    "contentBasedDeduplication": Attribute("ContentBasedDeduplication", flag, is_true, "false"),
}
SUBSCRIPTION_ATTRIBUTES: dict[str, Attribute] = {
    "rawMessageDelivery": Attribute("RawMessageDelivery", flag, is_true, "false"),
    "filterPolicy": document("FilterPolicy"),
    "filterPolicyScope": Attribute("FilterPolicyScope", str, str, "MessageAttributes"),
    "redrivePolicy": document("RedrivePolicy"),
    "deliveryPolicy": document("DeliveryPolicy"),
    "subscriptionRoleArn": Attribute("SubscriptionRoleArn", str, str, ""),
}


def topic_name(inputs: Inputs) -> str:
    """A FIFO topic's name ends in `.fifo`; see sqs.queue_name."""
    name = str(inputs["name"])
    if inputs.get("fifoTopic") and not name.endswith(FIFO_SUFFIX):
        name += FIFO_SUFFIX
    return name


@provides
class Topic(Provider):
    """A topic; its id is its ARN, as in the AWS provider."""

    type_token = "aws:sns/topic:Topic"
    service = "sns"
    inputs = frozenset({"name", "namePrefix", "fifoTopic", "tags", "region", *TOPIC_ATTRIBUTES})
    outputs = frozenset({"arn", "owner", "tagsAll"})
    updatable = frozenset({"tags", *TOPIC_ATTRIBUTES})
    auto_name = AutoName("name", prefix="namePrefix", max_length=256 - len(FIFO_SUFFIX))
    not_found_codes = SNS_NOT_FOUND
    # CreateTopic with an existing topic's name returns that topic.
    identity = ("name",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        attributes = write_attributes(TOPIC_ATTRIBUTES, i)
        if i.get("fifoTopic"):
            attributes["FifoTopic"] = "true"
        arn = self.client(ctx, i).create_topic(
            Name=topic_name(i), Attributes=attributes, Tags=tag_list(i.get("tags"))
        )["TopicArn"]
        return Created(arn, self._outputs(ctx, arn, i))

    @staticmethod
    def _outputs(ctx: Context, arn: str, inputs: Inputs) -> Outputs:
        return {
            "name": topic_name(inputs),
            "arn": arn,
            "owner": ctx.account_id,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        for name, value in changed_attributes(TOPIC_ATTRIBUTES, have.inputs, want.inputs).items():
            client.set_topic_attributes(TopicArn=have.id, AttributeName=name, AttributeValue=value)
        SNS.retag(client, have.id, have.inputs.get("tags"), want.inputs.get("tags"))
        return self._outputs(ctx, have.id, want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_topic(TopicArn=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        live = client.get_topic_attributes(TopicArn=have.id)["Attributes"]
        name = have.id.rsplit(":", 1)[-1]
        found = {
            "name": have.inputs.get("name") if name == topic_name(have.inputs) else name,
            "fifoTopic": live.get("FifoTopic") == "true",
            "tags": SNS.read(client, have.id),
            **read_attributes(TOPIC_ATTRIBUTES, have.inputs, live),
        }
        return live_inputs(have.inputs, found, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        arn = f"arn:aws:sns:{ctx.region_of(i)}:{ctx.account_id}:{topic_name(i)}"
        found = self.lookup(self.client(ctx, i).get_topic_attributes, TopicArn=arn)
        return None if found is None else arn


@provides
class TopicSubscription(Provider):
    """A subscription of an endpoint (a queue, a function, a URL) to a topic; its id is the
    subscription ARN. Topic, protocol and endpoint cannot change: a change replaces it."""

    type_token = "aws:sns/topicSubscription:TopicSubscription"
    service = "sns"
    inputs = frozenset({"topic", "protocol", "endpoint", "region", *SUBSCRIPTION_ATTRIBUTES})
    outputs = frozenset({"arn", "ownerId", "pendingConfirmation", "confirmationWasAuthenticated"})
    updatable = frozenset(SUBSCRIPTION_ATTRIBUTES)
    not_found_codes = SNS_NOT_FOUND
    # Subscribing the same endpoint to the same topic again returns the same subscription.
    identity = ("topic", "protocol", "endpoint")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        attributes = write_attributes(SUBSCRIPTION_ATTRIBUTES, i)
        arn = client.subscribe(
            TopicArn=i["topic"],
            Protocol=i["protocol"],
            Endpoint=i["endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        try:
            outputs = self._outputs(client, arn)
        except Exception:
            client.unsubscribe(SubscriptionArn=arn)  # leave nothing unrecorded behind
            raise
        return Created(arn, outputs)

    @staticmethod
    def _outputs(client: Client, arn: str) -> Outputs:
        live = client.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        return {
            "arn": arn,
            "ownerId": live.get("Owner"),
            "pendingConfirmation": live.get("PendingConfirmation") == "true",
            "confirmationWasAuthenticated": live.get("ConfirmationWasAuthenticated") == "true",
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        changed = changed_attributes(SUBSCRIPTION_ATTRIBUTES, have.inputs, want.inputs)
        for name, value in changed.items():
            client.set_subscription_attributes(
                SubscriptionArn=have.id, AttributeName=name, AttributeValue=value
            )
        return self._outputs(client, have.id)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).unsubscribe(SubscriptionArn=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        live = self.client(ctx, have.inputs).get_subscription_attributes(SubscriptionArn=have.id)[
            "Attributes"
        ]
        found = {
            "topic": live.get("TopicArn"),
            "protocol": live.get("Protocol"),
            "endpoint": live.get("Endpoint"),
            **read_attributes(SUBSCRIPTION_ATTRIBUTES, have.inputs, live),
        }
        return live_inputs(have.inputs, found)

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        try:
            pages = self.client(ctx, i).get_paginator("list_subscriptions_by_topic")
            for page in pages.paginate(TopicArn=i["topic"]):
                for sub in page.get("Subscriptions", []):
                    if (sub.get("Protocol"), sub.get("Endpoint")) == (i["protocol"], i["endpoint"]):
                        return str(sub["SubscriptionArn"])
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise
        return None
