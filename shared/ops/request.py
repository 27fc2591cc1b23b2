"""One HTTP request to a deployed stack, with a deadline nothing can stretch.

What `invoke smoke`, `invoke call` and the token fetch share: redirects are not followed (the
3xx is the answer, so a check can expect it), an error status is an answer like any other, the
answer is read up to a bound, and the whole request (connect, send, every read) ends within its
timeout plus a second, because a server that trickles bytes would otherwise reset the socket
timeout at every read.
"""

from __future__ import annotations

import queue
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

MAX_ANSWER_BYTES = 1 << 20


@dataclass(frozen=True)
class Answer:
    """An HTTP answer (`status` None when there was none: refused, timed out, broken; `error`
    then says why in a few words). Header names are lower case."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError, so a caller can expect it


_OPENER = urllib.request.build_opener(_NoRedirects)


def send(
    method: str,
    url: str,
    headers: dict[str, str],
    data: bytes | None,
    timeout: float,
    *,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """One request with a hard deadline: the socket timeout bounds each read, and the request
    runs in a daemon thread the caller stops waiting for after `timeout` (+1 s) in total."""
    answers: queue.Queue[Answer] = queue.Queue(maxsize=1)

    def attempt() -> None:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                answers.put(_answer(response.status, response.headers, response, max_bytes))
        except urllib.error.HTTPError as error:
            answers.put(_answer(error.code, error.headers, error, max_bytes))
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            answers.put(Answer(None, {}, b"", f"no answer from {origin(url)}: {reason}"))
        except Exception as error:  # anything http.client raises on a broken answer
            answers.put(Answer(None, {}, b"", f"broken answer from {origin(url)}: {error!r}"))

    threading.Thread(target=attempt, daemon=True, name="http-request").start()
    try:
        return answers.get(timeout=timeout + 1)
    except queue.Empty:
        return Answer(None, {}, b"", f"no answer from {origin(url)} within {timeout:g}s")


def _answer(status: int, headers: Any, stream: Any, max_bytes: int) -> Answer:
    try:
        body = stream.read(max_bytes) if stream is not None else b""
    except (OSError, ValueError):
        body = b""
    lowered = {k.lower(): v for k, v in (headers.items() if headers else [])}
    return Answer(status, lowered, body or b"")


def origin(url: str) -> str:
    """Scheme, host and path of a URL, without its query string (which may carry a secret)."""
    return url.split("?", 1)[0]
