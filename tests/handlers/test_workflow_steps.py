"""The workflows stack's steps: what `validate` says about a declaration and what each op does
to good and to wrong data. The model is a fake `classify` callable recording its calls."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

STEPS_FILE = Path(__file__).resolve().parents[2] / "stacks/workflows/functions/steps.py"


def _load_steps() -> ModuleType:
    # Loaded from its file under a name of its own: inside the zip it is the top-level `steps`.
    spec = importlib.util.spec_from_file_location("workflows_orchestrator_steps", STEPS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and the like look modules up by name
    spec.loader.exec_module(module)
    return module


steps = _load_steps()
StepError = steps.StepError


class FakeModel:
    """A classify callable: 'bad'/'awful'/'rude' texts are negative, the rest positive."""

    NEGATIVE = ("bad", "awful", "rude")

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, texts: list[str], parameters: dict) -> dict[str, Any]:
        self.calls.append((list(texts), dict(parameters)))
        predictions = []
        for text in texts:
            negative = any(word in text.lower() for word in self.NEGATIVE)
            score = 0.9 if negative else round(0.5 + len(text) / 1000, 3)
            predictions.append({"label": "negative" if negative else "positive", "score": score})
        return {"model": "fake-nb", "version": "v9", "predictions": predictions}


def unused_model(texts: list[str], parameters: dict) -> dict:
    raise AssertionError("this step must not call the model")


def item(text: str, label: str, score: float) -> dict[str, Any]:
    return {"text": text, "label": label, "score": score, "model": "fake-nb", "version": "v9"}


CLASSIFIED = [
    item("Awful soup.", "negative", 0.95),
    item("Nice view.", "positive", 0.7),
    item("Rude staff.", "negative", 0.55),
    item("Great bed.", "positive", 0.99),
]

GOOD = {
    "sentiment": {"description": "d", "steps": [{"name": "classify", "op": "classify"}]},
    "review-digest": {
        "steps": [
            {"name": "split", "op": "split_sentences"},
            {"name": "classify", "op": "classify", "top_k": 2},
            {"name": "complaints", "op": "filter", "label": "negative", "min_score": 0.6},
            {"name": "tally", "op": "count_labels"},
        ]
    },
    "highlights-2": {"steps": [{"name": "best", "op": "top", "n": 2}]},
    "strict": {"steps": [{"name": "f", "op": "filter", "label": "positive", "min_score": 1}]},
}


# --- validate ---------------------------------------------------------------------------------


def test_a_good_declaration_has_no_problems() -> None:
    assert steps.validate(GOOD) == []


def test_the_stacks_own_workflows_are_valid() -> None:
    source = (STEPS_FILE.parents[1] / "__main__.py").read_text()
    assert "validate(WORKFLOWS" in source  # the program refuses to deploy a bad declaration
    [declared] = [
        ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "WORKFLOWS" for t in node.targets)
    ]
    assert set(declared) == {"sentiment", "review-digest", "highlights"}
    assert steps.validate(declared) == []


def test_a_bedrock_model_names_one_label_so_no_step_asks_for_more() -> None:
    workflows = {"wf": {"steps": [{"name": "c", "op": "classify", "top_k": 2}]}}
    assert steps.validate(workflows) == []
    assert steps.validate(workflows, one_label=True) == [
        "wf.c: top_k above 1 needs a model that scores every label; a bedrock model names one"
    ]


def with_step(step: dict[str, Any], name: str = "wf") -> dict[str, Any]:
    return {name: {"steps": [{"name": "first", "op": "split_sentences"}, step]}}


OPS_PROBLEM = "op must be one of classify, count_labels, filter, split_sentences, top"
AT_LEAST_1 = "a whole number of at least 1"


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        (with_step({"name": "summarise", "op": "summarise"}), f"wf.summarise: {OPS_PROBLEM}"),
        (with_step({"name": "pick", "op": "filter", "n": 3}), "wf.pick: unknown parameters n"),
        (
            with_step({"name": "pick", "op": "classify", "top_k": 2, "x": 1, "a": 2}),
            "wf.pick: unknown parameters a, x",
        ),
        (with_step({"name": "best", "op": "top"}), "wf.best: missing parameters n"),
        (with_step({"op": "nonsense"}), f"wf.1: {OPS_PROBLEM}"),
        (with_step({"name": "count"}), f"wf.count: {OPS_PROBLEM}"),
        (with_step({"name": "x", "op": ["top"]}), f"wf.x: {OPS_PROBLEM}"),
        (with_step({"op": "classify"}), "wf.1: needs a name"),
        (with_step({"name": "", "op": "classify"}), "wf.1: needs a name"),
        (with_step({"name": 7, "op": "classify"}), "wf.1: needs a name"),
        (
            with_step({"name": "first", "op": "classify"}),
            "wf.first: another step of wf has this name",
        ),
        (with_step({"name": "best", "op": "top", "n": 0}), f"wf.best: n must be {AT_LEAST_1}"),
        (with_step({"name": "best", "op": "top", "n": "2"}), f"wf.best: n must be {AT_LEAST_1}"),
        (with_step({"name": "best", "op": "top", "n": 1.5}), f"wf.best: n must be {AT_LEAST_1}"),
        (with_step({"name": "best", "op": "top", "n": True}), f"wf.best: n must be {AT_LEAST_1}"),
        (
            with_step({"name": "c", "op": "classify", "top_k": 0}),
            f"wf.c: top_k must be {AT_LEAST_1}",
        ),
        (
            with_step({"name": "f", "op": "filter", "min_score": 1.5}),
            "wf.f: min_score must be a number from 0 to 1",
        ),
        (
            with_step({"name": "f", "op": "filter", "min_score": "0.6"}),
            "wf.f: min_score must be a number from 0 to 1",
        ),
        (
            with_step({"name": "f", "op": "filter", "label": ""}),
            "wf.f: label must be a non-empty text",
        ),
        ({"wf": {"steps": []}}, "wf: needs a non-empty list of steps"),
        ({"wf": {"description": "no steps"}}, "wf: needs a non-empty list of steps"),
        ({"wf": {"steps": "classify"}}, "wf: needs a non-empty list of steps"),
        ({"wf": ["classify"]}, "wf: needs a non-empty list of steps"),
    ],
)
def test_each_problem_names_the_workflow_and_step(declaration: dict, problem: str) -> None:
    assert steps.validate({**GOOD, **declaration}) == [problem]


def test_a_step_that_is_not_a_mapping_is_named_by_its_index() -> None:
    found = steps.validate({"wf": {"steps": [{"name": "a", "op": "classify"}, "classify"]}})
    assert found == [f"wf.1: {OPS_PROBLEM}"]


@pytest.mark.parametrize("name", ["Review", "review_digest", "-review", "review digest", ""])
def test_bad_workflow_names_are_problems(name: str) -> None:
    found = steps.validate({**GOOD, name: {"steps": [{"name": "c", "op": "classify"}]}})
    assert found == [f"{name}: names are lowercase words joined by '-'"]


def test_every_problem_is_reported_at_once() -> None:
    declaration = {
        "a": {"steps": [{"name": "x", "op": "top"}, {"name": "y", "op": "bogus"}]},
        "B": {"steps": []},
    }
    assert steps.validate(declaration) == [
        "a.x: missing parameters n",
        f"a.y: {OPS_PROBLEM}",
        "B: names are lowercase words joined by '-'",
        "B: needs a non-empty list of steps",
    ]


@pytest.mark.parametrize("declaration", [{}, [], None, "sentiment"])
def test_no_workflows_at_all_is_one_problem(declaration: Any) -> None:
    assert steps.validate(declaration) == [
        "workflows: expected a non-empty mapping of name to workflow"
    ]


# --- run_step on good data --------------------------------------------------------------------


def test_split_sentences_splits_on_sentence_ends() -> None:
    texts = ["The soup was cold. The staff were rude!  Would I return? No.", "  One more  "]
    result = steps.run_step({"op": "split_sentences"}, texts, unused_model)
    assert result == [
        "The soup was cold.",
        "The staff were rude!",
        "Would I return?",
        "No.",
        "One more",
    ]


def test_classify_pairs_each_text_with_its_prediction() -> None:
    model = FakeModel()
    result = steps.run_step({"op": "classify"}, ["A bad day.", "A fine day."], model)
    assert result == [
        item("A bad day.", "negative", 0.9),
        item("A fine day.", "positive", 0.511),
    ]
    assert model.calls == [(["A bad day.", "A fine day."], {})]


def test_classify_passes_top_k_to_the_model() -> None:
    model = FakeModel()
    steps.run_step({"op": "classify", "top_k": 2}, ["x"], model)
    assert model.calls == [(["x"], {"top_k": 2})]


def test_filter_keeps_the_label_above_the_score() -> None:
    step = {"op": "filter", "label": "negative", "min_score": 0.6}
    assert steps.run_step(step, CLASSIFIED, unused_model) == [CLASSIFIED[0]]
    assert steps.run_step({"op": "filter", "label": "negative"}, CLASSIFIED, unused_model) == [
        CLASSIFIED[0],
        CLASSIFIED[2],
    ]
    assert steps.run_step({"op": "filter", "min_score": 0.9}, CLASSIFIED, unused_model) == [
        CLASSIFIED[0],
        CLASSIFIED[3],
    ]
    assert steps.run_step({"op": "filter"}, CLASSIFIED, unused_model) == CLASSIFIED


def test_filter_may_leave_nothing() -> None:
    step = {"op": "filter", "label": "neutral"}
    assert steps.run_step(step, CLASSIFIED, unused_model) == []


def test_top_takes_the_most_confident() -> None:
    assert steps.run_step({"op": "top", "n": 2}, CLASSIFIED, unused_model) == [
        CLASSIFIED[3],
        CLASSIFIED[0],
    ]
    assert len(steps.run_step({"op": "top", "n": 10}, CLASSIFIED, unused_model)) == 4


def test_count_labels_counts() -> None:
    assert steps.run_step({"op": "count_labels"}, CLASSIFIED, unused_model) == {
        "negative": 2,
        "positive": 2,
    }
    assert steps.run_step({"op": "count_labels"}, [], unused_model) == {}


def test_steps_chain_like_a_workflow() -> None:
    model = FakeModel()
    data: Any = ["Great food. Awful service! Rude waiter.", "Lovely garden."]
    for step in GOOD["review-digest"]["steps"]:
        data = steps.run_step(step, data, model)
    assert data == {"negative": 2}
    assert model.calls == [
        (["Great food.", "Awful service!", "Rude waiter.", "Lovely garden."], {"top_k": 2})
    ]


# --- run_step on wrong data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "reason"),
    [
        ({"op": "split_sentences"}, "one text", "split_sentences needs a list of texts, got str"),
        ({"op": "split_sentences"}, ["ok", 5], "split_sentences needs a list of texts, got a list"),
        ({"op": "split_sentences"}, [], "split_sentences got no texts"),
        ({"op": "classify"}, CLASSIFIED, "classify needs a list of texts, got a list of dict"),
        ({"op": "classify"}, {"positive": 1}, "classify needs a list of texts, got dict"),
        ({"op": "classify"}, [], "classify got no texts (an earlier step left nothing)"),
        (
            {"op": "count_labels"},
            ["Just a sentence."],
            "count_labels needs classified items (put a classify step first), got a list of str",
        ),
        ({"op": "filter", "label": "negative"}, {"negative": 2}, "filter needs classified items"),
        ({"op": "top", "n": 1}, [{"text": "no label"}], "top needs classified items"),
        ({"op": "top", "n": 1}, None, "top needs classified items (put a classify step first), "),
        ({"op": "summarise"}, CLASSIFIED, "unknown op 'summarise'"),
    ],
)
def test_wrong_data_is_a_step_error_with_a_reason(step: dict, data: Any, reason: str) -> None:
    with pytest.raises(StepError) as raised:
        steps.run_step(step, data, unused_model)
    assert str(raised.value).startswith(reason)


def test_wrong_data_reasons_name_what_they_got() -> None:
    with pytest.raises(StepError, match=r"got NoneType$"):
        steps.run_step({"op": "top", "n": 1}, None, unused_model)
    with pytest.raises(StepError, match=r"got int$"):
        steps.run_step({"op": "classify"}, 3, unused_model)
