"""The Lambda, IAM, S3, ACM, Route 53 and API Gateway domain providers against a real emulator.

Each family: deploy a small program, check the resources in the emulator, redeploy without a
change (nothing happens), change an updatable input (updated in place, same id), destroy (gone).
"""

from __future__ import annotations

import io
import json
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest
from botocore.exceptions import ClientError

from shared.local.engine.engine import Action, ApplyError
from shared.local.engine.providers import REGISTRY, Context
from shared.local.engine.providers.lambda_ import code_zip

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
PROJECT = "providertest"


def changes(plan) -> list[tuple[Action, str]]:
    """The plan's steps that change something, by resource name."""
    steps = [(s.action, s.name) for s in plan.steps if s.action is not Action.SAME]
    return sorted(steps, key=lambda step: (step[1], step[0].value))


def gone(call, **kwargs) -> bool:
    try:
        call(**kwargs)
    except ClientError:
        return True
    return False


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- Lambda and IAM -----------------------------------------------------------------------------

HANDLER = """
import os

def handler(event, context):
    return {"message": os.environ["MESSAGE"], "version": VERSION, "echo": event}
"""


def write_code(folder: Path, version: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handler.py").write_text(f"VERSION = {version}\n" + HANDLER)
    return folder


def write_zip(path: Path, version: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("handler.py", f"VERSION = {version}\n" + HANDLER)
    return path


def invoke(harness: Any, name: str) -> dict:
    answer = harness.client("lambda").invoke(FunctionName=name, Payload=b'{"ping": 1}')
    return json.loads(answer["Payload"].read())


@pytest.fixture
def functions(engine_harness, tmp_path):
    h = engine_harness(
        "functions", PROJECT, name=unique("fn"), code=str(write_zip(tmp_path / "code-1.zip", 1))
    )
    yield h
    h.destroy()


def test_function_runs_its_zip_with_role_policy_and_permission(functions):
    outputs = functions.up()

    name = outputs["functionName"].value
    assert invoke(functions, name) == {"message": "hello", "version": 1, "echo": {"ping": 1}}
    config = functions.client("lambda").get_function_configuration(FunctionName=name)
    assert (config["Runtime"], config["Handler"], config["Timeout"], config["MemorySize"]) == (
        "python3.12",
        "handler.handler",
        5,
        128,
    )
    assert config["Role"] == outputs["roleArn"].value
    arn = outputs["functionArn"].value
    assert arn == f"arn:aws:lambda:{REGION}:000000000000:function:{name}"
    assert outputs["invokeArn"].value == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
    )
    assert outputs["qualifiedArn"].value == f"{arn}:$LATEST"
    assert outputs["version"].value == "$LATEST"
    policy = json.loads(functions.client("lambda").get_policy(FunctionName=name)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Sid"] == outputs["statementId"].value
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(":abcdef1234/*/*")
    iam = functions.client("iam")
    inline = iam.get_role_policy(RoleName=name, PolicyName="logs")["PolicyDocument"]
    assert inline["Statement"][0]["Action"] == "logs:PutLogEvents"
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    assert functions.record("policy").id == f"{name}:logs"


def test_unchanged_functions_program_changes_nothing(functions):
    functions.up()
    before = functions.ids()

    plan = functions.plan()
    functions.up()

    assert not plan.has_changes
    assert plan.count(Action.SAME) == 5
    assert functions.ids() == before
    assert not [line for line in functions.lines if "created" in line or "updated" in line]


def test_changed_configuration_and_code_update_the_function_in_place(functions, tmp_path):
    name = functions.up()["functionName"].value
    sha_before = functions.record("function").outputs["codeSha256"]

    plan = functions.plan(message="changed", timeout="9")
    functions.up(message="changed", timeout="9")

    assert changes(plan) == [(Action.UPDATE, "function")]
    assert invoke(functions, name)["message"] == "changed"
    config = functions.client("lambda").get_function_configuration(FunctionName=name)
    assert config["Timeout"] == 9

    new_code = str(write_zip(tmp_path / "code-2.zip", 2))
    plan = functions.plan(code=new_code)
    functions.up(code=new_code)

    assert [(s.action, s.changed) for s in plan.steps if s.action is not Action.SAME] == [
        (Action.UPDATE, ("code",))
    ]
    assert invoke(functions, name) == {"message": "changed", "version": 2, "echo": {"ping": 1}}
    assert functions.record("function").id == name
    assert functions.record("function").outputs["codeSha256"] != sha_before


def test_changed_inline_policy_and_role_description_update_in_place(functions):
    name = functions.up()["functionName"].value
    before = functions.ids()

    plan = functions.plan(policyAction="logs:*", description="second")
    functions.up(policyAction="logs:*", description="second")

    assert changes(plan) == [(Action.UPDATE, "policy"), (Action.UPDATE, "role")]
    assert functions.ids() == before
    iam = functions.client("iam")
    inline = iam.get_role_policy(RoleName=name, PolicyName="logs")["PolicyDocument"]
    assert inline["Statement"][0]["Action"] == "logs:*"
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "second"


def test_code_from_a_folder_is_zipped_and_a_file_change_updates_it(functions, tmp_path):
    folder = write_code(tmp_path / "src", 3)
    name = functions.up(code=str(folder))["functionName"].value
    assert invoke(functions, name)["version"] == 3
    assert not functions.plan().has_changes  # the same folder gives the same fingerprint

    write_code(folder, 4)
    plan = functions.plan()
    functions.up()

    assert changes(plan) == [(Action.UPDATE, "function")]
    assert invoke(functions, name)["version"] == 4


def test_code_from_an_asset_archive(functions, tmp_path):
    folder = write_code(tmp_path / "assets", 5)

    name = functions.up(code=str(folder), codeKind="assets")["functionName"].value

    assert invoke(functions, name)["version"] == 5
    code = functions.client("lambda").get_function(FunctionName=name)["Code"]
    assert code.get("Location") or code.get("RepositoryType")  # the package is stored


def test_folder_zips_are_deterministic(tmp_path):
    folder = write_code(tmp_path / "src", 1)
    (folder / "pkg").mkdir()
    (folder / "pkg" / "util.py").write_text("X = 1\n")

    first = code_zip(pulumi.FileArchive(str(folder)))
    (folder / "handler.py").touch()  # a newer mtime must not change the package
    second = code_zip(pulumi.FileArchive(str(folder)))

    assert first == second
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["handler.py", "pkg/util.py"]


def test_destroy_removes_function_role_and_permission(functions):
    outputs = functions.up()
    name = outputs["functionName"].value

    deleted = functions.destroy()

    assert deleted == 5
    lam, iam = functions.client("lambda"), functions.client("iam")
    assert gone(lam.get_function, FunctionName=name)
    assert gone(iam.get_role, RoleName=name)
    assert gone(iam.get_role_policy, RoleName=name, PolicyName="logs")
    assert functions.state().resources == {}


def test_function_vanished_from_emulator_is_recreated(functions):
    name = functions.up()["functionName"].value
    functions.client("lambda").delete_function(FunctionName=name)

    functions.up()

    assert invoke(functions, name)["message"] == "hello"
    assert any("vanished" in line for line in functions.lines)


def test_permission_statement_is_gone_after_its_removal(functions):
    functions.up()
    provider = REGISTRY["aws:lambda/permission:Permission"]
    record = functions.record("invoke")
    ctx = Context(functions.emulator_url, REGION)
    assert provider.exists(ctx, record)

    provider.delete(ctx, record)

    assert not provider.exists(ctx, record)  # MiniStack leaves an empty policy behind


def test_function_in_its_own_region(functions):
    outputs = functions.up(region="eu-west-1")

    name, arn = outputs["functionName"].value, outputs["functionArn"].value
    assert arn == f"arn:aws:lambda:eu-west-1:000000000000:function:{name}"
    assert outputs["invokeArn"].value.startswith("arn:aws:apigateway:eu-west-1:lambda:path/")
    eu = functions.client("lambda", "eu-west-1")
    assert json.loads(eu.invoke(FunctionName=name)["Payload"].read())["version"] == 1
    assert json.loads(eu.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert gone(functions.client("lambda").get_function, FunctionName=name)
    assert not functions.plan(region="eu-west-1").has_changes

    functions.destroy()

    assert gone(eu.get_function, FunctionName=name)


# -- S3 -----------------------------------------------------------------------------------------


@pytest.fixture
def buckets(engine_harness):
    h = engine_harness("buckets", PROJECT, name=unique("b"))
    yield h
    h.up(forceDestroy="true")  # whatever a test left in the bucket goes with it
    h.destroy()


def test_bucket_is_versioned_encrypted_and_private(buckets):
    outputs = buckets.up()

    name = outputs["bucket"].value
    s3 = buckets.client("s3")
    assert s3.head_bucket(Bucket=name)
    assert outputs["arn"].value == f"arn:aws:s3:::{name}"
    assert outputs["regionalDomainName"].value == f"{name}.s3.{REGION}.amazonaws.com"
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "owner", "Value": "first"}]
    assert {r.id for r in buckets.state().resources.values()} == {name}


def test_unchanged_bucket_program_changes_nothing(buckets):
    buckets.up()

    plan = buckets.plan()

    assert not plan.has_changes
    assert plan.count(Action.SAME) == 4


def test_bucket_settings_update_in_place(buckets):
    name = buckets.up()["bucket"].value
    settings = {
        "versioning": "Suspended",
        "algorithm": "aws:kms",
        "restrict": "false",
        "owner": "second",
    }

    plan = buckets.plan(**settings)
    buckets.up(**settings)

    assert changes(plan) == [
        (Action.UPDATE, "block"),
        (Action.UPDATE, "bucket"),
        (Action.UPDATE, "encryption"),
        (Action.UPDATE, "versioning"),
    ]
    s3 = buckets.client("s3")
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
    [rule] = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block["RestrictPublicBuckets"] is False
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "owner", "Value": "second"}]
    assert {r.id for r in buckets.state().resources.values()} == {name}


