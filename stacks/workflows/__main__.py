"""Workflows pattern: a REST API `ANY /ai-service` and `ANY /ai-service/{proxy+}` in front of a
Lambda function that runs multi-step AI workflows, declared below as data."""

import json
from pathlib import Path

import pulumi
from functions.steps import validate
from settings import RUN_SCOPE, Settings

from shared.components import (
    Function,
    FunctionArgs,
    LambdaTarget,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    config,
)
from shared.components.config import ConfigError

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


settings = config.load(Settings)
# A Bedrock classification names one label per text: no step may ask for more.
problems = validate(WORKFLOWS, one_label=settings.backend.type == "bedrock")
if problems:
    raise ConfigError(pulumi.get_project(), [f"workflows: {p}" for p in problems])

function = Function(
    "orchestrator",
    FunctionArgs(
        source_dir=SOURCE,
        handler="service.handler",
        environment={
            **settings.model_environment(),
            "WORKFLOWS": json.dumps(WORKFLOWS, separators=(",", ":")),
        },
        timeout_s=settings.function_timeout_s,
        statements=settings.model_statements(),
        log_retention_days=settings.log_retention_days,
    ),
)
target = LambdaTarget(function)
api = RestApi(
    "api",
    RestApiArgs(
        description="Multi-step AI workflows",
        routes=[
            Route("ANY", "/ai-service", target, scopes=(RUN_SCOPE,)),
            Route("ANY", "/ai-service/{proxy+}", target, scopes=(RUN_SCOPE,)),
        ],
        access=settings.access_control,
        stage=Stage(
            pulumi.get_stack(),
            Throttle(settings.rate_limit, settings.burst_limit),
            settings.log_retention_days,
        ),
    ),
)

pulumi.export("url", pulumi.Output.concat(api.url, "/ai-service"))
pulumi.export("baseUrl", api.url)
pulumi.export("access", api.access)
pulumi.export("credentials", api.credentials)
pulumi.export("workflows", sorted(WORKFLOWS))
