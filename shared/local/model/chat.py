"""OpenAI-compatible chat completions answered by the local sentiment model.

What MiniStack's Bedrock runtime sends when `MINISTACK_BEDROCK_PROXY_URL` points here: a
Converse (or InvokeModel) call becomes `POST /v1/chat/completions` with

    {"model": "<modelId>", "messages": [{"role": "system"|"user"|"assistant", "content": "..."}],
     "stream": false, "max_tokens"?: n, "temperature"?: t, ...}

and the answer's `choices[0].message.content` and `usage` become Converse's text and token
counts. The answer is computed from the messages, deterministically:

- a system prompt asking for the classification JSON (it names `"label"`, `"score"` and JSON,
  as the handlers' Bedrock client does) gets the model's `{"label", "score"}` for the last user
  message, as one JSON object and nothing else;
- any other conversation gets the tone of the last user message and its gist (its first
  sentence, shortened), so a caller sees its own words come back judged.

Tokens are counted as whitespace-separated words; `max_tokens` cuts the answer to that many
(finish_reason `length`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from shared.local.model.classifier import MODEL_NAME, NaiveBayesClassifier
from shared.local.model.contract import ContractError

ROLES = ("system", "user", "assistant", "tool")
GIST_WORDS = 20
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[tuple[str, str]]  # (role, text)
    max_tokens: int | None = None

    @property
    def system(self) -> str:
        return "\n".join(text for role, text in self.messages if role == "system")

    @property
    def last_user_text(self) -> str:
        return next(text for role, text in reversed(self.messages) if role == "user")


def parse_chat(body: bytes) -> ChatRequest:
    """The chat request, or ContractError(400) saying what is wrong with it."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise _bad_request(f"body is not valid JSON: {str(error)[:200]}") from None
    if not isinstance(document, dict):
        raise _bad_request('body must be a JSON object like {"messages": [...]}')
    if document.get("stream"):
        raise _bad_request("streaming is not supported; send stream: false")
    messages = document.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _bad_request('"messages" must be a non-empty list')
    parsed: list[tuple[str, str]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise _bad_request(f'"messages[{index}].role" must be one of {", ".join(ROLES)}')
        parsed.append((message["role"], _text(message.get("content"), index)))
    if not any(role == "user" and text.strip() for role, text in parsed):
        raise _bad_request("no user message with text to answer")
    max_tokens = document.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise _bad_request('"max_tokens" must be a positive integer')
    model = document.get("model")
    return ChatRequest(str(model) if model else MODEL_NAME, parsed, max_tokens)


def asks_for_classification(system: str) -> bool:
    """Whether a system prompt asks for the `{"label", "score"}` JSON."""
    return '"label"' in system and '"score"' in system and "json" in system.lower()


def reply_text(request: ChatRequest, model: NaiveBayesClassifier) -> str:
    """The assistant's answer to the conversation, before any `max_tokens` cut."""
    text = request.last_user_text
    [prediction] = model.predict([text])
    if asks_for_classification(request.system):
        return json.dumps({"label": prediction.label, "score": round(prediction.score, 4)})
    return (
        f"That reads as {prediction.label} (confidence {prediction.score:.2f}). "
        f"In short: {gist(text)}"
    )


def gist(text: str) -> str:
    """The text's first sentence, cut to GIST_WORDS words."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:GIST_WORDS]) + (" ..." if len(words) > GIST_WORDS else "")


def completion(request: ChatRequest, model: NaiveBayesClassifier, version: str) -> dict[str, Any]:
    """The chat.completion answer for `request`."""
    words = reply_text(request, model).split()
    finish = "stop"
    if request.max_tokens is not None and len(words) > request.max_tokens:
        words, finish = words[: request.max_tokens], "length"
    content = " ".join(words)
    prompt_tokens = sum(len(text.split()) for _, text in request.messages)
    digest = hashlib.sha256(json.dumps(request.messages).encode()).hexdigest()[:24]
    return {
        "id": f"chatcmpl-{digest}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "system_fingerprint": f"{MODEL_NAME}-{version}",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(words),
            "total_tokens": prompt_tokens + len(words),
        },
    }


def _text(content: Any, index: int) -> str:
    """A message's text: a string, or OpenAI's list of `{"type": "text", "text"}` parts."""
    if content is None:
        return ""  # an assistant turn that only called tools
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(p for p in parts if isinstance(p, str))
    raise _bad_request(f'"messages[{index}].content" must be a string or a list of text parts')


def _bad_request(message: str) -> ContractError:
    return ContractError(HTTPStatus.BAD_REQUEST, message)
