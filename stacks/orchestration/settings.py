"""The orchestration stack's settings: `orchestration:<key>` in Pulumi.<env>.yaml (declared in
Pulumi.yaml)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import ModelFunctionSettings, config
from shared.components.access import HttpAccessSettings
from shared.components.config import setting
from shared.components.model import MODEL_ID_PATTERN, ModelBackend

# The scopes a token must carry, one per AI service (jwt access); /health needs a valid token.
SCOPES = ("classify", "summarize", "chat")


@dataclass(frozen=True, kw_only=True)
class Settings(ModelFunctionSettings, HttpAccessSettings):
    chat_model_id: str = setting(
        "amazon.nova-micro-v1:0",
        description="Bedrock model the chat service talks to (Converse)",
    )
    function_memory_mb: int = setting(
        256, minimum=128, maximum=10_240, description="Memory of each function in MB"
    )
    max_body_bytes: int = setting(
        65_536, minimum=1_024, maximum=6_000_000, description="Largest request body accepted"
    )
    rate_limit: float = setting(
        50.0, minimum=0.1, maximum=10_000, description="Requests per second per route"
    )
    burst_limit: int = setting(100, minimum=1, maximum=5_000, description="Burst per route")
    log_retention_days: int = setting(
        7, choices=config.LOG_RETENTION_DAYS, description="Days CloudWatch keeps the logs"
    )
    # Lets destroy empty the bucket (all versions); keep it off where data must survive.
    force_destroy_data: bool = setting(
        True, description="Let destroy delete the data bucket with every object in it"
    )
    protect_data: bool = setting(
        False, description="Protect the data bucket: Pulumi refuses to delete it"
    )

    @property
    def chat_backend(self) -> ModelBackend:
        return ModelBackend.bedrock(self.chat_model_id)

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        if problem := config.schema_problem(
            {"type": "string", "pattern": MODEL_ID_PATTERN}, self.chat_model_id
        ):
            yield f"chatModelId: {problem}"
        else:
            yield from self.chat_backend.problems("chatModelId")
        yield from self.access_control.problems(pulumi.get_stack(), "http", SCOPES)
