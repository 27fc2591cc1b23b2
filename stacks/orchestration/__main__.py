"""Orchestration pattern: an HTTP API in front of one Lambda function per AI service, with a
private S3 bucket where each service keeps every request and result under its own prefix. The
classifier and summarizer call the stack's model; chat talks to a Bedrock model (Converse).
Every route needs the caller's credentials, and a token the route's scope."""

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
    scope: str | None  # what a caller's token must carry (jwt access)
    model: str = "model"  # "model": the stack's model; "chat": the Bedrock chat model
    calls_model: bool = True  # gets the grant to invoke that model
    stores_records: bool = True  # gets read/write on s3://<bucket>/<name>/*


SERVICES = (
    Service("classifier", "POST", "/classify", "classifier.handler", "classify"),
    Service("summarizer", "POST", "/summarize", "summarizer.handler", "summarize"),
    Service("chat", "POST", "/chat", "chat.handler", "chat", model="chat"),
    # Health pings an HTTP model; it never invokes one.
    Service(
        "health", "GET", "/health", "health.handler", None, calls_model=False, stores_records=False
    ),
)

settings = config.load(Settings)
MODELS = {"model": settings.backend, "chat": settings.chat_backend}


def model_environment(service: Service) -> dict[str, pulumi.Input[str]]:
    """What a service's model client reads: the stack's model, or the chat model."""
    if service.model == "chat":
        return {
            "CHAT_MODEL_ID": settings.chat_model_id,
            "MODEL_TIMEOUT_SECONDS": str(settings.model_timeout_s),
        }
    return settings.model_environment()


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
                **model_environment(service),
                "MAX_BODY_BYTES": str(settings.max_body_bytes),
                "DATA_BUCKET": bucket.bucket_name,
                "DATA_PREFIX": service.name,
            },
            timeout_s=settings.function_timeout_s,
            memory_mb=settings.function_memory_mb,
            statements=[
                *([bucket.read_write(service.name)] if service.stores_records else []),
                *(MODELS[service.model].statements() if service.calls_model else []),
            ],
            log_retention_days=settings.log_retention_days,
        ),
    )
    for service in SERVICES
}
api = HttpApi(
    "api",
    HttpApiArgs(
        description="AI services, one Lambda function each",
        routes=[
            Route(
                s.method,
                s.path,
                LambdaTarget(functions[s.name]),
                scopes=(s.scope,) if s.scope else (),
            )
            for s in SERVICES
        ],
        access=settings.access_control,
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
pulumi.export("baseUrl", api.url)
pulumi.export("access", api.access)
pulumi.export("credentials", api.credentials)
pulumi.export("bucket", bucket.bucket_name)
pulumi.export("routes", [f"{s.method} {s.path}" for s in SERVICES])
