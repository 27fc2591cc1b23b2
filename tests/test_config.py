"""Typed stack settings (shared/components/config.py): parsing from the strings Pulumi passes,
defaults, bounds and choices, and one error that lists every problem. Then the proxy program
itself with a bad config: it fails with all the problems and declares nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import config as runtime_config

from shared import catalog
from shared.components import config
from shared.components.config import JSON, URL, ConfigError, parse, setting
from shared.errors import UserError
from shared.local.engine import program
from shared.ops import commands
from shared.ops.stack_files import project_name, stack_config

PROJECT = "svc"
ENDPOINT = "https://model.example.com/invocations"


@dataclass(frozen=True)
class Sample:
    endpoint: str = setting(kind=URL, description="required: no default")
    name: str = setting("svc")
    count: int = setting(3, minimum=1, maximum=10)
    ratio: float = setting(0.5, minimum=0.0, maximum=1.0)
    enabled: bool = setting(False)
    routes: list = setting(["/predict"], kind=JSON)
    tier: str = setting("small", choices=("small", "large"))
    log_retention_days: int = setting(7, choices=(1, 7, 30))


def _parse(**raw: Any) -> Sample:
    return parse(Sample, PROJECT, {"endpoint": ENDPOINT, **raw})


def _problems(**raw: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(Sample, PROJECT, raw)
    return caught.value.problems


def _problem(key: str, value: Any) -> str:
    problems = _problems(endpoint=ENDPOINT, **{key: value})
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{PROJECT}:{key}: "), problems[0]
    return problems[0]


# --- declaring settings ----------------------------------------------------------------------


def test_kind_follows_the_default_and_keys_are_camel_case() -> None:
    rows = {key: (rule.kind, default) for key, rule, default in config.describe(Sample)}
    assert rows["count"] == (int, 3)
    assert rows["ratio"] == (float, 0.5)
    assert rows["enabled"] == (bool, False)
    assert rows["logRetentionDays"] == (int, 7)
    assert rows["routes"] == (JSON, ["/predict"])
    assert rows["endpoint"][0] == URL
    assert rows["endpoint"][1] is dataclasses.MISSING
    assert config.config_key("integration_timeout_ms") == "integrationTimeoutMs"
    assert config.config_key("metrics") == "metrics"


def test_a_setting_without_default_needs_a_kind() -> None:
    with pytest.raises(TypeError, match="explicit kind"):
        setting()


def test_unsupported_kind_is_a_programming_error() -> None:
    @dataclass(frozen=True)
    class Odd:
        when: Any = setting(kind=bytes)

    with pytest.raises(TypeError, match="unsupported setting kind"):
        parse(Odd, PROJECT, {"when": "x"})


# --- parsing ---------------------------------------------------------------------------------


def test_every_kind_parses_from_strings() -> None:
    parsed = _parse(
        name="sentiment",
        count="7",
        ratio="0.25",
        enabled="true",
        routes='["/a", "/b"]',
        tier="large",
        logRetentionDays="30",
    )
    assert parsed == Sample(
        endpoint=ENDPOINT,
        name="sentiment",
        count=7,
        ratio=0.25,
        enabled=True,
        routes=["/a", "/b"],
        tier="large",
        log_retention_days=30,
    )
    assert type(parsed.count) is int
    assert type(parsed.ratio) is float


def test_yaml_typed_values_parse_too() -> None:
    parsed = _parse(count=4, ratio=1, enabled=True, routes={"a": 1}, logRetentionDays=1)
    assert (parsed.count, parsed.ratio, parsed.enabled) == (4, 1.0, True)
    assert parsed.routes == {"a": 1}
    assert parsed.log_retention_days == 1


def test_defaults_fill_what_is_not_set() -> None:
    parsed = _parse()
    assert parsed == Sample(endpoint=ENDPOINT)
    assert (parsed.name, parsed.count, parsed.ratio) == ("svc", 3, 0.5)
    assert (parsed.enabled, parsed.routes, parsed.tier) == (False, ["/predict"], "small")
    assert _parse(count=None).count == 3, "None means not set"


def test_list_defaults_are_not_shared_between_instances() -> None:
    first, second = _parse(), _parse()
    first.routes.append("/mutated")
    assert second.routes == ["/predict"]
    assert _parse().routes == ["/predict"]


@pytest.mark.parametrize(
    ("text", "expected"), [("true", True), ("false", False), ("True", True), ("FALSE", False)]
)
def test_bool_accepts_true_and_false_in_any_case(text: str, expected: bool) -> None:
    assert _parse(enabled=text).enabled is expected


@pytest.mark.parametrize("text", ["yes", "1", "on", "", "truthy"])
def test_bool_rejects_anything_else(text: str) -> None:
    assert "expected true or false" in _problem("enabled", text)


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("+5", 5), ("10", 10), (" 8 ", 8)])
def test_int_accepts_whole_numbers(text: str, expected: int) -> None:
    assert _parse(count=text).count == expected


@pytest.mark.parametrize("text", ["7.0", "seven", "", "1e1", "0x5", True])
def test_int_rejects_other_numbers_and_text(text: Any) -> None:
    assert "expected a whole number" in _problem("count", text)


@pytest.mark.parametrize(("text", "expected"), [("0", 0.0), ("1", 1.0), ("2.5e-1", 0.25)])
def test_float_accepts_numbers(text: str, expected: float) -> None:
    assert _parse(ratio=text).ratio == expected


@pytest.mark.parametrize("text", ["fast", "", "1/2", True])
def test_float_rejects_text(text: Any) -> None:
    assert "expected a number" in _problem("ratio", text)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-Infinity"])
def test_float_rejects_values_that_bounds_cannot_check(text: str) -> None:
    # nan compares false with everything: it would slip past minimum and maximum.
    assert "expected a finite number" in _problem("ratio", text)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/invocations", "https://model.example.com", "HTTPS://a.b/c?x=1"],
)
def test_url_accepts_http_and_https(url: str) -> None:
    assert _parse(endpoint=url).endpoint == url


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.com/x", "https://", "example.com/invocations", ""]
)
def test_url_rejects_anything_else(url: str) -> None:
    problems = _problems(endpoint=url)
    assert problems == [f"{PROJECT}:endpoint: expected an http(s) URL, got {url!r}."]


@pytest.mark.parametrize(
    ("text", "expected"), [('["/x"]', ["/x"]), ('{"a": [1, 2]}', {"a": [1, 2]}), ("[]", [])]
)
def test_json_accepts_lists_and_mappings(text: str, expected: Any) -> None:
    assert _parse(routes=text).routes == expected


@pytest.mark.parametrize("text", ["[1,", "/predict", "5", "true", "null", 5])
def test_json_rejects_anything_else(text: Any) -> None:
    assert "expected a YAML list or mapping" in _problem("routes", text)


def test_str_rejects_typed_values() -> None:
    assert "expected text" in _problem("name", 5)


# --- bounds, choices, required, unknown -------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("10", 10)])
def test_bounds_are_inclusive(text: str, expected: int) -> None:
    assert _parse(count=text).count == expected


def test_below_minimum_and_above_maximum() -> None:
    assert _problem("count", "0") == f"{PROJECT}:count: 0 is below the minimum 1."
    assert _problem("count", "11") == f"{PROJECT}:count: 11 is above the maximum 10."
    assert "below the minimum" in _problem("ratio", "-0.1")
    assert "above the maximum" in _problem("ratio", "1.5")


def test_choices() -> None:
    assert _parse(tier="large").tier == "large"
    message = _problem("tier", "medium")
    assert "'medium' is not one of small, large" in message
    assert "is not one of 1, 7, 30" in _problem("logRetentionDays", "14")
    assert "is not one of" in _problem("tier", "LARGE"), "choices are case-sensitive"


def test_required_setting_must_be_set() -> None:
    assert _problems() == [f"{PROJECT}:endpoint: required but not set."]
    assert _problems(endpoint=None) == [f"{PROJECT}:endpoint: required but not set."]


def test_unknown_keys_are_named_with_the_known_ones() -> None:
    message = _problem("bogus", "1")
    assert message.startswith(f"{PROJECT}:bogus: unknown key.")
    for known in ("endpoint", "count", "logRetentionDays"):
        assert known in message
    # A snake_case spelling of a real key is unknown too: keys are camelCase.
    assert "unknown key" in _problem("log_retention_days", "7")


def test_one_error_lists_every_problem_by_key() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(Sample, PROJECT, {"count": "many", "ratio": "2", "bogus": "x"})
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.project == PROJECT
    keys = sorted(p.split(": ", 1)[0] for p in error.problems)
    assert keys == sorted(f"{PROJECT}:{k}" for k in ("count", "ratio", "bogus", "endpoint"))
    lines = str(error).splitlines()
    assert lines[0] == f"Invalid configuration for stack {PROJECT!r}:"
    assert lines[1:] == [f"  - {p}" for p in error.problems]


def test_three_bad_keys_make_three_lines() -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(count="0", enabled="maybe", tier="huge")
    lines = str(caught.value).splitlines()[1:]
    assert len(lines) == 3
    for line, key in zip(sorted(lines), ("count", "enabled", "tier"), strict=True):
        assert line.startswith(f"  - {PROJECT}:{key}: ")


# --- load: the running program's config -----------------------------------------------------


@pytest.fixture
def runtime_values(monkeypatch: pytest.MonkeyPatch):
    """Set the Pulumi runtime's config for one test and put the previous map back."""
    previous = dict(runtime_config.CONFIG.get())
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    yield runtime_config.set_all_config
    runtime_config.set_all_config(previous)


