"""Reading Pulumi.yaml and Pulumi.<env>.yaml as the Pulumi CLI merges them: project values first,
the environment's file over them, every key `<namespace>:<key>` and every value a string."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shared import catalog
from shared.errors import UserError
from shared.ops.stack_files import as_config_string, project_name, stack_config


def _project(folder: Path, pulumi_yaml: str, **env_files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(textwrap.dedent(pulumi_yaml))
    for env, text in env_files.items():
        (folder / f"Pulumi.{env}.yaml").write_text(textwrap.dedent(text))
    return folder


PROJECT_YAML = """\
    name: demo
    runtime: python
    config:
      demo:timeout:
        default: 30
      retries:
        type: integer
        default: 2
      aws:region:
        value: us-east-1
      greeting:
        value: hello
      flavour: plain
      demo:schemaOnly:
        type: string
        description: declared, never given a value
      extra:
        type: string
    """


def test_project_name(tmp_path: Path) -> None:
    assert project_name(_project(tmp_path, PROJECT_YAML)) == "demo"
    assert project_name(catalog.stack_dir("proxy")) == "proxy"


def test_project_values_default_and_value_forms(tmp_path: Path) -> None:
    folder = _project(tmp_path, PROJECT_YAML, dev="config: {}\n")
    assert stack_config(folder, "dev") == {
        "demo:timeout": "30",
        "demo:retries": "2",
        "aws:region": "us-east-1",
        "demo:greeting": "hello",
        "demo:flavour": "plain",
    }


def test_schema_entries_without_a_value_are_left_out(tmp_path: Path) -> None:
    folder = _project(tmp_path, PROJECT_YAML, dev="")
    assert "demo:schemaOnly" not in stack_config(folder, "dev")


def test_environment_file_overrides_the_project(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        PROJECT_YAML,
        prod="""\
        config:
          demo:timeout: 90
          demo:retries: 5
          aws:region: eu-west-1
          demo:extra: only-in-prod
        """,
        dev="""\
        config:
          demo:flavour: spicy
        """,
    )
    prod = stack_config(folder, "prod")
    assert prod["demo:timeout"] == "90"
    assert prod["demo:retries"] == "5"
    assert prod["aws:region"] == "eu-west-1"
    assert prod["demo:extra"] == "only-in-prod"
    assert prod["demo:greeting"] == "hello", "project values the env leaves alone stay"
    dev = stack_config(folder, "dev")
    assert dev["demo:flavour"] == "spicy"
    assert dev["demo:timeout"] == "30", "one environment's values never leak into another"


def test_unqualified_keys_are_the_projects_in_pulumi_yaml_only(tmp_path: Path) -> None:
    """As the CLI parses them: Pulumi.yaml may leave the project's namespace out, a stack file
    may not (a bare key there would also hide a duplicate of its qualified form)."""
    folder = _project(
        tmp_path,
        "name: demo\nruntime: python\nconfig:\n  flavour:\n    value: plain\n  size: 3\n",
        dev="""\
        config:
          demo:size: 5
          aws:region: us-east-1
        """,
    )
    assert stack_config(folder, "dev") == {
        "demo:flavour": "plain",
        "demo:size": "5",
        "aws:region": "us-east-1",
    }
    (folder / "Pulumi.dev.yaml").write_text("config:\n  demo:rate: 5\n  rate: 7\n  a:b:c: 1\n")
    with pytest.raises(UserError) as raised:
        stack_config(folder, "dev")
    message = str(raised.value)
    assert "rate: keys here are written <namespace>:<name>. Write demo:rate." in message
    assert "a:b:c: keys here are written <namespace>:<name>." in message


def test_typed_yaml_values_become_the_strings_pulumi_passes(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "name: demo\nruntime: python\n",
        dev="""\
        config:
          demo:enabled: true
          demo:disabled: false
          demo:count: 5
          demo:ratio: 2.5
          demo:text: "5"
          demo:routes: [/predict, /health]
          demo:limits:
            rate: 10
            burst: 20
            tracing: true
        """,
    )
    values = stack_config(folder, "dev")
    assert all(isinstance(v, str) for v in values.values())
    assert values["demo:enabled"] == "true"
    assert values["demo:disabled"] == "false"
    assert values["demo:count"] == "5"
    assert values["demo:ratio"] == "2.5"
    assert values["demo:text"] == "5"
    assert json.loads(values["demo:routes"]) == ["/predict", "/health"]
    assert json.loads(values["demo:limits"]) == {"rate": 10, "burst": 20, "tracing": True}


def test_structured_project_values_become_json(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        """\
        name: demo
        runtime: python
        config:
          routes:
            value: [/a, /b]
          enabled:
            default: true
        """,
        dev="",
    )
    values = stack_config(folder, "dev")
    assert json.loads(values["demo:routes"]) == ["/a", "/b"]
    assert values["demo:enabled"] == "true"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (5, "5"),
        (0, "0"),
        (2.5, "2.5"),
        ("text", "text"),
        ("", ""),
        (["a", 1], '["a", 1]'),
        ({"k": [True]}, '{"k": [true]}'),
    ],
)
def test_as_config_string(value: Any, expected: str) -> None:
    assert as_config_string(value) == expected


# --- read as the CLI reads them ----------------------------------------------------------------


def _refusal(tmp_path: Path, dev: str) -> str:
    folder = _project(tmp_path, PROJECT_YAML, dev=dev)
    with pytest.raises(UserError) as raised:
        stack_config(folder, "dev")
    assert raised.value.exit_code == 2
    assert str(raised.value).endswith("Nothing was changed.")
    return str(raised.value)


def test_yaml_1_2_yes_and_no_are_strings(tmp_path: Path) -> None:
    folder = _project(
        tmp_path, PROJECT_YAML, dev="config:\n  demo:flavour: yes\n  demo:extra: off\n"
    )
    values = stack_config(folder, "dev")
    assert (values["demo:flavour"], values["demo:extra"]) == ("yes", "off")


def test_a_duplicate_key_is_named(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  demo:retries: 1\n  demo:retries: 2\n")
    assert 'duplicate key "demo:retries"' in message and "line 3" in message


def test_a_namespace_typo_is_named_with_the_valid_choices(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  dmeo:retries: 3\n")
    assert "dmeo:retries: unknown namespace 'dmeo'; valid: demo, aws." in message
    assert "Did you mean demo:retries?" in message


def test_a_key_of_another_project_is_named(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  proxy:planRateLimit: 3\n")
    assert "proxy:planRateLimit: belongs to project 'proxy', not 'demo'." in message


def test_an_undeclared_key_lists_the_declared_ones(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  demo:retires: 3\n")
    assert "demo:retires: unknown key. Known keys: extra, flavour, greeting" in message


def test_an_unknown_provider_key_is_named(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  aws:regoin: eu-west-1\n")
    assert "aws:regoin: not a setting of the aws provider" in message
    assert "Did you mean aws:region?" in message


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "config:\n  dmeo:a: 1\n  demo:b: 2\n  aws:c: 3\n")
    assert message.count("\n  - ") == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config: [1, 2]\n", "`config:` must be a mapping"),
        ("just text\n", "must be a YAML mapping"),
        ("config:\n  a: [\n", "is not valid YAML at line"),
        ("conifg: {}\n", "unknown top-level key 'conifg'"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _refusal(tmp_path, text)


def test_encrypted_values_are_for_the_cli(tmp_path: Path) -> None:
    folder = _project(
        tmp_path, PROJECT_YAML, dev="config:\n  demo:extra:\n    secure: v1:abc\n", local=""
    )
    assert "demo:extra" not in stack_config(folder, "dev")  # the CLI decrypts it
    (folder / "Pulumi.local.yaml").write_text("config:\n  demo:extra:\n    secure: v1:abc\n")
    message = str(pytest.raises(UserError, stack_config, folder, "local").value)
    assert "encrypted values need the Pulumi CLI" in message


def test_missing_environment_file_is_a_user_error(tmp_path: Path) -> None:
    folder = _project(tmp_path, PROJECT_YAML, dev="config: {}\n")
    with pytest.raises(UserError) as caught:
        stack_config(folder, "staging")
    assert "Pulumi.staging.yaml" in str(caught.value)
    assert "missing" in str(caught.value)


def test_invalid_environment_yaml_is_a_user_error(tmp_path: Path) -> None:
    folder = _project(tmp_path, PROJECT_YAML, dev="config:\n  demo:a: [unclosed\n")
    with pytest.raises(UserError) as caught:
        stack_config(folder, "dev")
    assert "Pulumi.dev.yaml is not valid YAML" in str(caught.value)


def test_invalid_project_yaml_is_a_user_error(tmp_path: Path) -> None:
    folder = _project(tmp_path, "name: demo\nconfig: {a: [\n", dev="config: {}\n")
    with pytest.raises(UserError, match="Pulumi.yaml is not valid YAML"):
        stack_config(folder, "dev")
    with pytest.raises(UserError, match="Pulumi.yaml is not valid YAML"):
        project_name(folder)


def test_empty_files_give_no_config(tmp_path: Path) -> None:
    folder = _project(tmp_path, "name: demo\nruntime: python\nconfig:\n", dev="")
    assert stack_config(folder, "dev") == {}


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_real_proxy_stack_files(env: str) -> None:
    values = stack_config(catalog.stack_dir("proxy"), env)
    assert values, f"Pulumi.{env}.yaml sets nothing"
    for key, value in values.items():
        assert ":" in key, key
        assert isinstance(value, str), (key, value)
    # Mappings reach the program as JSON text, as the Pulumi CLI hands them over.
    model = json.loads(values["proxy:model"])
    assert model["type"] in ("http", "sagemaker", "bedrock")
    if model["type"] == "http":
        assert model["url"].startswith(("http://", "https://"))
    assert json.loads(values["proxy:access"])["mode"] == "api_key"
    assert "aws:region" in values
