"""The program runner (shared/local/engine/program.py) on the mock runtime, with a fake resolver:
programs written as Pulumi's own examples write them (resources as inputs, helper modules,
explicit providers, component trees, data sources, stack references) reach the resolver as the
AWS provider would receive them, and outputs nothing produces are refused at plan time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.errors import UserError
from shared.local.engine import program
from shared.local.engine.data_sources import render_policy_document
from shared.local.engine.values import is_unknown

PROGRAMS = Path(__file__).parent / "programs"


class FakeResolver:
    """Records every registration; applied, a resource gets the id '<name>-id' and the outputs
    `outputs(reg)` gives (its inputs by default); in a preview, its inputs and an unknown id, as
    the engine answers for a resource not created yet."""

    def __init__(
        self,
        *,
        preview: bool = False,
        outputs: Callable[[program.Registration], dict] | None = None,
    ) -> None:
        self.preview = preview
        self.outputs = outputs or (lambda reg: {})
        self.seen: list[program.Registration] = []

    def __call__(self, reg: program.Registration) -> program.Resolution:
        self.seen.append(reg)
        if self.preview:
            return "", dict(reg.inputs)
        return f"{reg.name}-id", {**reg.inputs, **self.outputs(reg)}

    def by_name(self) -> dict[str, program.Registration]:
        return {reg.name: reg for reg in self.seen}


def run(
    name: str,
    resolver: FakeResolver,
    config: dict[str, str] | None = None,
    **options: Any,
) -> dict[str, program.ProgramOutput]:
    return program.run(
        PROGRAMS / name,
        name,
        "local",
        {f"{name}:{k}": v for k, v in (config or {}).items()},
        resolver,
        preview=resolver.preview,
        **options,
    )


def values(outputs: dict[str, program.ProgramOutput]) -> dict[str, Any]:
    return {name: output.value for name, output in outputs.items()}


# -- resources as inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("preview", [True, False])
def test_a_resource_passed_as_an_input_arrives_as_its_physical_id(preview):
    """pulumi-terraform-bridge providers do not accept resource references: the Pulumi engine
    sends a custom resource as its id (unknown in a preview, until it is created)."""
    resolver = FakeResolver(preview=preview)

    for _ in range(3):  # once failed at random: the reference was rebuilt on another loop
        resolver.seen.clear()
        run("runner_resource_inputs", resolver)
        seen = resolver.by_name()
        if preview:
            assert is_unknown(seen["basic"].inputs["role"])
            assert is_unknown(seen["invoke"].inputs["function"])
        else:
            # An IAM role's id is its name (so `role=role` gives Lambda a name, as on AWS).
            assert seen["basic"].inputs["role"] == "role-id"
            assert seen["function"].inputs["role"] == "role-id"
            assert seen["invoke"].inputs["function"] == "function-id"
        assert seen["basic"].dependencies == {"aws:iam/role:Role::role"}
        assert seen["invoke"].dependencies == {"aws:lambda/function:Function::function"}


# -- helper modules ---------------------------------------------------------------------------


def test_helper_modules_run_in_every_pass_and_every_run():
    for preview in (True, False, True, False):
        resolver = FakeResolver(preview=preview)

        outputs = run("runner_helpers", resolver)

        assert {reg.name for reg in resolver.seen} == {"helper-role", "helper-bucket"}
        assert outputs["prefix"].value == "runner-helpers"
        if not preview:
            assert values(outputs)["roleName"] == "runner-helpers-role"


def test_a_module_the_process_already_imported_is_set_aside_for_the_run(monkeypatch):
    """The CLI runs each program in a fresh interpreter: its own `iam.py` wins over any module of
    that name, and the process gets its module back afterwards."""
    import sys
    import types

    other = types.ModuleType("iam")
    monkeypatch.setitem(sys.modules, "iam", other)
    resolver = FakeResolver()

    run("runner_helpers", resolver)

    assert "helper-role" in resolver.by_name()
    assert sys.modules["iam"] is other


# -- explicit providers -----------------------------------------------------------------------


def test_explicit_providers_give_their_region_to_the_resources_registered_with_them():
    resolver = FakeResolver()

    outputs = run("runner_providers", resolver)

    seen = resolver.by_name()
    assert not [reg for reg in resolver.seen if reg.type.startswith("pulumi:providers:")]
    west = {
        "direct",
        "listed-bucket",
        "listed-nested",  # a component's providers= reach grandchildren
        "single-bucket",
        "single-nested",  # and so does a component's provider=
    }
    for name in west:
        assert seen[name].inputs["region"] == "eu-west-1", name
        assert seen[name].provider == "pulumi:providers:aws::west", name
    assert seen["own-region"].inputs["region"] == "ap-southeast-2"  # the program's own wins
    assert "region" not in seen["global"].inputs  # IAM is global: a Role takes no region
    assert "region" not in seen["default"].inputs and seen["default"].provider == ""
    assert values(outputs) == {"westRegion": "eu-west-1", "defaultRegion": "us-east-1"}


def test_a_run_reports_each_explicit_providers_inputs_by_the_key_resources_name_it():
    """What a policy pack sees of a resource's provider (the CLI passes its inputs)."""
    resolver = FakeResolver()
    providers: dict[str, dict[str, Any]] = {}

    run("runner_providers", resolver, providers=providers)

    assert providers["pulumi:providers:aws::west"]["region"] == "eu-west-1"
    assert resolver.by_name()["direct"].provider in providers


