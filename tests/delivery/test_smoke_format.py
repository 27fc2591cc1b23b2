"""The smoke.yaml format and its runner against a stub HTTP API (no emulator): answers checked
with JSON Schema, values picked with JMESPath, several routes, GET lists, 404/405, redirects,
timeouts, placeholders, masked secrets; and every mistake a file can hold, named by check."""

from __future__ import annotations

import re
import textwrap
import time

import pytest
import yaml
from jsonschema import Draft202012Validator

from shared import catalog
from shared.errors import UserError
from shared.ops import smoke
from shared.ops.outputs import StackOutput

LINE = re.compile(r"^(PASS|FAIL) [A-Za-z0-9][A-Za-z0-9_.-]* (\d{3}|-) \d+ms(: .+)?$")
SECRET = "key-s3cr3t-value"
STACKS = ["global", "orchestration", "proxy", "versions", "workflows"]


def checks_of(text: str) -> list[smoke.Check]:
    checks, problems = smoke.parse(yaml.safe_load(text))
    assert problems == []
    return checks


def problems_of(text: str) -> list[str]:
    checks, problems = smoke.parse(yaml.safe_load(text))
    assert checks == [] and problems
    return problems


def run(text: str, outputs: dict[str, StackOutput]) -> tuple[smoke.SmokeResult, list[str]]:
    lines: list[str] = []
    result = smoke.run_checks(checks_of(text), outputs, stack="s", env="local", out=lines.append)
    return result, lines


def one_check(expect: str, path: str = "items", **more: str) -> str:
    """A file with one check `c` on the stub's `path`."""
    extra = "".join(f"    {key}: {value}\n" for key, value in more.items())
    return (
        f"checks:\n  - name: c\n    base: apiUrl\n    path: {path}\n{extra}    expect: {expect}\n"
    )


