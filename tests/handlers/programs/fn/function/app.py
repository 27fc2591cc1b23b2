"""A classify function as the stacks write them: the runtime comes from the zip's
`aigw_runtime` package, the model endpoint from MODEL_ENDPOINT_URL."""

from aigw_runtime import App, HttpError, Request, get_model_client

app = App()


@app.route("GET", "/health")
def health(request: Request) -> dict:
    return {"status": "ok"}


@app.route("POST", "/classify")
def classify(request: Request) -> dict:
    body = request.json()
    inputs = body.get("inputs")
    if not isinstance(inputs, str | list) or not inputs:
        raise HttpError(400, '"inputs" must be a string or a non-empty list of strings')
    answer = get_model_client().invoke(inputs, body.get("parameters"))
    request.log_fields["modelVersion"] = answer.get("version")
    return answer


handler = app.handler
