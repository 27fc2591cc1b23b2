"""The workflows stack deployed locally: the REST API hands every /ai-service request to the
orchestrator function, which runs the declared workflows against the local model."""

from __future__ import annotations

import json

import pytest

from shared.local import model_endpoint
from shared.local.processes import free_port, port_in_use
from shared.ops import local
from tests.e2e import callers

pytestmark = pytest.mark.emulator

STACK = "workflows"
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


def endpoint(url: str) -> dict[str, str]:
    return {"workflows:model": json.dumps({"type": "http", "url": url})}


def quiet(line: str) -> None:
    pass


@pytest.fixture(scope="module")
def deployed(emulator_server, model_server):
    """Deploy once for the module (the code `invoke deploy` runs), destroy at the end."""
    good = endpoint(f"{model_server.url}/invocations")
    outputs = local.deploy(STACK, out=quiet, overrides=good)
    try:
        yield {
            "url": outputs["url"].value,
            "workflows": outputs["workflows"].value,
            "good": good,
            "outputs": outputs,
        }
    finally:
        local.destroy(STACK, out=quiet)


@pytest.fixture(scope="module")
def signed(deployed, http):
    """Requests signed with SigV4, as the stack's access mode (iam) asks."""
    caller = callers.for_stack(STACK, deployed["outputs"], http)
    assert caller.mode == "iam"
    return caller


def test_an_unsigned_request_is_refused(deployed, http):
    for method, url in (("GET", deployed["url"]), ("POST", f"{deployed['url']}/sentiment")):
        reply = callers.anonymous(http)(method, url, {"inputs": "x"} if method == "POST" else None)
        assert reply.status == 403, (method, reply.body)
        assert "Missing Authentication Token" in json.dumps(reply.body)


def test_get_lists_the_declared_workflows(deployed, signed):
    reply = signed("GET", deployed["url"])
    assert reply.status == 200
    listed = reply.body["workflows"]
    assert [w["name"] for w in listed] == deployed["workflows"]
    assert deployed["workflows"] == ["highlights", "review-digest", "sentiment"]
    digest = next(w for w in listed if w["name"] == "review-digest")
    assert digest["steps"] == ["split", "classify", "complaints", "tally"]
    assert all(w["description"] for w in listed)


def test_get_describes_one_workflow(deployed, signed):
    reply = signed("GET", f"{deployed['url']}/highlights")
    assert reply.status == 200
    assert reply.body["name"] == "highlights"
    assert reply.body["steps"] == [
        {"name": "split", "op": "split_sentences"},
        {"name": "classify", "op": "classify"},
        {"name": "best", "op": "top", "n": 2},
    ]


def test_sentiment_classifies_each_text(deployed, signed):
    reply = signed(
        "POST", f"{deployed['url']}/sentiment", {"inputs": ["I love this", "terrible, awful"]}
    )
    assert reply.status == 200
    assert [(p["text"], p["label"]) for p in reply.body["result"]] == [
        ("I love this", "positive"),
        ("terrible, awful", "negative"),
    ]
    assert all(p["model"] == "sentiment-nb" for p in reply.body["result"])


def test_review_digest_finds_the_complaints(deployed, signed):
    reply = signed("POST", f"{deployed['url']}/review-digest", {"inputs": REVIEWS})
    assert reply.status == 200
    steps = {s["name"]: s for s in reply.body["steps"]}
    assert list(steps) == ["split", "classify", "complaints", "tally"]
    assert all(s["durationMs"] >= 0 for s in reply.body["steps"])
    assert steps["split"]["result"] == SENTENCES
    labels = [c["label"] for c in steps["classify"]["result"]]
    assert labels == ["positive", "negative", "positive", "negative"]
    assert [c["text"] for c in steps["complaints"]["result"]] == COMPLAINTS
    assert reply.body["result"] == {"negative": 2}


