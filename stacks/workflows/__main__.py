"""Workflows pattern: a REST API `ANY /ai-service` and `ANY /ai-service/{proxy+}` in front of a
Lambda function that runs multi-step AI workflows, declared below as data."""

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
from functions.steps import validate

from shared.components import config, rest_api
from shared.components.config import setting
from shared.components.function import LambdaFunction, ModelFunctionSettings

SOURCE = Path(__file__).parent / "functions"

# Each workflow is a list of steps; each step's output is the next step's input.
WORKFLOWS = {
    "sentiment": {
        "description": "Classify each text.",
        "steps": [{"name": "classify", "op": "classify"}],
    },
    "review-digest": {
        "description": "Split reviews into sentences, classify each, keep the confident "
        "complaints and count them.",
        "steps": [
            {"name": "split", "op": "split_sentences"},
            {"name": "classify", "op": "classify"},
            {"name": "complaints", "op": "filter", "label": "negative", "min_score": 0.6},
            {"name": "tally", "op": "count_labels"},
        ],
    },
    "highlights": {
        "description": "The two sentences the model is most sure about.",
        "steps": [
            {"name": "split", "op": "split_sentences"},
            {"name": "classify", "op": "classify"},
            {"name": "best", "op": "top", "n": 2},
        ],
    },
}


@dataclass(frozen=True, kw_only=True)
class WorkflowSettings(ModelFunctionSettings):
    rate_limit: float = setting(50.0, minimum=0.1, maximum=10_000)
    burst_limit: int = setting(100, minimum=1, maximum=5_000)
    log_retention_days: int = setting(7, choices=config.LOG_RETENTION_DAYS)

    def problems(self):
        yield from super().problems()
        for problem in validate(WORKFLOWS):
            yield f"workflows: {problem}"


settings = config.load(WorkflowSettings)
function = LambdaFunction(
    "orchestrator",
    source_dir=SOURCE,
    handler="service.handler",
    environment={
        **settings.model_environment(),
        "WORKFLOWS": json.dumps(WORKFLOWS, separators=(",", ":")),
    },
    timeout_s=settings.function_timeout_s,
    log_retention_days=settings.log_retention_days,
)
target = rest_api.LambdaProxy(function.function)
api = (
    rest_api.RestApi("api", description="Multi-step AI workflows")
    .add(rest_api.Route("ANY", "/ai-service", target))
    .add(rest_api.Route("ANY", "/ai-service/{proxy+}", target))
)
stage = api.deploy(
    rest_api.StageSettings(
        name=pulumi.get_stack(),
        throttle=rest_api.Throttle(settings.rate_limit, settings.burst_limit),
        log_retention_days=settings.log_retention_days,
    )
)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/ai-service"))
pulumi.export("workflows", sorted(WORKFLOWS))
