"""The S3, ACM and Route 53 providers read back what they applied (issue 8): an unchanged resource
reads as its record, a change made behind the engine's back reads as drift, a bucket recreated
bare shows every configuration it lost, the next deploy puts the configuration back, find()
locates what a create made, and delete leaves nothing. Against the session's emulator, with
tests/engine/programs/drift_buckets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local.engine.engine import Action
from shared.local.engine.naming import check
from shared.local.engine.providers import REGISTRY, Context, Desired
from shared.local.engine.state import ResourceRecord

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
PROJECT = "drifttest"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def deployed(engine_harness):
    """The drift_buckets program deployed under a unique name; destroyed after the test."""
    h = engine_harness("drift_buckets", PROJECT, name=unique("drift"))
    h.up()
    yield h
    h.destroy()


def context(h: Any) -> Context:
    return Context(h.emulator_url, REGION)


def read(h: Any, name: str) -> dict[str, Any]:
    record = h.record(name)
    live = REGISTRY[record.type].read(context(h), record)
    assert isinstance(live, dict)
    return live


def drift(h: Any, name: str) -> dict[str, Any]:
    """The inputs of `name` whose live value differs from its record."""
    record = h.record(name)
    return {k: v for k, v in read(h, name).items() if record.inputs.get(k) != v}


def reads_as_vanished(h: Any, name: str) -> bool:
    record = h.record(name)
    provider = REGISTRY[record.type]
    try:
        provider.read(context(h), record)
    except ClientError as error:
        return provider.is_not_found(error)
    return False


def s3(h: Any) -> Any:
    return h.client("s3")


def bucket_of(h: Any) -> str:
    return h.record("bucket").id


# -- no false drift -----------------------------------------------------------------------------

# What each type's read compares: every input the drift_buckets program sets that has a live
# counterpart (forceDestroy, bucketPrefix, skipDestroy, validationRecordFqdns have none).
COMPARED = {
    "bucket": {"bucket", "tags"},
    "prefixed": {"bucket"},
    "block": {
        "bucket",
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    },
    "encryption": {"bucket", "rules"},
    "versioning": {"bucket", "versioningConfiguration"},
    "ownership": {"bucket", "rule"},
    "policy": {"bucket", "policy"},
    "lifecycle": {"bucket", "rules"},
    "zone": {"name", "comment", "tags"},
    "www": {"zoneId", "name", "type", "ttl", "records"},
    "spf": {"zoneId", "name", "type", "ttl", "records"},
    "validation": {"zoneId", "name", "type", "ttl", "records"},
    "cert": {"domainName", "subjectAlternativeNames", "validationMethod", "tags"},
    "issued": {"certificateArn"},
}


def test_every_resource_reads_back_exactly_as_recorded(deployed):
    assert {r.name for r in deployed.state().resources.values()} == set(COMPARED)
    for record in deployed.state().resources.values():
        live = REGISTRY[record.type].read(context(deployed), record)

        assert set(live) == COMPARED[record.name], record.name
        assert live == {k: record.inputs.get(k) for k in live}, record.name

    plan = deployed.plan()
    assert not plan.has_changes
    assert deployed.engine().plan(live=True).live == {}  # read back: nothing drifted


def test_outputs_programs_read(deployed):
    outputs = {k: v.value for k, v in deployed.up().items()}

    name = outputs["bucket"]
    assert outputs["arn"] == f"arn:aws:s3:::{name}"
    assert outputs["domainName"] == f"{name}.s3.amazonaws.com"
    assert outputs["regionalDomainName"] == f"{name}.s3.{REGION}.amazonaws.com"
    assert outputs["bucketRegion"] == REGION
    # pulumi-aws's auto-name for a prefix: the prefix and 26 random characters.
    prefix = f"{name}-p-"
    assert outputs["prefixedBucket"].startswith(prefix)
    assert len(outputs["prefixedBucket"]) == len(prefix) + 26
    assert s3(deployed).head_bucket(Bucket=outputs["prefixedBucket"])
    zone = deployed.client("route53").get_hosted_zone(Id=outputs["zoneId"])
    assert outputs["zoneArn"] == f"arn:aws:route53:::hostedzone/{outputs['zoneId']}"
    assert outputs["nameServers"] == sorted(zone["DelegationSet"]["NameServers"])
    assert outputs["wwwFqdn"] == f"www.{name}.example.com"
    assert outputs["certStatus"] == "ISSUED"
    cert = deployed.record("cert").outputs
    assert {o["domainName"] for o in cert["domainValidationOptions"]} == {
        f"files.{name}.example.com",
        f"www.{name}.example.com",
    }


# -- drift made with boto3 ----------------------------------------------------------------------


def _kms_encryption(h: Any) -> None:
    s3(h).put_bucket_encryption(
        Bucket=bucket_of(h),
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )


def _other_policy(h: Any) -> None:
    # Not public: the bucket's public access block refuses a public policy (BlockPublicPolicy).
    statement = {
        "Sid": "NoDeletes",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{bucket_of(h)}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3(h).put_bucket_policy(Bucket=bucket_of(h), Policy=json.dumps(policy))


def _short_lifecycle(h: Any) -> None:
    rule = {"ID": "logs", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}
    s3(h).put_bucket_lifecycle_configuration(
        Bucket=bucket_of(h), LifecycleConfiguration={"Rules": [rule]}
    )


def _upsert(h: Any, record: str, **fields: Any) -> None:
    """Change a record set in place with an UPSERT of its live form plus `fields`."""
    zone_id = h.record("zone").id
    route53 = h.client("route53")
    fqdn = h.record(record).outputs["fqdn"]
    [live] = [
        r
        for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        if r["Name"].rstrip(".").lower() == fqdn and r["Type"] == h.record(record).inputs["type"]
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {**live, **fields}}]},
    )


BEHIND_THE_ENGINES_BACK: dict[str, tuple[Callable[[Any], None], dict[str, Any]]] = {
    "versioning suspended": (
        lambda h: s3(h).put_bucket_versioning(
            Bucket=bucket_of(h), VersioningConfiguration={"Status": "Suspended"}
        ),
        {"versioning": {"versioningConfiguration": {"status": "Suspended"}}},
    ),
    # No block is what S3 then enforces: nothing blocked.
    "public access block removed": (
        lambda h: s3(h).delete_public_access_block(Bucket=bucket_of(h)),
        {
            "block": {
                "blockPublicAcls": False,
                "blockPublicPolicy": False,
                "ignorePublicAcls": False,
                "restrictPublicBuckets": False,
            }
        },
    ),
    "another encryption": (
        _kms_encryption,
        {
            "encryption": {
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                        "bucketKeyEnabled": False,
                    }
                ]
            }
        },
    ),
    "other object ownership": (
        lambda h: s3(h).put_bucket_ownership_controls(
            Bucket=bucket_of(h),
            OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
        ),
        {"ownership": {"rule": {"objectOwnership": "ObjectWriter"}}},
    ),
    "bucket tags removed": (
        lambda h: s3(h).delete_bucket_tagging(Bucket=bucket_of(h)),
        {"bucket": {"tags": {}}},
    ),
    "zone comment changed": (
        lambda h: h.client("route53").update_hosted_zone_comment(
            Id=h.record("zone").id, Comment="changed by hand"
        ),
        {"zone": {"comment": "changed by hand"}},
    ),
    "record ttl changed": (lambda h: _upsert(h, "www", TTL=60), {"www": {"ttl": 60.0}}),
    "txt record changed": (
        lambda h: _upsert(h, "spf", ResourceRecords=[{"Value": '"v=spf1 ~all"'}]),
        {"spf": {"records": ['"v=spf1 ~all"']}},
    ),
    "certificate tag changed": (
        lambda h: h.client("acm").add_tags_to_certificate(
            CertificateArn=h.record("cert").id, Tags=[{"Key": "owner", "Value": "someone"}]
        ),
        {"cert": {"tags": {"owner": "someone"}}},
    ),
}


@pytest.mark.parametrize("change", sorted(BEHIND_THE_ENGINES_BACK))
def test_a_change_behind_the_engines_back_reads_as_drift(deployed, change):
    make_change, expected = BEHIND_THE_ENGINES_BACK[change]

    make_change(deployed)

    for name in COMPARED:
        assert drift(deployed, name) == expected.get(name, {}), name


def test_a_changed_policy_reads_as_the_live_document(deployed):
    _other_policy(deployed)

    live = json.loads(drift(deployed, "policy")["policy"])

    assert [s["Sid"] for s in live["Statement"]] == ["NoDeletes"]


def test_a_changed_lifecycle_reads_as_the_live_rules(deployed):
    _short_lifecycle(deployed)

    assert drift(deployed, "lifecycle") == {
        "rules": [{"id": "logs", "status": "Enabled", "expiration": {"days": 1}}]
    }


@pytest.mark.parametrize(
    "name, remove",
    [
        ("policy", lambda h: s3(h).delete_bucket_policy(Bucket=bucket_of(h))),
        ("lifecycle", lambda h: s3(h).delete_bucket_lifecycle(Bucket=bucket_of(h))),
        ("ownership", lambda h: s3(h).delete_bucket_ownership_controls(Bucket=bucket_of(h))),
    ],
)
def test_a_deleted_configuration_without_a_default_reads_as_vanished(deployed, name, remove):
    remove(deployed)

    assert reads_as_vanished(deployed, name)
    assert not reads_as_vanished(deployed, "bucket")


def test_a_deleted_record_reads_as_vanished(deployed):
    zone_id = deployed.record("zone").id
    route53 = deployed.client("route53")
    fqdn = deployed.record("www").outputs["fqdn"]
    [live] = [
        r
        for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        if r["Name"].rstrip(".") == fqdn
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": live}]},
    )

    assert reads_as_vanished(deployed, "www")
    assert not reads_as_vanished(deployed, "zone")


def recreate_bare(h: Any) -> None:
    """Delete the bucket (and so every configuration of it) and make it again, bare."""
    client, name = s3(h), bucket_of(h)
    client.delete_bucket(Bucket=name)  # empty: the program writes no object
    client.create_bucket(Bucket=name)


def test_a_bucket_recreated_bare_shows_every_configuration_it_lost(deployed):
    recreate_bare(deployed)

    assert drift(deployed, "bucket") == {"tags": {}}
    # S3's answers for a bucket without each configuration (see the module doc of s3.py):
    assert drift(deployed, "versioning") == {"versioningConfiguration": {"status": "Disabled"}}
    assert drift(deployed, "block") == {
        "blockPublicAcls": False,
        "blockPublicPolicy": False,
        "ignorePublicAcls": False,
        "restrictPublicBuckets": False,
    }
    assert drift(deployed, "encryption") == {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                "bucketKeyEnabled": False,
            }
        ]
    }
    assert drift(deployed, "ownership") == {"rule": {"objectOwnership": "BucketOwnerEnforced"}}
    assert reads_as_vanished(deployed, "policy")
    assert reads_as_vanished(deployed, "lifecycle")


def test_a_deleted_bucket_takes_its_configurations_with_it(deployed):
    s3(deployed).delete_bucket(Bucket=bucket_of(deployed))

    for name in ("bucket", "block", "encryption", "versioning", "ownership", "policy", "lifecycle"):
        assert reads_as_vanished(deployed, name), name


# -- the engine repairs it ----------------------------------------------------------------------


def assert_as_recorded(h: Any) -> None:
    for record in h.state().resources.values():
        assert drift(h, record.name) == {}, record.name


def test_the_next_deploy_repairs_every_change(deployed):
    for make_change, _ in BEHIND_THE_ENGINES_BACK.values():
        make_change(deployed)
    _other_policy(deployed)
    _short_lifecycle(deployed)
    ids = deployed.ids()

    plan = deployed.engine().plan(live=True)
    deployed.up()

    drifted = {s.name for s in plan.steps if any("drifted" in c for c in s.changed)}
    changed = {name for _, expected in BEHIND_THE_ENGINES_BACK.values() for name in expected}
    assert drifted == changed | {"policy", "lifecycle"}
    assert_as_recorded(deployed)
    assert deployed.ids() == ids  # repaired in place
    client, name = s3(deployed), bucket_of(deployed)
    assert client.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert client.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert not deployed.engine().plan(live=True).has_changes


def test_the_next_deploy_reapplies_what_a_bucket_recreated_bare_lost(deployed):
    recreate_bare(deployed)

    deployed.up()

    assert_as_recorded(deployed)
    client, name = s3(deployed), bucket_of(deployed)
    assert client.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    [rule] = client.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["BucketKeyEnabled"] is True
    assert json.loads(client.get_bucket_policy(Bucket=name)["Policy"])["Statement"][0]["Sid"] == (
        "TlsOnly"
    )
    assert [r["ID"] for r in client.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]] == [
        "logs",
        "scratch",
    ]


def test_the_next_deploy_recreates_a_deleted_bucket_with_its_configurations(deployed):
    s3(deployed).delete_bucket(Bucket=bucket_of(deployed))

    deployed.up()

    assert_as_recorded(deployed)
    assert s3(deployed).get_bucket_versioning(Bucket=bucket_of(deployed))["Status"] == "Enabled"


# -- updates ------------------------------------------------------------------------------------


def test_ownership_lifecycle_and_zone_tags_update_in_place(deployed):
    ids = deployed.ids()
    settings = {"ownership": "ObjectWriter", "expireDays": "10", "owner": "second"}

    plan = deployed.plan(**settings)
    deployed.up(**settings)

    assert sorted(s.name for s in plan.steps if s.action is Action.UPDATE) == [
        "bucket",
        "cert",
        "lifecycle",
        "ownership",
        "zone",
    ]
    assert deployed.ids() == ids
    assert_as_recorded(deployed)
    client, name = s3(deployed), bucket_of(deployed)
    controls = client.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
    [logs, _] = client.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert logs["Expiration"] == {"Days": 10}
    tags = deployed.client("route53").list_tags_for_resource(
        ResourceType="hostedzone", ResourceId=deployed.record("zone").id
    )
    assert tags["ResourceTagSet"]["Tags"] == [{"Key": "owner", "Value": "second"}]


def test_versioning_cannot_be_disabled_once_enabled(deployed):
    # S3 has no call that makes a versioned bucket unversioned again; only Suspended exists.
    record = deployed.record("versioning")
    want = Desired(
        "versioning",
        "versioning",
        {**record.inputs, "versioningConfiguration": {"status": "Disabled"}},
    )

    with pytest.raises(UserError, match="Suspended"):
        REGISTRY[record.type].update(context(deployed), record, want)


# -- find ---------------------------------------------------------------------------------------


def test_find_locates_what_each_create_made_and_nothing_once_destroyed(deployed):
    records = dict(deployed.state().resources)
    ctx = context(deployed)

    for key, record in records.items():
        want = Desired(key, record.name, record.inputs)
        assert REGISTRY[record.type].find(ctx, want) == record.id, record.name

    deployed.destroy()

    for key, record in records.items():
        want = Desired(key, record.name, record.inputs)
        assert REGISTRY[record.type].find(ctx, want) is None, record.name


def test_find_a_bucket_named_from_its_prefix(emulator_server):
    provider = REGISTRY["aws:s3/bucket:Bucket"]
    ctx = Context(emulator_server.url, REGION)
    prefix = f"{unique('find')}-"
    named = check(provider.auto_name, "logs", {"bucketPrefix": prefix}, None)
    want = Desired("aws:s3/bucket:Bucket::logs", "logs", named.inputs)
    assert provider.find(ctx, want) is None

    created = provider.create(ctx, want)

    assert created.id.startswith(prefix)
    assert provider.find(ctx, want) == created.id
    record = ResourceRecord(want.key, want.name, created.id, want.inputs, created.outputs)
    provider.delete(ctx, record)
    assert provider.find(ctx, want) is None


def test_find_ignores_what_s3_reports_for_a_bucket_never_configured(emulator_server):
    ctx = Context(emulator_server.url, REGION)
    name = unique("bare")
    ctx.client("s3").create_bucket(Bucket=name)
    wants = {
        "aws:s3/bucketVersioning:BucketVersioning": {
            "versioningConfiguration": {"status": "Enabled"}
        },
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {"blockPublicAcls": True},
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
        },
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
            "rule": {"objectOwnership": "BucketOwnerPreferred"}
        },
        "aws:s3/bucketPolicy:BucketPolicy": {"policy": "{}"},
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {"rules": []},
    }
    try:
        for token, inputs in wants.items():
            want = Desired(f"{token}::x", "x", {"bucket": name, **inputs})
            assert REGISTRY[token].find(ctx, want) is None, token
    finally:
        ctx.client("s3").delete_bucket(Bucket=name)


def test_find_says_none_for_a_certificate_it_cannot_tell_apart(deployed):
    ctx = context(deployed)
    provider = REGISTRY["aws:acm/certificate:Certificate"]
    record = deployed.record("cert")
    untagged = {k: v for k, v in record.inputs.items() if k != "tags"}
    # Without tags any certificate of the domain could be the one.
    assert provider.find(ctx, Desired("cert", "cert", untagged)) is None

    acm = deployed.client("acm")
    twin = acm.request_certificate(
        DomainName=record.inputs["domainName"],
        SubjectAlternativeNames=record.inputs["subjectAlternativeNames"],
        ValidationMethod="DNS",
        Tags=[{"Key": k, "Value": v} for k, v in record.inputs["tags"].items()],
    )["CertificateArn"]
    try:
        assert provider.find(ctx, Desired("cert", "cert", record.inputs)) is None
    finally:
        acm.delete_certificate(CertificateArn=twin)
    assert provider.find(ctx, Desired("cert", "cert", record.inputs)) == record.id


def test_find_says_none_for_a_zone_name_two_zones_share(deployed):
    ctx = context(deployed)
    provider = REGISTRY["aws:route53/zone:Zone"]
    record = deployed.record("zone")
    route53 = deployed.client("route53")
    # Route 53 lets two public zones have one name.
    twin = route53.create_hosted_zone(
        Name=record.inputs["name"],
        CallerReference=uuid.uuid4().hex,
        HostedZoneConfig={"Comment": "Managed by Pulumi"},
    )["HostedZone"]["Id"]
    route53.change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=twin.rsplit("/", 1)[-1],
        AddTags=[{"Key": k, "Value": v} for k, v in record.inputs["tags"].items()],
    )
    try:
        assert provider.find(ctx, Desired("zone", "zone", record.inputs)) is None
    finally:
        route53.delete_hosted_zone(Id=twin)
    assert provider.find(ctx, Desired("zone", "zone", record.inputs)) == record.id


# -- delete -------------------------------------------------------------------------------------


def test_deleting_each_configuration_leaves_the_bucket_as_s3_makes_it(deployed):
    ctx, client, name = context(deployed), s3(deployed), bucket_of(deployed)

    for config in ("block", "encryption", "versioning", "ownership", "policy", "lifecycle"):
        record = deployed.record(config)
        REGISTRY[record.type].delete(ctx, record)

    def code(call: Callable[..., Any]) -> str:
        with pytest.raises(ClientError) as caught:
            call(Bucket=name)
        return str(caught.value.response["Error"]["Code"])

    assert code(client.get_public_access_block) == "NoSuchPublicAccessBlockConfiguration"
    assert code(client.get_bucket_policy) == "NoSuchBucketPolicy"
    assert code(client.get_bucket_lifecycle_configuration) == "NoSuchLifecycleConfiguration"
    assert code(client.get_bucket_ownership_controls) == "OwnershipControlsNotFoundError"
    # Versioning is only ever suspended; encryption falls back to S3's default, as on AWS.
    assert client.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
    [rule] = client.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule == {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BucketKeyEnabled": False,
    }


def test_destroy_leaves_nothing(deployed):
    ids = deployed.ids()

    assert deployed.destroy() == len(COMPARED)

    client = s3(deployed)
    for bucket in (ids["bucket"], ids["prefixed"]):
        with pytest.raises(ClientError):
            client.head_bucket(Bucket=bucket)
    with pytest.raises(ClientError):
        deployed.client("route53").get_hosted_zone(Id=ids["zone"])
    with pytest.raises(ClientError):
        deployed.client("acm").describe_certificate(CertificateArn=ids["cert"])
    assert deployed.state().resources == {}
