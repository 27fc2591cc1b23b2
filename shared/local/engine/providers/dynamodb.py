"""DynamoDB tables on the emulator.

A table is made by CreateTable; its time to live and point-in-time recovery are separate calls
(UpdateTimeToLive, UpdateContinuousBackups), as on AWS. The keys and local secondary indexes
are fixed at creation; capacity, streams, global secondary indexes, TTL, PITR, class,
deletion protection and tags change in place, one UpdateTable per global index change, since
AWS takes only one per call.

Where MiniStack 1.5.33 differs from AWS: tables and indexes are ACTIVE at once (AWS takes
seconds to minutes; the AWS provider waits, and so would this one, were they CREATING), and
PITR has no recovery window (`recoveryPeriodInDays` is not applied, so not accepted).
"""

from __future__ import annotations

import time
from typing import Any

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
    as_int,
    drop_none,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import DYNAMODB, tag_list
from shared.local.engine.values import plain
from shared.local.engine.waiting import Backoff

_WAIT_SECONDS = 300.0
PAY_PER_REQUEST = "PAY_PER_REQUEST"


# -- from the program's inputs to the API's shapes ----------------------------------------------


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _attribute_definitions(inputs: Inputs) -> list[dict[str, str]]:
    return [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]]


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    return drop_none(
        ProjectionType=index.get("projectionType"),
        NonKeyAttributes=index.get("nonKeyAttributes") or None,
    )


def _throughput(block: dict[str, Any]) -> dict[str, int]:
    """The provisioned throughput of a table or index block (readCapacity, writeCapacity)."""
    return {
        "ReadCapacityUnits": as_int(block.get("readCapacity")) or 0,
        "WriteCapacityUnits": as_int(block.get("writeCapacity")) or 0,
    }


def _is_on_demand(inputs: Inputs) -> bool:
    return inputs.get("billingMode") == PAY_PER_REQUEST


def _global_index(index: dict[str, Any], on_demand: bool) -> dict[str, Any]:
    return drop_none(
        IndexName=index["name"],
        KeySchema=_key_schema(index["hashKey"], index.get("rangeKey")),
        Projection=_projection(index),
        ProvisionedThroughput=(None if on_demand else _throughput(index)),
    )


def _local_index(index: dict[str, Any], hash_key: str) -> dict[str, Any]:
    return {
        "IndexName": index["name"],
        "KeySchema": _key_schema(hash_key, index["rangeKey"]),
        "Projection": _projection(index),
    }


def _stream(inputs: Inputs) -> dict[str, Any]:
    if inputs.get("streamEnabled"):
        return {"StreamEnabled": True, "StreamViewType": inputs.get("streamViewType")}
    return {"StreamEnabled": False}