def test_highlights_are_the_most_confident_sentences(deployed, signed):
    reply = signed("POST", f"{deployed['url']}/highlights", {"inputs": REVIEWS})
    assert reply.status == 200
    classified = reply.body["steps"][1]["result"]
    assert [c["text"] for c in classified] == SENTENCES
    best = sorted(classified, key=lambda c: c["score"], reverse=True)[:2]
    assert reply.body["result"] == best


def test_unknown_workflow_is_404(deployed, signed):
    reply = signed("POST", f"{deployed['url']}/summarise", {"inputs": "x"})
    assert reply.status == 404
    assert reply.body["error"] == "no workflow 'summarise'"
    assert reply.body["workflows"] == deployed["workflows"]


def test_wrong_method_is_405(deployed, signed):
    on_workflow = signed("DELETE", f"{deployed['url']}/sentiment")
    assert on_workflow.status == 405
    assert on_workflow.body["error"] == "use GET, POST here"
    on_catalogue = signed("POST", deployed["url"], {"inputs": "x"})
    assert on_catalogue.status == 405
    assert on_catalogue.body["error"] == "use GET here"


@pytest.mark.parametrize(
    ("body", "raw"),
    [({"input": "typo"}, None), ({"inputs": []}, None), (None, b"{not json")],
)
def test_bad_body_is_400(deployed, signed, body, raw):
    reply = signed("POST", f"{deployed['url']}/sentiment", body, raw=raw)
    assert reply.status == 400
    assert reply.body["error"]
    assert "failedStep" not in reply.body


def test_an_unreachable_model_is_502_naming_the_step(deployed, signed):
    port = free_port()
    down = model_endpoint.server(port)
    try:
        local.deploy(STACK, out=quiet, overrides=endpoint(f"http://127.0.0.1:{port}/invocations"))
        # A local deploy starts a model endpoint on every loopback port its config names:
        # stop it, so the function's model is down as a crashed endpoint would be.
        down.stop()
        assert not port_in_use(port)

        reply = signed("POST", f"{deployed['url']}/review-digest", {"inputs": REVIEWS})
        assert reply.status == 502
        assert reply.body["failedStep"] == "classify"
        assert reply.body["workflow"] == "review-digest"
        assert reply.body["error"].startswith("step 'classify' failed: model endpoint unavailable")
        [split] = reply.body["steps"]
        assert (split["name"], split["result"]) == ("split", SENTENCES)
        assert signed("GET", deployed["url"]).status == 200  # listing needs no model
    finally:
        down.stop()
        local.deploy(STACK, out=quiet, overrides=deployed["good"])
    again = signed("POST", f"{deployed['url']}/sentiment", {"inputs": "I love this"})
    assert again.status == 200
    assert again.body["result"][0]["label"] == "positive"


def test_destroy_removes_the_api_and_the_function(
    emulator_client, model_server, deployed, physical_ids
):
    apis = emulator_client("apigateway")
    functions = emulator_client("lambda")
    ids = physical_ids(STACK)
    api_id, function_name = ids["api"], ids["orchestrator"]
    assert api_id in {a["id"] for a in apis.get_rest_apis()["items"]}
    assert f"/{api_id}/" in deployed["url"]  # the URL the tests called is this API's
    function = functions.get_function(FunctionName=function_name)["Configuration"]
    assert (function["Runtime"], function["Handler"]) == ("python3.12", "service.handler")
    variables = function["Environment"]["Variables"]
    model = json.loads(deployed["good"]["workflows:model"])
    assert (variables["MODEL_BACKEND"], variables["MODEL_ENDPOINT_URL"]) == ("http", model["url"])

    local.destroy(STACK, out=quiet)

    remaining = apis.get_rest_apis()["items"]
    assert api_id not in {a["id"] for a in remaining}
    with pytest.raises(functions.exceptions.ResourceNotFoundException):
        functions.get_function(FunctionName=function_name)
    assert not local.is_deployed(STACK)
