"""A fake `pulumi` CLI for the Automation API, installed on PATH by the tests as `pulumi`.

It answers exactly the commands `pulumi.automation` (SDK 3.272) runs for a local-program
stack, with the real CLI's output shapes:

    pulumi version
    pulumi --non-interactive stack select --stack <s>      (fails "no stack named" if absent)
    pulumi --non-interactive stack init <s>
    pulumi --non-interactive config set-all --stack <s> [--path] (--plaintext|--secret) k=v ...
    pulumi --non-interactive up --yes --skip-preview [--diff] --exec-kind auto.local
           [--event-log <file|tcp://host:port>] [--policy-pack <dir>]... --stack <s>
    pulumi --non-interactive preview [--diff] --exec-kind auto.local --event-log <..>
           [--policy-pack <dir>]... --stack <s>
    pulumi --non-interactive destroy --skip-preview --yes --exec-kind auto.local [...] --stack <s>
    pulumi --non-interactive stack output --json [--show-secrets] --stack <s>
    pulumi --non-interactive stack export [--show-secrets] --stack <s>
    pulumi --non-interactive stack history --json [--show-secrets] [--page-size N --page P]
           --stack <s>
    pulumi --non-interactive stack tag set <name> <value> --stack <s>
    pulumi --non-interactive stack tag get <name> --stack <s>   (fails "not found" if absent)
    pulumi --non-interactive stack tag rm <name> --stack <s>
    pulumi --non-interactive stack tag ls [--json] --stack <s>

Anything else fails like the CLI does for an unknown command. Engine events go to
`--event-log`: a JSON-lines file (CLI <= 3.205) or, like newer CLIs, a gRPC stream to the
Automation API's `pulumirpc.Events/StreamEvents` server at `tcp://host:port`.

`--policy-pack <dir>` is enforced as the CLI does it: the folder must hold PulumiPolicy.yaml;
when the project has a program (`__main__.py`), it runs under the local engine's mock runner
with the stack's config (stack references read the other stacks of this fake's state), the
pack's validate functions are called on what it declares (shared/local/engine/policy.py) after
pulumi-aws's Check as the CLI shows it (a name input left unset filled with the provider's
auto-name `<logical name>-<7 hex>`, lower-cased for a bucket, which the program reads too), and a
mandatory violation prints the CLI's "Policies:" report and fails with exit code 255 before
anything is applied. (The real `up --skip-preview` checks each resource before its step but
runs stack validations only once every step is done; `preview` checks both before anything.)
A project without a program has only the fake's three resources, which no rule is about.

Environment:
    FAKE_PULUMI_LOG        JSON-lines file: one record per call (argv, cwd, relevant env).
    FAKE_PULUMI_STATE      folder for the per-stack state files (default: a temp folder).
    FAKE_PULUMI_VERSION    what `pulumi version` prints (default v3.272.0).
    FAKE_PULUMI_FAIL       concurrent | locked | generic | diagnostics: up/preview/destroy fail
                           with the real CLI's error text and exit code 255.
    FAKE_PULUMI_HANDSHAKE  a path: after its first line of `up` output the fake waits until
                           this file exists (the test creates it from on_output), proving the
                           output is streamed while the command runs.
    FAKE_PULUMI_OUTPUTS    a JSON object merged into the outputs `up` produces (e.g. a `url`
                           pointing at a test server).
    FAKE_PULUMI_RESOURCES  a JSON list of {"type", "name", "id", "outputs"}: resources `up`
                           records besides the fake's three, as `stack export` shows them
                           (e.g. a Lambda function whose log group a test reads).
    FAKE_PULUMI_POLICY_CACHE  a folder: policy outcomes kept by their inputs (the program's,
                           the packs' and the shared code's files, the stack, its references),
                           so the same program is evaluated once per session, not per command.
    FAKE_PULUMI_STACK_OUTPUTS  a JSON object {"<project>/<stack>": {output: value}}: what a
                           stack reference to a stack this fake has no state of reads (e.g.
                           the bootstrap stack's `apiGatewayLoggingRegions`).
Stack tags: like the self-managed backends since CLI 3.211, a new stack gets the system tags
`pulumi:project` and `pulumi:runtime`; tags need no passphrase.
Secrets: with a DIY backend (PULUMI_BACKEND_URL file://, s3://...) commands that need the
secrets manager fail like the CLI unless PULUMI_CONFIG_PASSPHRASE(_FILE) is set.
"""

