"""Deploy or destroy with the engine in this process, and die by SIGKILL at a chosen point, as
`kill -9` would: `crash(spec)` in a fresh child process (test_crash_safety.py forks one per
case from a server that imported the engine once), or `python crash_child.py '<spec as JSON>'`.

The spec names the operation (`up` or `destroy`), the provider's type token and method
(`create` or `delete`) to die in, and whether to die just before the emulator is asked or
just after it answered (the resource then exists, unrecorded).
"""

import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.local.engine.engine import Engine  # noqa: E402
from shared.local.engine.providers import REGISTRY, Context  # noqa: E402


def crash(spec: dict) -> None:
    cls = type(REGISTRY[spec["type"]])
    real = getattr(cls, spec["method"])

    def die_there(self, *args):
        if spec["when"] == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(self, *args)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(cls, spec["method"], die_there)
    engine = Engine(
        Path(spec["program"]),
        spec["project"],
        "local",
        spec["config"],
        Context(spec["emulator"], "us-east-1"),
        Path(spec["state"]),
        out=lambda line: None,
    )
    getattr(engine, spec["operation"])()


if __name__ == "__main__":
    crash(json.loads(sys.argv[1]))
