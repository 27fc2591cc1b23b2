"""The data sources programs use most, answered locally as the AWS provider would answer them for
the emulator's account and region.

A data source is a provider function (an invoke): on the mock runtime the program runner hands
each call here. The answers are the ones pulumi-aws (terraform-provider-aws underneath) gives:
- `aws.get_caller_identity`: the account, its root ARN and user id, as the emulator's STS
  answers for its default credentials;
- `aws.get_region`, `aws.get_partition`: from botocore's endpoint data (the partition tables
  the provider's own AWS SDK uses), the endpoint being EC2's, as the provider reports it;
- `aws.get_availability_zones`: `<region>a`..`c` with the zone ids AWS codes them with
  (`use1-az1`), the three zones the emulator answers DescribeAvailabilityZones with;
- `aws.iam.get_policy_document`: rendered as the provider renders it (`policy_document`).
Any other data source is refused by name before anything is applied: an answer made up here
would be worse than none.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.errors import UserError


@dataclass(frozen=True)
class Scope:
    """Where a call is answered: the region of the provider it goes to, and the account."""

    region: str
    account: str


DataSource = Callable[[dict[str, Any], Scope], dict[str, Any]]


def call(token: str, args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The result of the data source `token` called with `args` (wire names, camelCase)."""
    answer = _DATA_SOURCES.get(token)
    if answer is None:
        supported = ", ".join(sorted(_DATA_SOURCES))
        raise UserError(
            f"The program calls the data source {token}, which the local engine does not "
            f"provide (it provides {supported}). Nothing was changed."
        )
    return answer(_wire_names(args), scope)


