"""The smoke.yaml format and its runner against a stub HTTP API (no emulator): every rule,
several routes, GET lists, 404/405, redirects, timeouts, placeholders, masked secrets."""

from __future__ import annotations

import re
import time

import pytest
import yaml

from shared import catalog
from shared.errors import UserError
from shared.ops import smoke
from shared.ops.outputs import StackOutput

LINE = re.compile(r"^(PASS|FAIL) [A-Za-z0-9][A-Za-z0-9_.-]* (\d{3}|-) \d+ms(: .+)?$")


def checks_of(text: str) -> list[smoke.Check]:
    checks, problems = smoke.parse(yaml.safe_load(text))
    assert problems == []
    return checks


def run(text: str, outputs: dict[str, StackOutput]) -> tuple[smoke.SmokeResult, list[str]]:
    lines: list[str] = []
    result = smoke.run_checks(checks_of(text), outputs, stack="s", env="local", out=lines.append)
    return result, lines


@pytest.fixture
def outputs(service) -> dict[str, StackOutput]:
    return {
        "apiUrl": StackOutput(f"{service}/v1"),
        "url": StackOutput(f"{service}/v1/predict"),
        "apiKey": StackOutput("key-s3cr3t-value", secret=True),
        "itemId": StackOutput("a1"),
    }


HTTP_API = """
defaults:
  base: apiUrl
  timeout: 5
checks:
  - name: list-items
    path: /items
    expect:
      status: 200
      headers: {content-type: {contains: json}}
      json:
        items: {type: array, minLength: 2}
        items[*].id: {type: string, matches: "^[a-z][0-9]$"}
        items[-1].name: second
        items[0].price: {type: number, min: 0, max: 10}
        count: {type: integer, equals: 2}
        next: {exists: false}
  - name: one-item
    path: "items/{itemId}?verbose=1"
    expect:
      status: 200
      json:
        id: {equals: a1}
        $.name: {in: [first, second]}
  - name: top-level-list
    path: list
    expect:
      status: 200
      json:
        $: {type: array, maxLength: 5}
        "[0].id": a1
  - name: unknown-route
    method: GET
    path: nope
    expect: {status: 404}
  - name: delete-not-allowed
    method: DELETE
    path: items
    expect: {status: [404, 405]}
  - name: post-not-allowed
    method: POST
    path: items
    json: {}
    expect: {status: 405, json: {message: {type: string}}}
  - name: plain-text
    path: text
    expect: {status: 200, text: {contains: "good"}}
  - name: redirect-is-not-followed
    path: redirect
    expect: {status: 302, headers: {location: /items}}
  - name: keyed-prediction
    base: url
    method: POST
    headers: {x-api-key: "{apiKey}"}
    json: {inputs: ["fine {{literal}}"], parameters: {top_k: 1}}
    expect:
      status: 200
      json:
        predictions[0].label: {in: [positive, negative, neutral]}
        predictions[*].score: {type: number}
"""


def test_a_multi_route_http_api_passes_with_one_line_per_check(outputs):
    result, lines = run(HTTP_API, outputs)

    assert result.passed, lines
    assert [c.name for c in result.checks] == [
        "list-items",
        "one-item",
        "top-level-list",
        "unknown-route",
        "delete-not-allowed",
        "post-not-allowed",
        "plain-text",
        "redirect-is-not-followed",
        "keyed-prediction",
    ]
    assert len(lines) == len(result.checks)
    assert all(LINE.match(line) for line in lines), lines
    assert lines[3].startswith("PASS unknown-route 404 ")
    assert lines[4].startswith("PASS delete-not-allowed 405 ")
    assert result.summary() == "Smoke s/local: 9 passed, 0 failed."


def test_placeholders_fill_path_headers_and_json_and_braces_can_be_escaped(outputs):
    text = """
checks:
  - name: echo
    base: apiUrl
    method: POST
    path: "echo?id={itemId}"
    headers: {x-api-key: "{apiKey}", x-literal: "{{not-an-output}}"}
    json: {id: "{itemId}", nested: ["{itemId}", 3]}
    expect:
      status: 200
      json:
        body: '{"id": "a1", "nested": ["a1", 3]}'
        headers.x-api-key: key-s3cr3t-value  # the stub echoes header names in lower case
        headers.x-literal: "{not-an-output}"
        headers.content-type: application/json
        headers.user-agent: aigw-smoke/1
"""
    result, lines = run(text, outputs)
    assert result.passed, lines