def _by_name(indexes: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    return {index["name"]: index for index in indexes or []}


# -- the provider -------------------------------------------------------------------------------


@provides
class Table(Provider):
    """A table; its id is its name, as in the AWS provider."""

    type_token = "aws:dynamodb/table:Table"
    service = "dynamodb"
    inputs = frozenset(
        {
            "name",
            "hashKey",
            "rangeKey",
            "attributes",
            "billingMode",
            "readCapacity",
            "writeCapacity",
            "streamEnabled",
            "streamViewType",
            "ttl",
            "pointInTimeRecovery",
            "globalSecondaryIndexes",
            "localSecondaryIndexes",
            "tableClass",
            "deletionProtectionEnabled",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"arn", "streamArn", "streamLabel", "tagsAll"})
    updatable = frozenset(
        {
            "attributes",  # with the global index that needs them
            "billingMode",
            "readCapacity",
            "writeCapacity",
            "streamEnabled",
            "streamViewType",
            "ttl",
            "pointInTimeRecovery",
            "globalSecondaryIndexes",
            "tableClass",
            "deletionProtectionEnabled",
            "tags",
        }
    )
    auto_name = AutoName("name", max_length=255)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        name = i["name"]
        on_demand = _is_on_demand(i)
        client.create_table(
            **drop_none(
                TableName=name,
                KeySchema=_key_schema(i["hashKey"], i.get("rangeKey")),
                AttributeDefinitions=_attribute_definitions(i),
                BillingMode=i.get("billingMode") or "PROVISIONED",
                ProvisionedThroughput=(None if on_demand else _throughput(i)),
                GlobalSecondaryIndexes=[
                    _global_index(g, on_demand) for g in i.get("globalSecondaryIndexes") or []
                ]
                or None,
                LocalSecondaryIndexes=[
                    _local_index(lsi, i["hashKey"]) for lsi in i.get("localSecondaryIndexes") or []
                ]
                or None,
                StreamSpecification=_stream(i) if i.get("streamEnabled") else None,
                TableClass=i.get("tableClass"),
                DeletionProtectionEnabled=i.get("deletionProtectionEnabled"),
                Tags=tag_list(i.get("tags")) or None,
            )
        )
        try:
            table = _wait_until_active(client, name)
            if (i.get("ttl") or {}).get("enabled"):
                _set_ttl(client, name, {}, i["ttl"])
            if (i.get("pointInTimeRecovery") or {}).get("enabled"):
                _set_pitr(client, name, True)
        except Exception:
            # Leave nothing unrecorded behind (deletion protection would keep it: lift it).
            if i.get("deletionProtectionEnabled"):
                client.update_table(TableName=name, DeletionProtectionEnabled=False)
            client.delete_table(TableName=name)
            raise
        return Created(name, self._outputs(table, i))

    @staticmethod
    def _outputs(table: dict[str, Any], inputs: Inputs) -> Outputs:
        streaming = (table.get("StreamSpecification") or {}).get("StreamEnabled")
        return {
            "name": table["TableName"],
            "arn": table["TableArn"],
            "streamArn": table.get("LatestStreamArn", "") if streaming else "",
            "streamLabel": table.get("LatestStreamLabel", "") if streaming else "",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, plain(want.inputs)
        client = self.client(ctx, new)
        name = have.id
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        on_demand = _is_on_demand(new)
        table_changes: dict[str, Any] = {}
        if changed & {"billingMode", "readCapacity", "writeCapacity"}:
            if "billingMode" in changed:
                table_changes["BillingMode"] = new.get("billingMode") or "PROVISIONED"
            if not on_demand:
                table_changes["ProvisionedThroughput"] = _throughput(new)
        if changed & {"streamEnabled", "streamViewType"}:
            if old.get("streamEnabled") and new.get("streamEnabled"):
                # A stream's view type cannot change while it is on: turn it off first.
                client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
            if old.get("streamEnabled") or new.get("streamEnabled"):
                table_changes["StreamSpecification"] = _stream(new)
        if "tableClass" in changed:
            table_changes["TableClass"] = new.get("tableClass") or "STANDARD"
        if "deletionProtectionEnabled" in changed:
            table_changes["DeletionProtectionEnabled"] = bool(new.get("deletionProtectionEnabled"))
        if table_changes:
            client.update_table(TableName=name, **table_changes)
            _wait_until_active(client, name)
        if changed & {"globalSecondaryIndexes", "billingMode"}:
            self._update_global_indexes(client, name, old, new, on_demand)
        if "ttl" in changed:
            _set_ttl(client, name, old.get("ttl") or {}, new.get("ttl") or {})
        if "pointInTimeRecovery" in changed:
            _set_pitr(client, name, bool((new.get("pointInTimeRecovery") or {}).get("enabled")))
        table = client.describe_table(TableName=name)["Table"]
        DYNAMODB.retag(client, table["TableArn"], old.get("tags"), new.get("tags"))
        return self._outputs(table, new)

    @staticmethod
    def _update_global_indexes(
        client: Client, name: str, old: Inputs, new: Inputs, on_demand: bool
    ) -> None:
        """Delete the indexes that went or changed their keys, create the new ones, change the
        throughput of the rest: one index per UpdateTable, as AWS demands."""
        before = _by_name(old.get("globalSecondaryIndexes"))
        after = _by_name(new.get("globalSecondaryIndexes"))
        keys = ("hashKey", "rangeKey", "projectionType", "nonKeyAttributes")
        rebuilt = {
            n
            for n in before.keys() & after.keys()
            if any(before[n].get(k) != after[n].get(k) for k in keys)
        }
        updates: list[dict[str, Any]] = []
        updates += [{"Delete": {"IndexName": n}} for n in sorted(before.keys() - after.keys())]
        updates += [{"Delete": {"IndexName": n}} for n in sorted(rebuilt)]
        updates += [
            {"Create": _global_index(after[n], on_demand)}
            for n in sorted((after.keys() - before.keys()) | rebuilt)
        ]
        if not on_demand:
            updates += [
                {
                    "Update": {
                        "IndexName": n,
                        "ProvisionedThroughput": _throughput(after[n]),
                    }
                }
                for n in sorted((before.keys() & after.keys()) - rebuilt)
                if (before[n].get("readCapacity"), before[n].get("writeCapacity"))
                != (after[n].get("readCapacity"), after[n].get("writeCapacity"))
                or old.get("billingMode") != new.get("billingMode")
            ]
        for update in updates:
            client.update_table(
                TableName=name,
                AttributeDefinitions=_attribute_definitions(new),
                GlobalSecondaryIndexUpdates=[update],
            )
            _wait_until_active(client, name)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        client.delete_table(TableName=have.id)
        client.get_waiter("table_not_exists").wait(
            TableName=have.id, WaiterConfig={"Delay": 1, "MaxAttempts": int(_WAIT_SECONDS)}
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        recorded = have.inputs
        table = client.describe_table(TableName=have.id)["Table"]
        keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
        throughput = table.get("ProvisionedThroughput") or {}
        stream = table.get("StreamSpecification") or {}
        live: Inputs = {
            "name": table["TableName"],
            "hashKey": keys.get("HASH"),
            "rangeKey": keys.get("RANGE"),
            "attributes": _in_recorded_order(
                recorded.get("attributes"),
                [
                    {"name": a["AttributeName"], "type": a["AttributeType"]}
                    for a in table.get("AttributeDefinitions", [])
                ],
            ),
            "billingMode": (table.get("BillingModeSummary") or {}).get(
                "BillingMode", "PROVISIONED"
            ),
            "readCapacity": float(throughput.get("ReadCapacityUnits", 0)),
            "writeCapacity": float(throughput.get("WriteCapacityUnits", 0)),
            "streamEnabled": bool(stream.get("StreamEnabled")),
            "streamViewType": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
            "ttl": _live_ttl(client, have.id, recorded.get("ttl") or {}),
            "pointInTimeRecovery": {"enabled": _pitr_enabled(client, have.id)},
            "globalSecondaryIndexes": _in_recorded_order(
                recorded.get("globalSecondaryIndexes"),
                [
                    _live_global_index(g, _by_name(recorded.get("globalSecondaryIndexes")))
                    for g in table.get("GlobalSecondaryIndexes") or []
                ],
            ),
            "localSecondaryIndexes": _in_recorded_order(
                recorded.get("localSecondaryIndexes"),
                [_live_local_index(lsi) for lsi in table.get("LocalSecondaryIndexes") or []],
            ),
            "tableClass": (table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
            "deletionProtectionEnabled": bool(table.get("DeletionProtectionEnabled")),
            "tags": DYNAMODB.read(client, table["TableArn"]),
        }
        return live_inputs(have.inputs, live, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        found = self.lookup(self.client(ctx, want.inputs).describe_table, TableName=name)
        return None if found is None else str(name)


# -- the calls beside CreateTable and UpdateTable -----------------------------------------------


def _wait_until_active(client: Client, name: str) -> dict[str, Any]:
    """The table once it and its indexes are ACTIVE (AWS refuses changes meanwhile)."""
    deadline = time.monotonic() + _WAIT_SECONDS
    backoff = Backoff(longest=1.0)
    while True:
        table: dict[str, Any] = client.describe_table(TableName=name)["Table"]
        indexes = table.get("GlobalSecondaryIndexes") or []
        if table["TableStatus"] == "ACTIVE" and all(
            g.get("IndexStatus", "ACTIVE") == "ACTIVE" for g in indexes
        ):
            return table
        if time.monotonic() > deadline:
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"table {name} not ACTIVE"}},
                "DescribeTable",
            )
        backoff.sleep()


def _set_ttl(client: Client, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """AWS refuses to switch TTL to the state it is in, and names the attribute in both
    directions: turning it off names the attribute it was on."""
    if new.get("enabled"):
        if old.get("enabled") and old.get("attributeName") != new.get("attributeName"):
            _put_ttl(client, name, old["attributeName"], False)
        if not old.get("enabled") or old.get("attributeName") != new.get("attributeName"):
            _put_ttl(client, name, new["attributeName"], True)
    elif old.get("enabled"):
        _put_ttl(client, name, old["attributeName"], False)


def _put_ttl(client: Client, name: str, attribute: str, enabled: bool) -> None:
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"AttributeName": attribute, "Enabled": enabled},
    )


def _set_pitr(client: Client, name: str, enabled: bool) -> None:
    client.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled},
    )