from __future__ import annotations

# Only what every call needs is imported here: the Automation API starts this fake about a dozen
# times per deploy and the suite some 700 times, so each module imported on first use instead
# (yaml, hashlib, datetime, tempfile, grpc) is start-up time saved on most of those calls.
import json
import os
import re
import sys
import time
from pathlib import Path

EXIT_FAILURE = 255
LOGGED_ENV = (
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "PULUMI_SKIP_UPDATE_CHECK",
    "PULUMI_HOME",
    "PULUMI_AUTOMATION_API",
    "PULUMI_DEBUG_COMMANDS",
)
MASK = "[secret]"

FAILURES = {
    "concurrent": "error: [409] Conflict: Another update is currently in progress.\n",
    "locked": (
        "error: the stack is currently locked by 1 lock(s). Either wait for the other "
        "process(es) to end or delete the lock file with `pulumi cancel`.\n"
        "  file:///tmp/state/.pulumi/locks/organization/demo/dev/1b2c.json: created by "
        "ci@runner (pid 4242) at 2025-01-01T00:00:00Z\n"
    ),
    "generic": (
        "\n"
        "error: getting AWS account ID: operation error STS: GetCallerIdentity, https response "
        "error StatusCode: 403, InvalidClientTokenId: The security token included in the "
        "request is invalid\n"
        "\n"
        "error: update failed\n"
    ),
    # A resource failed: the reason is only in the diagnostics on stdout, stderr stays empty.
    "diagnostics": "",
}
PASSPHRASE_MISSING = (
    "error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or "
    "PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n"
)


class Fail(Exception):
    def __init__(self, stderr: str, stdout: str = "") -> None:
        super().__init__(stderr)
        self.stderr = stderr
        self.stdout = stdout


# --- arguments and environment ------------------------------------------------------------


def parse(argv: list[str]) -> tuple[list[str], dict[str, str | bool], list[tuple[str, str]]]:
    """(positional words, flags, ordered (flag, value) pairs) for the flags we know."""
    with_value = {
        "--stack", "--event-log", "--exec-kind", "--page-size", "--page", "--color",
        "--message", "--secrets-provider", "--plaintext", "--secret", "--parallel",
        "--policy-pack",
    }  # fmt: skip
    words: list[str] = []
    flags: dict[str, str | bool] = {}
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
            flags[name] = value
        elif arg in with_value and i + 1 < len(argv):
            flags[arg] = argv[i + 1]
            pairs.append((arg, argv[i + 1]))
            i += 1
        elif arg.startswith("--"):
            flags[arg] = True
        else:
            words.append(arg)
        i += 1
    return words, flags, pairs


def log_call(argv: list[str]) -> None:
    path = os.environ.get("FAKE_PULUMI_LOG")
    if not path:
        return
    record = {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": {key: os.environ[key] for key in LOGGED_ENV if key in os.environ},
        "passphrase_set": "PULUMI_CONFIG_PASSPHRASE" in os.environ,
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def require_passphrase() -> None:
    backend = os.environ.get("PULUMI_BACKEND_URL", "")
    diy = backend.startswith(("file://", "s3://", "gs://", "azblob://"))
    has = "PULUMI_CONFIG_PASSPHRASE" in os.environ or "PULUMI_CONFIG_PASSPHRASE_FILE" in os.environ
    if diy and not has:
        raise Fail(PASSPHRASE_MISSING)


def injected_failure(stack: str) -> None:
    kind = os.environ.get("FAKE_PULUMI_FAIL", "")
    if not kind:
        return
    stdout = f"Updating ({stack}):\n"
    if kind == "diagnostics":
        stdout += (
            "Diagnostics:\n"
            "  aws:apigateway:RestApi (api):\n"
            "    error: creating API Gateway REST API (api): operation error API Gateway: "
            "CreateRestApi, https response error StatusCode: 400, BadRequestException: "
            "Invalid API name\n"
        )
    raise Fail(FAILURES[kind], stdout=stdout)


# --- project, config and state ------------------------------------------------------------


def project_name() -> str:
    path = Path("Pulumi.yaml")
    if not path.is_file():
        raise Fail(
            "error: no Pulumi.yaml project file found (searching upwards from "
            f"{os.getcwd()}). If you have not created a project yet, use `pulumi new` to do so: "
            "no project file found\n"
        )
    text = path.read_text(encoding="utf-8")
    # A plain `name: <word>` line is what every project here has; anything else is YAML's.
    plain = re.search(r"^name:[ \t]*([A-Za-z0-9_.-]+)[ \t]*$", text, re.MULTILINE)
    if plain:
        return plain.group(1)
    return str(_yaml().safe_load(text)["name"])


def _yaml():
    import yaml

    return yaml


def config_path(stack: str) -> Path:
    return Path(f"Pulumi.{stack}.yaml")


def read_config(stack: str) -> dict:
    path = config_path(stack)
    if not path.is_file():
        return {}
    data = _yaml().safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("config") or {})