def test_the_default_region_and_account_are_the_runs():
    outputs = run("runner_providers", FakeResolver(), region="eu-central-1")

    assert outputs["defaultRegion"].value == "eu-central-1"


# -- component trees --------------------------------------------------------------------------


def test_dependencies_hold_every_custom_resource_depended_on():
    resolver = FakeResolver(outputs=lambda reg: {"arn": f"arn:aws:s3:::{reg.name}"})

    run("runner_components", resolver)

    seen = resolver.by_name()
    # depends_on a component: each custom resource under it, nested components included.
    assert seen["waiting"].dependencies == {
        "aws:s3/bucket:Bucket::data-bucket",
        "aws:cloudwatch/logGroup:LogGroup::data-logs-group",
    }
    # through inputs (one read from the component's output) and an explicit depends_on.
    assert seen["reading"].dependencies == {
        "aws:s3/bucket:Bucket::data-bucket",
        "aws:apigateway/apiKey:ApiKey::key",
    }
    assert seen["data-logs-group"].parent == "test:index:Logs::data-logs"
    assert seen["reading"].inputs["policy"] == '{"Resource": "arn:aws:s3:::data-bucket"}'


def test_a_resource_is_registered_only_after_what_it_depends_on():
    resolver = FakeResolver()

    run("runner_components", resolver)

    order = [reg.urn for reg in resolver.seen]
    for reg in resolver.seen:
        for dependency in reg.dependencies:
            assert order.index(dependency) < order.index(reg.urn)


# -- data sources -----------------------------------------------------------------------------


def bucket_arn(reg: program.Registration) -> dict[str, Any]:
    return {"arn": f"arn:aws:s3:::{reg.name}"}


def test_data_sources_answer_as_the_aws_provider_does():
    resolver = FakeResolver(outputs=bucket_arn)

    outputs = values(run("runner_data_sources", resolver, account="123456789012"))

    assert outputs["identity"] == {
        "account": "123456789012",
        "arn": "arn:aws:iam::123456789012:root",
        "user": "123456789012",
        "id": "123456789012",
    }
    assert outputs["region"] == {
        "name": "us-east-1",
        "region": "us-east-1",
        "id": "us-east-1",
        "endpoint": "ec2.us-east-1.amazonaws.com",
        "description": "US East (N. Virginia)",
    }
    assert outputs["partition"] == {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverse": "com.amazonaws",
    }
    # exclude_names drops a zone; AWS codes zone ids by region (us-east-1 -> use1).
    assert outputs["zones"] == {
        "names": ["us-east-1a", "us-east-1b"],
        "zoneIds": ["use1-az1", "use1-az2"],
    }
    assert outputs["outputForm"] == "123456789012"


