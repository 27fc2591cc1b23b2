"""GET /health: the service is up, and whether the model endpoint answers its ping."""

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