@pytest.fixture
def outputs(service) -> dict[str, StackOutput]:
    return {
        "apiUrl": StackOutput(f"{service}/v1"),
        "url": StackOutput(f"{service}/v1/predict"),
        "apiKey": StackOutput(SECRET, secret=True),
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
      headers:
        required: [content-type]
        properties: {content-type: {pattern: json}}
      schema:
        type: object
        required: [items, count]
        properties:
          items:
            type: array
            minItems: 2
            items:
              type: object
              required: [id]
              properties: {id: {type: string, pattern: "^[a-z][0-9]$"}}
          count: {type: integer, const: 2}
          next: false                      # must be absent
      values:
        - {path: "items[-1].name", schema: {const: second}}
        - {path: "items[0].price", schema: {type: number, minimum: 0, maximum: 10}}
        - {path: "length(items)", schema: {const: 2}}
        - {path: "items[?price > `5`].id", schema: {const: [b2]}}
  - name: one-item
    path: "items/{itemId}?verbose=1"
    expect:
      status: 200
      schema: {type: object, required: [id], properties: {id: {const: a1}}}
      values: [{path: name, schema: {enum: [first, second]}}]
  - name: top-level-list
    path: list
    expect:
      status: 200
      schema:  # a $ref inside the schema works
        type: array
        maxItems: 5
        items: {$ref: "#/$defs/item"}
        $defs: {item: {type: object, required: [id]}}
      values: [{path: "[0].id", schema: {const: a1}}]
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
    expect:
      status: 405
      schema: {type: object, required: [message], properties: {message: {type: string}}}
  - name: plain-text
    path: text
    expect: {status: 200, text: {type: string, pattern: "good$"}}
  - name: redirect-is-not-followed
    path: redirect
    expect:
      status: 302
      headers: {required: [location], properties: {location: {const: /items}}}
  - name: keyed-prediction
    base: url
    method: POST
    headers: {x-api-key: "{apiKey}"}
    json: {inputs: ["fine {{literal}}"], parameters: {top_k: 1}}
    expect:
      status: 200
      values:
        - path: predictions[0].label
          schema: {enum: [positive, negative, neutral]}
        - path: predictions[*].score
          schema: {type: array, minItems: 1, items: {type: number}}
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
    assert lines[7].startswith("PASS redirect-is-not-followed 302 ")
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
      values:  # the stub echoes the body, and the header names in lower case
        - {path: body, schema: {const: '{"id": "a1", "nested": ["a1", 3]}'}}
        - {path: 'headers."x-api-key"', schema: {const: key-s3cr3t-value}}
        - {path: 'headers."x-literal"', schema: {const: "{not-an-output}"}}
        - {path: 'headers."content-type"', schema: {const: application/json}}
        - {path: 'headers."user-agent"', schema: {const: aigw-smoke/1}}
"""
    result, lines = run(text, outputs)
    assert result.passed, lines


@pytest.mark.parametrize(
    ("expect", "reason"),
    [
        ("{status: 201}", "expected status 201, got 200 ({"),
        (
            "{status: 200, schema: {properties: {count: {type: string}}}}",
            "count: 2 is not of type 'string'",
        ),
        ("{status: 200, schema: {required: [missing]}}", "the answer: 'missing' is a required"),
        (
            "{status: 200, values: [{path: 'items[5].id', schema: {type: string}}]}",
            "items[5].id: None is not of type 'string'",
        ),
        (
            "{status: 200, schema: {properties: {count: {const: 3}}}}",
            "count: 3 was expected, got 2",
        ),
        (
            "{status: 200, values: [{path: 'items[*].name', schema: {items: {enum: [first]}}}]}",
            "items[*].name[1]: 'second' is not one of ['first']",
        ),
        (
            "{status: 200, values: [{path: 'items[0].price', schema: {minimum: 5}}]}",
            "items[0].price: 3.5 is less than the minimum of 5",
        ),
        (
            "{status: 200, schema: {properties: {items: {maxItems: 1}}}}",
            "is too long (has 2, at most 1)",
        ),
        (
            "{status: 200, values: [{path: count, schema: {type: 'null'}}]}",  # must be absent
            "count: 2 is not of type 'null'",
        ),
        (
            "{status: 200, values: [{path: 'items[0].name', schema: {pattern: '^x'}}]}",
            "items[0].name: 'first' does not match '^x'",
        ),
        (
            "{status: 200, headers: {required: [x-nope]}}",
            "headers: 'x-nope' is a required property",
        ),
        (
            "{status: 200, headers: {properties: {content-type: {pattern: '^text/'}}}}",
            "headers.content-type: 'application/json' does not match '^text/'",
        ),
        ("{status: 200, text: {pattern: zebra}}", "does not match 'zebra'"),
        (
            "{status: 200, schema: {properties: {count: {type: string}, items: {maxItems: 0}}}}",
            " (+1 more)",
        ),
    ],
)
def test_a_failing_check_says_in_one_line_where_and_why(outputs, expect, reason):
    result, lines = run(one_check(expect), outputs)

    assert not result.passed
    (line,) = lines
    assert line.startswith("FAIL c 200 ")
    assert reason in line, line
    assert LINE.match(line)


def test_the_message_of_a_failing_schema_names_the_field(outputs):
    text = """
checks:
  - name: keyed-prediction
    method: POST
    headers: {x-api-key: "{apiKey}"}
    json: {inputs: "hello"}
    expect:
      status: 200
      values: [{path: "predictions[0].label", schema: {enum: [negative, neutral]}}]
  - name: model-shape
    method: POST
    headers: {x-api-key: "{apiKey}"}
    json: {inputs: "hello"}
    expect:
      status: 200
      schema:
        type: object
        properties:
          predictions:
            items: {properties: {score: {type: number, maximum: 0.5}}}
"""
    result, lines = run(text, outputs)

    assert [c.reason for c in result.checks] == [
        "predictions[0].label: 'positive' is not one of ['negative', 'neutral']",
        "predictions[0].score: 0.9 is greater than the maximum of 0.5",
    ]
    assert lines[0].startswith("FAIL keyed-prediction 200 ")
    assert lines[0].endswith(
        ": predictions[0].label: 'positive' is not one of ['negative', 'neutral']"
    )


def test_a_long_value_is_shortened_in_the_message(outputs):
    result, lines = run(one_check("{status: 200, schema: {type: array}}"), outputs)

    (line,) = lines
    assert re.search(r"the answer: \{'items': \[.{40,80}\.\.\. is not of type 'array'$", line), line


def test_a_non_json_answer_fails_schema_and_values(outputs):
    for expect in ("{status: 200, schema: {}}", "{status: 200, values: [{path: a, schema: {}}]}"):
        result, lines = run(one_check(expect, path="text"), outputs)
        assert lines[0].endswith(": the answer is not JSON (all good)"), lines


def test_text_and_headers_do_not_need_a_json_answer(outputs):
    expect = (
        "{status: 200, text: {const: all good},"
        " headers: {properties: {content-type: {const: text/plain}}}}"
    )
    result, lines = run(one_check(expect, path="text"), outputs)
    assert result.passed, lines


def test_a_jmespath_error_at_run_time_fails_the_check(outputs):
    result, lines = run(
        one_check("{status: 200, values: [{path: 'length(count)', schema: {}}]}"), outputs
    )
    assert not result.passed
    assert "length(count): In function length(), invalid type for value: 2" in lines[0]


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
    assert SECRET not in "\n".join(lines)
    assert "[secret]" in lines[0]  # the answer excerpt echoed it, masked


def test_a_failing_schema_never_prints_a_secret_it_quotes(outputs):
    outputs["odd"] = StackOutput("o'dd\\se\"cret", secret=True)  # quoted differently by repr
    text = """
defaults: {base: apiUrl, headers: {x-api-key: "{apiKey}", x-odd: "{odd}"}}
checks:
  - name: enum
    path: echo
    expect: {status: 200, values: [{path: 'headers."x-api-key"', schema: {enum: [nope]}}]}
  - name: const
    path: echo
    expect: {status: 200, values: [{path: 'headers."x-api-key"', schema: {const: nope}}]}
  - name: odd
    path: echo
    expect: {status: 200, values: [{path: 'headers."x-odd"', schema: {maxLength: 1}}]}
  - name: whole-answer
    path: echo
    expect: {status: 200, schema: {properties: {headers: {type: array}}}}
"""
    result, lines = run(text, outputs)

    printed = "\n".join(lines)
    assert not result.passed and len(result.failures) == 4, lines
    assert "'[secret]' is not one of ['nope']" in lines[0]
    assert lines[1].endswith("'nope' was expected, got '[secret]'")
    assert """headers."x-odd": '[secret]' is too long (has 12, at most 1)""" in lines[2]
    for shown in (SECRET, "s3cr3t", "o'dd", "o\\'dd", 'se\\"cret', 'se"cret', "dd\\\\se"):
        assert shown not in printed, shown


def test_a_secret_cut_by_shortening_leaves_no_piece_of_it(outputs):
    """Masking comes before shortening: wherever the cut falls, no piece of a secret shows."""
    checks = "".join(
        f"  - {{name: c{n}-{kind}, path: 'echo?pad={'x' * n}&k={{apiKey}}', expect: {expect}}}\n"
        for n in range(0, 170, 3)
        for kind, expect in enumerate(("{status: 500}", "{status: 200, schema: {type: array}}"))
    )
    result, lines = run(f"defaults: {{base: apiUrl}}\nchecks:\n{checks}", outputs)

    assert len(result.failures) == len(lines) > 100
    printed = "\n".join(lines)
    assert "&k=key-" not in printed and "s3cr" not in printed
    assert printed.count("&k=[secret]") > 50


def test_an_unknown_output_fails_the_check_and_names_the_outputs(outputs):
    text = "checks:\n  - {name: c, base: apiUrl, headers: {k: '{nope}'}, expect: {status: 200}}\n"
    result, lines = run(text, outputs)
    assert lines[0] == (
        "FAIL c - 0ms: {nope} is not a stack output (outputs: apiKey, apiUrl, itemId, url)"
    )
    missing_base = "checks:\n  - {name: c, base: web, expect: {status: 200}}\n"
    result, lines = run(missing_base, outputs)
    assert "the stack has no output 'web' to use as base URL" in lines[0]


# --- mistakes in the file -------------------------------------------------------------------


def test_every_problem_of_a_smoke_file_is_reported_at_once():
    problems = problems_of("""
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
    expect: {status: 999, schema: {type: text}, values: [{path: "a..b", schema: {}}]}
  - method: GET
  - name: unknown-key
    expect: {status: 200, text: {pattern: "("}}
    wat: 1
  - name: bad-headers
    headers: [x-api-key]
    expect: {status: 200, headers: {required: [Content-Type]}}
""")
    assert problems == [
        "unknown top-level key 'extra' (known: defaults, checks)",
        "defaults: unknown key 'colour' (known: base, timeout, retries, retryDelay, headers, "
        "credentials)",
        "defaults.timeout: -1 is less than or equal to the minimum of 0",
        "check 'ok': the name is used twice",
        "check 'has space': name: 'has space' does not match '^[A-Za-z0-9][A-Za-z0-9_.-]*$'",
        "check 'has space': method: 'FETCH' is not one of "
        "['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']",
        "check 'has space': expect.status: 999 is greater than the maximum of 599",
        "check 'has space': give `json` or `body`, not both",
        "check 'has space': expect.schema.type: 'text' is not one of "
        "['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']",
        "check 'has space': expect.values[0].path: 'a..b' is not a JMESPath expression "
        "(Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], "
        "got: dot at column 2)",
        "checks[3]: 'name' is a required property",
        "checks[3]: 'expect' is a required property",
        "check 'unknown-key': unknown key 'wat' (known: name, method, base, path, headers, json, "
        "body, timeout, retries, retryDelay, credentials, expect)",
        "check 'unknown-key': expect.text.pattern: '(' is not a 'regex'",
        "check 'bad-headers': headers: ['x-api-key'] is not of type 'object'",
        "check 'bad-headers': expect.headers: header names are lower case: "
        "write 'content-type', not 'Content-Type'",
    ]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("a..b", "got: dot at column 2"),
        ("predictions[0", "the expression ends too soon, at column 13"),
        ("x-api-key", "Unknown token '-' at column 1; a key with '-' is quoted"),
        ("items[?price > 5]", "at column"),  # a number literal is `5`, in backticks
    ],
)
def test_a_bad_jmespath_expression_is_a_file_error_naming_the_check(path, why):
    text = "checks:\n  - name: pick\n    expect:\n      status: 200\n      values:\n"
    text += f"        - path: '{path}'\n          schema: {{}}\n"

    (problem,) = problems_of(text)

    assert problem.startswith(
        f"check 'pick': expect.values[0].path: {path!r} is not a JMESPath expression ("
    ), problem
    assert why in problem, problem
    assert "\n" not in problem


@pytest.mark.parametrize(
    ("expect", "problem"),
    [
        (
            "{status: 200, schema: {type: strin}}",
            "expect.schema.type: 'strin' is not one of ['array', 'boolean', 'integer', 'null', "
            "'number', 'object', 'string']",
        ),
        (
            "{status: 200, schema: {properties: {items: {items: {minItems: -1}}}}}",
            "expect.schema.properties.items.items.minItems: -1 is less than the minimum of 0",
        ),
        (
            "{status: 200, values: [{path: a, schema: {enum: positive}}]}",
            "expect.values[0].schema.enum: 'positive' is not of type 'array'",
        ),
        (
            "{status: 200, headers: {required: content-type}}",
            "expect.headers.required: 'content-type' is not of type 'array'",
        ),
        ("{status: 200, text: {pattern: '[a-'}}", "expect.text.pattern: '[a-' is not a 'regex'"),
        (
            "{status: 200, schema: {properties: {a: {$ref: '#/$defs/lable'}}, $defs: {label: {}}}}",
            "expect.schema.properties.a.$ref: '#/$defs/lable' cannot be resolved",
        ),
        (
            "{status: 200, schema: {$ref: 'https://example.com/schema.json'}}",
            "expect.schema.$ref: 'https://example.com/schema.json' cannot be resolved",
        ),
        ("{status: 200, schema: [1]}", "expect.schema: [1] is not of type 'object', 'boolean'"),
    ],
)
def test_an_invalid_json_schema_is_a_file_error_naming_the_check(expect, problem):
    (found,) = problems_of(f"checks:\n  - name: typo\n    expect: {expect}\n")

    assert found.startswith(f"check 'typo': {problem}"), found


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "chekcs: []\nchecks: [{name: c, expect: {status: 200}}]",
            "unknown top-level key 'chekcs'",
        ),
        (
            "defaults: {retry: 1}\nchecks: [{name: c, expect: {status: 200}}]",
            "defaults: unknown key 'retry'",
        ),
        (
            "checks: [{name: c, methd: POST, expect: {status: 200}}]",
            "check 'c': unknown key 'methd'",
        ),
        (
            "checks: [{name: c, expect: {status: 200, json: {}}}]",
            "check 'c': expect: unknown key 'json'",
        ),
        (
            "checks: [{name: c, expect: {status: 200, shcema: {}, txt: {}}}]",
            "check 'c': expect: unknown keys 'shcema', 'txt'",
        ),
        (
            "checks: [{name: c, expect: {status: 200, values: [{path: a, schema: {}, rule: 1}]}}]",
            "check 'c': expect.values[0]: unknown key 'rule' (known: path, schema)",
        ),
    ],
)
def test_an_unknown_key_is_a_file_error_naming_the_key(text, problem):
    (found,) = problems_of(text)
    assert found.startswith(problem), found


def test_load_reports_a_missing_or_invalid_file(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "STACKS_DIR", tmp_path)
    (tmp_path / "s").mkdir()
    with pytest.raises(UserError, match=r"s has no smoke checks: write .*s/smoke\.yaml") as caught:
        smoke.load("s")
    assert caught.value.exit_code == 1

    (tmp_path / "s" / "smoke.yaml").write_text("checks: []\n")
    with pytest.raises(
        UserError, match=r"(?s)Invalid smoke checks in .*checks: \[\] should be non-empty"
    ) as c:
        smoke.load("s")
    assert c.value.exit_code == 2

    (tmp_path / "s" / "smoke.yaml").write_text(
        "checks:\n  - name: typo\n    expect: {status: 200, schema: {type: strng}}\n"
    )
    with pytest.raises(UserError) as c:
        smoke.load("s")
    assert c.value.exit_code == 2
    assert str(c.value).splitlines()[1].startswith("  - check 'typo': expect.schema.type: 'strng'")

    (tmp_path / "s" / "smoke.yaml").write_text("- just a list\n")
    with pytest.raises(UserError, match=r"the file must be a mapping with a `checks:` list"):
        smoke.load("s")


def test_the_file_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(smoke.FILE_SCHEMA)
    assert not smoke.parse({"checks": [{"name": "c", "expect": {"status": 200}}]})[1]


def test_settings_come_from_defaults_and_a_check_overrides_them():
    first, second = checks_of("""
defaults: {base: apiUrl, timeout: 3, retries: 1, retryDelay: 0.5, headers: {x-a: "1", x-b: 2}}
checks:
  - {name: plain, expect: {status: 200}}
  - {name: own, method: POST, base: url, timeout: 1, retries: 0, headers: {x-b: "3"}, body: hi,
     expect: {status: [200, 201]}}
""")
    assert (first.method, first.base, first.timeout, first.retries, first.retry_delay) == (
        "GET",
        "apiUrl",
        3.0,
        1,
        0.5,
    )
    assert first.headers == {"x-a": "1", "x-b": "2"} and first.expect.status == (200,)
    assert (second.method, second.base, second.timeout, second.retries) == ("POST", "url", 1.0, 0)
    assert second.headers == {"x-a": "1", "x-b": "3"} and second.body == "hi"
    assert second.expect.status == (200, 201) and not second.has_json


# --- the stacks' files ----------------------------------------------------------------------


def test_every_stacks_smoke_file_is_valid():
    """Each stack's smoke.yaml parses without a problem, and every stack has one."""
    found = sorted(catalog.STACKS_DIR.glob(f"*/{smoke.FILE_NAME}"))
    assert [path.parent.name for path in found] == STACKS
    for path in found:
        assert smoke.load(path.parent.name)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stacks_smoke_file_proves_a_request_without_credentials_is_refused(stack):
    checks = smoke.load(stack)
    assert any(c.proves_refusal for c in checks)
    # The rest rely on the stack's credentials rather than naming a key themselves.
    assert not any("{apiKey}" in str(c.headers) for c in checks)


def test_the_proxy_smoke_checks_cover_forbidden_prediction_and_invalid_body():
    checks = {c.name: c for c in smoke.load("proxy")}
    assert [c.expect.status for c in checks.values()] == [(401, 403), (401, 403), (200,), (400,)]
    assert [c.credentials for c in checks.values()] == [False, True, True, True]
    assert checks["predict-with-a-wrong-api-key-is-forbidden"].headers["x-api-key"]
    keyed = checks["predict-with-api-key"]
    assert "x-api-key" not in keyed.headers and keyed.method == "POST"  # the stack's own key
    answer = keyed.expect.schema.schema
    assert {"model", "version", "predictions"} <= set(answer["required"])
    values = {v.path: v.schema.schema for v in keyed.expect.values}
    assert values["predictions[0].label"] == {"enum": ["positive", "negative", "neutral"]}
    assert values["predictions[*].score"]["items"] == {"type": "number", "minimum": 0, "maximum": 1}
    assert keyed.expect.headers.schema["required"] == ["content-type"]
    assert all(c.base == "url" for c in checks.values())


def test_the_documented_smoke_files_are_valid():
    """The examples in the docs (docs/delivery.md, or the README once merged) stay true."""
    blocks = []
    for doc in (catalog.REPO_ROOT / "docs" / "delivery.md", catalog.REPO_ROOT / "README.md"):
        if doc.is_file():
            text = doc.read_text(encoding="utf-8")
            blocks += [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "checks:" in b]
    assert len(blocks) >= 2
    for block in blocks:
        checks, problems = smoke.parse(yaml.safe_load(block))
        assert checks and problems == [], (problems, block)


def test_the_example_in_the_module_docstring_is_valid():
    example = smoke.__doc__.split("in\nshort:\n", 1)[1].split("\n\n", 1)[0]
    checks = checks_of(textwrap.dedent(example))
    assert [v.path for v in checks[0].expect.values] == ["predictions[0].label"]


# --- credentials -------------------------------------------------------------------------------

KEYED_STACK = {"mode": "api_key", "region": "eu-west-1", "clients": {"web": {"tier": "basic"}}}
CREDENTIALED = """
defaults: {base: apiUrl}
checks:
  - name: predict-with-the-stacks-key
    method: POST
    path: predict
    json: {inputs: hello}
    expect: {status: 200}
  - name: predict-without-credentials-is-refused
    method: POST
    path: predict
    credentials: none
    json: {inputs: hello}
    expect: {status: [401, 403]}
  - name: echo-without-credentials-sends-no-key
    path: echo
    credentials: none
    expect:
      status: 200
      values: [{path: 'headers."x-api-key"', schema: {type: "null"}}]
"""


def with_access(outputs, access, secrets) -> dict[str, StackOutput]:
    return {
        **outputs,
        "access": StackOutput(access),
        "credentials": StackOutput(secrets, secret=True),
    }


def run_as_stack(text: str, outputs, env: str = "dev") -> tuple[smoke.SmokeResult, list[str]]:
    lines: list[str] = []
    caller = smoke.caller_of("demo", env, outputs)
    result = smoke.run_checks(
        checks_of(text), outputs, stack="demo", env=env, caller=caller, out=lines.append
    )
    return result, lines


def test_checks_are_sent_with_the_stacks_credentials_unless_they_say_none(outputs):
    keyed = with_access(outputs, KEYED_STACK, {"apiKeys": {"web": SECRET}})

    result, lines = run_as_stack(CREDENTIALED, keyed)

    assert result.passed, lines
    assert [line.split()[:3] for line in lines] == [
        ["PASS", "predict-with-the-stacks-key", "200"],
        ["PASS", "predict-without-credentials-is-refused", "403"],
        ["PASS", "echo-without-credentials-sends-no-key", "200"],
    ]


def test_the_stacks_key_is_never_printed_even_when_the_answer_echoes_it(outputs):
    keyed = with_access(outputs, KEYED_STACK, {"apiKeys": {"web": "key-only-in-credentials"}})
    text = one_check("{status: 200, values: [{path: 'headers.\"x-api-key\"', schema: {const: x}}]}")

    result, lines = run_as_stack(text.replace("path: items", "path: echo"), keyed)

    assert not result.passed
    assert "key-only-in-credentials" not in lines[0]
    assert "'[secret]'" in lines[0]


def test_a_stack_open_to_anyone_skips_the_checks_that_prove_a_refusal(outputs):
    # Mode none (local only) has nothing to refuse: such a check is skipped, with the reason;
    # a check without credentials that expects an answer still runs.
    open_stack = with_access(outputs, {"mode": "none", "region": "us-east-1", "clients": {}}, {})
    text = CREDENTIALED.replace("path: predict\n    json", "path: echo\n    json", 1)

    result, lines = run_as_stack(text, open_stack, env="local")

    assert result.passed and [c.name for c in result.skipped] == [
        "predict-without-credentials-is-refused"
    ]
    assert lines[1] == (
        "SKIP predict-without-credentials-is-refused: the stack takes no credentials "
        "(access mode none), so nothing is refused"
    )
    assert lines[2].startswith("PASS echo-without-credentials-sends-no-key 200")
    assert result.summary() == "Smoke demo/local: 2 passed, 0 failed, 1 skipped."


def test_a_stack_without_access_output_runs_its_checks_as_written(outputs):
    # An older stack (or a project of its own) says what to send with placeholders.
    text = CREDENTIALED.replace(
        "json: {inputs: hello}\n    expect: {status: 200}",
        'headers: {x-api-key: "{apiKey}"}\n    json: {inputs: hello}\n    expect: {status: 200}',
    )

    result, lines = run_as_stack(text, outputs)

    assert result.passed and not result.skipped, lines


def test_credentials_that_cannot_be_had_fail_each_check_that_needs_them(outputs, closed_url):
    cognito = {
        "mode": "cognito",
        "region": "eu-west-1",
        "tokenUrl": f"{closed_url}/oauth2/token",
        "clients": {"app": {"clientId": "app-id", "scopes": []}},
    }
    tokened = with_access(outputs, cognito, {"clientSecrets": {"app": SECRET}})

    result, lines = run_as_stack(CREDENTIALED, tokened)

    assert [c.name for c in result.failures] == ["predict-with-the-stacks-key"]
    assert lines[0].startswith("FAIL predict-with-the-stacks-key - 0ms: no credentials: ")
    assert "The token endpoint of demo" in lines[0] and "gave no token for client 'app'" in lines[0]
    assert SECRET not in "\n".join(lines)


def test_credentials_is_stack_or_none():
    assert problems_of(one_check("{status: 200}", credentials="key")) == [
        "check 'c': credentials: 'key' is not one of ['stack', 'none']"
    ]