def test_non_empty_bucket_survives_destroy_unless_force_destroy(buckets):
    name = buckets.up()["bucket"].value
    s3 = buckets.client("s3")
    for body in (b"one", b"two", b"three"):  # three versions of one key
        s3.put_object(Bucket=name, Key="model.bin", Body=body)
    s3.put_object(Bucket=name, Key="deleted.txt", Body=b"x")
    s3.delete_object(Bucket=name, Key="deleted.txt")  # a delete marker

    with pytest.raises(ApplyError, match="BucketNotEmpty"):
        buckets.destroy()
    assert s3.head_bucket(Bucket=name)
    assert [r.name for r in buckets.state().resources.values()] == ["bucket"]

    plan = buckets.plan(forceDestroy="true")
    buckets.up(forceDestroy="true")
    assert (Action.UPDATE, "bucket") in changes(plan)
    buckets.destroy()

    assert gone(s3.head_bucket, Bucket=name)
    assert buckets.state().resources == {}


def test_bucket_in_its_own_region(buckets):
    outputs = buckets.up(region="eu-west-1")

    name = outputs["bucket"].value
    s3 = buckets.client("s3", "eu-west-1")
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    assert outputs["regionalDomainName"].value == f"{name}.s3.eu-west-1.amazonaws.com"
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert not buckets.plan(region="eu-west-1").has_changes


