"""Versions pattern: an HTTP API with one stage per model version, plus a `live` stage.

Every stage has the same route; its stage variables say which model it calls, so
`/<version>/predict` reaches that version and `/live/predict` the promoted one. Promoting a
version (blue/green) or pointing `live` elsewhere is a config change and a deploy.

The models are HTTP endpoints: an HTTP API integration cannot sign a request, so a SageMaker
endpoint or a Bedrock model is reached through the proxy pattern (REST) instead.
"""

import pulumi
from settings import LIVE, PREDICT_SCOPE, Settings, without_scheme

from shared.components import HttpApi, HttpApiArgs, HttpTarget, Route, Stage, Throttle, config

settings = config.load(Settings)
throttle = Throttle(settings.rate_limit, settings.burst_limit)
stage_models = {**settings.model_versions, LIVE: settings.model_versions[settings.live_version]}

api = HttpApi(
    "api",
    HttpApiArgs(
        description="One stage per model version",
        routes=[
            Route(
                "POST",
                "/predict",
                # The form AWS documents for a stage variable in an HTTP integration URI: the
                # scheme written literally, the variable holding the rest of the URL.
                HttpTarget(
                    f"{settings.model_scheme}://${{stageVariables.modelEndpoint}}",
                    timeout_ms=settings.integration_timeout_ms,
                ),
                scopes=(PREDICT_SCOPE,),
            )
        ],
        access=settings.access_control,
        stages=[
            Stage(
                name,
                throttle,
                settings.log_retention_days,
                variables={
                    "modelVersion": settings.live_version if name == LIVE else name,
                    "modelEndpoint": without_scheme(endpoint),
                },
            )
            for name, endpoint in stage_models.items()
        ],
    ),
)
stage_urls = {name: pulumi.Output.concat(url, "/predict") for name, url in api.stage_urls.items()}

pulumi.export("url", stage_urls[LIVE])
pulumi.export("baseUrl", api.api_endpoint)  # + "/<stage>/predict"
pulumi.export("access", api.access)
pulumi.export("credentials", api.credentials)
pulumi.export("apiEndpoint", api.api_endpoint)  # + "/<stage>/predict"
pulumi.export("stageUrls", stage_urls)
pulumi.export("liveVersion", settings.live_version)