def test_a_policy_document_is_rendered_as_the_provider_renders_it():
    resolver = FakeResolver(outputs=bucket_arn)

    outputs = values(run("runner_data_sources", resolver, account="123456789012"))

    # The provider's MarshalIndent: two spaces, one value a plain string, Effect defaulted.
    assert outputs["assumeJson"] == (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Effect": "Allow",\n'
        '      "Action": "sts:AssumeRole",\n'
        '      "Principal": {\n'
        '        "Service": "lambda.amazonaws.com"\n'
        "      }\n"
        "    }\n"
        "  ]\n"
        "}"
    )
    assert resolver.by_name()["role"].inputs["assumeRolePolicy"] == outputs["assumeJson"]
    assert outputs["accessMinified"] == (
        '{"Version":"2012-10-17","Id":"access","Statement":['
        '{"Sid":"Read","Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],'
        '"Resource":["arn:aws:s3:::bucket/${aws:username}/*","arn:aws:s3:::bucket"],'
        '"Condition":{"ArnLike":{"aws:SourceArn":["arn:a","arn:b"]},'
        '"StringEquals":{"aws:SourceAccount":"123456789012"}}},'
        '{"Effect":"Deny","NotAction":"s3:*","NotResource":"*",'
        '"NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"}}]}'
    )
    assert json.loads(outputs["accessJson"]) == json.loads(outputs["accessMinified"])


