"""GET /health: the service is up, and whether the model endpoint answers its ping."""

import os
import urllib.error
import urllib.request
from urllib.parse import urlparse

from aigw_handlers import App, Request, Response, json_response

app = App()


def model_ping_url() -> str:
    endpoint = urlparse(os.environ["MODEL_ENDPOINT_URL"])
    return f"{endpoint.scheme}://{endpoint.netloc}/ping"


@app.route("GET", "/health")
def health(request: Request) -> Response:
    try:
        with urllib.request.urlopen(model_ping_url(), timeout=2) as reply:
            model = "up" if reply.status == 200 else f"status {reply.status}"
    except (urllib.error.URLError, OSError) as error:
        model = f"down ({getattr(error, 'reason', error)})"
    status = 200 if model == "up" else 503
    return json_response(status, {"status": "ok" if status == 200 else "degraded", "model": model})


handler = app.handler
