"""The workflows function's handler, imported as its zip imports it, answering REST API
(payload 1.0) proxy events for `ANY /ai-service` and `ANY /ai-service/{proxy+}` with the real
local model behind it: listing, describing and running workflows, and every way a run fails."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ORCHESTRATOR = REPO / "stacks" / "workflows" / "functions"
REQUEST_ID = "5f1c2a9e-0d3b-4b8e-9a57-1e2f3a4b5c6d"
STAGE = "dev"


def declared_workflows() -> dict[str, Any]:
    """The WORKFLOWS literal the stack hands the function, read without running the program."""
    source = (ORCHESTRATOR.parent / "__main__.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "WORKFLOWS" for t in node.targets
        ):
            return ast.literal_eval(node.value)
        if (  # WORKFLOWS: dict[...] = {...}
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "WORKFLOWS"
            and node.value is not None
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("stacks/workflows/__main__.py declares no WORKFLOWS")


DECLARED = declared_workflows()

REVIEWS = [
    "The delivery was fast and the staff were lovely. The food was cold and the waiter was rude!",
    "Excellent value, wonderful view! The room was dirty and the bed was broken.",
]
SENTENCES = [
    "The delivery was fast and the staff were lovely.",
    "The food was cold and the waiter was rude!",
    "Excellent value, wonderful view!",
    "The room was dirty and the bed was broken.",
]
COMPLAINTS = [SENTENCES[1], SENTENCES[3]]


# --- the function, imported as the zip imports it ----------------------------------------------

Load = Callable[..., ModuleType]


@pytest.fixture
def load_service(import_handler, model_url: str) -> Load:
    """`load(workflows=..., endpoint=..., timeout_s=...)` -> a freshly imported `service`.

    As in the zip: the orchestrator folder on sys.path, the runtime as `aigw_runtime`, the
    configuration in the environment (WORKFLOWS is read at import), a cold model-client cache.
    """

    def load(
        workflows: dict[str, Any] | None = None,
        endpoint: str | None = None,
        timeout_s: float = 5,
    ) -> ModuleType:
        env = {
            "WORKFLOWS": json.dumps(DECLARED if workflows is None else workflows),
            "MODEL_ENDPOINT_URL": endpoint or f"{model_url}/invocations",
            "MODEL_TIMEOUT_SECONDS": str(timeout_s),
        }
        return import_handler(ORCHESTRATOR, "service", env=env)

    return load


@pytest.fixture
def service(load_service: Load) -> ModuleType:
    """The function with the stack's own workflows and the working model."""
    return load_service()


# --- events as API Gateway's REST API sends them -----------------------------------------------


@pytest.fixture
def event(rest_event) -> Callable[..., dict[str, Any]]:
    """`event(method, name=None, body=None)`: a REST API AWS_PROXY event for /ai-service (name
    None) or /ai-service/<name>."""

    def build(method: str, name: str | None = None, body: Any = None) -> dict[str, Any]:
        if name is None:
            return rest_event(method, "/ai-service", body=body, stage=STAGE, request_id=REQUEST_ID)
        return rest_event(
            method,
            f"/ai-service/{name}",
            resource="/ai-service/{proxy+}",
            path_params={"proxy": name},
            body=body,
            stage=STAGE,
            request_id=REQUEST_ID,
        )

    return build


class Context:
    aws_request_id = "lambda-invocation-id"
    function_name = "workflows-dev-orchestrator"


def call(module: ModuleType, proxy_event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = module.handler(proxy_event, Context())
    assert set(response) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert response["isBase64Encoded"] is False
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], response["headers"], json.loads(response["body"])


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


# --- listing and describing --------------------------------------------------------------------


def test_get_ai_service_lists_the_workflows(service: ModuleType, event) -> None:
    status, headers, body = call(service, event("GET"))
    assert status == 200
    assert headers["X-Request-Id"] == REQUEST_ID
    assert body == {
        "workflows": [
            {
                "name": name,
                "description": DECLARED[name]["description"],
                "steps": [step["name"] for step in DECLARED[name]["steps"]],
            }
            for name in sorted(DECLARED)
        ]
    }
    assert [w["name"] for w in body["workflows"]] == ["highlights", "review-digest", "sentiment"]


