"""A Bedrock model, called with `bedrock-runtime` Converse.

Two uses: `chat` is a conversation turn (the text answer and the token usage), and `invoke`
classifies texts with the same answer as the other backends (`{"model", "version",
"predictions"}`), asking the model for one JSON object per text:

    {"label": "positive" | "negative" | "neutral", "score": <confidence from 0 to 1>}

An answer that is not exactly that object is the model's failure (502), never a guess.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from . import aws
from .http import HttpError
from .inference import LABELS

CLASSIFY_SYSTEM_PROMPT = (
    "You classify the sentiment of the user's text. Answer with exactly one JSON object and "
    'nothing else: {"label": "positive|negative|neutral", "score": <your confidence, a number '
    "from 0 to 1>}."
)
CLASSIFY_MAX_TOKENS = 64
DEFAULT_CHAT_MAX_TOKENS = 512
# Texts are classified in parallel, one Converse call each: 64 texts one after the other
# would outlast the API's timeout.
MAX_PARALLEL_CALLS = 8
# Models often fence JSON in Markdown even when asked not to; the fence is not the answer.
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@dataclass(frozen=True)
class ChatAnswer:
    """The assistant's text, why it stopped, and the tokens counted (Converse's `usage`)."""

    text: str
    stop_reason: str
    usage: dict[str, int] = field(default_factory=dict)


class BedrockModelClient:
    """One Bedrock model, by model id (or inference profile id)."""

    def __init__(self, model_id: str, timeout_s: float, *, client: Any = None) -> None:
        if not model_id:
            raise ValueError("a Bedrock model id is required")
        if not timeout_s > 0:
            raise ValueError(f"timeout must be positive, got {timeout_s!r}")
        self.model_id = model_id
        self.timeout_s = float(timeout_s)
        self.target = f"Bedrock model {model_id!r}"
        self._client = client if client is not None else aws.client("bedrock-runtime", timeout_s)

    def __repr__(self) -> str:
        return f"BedrockModelClient({self.model_id!r}, timeout_s={self.timeout_s:g})"

    def chat(
        self,
        messages: list[dict[str, str]],
        system: str | None = None,
        max_tokens: int = DEFAULT_CHAT_MAX_TOKENS,
        temperature: float | None = None,
    ) -> ChatAnswer:
        """One Converse turn: `messages` are `{"role": "user"|"assistant", "content": text}`."""
        inference: dict[str, Any] = {"maxTokens": max_tokens}
        if temperature is not None:
            inference["temperature"] = temperature
        params: dict[str, Any] = {
            "modelId": self.model_id,
            "messages": [
                {"role": m["role"], "content": [{"text": m["content"]}]} for m in messages
            ],
            "inferenceConfig": inference,
        }
        if system:
            params["system"] = [{"text": system}]
        answer = aws.call(self._client.converse, self.target, self.timeout_s, **params)
        blocks = answer.get("output", {}).get("message", {}).get("content", [])
        text = "".join(b["text"] for b in blocks if isinstance(b, dict) and "text" in b)
        usage = {k: v for k, v in answer.get("usage", {}).items() if isinstance(v, int)}
        return ChatAnswer(text=text, stop_reason=str(answer.get("stopReason", "")), usage=usage)

    def invoke(
        self, inputs: str | list[str], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Each text's label and score, asked of the model one text per Converse call."""
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        top_k = (parameters or {}).get("top_k")
        if top_k is not None and top_k != 1:
            raise HttpError(
                400,
                '"parameters.top_k" can only be 1 here: the Bedrock model names one label, '
                "it does not score every label",
            )
        # All the texts within the time one call may take, however many rounds of calls they
        # need: the caller's answer must not wait longer for 64 texts than for one.
        budget = aws.worst_case_s(self.timeout_s)
        pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CALLS, len(texts) or 1))
        try:
            futures = [pool.submit(self._classify, text) for text in texts]
            _, pending = wait(futures, timeout=budget)
            if pending:
                raise HttpError(
                    504,
                    f"{self.target} timed out: {len(pending)} of {len(texts)} texts were not "
                    f"classified within {budget:g} s",
                )
            predictions = [future.result() for future in futures]  # the first failure raises
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return {"model": self.model_id, "version": None, "predictions": predictions}

    def _classify(self, text: str) -> dict[str, Any]:
        answer = self.chat(
            [{"role": "user", "content": text}],
            system=CLASSIFY_SYSTEM_PROMPT,
            max_tokens=CLASSIFY_MAX_TOKENS,
            temperature=0.0,
        )
        label, score = parse_classification(answer.text, self.target)
        return {"label": label, "score": score, "scores": {label: score}}


def parse_classification(text: str, target: str) -> tuple[str, float]:
    """(label, score) from the model's answer, or a 502 quoting what it said instead."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    candidate = fenced.group(1) if fenced else stripped
    try:
        document = json.loads(candidate)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict) and set(document) == {"label", "score"}:
        label, score = document["label"], document["score"]
        is_number = isinstance(score, int | float) and not isinstance(score, bool)
        if label in LABELS and is_number and 0 <= score <= 1:
            return label, float(score)
    raise HttpError(
        502,
        f"{target} did not answer with the classification JSON "
        f'{{"label": {"|".join(LABELS)}, "score": 0..1}}: {stripped[:200]!r}',
    )