def test_load_reads_only_declared_keys_of_its_own_project(runtime_values) -> None:
    """Through pulumi.Config: other namespaces and undeclared keys are not read (the stack-file
    reader refuses undeclared keys before a program runs: tests/test_stack_files.py)."""
    runtime_values(
        {
            f"{PROJECT}:endpoint": ENDPOINT,
            f"{PROJECT}:count": "9",
            "aws:region": "eu-west-1",
            "other:bogus": "ignored",
        }
    )
    loaded = config.load(Sample, PROJECT)
    assert (loaded.endpoint, loaded.count) == (ENDPOINT, 9)


def test_load_reports_problems_of_the_runtime_config(runtime_values) -> None:
    runtime_values({f"{PROJECT}:count": "0", f"{PROJECT}:ratio": "high"})
    with pytest.raises(ConfigError) as caught:
        config.load(Sample, PROJECT)
    keys = sorted(p.split(": ", 1)[0] for p in caught.value.problems)
    assert keys == [f"{PROJECT}:{k}" for k in ("count", "endpoint", "ratio")]


def test_secret_settings_reach_the_program_as_secret_outputs(runtime_values, monkeypatch) -> None:
    import pulumi

    @dataclass(frozen=True)
    class WithSecret:
        token: Any = setting(kind=str, secret=True)
        endpoint: Any = setting(kind=URL, may_be_secret=True)
        count: int = setting(3)

    runtime_values({f"{PROJECT}:token": "s3cr3t", f"{PROJECT}:endpoint": ENDPOINT})
    monkeypatch.setattr(pulumi.runtime, "is_config_secret", lambda key: key.endswith(":endpoint"))
    loaded = config.load(WithSecret, PROJECT)
    # Declared secret, or set as a secret: either way an Output marked secret, holding the
    # checked value.
    loop = asyncio.get_event_loop()
    for output, value in ((loaded.token, "s3cr3t"), (loaded.endpoint, ENDPOINT)):
        assert isinstance(output, pulumi.Output)
        assert loop.run_until_complete(output.is_secret())
        assert loop.run_until_complete(output.future()) == value
    assert config.project_config(WithSecret)["token"]["secret"] is True
    assert loaded.count == 3  # not a secret: a plain value