@pytest.mark.parametrize(
    ("expect", "reason"),
    [
        ("{status: 201}", "expected status 201, got 200"),
        ("{status: 200, json: {count: {type: string}}}", "count should be string, is 2"),
        ("{status: 200, json: {missing: {}}}", "missing is missing"),
        ("{status: 200, json: {'items[5].id': {}}}", "items[5].id is missing"),
        ("{status: 200, json: {count: 3}}", "count should equal 3, is 2"),
        ("{status: 200, json: {'items[*].name': {in: [first]}}}", 'should be one of "first"'),
        ("{status: 200, json: {'items[0].price': {min: 5}}}", "should be >= 5, is 3.5"),
        ("{status: 200, json: {items: {maxLength: 1}}}", "should have length <= 1"),
        ("{status: 200, json: {count: {exists: false}}}", "count should be absent, is 2"),
        ("{status: 200, json: {'items[0].name': {matches: '^x'}}}", "should match /^x/"),
        ("{status: 200, headers: {x-nope: {}}}", "header x-nope is missing"),
        ("{status: 200, text: {contains: zebra}}", "the answer should contain"),
    ],
)
def test_a_failed_rule_says_what_and_why(outputs, expect, reason):
    text = f"checks:\n  - name: c\n    base: apiUrl\n    path: items\n    expect: {expect}\n"
    result, lines = run(text, outputs)

    assert not result.passed
    (line,) = lines
    assert line.startswith("FAIL c 200 ") or line.startswith("FAIL c 200")
    assert reason in line, line
    assert LINE.match(line)


def test_a_non_json_answer_fails_json_rules(outputs):
    text = (
        "checks:\n  - {name: c, base: apiUrl, path: text, expect: {status: 200, json: {a: {}}}}\n"
    )
    result, lines = run(text, outputs)
    assert "the answer is not JSON (all good)" in lines[0]


def test_no_answer_fails_fast_with_no_status(outputs, closed_url):
    outputs["apiUrl"] = StackOutput(closed_url)
    text = "checks:\n  - {name: down, base: apiUrl, expect: {status: 200}}\n"
    started = time.monotonic()
    result, lines = run(text, outputs)

    assert time.monotonic() - started < 5
    assert lines[0].startswith("FAIL down - ")
    assert "no answer from" in lines[0]
    assert result.checks[0].status is None


def test_a_slow_answer_never_hangs_the_runner(outputs):
    text = (
        "checks:\n  - {name: slow, base: apiUrl, path: slow, timeout: 0.5, expect: {status: 200}}\n"
    )
    started = time.monotonic()
    result, lines = run(text, outputs)

    assert time.monotonic() - started < 3
    assert not result.passed
    assert lines[0].startswith("FAIL slow - ")


def test_failed_checks_are_retried_and_the_attempt_is_reported(outputs):
    text = (
        "defaults: {retries: 2, retryDelay: 0.1}\n"
        "checks:\n  - {name: c, base: apiUrl, path: nope, expect: {status: 200}}\n"
    )
    result, lines = run(text, outputs)
    assert result.checks[0].attempts == 3
    assert lines[0].endswith("(attempt 3)")


def test_secret_outputs_never_appear_in_what_is_printed(outputs):
    text = """
checks:
  - name: echo-secret
    base: apiUrl
    path: echo
    headers: {x-api-key: "{apiKey}"}
    expect: {status: 500}
"""
    result, lines = run(text, outputs)
    assert not result.passed
    assert "key-s3cr3t-value" not in "\n".join(lines)
    assert "[secret]" in lines[0]  # the answer excerpt echoed it, masked


def test_an_unknown_output_fails_the_check_and_names_the_outputs(outputs):
    text = "checks:\n  - {name: c, base: apiUrl, headers: {k: '{nope}'}, expect: {status: 200}}\n"
    result, lines = run(text, outputs)
    assert lines[0] == (
        "FAIL c - 0ms: {nope} is not a stack output (outputs: apiKey, apiUrl, itemId, url)"
    )
    missing_base = "checks:\n  - {name: c, base: web, expect: {status: 200}}\n"
    result, lines = run(missing_base, outputs)
    assert "the stack has no output 'web' to use as base URL" in lines[0]


