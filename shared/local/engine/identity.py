"""Which emulator a state describes: an instance id the engine keeps on the emulator itself.

An address says where an emulator listens, not what it holds: the same port can serve a wiped
emulator, and another port a second one with none of the stack's resources. So the first run
against an emulator leaves an id on it (an SSM parameter; it lives and dies with the emulator's
own saved state), and every state records the id it was applied to.
"""

from __future__ import annotations

import uuid

from botocore.exceptions import ClientError

from shared.local.engine.providers.base import Context, error_code

PARAMETER = "/aigw/emulator/instance"


def instance_id(ctx: Context) -> str:
    """The id of the emulator at `ctx`, made on first use."""
    ssm = ctx.client("ssm")
    try:
        value: str = ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
        return value
    except ClientError as error:
        if error_code(error) != "ParameterNotFound":
            raise
    made = uuid.uuid4().hex[:12]
    try:
        ssm.put_parameter(
            Name=PARAMETER,
            Value=made,
            Type="String",
            Overwrite=False,
            Description="Which emulator this is: the aigw engine's states record it.",
        )
    except ClientError as error:
        if error_code(error) != "ParameterAlreadyExists":  # another run made it first
            raise
        value = ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
        return value
    return made