def test_get_a_workflow_describes_it(service: ModuleType, event) -> None:
    for name, declared in DECLARED.items():
        status, _, body = call(service, event("GET", name))
        assert status == 200
        assert body == {"name": name, **declared}
    _, _, digest = call(service, event("GET", "review-digest"))
    assert [s["op"] for s in digest["steps"]] == [
        "split_sentences",
        "classify",
        "filter",
        "count_labels",
    ]


def test_the_catalogue_is_what_the_environment_says(load_service: Load, event) -> None:
    only = {"shout": {"steps": [{"name": "c", "op": "classify"}]}}
    status, _, body = call(load_service(workflows=only), event("GET"))
    assert (status, body) == (
        200,
        {"workflows": [{"name": "shout", "description": "", "steps": ["c"]}]},
    )


# --- running ----------------------------------------------------------------------------------


def test_review_digest_reports_every_step_and_finds_the_complaints(
    service: ModuleType, event
) -> None:
    status, _, body = call(service, event("POST", "review-digest", {"inputs": REVIEWS}))
    assert status == 200
    assert body["workflow"] == "review-digest"
    steps = {s["name"]: s for s in body["steps"]}
    assert list(steps) == ["split", "classify", "complaints", "tally"]
    assert [s["op"] for s in body["steps"]] == [
        "split_sentences",
        "classify",
        "filter",
        "count_labels",
    ]
    for step in body["steps"]:
        assert isinstance(step["durationMs"], int | float) and step["durationMs"] >= 0
    assert isinstance(body["durationMs"], int | float) and body["durationMs"] >= 0

    assert steps["split"]["result"] == SENTENCES
    classified = steps["classify"]["result"]
    assert [c["text"] for c in classified] == SENTENCES
    assert [c["label"] for c in classified] == ["positive", "negative", "positive", "negative"]
    assert all(c["model"] == "sentiment-nb" and c["version"] == "v1" for c in classified)
    assert all(0.5 <= c["score"] <= 1 for c in classified)

    complaints = steps["complaints"]["result"]
    assert [c["text"] for c in complaints] == COMPLAINTS
    # The complaints are exactly the confidently negative sentences the model saw.
    negative = [c for c in classified if c["label"] == "negative" and c["score"] >= 0.6]
    assert complaints == negative
    # The tally counts what reached it: the complaints (each step feeds the next).
    assert steps["tally"]["result"] == {"negative": len(COMPLAINTS)}
    assert body["result"] == steps["tally"]["result"]


def test_highlights_are_the_two_most_confident_sentences(service: ModuleType, event) -> None:
    status, _, body = call(service, event("POST", "highlights", {"inputs": REVIEWS}))
    assert status == 200
    classified = body["steps"][1]["result"]
    expected = sorted(classified, key=lambda c: c["score"], reverse=True)[:2]
    assert body["result"] == expected
    # The rude waiter (negative) and the wonderful view (positive): top mixes labels.
    assert [c["text"] for c in body["result"]] == [SENTENCES[1], SENTENCES[2]]
    assert [c["label"] for c in body["result"]] == ["negative", "positive"]


def test_sentiment_classifies_a_single_text(service: ModuleType, event) -> None:
    status, _, body = call(service, event("POST", "sentiment", {"inputs": "I love this"}))
    assert status == 200
    [prediction] = body["result"]
    assert (prediction["text"], prediction["label"]) == ("I love this", "positive")
    assert [s["name"] for s in body["steps"]] == ["classify"]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_workflow_is_404_listing_the_workflows(
    service: ModuleType, method: str, event
) -> None:
    status, _, body = call(service, event(method, "summarise", {"inputs": "x"}))
    assert status == 404
    assert body == {
        "error": "no workflow 'summarise'",
        "workflows": ["highlights", "review-digest", "sentiment"],
        "requestId": REQUEST_ID,
    }