def _wire_names(value: Any) -> Any:
    """Argument names as the provider reads them. The SDK leaves the keys of a dict literal as
    written (`{"not_actions": ...}`, where an Args class sends `notActions`); the provider maps
    either to the same Terraform attribute, so both mean the same here."""
    if isinstance(value, dict):
        return {_camel(k): _wire_names(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_names(v) for v in value]
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _caller_identity(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    partition = _partition(scope.region)["partition"]
    return {
        "accountId": scope.account,
        # The emulator's default credentials are the account's root user.
        "arn": f"arn:{partition}:iam::{scope.account}:root",
        "id": scope.account,
        "userId": scope.account,
    }


def _region(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    name = args.get("region") or args.get("name") or args.get("id") or scope.region
    endpoint = args.get("endpoint")
    if endpoint is not None:
        matching = [r for r in _known_regions() if _ec2_endpoint(r) == endpoint]
        if not matching:
            raise UserError(f"aws.get_region: no region has the endpoint {endpoint!r}.")
        name = matching[0]
    description = _known_regions().get(name)
    if description is None:
        raise UserError(f"aws.get_region: {name!r} is not an AWS region.")
    return {
        "description": description,
        "endpoint": _ec2_endpoint(name),
        "id": name,
        "name": name,
        "region": name,
    }


def _partition_of_scope(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    found = _partition(scope.region)
    suffix = found["dnsSuffix"]
    return {
        "dnsSuffix": suffix,
        "id": found["partition"],
        "partition": found["partition"],
        "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
    }


def _availability_zones(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    if args.get("filters"):
        raise UserError(
            "aws.get_availability_zones: the local engine does not apply 'filters' "
            "(exclude_names, exclude_zone_ids and state work). Nothing was changed."
        )
    region = args.get("region") or scope.region
    prefix = _zone_id_prefix(region)
    zones = [(f"{region}{letter}", f"{prefix}-az{n}") for n, letter in enumerate("abc", 1)]
    excluded_names = set(args.get("excludeNames") or ())
    excluded_ids = set(args.get("excludeZoneIds") or ())
    # Every zone is available; asking for zones in another state finds none.
    state = args.get("state")
    kept = [
        (name, zone_id)
        for name, zone_id in zones
        if name not in excluded_names
        and zone_id not in excluded_ids
        and state in (None, "available")
    ]
    return {
        **args,
        "groupNames": [region] if kept else [],
        "id": region,
        "names": [name for name, _ in kept],
        "region": region,
        "zoneIds": [zone_id for _, zone_id in kept],
    }


def _policy_document(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    for unsupported in ("sourcePolicyDocuments", "overridePolicyDocuments"):
        if args.get(unsupported):
            raise UserError(
                f"aws.iam.get_policy_document: the local engine does not merge "
                f"{_snake(unsupported)}; write the statements out. Nothing was changed."
            )
    document = render_policy_document(args)
    return {
        **args,
        "version": args.get("version") or _POLICY_VERSION,
        "json": _go_json(document, indent=True),
        "minifiedJson": _go_json(document, indent=False),
        # The provider's id: the hash code of the indented JSON (StringHashcode, a CRC-32).
        "id": str(zlib.crc32(_go_json(document, indent=True).encode())),
    }


_DATA_SOURCES: dict[str, DataSource] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition_of_scope,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
}


def _ec2_endpoint(region: str) -> str:
    return f"ec2.{region}.{_partition(region)['dnsSuffix']}"


# AWS codes a zone id with the region's geography, the initials of its direction words and its
# number: us-east-1 -> use1, ap-southeast-2 -> apse2, eu-central-1 -> euc1.
_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def _zone_id_prefix(region: str) -> str:
    geography, *directions, number = region.split("-")
    return geography + "".join(_DIRECTIONS.get(d, d[:1]) for d in directions) + number


@cache
def _endpoint_partitions() -> list[dict[str, Any]]:
    import botocore.loaders  # only a program calling a data source pays for the table

    partitions: list[dict[str, Any]] = botocore.loaders.create_loader().load_data("endpoints")[
        "partitions"
    ]
    return partitions


@cache
def _known_regions() -> dict[str, str]:
    """Every region botocore knows, with its description ('US East (N. Virginia)')."""
    return {
        name: region.get("description", name)
        for partition in _endpoint_partitions()
        for name, region in partition["regions"].items()
    }


def _partition(region: str) -> dict[str, Any]:
    partitions = _endpoint_partitions()
    for partition in partitions:
        if region in partition["regions"]:
            return partition
    for partition in partitions:
        if re.match(partition["regionRegex"], region):
            return partition
    return partitions[0]  # the provider's fallback too: the commercial partition


# -- aws.iam.get_policy_document ------------------------------------------------------------------
#
# As terraform-provider-aws renders it (internal/service/iam: policy_document_data_source.go and
# policy_model.go): the document's fields in the order of the provider's Go structs; a set of
# strings (actions, resources, principal identifiers) deduplicated and, with more than one
# value, sorted in reverse, with one value a plain string; condition values in the order given,
# one value a plain string; principals and conditions as JSON objects keyed in sorted order (Go
# sorts map keys); `&{` written for a policy variable's `${`; Go's JSON escaping.

_POLICY_VERSION = "2012-10-17"


def render_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """The policy document `aws.iam.get_policy_document(**args)` produces, as a JSON object."""
    version = args.get("version") or _POLICY_VERSION
    document: dict[str, Any] = {"Version": version}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    statements: list[dict[str, Any]] = []
    sids: set[str] = set()
    for statement in args.get("statements") or ():
        sid = statement.get("sid") or ""
        if sid and sid in sids:
            raise UserError(
                f"aws.iam.get_policy_document: duplicate Sid ({sid}). Remove the Sid or ensure "
                "the Sid is unique."
            )
        sids.add(sid)
        statements.append(_statement(statement, version))
    if statements:
        document["Statement"] = statements
    return document


def _statement(statement: dict[str, Any], version: str) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    if statement.get("sid"):
        rendered["Sid"] = statement["sid"]
    rendered["Effect"] = statement.get("effect") or "Allow"
    for arg, field in (("actions", "Action"), ("notActions", "NotAction")):
        if statement.get(arg):
            rendered[field] = _string_set(statement[arg])
    for arg, field in (("resources", "Resource"), ("notResources", "NotResource")):
        if statement.get(arg):
            rendered[field] = _string_set(_with_variables(statement[arg], version))
    for arg, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if statement.get(arg):
            rendered[field] = _principals(statement[arg], version)
    if statement.get("conditions"):
        rendered["Condition"] = _conditions(statement["conditions"], version)
    return rendered


def _string_set(values: list[str]) -> str | list[str]:
    unique = sorted(set(values), reverse=True)
    return unique[0] if len(unique) == 1 else unique


def _with_variables(values: list[str], version: str) -> list[str]:
    """`&{aws:username}` is how a program writes the policy variable `${aws:username}` (Pulumi
    would interpolate the latter); the 2008-10-17 policy language has no variables."""
    if version == "2008-10-17":
        for value in values:
            if "&{" in value:
                raise UserError(
                    f"aws.iam.get_policy_document: found &{{ sequence in ({value}), which is "
                    "not supported in document version 2008-10-17"
                )
    return [value.replace("&{", "${") for value in values]


def _principals(principals: list[dict[str, Any]], version: str) -> str | dict[str, Any]:
    unique = _unique(principals)
    if len(unique) == 1 and unique[0]["type"] == "*" and set(unique[0]["identifiers"]) == {"*"}:
        return "*"
    by_type: dict[str, str | list[str]] = {}
    for principal in unique:
        identifiers = _string_set(_with_variables(principal["identifiers"], version))
        kind = principal["type"]
        have = by_type.get(kind)
        if have is None:
            by_type[kind] = identifiers
        else:
            merged = [have] if isinstance(have, str) else list(have)
            merged += [identifiers] if isinstance(identifiers, str) else identifiers
            by_type[kind] = merged
    return {kind: by_type[kind] for kind in sorted(by_type)}


def _conditions(conditions: list[dict[str, Any]], version: str) -> dict[str, Any]:
    by_test: dict[str, dict[str, list[str]]] = {}
    for condition in _unique(conditions):
        values = _with_variables(list(condition.get("values") or []), version)
        by_test.setdefault(condition["test"], {}).setdefault(condition["variable"], []).extend(
            values
        )
    return {
        test: {
            variable: values[0] if len(values) == 1 else values
            for variable, values in sorted(by_test[test].items())
        }
        for test in sorted(by_test)
    }


def _unique(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A Terraform set of blocks holds each block once."""
    kept: list[dict[str, Any]] = []
    for block in blocks:
        if block not in kept:
            kept.append(block)
    return kept


def _go_json(value: Any, *, indent: bool) -> str:
    """JSON as Go's encoding/json writes it: MarshalIndent with two spaces, or Marshal; UTF-8
    kept, but <, >, & and the line and paragraph separators escaped."""
    text = json.dumps(
        value,
        ensure_ascii=False,
        indent=2 if indent else None,
        separators=(",", ": ") if indent else (",", ":"),
    )
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
