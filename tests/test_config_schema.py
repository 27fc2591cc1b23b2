"""Each Pulumi.yaml declares its stack's settings (`config:` with type, default, description),
generated from stacks/<name>/settings.py by `invoke config-schema` and kept in sync here."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from shared import catalog
from shared.components.config import ConfigError, describe
from shared.ops import config_schema
from shared.ops.stack_files import declared_keys

STACKS = catalog.stack_names()
# The Pulumi CLI's project config types (sdk/go/common/workspace/project.json).
PULUMI_TYPES = {"string", "integer", "boolean", "array"}


@pytest.mark.parametrize("stack", STACKS)
def test_pulumi_yaml_matches_the_settings_dataclass(stack: str) -> None:
    assert config_schema.out_of_date(stack) == [], "run `invoke config-schema`"


@pytest.mark.parametrize("stack", STACKS)
def test_every_setting_is_declared_with_a_description_and_its_default(stack: str) -> None:
    schema = config_schema.settings_class(catalog.stack_dir(stack))
    assert schema is not None
    declared = declared_keys(catalog.stack_dir(stack))
    keys = [key for key, _, _ in describe(schema)]
    assert list(declared) == keys
    for key, rule, default in describe(schema):
        entry = declared[key]
        assert entry["description"].strip(), key
        assert entry.get("type", "string") in PULUMI_TYPES, key
        if entry.get("type") == "array":
            assert entry["items"]["type"] in PULUMI_TYPES
        if default is not dataclasses.MISSING:
            assert entry["default"] == default, key
        assert entry.get("secret", False) == rule.secret


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_every_key_an_environment_sets_is_declared(stack: str, env: str) -> None:
    declared = declared_keys(catalog.stack_dir(stack))
    data = YAML(typ="safe").load((catalog.stack_dir(stack) / f"Pulumi.{env}.yaml").read_text())
    for key in data.get("config") or {}:
        namespace, _, bare = key.partition(":")
        if namespace == stack:
            assert bare in declared, f"{stack}/{env}: {key} is not declared in Pulumi.yaml"


def test_a_stale_declaration_is_found_and_rewritten(tmp_path: Path, monkeypatch) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.stack_dir("proxy"), stacks / "proxy")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    project = stacks / "proxy" / "Pulumi.yaml"
    text = project.read_text()
    project.write_text(text.replace("default: 29000", "default: 1000"))
    assert config_schema.out_of_date("proxy") == ["integrationTimeoutMs"]
    assert config_schema.write("proxy") is True
    assert project.read_text() == text  # the rest of the file, comments included, as written
    assert config_schema.out_of_date("proxy") == []
    assert config_schema.write("proxy") is False


def test_a_project_without_settings_declares_nothing(tmp_path: Path, monkeypatch) -> None:
    stacks = tmp_path / "stacks"
    (stacks / "plain").mkdir(parents=True)
    (stacks / "plain" / "Pulumi.yaml").write_text("name: plain\nruntime: python\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    assert config_schema.out_of_date("plain") == []
    assert config_schema.write("plain") is False


@pytest.mark.parametrize("stack", ["orchestration", "workflows", "global"])
def test_a_secret_model_endpoint_stays_secret_in_the_functions(
    run_program, stack: str, monkeypatch
) -> None:
    """Set as a secret (`pulumi config set --secret`), the model setting's URL reaches each
    function that is given it as a secret: the program never turns it into plain text."""
    import pulumi

    secret_key = f"{stack}:model"
    monkeypatch.setattr(pulumi.runtime, "is_config_secret", lambda key: key == secret_key)
    run = run_program(stack, "local")
    # orchestration's chat talks to its own Bedrock model: it is not given the model's URL.
    functions = [f for f in run.of_type("aws:lambda/function:Function") if f.name != "chat"]
    assert functions
    for function in functions:
        assert "MODEL_ENDPOINT_URL" in str(function.inputs["environment"])
        assert "environment" in function.secret_inputs, function.name
        assert "code" not in function.secret_inputs


def test_without_secrets_no_input_is_secret(run_program) -> None:
    run = run_program("orchestration", "local")
    assert not [r.name for r in run.resources if r.secret_inputs]


@pytest.mark.parametrize(
    "key",
    [
        "versions:modelVersions",
        "global:extraRegions",
        "proxy:loggingLevel",
        "orchestration:maxBodyBytes",
        "workflows:modelTimeoutS",
    ],
)
def test_a_setting_used_as_plain_text_set_as_a_secret_is_refused_by_name(
    run_program, key: str, monkeypatch
) -> None:
    """Not a crash, and not a secret silently turned into text: one message naming the key."""
    import pulumi

    monkeypatch.setattr(pulumi.runtime, "is_config_secret", lambda k: k == key)
    with pytest.raises(ConfigError) as caught:
        run_program(key.split(":")[0], "prod")
    assert [p.split(": ")[0] for p in caught.value.problems] == [key]