def test_a_deeper_path_is_no_workflow(service: ModuleType, event) -> None:
    status, _, body = call(service, event("GET", "review-digest/steps"))
    assert (status, body["error"]) == (404, "no workflow 'review-digest/steps'")


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
def test_other_methods_on_a_workflow_are_405(service: ModuleType, method: str, event) -> None:
    status, headers, body = call(service, event(method, "review-digest", {"inputs": "x"}))
    assert status == 405
    assert headers["Allow"] == "GET, POST"
    assert body["error"] == "use GET, POST here"


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_only_get_on_the_catalogue(service: ModuleType, method: str, event) -> None:
    status, headers, body = call(service, event(method, None, {"inputs": "x"}))
    assert status == 405
    assert headers["Allow"] == "GET"
    assert body["error"] == "use GET here"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "body is not valid JSON"),
        (None, "body is empty"),
        ('["a list"]', "body must be a JSON object, not an array"),
        ({"input": "typo"}, "unknown fields: input"),
        ({"inputs": []}, '"inputs" must be a string or a non-empty list of strings'),
        ({"inputs": 5}, '"inputs" must be a string or a non-empty list of strings'),
        ({"inputs": ["fine", "  "]}, '"inputs" must contain only non-empty strings'),
        ({"inputs": "x", "parameters": []}, '"parameters" must be an object'),
        # The model's parameters, checked as every pattern checks them.
        (
            {"inputs": "x", "parameters": {"top_k": "abc"}},
            '"parameters.top_k" must be an integer from 1 to 3',
        ),
        ({"inputs": "x", "parameters": {"top_k": 0}}, '"parameters.top_k" must be an integer'),
        ({"inputs": "x", "parameters": {"n": 2}}, 'unknown fields in "parameters": n'),
    ],
)
def test_bad_body_is_400_before_any_step(
    load_service: Load, closed_port_url: str, body: Any, reason: str, event
) -> None:
    # The model is unreachable: a 400 proves the body was refused before any step ran.
    module = load_service(endpoint=closed_port_url)
    status, _, answer = call(module, event("POST", "review-digest", body))
    assert status == 400
    assert answer["error"].startswith(reason)
    assert "failedStep" not in answer


