"""Step Functions state machines on the emulator.

MiniStack 1.5.33 runs executions of Pass, Task (Lambda), Choice, Wait, Parallel and Map states
in-process. Where it differs from AWS: it does not keep a tracing (X-Ray) configuration, so
`tracingConfiguration` is not applied and not accepted; it does not check that the role can be
assumed by states.amazonaws.com, nor that a log group named in the logging configuration exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.local.engine.live import live_inputs, same_document
from shared.local.engine.naming import AutoName
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    drop_none,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import STEP_FUNCTIONS


def state_machine_arn(ctx: Context, region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{ctx.account_id}:stateMachine:{name}"


def _logging(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """The AWS shape of pulumi-aws's logging block (one log group ARN, ending in `:*`)."""
    if not config:
        return None
    destination = config.get("logDestination")
    return drop_none(
        level=config.get("level"),
        includeExecutionData=config.get("includeExecutionData"),
        destinations=(
            [{"cloudWatchLogsLogGroup": {"logGroupArn": destination}}] if destination else None
        ),
    )


def _live_logging(live: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    """The logging block as the program writes it; a default (level OFF, no execution data,
    no destination) counts only where the program set it."""
    destinations = live.get("destinations") or []
    found = {
        "level": live.get("level", "OFF"),
        "includeExecutionData": bool(live.get("includeExecutionData")),
        "logDestination": (
            destinations[0].get("cloudWatchLogsLogGroup", {}).get("logGroupArn")
            if destinations
            else None
        ),
    }
    defaults = {"level": "OFF", "includeExecutionData": False, "logDestination": None}
    return live_inputs(recorded, found, defaults)


@provides
class StateMachine(Provider):
    """A state machine; its id is its ARN, as in the AWS provider."""

    type_token = "aws:sfn/stateMachine:StateMachine"
    service = "stepfunctions"
    inputs = frozenset(
        {
            "name",
            "namePrefix",
            "definition",
            "roleArn",
            "type",
            "loggingConfiguration",
            "publish",
            "tags",
            "region",
        }
    )
    outputs = frozenset(
        {
            "arn",
            "status",
            "creationDate",
            "revisionId",
            "stateMachineVersionArn",
            "description",
            "versionDescription",
            "tagsAll",
        }
    )
    # A machine cannot change between STANDARD and EXPRESS: a new type replaces it.
    updatable = frozenset({"definition", "roleArn", "loggingConfiguration", "publish", "tags"})
    auto_name = AutoName("name", prefix="namePrefix", max_length=80)
    not_found_codes = frozenset({"StateMachineDoesNotExist"})
    # CreateStateMachine with the name and definition of an existing machine returns it.
    identity = ("name",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        answer = client.create_state_machine(
            **drop_none(
                name=i["name"],
                definition=i["definition"],
                roleArn=i["roleArn"],
                type=i.get("type"),
                loggingConfiguration=_logging(i.get("loggingConfiguration")),
                publish=i.get("publish"),
                tags=[{"key": k, "value": v} for k, v in (i.get("tags") or {}).items()] or None,
            )
        )
        arn = answer["stateMachineArn"]
        try:
            outputs = self._outputs(client, arn, i, answer.get("stateMachineVersionArn"))
        except Exception:
            client.delete_state_machine(stateMachineArn=arn)  # leave nothing unrecorded behind
            raise
        return Created(arn, outputs)

    @staticmethod
    def _outputs(client: Client, arn: str, inputs: Inputs, version_arn: str | None) -> Outputs:
        live = client.describe_state_machine(stateMachineArn=arn)
        created = live.get("creationDate")
        return {
            "name": live["name"],
            "arn": arn,
            "status": live.get("status"),
            "creationDate": created.isoformat() if isinstance(created, datetime) else created,
            "revisionId": live.get("revisionId", ""),
            "stateMachineVersionArn": version_arn or "",
            "description": live.get("description", ""),
            "versionDescription": "",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        version_arn = None
        if any(
            old.get(k) != new.get(k)
            for k in ("definition", "roleArn", "loggingConfiguration", "publish")
        ):
            answer = client.update_state_machine(
                **drop_none(
                    stateMachineArn=have.id,
                    definition=new["definition"],
                    roleArn=new["roleArn"],
                    # No block means logging off, as on a new machine.
                    loggingConfiguration=_logging(new.get("loggingConfiguration"))
                    or {"level": "OFF", "includeExecutionData": False},
                    publish=new.get("publish"),
                )
            )
            version_arn = answer.get("stateMachineVersionArn")
        STEP_FUNCTIONS.retag(client, have.id, old.get("tags"), new.get("tags"))
        kept_version = have.outputs.get("stateMachineVersionArn")
        return self._outputs(client, have.id, new, version_arn or kept_version)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_state_machine(stateMachineArn=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        client = self.client(ctx, have.inputs)
        recorded = have.inputs
        live = client.describe_state_machine(stateMachineArn=have.id)
        found = {
            "name": live["name"],
            "definition": same_document(recorded.get("definition"), live.get("definition")),
            "roleArn": live.get("roleArn"),
            "type": live.get("type"),
            "loggingConfiguration": _live_logging(
                live.get("loggingConfiguration") or {}, recorded.get("loggingConfiguration") or {}
            ),
            "tags": STEP_FUNCTIONS.read(client, have.id),
        }
        return live_inputs(recorded, found, {"tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        i = want.inputs
        arn = state_machine_arn(ctx, ctx.region_of(i), i["name"])
        found = self.lookup(self.client(ctx, i).describe_state_machine, stateMachineArn=arn)
        return None if found is None else arn
