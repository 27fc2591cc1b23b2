"""The bridge Lambda: a REST `AWS` integration to the SageMaker runtime or the Bedrock runtime,
done as API Gateway does it, for a gateway (MiniStack's) that cannot.

The gateway hands it the method request (it is the emulator copy of the integration, an
AWS_PROXY one); the integration as the program declared it is read from the gateway itself,
so a template or an integration response changed since is what runs:
1. the request template for the request's content type (`passthroughBehavior` decides when
   there is none) is rendered (vtl.py);
2. the integration's role (`credentials`) must allow the call: IAM's own evaluation of the
   role's policies (SimulatePrincipalPolicy) for `sagemaker:InvokeEndpoint` on the endpoint or
   `bedrock:InvokeModel` on the model; denied, the answer is the service's 403
   AccessDeniedException, as on AWS;
3. the service is called, signed with SigV4 with the role's credentials (STS AssumeRole):
   SageMaker at the local model server (`POST /endpoints/<name>/invocations`), Bedrock at the
   emulator's own runtime (`POST /model/<id>/converse`);
4. the integration response whose selection pattern matches the service's status code
   (the one without a pattern when none does) gives the status and the body: its template
   rendered on the service's answer, or that answer passed through when it has none.

Configuration (the function's environment, set by the engine): BRIDGE_METHOD
(`<api>/<resource>/<verb>`), BRIDGE_TARGET (the declared URI), BRIDGE_HTTP_METHOD,
BRIDGE_CREDENTIALS, BRIDGE_SAGEMAKER_URL, BRIDGE_REGION, BRIDGE_ACCOUNT; AWS_ENDPOINT_URL is
the emulator (MiniStack sets it).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from . import vtl

_URI = re.compile(r"^arn:aws:apigateway:(?P<region>[^:]+):(?P<service>[^:]+):path/(?P<path>.+)$")
_SAGEMAKER = re.compile(r"^endpoints/(?P<name>[^/]+)/invocations$")
_BEDROCK = re.compile(r"^model/(?P<model>[^/]+)/(?P<op>converse|invoke)$")
_SESSION = botocore.session.get_session()
TIMEOUT_S = 29.0  # API Gateway's default integration timeout (`timeoutInMillis`)


class Target:
    """Where a declared integration URI sends the call, and what IAM must allow for it."""

    def __init__(self, uri: str, region: str, account: str, sagemaker_url: str) -> None:
        parsed = _URI.match(uri)
        if parsed is None:
            raise ValueError(f"not an AWS service integration URI: {uri}")
        path = parsed.group("path")
        region = parsed.group("region") or region
        if parsed.group("service") == "runtime.sagemaker" and (m := _SAGEMAKER.match(path)):
            self.url = f"{sagemaker_url}/{path}"
            self.signing_name = "sagemaker"
            self.action = "sagemaker:InvokeEndpoint"
            self.resource = (
                f"arn:aws:sagemaker:{region}:{account}:endpoint/{m.group('name').lower()}"
            )
        elif parsed.group("service") == "bedrock-runtime" and (m := _BEDROCK.match(path)):
            self.url = f"{os.environ['AWS_ENDPOINT_URL'].rstrip('/')}/{path}"
            self.signing_name = "bedrock"
            self.action = "bedrock:InvokeModel"
            model = urllib.parse.unquote(m.group("model"))
            self.resource = f"arn:aws:bedrock:{region}::foundation-model/{model}"
        else:
            raise ValueError(f"the local bridge does not call {uri}")
        self.region = region


@functools.cache
def _client(service: str) -> Any:
    """A client of the emulator's, made once per warm worker (making one costs more than the
    call)."""
    return _SESSION.create_client(
        service,
        region_name=os.environ["BRIDGE_REGION"],
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _answer(status: int, body: str, content_type: str = "application/json") -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": content_type}, "body": body}


def _message(status: int, message: str) -> dict[str, Any]:
    return _answer(status, json.dumps({"message": message}))


def _header(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _request_body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8", "replace")
    return str(body)


def _integration_request(integration: dict[str, Any], event: dict[str, Any]) -> str | None:
    """The body sent to the service, or None when API Gateway would answer 415."""
    body = _request_body(event)
    templates = integration.get("requestTemplates") or {}
    content_type = _header(event.get("headers"), "content-type") or "application/json"
    content_type = content_type.split(";", 1)[0].strip().lower()
    template = next((t for k, t in templates.items() if k.lower() == content_type), None)
    if template is not None:
        return vtl.render(template, body)
    behaviour = (integration.get("passthroughBehavior") or "WHEN_NO_MATCH").upper()
    if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
        return None
    return body


def _allowed(target: Target, role: str) -> bool:
    result = _client("iam").simulate_principal_policy(
        PolicySourceArn=role, ActionNames=[target.action], ResourceArns=[target.resource]
    )["EvaluationResults"]
    return bool(result) and result[0].get("EvalDecision") == "allowed"


def _call(
    target: Target, role: str, method: str, body: str, timeout_s: float
) -> tuple[int, str, str]:
    """The service's status, body and content type; calls it as the role."""
    assumed = _client("sts").assume_role(RoleArn=role, RoleSessionName="apigateway")
    keys = assumed["Credentials"]
    credentials = Credentials(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])
    request = AWSRequest(
        method=method,
        url=target.url,
        data=body.encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    SigV4Auth(credentials, target.signing_name, target.region).add_auth(request)
    prepared = urllib.request.Request(
        target.url, data=body.encode(), method=method, headers=dict(request.headers.items())
    )
    try:
        with urllib.request.urlopen(prepared, timeout=timeout_s) as response:
            payload = response.read().decode("utf-8", "replace")
            return response.status, payload, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        payload = error.read().decode("utf-8", "replace")
        return error.code, payload, error.headers.get("Content-Type", "")


def _selected(integration: dict[str, Any], status: int) -> dict[str, Any] | None:
    """The integration response for the service's status code: the first (by status code)
    whose selection pattern matches it whole, else the one without a pattern."""
    responses = sorted((integration.get("integrationResponses") or {}).items())
    for _, response in responses:
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, str(status)):
            return dict(response)
    return next((dict(r) for _, r in responses if not r.get("selectionPattern")), None)


