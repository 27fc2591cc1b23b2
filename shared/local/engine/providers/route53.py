"""Route 53 hosted zones and record sets on the emulator.

Route 53 is global; a `region` input only picks the endpoint's signing region. Every change waits
until Route 53 reports it INSYNC, as the AWS provider does (MiniStack 1.5.33 gets there in about
a tenth of a second, AWS in up to a minute).

Where MiniStack 1.5.33 differs from AWS:
- It answers `list_resource_record_sets` from a start name with only the records from that name
  on, and nothing when the name has none; AWS answers with the next records in order. `read`
  matches name, type and set identifier exactly, so both work.
- Change batches are not checked against the record types' rules (alias targets must exist,
  routing policies must agree within a name); records are stored as given.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from shared.errors import UserError
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
    retag,
)
from shared.local.engine.state import ResourceRecord

_INSYNC_WAIT_SECONDS = 600.0


def _bare(zone_id: str) -> str:
    """'/hostedzone/Z123' → 'Z123'."""
    return zone_id.rsplit("/", 1)[-1]


def _dotless(name: str) -> str:
    return name.rstrip(".").lower()


def wait_insync(client: Client, change: dict[str, Any]) -> None:
    deadline = time.monotonic() + _INSYNC_WAIT_SECONDS
    pause = 0.05
    while change.get("Status") != "INSYNC":
        if time.monotonic() > deadline:
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"change {change['Id']} not INSYNC"}},
                "GetChange",
            )
        time.sleep(pause)
        pause = min(pause * 1.5, 5.0)
        change = client.get_change(Id=change["Id"])["ChangeInfo"]


# -- zones --------------------------------------------------------------------------------------


@provides
class Zone(Provider):
    type_token = "aws:route53/zone:Zone"
    service = "route53"
    updatable = frozenset({"comment", "tags", "forceDestroy"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        if i.get("vpcs"):
            raise UserError("The local engine does not make private hosted zones (vpcs).")
        answer = client.create_hosted_zone(
            **drop_none(
                Name=i["name"],
                CallerReference=str(uuid.uuid4()),
                HostedZoneConfig={"Comment": i.get("comment", "Managed by Pulumi")},
                DelegationSetId=i.get("delegationSetId"),
            )
        )
        zone_id = _bare(answer["HostedZone"]["Id"])
        try:
            wait_insync(client, answer["ChangeInfo"])
            self._retag(client, zone_id, {}, i.get("tags"))
        except Exception:
            client.delete_hosted_zone(Id=zone_id)  # leave nothing unrecorded behind
            raise
        return Created(zone_id, self._outputs(zone_id, answer.get("DelegationSet", {})))

    @staticmethod
    def _outputs(zone_id: str, delegation: dict[str, Any]) -> Outputs:
        servers = sorted(delegation.get("NameServers", []))
        return {
            "zoneId": zone_id,
            "nameServers": servers,
            "primaryNameServer": servers[0] if servers else None,
            "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        }

    @staticmethod
    def _retag(client: Client, zone_id: str, old: dict | None, new: dict | None) -> None:
        def change(**kwargs: Any) -> None:
            client.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, **kwargs)

        retag(
            old,
            new,
            untag=lambda keys: change(RemoveTagKeys=keys),
            tag=lambda tags: change(AddTags=[{"Key": k, "Value": v} for k, v in tags.items()]),
        )

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        old, new = have.inputs, want.inputs
        if old.get("comment") != new.get("comment"):
            client.update_hosted_zone_comment(
                Id=have.id, Comment=new.get("comment", "Managed by Pulumi")
            )
        self._retag(client, have.id, old.get("tags"), new.get("tags"))
        zone = client.get_hosted_zone(Id=have.id)
        return self._outputs(have.id, zone.get("DelegationSet", {}))

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        client = self.client(ctx, have.inputs)
        if have.inputs.get("forceDestroy"):
            self._empty(client, have.id)
        client.delete_hosted_zone(Id=have.id)

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

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).get_hosted_zone(Id=have.id)


# -- records ------------------------------------------------------------------------------------


@provides
class Record(Provider):
    """One record set. Its id is `<zone>_<name>_<type>[_<set identifier>]`, the AWS provider's."""

    type_token = "aws:route53/record:Record"
    service = "route53"
    updatable = frozenset(
        {
            "ttl",
            "records",
            "aliases",
            "healthCheckId",
            "latencyRoutingPolicies",
            "weightedRoutingPolicies",
            "failoverRoutingPolicies",
            "geolocationRoutingPolicies",
            "multivalueAnswerRoutingPolicy",
            "allowOverwrite",
        }
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
        record_id = "_".join(p for p in (zone_id, fqdn, i["type"], i.get("setIdentifier")) if p)
        return Created(record_id, {"fqdn": fqdn})

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
        live = self.read(ctx, have)  # DELETE needs the record set exactly as it is now
        self._change(client, _bare(have.inputs["zoneId"]), "DELETE", live)

    def read(self, ctx: Context, have: ResourceRecord) -> dict[str, Any]:
        i = have.inputs
        fqdn, kind, set_id = have.outputs["fqdn"], i["type"], i.get("setIdentifier")
        answer = self.client(ctx, i).list_resource_record_sets(
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
        raise not_found(f"record {have.id}")


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
