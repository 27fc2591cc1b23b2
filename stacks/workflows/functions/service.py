"""ANY /ai-service[/{proxy+}]: list the workflows (GET), describe one (GET /<name>), run one
(POST /<name>). Each run reports every step's result and duration; the first failing step
stops the run and the answer names it and says why.

A run's `parameters` are the model's (checked as every pattern checks them) and apply to each
classify step that does not set its own (`top_k` declared on a step wins)."""

import json
import os
import time
from typing import Any

from aigw_runtime import App, HttpError, Request, get_model_client, inference_request
from steps import StepError, run_step

app = App()
WORKFLOWS: dict = json.loads(os.environ.get("WORKFLOWS", "{}"))


def _method_not_allowed(allowed: str) -> HttpError:
    return HttpError(405, f"use {allowed} here", headers={"Allow": allowed})


@app.route("ANY", "/ai-service")
def catalogue(request: Request) -> dict:
    if request.method != "GET":
        raise _method_not_allowed("GET")
    return {
        "workflows": [
            {
                "name": name,
                "description": w.get("description", ""),
                "steps": [s["name"] for s in w["steps"]],
            }
            for name, w in sorted(WORKFLOWS.items())
        ]
    }


@app.route("ANY", "/ai-service/{proxy+}")
def workflow(request: Request) -> dict:
    name = request.path_params.get("proxy", "")
    if name not in WORKFLOWS:
        raise HttpError(404, f"no workflow {name!r}", details={"workflows": sorted(WORKFLOWS)})
    if request.method == "GET":
        return {"name": name, **WORKFLOWS[name]}
    if request.method != "POST":
        raise _method_not_allowed("GET, POST")
    texts, parameters = inference_request(request)
    return run(name, texts, parameters, request)


def run(name: str, texts: list[str], parameters: dict[str, Any], request: Request) -> dict:
    model = get_model_client()
    data: Any = texts
    report: list[dict[str, Any]] = []
    started = time.perf_counter()
    for step in WORKFLOWS[name]["steps"]:
        step_started = time.perf_counter()
        try:
            data = run_step(step, data, lambda t, p: model.invoke(t, {**parameters, **p} or None))
        except (StepError, HttpError) as error:
            status = error.status if isinstance(error, HttpError) else 422
            message = error.message if isinstance(error, HttpError) else str(error)
            request.log_fields["failedStep"] = step["name"]
            raise HttpError(
                status,
                f"step {step['name']!r} failed: {message}",
                details={"workflow": name, "failedStep": step["name"], "steps": report},
            ) from None
        report.append(
            {
                "name": step["name"],
                "op": step["op"],
                "result": data,
                "durationMs": round((time.perf_counter() - step_started) * 1000, 2),
            }
        )
    return {
        "workflow": name,
        "steps": report,
        "result": data,
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
    }


handler = app.handler
