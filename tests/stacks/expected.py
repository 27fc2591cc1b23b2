"""What a stack's `<stack>:model` setting must become in the program, written out here rather
than taken from shared/components/model.py, so the program tests check the components against
the contract (what shared/runtime's model client reads, what IAM needs):

- the function environment the handler runtime reads (`MODEL_BACKEND` and the one variable that
  names the model);
- the one IAM statement that lets a caller invoke that model and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

from shared.local.engine import program

# What the mock runtime's data sources answer (aws.get_caller_identity / get_partition).
ACCOUNT = program.DEFAULT_ACCOUNT
PARTITION = "aws"
MODEL_ACTIONS = {"sagemaker": "sagemaker:InvokeEndpoint", "bedrock": "bedrock:InvokeModel"}


def model_of(config: dict[str, str], stack: str) -> dict[str, Any]:
    """`<stack>:model` of a stack file's config (mappings arrive as JSON text)."""
    value = json.loads(config[f"{stack}:model"])
    assert isinstance(value, dict)
    return value


def model_environment(model: dict[str, Any]) -> dict[str, str]:
    """The `MODEL_*` variables (but the timeout) a function calling `model` gets."""
    if model["type"] == "sagemaker":
        return {"MODEL_BACKEND": "sagemaker", "MODEL_ENDPOINT_NAME": model["endpoint"]}
    if model["type"] == "bedrock":
        return {"MODEL_BACKEND": "bedrock", "MODEL_ID": model["modelId"]}
    return {"MODEL_BACKEND": "http", "MODEL_ENDPOINT_URL": model["url"]}


def model_variables(variables: dict[str, str]) -> dict[str, str]:
    """The variables of a function's environment that say which model it calls."""
    return {
        k: v
        for k, v in variables.items()
        if k.startswith("MODEL_") and k != "MODEL_TIMEOUT_SECONDS"
    }


def model_arn(model: dict[str, Any], region: str) -> str | None:
    """The one resource a caller of `model` may invoke (IAM's ARN formats); None for HTTP.

    SageMaker: `arn:aws:sagemaker:<region>:<account>:endpoint/<name>`, the name in lower case
    (SageMaker ARNs spell endpoint names so). Bedrock foundation models:
    `arn:aws:bedrock:<region>::foundation-model/<id>` (no account: AWS owns them); a model id
    that is already an ARN (an inference profile) is that ARN."""
    if model["type"] == "sagemaker":
        return f"arn:{PARTITION}:sagemaker:{region}:{ACCOUNT}:endpoint/{model['endpoint'].lower()}"
    if model["type"] == "bedrock":
        if model["modelId"].startswith("arn:"):
            return str(model["modelId"])
        return f"arn:{PARTITION}:bedrock:{region}::foundation-model/{model['modelId']}"
    return None


def model_statements(model: dict[str, Any], region: str) -> list[dict[str, Any]]:
    """The statements a function calling `model` is granted for it: exactly one, on one ARN."""
    arn = model_arn(model, region)
    if arn is None:
        return []
    return [{"Effect": "Allow", "Action": [MODEL_ACTIONS[model["type"]]], "Resource": arn}]


def model_grants(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of a policy document that grant a model call."""
    found = []
    for statement in document["Statement"]:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if any(
            a in MODEL_ACTIONS.values() or a.startswith(("sagemaker:", "bedrock:")) for a in actions
        ):
            found.append(statement)
    return found
