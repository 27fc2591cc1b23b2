"""Any Pulumi project dropped into stacks/ is a stack working as documented: a folder of any
name with its own Pulumi.yaml (any project name) and Pulumi.local.yaml deploys, answers, shows
its outputs and is destroyed with the tasks' commands."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops import commands, local

pytestmark = pytest.mark.emulator

PROGRAM = Path(__file__).parent / "conformance" / "programs" / "rest_lambda_flat"


@pytest.fixture
def dropped_in(tmp_path, monkeypatch, emulator_server):
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.STACKS_DIR, stacks)
    folder = stacks / "my-calculator"
    shutil.copytree(PROGRAM, folder)
    (folder / "Pulumi.yaml").write_text(
        "name: calculator-of-mine\nruntime: python\ndescription: dropped in\n"
    )
    (folder / "Pulumi.local.yaml").write_text("config:\n  aws:region: us-east-1\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    yield "my-calculator"
    if local.is_deployed("my-calculator"):
        local.destroy("my-calculator", out=lambda line: None)


# What the policy pack asks of the flat program's stage: access logs to a log group with
# retention, and throttling (AWS leaves both off by default).
LOGGED_AND_THROTTLED_STAGE = """
logs = aws.cloudwatch.LogGroup("calculator-access-logs", retention_in_days=7)
stage = aws.apigateway.Stage(
    "calculator-stage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="dev",
    access_log_settings={"destination_arn": logs.arn, "format": "$context.requestId"},
)
aws.apigateway.MethodSettings(
    "calculator-throttle",
    rest_api=api.id,
    stage_name=stage.stage_name,
    method_path="*/*",
    settings={"throttling_rate_limit": 10, "throttling_burst_limit": 20},
)
"""


def test_a_dropped_in_project_is_held_to_the_policy_pack(dropped_in):
    """The flat program leaves its stage unlogged and unthrottled: refused before anything
    is made, naming the rule."""
    with pytest.raises(UserError) as raised:
        commands.deploy(dropped_in, "local", out=lambda line: None)

    assert "stage-logs-and-throttling" in str(raised.value)
    assert str(raised.value).endswith("Nothing was changed.")
    assert not local.is_deployed(dropped_in)


def test_a_project_dropped_into_stacks_deploys_answers_and_is_destroyed(dropped_in):
    lines: list[str] = []
    assert dropped_in in catalog.stack_names()
    program = catalog.stack_dir(dropped_in) / "__main__.py"
    source = program.read_text()
    start, end = source.index("stage = aws.apigateway.Stage("), source.index("pulumi.export")
    program.write_text(source[:start] + LOGGED_AND_THROTTLED_STAGE + source[end:])

    commands.deploy(dropped_in, "local", out=lines.append)
    outputs = json.loads(
        _captured(lambda out: commands.show_outputs(dropped_in, "local", as_json=True, out=out))
    )
    url = next(v for v in outputs.values() if isinstance(v, str) and v.startswith("http"))
    with urllib.request.urlopen(f"{url.rstrip('/')}/add?a=2&b=3.5", timeout=30) as answer:
        assert json.loads(answer.read())["sum"] == 5.5

    commands.destroy(dropped_in, "local", out=lines.append)
    assert not local.is_deployed(dropped_in)


def _captured(command) -> str:
    lines: list[str] = []
    command(lines.append)
    return "\n".join(lines)