def write_config(stack: str, config: dict) -> None:
    path = config_path(stack)
    data = {}
    if path.is_file():
        data = _yaml().safe_load(path.read_text(encoding="utf-8")) or {}
    data["config"] = config
    path.write_text(_yaml().safe_dump(data, sort_keys=False), encoding="utf-8")


def state_file(stack: str) -> Path:
    given = os.environ.get("FAKE_PULUMI_STATE")
    if not given:
        import tempfile

        given = str(Path(tempfile.gettempdir(), "fake-pulumi"))
    root = Path(given)
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{project_name()}.{stack}.json"


def load(stack: str) -> dict:
    path = state_file(stack)
    if not path.is_file():
        raise Fail(f"error: no stack named '{stack}' found\n")
    return json.loads(path.read_text(encoding="utf-8"))


def save(stack: str, state: dict) -> None:
    state_file(stack).write_text(json.dumps(state, indent=2), encoding="utf-8")


def stack_arg(flags: dict) -> str:
    stack = flags.get("--stack")
    if not isinstance(stack, str):
        raise Fail("error: no stack selected; please use `pulumi stack select`\n")
    return stack


def now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the fake program: three resources whose desired state follows the stack config -------


def desired(stack: str) -> dict:
    import hashlib

    project = project_name()
    config = read_config(stack)
    digest = hashlib.sha256(f"{project}/{stack}".encode()).hexdigest()
    region = config.get("aws:region", "us-east-1")
    extra = json.loads(os.environ.get("FAKE_PULUMI_RESOURCES") or "[]")
    return {
        "resources": [
            ("pulumi:pulumi:Stack", f"{project}-{stack}"),
            ("aws:apigateway/restApi:RestApi", "api"),
            ("aws:apigateway/apiKey:ApiKey", "key"),
            *((r["type"], r["name"]) for r in extra),
        ],
        "resourceState": {r["name"]: {"id": r["id"], "outputs": r["outputs"]} for r in extra},
        "configHash": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        "outputs": {
            "url": f"https://{digest[:10]}.execute-api.{region}.amazonaws.com/{stack}",
            "apiKey": f"key-{digest[10:30]}",
            **json.loads(os.environ.get("FAKE_PULUMI_OUTPUTS") or "{}"),
        },
        "secrets": ["apiKey"],
    }


def plan(state: dict, want: dict) -> list[tuple[str, str, str]]:
    """(operation, type, name) per resource."""
    if not state.get("resources"):
        return [("create", t, n) for t, n in want["resources"]]
    changed = state.get("configHash") != want["configHash"]
    return [
        ("update" if changed and t.endswith("RestApi") else "same", t, n)
        for t, n in want["resources"]
    ]


