"""REST `AWS` integrations to the SageMaker runtime and the Bedrock runtime, on an emulator
whose gateway reaches only Lambda and SQS.

On AWS, API Gateway itself calls the service: it renders the integration's request template,
signs the call with the role in `credentials`, and maps the service's status code to a method
response by the integration responses' selection patterns. MiniStack 1.5.33 sends every
non-SQS `AWS` integration to Lambda and applies neither request templates nor integration
responses there. So the emulator copy of such an integration is an AWS_PROXY integration to a
Lambda function of the engine's own, the bridge (bridge/handler.py), which does what API
Gateway would, reading the declared templates and integration responses from the gateway at
each call. The program, the record and `read` see the integration as declared.

The bridge is named after its integration (`aigw-bridge-<api>-<resource>-<verb>`), made
before the integration's emulator copy and deleted with it; a create finds one an interrupted
run left and brings it up to date. Its role is the integration's `credentials` role, which
must exist (AWS refuses an integration whose role it cannot assume at call time; here the
create is refused at once).

What the bridge cannot apply is refused at plan time, by name (`refusals`): a request
template beyond vtl.py's subset, request parameters, content handling or cache keys, or a URI
that is not `.../runtime.sagemaker:path/endpoints/
<name>/invocations` or `.../bedrock-runtime:path/model/<id>/converse|invoke`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from shared.errors import UserError
from shared.local import model_endpoint
from shared.local.engine.bridge import vtl
from shared.local.engine.providers.base import Context, Inputs, is_not_found

BRIDGED_SERVICES = ("runtime.sagemaker", "bedrock-runtime")
_URI = re.compile(r"^arn:aws:apigateway:[^:]*:(?P<service>[^:]+):path/(?P<path>.+)$")
_PATHS = {
    "runtime.sagemaker": re.compile(r"^endpoints/[^/]+/invocations$"),
    "bedrock-runtime": re.compile(r"^model/[^/]+/(converse|invoke)$"),
}
_SOURCES = Path(__file__).parent / "bridge"
_HANDLER = "bridge.handler.handle"
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same sources make the same package


def bridged(inputs: Inputs) -> bool:
    """Whether this integration is one the bridge applies."""
    match = _URI.match(str(inputs.get("uri") or ""))
    return (
        inputs.get("type") == "AWS"
        and match is not None
        and (match.group("service") in BRIDGED_SERVICES)
    )


def refusals(inputs: Inputs) -> list[str]:
    """What of a bridged integration the bridge would not apply as declared."""
    if not bridged(inputs):
        return []
    found = []
    match = _URI.match(str(inputs["uri"]))
    assert match is not None
    if not _PATHS[match.group("service")].match(match.group("path")):
        found.append(f"uri (the local bridge does not call {match.group('path')!r})")
    for prop in ("requestParameters", "contentHandling", "cacheKeyParameters"):
        if inputs.get(prop):
            found.append(f"{prop} (the local bridge does not apply it to the service call)")
    for content_type, template in sorted((inputs.get("requestTemplates") or {}).items()):
        if isinstance(template, str) and (missing := vtl.unsupported(template)):
            found.append(
                f"requestTemplates[{content_type!r}] (the local bridge does not render "
                f"{', '.join(missing)})"
            )
    return found


def function_name(inputs: Inputs) -> str:
    return f"aigw-bridge-{inputs['restApi']}-{inputs['resourceId']}-{inputs['httpMethod']}"


def invoke_uri(ctx: Context, inputs: Inputs, function_arn: str) -> str:
    region = ctx.region_of(inputs)
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


def package() -> bytes:
    """The bridge's zip: the `bridge` package (handler.py, vtl.py)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sorted(_SOURCES.glob("*.py")):
            info = zipfile.ZipInfo(f"bridge/{source.name}", _ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


def sagemaker_runtime_url(ctx: Context) -> str:
    """Where the SageMaker runtime is answered: the context's model server, else the local
    model endpoint's default address."""
    return (ctx.model_url or model_endpoint.url()).rstrip("/")


def _environment(ctx: Context, inputs: Inputs) -> dict[str, str]:
    return {
        "BRIDGE_METHOD": f"{inputs['restApi']}/{inputs['resourceId']}/{inputs['httpMethod']}",
        "BRIDGE_TARGET": str(inputs["uri"]),
        "BRIDGE_HTTP_METHOD": str(inputs.get("integrationHttpMethod") or "POST"),
        "BRIDGE_CREDENTIALS": str(inputs.get("credentials") or ""),
        "BRIDGE_SAGEMAKER_URL": sagemaker_runtime_url(ctx),
        "BRIDGE_REGION": ctx.region_of(inputs),
        "BRIDGE_ACCOUNT": ctx.account_id,
    }


def _check_role(ctx: Context, inputs: Inputs) -> None:
    role = inputs.get("credentials")
    where = f"{inputs['httpMethod']} on resource {inputs['resourceId']} of API {inputs['restApi']}"
    if not role:
        raise UserError(
            f"The AWS integration of {where} has no credentials: API Gateway needs a role to "
            "call the service."
        )
    try:
        ctx.client("iam").get_role(RoleName=str(role).rsplit("/", 1)[-1])
    except ClientError as error:
        if is_not_found(error):
            raise UserError(
                f"The credentials role {role} of the AWS integration of {where} does not exist."
            ) from error
        raise


def ensure(ctx: Context, inputs: Inputs) -> str:
    """Make the integration's bridge, or bring one an interrupted run left up to date; returns
    the invoke URI the emulator copy of the integration points at."""
    _check_role(ctx, inputs)
    client = ctx.client("lambda", inputs.get("region"))
    name = function_name(inputs)
    settings: dict[str, Any] = {
        "Role": inputs["credentials"],
        "Handler": _HANDLER,
        "Runtime": "python3.12",
        "Timeout": 30,
        "Environment": {"Variables": _environment(ctx, inputs)},
    }
    try:
        function = client.create_function(
            FunctionName=name, Code={"ZipFile": package()}, **settings
        )
    except ClientError as error:
        if "ResourceConflict" not in str(error.response.get("Error", {}).get("Code")):
            raise
        client.update_function_code(FunctionName=name, ZipFile=package())
        _wait(client, name)
        function = client.update_function_configuration(FunctionName=name, **settings)
    _wait(client, name)
    return invoke_uri(ctx, inputs, function["FunctionArn"])


def _wait(client: Any, name: str) -> None:
    client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )


