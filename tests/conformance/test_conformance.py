"""Conformance: ordinary Pulumi programs, written as Pulumi's documentation and pulumi/examples
write them, each deployed by the local engine to the emulator, called (over HTTP through the
emulator's gateway where it has an API), redeployed with no change, and destroyed leaving
nothing on the emulator.

The programs are tests/conformance/programs/<name>/ (Pulumi.yaml, __main__.py, optional helper
modules and Pulumi.local.yaml); seed_<pattern> are the five seed programs with only the edits
pulumi-aws 7 and AWS require (each lists its edits at the top). Each program has one check
below, registered with `@checks(<name>)`, that asserts on what the program computes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared import catalog
from shared.errors import UserError
from shared.local.engine import identity
from shared.local.engine.engine import Action, Engine
from shared.local.engine.providers import Context
from shared.local.engine.state import StateStore
from shared.ops.stack_files import project_name, stack_config

pytestmark = pytest.mark.emulator

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
REFUSED = HERE / "refused"
STACK = "local"
REGION = "us-east-1"


# -- what the emulator holds ----------------------------------------------------------------------

# The regions the programs deploy to: the stack's, and explicit_provider's.
REGIONS = (REGION, "us-west-2")

# (service, operation, list key of the answer, field naming an item ("" for plain names), args)
_REGIONAL_LISTINGS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("apigateway", "get_rest_apis", "items", "id", {}),
    ("apigatewayv2", "get_apis", "Items", "ApiId", {}),
    ("lambda", "list_functions", "Functions", "FunctionName", {}),
    ("lambda", "list_layers", "Layers", "LayerName", {}),
    ("dynamodb", "list_tables", "TableNames", "", {}),
    ("sqs", "list_queues", "QueueUrls", "", {}),
    ("sns", "list_topics", "Topics", "TopicArn", {}),
    ("events", "list_event_buses", "EventBuses", "Name", {}),
    ("stepfunctions", "list_state_machines", "stateMachines", "stateMachineArn", {}),
    ("secretsmanager", "list_secrets", "SecretList", "ARN", {}),
    ("ssm", "describe_parameters", "Parameters", "Name", {}),
    ("cognito-idp", "list_user_pools", "UserPools", "Id", {"MaxResults": 60}),
    ("logs", "describe_log_groups", "logGroups", "logGroupName", {}),
    ("cloudwatch", "describe_alarms", "MetricAlarms", "AlarmName", {}),
)
# IAM and S3 names are global: listed once.
_GLOBAL_LISTINGS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("iam", "list_roles", "Roles", "RoleName", {}),
    ("iam", "list_policies", "Policies", "Arn", {"Scope": "Local"}),
    ("s3", "list_buckets", "Buckets", "Name", {}),
)

Inventory = dict[str, frozenset[str]]


def emulator_inventory(client: Callable[..., Any]) -> Inventory:
    """'<service>.<operation>[@<region>]' -> the names of what that listing shows, for every
    service the programs use: API Gateway v1/v2 APIs, Lambda functions and layers, IAM roles
    and customer policies, S3 buckets, DynamoDB tables, SQS queues, SNS topics, EventBridge
    buses and the rules of each, Step Functions state machines, secrets, SSM parameters,
    Cognito user pools, log groups and alarms."""
    found: Inventory = {}
    for service, operation, key, name, arguments in _GLOBAL_LISTINGS:
        found[f"{service}.{operation}"] = _names(client(service), operation, key, name, arguments)
    for region in REGIONS:
        for service, operation, key, name, arguments in _REGIONAL_LISTINGS:
            api = client(service, region)
            found[f"{service}.{operation}@{region}"] = _names(api, operation, key, name, arguments)
        events = client("events", region)
        found[f"events.list_rules@{region}"] = frozenset(
            f"{bus}/{rule}"
            for bus in found[f"events.list_event_buses@{region}"]
            for rule in _names(events, "list_rules", "Rules", "Name", {"EventBusName": bus})
        )
    return found


def _names(
    api: Any, operation: str, key: str, name: str, arguments: dict[str, Any]
) -> frozenset[str]:
    if api.can_paginate(operation):
        pages: Iterable[dict[str, Any]] = api.get_paginator(operation).paginate(**arguments)
    else:
        pages = [getattr(api, operation)(**arguments)]
    return frozenset(item[name] if name else item for page in pages for item in page.get(key, []))


def left_behind(
    before: Inventory, after: Inventory, ignore: Iterable[str] = ()
) -> dict[str, list[str]]:
    """What each listing of `after` shows that `before` did not, the names in `ignore` aside."""
    skipped = set(ignore)
    extra = {key: after[key] - before.get(key, frozenset()) - skipped for key in after}
    return {key: sorted(names) for key, names in extra.items() if names}


def runtime_log_groups(before: Inventory, deployed: Inventory) -> set[str]:
    """The log groups Lambda itself writes for the functions a program made, when they are
    invoked (/aws/lambda/<function>). They are not the program's resources: `pulumi destroy`
    leaves them on AWS too, unless the program declares them (metric_alarm does)."""
    return {
        f"/aws/lambda/{function}"
        for region in REGIONS
        for function in deployed[f"lambda.list_functions@{region}"]
        - before[f"lambda.list_functions@{region}"]
    }


# -- deploying a program --------------------------------------------------------------------------


def engine_for(
    program_dir: Path,
    emulator_url: str,
    overrides: dict[str, str],
    out: Callable[[str], None],
    model_url: str | None = None,
) -> Engine:
    """The engine `invoke deploy` would make for a project in `program_dir`: its stack config
    (Pulumi.local.yaml, with Pulumi.yaml's defaults) and its state where the local state of
    every project is kept (catalog.state_dir(), the test session's own), so a StackReference
    finds the state of another project deployed before it."""
    project = project_name(program_dir)
    has_stack_file = (program_dir / f"Pulumi.{STACK}.yaml").exists()
    config = stack_config(program_dir, STACK) if has_stack_file else {}
    config.update(overrides)
    state_path = catalog.state_dir() / "engine" / project / f"{STACK}.json"
    # The session's model server answers SageMaker runtime calls (the engine's bridge for REST
    # AWS integrations calls it there).
    context = Context(emulator_url, REGION, model_url=model_url)
    return Engine(program_dir, project, STACK, config, context, state_path, out=out)


@contextlib.contextmanager
def deployed(engine: Engine) -> Iterator[dict[str, Any]]:
    """Deploy, yield the stack outputs' values, destroy. When the body (or the deploy) fails,
    the destroy still runs but its own failure does not hide the first one."""
    try:
        outputs = engine.up()
        yield {name: output.value for name, output in outputs.items()}
    except BaseException:
        with contextlib.suppress(Exception):
            engine.destroy()
        raise
    engine.destroy()


# -- calling what was deployed --------------------------------------------------------------------

_AWS_INVOKE_URL = re.compile(
    r"^https://(?P<api>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?P<rest>/.*)?$"
)


@dataclass
class Deployment:
    """A deployed program as its check sees it: its outputs, boto3 clients and HTTP calls on
    the session's emulator."""

    outputs: dict[str, Any]
    client: Callable[..., Any]
    emulator_url: str
    http: Callable[..., Any]
    # Outputs of the programs deployed before it (its `needs`), by folder name.
    needed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def url(self, exported: str, path: str = "") -> str:
        """The emulator's address of `path` under an invoke URL the program exported. An AWS
        URL (https://{api}.execute-api.{region}.amazonaws.com/...) is sent through the
        emulator's gateway (/_aws/execute-api/{api}/...). Under an HTTP API's endpoint, which
        names no stage, AWS serves a path that starts with a stage's name from that stage and
        any other from the `$default` stage; the emulator needs `$default` named."""
        aws_form = _AWS_INVOKE_URL.match(exported)
        if aws_form:
            api, rest = aws_form["api"], aws_form["rest"] or ""
            exported = f"{self.emulator_url}/_aws/execute-api/{api}{rest}"
        exported = exported.rstrip("/")
        prefix = f"{self.emulator_url}/_aws/execute-api/"
        api_id = exported[len(prefix) :]
        if exported.startswith(prefix) and "/" not in api_id:
            stages = self.client("apigatewayv2").get_stages(ApiId=api_id)["Items"]
            if path.lstrip("/").split("/")[0].split("?")[0] not in {s["StageName"] for s in stages}:
                exported += "/$default"
        return exported + path

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Invoke a function directly; its decoded answer (a failure raises with its error)."""
        answer = self.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event))
        payload = json.loads(answer["Payload"].read() or b"null")
        assert "FunctionError" not in answer, payload
        return payload

    def receive(self, queue_url: str, region: str = REGION, within: float = 15) -> list[Any]:
        """The decoded bodies of the messages on a queue, waiting up to `within` seconds for
        the first one."""
        sqs = self.client("sqs", region)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            if got.get("Messages"):
                return [json.loads(m["Body"]) for m in got["Messages"]]
        return []


@dataclass(frozen=True)
class Program:
    name: str
    check: Callable[[Deployment], None]
    # Config the program is given beyond its Pulumi.local.yaml, made from the session's model
    # server (the one endpoint a program needs that only exists while the tests run).
    config: Callable[[Any], dict[str, str]] | None = None
    # Programs deployed before this one (and destroyed after it): what its StackReference reads.
    needs: tuple[str, ...] = ()


CHECKS: dict[str, Program] = {}


def checks(
    name: str,
    config: Callable[[Any], dict[str, str]] | None = None,
    needs: tuple[str, ...] = (),
) -> Callable[[Callable[[Deployment], None]], Callable[[Deployment], None]]:
    """Register the check of tests/conformance/programs/<name>."""

    def register(check: Callable[[Deployment], None]) -> Callable[[Deployment], None]:
        CHECKS[name] = Program(name, check, config, needs)
        return check

    return register


def ok(reply: Any) -> Any:
    """The body of a 200 answer (any other status fails, showing the answer)."""
    assert reply.status == 200, (reply.status, reply.body)
    return reply.body


# -- the checks -----------------------------------------------------------------------------------


@checks("rest_lambda_flat")
def check_rest_lambda_flat(d: Deployment) -> None:
    assert ok(d.http("GET", d.url(d.outputs["url"], "/add?a=2&b=3.5"))) == {"sum": 5.5}
    missing = d.http("GET", d.url(d.outputs["url"], "/subtract?a=1&b=1"))
    assert missing.status == 404 and missing.body == {"error": "no route /subtract"}


@checks("rest_openapi")
def check_rest_openapi(d: Deployment) -> None:
    body = ok(d.http("GET", d.url(d.outputs["url"], "/greet?name=Ada")))
    assert body == {"greeting": "Hello, Ada!", "letters": 3}


@checks("http_quick_create")
def check_http_quick_create(d: Deployment) -> None:
    body = ok(d.http("POST", d.url(d.outputs["endpoint"], "/reverse"), {"text": "deploy me now"}))
    assert body == {"reversed": "won em yolped", "words": 3}


@checks("http_routes_dynamodb")
def check_http_routes_dynamodb(d: Deployment) -> None:
    item = d.url(d.outputs["url"], "/items/basket-1")
    lines = [{"price": 2.5, "quantity": 2}, {"price": 1, "quantity": 3}]
    assert ok(d.http("PUT", item, {"lines": lines})) == {"stored": "basket-1"}
    assert ok(d.http("GET", item)) == {"id": "basket-1", "lines": 2, "total": 8.0}
    stored = d.client("dynamodb").get_item(
        TableName=d.outputs["tableName"], Key={"id": {"S": "basket-1"}}
    )
    assert json.loads(stored["Item"]["document"]["S"]) == {"lines": lines}
    assert d.http("GET", d.url(d.outputs["url"], "/items/none")).status == 404


@checks("rest_any_order")
def check_rest_any_order(d: Deployment) -> None:
    body = ok(d.http("POST", d.url(d.outputs["url"], "/v1/score"), {"values": [3, 1, 8]}))
    assert body == {"count": 3, "mean": 4.0, "max": 8}


@checks("data_sources")
def check_data_sources(d: Deployment) -> None:
    account = d.client("sts").get_caller_identity()["Account"]
    assert (d.outputs["accountId"], d.outputs["region"]) == (account, REGION)
    assert d.outputs["partition"] == "aws"
    assert d.outputs["zones"] and all(z.startswith(REGION) for z in d.outputs["zones"])
    answer = d.invoke(d.outputs["functionName"], {})
    assert answer == {"arn": d.outputs["functionArn"], "zone": d.outputs["zones"][0]}


@checks("component")
def check_component(d: Deployment) -> None:
    word = "Rhythmically"
    for url, vowels in (("englishUrl", "aeiou"), ("welshUrl", "aeiouwy")):
        body = ok(d.http("GET", d.url(d.outputs[url], f"/count?word={word}")))
        assert body == {"word": word, "vowels": sum(c in vowels for c in word.lower())}


@checks("explicit_provider")
def check_explicit_provider(d: Deployment) -> None:
    west_sqs, west_ssm = d.client("sqs", "us-west-2"), d.client("ssm", "us-west-2")
    assert ":us-west-2:" in d.outputs["queueArn"]
    attributes = west_sqs.get_queue_attributes(
        QueueUrl=d.outputs["queueUrl"], AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    parameter = west_ssm.get_parameter(Name=d.outputs["parameterName"])["Parameter"]
    assert parameter["Value"] == d.outputs["queueUrl"]
    with pytest.raises(ClientError, match="ParameterNotFound"):
        d.client("ssm").get_parameter(Name=d.outputs["parameterName"])


@checks("stackref_producer")
def check_stackref_producer(d: Deployment) -> None:
    table = d.client("dynamodb").describe_table(TableName=d.outputs["tableName"])["Table"]
    assert table["TableArn"] == d.outputs["tableArn"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "author": "HASH",
        "sequence": "RANGE",
    }


@checks("stackref_consumer", needs=("stackref_producer",))
def check_stackref_consumer(d: Deployment) -> None:
    assert d.outputs["tableName"] == d.needed["stackref_producer"]["tableName"]
    notes = d.url(d.outputs["url"], "/notes/ada")
    assert ok(d.http("POST", notes, {"text": "first note"}))["sequence"] == 1
    assert ok(d.http("POST", notes, {"text": "a longer second note"}))["sequence"] == 2
    body = ok(d.http("GET", notes))
    assert body == {"author": "ada", "notes": ["first note", "a longer second note"], "words": 6}
    count = d.client("dynamodb").query(
        TableName=d.outputs["tableName"],
        KeyConditionExpression="author = :a",
        ExpressionAttributeValues={":a": {"S": "ada"}},
    )["Count"]
    assert count == 2


@checks("iam_policy")
def check_iam_policy(d: Deployment) -> None:
    iam = d.client("iam")
    attached = iam.list_attached_role_policies(RoleName=d.outputs["roleName"])
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [d.outputs["policyArn"]]
    policy = iam.get_policy(PolicyArn=d.outputs["policyArn"])["Policy"]
    version = iam.get_policy_version(
        PolicyArn=d.outputs["policyArn"], VersionId=policy["DefaultVersionId"]
    )["PolicyVersion"]["Document"]
    document = json.loads(version) if isinstance(version, str) else version
    resources = {s["Resource"] for s in document["Statement"]}
    bucket_arn = f"arn:aws:s3:::{d.outputs['bucket']}"
    assert resources == {bucket_arn, f"{bucket_arn}/*"}


@checks("sqs_sns")
def check_sqs_sns(d: Deployment) -> None:
    order = {"id": "o-7", "lines": [{"price": 2.5, "quantity": 4}, {"price": 0.75, "quantity": 2}]}
    body = ok(d.http("POST", d.url(d.outputs["url"], "/orders"), order))
    assert (body["id"], body["total"]) == ("o-7", 11.5) and body["messageId"]
    assert d.receive(d.outputs["queueUrl"]) == [{"id": "o-7", "total": 11.5}]
    topic = d.client("sns").get_topic_attributes(TopicArn=d.outputs["topicArn"])
    assert topic["Attributes"]["TopicArn"] == d.outputs["topicArn"]


@checks("eventbridge")
def check_eventbridge(d: Deployment) -> None:
    def event(source: str, detail_type: str, order_id: str) -> dict[str, Any]:
        detail = {"id": order_id, "unitPrice": 3, "quantity": 4}
        return {
            "EventBusName": d.outputs["busName"],
            "Source": source,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
        }

    sent = d.client("events").put_events(
        Entries=[
            event("shop.returns", "OrderPlaced", "not-matched"),
            event("shop.orders", "OrderPlaced", "e-1"),
        ]
    )
    assert sent["FailedEntryCount"] == 0
    assert d.receive(d.outputs["queueUrl"]) == [{"id": "e-1", "total": 12}]


@checks("stepfunctions")
def check_stepfunctions(d: Deployment) -> None:
    sfn = d.client("stepfunctions")
    numbers = [4, 8, 15, 16, 23, 42]
    started = sfn.start_execution(
        stateMachineArn=d.outputs["state_machine_arn"], input=json.dumps({"numbers": numbers})
    )
    deadline = time.monotonic() + 20
    execution = sfn.describe_execution(executionArn=started["executionArn"])
    while execution["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
        execution = sfn.describe_execution(executionArn=started["executionArn"])
    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(execution["output"]) == {"sum": sum(numbers), "count": len(numbers)}


@checks("secrets_ssm")
def check_secrets_ssm(d: Deployment) -> None:
    secret = d.client("secretsmanager").get_secret_value(SecretId=d.outputs["secretArn"])
    key = json.loads(secret["SecretString"])["key"]
    answer = d.invoke(d.outputs["functionName"], {"name": "Ada"})
    expected = hmac.new(key.encode(), b"Hello, Ada!", hashlib.sha256).hexdigest()
    assert answer == {"message": "Hello, Ada!", "signature": expected}


@checks("cognito")
def check_cognito(d: Deployment) -> None:
    [scope] = d.outputs["scopes"]
    assert scope == "https://models.example.com/predict"
    basic = base64.b64encode(f"{d.outputs['clientId']}:{d.outputs['clientSecret']}".encode())
    reply = d.http(
        "POST",
        f"{d.emulator_url}/oauth2/token",
        raw=f"grant_type=client_credentials&scope={scope}".encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {basic.decode()}",
        },
    )
    token = ok(reply)["access_token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["client_id"] == d.outputs["clientId"]
    assert claims["scope"].split() == [scope]
    assert claims["iss"].endswith(f"/{d.outputs['userPoolId']}")
    domain = d.client("cognito-idp").describe_user_pool_domain(Domain=d.outputs["domain"])
    assert domain["DomainDescription"]["UserPoolId"] == d.outputs["userPoolId"]


def client_credentials(d: Deployment, scope: str) -> str:
    """An access token for the program's app client (`clientId`, `clientSecret`) from the
    pool's token endpoint, which the emulator serves on its own address."""
    basic = base64.b64encode(f"{d.outputs['clientId']}:{d.outputs['clientSecret']}".encode())
    reply = d.http(
        "POST",
        f"{d.emulator_url}/oauth2/token",
        raw=f"grant_type=client_credentials&scope={scope}".encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {basic.decode()}",
        },
    )
    return str(ok(reply)["access_token"])


@checks("rest_cognito_authorizer")
def check_rest_cognito_authorizer(d: Deployment) -> None:
    [scope] = d.outputs["scopes"]
    token = client_credentials(d, scope)
    assert ok(d.http("GET", d.outputs["url"], headers={"Authorization": token})) == {"reports": []}
    assert d.http("GET", d.outputs["url"]).status == 401
    assert d.http("GET", d.outputs["url"], headers={"Authorization": "x.y.z"}).status == 401


@checks(
    "http_jwt_authorizer",
    config=lambda model_server: {"http_jwt_authorizer:backend": f"{model_server.url}/invocations"},
)
def check_http_jwt_authorizer(d: Deployment) -> None:
    [scope] = d.outputs["scopes"]
    token = client_credentials(d, scope)
    url = d.url(d.outputs["url"])
    body = {"inputs": "I love this, it is wonderful"}
    answer = ok(d.http("POST", url, body, {"Authorization": f"Bearer {token}"}))
    assert answer["predictions"][0]["label"] == "positive"
    assert d.http("POST", url, body).status == 401


@checks("rest_sagemaker_endpoint")
def check_rest_sagemaker_endpoint(d: Deployment) -> None:
    """The model's answer passed through; the model's 400 (no text) kept as 400."""
    happy = ok(d.http("POST", d.outputs["url"], {"text": "I love this, it is wonderful"}))
    assert happy["predictions"][0]["label"] == "positive"
    refused = d.http("POST", d.outputs["url"], {"not-text": 1})
    assert (refused.status, refused.body) == (400, {"message": "Bad request"})


@checks("lambda_layer_alias")
def check_lambda_layer_alias(d: Deployment) -> None:
    version = d.outputs["version"]
    assert version not in ("", "$LATEST")
    body = ok(d.http("GET", d.url(d.outputs["url"], "/convert?celsius=100")))
    assert body == {"fahrenheit": 212.0, "version": version}
    alias = d.client("lambda").get_alias(FunctionName=d.outputs["functionName"], Name="live")
    assert alias["FunctionVersion"] == version
    function = d.client("lambda").get_function_configuration(FunctionName=d.outputs["functionName"])
    assert [layer["Arn"] for layer in function["Layers"]] == [d.outputs["layerArn"]]


@checks("metric_alarm")
def check_metric_alarm(d: Deployment) -> None:
    assert d.invoke(d.outputs["functionName"], {"dividend": 17, "divisor": 5}) == {
        "quotient": 3,
        "remainder": 2,
    }
    [alarm] = d.client("cloudwatch").describe_alarms(AlarmNames=[d.outputs["alarmName"]])[
        "MetricAlarms"
    ]
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": d.outputs["functionName"]}]
    assert alarm["AlarmActions"] == [d.outputs["topicArn"]]
    [group] = d.client("logs").describe_log_groups(
        logGroupNamePrefix=f"/aws/lambda/{d.outputs['functionName']}"
    )["logGroups"]
    assert group["retentionInDays"] == 7


@checks("seed_versions")
def check_seed_versions(d: Deployment) -> None:
    # No route uses the stage variables (the seed's defect, kept): each stage answers 404.
    for output, version in (("stage_v1_invoke_url", "v1"), ("stage_v2_invoke_url", "v2")):
        assert d.http("GET", d.url(d.outputs[output], "/inference")).status == 404
        api_id = d.outputs[output].rstrip("/").split("/")[-2]
        stage = d.client("apigatewayv2").get_stage(ApiId=api_id, StageName=version)
        assert stage["StageVariables"]["modelVersion"] == version


@checks("seed_orchestration")
def check_seed_orchestration(d: Deployment) -> None:
    text = "the cat saw the dog"
    query = text.replace(" ", "+")
    body = ok(d.http("GET", d.url(d.outputs["api_endpoint"], f"/v1/?text={query}")))
    [(top, _count)] = Counter(text.split()).most_common(1)
    assert body == {"words": len(text.split()), "mostFrequent": top}


@checks(
    "seed_proxy",
    config=lambda model_server: {"seed-proxy:mlModelEndpoint": f"{model_server.url}/invocations"},
)
def check_seed_proxy(d: Deployment) -> None:
    happy = ok(d.http("POST", d.outputs["api_url"], {"inputs": "I love this, it is wonderful"}))
    sad = ok(d.http("POST", d.outputs["api_url"], {"inputs": "terrible, awful, broken"}))
    assert happy["predictions"][0]["label"] == "positive"
    assert sad["predictions"][0]["label"] == "negative"


@checks("seed_global")
def check_seed_global(d: Deployment) -> None:
    assert d.outputs["api_url"].startswith("https://")  # the AWS form the seed builds
    body = ok(d.http("POST", d.url(d.outputs["api_url"], "/ai"), {"prompt": "route this prompt"}))
    assert body == {"tokens": ["route", "this", "prompt"], "count": 3}


@checks("seed_workflows")
def check_seed_workflows(d: Deployment) -> None:
    service = d.url(d.outputs["invoke_url"], "/ai-service")
    steps = {"text": "Fan Out Fan In", "steps": ["lower", "split", "count"]}
    assert ok(d.http("POST", service, steps)) == {"method": "POST", "result": 4}
    assert ok(d.http("PUT", service, {"text": "Ab", "steps": ["upper"]})) == {
        "method": "PUT",
        "result": "AB",
    }


# -- the suite ------------------------------------------------------------------------------------

FOLDERS = sorted(p.name for p in PROGRAMS.iterdir() if (p / "Pulumi.yaml").exists())


# Programs the engine cannot run yet, each with the failure it gives (strict: a program that
# starts passing fails here until its entry is removed).
XFAIL: dict[str, str] = {}


def test_every_program_has_a_check_and_the_suite_is_big_enough():
    assert set(FOLDERS) == set(CHECKS)
    assert len([f for f in FOLDERS if not f.startswith("seed_")]) >= 15
    assert {f for f in FOLDERS if f.startswith("seed_")} == {
        f"seed_{p}" for p in ("versions", "orchestration", "proxy", "global", "workflows")
    }


@pytest.fixture(scope="module")
def clients(emulator_client) -> Callable[..., Any]:
    """`emulator_client`, each client made once: making one costs more than the calls an
    inventory makes with it (~35 clients per inventory, four inventories per program)."""
    return functools.cache(emulator_client)


@pytest.fixture(scope="module")
def identified_emulator(emulator_server) -> None:
    """The first run against an emulator leaves the engine's id of it there (an SSM parameter,
    see shared/local/engine/identity.py): made before any inventory, it is no program's."""
    identity.instance_id(Context(emulator_server.url, REGION))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=XFAIL[n])) if n in XFAIL else n
        for n in FOLDERS
    ],
)
def test_program_deploys_answers_redeploys_unchanged_and_destroys_clean(
    name, emulator_server, clients, model_server, http, identified_emulator
):
    program = CHECKS[name]
    lines: list[str] = []

    def engine(folder: str) -> Engine:
        make_config = CHECKS[folder].config
        overrides = make_config(model_server) if make_config else {}
        return engine_for(
            PROGRAMS / folder, emulator_server.url, overrides, lines.append, model_server.url
        )

    before = emulator_inventory(clients)
    with contextlib.ExitStack() as stack:
        needed = {n: stack.enter_context(deployed(engine(n))) for n in program.needs}
        the_engine = engine(name)
        outputs = stack.enter_context(deployed(the_engine))
        program.check(Deployment(outputs, clients, emulator_server.url, http, needed))

        # Redeployed with no change: the plan shows none and the apply makes none.
        plan = the_engine.plan()
        assert not plan.has_changes, [
            s.describe() for s in plan.steps if s.action is not Action.SAME
        ]
        state = StateStore(the_engine.state_path)
        recorded = {key: (r.id, r.inputs, r.outputs) for key, r in state.resources.items()}
        on_emulator = emulator_inventory(clients)
        the_engine.up()
        again = StateStore(the_engine.state_path)
        assert {k: (r.id, r.inputs, r.outputs) for k, r in again.resources.items()} == recorded
        assert emulator_inventory(clients) == on_emulator
        made_by_lambda = runtime_log_groups(before, on_emulator)

    after = emulator_inventory(clients)
    assert left_behind(before, after, ignore=made_by_lambda) == {}
    assert not StateStore(the_engine.state_path).resources


