"""A tiny program for the Function component tests: one function behind a REST API's
permission.

Config (all optional): `fn:bucket` (the bucket the function may read and write under `models/`).
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from shared.components import Function, FunctionArgs
from shared.components.function import allow_api_gateway

config = pulumi.Config()
bucket = config.get("bucket") or "aigw-test-models"

classify = Function(
    "classify",
    FunctionArgs(
        source_dir=Path(__file__).parent / "function",
        handler="app.handler",
        environment={"MODEL_ENDPOINT_URL": "http://127.0.0.1:8080/invocations"},
        timeout_s=15,
        memory_mb=512,
        log_retention_days=14,
        statements=[
            {
                "Sid": "ModelArtifacts",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{bucket}/models/*",
            }
        ],
        # A caller's extra arguments for the function itself.
        function_args={"architectures": ["arm64"], "tags": {"team": "ml"}},
    ),
)
api = aws.apigateway.RestApi("api")
any_route = allow_api_gateway(classify, "classify", api.execution_arn)
one_route = allow_api_gateway(
    classify, "workflow", api.execution_arn, "/*/ANY/ai-service/{workflow}"
)

pulumi.export("functionName", classify.function_name)
pulumi.export("sourceArns", [any_route.source_arn, one_route.source_arn])