def test_a_setting_the_stack_uses_as_plain_text_cannot_be_a_secret(
    runtime_values, monkeypatch
) -> None:
    """A number or a stage name set as a secret would leak (or break the program) where it is
    used as plain Python: refused by name, and its value is not shown."""
    import pulumi

    runtime_values({f"{PROJECT}:endpoint": ENDPOINT, f"{PROJECT}:count": "12345"})
    monkeypatch.setattr(pulumi.runtime, "is_config_secret", lambda key: key.endswith(":count"))
    with pytest.raises(ConfigError) as caught:
        config.load(Sample, PROJECT)
    [problem] = caught.value.problems
    assert problem.startswith(f"{PROJECT}:count: is set as a secret, but this setting is not")
    assert "12345" not in str(caught.value)


def test_a_bad_secret_value_is_not_shown(runtime_values, monkeypatch) -> None:
    import pulumi

    @dataclass(frozen=True)
    class WithSecret:
        endpoint: Any = setting(kind=URL, may_be_secret=True)

    runtime_values({f"{PROJECT}:endpoint": "tok3n-not-a-url"})
    monkeypatch.setattr(pulumi.runtime, "is_config_secret", lambda key: True)
    with pytest.raises(ConfigError) as caught:
        config.load(WithSecret, PROJECT)
    assert "expected an http(s) URL, got <secret>" in str(caught.value)
    assert "tok3n" not in str(caught.value)


