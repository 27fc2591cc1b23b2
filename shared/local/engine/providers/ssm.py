"""SSM Parameter Store parameters on the emulator.

A parameter's value is secret in pulumi-aws (`value`; `insecureValue` is the plain one): it is
sent to the emulator and compared, never put into a message. The program runner hands it over
wrapped as a Pulumi secret (`pulumi.runtime.rpc`'s marker), and the record keeps it so: the
provider unwraps it to send it, and `read` wraps the live value the same way.

MiniStack 1.5.33 behaved like AWS for every call used here; it takes a SecureString without a
KMS key of the program's (the account's default `alias/aws/ssm`), so `keyId` is not among the
inputs.
"""

from __future__ import annotations

from typing import Any

from shared.local.engine.live import live_inputs
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
from shared.local.engine.secret_values import like_recorded, revealed
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import SSM_PARAMETER, tag_list

# What AWS sets for an input a program leaves out, in the record's form.
_DEFAULTS: Inputs = {
    "description": "",
    "tier": "Standard",
    "allowedPattern": "",
    "dataType": "text",
    "tags": {},
}


def _value(inputs: Inputs) -> Any:
    value = inputs["value"] if inputs.get("value") is not None else inputs.get("insecureValue")
    return revealed(value)


@provides
class Parameter(Provider):
    """A String, StringList or SecureString parameter; its id is its name."""

    type_token = "aws:ssm/parameter:Parameter"
    service = "ssm"
    inputs = frozenset(
        {
            "name",
            "type",
            "value",
            "insecureValue",
            "description",
            "tier",
            "allowedPattern",
            "dataType",
            "overwrite",
            "tags",
            "region",
        }
    )
    outputs = frozenset({"arn", "version", "tagsAll"})
    # Not `tier`: AWS cannot turn an Advanced parameter back into a Standard one.
    updatable = frozenset(
        {"type", "value", "insecureValue", "description", "allowedPattern", "overwrite", "tags"}
    )
    auto_name = AutoName("name", max_length=2048)
    not_found_codes = frozenset({"ParameterNotFound"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        # AWS refuses tags together with Overwrite: an overwritten parameter is tagged after.
        overwrite = bool(i.get("overwrite"))
        version = self._put(client, i, overwrite=overwrite, tags=not overwrite)
        if overwrite and i.get("tags"):
            try:
                SSM_PARAMETER.tag(client, i["name"], i["tags"])
            except Exception:
                client.delete_parameter(Name=i["name"])  # leave nothing unrecorded behind
                raise
        return Created(i["name"], self._outputs(ctx, i, version))

    @staticmethod
    def _put(client: Client, inputs: Inputs, *, overwrite: bool, tags: bool) -> int:
        answer = client.put_parameter(
            Name=inputs["name"],
            Type=inputs["type"],
            Value=_value(inputs),
            Overwrite=overwrite,
            **drop_none(
                # An update must clear what the program no longer sets.
                Description=inputs.get("description", "" if overwrite else None),
                Tier=inputs.get("tier"),
                AllowedPattern=inputs.get("allowedPattern", "" if overwrite else None),
                DataType=inputs.get("dataType"),
                Tags=(tag_list(inputs.get("tags")) or None) if tags else None,
            ),
        )
        return int(answer["Version"])

    @staticmethod
    def _outputs(ctx: Context, inputs: Inputs, version: int) -> Outputs:
        name = inputs["name"]
        # A hierarchical name starts with "/", which the ARN does not repeat.
        arn = f"arn:aws:ssm:{ctx.region_of(inputs)}:{ctx.account_id}:parameter/{name.lstrip('/')}"
        return {"arn": arn, "version": version, "tagsAll": dict(inputs.get("tags") or {})}

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        old, new = have.inputs, want.inputs
        client = self.client(ctx, new)
        settings = ("type", "value", "insecureValue", "description", "allowedPattern")
        version = have.outputs.get("version", 1)
        if any(old.get(k) != new.get(k) for k in settings):
            version = self._put(client, new, overwrite=True, tags=False)
        SSM_PARAMETER.retag(client, have.id, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, new, int(version))

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_parameter(Name=have.id)

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        client = self.client(ctx, i)
        parameter = client.get_parameter(Name=have.id, WithDecryption=True)["Parameter"]
        described = client.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": [have.id]}]
        )["Parameters"]
        details: dict[str, Any] = described[0] if described else {}
        live: Inputs = {
            "type": parameter["Type"],
            "description": details.get("Description") or "",
            "tier": details.get("Tier") or "Standard",
            "allowedPattern": details.get("AllowedPattern") or "",
            "dataType": parameter.get("DataType") or "text",
            "tags": SSM_PARAMETER.read(client, have.id),
        }
        # The value is compared under the input that carries it, a secret still a secret.
        prop = "insecureValue" if i.get("value") is None else "value"
        live[prop] = like_recorded(i.get(prop), parameter["Value"])
        return live_inputs(i, live, _DEFAULTS)

    def find(self, ctx: Context, want: Desired) -> str | None:
        name = want.inputs["name"]
        found = self.lookup(self.client(ctx, want.inputs).get_parameter, Name=name)
        return None if found is None else str(name)
