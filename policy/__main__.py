"""The policy pack as the Pulumi CLI runs it (`pulumi preview/up --policy-pack policy`).

`PolicyPack` starts the analyzer's gRPC server and blocks, so it is built here only; the rules
live in `aigw_policy`, which the local engine imports to call the same validate functions.
"""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # the CLI runs this file; the local engine loads it too, repeatedly
    sys.path.insert(0, HERE)

from aigw_policy import PACK_NAME, POLICIES  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

PolicyPack(PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
