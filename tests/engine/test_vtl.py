"""The mapping-template subset the engine's bridge renders (shared/local/engine/bridge/vtl.py),
as API Gateway renders it, and the refusal by name of what is beyond it."""

from __future__ import annotations

import json

import pytest

from shared.local.engine.bridge import vtl

BODY = json.dumps({"inputs": 'say "hi"\n', "parameters": {"top_k": 2}, "list": [1, {"a": "b"}]})
# issue 9's Bedrock Converse template.
CONVERSE = '{"messages":[{"role":"user","content":[{"text":$input.json(\'$.inputs\')}]}]}'


def test_the_converse_template_makes_valid_json_of_any_input_text():
    rendered = json.loads(vtl.render(CONVERSE, BODY))
    assert rendered["messages"][0]["content"][0]["text"] == 'say "hi"\n'


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("$input.body", BODY),
        ("${input.body}", BODY),
        ("$input.json('$.parameters')", '{"top_k": 2}'),
        ("$input.path('$.parameters.top_k')", "2"),
        ("$input.path('$.list[1].a')", "b"),
        ("$input.path(\"$['inputs']\")", 'say "hi"\n'),
        # A missing value renders empty (quiet or not), as in API Gateway; json() says null.
        ("[$input.path('$.nothing')][$!input.path('$.nothing')]", "[][]"),
        ("$input.json('$.nothing')", "null"),
        # JavaScript string escaping: quotes of both kinds, backslash, slash, controls.
        ("$util.escapeJavaScript($input.path('$.inputs'))", 'say \\"hi\\"\\n'),
        ("costs $5 or $ 6", "costs $5 or $ 6"),  # a `$` without a name is text
    ],
)
def test_renders(template, expected):
    assert vtl.render(template, BODY) == expected


def test_a_body_that_is_not_json_renders_paths_empty():
    assert vtl.render("[$input.path('$.a')]", "not json") == "[]"


def test_what_is_beyond_the_subset_is_named():
    template = (
        "#set($x = 1)## comment\n$context.requestId $input.params('a') $input.json('$..a') "
        "$util.urlEncode($input.body) $util.escapeJavaScript($x) $stageVariables.v"
    )
    assert vtl.unsupported(template) == [
        "the directive #set",
        "the directive ##",
        "the JSONPath '$..a'",
        "$util.escapeJavaScript($x)",
        "$x",
        "$context.requestId",
        "$input.params",
        "$util.urlEncode",
        "$stageVariables.v",
    ]
    assert vtl.unsupported(CONVERSE) == []
    assert vtl.unsupported("$input.body") == []
