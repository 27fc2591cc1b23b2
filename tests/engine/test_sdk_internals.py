"""The Pulumi SDK internals the engine's mock-runtime bridge uses (shared/local/engine/sdk.py)
are still there, with the signatures and fields it relies on. Each failure names the internal:
after an SDK upgrade, adapt sdk.py to it (and widen the `pulumi` pin in pyproject.toml)."""

from __future__ import annotations

import asyncio
import inspect
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pulumi
import pytest
from packaging.requirements import Requirement
from pulumi.runtime.proto import resource_pb2

from shared.local.engine import program, sdk

VERSION = metadata.version("pulumi")
PROGRAMS = Path(__file__).parent / "programs"
PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def require(condition: object, internal: str) -> None:
    if not condition:
        pytest.fail(
            f"pulumi {VERSION} changed {internal}; update shared/local/engine/sdk.py",
            pytrace=False,
        )


def parameters(func: Any) -> list[str]:
    return list(inspect.signature(func).parameters)


def test_mock_monitor_can_be_subclassed_to_see_each_request():
    from pulumi.runtime import mocks

    monitor = getattr(mocks, "MockMonitor", None)
    require(inspect.isclass(monitor), "pulumi.runtime.mocks.MockMonitor (gone)")
    require(
        parameters(monitor.__init__) == ["self", "mocks"],
        "the MockMonitor constructor (expected (mocks))",
    )
    require(
        parameters(getattr(monitor, "RegisterResource", None) or (lambda: None))
        == ["self", "request"],
        "MockMonitor.RegisterResource(request)",
    )
    source = inspect.getsource(monitor.RegisterResource)
    require(
        "self.mocks.new_resource(" in source,
        "MockMonitor.RegisterResource (it no longer calls mocks.new_resource itself)",
    )
    require("monitor" in parameters(pulumi.runtime.set_mocks), "set_mocks(..., monitor=...)")


@pytest.mark.parametrize(
    "field", ["dependencies", "propertyDependencies", "parent", "deleteBeforeReplace", "protect"]
)
def test_register_resource_request_has_the_fields_the_bridge_reads(field):
    fields = resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields_by_name
    require(field in fields, f"RegisterResourceRequest.{field}")


def test_property_dependencies_list_urns():
    dependencies = resource_pb2.RegisterResourceRequest.PropertyDependencies
    require(
        "urns" in dependencies.DESCRIPTOR.fields_by_name,
        "RegisterResourceRequest.PropertyDependencies.urns",
    )


def test_request_options_reads_a_real_request():
    request = resource_pb2.RegisterResourceRequest(
        type="aws:s3/bucket:Bucket",
        name="b",
        parent="urn:pulumi:s::p::test:index:Group::g",
        dependencies=["urn:pulumi:s::p::aws:iam/role:Role::r"],
        deleteBeforeReplace=True,
        protect=True,
    )
    request.propertyDependencies["policy"].urns.append("urn:pulumi:s::p::aws:iam/role:Role::q")

    options = sdk.request_options(request)

    require(
        options
        == sdk.RequestOptions(
            dependencies=frozenset(
                {"urn:pulumi:s::p::aws:iam/role:Role::r", "urn:pulumi:s::p::aws:iam/role:Role::q"}
            ),
            parent="urn:pulumi:s::p::test:index:Group::g",
            delete_before_replace=True,
            protect=True,
        ),
        "the RegisterResourceRequest fields' meaning",
    )


def test_root_resource_and_pending_outputs_can_be_reset():
    from pulumi.runtime import settings

    require(parameters(settings.set_root_resource) == ["root"], "settings.set_root_resource")
    require(parameters(settings.get_root_resource) == [], "settings.get_root_resource")
    require(
        callable(getattr(settings.SETTINGS.outputs, "clear", None)),
        "settings.SETTINGS.outputs (no longer a collection of pending outputs)",
    )


def test_the_program_runner_and_sync_await():
    from pulumi.runtime import stack, sync_await

    run = getattr(stack, "run_pulumi_func", None)
    require(
        run is not None and inspect.iscoroutinefunction(run) and parameters(run) == ["func"],
        "pulumi.runtime.stack.run_pulumi_func(func)",
    )
    wait = getattr(sync_await, "_sync_await", None)
    require(
        wait is not None and parameters(wait) == ["awaitable"],
        "pulumi.runtime.sync_await._sync_await(awaitable)",
    )


def test_each_registration_asks_for_a_stack_trace_the_runner_can_skip():
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    walk = getattr(resource, "_get_stack_trace", None)
    require(
        walk is not None and parameters(walk) == [] and isinstance(walk(), source_pb2.StackTrace),
        "pulumi.runtime.resource._get_stack_trace() -> source_pb2.StackTrace",
    )
    source = inspect.getsource(resource)
    require(
        source.count("_get_stack_trace()") >= 2,
        "register_resource and read_resource calling _get_stack_trace() by its module name",
    )


def test_unknowns_and_output_futures():
    from pulumi import output

    require(inspect.isclass(getattr(output, "Unknown", None)), "pulumi.output.Unknown")
    require(
        "with_unknowns" in parameters(pulumi.Output.future),
        "Output.future(with_unknowns=...)",
    )
    for method in ("is_known", "is_secret"):
        require(
            inspect.iscoroutinefunction(getattr(pulumi.Output, method, None)),
            f"Output.{method}()",
        )


