"""Fixtures for the delivery tests: a stub HTTP service to smoke-check, a temporary git
repository holding a Pulumi project, and the fake `pulumi` CLI on PATH (set up by
tests/conftest.py's `fake_pulumi_cli`; a nowhere URL is its `closed_url`)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared import catalog
from shared.ops import release

PROJECT = "demo"
ITEMS = [{"id": "a1", "name": "first", "price": 3.5}, {"id": "b2", "name": "second", "price": 7}]


class _Service(BaseHTTPRequestHandler):
    """A small HTTP API: `POST /predict` behind an `x-api-key`, a list and an item, 404, 405,
    a redirect, a slow route and a route that echoes the request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, body: object = None, headers: dict | None = None) -> None:
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body))
        data = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _headers(self) -> dict[str, str]:
        return {key.lower(): value for key, value in self.headers.items()}

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.endswith("/items"):
            self._reply(200, {"items": ITEMS, "count": len(ITEMS)})
        elif path.endswith("/items/a1"):
            self._reply(200, ITEMS[0])
        elif path.endswith("/list"):
            self._reply(200, ITEMS)
        elif path.endswith("/text"):
            self._reply(200, b"all good", {"Content-Type": "text/plain"})
        elif path.endswith("/redirect"):
            self._reply(302, {}, {"Location": "/items"})
        elif path.endswith("/slow"):
            time.sleep(5)
            self._reply(200, {})
        elif path.endswith("/echo"):
            self._reply(200, {"path": self.path, "headers": self._headers()})
        else:
            self._reply(404, {"message": "Not Found"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self._body()
        if path.endswith("/echo"):
            self._reply(200, {"body": body.decode(), "headers": self._headers()})
            return
        if not path.endswith("/predict"):
            self._reply(405 if path.endswith("/items") else 404, {"message": "no"})
            return
        if not self.headers.get("x-api-key", "").startswith("key-"):
            self._reply(403, {"message": "Forbidden"})
            return
        try:
            request = json.loads(body)
        except ValueError:
            self._reply(400, {"message": "Invalid request body"})
            return
        if not isinstance(request, dict) or not request.get("inputs"):
            self._reply(400, {"message": "Invalid request body"})
            return
        self._reply(
            200,
            {
                "model": "stub",
                "version": "v1",
                "predictions": [{"label": "positive", "score": 0.9}],
            },
        )

    def do_DELETE(self) -> None:
        self._reply(405, {"message": "Method Not Allowed"})


@pytest.fixture(scope="session")
def service(serve_in_thread) -> Iterator[str]:
    """Base URL of the stub service on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    server.daemon_threads = True
    with serve_in_thread(server) as url:
        yield url


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def git():
    """`git(repo, *args)`: run git there and return its output."""
    return run_git


DEMO_SMOKE = """\
checks:
  - name: predict-without-key
    method: POST
    json: {inputs: hello}
    expect: {status: 403}
  - name: predict-with-key
    method: POST
    headers: {x-api-key: "{apiKey}"}
    json: {inputs: hello}
    expect:
      status: 200
      values:
        - path: predictions[0].label
          schema: {enum: [positive, negative, neutral]}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository with one committed Pulumi project, `stacks/demo`, used as the repo."""
    root = tmp_path / "repo"
    project = root / "stacks" / PROJECT
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
    for env in ("local", "dev", "staging", "prod"):
        (project / f"Pulumi.{env}.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (project / "__main__.py").write_text('import pulumi\n\npulumi.export("url", "planned")\n')
    (project / "smoke.yaml").write_text(DEMO_SMOKE)
    (root / ".gitignore").write_text("__pycache__/\n")
    run_git(root, "init", "-q", "-b", "main")
    run_git(root, "config", "user.email", "ci@example.com")
    run_git(root, "config", "user.name", "CI")
    run_git(root, "add", ".")
    run_git(root, "commit", "-q", "-m", "demo project")
    monkeypatch.setattr(catalog, "STACKS_DIR", root / "stacks")
    monkeypatch.setenv(release.REPO_DIR_VARIABLE, str(root))
    return root


@pytest.fixture
def fake_pulumi(fake_pulumi_cli, monkeypatch):
    """The fake `pulumi` first on PATH with a file backend; `.calls()` lists what it ran."""
    monkeypatch.delenv("FAKE_PULUMI_OUTPUTS", raising=False)

    class Fake:
        environment = fake_pulumi_cli.environment

        @staticmethod
        def calls() -> list[list[str]]:
            return [
                [a for a in call["argv"] if a != "--non-interactive"]
                for call in fake_pulumi_cli.calls()
            ]

        @classmethod
        def ran(cls, *prefix: str) -> list[list[str]]:
            return [argv for argv in cls.calls() if argv[: len(prefix)] == list(prefix)]

        @staticmethod
        def serve(url: str) -> None:
            """Make the next `up` report `url` as the stack's `url` output."""
            monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", json.dumps({"url": url}))

    return Fake
