"""AWS rules a first `invoke deploy --env=dev` would hit, which the emulator does not enforce,
checked on every pattern's program under mocks (each test names the rule it encodes).

The policy pack (policy/) checks the same rules on any program; these tests pin how our own
components meet them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared import catalog
from shared.components.config import ConfigError
from shared.local.engine import program
from shared.ops.stack_files import project_name, stack_config
from tests.conftest import bootstrapped, run_stack_program

FUNCTION = "aws:lambda/function:Function"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
REST_STAGE = "aws:apigateway/stage:Stage"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REST_STACKS = ("proxy", "global", "workflows")
# API Gateway's integration timeouts: REST 29 s at most, HTTP APIs 30 s.
MAX_INTEGRATION_MS = {REST_INTEGRATION: 29_000, HTTP_INTEGRATION: 30_000}
CASES = [(stack, env) for stack in catalog.stack_names() for env in catalog.ENVIRONMENTS]


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], Any]:
    return {case: run_stack_program(*case) for case in CASES}


@pytest.mark.parametrize(("stack", "env"), CASES)
def test_every_function_gives_up_before_the_api_in_front_of_it(runs, stack, env):
    """AWS rule: API Gateway answers 504 at its integration timeout (REST 29 s, HTTP API 30 s)
    while the function behind it runs on, billed, to its own timeout; so each function's
    timeout is below the timeout of every integration that invokes it."""
    run = runs[(stack, env)]
    functions = {f"{FUNCTION}::{f.name}": f for f in run.of_type(FUNCTION)}
    checked = 0
    for kind, maximum in MAX_INTEGRATION_MS.items():
        for integration in run.of_type(kind):
            timeout_ms = integration.inputs.get("timeoutMilliseconds", maximum)
            assert timeout_ms <= maximum
            for key in integration.dependencies & functions.keys():
                assert functions[key].inputs["timeout"] * 1000 < timeout_ms, integration.name
                checked += 1
    if stack not in ("proxy", "versions"):  # those two call their model without a function
        assert checked, "every other pattern fronts a function"


@pytest.mark.parametrize("stack", ["global", "orchestration", "workflows"])
def test_a_function_timeout_at_the_api_limit_is_refused_as_config(stack):
    """AWS rule as above: 29 s is REST's whole integration timeout, so a function may take 28."""
    with pytest.raises(ConfigError, match="functionTimeoutS"):
        run_stack_program(stack, "local", {f"{stack}:functionTimeoutS": "29"})
    run = run_stack_program(stack, "local", {f"{stack}:functionTimeoutS": "28"})
    assert {f.inputs["timeout"] for f in run.of_type(FUNCTION)} == {28}


def test_execution_logging_gets_its_log_group_before_the_stage():
    """AWS rule: with execution logging on, API Gateway writes to
    `API-Gateway-Execution-Logs_<api id>/<stage>` and creates that group itself, without
    retention and outside the stack (it outlives destroy). Made first, it has the stage's
    retention; its name is fixed, so it is replaced delete-before-create."""
    for env in ("dev", "staging", "prod"):
        run = run_stack_program("proxy", env)
        config = stack_config(catalog.stack_dir("proxy"), env)
        assert config["proxy:loggingLevel"] in ("INFO", "ERROR")
        [stage] = run.of_type(REST_STAGE)
        [group] = [g for g in run.of_type(LOG_GROUP) if g.name.endswith("-execution-logs")]
        assert group.inputs["name"] == f"API-Gateway-Execution-Logs_api-id/{env}"
        access_logs = run.named(f"api-{env}-access-logs")
        assert group.inputs["retentionInDays"] == access_logs.inputs["retentionInDays"]
        assert group.delete_before_replace is True
        assert f"{LOG_GROUP}::{group.name}" in stage.dependencies


def test_without_execution_logging_no_execution_log_group_is_made():
    run = run_stack_program("proxy", "local", {"proxy:loggingLevel": "OFF"})
    assert not [g for g in run.of_type(LOG_GROUP) if g.name.endswith("-execution-logs")]


@pytest.mark.parametrize("stack", REST_STACKS)
@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_rest_stages_outside_local_read_their_environments_bootstrap(stack, env):
    """AWS rule: a REST stage that logs fails ("CloudWatch Logs role ARN must be set in account
    settings to enable logging") unless the account's API Gateway settings name a CloudWatch
    role in its region: every REST API outside local reads the bootstrap stack of its
    environment (which sets it), so the policy pack can check the region is covered. The
    emulator has no account setting, so local reads nothing."""
    read: list[tuple[str, str]] = []

    def stack_outputs(project: str, stack_name: str) -> dict[str, tuple[Any, bool]] | None:
        read.append((project, stack_name))
        return bootstrapped(project, stack_name)

    program_dir = catalog.stack_dir(stack)
    config = stack_config(program_dir, env)
    program.run(
        program_dir,
        project_name(program_dir),
        env,
        config,
        lambda reg: (f"{reg.name}-id", dict(reg.inputs)),
        preview=True,
        region=config.get("aws:region", program.DEFAULT_REGION),
        stack_outputs=stack_outputs,
    )
    apis = 1 + len(json.loads(config.get(f"{stack}:extraRegions", "[]")))
    assert read == ([] if env == "local" else [("aigw-bootstrap", env)] * apis)
