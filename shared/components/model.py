"""Where a stack's model lives, declared in config as one of three backends, and the settings
every stack whose functions call a model declares (and extends).

    <stack>:model: {type: http, url: https://models.internal/invocations}
    <stack>:model: {type: sagemaker, endpoint: sentiment-prod}
    <stack>:model: {type: bedrock, modelId: anthropic.claude-3-haiku-20240307-v1:0}

- `http`: a plain HTTP(S) endpoint speaking the SageMaker container contract (no signing).
- `sagemaker`: a SageMaker endpoint, called signed (`sagemaker:InvokeEndpoint` on that endpoint
  only).
- `bedrock`: a Bedrock model, called signed through Converse (`bedrock:InvokeModel` on that model
  only). A model id that is already an ARN (an inference profile, a provisioned model) is
  granted as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components.config import setting

BACKENDS = ("http", "sagemaker", "bedrock")
# How long one signed model call may take in a function, as the runtime's botocore client is
# configured (shared/runtime/aws.py: two attempts, each connecting for up to 2 s and reading for
# up to the model timeout, and under 1 s of backoff between them).
SIGNED_CALL_ATTEMPTS = 2
SIGNED_CONNECT_TIMEOUT_S = 2.0


def signed_call_budget_s(model_timeout_s: float) -> float:
    """The longest a SageMaker or Bedrock call from a function can take."""
    connect = min(model_timeout_s, SIGNED_CONNECT_TIMEOUT_S)
    return SIGNED_CALL_ATTEMPTS * (connect + model_timeout_s) + 1.0


# SageMaker endpoint names: up to 63 alphanumerics and hyphens, starting alphanumeric.
_ENDPOINT_NAME = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
# Bedrock model ids (`provider.model-v1:0`, `us.provider.model`) or a model / profile ARN.
MODEL_ID_PATTERN = (
    r"^(arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{0,12}:[a-z-]+/)?[a-zA-Z0-9._:/-]{1,200}$"
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"enum": list(BACKENDS)}},
    "allOf": [
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "http"}}},
            "then": {
                "additionalProperties": False,
                "required": ["url"],
                "properties": {
                    "type": {"const": "http"},
                    "url": {"type": "string", "pattern": "^https?://[^/]+"},
                },
            },
        },
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "sagemaker"}}},
            "then": {
                "additionalProperties": False,
                "required": ["endpoint"],
                "properties": {
                    "type": {"const": "sagemaker"},
                    "endpoint": {"type": "string", "pattern": _ENDPOINT_NAME},
                },
            },
        },
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "bedrock"}}},
            "then": {
                "additionalProperties": False,
                "required": ["modelId"],
                "properties": {
                    "type": {"const": "bedrock"},
                    "modelId": {"type": "string", "pattern": MODEL_ID_PATTERN},
                },
            },
        },
    ],
}


# Bedrock cross-region inference profiles (`us.anthropic...`, or an inference-profile ARN) are
# granted on the profile and on the foundation model in every region it routes to: more than
# the one ARN a model grant names here.
# Profile ids put a geography before the provider (`us.`, `eu.`, `jp.`, `global.`...): two dots
# where a model id has one (`anthropic.claude-...`).
_INFERENCE_PROFILE = re.compile(
    r"^([a-z-]+\.[a-z0-9-]+\.|arn:[^:]+:bedrock:[^:]*:\d*:(application-)?inference-profile/)"
)


def model_setting() -> Any:
    """The `model` setting of a stack (`<stack>:model`); set as a secret, its `url` reaches the
    program as a secret Output (an HTTP endpoint URL may carry a key)."""
    return setting(
        schema=SCHEMA,
        may_be_secret=True,
        secret_fields=("url",),
        description="The model: {type: http, url} | {type: sagemaker, endpoint} | "
        "{type: bedrock, modelId}",
    )


@dataclass(frozen=True)
class ModelBackend:
    """One model, as `<stack>:model` declares it (checked against `SCHEMA`)."""

    type: str
    url: pulumi.Input[str] | None = None  # http; a secret Output when set as a secret
    endpoint: str | None = None  # sagemaker: the endpoint's name
    model_id: str | None = None  # bedrock

    @classmethod
    def from_config(cls, value: dict[str, Any]) -> ModelBackend:
        return cls(value["type"], value.get("url"), value.get("endpoint"), value.get("modelId"))

    @classmethod
    def bedrock(cls, model_id: str) -> ModelBackend:
        return cls("bedrock", model_id=model_id)

    def problems(self, key: str = "model") -> Iterator[str]:
        """What the schema cannot say."""
        if self.type == "bedrock" and _INFERENCE_PROFILE.match(str(self.model_id)):
            yield (
                f"{key}: {self.model_id!r} is an inference profile, whose grant spans the "
                "foundation model in every region it routes to; name the model itself "
                "(e.g. anthropic.claude-3-haiku-20240307-v1:0) or its foundation-model ARN."
            )

    def environment(self) -> dict[str, pulumi.Input[str]]:
        """What the handler runtime's model client reads (`shared.runtime.model_client`)."""
        if self.type == "sagemaker":
            return {"MODEL_BACKEND": "sagemaker", "MODEL_ENDPOINT_NAME": str(self.endpoint)}
        if self.type == "bedrock":
            return {"MODEL_BACKEND": "bedrock", "MODEL_ID": str(self.model_id)}
        assert self.url is not None
        return {"MODEL_BACKEND": "http", "MODEL_ENDPOINT_URL": self.url}

    def arn(self, region: str | None = None) -> pulumi.Output[str] | None:
        """The one ARN a caller must be allowed to invoke; None for an unsigned HTTP endpoint."""
        if self.type == "http":
            return None
        partition = aws.get_partition_output().partition
        home: pulumi.Input[str] = region or aws.get_region_output().region
        if self.type == "sagemaker":
            account = aws.get_caller_identity_output().account_id
            return pulumi.Output.concat(
                "arn:",
                partition,
                ":sagemaker:",
                home,
                ":",
                account,
                ":endpoint/",
                str(self.endpoint).lower(),  # SageMaker ARNs spell endpoint names in lower case
            )
        if str(self.model_id).startswith("arn:"):
            return pulumi.Output.from_input(str(self.model_id))
        return pulumi.Output.concat(
            "arn:", partition, ":bedrock:", home, "::foundation-model/", str(self.model_id)
        )

    @property
    def action(self) -> str | None:
        return {"sagemaker": "sagemaker:InvokeEndpoint", "bedrock": "bedrock:InvokeModel"}.get(
            self.type
        )

    def statements(self, region: str | None = None) -> list[dict[str, Any]]:
        """The IAM statement that lets a function call this model and nothing else."""
        arn = self.arn(region)
        if arn is None:
            return []
        return [{"Effect": "Allow", "Action": [self.action], "Resource": arn}]


