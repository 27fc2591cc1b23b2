"""POST /summarize: an extractive summary. Sentences are ranked by how many of the text's
frequent words they carry, the model reads the tone of each, and the summary keeps the top
`parameters.sentences` (default 2) in their original order, with the overall tone."""

import re
from collections import Counter

import inputs
import records
from aigw_runtime import App, HttpError, Request, get_model_client

app = App()
# The summary's own parameter: the model is asked for each sentence's tone, with no parameters.
SUMMARY_PARAMETERS = {
    "type": "object",
    "properties": {"sentences": {"type": "integer", "minimum": 1, "maximum": 10}},
    "additionalProperties": False,
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[a-z']+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "we",
        "you",
        "they",
        "our",
        "your",
    ]
)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


def salience(sentences: list[str]) -> list[float]:
    words = [[w for w in WORD.findall(s.lower()) if w not in STOPWORDS] for s in sentences]
    frequency = Counter(w for ws in words for w in ws)
    return [sum(frequency[w] for w in ws) / (len(ws) or 1) for ws in words]


@app.route("POST", "/summarize")
def summarize(request: Request) -> dict:
    texts, parameters = inputs.texts_and_parameters(request, SUMMARY_PARAMETERS)
    if len(texts) != 1:
        raise HttpError(400, '"inputs" must be one text to summarize')
    keep = parameters.get("sentences", 2)
    sentences = split_sentences(texts[0])[: inputs.MAX_TEXTS]
    answer = get_model_client().invoke(sentences)
    tones = [p["label"] for p in answer.get("predictions", [])]
    ranked = sorted(range(len(sentences)), key=salience(sentences).__getitem__, reverse=True)
    chosen = sorted(ranked[:keep])
    result = {
        "requestId": request.request_id,
        "summary": " ".join(sentences[i] for i in chosen),
        "sentences": [{"text": sentences[i], "tone": tones[i]} for i in chosen],
        "tone": Counter(tones).most_common(1)[0][0] if tones else None,
        "model": answer.get("model"),
        "version": answer.get("version"),
    }
    result["stored"] = records.store(
        request.request_id, {"inputs": texts[0], "parameters": parameters}, result
    )
    return result


handler = app.handler