def _live_ttl(client: Client, name: str, recorded: dict[str, Any]) -> dict[str, Any]:
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    enabled = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    live: dict[str, Any] = {"enabled": enabled}
    if enabled:
        live["attributeName"] = ttl.get("AttributeName")
    elif "attributeName" in recorded:
        live["attributeName"] = recorded["attributeName"]  # meaningless while TTL is off
    if not enabled and "enabled" not in recorded:
        del live["enabled"]  # off is the default the program left out
    return live


def _pitr_enabled(client: Client, name: str) -> bool:
    backups = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    status = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    return status == "ENABLED"


def _live_projection(index: dict[str, Any]) -> dict[str, Any]:
    projection = index.get("Projection") or {}
    return drop_none(
        projectionType=projection.get("ProjectionType"),
        nonKeyAttributes=projection.get("NonKeyAttributes") or None,
    )


def _live_global_index(index: dict[str, Any], recorded: dict[str, dict]) -> dict[str, Any]:
    keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
    live = drop_none(
        name=index["IndexName"],
        hashKey=keys.get("HASH"),
        rangeKey=keys.get("RANGE"),
        **_live_projection(index),
    )
    # Capacities count only where the program set them (an on-demand index has none).
    throughput = index.get("ProvisionedThroughput") or {}
    was = recorded.get(index["IndexName"], {})
    for prop, unit in (
        ("readCapacity", "ReadCapacityUnits"),
        ("writeCapacity", "WriteCapacityUnits"),
    ):
        if prop in was:
            live[prop] = float(throughput.get(unit, 0))
    return live


def _live_local_index(index: dict[str, Any]) -> dict[str, Any]:
    keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
    return {"name": index["IndexName"], "rangeKey": keys.get("RANGE"), **_live_projection(index)}


def _in_recorded_order(
    recorded: list[dict[str, Any]] | None, live: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """A set of named blocks (attributes, indexes; the AWS provider compares them as sets) in
    the order the record lists them, so an unchanged set is equal; others follow by name."""
    if not live:
        return None if not recorded else []
    order = {block["name"]: n for n, block in enumerate(recorded or [])}
    return sorted(live, key=lambda block: (order.get(block["name"], len(order)), block["name"]))
