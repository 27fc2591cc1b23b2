"""Orchestration pattern: an HTTP API in front of one Lambda function per AI service, with a
private S3 bucket where each service keeps every request and result under its own prefix."""

from dataclasses import dataclass
from pathlib import Path

import pulumi
from settings import Settings

from shared.components import (
    Function,
    FunctionArgs,
    HttpApi,
    HttpApiArgs,
    LambdaTarget,
    PrivateBucket,
    PrivateBucketArgs,
    Route,
    Stage,
    Throttle,
    config,
)

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

settings = config.load(Settings)
bucket = PrivateBucket(
    "data",
    PrivateBucketArgs(force_destroy=settings.force_destroy_data),
    opts=pulumi.ResourceOptions(protect=settings.protect_data),
)
functions = {
    service.name: Function(
        service.name,
        FunctionArgs(
            source_dir=SOURCE,
            handler=service.handler,
            environment={
                **settings.model_environment(),
                "MAX_BODY_BYTES": str(settings.max_body_bytes),
                "DATA_BUCKET": bucket.bucket_name,
                "DATA_PREFIX": service.name,
            },
            timeout_s=settings.function_timeout_s,
            memory_mb=settings.function_memory_mb,
            statements=[bucket.read_write(service.name)] if service.stores_records else [],
            log_retention_days=settings.log_retention_days,
        ),
    )
    for service in SERVICES
}
api = HttpApi(
    "api",
    HttpApiArgs(
        description="AI services, one Lambda function each",
        routes=[Route(s.method, s.path, LambdaTarget(functions[s.name])) for s in SERVICES],
        stages=[
            Stage(
                pulumi.get_stack(),
                Throttle(settings.rate_limit, settings.burst_limit),
                settings.log_retention_days,
            )
        ],
    ),
)

pulumi.export("url", api.url)
pulumi.export("bucket", bucket.bucket_name)
pulumi.export("routes", [f"{s.method} {s.path}" for s in SERVICES])