def remove(ctx: Context, inputs: Inputs) -> None:
    """Delete the integration's bridge; nothing happens when there is none."""
    try:
        ctx.client("lambda", inputs.get("region")).delete_function(
            FunctionName=function_name(inputs)
        )
    except ClientError as error:
        if not is_not_found(error):
            raise


def declared(ctx: Context, inputs: Inputs, live: dict[str, Any]) -> dict[str, Any] | None:
    """The declared type, URI and verb of a live integration that is a bridge's emulator copy
    (from the bridge's own configuration), or None when `live` is no such copy."""
    if live.get("type") != "AWS_PROXY" or function_name(inputs) not in str(live.get("uri")):
        return None
    client = ctx.client("lambda", inputs.get("region"))
    try:
        config = client.get_function_configuration(FunctionName=function_name(inputs))
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    variables = (config.get("Environment") or {}).get("Variables") or {}
    return {
        "type": "AWS",
        "uri": variables.get("BRIDGE_TARGET"),
        "integrationHttpMethod": variables.get("BRIDGE_HTTP_METHOD"),
    }


def reconfigure(ctx: Context, inputs: Inputs) -> None:
    """Point an existing bridge at a changed URI, verb or role."""
    _check_role(ctx, inputs)
    client = ctx.client("lambda", inputs.get("region"))
    client.update_function_configuration(
        FunctionName=function_name(inputs),
        Role=inputs["credentials"],
        Environment={"Variables": _environment(ctx, inputs)},
    )
    _wait(client, function_name(inputs))
