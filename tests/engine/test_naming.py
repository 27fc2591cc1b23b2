"""Auto-naming (naming.py) and the replace order (engine.replace_order), without an emulator."""

from __future__ import annotations

import re

import pytest

from shared.local.engine.engine import replace_order
from shared.local.engine.naming import AutoName, adopt_legacy_name, check, s3_bucket_name
from shared.local.engine.program import Registration
from shared.local.engine.providers import REGISTRY
from shared.local.engine.state import ResourceRecord

NAME = AutoName("name", prefix="namePrefix", max_length=64)
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METHOD = "aws:apigateway/method:Method"


def record(inputs: dict, *, defaults: tuple[str, ...] = (), outputs: dict | None = None):
    return ResourceRecord("t", "fn", "id-1", inputs, outputs or {}, [], list(defaults))


def test_an_unnamed_resource_gets_its_logical_name_and_a_random_suffix():
    first = check(NAME, "fn", {}, None)
    second = check(NAME, "fn", {}, None)

    assert re.fullmatch(r"fn-[0-9a-f]{7}", first.inputs["name"])
    assert first.inputs["name"] != second.inputs["name"]  # two projects never share it
    assert first.defaults == ("name",)


def test_a_prefix_gets_a_long_random_suffix_and_lengths_are_kept():
    named = check(NAME, "fn", {"namePrefix": "svc-"}, None).inputs["name"]
    long = check(NAME, "f" * 80, {}, None).inputs["name"]

    assert re.fullmatch(r"svc-[0-9a-f]{26}", named)
    assert len(long) == 64 and re.fullmatch(r"f{56}-[0-9a-f]{7}", long)


def test_bucket_auto_names_are_valid_for_s3():
    bucket = REGISTRY["aws:s3/bucket:Bucket"].auto_name
    assert bucket is not None

    assert re.fullmatch(r"data-bucket-[0-9a-f]{7}", bucket.generate("Data_Bucket"))
    assert s3_bucket_name("--Weird__Name..") == "weird-name"
    assert len(bucket.generate("B" * 100)) == 63


def test_a_name_set_by_the_program_is_kept_as_it_is():
    named = check(NAME, "fn", {"name": "mine"}, record({"name": "other"}, defaults=("name",)))

    assert named.inputs == {"name": "mine"} and named.defaults == ()


def test_the_recorded_auto_name_is_reused_unless_the_resource_is_replaced():
    have = record({"name": "fn-abc1234"}, defaults=("name",))

    kept = check(NAME, "fn", {}, have)
    fresh = check(NAME, "fn", {}, have, fresh=True)

    assert kept.inputs["name"] == "fn-abc1234" and kept.defaults == ("name",)
    assert fresh.inputs["name"] != "fn-abc1234" and fresh.inputs["name"].startswith("fn-")


def test_a_recorded_explicit_name_is_not_reused_once_the_program_drops_it():
    have = record({"name": "mine"})  # the program named it: not in defaults

    assert check(NAME, "fn", {}, have).inputs["name"] != "mine"


def test_a_preview_leaves_a_new_name_unknown():
    assert check(NAME, "fn", {}, None, generate=False).inputs == {}


def test_a_record_from_before_auto_names_were_kept_keeps_its_name():
    legacy = record({"runtime": "python3.12"}, outputs={"name": "fn-1a2b3c4"})

    adopted = adopt_legacy_name(NAME, legacy)

    assert adopted is not None
    assert adopted.inputs == {"runtime": "python3.12", "name": "fn-1a2b3c4"}
    assert check(NAME, "fn", {"runtime": "python3.12"}, adopted).inputs["name"] == "fn-1a2b3c4"
    assert adopt_legacy_name(NAME, record({"name": "x"})) == record({"name": "x"})


def registration(type_token: str, *, dbr: bool = False) -> Registration:
    return Registration(f"{type_token}::r", type_token, "r", {}, delete_before_replace=dbr)


@pytest.mark.parametrize(
    ("type_token", "old", "new", "dbr", "expected"),
    [
        # Pulumi's default: create the new one first.
        (LOG_GROUP, {"name": "logs-1234567"}, {}, False, None),
        (METHOD, {"restApi": "a", "resourceId": "r1", "httpMethod": "GET"}, None, False, None),
        # The resource option.
        (LOG_GROUP, {"name": "logs-1234567"}, {}, True, "delete_before_replace is set"),
        # A name the program set: pulumi-aws asks for delete-before-replace.
        (LOG_GROUP, {"name": "mine"}, {"name": "mine"}, False, "the program names it (name)"),
        # The same identity: the new one cannot exist next to the old one.
        (
            METHOD,
            {"restApi": "a", "resourceId": "r1", "httpMethod": "GET"},
            {"restApi": "a", "resourceId": "r1", "httpMethod": "GET"},
            False,
            "the new one keeps its restApi, resourceId, httpMethod",
        ),
    ],
)
def test_replace_order(type_token, old, new, dbr, expected):
    provider = REGISTRY[type_token]
    have = record(old, defaults=("name",) if new == {} else ())
    inputs = {**old, "resourceId": "r2"} if new is None else new
    checked = check(provider.auto_name, "r", inputs, have, fresh=True)

    assert replace_order(provider, registration(type_token, dbr=dbr), have, checked) == expected
