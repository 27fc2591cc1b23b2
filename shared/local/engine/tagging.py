"""How each service reads and changes a resource's tags, for the providers.

A provider of a type with `tags` reads them back (a tag added or removed behind the engine's
back is drift) and, on update, moves the resource from the recorded tags to the wanted ones.
The calls do the same in every service but each spells them its own way: the resource is a
`resourceArn`, a `ResourceArn`, a `ResourceARN`, a `RoleName` or a `QueueUrl`; the tags travel
as a map or as a list of Key/Value pairs (key/value in Step Functions); the calls are
TagResource/UntagResource in most services and have names of their own in others. `TagCalls`
writes one service's spelling down once, and the table below holds every one the providers use,
so a provider says which service it is and never writes the calls again.

ACM (its untag call takes the tags with their values), Route 53 (one call adds and removes) and
S3 (the whole tag set is put at once) do not fit that shape; their providers call `retag` with
their own calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A boto3 client: botocore makes their classes at run time, so there is no static type.
Client = Any
Tags = dict[str, str]


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    """Tags as the APIs that take a list of pairs want them."""
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def tag_map(pairs: list[dict] | None, key: str = "Key", value: str = "Value") -> Tags:
    """Tags read as a list of pairs, as the map the record holds (a tag may have no value)."""
    return {t[key]: t.get(value, "") for t in pairs or []}


def retag(
    old: Mapping[str, str] | None,
    new: Mapping[str, str] | None,
    *,
    untag: Callable[[list[str]], object],
    tag: Callable[[Tags], object],
) -> None:
    """Move a resource's tags from `old` to `new`: `untag` the keys that went, `tag` the ones
    that are new or changed (each service's calls differ, the diff does not)."""
    old, new = old or {}, new or {}
    if removed := [k for k in old if k not in new]:
        untag(removed)
    if changed := {k: v for k, v in new.items() if old.get(k) != v}:
        tag(changed)


@dataclass(frozen=True)
class TagCalls:
    """One service's calls that read, add and remove the tags of a resource."""

    # The parameter that names the resource.
    resource: str
    # The parameter that carries the tags to add, and the key of the answer that lists them.
    tags: str = "Tags"
    # The parameter that carries the keys to remove.
    keys: str = "TagKeys"
    # The names of a pair's key and value where the tags travel as a list; None: as a map.
    pairs: tuple[str, str] | None = ("Key", "Value")
    read_call: str = "list_tags_for_resource"
    tag_call: str = "tag_resource"
    untag_call: str = "untag_resource"
    # The answer's key for the tags read, where it is not `tags`.
    listed: str | None = None
    # Parameters every call of the service takes besides the resource (its kind).
    fixed: Mapping[str, str] = field(default_factory=dict)

    def read(self, client: Client, resource: str) -> Tags:
        answer = getattr(client, self.read_call)(**self._named(resource))
        found = answer.get(self.listed or self.tags)
        return tag_map(found, *self.pairs) if self.pairs else dict(found or {})

    def tag(self, client: Client, resource: str, tags: Mapping[str, str]) -> None:
        sent = tag_list(tags, *self.pairs) if self.pairs else dict(tags)
        getattr(client, self.tag_call)(**self._named(resource), **{self.tags: sent})

    def untag(self, client: Client, resource: str, keys: list[str]) -> None:
        getattr(client, self.untag_call)(**self._named(resource), **{self.keys: keys})

    def retag(
        self,
        client: Client,
        resource: str,
        old: Mapping[str, str] | None,
        new: Mapping[str, str] | None,
    ) -> None:
        """Move the resource's tags from `old` to `new` (see `retag`)."""
        retag(
            old,
            new,
            untag=lambda keys: self.untag(client, resource, keys),
            tag=lambda tags: self.tag(client, resource, tags),
        )

    def _named(self, resource: str) -> dict[str, str]:
        return {**self.fixed, self.resource: resource}


API_GATEWAY = TagCalls("resourceArn", "tags", "tagKeys", pairs=None, read_call="get_tags")
API_GATEWAY_V2 = TagCalls("ResourceArn", pairs=None, read_call="get_tags")
CLOUDWATCH = TagCalls("ResourceARN")
CLOUDWATCH_LOGS = TagCalls("resourceArn", "tags", "tagKeys", pairs=None)
COGNITO = TagCalls("ResourceArn", pairs=None)
DYNAMODB = TagCalls("ResourceArn", read_call="list_tags_of_resource")
EVENTBRIDGE = TagCalls("ResourceARN")
IAM_POLICY = TagCalls(
    "PolicyArn", read_call="list_policy_tags", tag_call="tag_policy", untag_call="untag_policy"
)
IAM_ROLE = TagCalls(
    "RoleName", read_call="list_role_tags", tag_call="tag_role", untag_call="untag_role"
)
LAMBDA = TagCalls("Resource", pairs=None, read_call="list_tags")
SECRETS_MANAGER = TagCalls("SecretId", read_call="describe_secret")
SNS = TagCalls("ResourceArn")
SQS = TagCalls(
    "QueueUrl",
    pairs=None,
    read_call="list_queue_tags",
    tag_call="tag_queue",
    untag_call="untag_queue",
)
SSM_PARAMETER = TagCalls(
    "ResourceId",
    listed="TagList",
    tag_call="add_tags_to_resource",
    untag_call="remove_tags_from_resource",
    fixed={"ResourceType": "Parameter"},
)
STEP_FUNCTIONS = TagCalls("resourceArn", "tags", "tagKeys", pairs=("key", "value"))
