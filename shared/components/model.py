"""Settings every stack whose functions call the model endpoint declares (and extends)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pulumi

from shared.components import config
from shared.components.config import setting


@dataclass(frozen=True, kw_only=True)
class ModelFunctionSettings:
    """Settings every stack whose functions call the model endpoint declares (extend it)."""

    # A secret Output when set as a secret (`pulumi config set --secret`): used as an Input only.
    model_endpoint: pulumi.Input[str] = setting(
        kind=config.URL,
        description="Model endpoint URL (SageMaker inference contract)",
        may_be_secret=True,
    )
    model_timeout_s: float = setting(
        5.0, minimum=0.1, maximum=28, description="Seconds a function waits for the model"
    )
    function_timeout_s: int = setting(
        30, minimum=1, maximum=900, description="Lambda timeout in seconds"
    )

    def problems(self) -> Iterator[str]:
        if self.model_timeout_s >= self.function_timeout_s:
            yield "modelTimeoutS: must be shorter than functionTimeoutS, so a slow model gets 504."

    def model_environment(self) -> dict[str, pulumi.Input[str]]:
        """What the handler runtime's model client reads."""
        return {
            "MODEL_ENDPOINT_URL": self.model_endpoint,
            "MODEL_TIMEOUT_SECONDS": str(self.model_timeout_s),
        }