def counts(steps: list[tuple[str, str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for op, _, _ in steps:
        out[op] = out.get(op, 0) + 1
    return out


SYMBOL = {"create": "+", "update": "~", "delete": "-", "same": " "}
PAST = {"create": "created", "update": "updated", "delete": "deleted", "same": "unchanged"}
FUTURE = {"create": "to create", "update": "to update", "delete": "to delete", "same": "unchanged"}


def say(line: str = "") -> None:
    print(line, flush=True)


def resources_footer(changes: dict[str, int], words: dict[str, str]) -> None:
    say("Resources:")
    for op in ("create", "update", "delete"):
        if changes.get(op):
            say(f"    {SYMBOL[op]} {changes[op]} {words[op]}")
    if changes.get("same"):
        say(f"    {changes['same']} unchanged")


# --- policy packs ---------------------------------------------------------------------------


def policy_packs(pairs: list[tuple[str, str]]) -> list[Path]:
    return [Path(value) for flag, value in pairs if flag == "--policy-pack"]


def stack_outputs_of_fake(project: str, stack: str) -> dict | None:
    """Another stack's outputs (a `pulumi.StackReference`): in this fake's state, else in
    FAKE_PULUMI_STACK_OUTPUTS; None (the reference fails) when neither has the stack."""
    path = state_file(stack).with_name(f"{project}.{stack}.json")
    if not path.is_file():
        given = json.loads(os.environ.get("FAKE_PULUMI_STACK_OUTPUTS") or "{}")
        outputs = given.get(f"{project}/{stack}")
        return None if outputs is None else {k: (v, False) for k, v in outputs.items()}
    state = json.loads(path.read_text(encoding="utf-8"))
    secrets = set(state.get("secrets") or [])
    return {k: (v, k in secrets) for k, v in (state.get("outputs") or {}).items()}


def enforce_policies(stack: str, pairs: list[tuple[str, str]], heading: str) -> None:
    """Run each pack on the project's program; fail like the CLI on a mandatory violation."""
    packs = policy_packs(pairs)
    for pack_dir in packs:
        if not (pack_dir / "PulumiPolicy.yaml").is_file():
            raise Fail(
                f"error: could not load policy pack {pack_dir}: PulumiPolicy.yaml not found\n"
            )
    program_dir = Path.cwd()
    if not packs or not (program_dir / "__main__.py").is_file():
        return
    outcome = cached_policy_outcome(packs, program_dir, stack)
    if "error" in outcome:
        raise Fail(f"error: {outcome['error']}\n", stdout=heading)
    if outcome["failed"]:
        doing = "update" if heading.startswith("Updating") else "preview"
        stdout = heading + "\n".join(["", "Policies:", *outcome["report"]]) + "\n\n"
        stdout += f"Diagnostics:\n  pulumi:pulumi:Stack ({project_name()}-{stack}):\n"
        stdout += f"    error: {doing} failed\n"
        raise Fail(f"error: {doing} failed\n", stdout=stdout)


def cached_policy_outcome(packs: list[Path], program_dir: Path, stack: str) -> dict:
    """`policy_outcome`, kept in FAKE_PULUMI_POLICY_CACHE (a folder) when the environment names
    one, by everything the outcome depends on: the program's and the packs' files, the shared
    code the program imports, the project and stack, and the stack references it can read. A
    deploy asks twice (preview, then up) and a test session deploys the same stacks many
    times; each evaluation is a Python importing the engine and running the program (~1 s)."""
    folder = os.environ.get("FAKE_PULUMI_POLICY_CACHE")
    if not folder:
        return policy_outcome(packs, program_dir, stack)
    key = policy_inputs_digest(packs, program_dir, stack)
    path = Path(folder, f"{key}.json")
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    outcome = policy_outcome(packs, program_dir, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")  # concurrent fakes: whole files only
    temporary.write_text(json.dumps(outcome), encoding="utf-8")
    temporary.replace(path)
    return outcome


def policy_inputs_digest(packs: list[Path], program_dir: Path, stack: str) -> str:
    import hashlib
    import importlib.util

    digest = hashlib.sha256()
    shared = importlib.util.find_spec("shared")
    shared_dir = Path(shared.origin).parent if shared and shared.origin else None
    # The program's files by their place in it (a test's copy of a stack is the same program),
    # the packs' by their own path (the report names it).
    sources = [(p.relative_to(program_dir), p) for p in sorted(program_dir.rglob("*"))]
    sources += [(p, p) for root in packs for p in sorted(root.rglob("*"))]
    if shared_dir:  # its code and configuration, not the local model's data
        sources += [(p, p) for p in sorted(shared_dir.rglob("*")) if p.suffix in {".py", ".yaml"}]
    for name, path in sources:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{name}\0".encode())
            digest.update(path.read_bytes())
    digest.update(f"{project_name()}\0{stack}\0".encode())
    digest.update((os.environ.get("FAKE_PULUMI_STACK_OUTPUTS") or "").encode())
    # What a stack reference may read of another project's stacks (the bootstrap's): their
    # outputs, not their history, which every update changes. This project's own stacks
    # change with every update and its programs do not read them.
    for other in sorted(state_file(stack).parent.glob("*.json")):
        if not other.name.startswith(f"{project_name()}."):
            state = json.loads(other.read_text(encoding="utf-8"))
            readable = {"outputs": state.get("outputs"), "secrets": state.get("secrets")}
            digest.update(f"{other.name}\0{json.dumps(readable, sort_keys=True)}".encode())
    return digest.hexdigest()


def policy_outcome(packs: list[Path], program_dir: Path, stack: str) -> dict:
    """{"failed": any mandatory violation, "report": the lines under the CLI's "Policies:"}, or
    {"error": a message} when the program cannot be run."""
    from shared.errors import UserError
    from shared.local.engine import policy
    from shared.ops.stack_files import stack_config

    report: list[str] = []
    failed = False
    for pack_dir in packs:
        try:
            pack, violations = policy.run_program(
                pack_dir,
                program_dir,
                project=project_name(),
                stack=stack,
                config=stack_config(program_dir, stack),
                stack_outputs=stack_outputs_of_fake,
                autonames=True,
            )
        except UserError as error:
            return {"error": str(error)}
        version = (_yaml().safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}).get(
            "version", "0.0.1"
        )
        mandatory = any(v.level.value == "mandatory" for v in violations)
        failed = failed or mandatory
        report.append(
            f"    {'❌' if mandatory else '✅'} {pack.name}@v{version} (local: {pack_dir})"
        )
        descriptions = {p.name: p.description for p in pack.policies}
        for v in violations:
            stack_itself = f"pulumi:pulumi:Stack {project_name()}-{stack}"
            where = (v.resource or stack_itself).replace(" ", ": ", 1)
            report.append(f"        - [{v.level.value}]  {v.policy}  ({where})")
            report.append(f"          {descriptions[v.policy]}")
            report.append(f"          {v.message}")
    return {"failed": failed, "report": report}


# --- engine events --------------------------------------------------------------------------


def engine_events(stack: str, changes: dict[str, int]) -> list[dict]:
    config = {k: str(v) for k, v in read_config(stack).items() if not isinstance(v, dict)}
    stamp = int(time.time())
    bodies = [
        {"preludeEvent": {"config": config}},
        {
            "summaryEvent": {
                "maybeCorrupt": False,
                "durationSeconds": 1,
                "resourceChanges": changes,
                "PolicyPacks": {},
            }
        },
        {"cancelEvent": {}},
    ]
    return [{"sequence": i, "timestamp": stamp, **body} for i, body in enumerate(bodies)]


def _event_request(event_json: str) -> bytes:
    """`pulumirpc.EventRequest{event: <json>}` in protobuf wire format (field 1, string)."""
    data = event_json.encode("utf-8")
    length = len(data)
    varint = bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    return b"\x0a" + bytes(varint) + data


def send_events(target: str | bool | None, events: list[dict]) -> None:
    if not isinstance(target, str):
        return
    lines = [json.dumps(event) for event in events]
    if target.startswith("tcp://"):
        import grpc

        with grpc.insecure_channel(target.removeprefix("tcp://")) as channel:
            stream = channel.stream_unary(
                "/pulumirpc.Events/StreamEvents",
                request_serializer=_event_request,
                response_deserializer=lambda raw: raw,  # google.protobuf.Empty
            )
            stream(iter(lines), timeout=30)
    else:
        with open(target, "a", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")


# --- commands -----------------------------------------------------------------------------


def cmd_version() -> None:
    say(os.environ.get("FAKE_PULUMI_VERSION", "v3.272.0"))


def cmd_stack(words: list[str], flags: dict) -> None:
    sub = words[1] if len(words) > 1 else ""
    if sub == "select":
        load(stack_arg(flags))
    elif sub == "init":
        stack = words[2] if len(words) > 2 else stack_arg(flags)
        if state_file(stack).is_file():
            raise Fail(f"error: stack '{stack}' already exists\n")
        require_passphrase()
        tags = {"pulumi:project": project_name(), "pulumi:runtime": "python"}
        save(stack, {"resources": [], "outputs": {}, "secrets": [], "history": [], "tags": tags})
        say(f"Created stack '{stack}'")
    elif sub == "output":
        stack = stack_arg(flags)
        state = load(stack)
        if flags.get("--show-secrets"):
            require_passphrase()
            shown = state["outputs"]
        else:
            shown = {k: (MASK if k in state["secrets"] else v) for k, v in state["outputs"].items()}
        say(json.dumps(shown, indent=2))
    elif sub == "export":
        cmd_stack_export(stack_arg(flags))
    elif sub == "history":
        stack = stack_arg(flags)
        history = list(reversed(load(stack)["history"]))
        if "--page-size" in flags:
            size, page = int(flags["--page-size"]), int(flags.get("--page", 1))
            history = history[(page - 1) * size : page * size]
        say(json.dumps(history, indent=4))
    elif sub == "tag":
        cmd_stack_tag(words[2:], flags)
    else:
        raise Fail(f'error: unknown command "{sub}" for "pulumi stack"\n')


def cmd_stack_export(stack: str) -> None:
    """The deployment as `pulumi stack export` prints it: version 3, one entry per resource
    with its URN, id and outputs (those FAKE_PULUMI_RESOURCES gave; the fake's own have none)."""
    state = load(stack)
    require_passphrase()
    known = state.get("resourceState") or {}
    resources = []
    for type_, name in state["resources"]:
        recorded = known.get(name, {})
        resources.append(
            {
                "urn": f"urn:pulumi:{stack}::{project_name()}::{type_}::{name}",
                "custom": type_ != "pulumi:pulumi:Stack",
                "type": type_,
                "id": recorded.get("id", f"{name}-id"),
                "outputs": recorded.get("outputs", {}),
            }
        )
    manifest = {"time": now(), "version": os.environ.get("FAKE_PULUMI_VERSION", "v3.272.0")}
    say(json.dumps({"version": 3, "deployment": {"manifest": manifest, "resources": resources}}))


def cmd_stack_tag(words: list[str], flags: dict) -> None:
    """`pulumi stack tag set|get|rm|ls`, with the real CLI's output and errors."""
    sub, args = (words[0], words[1:]) if words else ("", [])
    wanted = {"set": 2, "get": 1, "rm": 1, "ls": 0}
    if sub not in wanted:
        raise Fail(f'error: unknown command "{sub}" for "pulumi stack tag"\n')
    if len(args) != wanted[sub]:
        raise Fail(f"error: accepts {wanted[sub]} arg(s), received {len(args)}\n")
    stack = stack_arg(flags)
    state = load(stack)
    tags = state.setdefault("tags", {})
    if sub == "set":
        tags[args[0]] = args[1]
        save(stack, state)
    elif sub == "rm":
        tags.pop(args[0], None)
        save(stack, state)
    elif sub == "get":
        if args[0] not in tags:
            raise Fail(f"error: stack tag '{args[0]}' not found for stack '{stack}'\n")
        say(tags[args[0]])
    elif flags.get("--json"):
        say(json.dumps(dict(sorted(tags.items())), indent=4))
    else:
        width = max([4, *(len(name) for name in tags)])
        say(f"{'NAME':<{width}}  VALUE")
        for name, value in sorted(tags.items()):
            say(f"{name:<{width}}  {value}")


def cmd_config(words: list[str], flags: dict, pairs: list[tuple[str, str]]) -> None:
    if words[1:2] != ["set-all"]:
        raise Fail(f'error: unknown command "{" ".join(words[1:])}" for "pulumi config"\n')
    stack = stack_arg(flags)
    load(stack)
    config = read_config(stack)
    for flag, item in pairs:
        if flag not in ("--plaintext", "--secret"):
            continue
        key, _, value = item.partition("=")
        if ":" not in key:
            key = f"{project_name()}:{key}"
        config[key] = {"secure": "v1:" + value.encode().hex()} if flag == "--secret" else value
    write_config(stack, config)


def record(state: dict, kind: str, stack: str, changes: dict[str, int], start: str) -> None:
    state["history"].append(
        {
            "version": len(state["history"]) + 1,
            "kind": kind,
            "startTime": start,
            "endTime": now(),
            "message": "",
            "environment": {"exec.kind": "auto.local"},
            "config": {
                k: {"value": str(v), "secret": False}
                for k, v in read_config(stack).items()
                if not isinstance(v, dict)
            },
            "result": "succeeded",
            "resourceChanges": changes,
        }
    )


def show_steps(steps: list[tuple[str, str, str]], stack: str, diff: bool) -> None:
    for op, type_, name in steps:
        if op == "same" and not diff:
            continue
        say(f" {SYMBOL[op]}  {type_}: ({op})")
        say(f"        [urn=urn:pulumi:{stack}::{project_name()}::{type_}::{name}]")
        if diff and op == "update":
            say('      ~ description: "previous config" => "current config"')


def cmd_up(flags: dict, pairs: list[tuple[str, str]]) -> None:
    stack = stack_arg(flags)
    state = load(stack)
    require_passphrase()
    injected_failure(stack)
    start = now()
    enforce_policies(stack, pairs, heading=f"Updating ({stack}):\n")
    say(f"Updating ({stack}):")
    handshake = os.environ.get("FAKE_PULUMI_HANDSHAKE")
    if handshake:
        # The test's on_output creates this file when it sees the line above. Waiting here
        # only ends early if that line reached the caller while this process still runs.
        for _ in range(300):
            if Path(handshake).exists():
                break
            time.sleep(0.05)
        else:
            raise Fail("error: fake pulumi: the first line of output was not streamed\n")
    want = desired(stack)
    steps = plan(state, want)
    show_steps(steps, stack, bool(flags.get("--diff")))
    changes = counts(steps)
    state.update(
        resources=[list(r) for r in want["resources"]],
        resourceState=want["resourceState"],
        configHash=want["configHash"],
        outputs=want["outputs"],
        secrets=want["secrets"],
    )
    record(state, "update", stack, changes, start)
    save(stack, state)
    say("Outputs:")
    for key, value in sorted(want["outputs"].items()):
        say(f"    {key}: {MASK if key in want['secrets'] else json.dumps(value)}")
    say()
    resources_footer(changes, PAST)
    send_events(flags.get("--event-log"), engine_events(stack, changes))


def cmd_preview(flags: dict, pairs: list[tuple[str, str]]) -> None:
    stack = stack_arg(flags)
    state = load(stack)
    require_passphrase()
    injected_failure(stack)
    enforce_policies(stack, pairs, heading=f"Previewing update ({stack}):\n")
    want = desired(stack)
    steps = plan(state, want)
    changes = counts(steps)
    say(f"Previewing update ({stack}):")
    show_steps(steps, stack, bool(flags.get("--diff")))
    resources_footer(changes, FUTURE)
    send_events(flags.get("--event-log"), engine_events(stack, changes))


def cmd_destroy(flags: dict) -> None:
    stack = stack_arg(flags)
    state = load(stack)
    require_passphrase()
    injected_failure(stack)
    start = now()
    say(f"Destroying ({stack}):")
    steps = [("delete", t, n) for t, n in reversed(state["resources"])]
    show_steps(steps, stack, bool(flags.get("--diff")))
    changes = counts(steps)
    state.update(resources=[], outputs={}, secrets=[], configHash=None)
    record(state, "destroy", stack, changes, start)
    save(stack, state)
    resources_footer(changes, PAST)
    say("The resources in the stack have been deleted, but the history and configuration "
        "associated with the stack are still maintained.")  # fmt: skip
    send_events(flags.get("--event-log"), engine_events(stack, changes))


def main(argv: list[str]) -> int:
    log_call(argv)
    words, flags, pairs = parse(argv)
    command = words[0] if words else ""
    try:
        if command == "version":
            cmd_version()
        elif command == "stack":
            cmd_stack(words, flags)
        elif command == "config":
            cmd_config(words, flags, pairs)
        elif command == "up":
            cmd_up(flags, pairs)
        elif command == "preview":
            cmd_preview(flags, pairs)
        elif command == "destroy":
            cmd_destroy(flags)
        else:
            raise Fail(f'error: unknown command "{command}" for "pulumi"\n')
    except Fail as failure:
        sys.stdout.write(failure.stdout)
        sys.stdout.flush()
        sys.stderr.write(failure.stderr)
        return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
