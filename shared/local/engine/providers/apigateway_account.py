"""API Gateway's account settings of one region: the CloudWatch role API Gateway writes stage
logs with. On AWS a stage that sets access or execution logging fails ("CloudWatch Logs role ARN
must be set in account settings to enable logging") until this is set in its region.

The setting is a singleton per account and region, so the resource's id is fixed (the AWS
provider's `api-gateway-account`) and its identity is its region. Deleting it resets the role
to none, as pulumi-aws 7 does. AWS also checks that the role trusts `apigateway.amazonaws.com`;
MiniStack 1.5.33 stores any ARN, so that check is the bootstrap's tests' job.
"""

from __future__ import annotations

from typing import Any

from shared.local.engine.live import live_inputs
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    provides,
)
from shared.local.engine.state import ResourceRecord

ACCOUNT_ID = "api-gateway-account"


@provides
class Account(Provider):
    type_token = "aws:apigateway/account:Account"
    service = "apigateway"
    inputs = frozenset({"cloudwatchRoleArn", "region"})
    outputs = frozenset({"apiKeyVersion", "features", "throttleSettings"})
    updatable = frozenset({"cloudwatchRoleArn"})
    identity = ("region",)

    def create(self, ctx: Context, want: Desired) -> Created:
        client = self.client(ctx, want.inputs)
        return Created(ACCOUNT_ID, self._set(client, want.inputs.get("cloudwatchRoleArn") or ""))

    @staticmethod
    def _set(client: Client, role_arn: str) -> Outputs:
        account = client.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}]
        )
        return _outputs(account)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        return self._set(self.client(ctx, want.inputs), want.inputs.get("cloudwatchRoleArn") or "")

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self._set(self.client(ctx, have.inputs), "")

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The setting always exists; a role reset behind the engine's back is drift."""
        account = self.client(ctx, have.inputs).get_account()
        live = {"cloudwatchRoleArn": account.get("cloudwatchRoleArn") or ""}
        return live_inputs(have.inputs, live, {"cloudwatchRoleArn": ""})

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The setting a create made is there when the region's role is the one it set."""
        account = self.client(ctx, want.inputs).get_account()
        wanted = want.inputs.get("cloudwatchRoleArn")
        return ACCOUNT_ID if wanted and account.get("cloudwatchRoleArn") == wanted else None


def _outputs(account: dict[str, Any]) -> Outputs:
    throttle = account.get("throttleSettings") or {}
    return {
        "apiKeyVersion": str(account.get("apiKeyVersion", "")),
        "features": list(account.get("features") or []),
        "throttleSettings": [
            {
                "burstLimit": throttle.get("burstLimit", 0),
                "rateLimit": float(throttle.get("rateLimit", 0)),
            }
        ],
    }
