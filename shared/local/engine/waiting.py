"""How long a provider sleeps between two reads of a resource that is not ready yet.

A resource the emulator has just created is ready on the next read or the one after (a Route 53
change is PENDING once, a Lambda function Pending for a moment); one AWS is still preparing can
take minutes. So the pauses start short and grow: a wait on the emulator costs milliseconds, a
long wait does not poll more than every `longest` seconds. Each provider keeps its own
deadline and the error it raises when that passes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

FIRST_PAUSE = 0.01
GROWTH = 1.6


def pauses(longest: float) -> Iterator[float]:
    """0.01 s, 0.016 s, 0.026 s, ... up to `longest`, then `longest` forever."""
    pause = FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * GROWTH, longest)


class Backoff:
    """`sleep()` the next of `pauses(longest)`: a polling loop's one line between two reads."""

    def __init__(self, longest: float) -> None:
        self._pauses = pauses(longest)

    def sleep(self) -> None:
        time.sleep(next(self._pauses))