def test_every_problem_of_a_smoke_file_is_reported_at_once():
    text = """
extra: 1
defaults: {timeout: -1, colour: red}
checks:
  - name: ok
    expect: {status: 200}
  - name: ok
    expect: {status: 200}
  - name: "has space"
    method: FETCH
    json: {}
    body: "x"
    expect: {status: 999, json: {"a..b": {}, c: {type: text, bogus: 1}}}
  - method: GET
  - name: unknown-key
    expect: {status: 200, json: {d: {matches: "("}}}
    wat: 1
  - name: bad-headers
    headers: [x-api-key]
    expect: {status: 200}
"""
    checks, problems = smoke.parse(yaml.safe_load(text))
    joined = "\n".join(problems)
    for expected in (
        "unknown top-level key 'extra'",
        "defaults: unknown key 'colour'",
        "`timeout` must be a positive number",
        "the name is used twice",
        "`name` is required",
        "method must be one of GET, POST",
        "give `json` or `body`, not both",
        "`expect.status` must be an HTTP status",
        "cannot read the path 'a..b'",
        "type must be one of string, number",
        "unknown rule key(s) bogus",
        "checks[3]: `expect.status` is required",
        "unknown key 'wat'",
        "`matches` is not a regular expression",
        "check 'bad-headers': `headers` must map header names to strings",
    ):
        assert expected in joined, expected


def test_load_reports_a_missing_or_invalid_file(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "STACKS_DIR", tmp_path)
    (tmp_path / "s").mkdir()
    with pytest.raises(UserError, match=r"s has no smoke checks: write .*s/smoke\.yaml") as caught:
        smoke.load("s")
    assert caught.value.exit_code == 1

    (tmp_path / "s" / "smoke.yaml").write_text("checks: []\n")
    with pytest.raises(
        UserError, match=r"(?s)Invalid smoke checks in .*`checks` must be a non-empty"
    ) as c:
        smoke.load("s")
    assert c.value.exit_code == 2


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("a", ["a"]),
        ("$", []),
        ("$.a.b", ["a", "b"]),
        ("predictions[0].label", ["predictions", 0, "label"]),
        ("items[*].id", ["items", "*", "id"]),
        ("[0]", [0]),
        ("a[-1][2]", ["a", -1, 2]),
        ('headers["x.y"]', ["headers", "x.y"]),
        ("x-api-key", ["x-api-key"]),
    ],
)
def test_jsonpath_lite(path, segments):
    assert smoke.parse_path(path) == segments


@pytest.mark.parametrize("path", ["a..b", "a.[0]", "a[x]", "a b", "a["])
def test_jsonpath_lite_rejects(path):
    with pytest.raises(ValueError):
        smoke.parse_path(path)


def test_every_stacks_smoke_file_is_valid():
    """Each stack's smoke.yaml (the ones that exist) parses without a problem."""
    found = sorted(catalog.STACKS_DIR.glob(f"*/{smoke.FILE_NAME}"))
    assert catalog.STACKS_DIR / "proxy" / smoke.FILE_NAME in found
    for path in found:
        assert smoke.load(path.parent.name)


def test_the_proxy_smoke_checks_cover_forbidden_prediction_and_invalid_body():
    checks = {c.name: c for c in smoke.load("proxy")}
    assert [c.expect.status for c in checks.values()] == [(403,), (200,), (400,)]
    keyed = checks["predict-with-api-key"]
    assert keyed.headers == {"x-api-key": "{apiKey}"} and keyed.method == "POST"
    rules = {r.path: r.spec for r in keyed.expect.json}
    assert rules["predictions[0].label"] == {"in": ["positive", "negative", "neutral"]}
    assert {"model", "version"} <= set(rules)
    assert all(c.base == "url" for c in checks.values())


def test_the_documented_smoke_files_are_valid():
    """The examples in the docs (docs/delivery.md, or the README once merged) stay true."""
    blocks = []
    for doc in (catalog.REPO_ROOT / "docs" / "delivery.md", catalog.REPO_ROOT / "README.md"):
        if doc.is_file():
            text = doc.read_text(encoding="utf-8")
            blocks += [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "checks:" in b]
    assert blocks
    for block in blocks:
        checks, problems = smoke.parse(yaml.safe_load(block))
        assert checks and problems == [], block