def test_policy_document_sets_principals_and_escaping():
    """Sets are deduplicated and sorted in reverse, principal types and condition keys sorted
    (Go map order), {"*": "*"} alone is "*", and <, >, & are escaped as Go escapes them."""
    document = render_policy_document(
        {
            "statements": [
                {
                    "actions": ["s3:b", "s3:a", "s3:b"],
                    "principals": [
                        {"type": "Service", "identifiers": ["a.amazonaws.com"]},
                        {"type": "AWS", "identifiers": ["2", "1"]},
                    ],
                    "conditions": [{"test": "StringLike", "variable": "k", "values": ["a&b<c>"]}],
                },
                {"actions": ["*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
            ]
        }
    )

    from shared.local.engine.data_sources import _go_json

    assert _go_json(document, indent=False) == (
        '{"Version":"2012-10-17","Statement":['
        '{"Effect":"Allow","Action":["s3:b","s3:a"],'
        '"Principal":{"AWS":["2","1"],"Service":"a.amazonaws.com"},'
        '"Condition":{"StringLike":{"k":"a\\u0026b\\u003cc\\u003e"}}},'
        '{"Effect":"Allow","Action":"*","Principal":"*"}]}'
    )


def test_a_duplicate_sid_is_refused_as_the_provider_refuses_it():
    with pytest.raises(UserError, match=r"duplicate Sid \(S\)"):
        render_policy_document({"statements": [{"sid": "S"}, {"sid": "S"}]})


@pytest.mark.parametrize("preview", [True, False])
def test_another_data_source_is_refused_by_name_before_anything_is_applied(preview):
    resolver = FakeResolver(preview=preview)

    with pytest.raises(UserError) as refused:
        run("runner_unsupported_data_source", resolver)

    message = str(refused.value)
    assert "aws:ec2/getVpc:getVpc" in message
    assert "aws:iam/getPolicyDocument:getPolicyDocument" in message  # names what works
    assert "Nothing was changed." in message
    assert "after" not in resolver.by_name()


# -- stack references -------------------------------------------------------------------------


def network_outputs(project: str, stack: str) -> dict[str, tuple[Any, bool]] | None:
    if (project, stack) != ("network", "local"):
        return None
    return {"bucketName": ("shared-bucket", False), "token": ("s3cret", True)}


@pytest.mark.parametrize(
    "reference", ["organization/network/local", "network/local"], ids=["full", "project"]
)
def test_a_stack_reference_reads_the_other_deployment(reference):
    resolver = FakeResolver()

    outputs = run(
        "runner_stack_reference",
        resolver,
        {"reference": reference},
        stack_outputs=network_outputs,
    )

    assert resolver.by_name()["bucket"].inputs["bucket"] == "shared-bucket"
    assert resolver.by_name()["bucket"].dependencies == frozenset()
    assert outputs["bucketName"] == program.ProgramOutput("shared-bucket", False, True)
    assert outputs["missing"].value is None
    assert outputs["token"] == program.ProgramOutput("s3cret", secret=True, known=True)
    assert outputs["tokenDetails"].value == [None, "s3cret"]
    assert outputs["nameDetails"].value == ["shared-bucket", None]


def test_a_stack_reference_to_a_project_not_deployed_says_to_deploy_it_first():
    resolver = FakeResolver(preview=True)

    with pytest.raises(UserError, match="deploy storage first") as refused:
        run(
            "runner_stack_reference",
            resolver,
            {"reference": "organization/storage/local"},
            stack_outputs=network_outputs,
        )

    assert "'organization/storage/local'" in str(refused.value)
    assert resolver.seen == []


def test_a_stack_reference_to_another_organization_is_refused():
    with pytest.raises(UserError, match="local deployments belong to 'organization'"):
        run(
            "runner_stack_reference",
            FakeResolver(preview=True),
            {"reference": "acme/network/local"},
            stack_outputs=network_outputs,
        )


# -- outputs nothing produces -----------------------------------------------------------------

# What the fake engine yields for a REST API: its id, root resource and execution ARN, not `arn`.
PRODUCED = {
    "aws:apigateway/restApi:RestApi": frozenset({"name", "rootResourceId", "executionArn"}),
}


def produces(type_token: str) -> frozenset[str] | None:
    return PRODUCED.get(type_token)


def api_outputs(reg: program.Registration) -> dict[str, Any]:
    if reg.type == "aws:apigateway/restApi:RestApi":
        return {"rootResourceId": "root", "executionArn": "arn:aws:execute-api:us-east-1:0:api"}
    return {}


@pytest.mark.parametrize("use", ["direct", "concat", "apply", "json"])
def test_an_input_built_from_an_output_nothing_produces_is_refused_at_plan_time(use):
    resolver = FakeResolver(preview=True)

    with pytest.raises(UserError) as refused:
        run("runner_unproduced", resolver, {"use": use}, produces=produces)

    assert str(refused.value) == (
        "aws:lambda/permission:Permission 'allow' input 'sourceArn' reads "
        "aws:apigateway/restApi:RestApi 'api' output 'arn', which the local engine does not "
        "produce. Nothing was changed."
    )
    assert "allow" not in resolver.by_name()


def test_a_value_unknown_in_the_preview_is_refused_in_the_apply_pass_before_its_reader():
    """Mixed with a value unknown until the API exists, the marker is unknown as a whole in
    the preview; the apply pass finds it before the permission reaches the resolver."""
    planned = FakeResolver(preview=True)
    run("runner_unproduced", planned, {"use": "mixed"}, produces=produces)
    applied = FakeResolver(outputs=api_outputs)

    with pytest.raises(UserError) as refused:
        run("runner_unproduced", applied, {"use": "mixed"}, produces=produces)

    assert is_unknown(planned.by_name()["allow"].inputs["sourceArn"])
    assert "'allow' input 'sourceArn' reads aws:apigateway/restApi:RestApi 'api' output 'arn'" in (
        str(refused.value)
    )
    assert str(refused.value).endswith(
        "It was not applied; everything applied before it is recorded."
    )
    assert [reg.name for reg in applied.seen] == ["api"]


def test_a_stack_output_of_an_output_nothing_produces_is_refused():
    with pytest.raises(UserError, match="The stack output 'apiArn' reads .* output 'arn'"):
        run("runner_unproduced", FakeResolver(preview=True), {"use": "export"}, produces=produces)


@pytest.mark.parametrize("use", ["produced", "unread"])
def test_outputs_the_engine_produces_or_nobody_reads_pass(use):
    resolver = FakeResolver(outputs=api_outputs)

    outputs = run("runner_unproduced", resolver, {"use": use}, produces=produces)

    assert outputs["apiId"].value == "api-id"
    if use == "produced":
        assert resolver.by_name()["allow"].inputs["sourceArn"] == (
            "arn:aws:execute-api:us-east-1:0:api/*"
        )


def test_in_a_preview_what_the_engine_will_produce_stays_unknown():
    resolver = FakeResolver(preview=True)

    outputs = run("runner_unproduced", resolver, {"use": "produced"}, produces=produces)

    assert not outputs["apiId"].known
    assert is_unknown(resolver.by_name()["allow"].inputs["sourceArn"])


def test_a_type_the_engine_does_not_know_is_not_checked():
    resolver = FakeResolver(preview=True)

    run("runner_unproduced", resolver, {"use": "direct"}, produces=lambda token: None)

    assert "allow" in resolver.by_name()


def test_reading_an_existing_resource_with_get_is_refused():
    with pytest.raises(UserError, match=r"reads the existing aws:s3/bucket:Bucket 'existing'"):
        run("runner_get", FakeResolver(preview=True))