def _method_response(
    response: dict[str, Any], event: dict[str, Any], body: str, content_type: str
) -> dict[str, Any]:
    status = int(response.get("statusCode") or 200)
    templates = response.get("responseTemplates") or {}
    accept = (_header(event.get("headers"), "accept") or "").split(",")[0].split(";")[0].strip()
    key = (
        accept
        if accept in templates
        else "application/json"
        if "application/json" in templates
        else next(iter(templates), None)
    )
    template = templates.get(key) if key else None
    if not template:
        return _answer(status, body, content_type or "application/json")
    return _answer(status, vtl.render(template, body), key or "application/json")


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    api, resource, verb = os.environ["BRIDGE_METHOD"].split("/")
    integration = _client("apigateway").get_integration(
        restApiId=api, resourceId=resource, httpMethod=verb
    )
    target = Target(
        os.environ["BRIDGE_TARGET"],
        os.environ["BRIDGE_REGION"],
        os.environ["BRIDGE_ACCOUNT"],
        os.environ["BRIDGE_SAGEMAKER_URL"],
    )
    request = _integration_request(integration, event)
    if request is None:
        return _message(415, "Unsupported Media Type")
    role = os.environ["BRIDGE_CREDENTIALS"]
    verb = os.environ.get("BRIDGE_HTTP_METHOD") or "POST"
    if not _allowed(target, role):
        status, body, content_type = (
            403,
            json.dumps(
                {
                    "__type": "AccessDeniedException",
                    "message": f"{role} is not authorized to perform: {target.action} on resource: "
                    f"{target.resource}",
                }
            ),
            "application/json",
        )
    else:
        try:
            timeout_s = float(integration.get("timeoutInMillis") or TIMEOUT_S * 1000) / 1000
            status, body, content_type = _call(target, role, verb, request, timeout_s)
        except TimeoutError:
            return _message(504, "Endpoint request timed out")
        except OSError:
            return _message(500, "Internal server error")  # the service could not be reached
    response = _selected(integration, status)
    # One line per call, as API Gateway's execution log has it (and MiniStack answers a
    # function that prints nothing ~50 ms later than one that prints a line).
    print(f"{verb} {target.url} -> {status}; method response {(response or {}).get('statusCode')}")
    if response is None:
        return _message(500, "Internal server error")  # no mapping: a configuration error
    return _method_response(response, event, body, content_type)
