"""Orchestration pattern: an HTTP API in front of one Lambda function per AI service, with a
private S3 bucket where each service keeps every request and result under its own prefix."""

from dataclasses import dataclass
from pathlib import Path

import pulumi

from shared.components import bucket as storage
from shared.components import config, http_api
from shared.components.config import setting
from shared.components.function import LambdaFunction, ModelFunctionSettings
from shared.components.stages import Throttle

SOURCE = Path(__file__).parent / "functions"


@dataclass(frozen=True)
class Service:
    name: str
    method: str
    path: str
    handler: str
    stores_records: bool = True  # gets read/write on s3://<bucket>/<name>/*


SERVICES = (
    Service("classifier", "POST", "/classify", "classifier.handler"),
    Service("summarizer", "POST", "/summarize", "summarizer.handler"),
    Service("health", "GET", "/health", "health.handler", stores_records=False),
)


@dataclass(frozen=True, kw_only=True)
class OrchestrationSettings(ModelFunctionSettings):
    function_memory_mb: int = setting(256, minimum=128, maximum=10_240)
    max_body_bytes: int = setting(65_536, minimum=1_024, maximum=6_000_000)
    rate_limit: float = setting(50.0, minimum=0.1, maximum=10_000)
    burst_limit: int = setting(100, minimum=1, maximum=5_000)
    log_retention_days: int = setting(7, choices=config.LOG_RETENTION_DAYS)
    # Lets destroy empty the bucket (all versions); keep it off where data must survive.
    force_destroy_data: bool = setting(True)

    def problems(self):
        yield from super().problems()


settings = config.load(OrchestrationSettings)
bucket = storage.private_bucket("data", force_destroy=settings.force_destroy_data)
api = http_api.HttpApi("api", description="AI services, one Lambda function each")

for service in SERVICES:
    function = LambdaFunction(
        service.name,
        source_dir=SOURCE,
        handler=service.handler,
        environment={
            **settings.model_environment(),
            "MAX_BODY_BYTES": str(settings.max_body_bytes),
            "DATA_BUCKET": bucket.bucket,
            "DATA_PREFIX": service.name,
        },
        timeout_s=settings.function_timeout_s,
        memory_mb=settings.function_memory_mb,
        statements=[storage.prefix_read_write(bucket, service.name)]
        if service.stores_records
        else [],
        log_retention_days=settings.log_retention_days,
    )
    api.add(
        http_api.HttpRoute(service.method, service.path, http_api.LambdaTarget(function.function))
    )

stage = api.stage(
    http_api.HttpStage(
        pulumi.get_stack(),
        Throttle(settings.rate_limit, settings.burst_limit),
        settings.log_retention_days,
    )
)

pulumi.export("url", stage.invoke_url)
pulumi.export("bucket", bucket.bucket)
pulumi.export("routes", [f"{s.method} {s.path}" for s in SERVICES])