def test_parameters_reach_the_classify_steps_that_set_none(
    load_service: Load, event, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflows = {
        "plain": {"steps": [{"name": "classify", "op": "classify"}]},
        "pinned": {"steps": [{"name": "classify", "op": "classify", "top_k": 1}]},
    }
    module = load_service(workflows=workflows)
    model = module.get_model_client()
    asked: list[dict | None] = []
    real_invoke = model.invoke

    def recording_invoke(texts: list[str], parameters: dict | None = None) -> dict:
        asked.append(parameters)
        return real_invoke(texts, parameters)

    monkeypatch.setattr(model, "invoke", recording_invoke)
    body = {"inputs": "Lovely staff.", "parameters": {"top_k": 2}}
    assert call(module, event("POST", "plain", body))[0] == 200
    assert call(module, event("POST", "pinned", body))[0] == 200  # the step's own top_k wins
    assert call(module, event("POST", "plain", {"inputs": "Lovely staff."}))[0] == 200
    assert asked == [{"top_k": 2}, {"top_k": 1}, None]


def test_model_down_is_502_naming_the_step_and_what_ran_before(
    load_service: Load, closed_port_url: str, event
) -> None:
    module = load_service(endpoint=closed_port_url)
    status, _, body = call(module, event("POST", "review-digest", {"inputs": REVIEWS}))
    assert status == 502
    assert body["failedStep"] == "classify"
    assert body["workflow"] == "review-digest"
    assert body["error"].startswith("step 'classify' failed: model endpoint unavailable")
    [split] = body["steps"]
    assert (split["name"], split["result"]) == ("split", SENTENCES)
    assert body["requestId"] == REQUEST_ID


def test_slow_model_is_504_naming_the_step(
    load_service: Load, stalled_model_url: str, event
) -> None:
    module = load_service(endpoint=stalled_model_url, timeout_s=0.3)
    status, _, body = call(module, event("POST", "highlights", {"inputs": REVIEWS}))
    assert status == 504
    assert body["failedStep"] == "classify"
    assert body["error"] == "step 'classify' failed: model endpoint timed out after 0.3 s"
    assert [s["name"] for s in body["steps"]] == ["split"]


def test_a_model_rejection_is_502_with_the_models_reason(load_service: Load, event) -> None:
    greedy = {"greedy": {"steps": [{"name": "classify", "op": "classify", "top_k": 99}]}}
    status, _, body = call(load_service(workflows=greedy), event("POST", "greedy", {"inputs": "x"}))
    assert status == 502
    assert body["failedStep"] == "classify"
    assert body["error"].startswith("step 'classify' failed: model endpoint answered 400: ")
    assert body["steps"] == []


@pytest.mark.parametrize(
    ("workflow", "failed", "ran", "reason"),
    [
        (
            [{"name": "split", "op": "split_sentences"}, {"name": "tally", "op": "count_labels"}],
            "tally",
            ["split"],
            "count_labels needs classified items (put a classify step first), got a list of str",
        ),
        (
            [
                {"name": "split", "op": "split_sentences"},
                {"name": "classify", "op": "classify"},
                {"name": "nothing", "op": "filter", "label": "neutral"},
                {"name": "again", "op": "classify"},
            ],
            "again",
            ["split", "classify", "nothing"],
            "classify got no texts (an earlier step left nothing)",
        ),
        (
            [{"name": "classify", "op": "classify"}, {"name": "resplit", "op": "split_sentences"}],
            "resplit",
            ["classify"],
            "split_sentences needs a list of texts, got a list of dict",
        ),
    ],
)
def test_a_step_given_wrong_data_is_422_naming_it_and_why(
    load_service: Load, workflow: list, failed: str, ran: list[str], reason: str, event
) -> None:
    module = load_service(workflows={"broken": {"steps": workflow}})
    status, _, body = call(module, event("POST", "broken", {"inputs": REVIEWS}))
    assert status == 422
    assert body["failedStep"] == failed
    assert body["workflow"] == "broken"
    assert body["error"] == f"step {failed!r} failed: {reason}"
    assert [s["name"] for s in body["steps"]] == ran


# --- the log ----------------------------------------------------------------------------------


def test_one_json_log_line_per_request(
    load_service: Load, closed_port_url: str, capsys: pytest.CaptureFixture[str], event
) -> None:
    working = load_service()
    capsys.readouterr()
    calls = [
        (working, event("GET")),
        (working, event("GET", "sentiment")),
        (working, event("POST", "review-digest", {"inputs": REVIEWS})),
        (working, event("POST", "nope", {"inputs": "x"})),
        (working, event("PUT", "sentiment", {"inputs": "x"})),
        (working, event("POST", "sentiment", "{oops")),
    ]
    statuses = [call(module, proxy_event)[0] for module, proxy_event in calls]
    down = load_service(endpoint=closed_port_url)
    statuses.append(call(down, event("POST", "review-digest", {"inputs": REVIEWS}))[0])

    lines = log_lines(capsys)
    assert len(lines) == len(statuses) == 7
    assert [line["status"] for line in lines] == statuses == [200, 200, 200, 404, 405, 400, 502]
    assert [line["route"] for line in lines] == ["/ai-service"] + ["/ai-service/{proxy+}"] * 6
    assert [line["method"] for line in lines] == [
        "GET",
        "GET",
        "POST",
        "POST",
        "PUT",
        "POST",
        "POST",
    ]
    for line in lines:
        assert line["requestId"] == REQUEST_ID
        assert line["stage"] == STAGE
        assert isinstance(line["durationMs"], int | float) and line["durationMs"] >= 0
    assert [line["level"] for line in lines] == ["INFO"] * 6 + ["ERROR"]
    assert lines[6]["failedStep"] == "classify"
    assert lines[6]["error"].startswith("step 'classify' failed: model endpoint unavailable")
    assert all("failedStep" not in line for line in lines[:6])
