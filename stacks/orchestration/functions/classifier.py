"""POST /classify: the model's label for each text, stored with the request."""

import inputs
import records
from aigw_runtime import App, HttpError, Request, get_model_client

app = App()


@app.route("POST", "/classify")
def classify(request: Request) -> dict:
    texts, parameters = inputs.texts_and_parameters(request)
    try:
        answer = get_model_client().invoke(texts, parameters or None)
    except HttpError as error:
        if error.details.get("modelStatus") != 400:
            raise
        # The inputs passed our checks, so the model refused the caller's parameters.
        reason = error.message.removeprefix("model endpoint answered 400: ")
        raise HttpError(400, f"parameters refused by the model: {reason}") from None
    result = {
        "requestId": request.request_id,
        "model": answer.get("model"),
        "version": answer.get("version"),
        "predictions": answer.get("predictions", []),
    }
    result["stored"] = records.store(
        request.request_id, {"inputs": texts, "parameters": parameters}, result
    )
    request.log_fields["modelVersion"] = answer.get("version")
    return result


handler = app.handler