def run_options_program(*, preview: bool) -> tuple[list[program.Registration], dict]:
    seen: list[program.Registration] = []

    def resolve(reg: program.Registration) -> program.Resolution:
        seen.append(reg)
        if preview:
            return "", {}
        return f"{reg.name}-id", {"rootResourceId": "root-id"}

    outputs = program.run(PROGRAMS / "options", "options", "test", {}, resolve, preview=preview)
    return seen, outputs


def test_a_program_run_carries_options_dependencies_and_outputs():
    seen, outputs = run_options_program(preview=False)

    by_name = {reg.name: reg for reg in seen}
    require(set(by_name) == {"api", "key", "resource"}, "how custom resources reach new_resource")
    api, resource = by_name["api"], by_name["resource"]
    require(api.parent == "test:index:Group::group", "RegisterResourceRequest.parent")
    require(api.delete_before_replace, "RegisterResourceRequest.deleteBeforeReplace")
    require(api.protect, "RegisterResourceRequest.protect")
    require(
        resource.dependencies
        == {"aws:apigateway/restApi:RestApi::api", "aws:apigateway/apiKey:ApiKey::key"},
        "RegisterResourceRequest.dependencies / propertyDependencies",
    )
    require(
        outputs
        == {
            "apiId": program.ProgramOutput("api-id", secret=False, known=True),
            "token": program.ProgramOutput("s3cret", secret=True, known=True),
            "plain": program.ProgramOutput("value", secret=False, known=True),
        },
        "the root stack's outputs or Output.future/is_secret",
    )


def test_a_preview_reports_unknown_outputs_and_runs_again_in_one_process():
    run_options_program(preview=False)

    _, outputs = run_options_program(preview=True)

    require(
        outputs["apiId"] == program.ProgramOutput(None, secret=False, known=False),
        "unknown values in a preview (Output.is_known / Unknown)",
    )
    require(outputs["plain"].value == "value", "set_root_resource(None): a fresh stack per run")


def test_the_installed_pulumi_is_the_pinned_one():
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    [pin] = [Requirement(d) for d in dependencies if Requirement(d).name == "pulumi"]
    assert pin.specifier.contains(VERSION), (
        f"pulumi {VERSION} is installed but pyproject.toml pins {pin.specifier}: run this file's "
        "tests on it, adapt shared/local/engine/sdk.py, then move the pin"
    )


def test_secret_inputs_are_found_by_the_serialized_secret_marker():
    """A secret input reaches the monitor wrapped in the SDK's secret signature (MockResourceArgs
    unwraps it); the bridge finds it in the request's struct."""
    import pulumi
    from pulumi.runtime import rpc

    require(
        isinstance(getattr(rpc, "_special_sig_key", None), str)
        and isinstance(getattr(rpc, "_special_secret_sig", None), str),
        "pulumi.runtime.rpc's secret signature constants",
    )
    previous = asyncio.get_event_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the Output's tasks live on the loop current at creation
    try:
        secret = pulumi.Output.secret("s")
        struct = loop.run_until_complete(
            rpc.serialize_properties(
                {"plain": "a", "environment": {"variables": {"K": secret}}},
                {},
                keep_output_values=False,
            )
        )
    finally:
        loop.close()
        asyncio.set_event_loop(previous)
    require(
        sdk.secret_inputs(struct) == frozenset({"environment"}),
        "how serialize_properties marks a secret",
    )


def test_the_mock_monitor_lists_its_features_and_set_mocks_reads_them():
    from pulumi.runtime import mocks
    from pulumi.runtime.proto import resource_pb2 as pb

    require(
        hasattr(pb, "RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES"),
        "resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES",
    )
    require(
        parameters(getattr(mocks.MockMonitor, "GetDeploymentInfo", None) or (lambda: None))
        == ["self", "request"],
        "MockMonitor.GetDeploymentInfo(request)",
    )
    require(
        "monitor.GetDeploymentInfo(" in inspect.getsource(pulumi.runtime.set_mocks),
        "set_mocks (it no longer reads the monitor's features from GetDeploymentInfo)",
    )
    monitor = sdk.OptionsMonitor(mocks_without_behaviour())
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)
    require(
        pb.RESOURCE_MONITOR_FEATURE_SECRETS in features
        and pb.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES not in features,
        "DeploymentInfo.supportedFeatures",
    )


def test_read_resource_and_make_urn_are_what_the_bridge_overrides():
    from pulumi.runtime import mocks

    read = getattr(mocks.MockMonitor, "ReadResource", None)
    require(
        read is not None and parameters(read) == ["self", "request"],
        "MockMonitor.ReadResource(request)",
    )
    source = inspect.getsource(read)
    require(
        "self.mocks.new_resource(" in source and "resource_id=request.id" in source,
        "MockMonitor.ReadResource (it no longer calls mocks.new_resource with the id)",
    )
    require(
        parameters(getattr(mocks.MockMonitor, "make_urn", None) or (lambda: None))
        == ["self", "parent", "type_", "name"],
        "MockMonitor.make_urn(parent, type_, name)",
    )
    require(
        "provider" in parameters(mocks.MockCallArgs.__init__)
        and "provider" in parameters(mocks.MockResourceArgs.__init__),
        "MockCallArgs / MockResourceArgs provider",
    )


def test_getters_carry_their_wire_names():
    import pulumi_aws as aws

    names = sdk.output_properties(aws.lambda_.Permission)
    require(
        {"sourceArn", "statementId", "function", "region"} <= names,
        "pulumi.getter's _pulumi_name attribute",
    )


def mocks_without_behaviour() -> pulumi.runtime.Mocks:
    class Nothing(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return "", {}

        def call(self, args):
            return {}, []

    return Nothing()
