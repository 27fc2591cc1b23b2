"""POST /chat: one conversation turn with the chat model (Bedrock Converse, CHAT_MODEL_ID).

    {"messages": [{"role": "user", "content": "Is this review positive? ..."}],
     "system": "You answer in one sentence.",                       # optional
     "parameters": {"max_tokens": 256, "temperature": 0.2}}         # optional

answers `{"model", "message": {"role": "assistant", "content"}, "stopReason", "usage"}` and
stores the request and the answer like the other services. The conversation is checked before
the model is called, with Converse's own rules (user first and last, roles alternating), so a
malformed one is a 400 naming the field rather than a model error.
"""

import os

import inputs
import records
from aigw_runtime import App, HttpError, Request, Schema, check, get_chat_client

app = App()
MAX_MESSAGES = 50
MAX_CONTENT_CHARS = 32_000
DEFAULT_MAX_TOKENS = 512

CHAT_REQUEST: Schema = {
    "type": "object",
    "required": ["messages"],
    "additionalProperties": False,
    "properties": {
        "messages": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_MESSAGES,
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "additionalProperties": False,
                "properties": {
                    "role": {"enum": ["user", "assistant"]},
                    "content": {"type": "string", "minLength": 1, "maxLength": MAX_CONTENT_CHARS},
                },
            },
        },
        "system": {"type": "string", "minLength": 1, "maxLength": MAX_CONTENT_CHARS},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_tokens": {"type": "integer", "minimum": 1, "maximum": 4096},
                "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
    },
}


def conversation(body: dict) -> list[dict[str, str]]:
    """The messages, once they follow Converse's turn rules."""
    check(body, CHAT_REQUEST)
    messages: list[dict[str, str]] = body["messages"]
    for index, message in enumerate(messages):
        if not message["content"].strip():
            raise HttpError(400, f'"messages[{index}].content" is blank')
        expected = "user" if index % 2 == 0 else "assistant"
        if message["role"] != expected:
            raise HttpError(
                400,
                f'"messages[{index}].role" must be {expected!r}: a conversation starts with '
                "the user and alternates",
            )
    if messages[-1]["role"] != "user":
        raise HttpError(400, "the last message must be the user's: the model answers it")
    return messages


@app.route("POST", "/chat")
def chat(request: Request) -> dict:
    body = request.json(max_bytes=inputs.MAX_BODY_BYTES)
    messages = conversation(body)
    parameters = body.get("parameters", {})
    answer = get_chat_client().chat(
        messages,
        system=body.get("system"),
        max_tokens=parameters.get("max_tokens", DEFAULT_MAX_TOKENS),
        temperature=parameters.get("temperature"),
    )
    result = {
        "requestId": request.request_id,
        "model": os.environ["CHAT_MODEL_ID"],
        "message": {"role": "assistant", "content": answer.text},
        "stopReason": answer.stop_reason,
        "usage": answer.usage,
    }
    result["stored"] = records.store(request.request_id, body, result)
    request.log_fields["outputTokens"] = answer.usage.get("outputTokens")
    return result


handler = app.handler
