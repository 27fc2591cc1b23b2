"""GET /health: the service is up, and whether the model endpoint answers its ping.

Only an HTTP model has a ping to answer; a SageMaker endpoint or a Bedrock model is reached
with signed calls its role allows for inference alone, so health names it without a call
(a classify request is what shows it answers)."""

import os
import urllib.error
import urllib.request
from urllib.parse import urlparse

from aigw_runtime import App, Request, Response, json_response

app = App()
# Straight to the model, as the model client goes: no proxy from the environment in between.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def model_ping_url() -> str:
    endpoint = urlparse(os.environ["MODEL_ENDPOINT_URL"])
    return f"{endpoint.scheme}://{endpoint.netloc}/ping"


@app.route("GET", "/health")
def health(request: Request) -> Response:
    backend = os.environ.get("MODEL_BACKEND", "") or "http"
    if backend != "http":
        target = os.environ.get("MODEL_ENDPOINT_NAME") or os.environ.get("MODEL_ID", "")
        return json_response(200, {"status": "ok", "model": f"{backend} {target} (not pinged)"})
    try:
        # A ping is quick; and never wait longer than the model timeout, which the stack keeps
        # below the function's, so a hung model is a 503 here rather than a killed function.
        timeout = min(2.0, float(os.environ.get("MODEL_TIMEOUT_SECONDS", "2")))
        with _OPENER.open(model_ping_url(), timeout=timeout) as reply:
            model = "up" if reply.status == 200 else f"status {reply.status}"
    except (urllib.error.URLError, OSError) as error:
        model = f"down ({getattr(error, 'reason', error)})"
    status = 200 if model == "up" else 503
    return json_response(status, {"status": "ok" if status == 200 else "degraded", "model": model})


handler = app.handler