# -- ACM, Route 53 and API Gateway custom domains -----------------------------------------------


@pytest.fixture
def domains(engine_harness):
    h = engine_harness("domains", PROJECT, name=unique("d"))
    yield h
    h.destroy()


def through_domain(harness: Any, domain: str, path: str = "/models") -> dict:
    request = urllib.request.Request(harness.emulator_url + path, headers={"Host": domain})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def record_sets(harness: Any, zone_id: str) -> dict[tuple[str, str, str | None], dict]:
    sets = harness.client("route53").list_resource_record_sets(HostedZoneId=zone_id)
    return {
        (r["Name"].rstrip("."), r["Type"], r.get("SetIdentifier")): r
        for r in sets["ResourceRecordSets"]
    }


def test_domain_serves_the_mapped_stage_with_certificate_and_records(domains):
    outputs = domains.up()

    domain = outputs["domainName"].value
    zone_name = domain.removeprefix("api.")
    assert through_domain(domains, domain) == {"stage": "blue"}

    gateway = domains.client("apigateway")
    live = gateway.get_domain_name(domainName=domain)
    assert live["regionalCertificateArn"] == outputs["certArn"].value
    assert live["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert outputs["regionalDomainName"].value == live["regionalDomainName"]
    assert outputs["regionalZoneId"].value == live["regionalHostedZoneId"]
    mapping = gateway.get_base_path_mapping(domainName=domain, basePath="models")
    assert (mapping["restApiId"], mapping["stage"]) == (outputs["apiId"].value, "blue")
    assert domains.record("mapping").id == f"{domain}/models"

    acm = domains.client("acm")
    cert = acm.describe_certificate(CertificateArn=outputs["certArn"].value)["Certificate"]
    assert set(cert["SubjectAlternativeNames"]) == {domain, f"www.{zone_name}"}
    tags = acm.list_tags_for_certificate(CertificateArn=outputs["certArn"].value)["Tags"]
    assert tags == [{"Key": "owner", "Value": "first"}]
    options = domains.record("cert").outputs["domainValidationOptions"]
    assert {o["domainName"] for o in options} == {domain, f"www.{zone_name}"}

    other = outputs["otherCertArn"].value
    assert other.startswith("arn:aws:acm:eu-west-1:")
    eu = domains.client("acm", "eu-west-1").describe_certificate(CertificateArn=other)
    assert eu["Certificate"]["DomainName"] == domain
    assert gone(acm.describe_certificate, CertificateArn=other)  # not in the default region

    zone_id = outputs["zoneId"].value
    zone = domains.client("route53").get_hosted_zone(Id=zone_id)
    assert zone["HostedZone"]["Name"] == f"{zone_name}."
    assert outputs["nameServers"].value == sorted(zone["DelegationSet"]["NameServers"])
    sets = record_sets(domains, zone_id)
    alias = sets[(domain, "A", None)]["AliasTarget"]
    assert alias["DNSName"].rstrip(".") == live["regionalDomainName"]
    assert alias["HostedZoneId"] == live["regionalHostedZoneId"]
    www = sets[(f"www.{zone_name}", "CNAME", None)]
    assert (www["TTL"], www["ResourceRecords"]) == (300, [{"Value": live["regionalDomainName"]}])
    validation = outputs["validationRecord"].value.rstrip(".")
    assert sets[(validation, "CNAME", None)]["TTL"] == 60
    for region in ("us-east-1", "eu-west-1"):
        latency = sets[(f"models.{zone_name}", "CNAME", region)]
        assert latency["Region"] == region
        assert latency["ResourceRecords"] == [{"Value": f"models.{region}.example.net"}]
    assert domains.record("www").id == f"{zone_id}_www.{zone_name}_CNAME"
    assert domains.record("latency-eu-west-1").id == (
        f"{zone_id}_models.{zone_name}_CNAME_eu-west-1"
    )


def test_unchanged_domain_program_changes_nothing(domains):
    domains.up()
    before = domains.ids()

    plan = domains.plan()
    domains.up()

    assert not plan.has_changes
    assert domains.ids() == before
    assert not [line for line in domains.lines if "created" in line or "updated" in line]


def test_domain_settings_update_in_place(domains):
    outputs = domains.up()
    domain, zone_id = outputs["domainName"].value, outputs["zoneId"].value
    before = domains.ids()
    settings = {"stage": "green", "securityPolicy": "TLS_1_0", "ttl": "120", "owner": "second"}

    plan = domains.plan(**settings)
    domains.up(**settings)

    assert changes(plan) == [
        (Action.UPDATE, "cert"),
        (Action.UPDATE, "domain"),
        (Action.UPDATE, "mapping"),
        (Action.UPDATE, "www"),
    ]
    assert domains.ids() == before
    assert through_domain(domains, domain) == {"stage": "green"}
    gateway = domains.client("apigateway")
    assert gateway.get_domain_name(domainName=domain)["securityPolicy"] == "TLS_1_0"
    [mapping] = gateway.get_base_path_mappings(domainName=domain)["items"]
    assert (mapping["basePath"], mapping["stage"]) == ("models", "green")
    zone_name = domain.removeprefix("api.")
    assert record_sets(domains, zone_id)[(f"www.{zone_name}", "CNAME", None)]["TTL"] == 120
    tags = domains.client("acm").list_tags_for_certificate(CertificateArn=outputs["certArn"].value)
    assert tags["Tags"] == [{"Key": "owner", "Value": "second"}]


def test_destroy_removes_domain_zone_and_certificates(domains):
    outputs = domains.up()
    domain = outputs["domainName"].value

    domains.destroy()

    assert gone(domains.client("apigateway").get_domain_name, domainName=domain)
    assert gone(domains.client("route53").get_hosted_zone, Id=outputs["zoneId"].value)
    assert gone(domains.client("acm").describe_certificate, CertificateArn=outputs["certArn"].value)
    other = domains.client("acm", "eu-west-1")
    assert gone(other.describe_certificate, CertificateArn=outputs["otherCertArn"].value)
    assert domains.state().resources == {}
