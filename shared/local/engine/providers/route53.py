"""Route 53 hosted zones and record sets on the emulator.

Route 53 is global: pulumi-aws 7 gives its zones and records no `region` input. Every change waits
until Route 53 reports it INSYNC, as the AWS provider does (MiniStack 1.5.33 gets there in about
a tenth of a second, AWS in up to a minute).

Where MiniStack 1.5.33 differs from AWS:
- It answers `list_resource_record_sets` from a start name with only the records from that name
  on, and nothing when the name has none; AWS answers with the next records in order. `read`
  matches name, type and set identifier exactly, so both work.
- Change batches are not checked against the record types' rules (alias targets must exist,
  routing policies must agree within a name); records are stored as given.
- There are no private zones (`vpcs`) and no reusable delegation sets (`delegationSetId`); both
  inputs are left out of `inputs`, so a program setting them is refused by name.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

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
from shared.local.engine.tagging import retag, tag_list, tag_map
from shared.local.engine.waiting import Backoff

_INSYNC_WAIT_SECONDS = 600.0


def _bare(zone_id: str) -> str:
    """'/hostedzone/Z123' → 'Z123'."""
    return zone_id.rsplit("/", 1)[-1]


def _dotless(name: str) -> str:
    return name.rstrip(".").lower()


def wait_insync(client: Client, change: dict[str, Any]) -> None:
    deadline = time.monotonic() + _INSYNC_WAIT_SECONDS
    backoff = Backoff(longest=5.0)
    while change.get("Status") != "INSYNC":
        if time.monotonic() > deadline:
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"change {change['Id']} not INSYNC"}},
                "GetChange",
            )
        backoff.sleep()
        change = client.get_change(Id=change["Id"])["ChangeInfo"]


# -- zones --------------------------------------------------------------------------------------


@provides
class Zone(Provider):
    """A public hosted zone. Route 53 lets several zones have one name; `find` recognises the one
    an interrupted create made by its name, comment and tags."""

    type_token = "aws:route53/zone:Zone"
    service = "route53"
    inputs = frozenset({"name", "comment", "tags", "forceDestroy"})
    outputs = frozenset({"zoneId", "nameServers", "primaryNameServer", "arn", "tagsAll"})
    updatable = frozenset({"comment", "tags", "forceDestroy"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        answer = client.create_hosted_zone(
            Name=i["name"],
            CallerReference=str(uuid.uuid4()),
            HostedZoneConfig={"Comment": _comment(i)},
        )
        zone_id = _bare(answer["HostedZone"]["Id"])
        try:
            wait_insync(client, answer["ChangeInfo"])
            self._retag(client, zone_id, {}, i.get("tags"))
        except Exception:
            client.delete_hosted_zone(Id=zone_id)  # leave nothing unrecorded behind
            raise
        return Created(zone_id, self._outputs(zone_id, answer.get("DelegationSet", {}), i))

    @staticmethod
    def _outputs(zone_id: str, delegation: dict[str, Any], inputs: Inputs) -> Outputs:
        servers = sorted(delegation.get("NameServers", []))
        return {
            "zoneId": zone_id,
            "nameServers": servers,
            "primaryNameServer": servers[0] if servers else None,
            "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    @staticmethod
    def _retag(client: Client, zone_id: str, old: dict | None, new: dict | None) -> None:
        """Route 53 adds and removes tags in one call of its own, so it is not among
        `tagging`'s TagCalls."""

        def change(**kwargs: Any) -> None:
            client.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, **kwargs)

        retag(
            old,
            new,
            untag=lambda keys: change(RemoveTagKeys=keys),
            tag=lambda tags: change(AddTags=tag_list(tags)),
        )

    @staticmethod
    def _live_tags(client: Client, zone_id: str) -> dict[str, str]:
        answer = client.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
        return tag_map(answer["ResourceTagSet"].get("Tags"))

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        # Changed from what is live, not from the record: the live zone may have drifted.
        client = self.client(ctx, want.inputs)
        zone = client.get_hosted_zone(Id=have.id)
        if zone["HostedZone"].get("Config", {}).get("Comment", "") != _comment(want.inputs):
            client.update_hosted_zone_comment(Id=have.id, Comment=_comment(want.inputs))
        self._retag(client, have.id, self._live_tags(client, have.id), want.inputs.get("tags"))
        return self._outputs(have.id, zone.get("DelegationSet", {}), want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if have.inputs.get("forceDestroy"):
            self._empty(client, have.id)
        client.delete_hosted_zone(Id=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """Name, comment and tags; `forceDestroy` has no live counterpart."""
        client = self.client(ctx, have.inputs)
        zone = client.get_hosted_zone(Id=have.id)["HostedZone"]
        return self._as_inputs(zone, self._live_tags(client, have.id), have.inputs)

    @staticmethod
    def _as_inputs(zone: dict[str, Any], tags: dict[str, str], recorded: Inputs) -> Inputs:
        """A zone as a Zone's inputs, shaped like `recorded`: Route 53 answers the name with a
        final dot, and every zone has a comment (pulumi-aws's default when the program sets
        none)."""
        name = zone["Name"]
        live: Inputs = {
            "name": recorded["name"] if _dotless(recorded["name"]) == _dotless(name) else name
        }
        comment = zone.get("Config", {}).get("Comment", "")
        if "comment" in recorded or comment != _comment({}):
            live["comment"] = comment
        if tags or "tags" in recorded:
            live["tags"] = tags
        return live

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The one public zone of `want`'s name, comment and tags; none when several match."""
        client = self.client(ctx, want.inputs)
        name = _dotless(want.inputs["name"])
        answer = client.list_hosted_zones_by_name(DNSName=name, MaxItems="100")
        matches = []
        for zone in answer["HostedZones"]:
            if _dotless(zone["Name"]) != name or zone.get("Config", {}).get("PrivateZone"):
                continue
            zone_id = _bare(zone["Id"])
            tags = self._live_tags(client, zone_id)
            comment = zone.get("Config", {}).get("Comment", "")
            wanted_tags = want.inputs.get("tags") or {}
            if comment == _comment(want.inputs) and all(
                tags.get(k) == v for k, v in wanted_tags.items()
            ):
                matches.append(zone_id)
        return matches[0] if len(matches) == 1 else None

    @staticmethod
    def _empty(client: Client, zone_id: str) -> None:
        """Delete every record but the zone's own apex NS and SOA."""
        apex = _dotless(client.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"])
        pages = client.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
        doomed = [
            r
            for page in pages
            for r in page["ResourceRecordSets"]
            if not (_dotless(r["Name"]) == apex and r["Type"] in ("NS", "SOA"))
        ]
        for start in range(0, len(doomed), 100):
            changes = [
                {"Action": "DELETE", "ResourceRecordSet": r} for r in doomed[start : start + 100]
            ]
            answer = client.change_resource_record_sets(
                HostedZoneId=zone_id, ChangeBatch={"Changes": changes}
            )
            wait_insync(client, answer["ChangeInfo"])


def _comment(inputs: Inputs) -> str:
    return str(inputs.get("comment", "Managed by Pulumi"))


# -- records ------------------------------------------------------------------------------------


_ROUTING_POLICIES = (
    "latencyRoutingPolicies",
    "weightedRoutingPolicies",
    "failoverRoutingPolicies",
    "geolocationRoutingPolicies",
    "multivalueAnswerRoutingPolicy",
)


@provides
class Record(Provider):
    """One record set. Its id is `<zone>_<name>_<type>[_<set identifier>]`, the AWS provider's.
    `allowOverwrite` only changes how create writes it and has no live counterpart."""

    type_token = "aws:route53/record:Record"
    service = "route53"
    inputs = frozenset(
        {
            "zoneId",
            "name",
            "type",
            "ttl",
            "records",
            "aliases",
            "setIdentifier",
            "healthCheckId",
            "allowOverwrite",
            *_ROUTING_POLICIES,
        }
    )
    outputs = frozenset({"fqdn"})
    updatable = frozenset(
        {"ttl", "records", "aliases", "healthCheckId", "allowOverwrite", *_ROUTING_POLICIES}
    )
    identity = ("zoneId", "name", "type", "setIdentifier")

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        zone_id = _bare(i["zoneId"])
        fqdn = self._fqdn(client, zone_id, i["name"])
        # Without allowOverwrite, an existing record of the same name and type is an error.
        action = "UPSERT" if i.get("allowOverwrite") else "CREATE"
        self._change(client, zone_id, action, record_set(fqdn, i))
        return Created(_record_id(zone_id, fqdn, i), {"fqdn": fqdn})

    @staticmethod
    def _fqdn(client: Client, zone_id: str, name: str) -> str:
        """The record's full name: a name outside the zone is taken as relative to it."""
        zone = _dotless(client.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"])
        name = _dotless(name)
        if name == zone or name.endswith("." + zone):
            return name
        return f"{name}.{zone}" if name else zone

    @staticmethod
    def _change(client: Client, zone_id: str, action: str, rrs: dict[str, Any]) -> None:
        answer = client.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={
                "Comment": "Managed by Pulumi",
                "Changes": [{"Action": action, "ResourceRecordSet": rrs}],
            },
        )
        wait_insync(client, answer["ChangeInfo"])

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        fqdn = have.outputs["fqdn"]
        self._change(client, _bare(want.inputs["zoneId"]), "UPSERT", record_set(fqdn, want.inputs))
        return {"fqdn": fqdn}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        live = self._live_set(client, have.outputs["fqdn"], have.inputs)
        if live is None:
            raise not_found(f"record {have.id}")
        # DELETE needs the record set exactly as it is now.
        self._change(client, _bare(have.inputs["zoneId"]), "DELETE", live)

    @staticmethod
    def _live_set(client: Client, fqdn: str, i: Inputs) -> dict[str, Any] | None:
        """The record set of this name, type and set identifier, as Route 53 answers it."""
        kind, set_id = i["type"], i.get("setIdentifier")
        answer = client.list_resource_record_sets(
            **drop_none(
                HostedZoneId=_bare(i["zoneId"]),
                StartRecordName=fqdn,
                StartRecordType=kind,
                StartRecordIdentifier=set_id,
                MaxItems="100",
            )
        )
        for rrs in answer["ResourceRecordSets"]:
            if (
                _dotless(rrs["Name"]) == fqdn
                and rrs["Type"] == kind
                and rrs.get("SetIdentifier") == set_id
            ):
                return dict(rrs)
        return None

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        live = self._live_set(self.client(ctx, have.inputs), have.outputs["fqdn"], have.inputs)
        if live is None:
            raise not_found(f"record {have.id}")
        return record_inputs(live, have.inputs)

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The record of `want`'s zone, name, type and set identifier."""
        i = want.inputs
        client = self.client(ctx, i)
        zone_id = _bare(i["zoneId"])
        try:
            fqdn = self._fqdn(client, zone_id, i["name"])
        except ClientError as error:
            if self.is_not_found(error):
                return None
            raise
        if self._live_set(client, fqdn, i) is None:
            return None
        return _record_id(zone_id, fqdn, i)


def _record_id(zone_id: str, fqdn: str, i: Inputs) -> str:
    return "_".join(p for p in (zone_id, fqdn, i["type"], i.get("setIdentifier")) if p)


def record_inputs(rrs: dict[str, Any], recorded: Inputs) -> Inputs:
    """A live record set as a Record's inputs, shaped like `recorded` (the inverse of
    `record_set`). The zone, name, type and set identifier are how it was found, so they are
    the recorded ones; values are compared as a set (Route 53 keeps no order that matters), and
    names without case or final dot, as DNS does."""
    live: Inputs = {
        k: recorded[k] for k in ("zoneId", "name", "type", "setIdentifier") if k in recorded
    }
    if "TTL" in rrs:
        live["ttl"] = float(rrs["TTL"])
    values = [r["Value"] for r in rrs.get("ResourceRecords", [])]
    wanted = recorded.get("records")
    if wanted is not None and sorted(_value(rrs["Type"], v) for v in wanted) == sorted(values):
        live["records"] = wanted
    elif values or wanted is not None:
        live["records"] = values
    if alias := rrs.get("AliasTarget"):
        [prior] = recorded.get("aliases") or [{}]
        name = alias["DNSName"]
        live["aliases"] = [
            {
                "name": prior["name"]
                if _dotless(prior.get("name", "")) == _dotless(name)
                else name,
                "zoneId": alias["HostedZoneId"],
                "evaluateTargetHealth": bool(alias.get("EvaluateTargetHealth")),
            }
        ]
    if "Region" in rrs:
        live["latencyRoutingPolicies"] = [{"region": rrs["Region"]}]
    if "Weight" in rrs:
        live["weightedRoutingPolicies"] = [{"weight": float(rrs["Weight"])}]
    if "Failover" in rrs:
        live["failoverRoutingPolicies"] = [{"type": rrs["Failover"]}]
    if geo := rrs.get("GeoLocation"):
        live["geolocationRoutingPolicies"] = [
            drop_none(
                continent=geo.get("ContinentCode"),
                country=geo.get("CountryCode"),
                subdivision=geo.get("SubdivisionCode"),
            )
        ]
    if "MultiValueAnswer" in rrs:
        live["multivalueAnswerRoutingPolicy"] = bool(rrs["MultiValueAnswer"])
    if "HealthCheckId" in rrs:
        live["healthCheckId"] = rrs["HealthCheckId"]
    return live


def record_set(fqdn: str, i: Inputs) -> dict[str, Any]:
    """The ResourceRecordSet for a Record's inputs."""
    rrs: dict[str, Any] = {"Name": fqdn, "Type": i["type"]}
    if i.get("setIdentifier"):
        rrs["SetIdentifier"] = i["setIdentifier"]
    aliases = i.get("aliases") or []
    if aliases:
        alias = aliases[0]
        rrs["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth")),
        }
    else:
        rrs["TTL"] = as_int(i.get("ttl"))
        rrs["ResourceRecords"] = [{"Value": _value(i["type"], v)} for v in i.get("records") or []]
    if latency := i.get("latencyRoutingPolicies"):
        rrs["Region"] = latency[0]["region"]
    if weighted := i.get("weightedRoutingPolicies"):
        rrs["Weight"] = as_int(weighted[0]["weight"])
    if failover := i.get("failoverRoutingPolicies"):
        rrs["Failover"] = failover[0]["type"]
    if geo := i.get("geolocationRoutingPolicies"):
        rrs["GeoLocation"] = drop_none(
            ContinentCode=geo[0].get("continent"),
            CountryCode=geo[0].get("country"),
            SubdivisionCode=geo[0].get("subdivision"),
        )
    if i.get("multivalueAnswerRoutingPolicy") is not None:
        rrs["MultiValueAnswer"] = bool(i["multivalueAnswerRoutingPolicy"])
    if i.get("healthCheckId"):
        rrs["HealthCheckId"] = i["healthCheckId"]
    return drop_none(**rrs)


def _value(kind: str, value: str) -> str:
    """TXT and SPF values are quoted strings; quote them unless the program already did."""
    if kind in ("TXT", "SPF") and not value.startswith('"'):
        return f'"{value}"'
    return value
