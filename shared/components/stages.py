"""What every stage has, REST or HTTP: a throttle and an access log group with retention."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

from shared.components import naming


@dataclass(frozen=True)
class Throttle:
    rate_limit: float  # steady requests per second
    burst_limit: int  # requests allowed at once above the rate


def access_log_group(
    logical_name: str, api_part: str, stage: str, retention_days: int, region: str | None = None
) -> aws.cloudwatch.LogGroup:
    """The log group a stage writes its access log to, one per API and stage."""
    return aws.cloudwatch.LogGroup(
        logical_name,
        name=f"/aws/apigateway/{naming.name(api_part)}/{stage}",
        retention_in_days=retention_days,
        tags=naming.tags(),
        **naming.placed(region),
    )