@dataclass(frozen=True, kw_only=True)
class ModelFunctionSettings:
    """Settings every stack whose functions call the model declares (extend it)."""

    model: dict = model_setting()
    model_timeout_s: float = setting(
        5.0, minimum=0.1, maximum=28, description="Seconds a function waits for the model"
    )
    # Below API Gateway's integration timeout (REST 29 s): a function still running when the
    # API gives up goes on, billed, after the caller got a bare 504.
    function_timeout_s: int = setting(
        25,
        minimum=1,
        maximum=28,
        description="Lambda timeout in seconds, below API Gateway's 29 s",
    )

    @property
    def backend(self) -> ModelBackend:
        return ModelBackend.from_config(self.model)

    def problems(self) -> Iterator[str]:
        yield from self.backend.problems()
        if self.model_timeout_s >= self.function_timeout_s:
            yield "modelTimeoutS: must be shorter than functionTimeoutS, so a slow model gets 504."
        elif (
            self.backend.type != "http"
            and (budget := signed_call_budget_s(self.model_timeout_s)) >= self.function_timeout_s
        ):
            yield (
                f"modelTimeoutS: a {self.backend.type} call may take up to {budget:g} s "
                "(two attempts), which must be shorter than functionTimeoutS, so a slow model "
                "gets 504 rather than a killed function."
            )

    def model_environment(self) -> dict[str, pulumi.Input[str]]:
        """What the handler runtime's model client reads."""
        return {**self.backend.environment(), "MODEL_TIMEOUT_SECONDS": str(self.model_timeout_s)}

    def model_statements(self, region: str | None = None) -> list[dict[str, Any]]:
        """The grant a function needs to call the model (none for an HTTP endpoint)."""
        return self.backend.statements(region)