def test_load_falls_back_to_the_pulumi_config_variable(
    runtime_values, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime_values({f"{PROJECT}:count": "2"})
    monkeypatch.setenv("PULUMI_CONFIG", f'{{"{PROJECT}:endpoint": "{ENDPOINT}", "svc:count": "5"}}')
    loaded = config.load(Sample, PROJECT)
    assert loaded.endpoint == ENDPOINT
    assert loaded.count == 2, "the runtime map wins over the environment variable"


# --- the proxy program with a bad config ------------------------------------------------------

BAD_PROXY = {
    "proxy:stageRateLimit": "fast",
    "proxy:model": '{"type": "http", "url": "not a url"}',
    "proxy:access": '{"mode": "api_key", "tiers": {"t": {"rateLimit": 1, "burstLimit": 1, '
    '"quota": 1, "period": "YEAR"}}, "clients": [{"name": "web", "tier": "t"}]}',
}


def test_proxy_with_bad_overrides_names_every_problem(run_program: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        run_program("proxy", "dev", BAD_PROXY)
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert sorted(p.split(": ", 1)[0] for p in problems) == sorted(BAD_PROXY)
    message = str(caught.value)
    for key in BAD_PROXY:
        assert f"  - {key}: " in message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "apply"])
def test_invalid_config_declares_no_resource(preview: bool) -> None:
    program_dir = catalog.stack_dir("proxy")
    declared: list[program.Registration] = []

    def record(reg: program.Registration) -> program.Resolution:
        declared.append(reg)
        return f"{reg.name}-id", dict(reg.inputs)

    cfg = {**stack_config(program_dir, "dev"), **BAD_PROXY}
    with pytest.raises(ConfigError):
        program.run(program_dir, project_name(program_dir), "dev", cfg, record, preview=preview)
    assert declared == []


def test_a_good_run_follows_a_failed_one(run_program: Any) -> None:
    with pytest.raises(ConfigError):
        run_program("proxy", "dev", BAD_PROXY)
    run = run_program("proxy", "dev")
    assert len(run.resources) > 0
    assert run.outputs["url"].value.endswith("/predict")


@pytest.mark.parametrize("env", catalog.ENVIRONMENTS)
def test_check_config_accepts_every_environment(env: str) -> None:
    commands.check_config("proxy", env)


def test_check_config_rejects_a_bad_environment_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.stack_dir("proxy"), stacks / "proxy")
    (stacks / "proxy" / "Pulumi.dev.yaml").write_text(
        "config:\n"
        "  proxy:model: {type: http, url: not a url}\n"
        "  proxy:access: {mode: iam}\n"
        "  proxy:stageRateLimit: fast\n"
        "  proxy:tracing: yes\n"
    )
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    with pytest.raises(ConfigError) as caught:
        commands.check_config("proxy", "dev")
    keys = sorted(p.split(": ", 1)[0] for p in caught.value.problems)
    # YAML 1.2, as the CLI reads it: `yes` is the string "yes", not a boolean.
    assert keys == sorted(["proxy:model", "proxy:stageRateLimit", "proxy:tracing"])


def test_check_config_refuses_an_undeclared_key_before_the_program_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(catalog.stack_dir("proxy"), stacks / "proxy")
    (stacks / "proxy" / "Pulumi.dev.yaml").write_text(
        "config:\n"
        "  proxy:model: {type: http, url: https://m.example.com/invocations}\n"
        "  proxy:access: {mode: iam}\n"
        "  proxy:bogus: 1\n"
    )
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    with pytest.raises(UserError) as caught:
        commands.check_config("proxy", "dev")
    assert "proxy:bogus: unknown key. Known keys: access, integrationTimeoutMs" in str(caught.value)
    assert caught.value.exit_code == 2
