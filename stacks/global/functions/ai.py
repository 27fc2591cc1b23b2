"""POST /ai: the model's answer, and which region served it (so latency routing is visible)."""

import os

from aigw_runtime import App, Request, get_model_client, inference_request

app = App()


@app.route("POST", "/ai")
def ai(request: Request) -> dict:
    texts, parameters = inference_request(request)
    answer = get_model_client().invoke(texts, parameters or None)
    request.log_fields["modelVersion"] = answer.get("version")
    return {
        "region": os.environ.get("AWS_REGION", "unknown"),
        "model": answer.get("model"),
        "version": answer.get("version"),
        "predictions": answer.get("predictions", []),
    }


handler = app.handler
