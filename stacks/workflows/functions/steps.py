"""Workflow steps: what each `op` does to the data flowing through a workflow.

Pure standard library and no handler runtime, so the Pulumi program can validate the declared
workflows with the same code the Lambda function runs. Data starts as the request's texts
(a list of strings); each step takes the previous step's output.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any


class StepError(Exception):
    """A step could not run on the data it was given; the message says why."""


# op -> (parameters it accepts, required parameters)
OPS: dict[str, tuple[set[str], set[str]]] = {
    "split_sentences": (set(), set()),
    "classify": ({"top_k"}, set()),
    "filter": ({"label", "min_score"}, set()),
    "top": ({"n"}, {"n"}),
    "count_labels": (set(), set()),
}

# parameter -> (what its value must be, the check)
PARAMETERS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "top_k": ("a whole number of at least 1", lambda v: _is_int(v) and v >= 1),
    "n": ("a whole number of at least 1", lambda v: _is_int(v) and v >= 1),
    "min_score": (
        "a number from 0 to 1",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1,
    ),
    "label": ("a non-empty text", lambda v: isinstance(v, str) and bool(v)),
}

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def validate(workflows: dict[str, Any], *, one_label: bool = False) -> list[str]:
    """Every problem in a workflows declaration, as '<workflow>.<step>: <problem>'.
    `one_label`: the model names one label per text (Bedrock), so no step may ask top_k > 1."""
    problems = []
    if not isinstance(workflows, dict) or not workflows:
        return ["workflows: expected a non-empty mapping of name to workflow"]
    for name, workflow in workflows.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            problems.append(f"{name}: names are lowercase words joined by '-'")
        steps = workflow.get("steps") if isinstance(workflow, dict) else None
        if not isinstance(steps, list) or not steps:
            problems.append(f"{name}: needs a non-empty list of steps")
            continue
        seen: set[str] = set()
        for index, step in enumerate(steps):
            step_name, op = (
                (step.get("name"), step.get("op")) if isinstance(step, dict) else (None, None)
            )
            label = f"{name}.{step_name if isinstance(step_name, str) and step_name else index}"
            if not isinstance(op, str) or op not in OPS:  # a list is not hashable
                problems.append(f"{label}: op must be one of {', '.join(sorted(OPS))}")
                continue
            # Answers and logs name the failed step: every step needs a name of its own.
            if not isinstance(step_name, str) or not step_name:
                problems.append(f"{label}: needs a name")
            elif step_name in seen:
                problems.append(f"{label}: another step of {name} has this name")
            else:
                seen.add(step_name)
            accepted, required = OPS[op]
            given = set(step) - {"name", "op"}
            if unknown := given - accepted:
                problems.append(f"{label}: unknown parameters {', '.join(sorted(unknown))}")
            if missing := required - given:
                problems.append(f"{label}: missing parameters {', '.join(sorted(missing))}")
            for parameter in sorted(given & accepted):
                expected, check = PARAMETERS[parameter]
                if not check(step[parameter]):
                    problems.append(f"{label}: {parameter} must be {expected}")
                elif parameter == "top_k" and one_label and step[parameter] > 1:
                    problems.append(
                        f"{label}: top_k above 1 needs a model that scores every label; "
                        "a bedrock model names one"
                    )
    return problems


def run_step(step: dict[str, Any], data: Any, classify: Callable[[list[str], dict], dict]) -> Any:
    """Apply one step; `classify(texts, parameters)` calls the model endpoint."""
    op = step["op"]
    if op == "split_sentences":
        texts = _texts(data, op)
        return [s for text in texts for s in SENTENCE_END.split(text.strip()) if s]
    if op == "classify":
        texts = _texts(data, op)
        parameters = {"top_k": step["top_k"]} if "top_k" in step else {}
        answer = classify(texts, parameters)
        predictions = answer.get("predictions", [])
        return [
            {
                "text": text,
                "label": p.get("label"),
                "score": p.get("score"),
                "model": answer.get("model"),
                "version": answer.get("version"),
            }
            for text, p in zip(texts, predictions, strict=False)
        ]
    items = _classified(data, op)
    if op == "filter":
        return [
            item
            for item in items
            if ("label" not in step or item["label"] == step["label"])
            and item["score"] >= step.get("min_score", 0)
        ]
    if op == "top":
        return sorted(items, key=lambda item: item["score"], reverse=True)[: step["n"]]
    if op == "count_labels":
        return dict(Counter(item["label"] for item in items))
    raise StepError(f"unknown op {op!r}")


def _texts(data: Any, op: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
        raise StepError(f"{op} needs a list of texts, got {_kind(data)}")
    if not data:
        raise StepError(f"{op} got no texts (an earlier step left nothing)")
    return data


def _classified(data: Any, op: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(i, dict) and "label" in i for i in data):
        raise StepError(
            f"{op} needs classified items (put a classify step first), got {_kind(data)}"
        )
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return f"a list of {type(data[0]).__name__}" if data else "an empty list"
    return type(data).__name__