def test_an_input_the_engine_does_not_apply_is_refused_at_plan_time_by_name(
    emulator_server, clients, identified_emulator
):
    """`vpc_config` on a function: no provider applies it, so the engine refuses the program
    before anything is made, naming the resource, its type and the property."""
    lines: list[str] = []
    engine = engine_for(REFUSED / "unapplied_input", emulator_server.url, {}, lines.append)
    before = emulator_inventory(clients)

    with pytest.raises(UserError) as refused:
        engine.up()

    message = str(refused.value)
    assert "vpc-function" in message and "aws:lambda/function:Function" in message
    assert "vpcConfig" in message or "vpc_config" in message
    assert emulator_inventory(clients) == before
    assert not StateStore(engine.state_path).resources


def test_a_template_the_engine_cannot_render_is_refused_at_plan_time_by_name(
    emulator_server, clients, identified_emulator
):
    """A SageMaker integration whose request template loops (`#foreach`): the engine's bridge
    renders a subset of mapping templates, so the program is refused before anything is
    made, naming the resource, the template and what it uses."""
    lines: list[str] = []
    engine = engine_for(REFUSED / "unrendered_template", emulator_server.url, {}, lines.append)
    before = emulator_inventory(clients)

    with pytest.raises(UserError) as refused:
        engine.up()

    message = str(refused.value)
    assert "batch-invoke" in message and "requestTemplates['application/json']" in message
    assert "#foreach" in message
    assert emulator_inventory(clients) == before
    assert not StateStore(engine.state_path).resources
