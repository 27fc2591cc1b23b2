"""`invoke graph`: each stack's resources, grouped by component, with their dependencies, from the
program alone; and the README's pictures are what it prints now."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared import catalog
from shared.errors import UserError
from shared.local import emulator
from shared.local.engine import program
from shared.ops import graph
from tests.conftest import run_stack_program

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def _no_emulator(*args: object, **kwargs: object) -> None:
    raise AssertionError("graph started the emulator")


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("graph-state")


@pytest.fixture(scope="module")
def graphs(state_dir: Path) -> Iterator[dict[str, graph.StackGraph]]:
    """Every stack's local graph, each program run once for the module, with no emulator to be
    had, no Pulumi CLI on PATH and a state folder of its own (checked empty afterwards)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(emulator, "start", _no_emulator)
        patch.setenv("AIGW_STATE_DIR", str(state_dir))
        patch.setenv("PATH", str(state_dir))
        yield {name: graph.collect(name, catalog.LOCAL) for name in catalog.stack_names()}


@pytest.fixture(scope="module")
def proxy_declared() -> list[program.Registration]:
    """What the proxy program declares, as the suite's own mock run records it."""
    return run_stack_program("proxy", catalog.LOCAL).resources


def _mermaid_structure(text: str) -> tuple[dict[str, list[str]], set[tuple[str, str]]]:
    """Node id -> the subgraph ids around it (outermost first), and the edges."""
    enclosing: dict[str, list[str]] = {}
    edges: set[tuple[str, str]] = set()
    open_subgraphs: list[str] = []
    for line in text.splitlines()[1:]:
        line = line.strip()
        if line.startswith("subgraph "):
            open_subgraphs.append(line.split()[1].split("[")[0])
        elif line == "end":
            open_subgraphs.pop()
        elif " --> " in line:
            dependency, dependent = line.split(" --> ")
            edges.add((dependency, dependent))
        else:
            enclosing[line.split("[")[0]] = list(open_subgraphs)
    assert not open_subgraphs, "every subgraph is closed"
    return enclosing, edges


def _component_chain(stack_graph: graph.StackGraph, component: str) -> list[str]:
    """The ids of a component and every component around it, outermost first."""
    chain = []
    while component:
        chain.insert(0, stack_graph.ids[component])
        component = stack_graph.components[component].parent
    return chain


@pytest.mark.parametrize("stack", catalog.stack_names())
def test_the_readme_shows_what_graph_prints_now(stack, graphs):
    pictures = graph.readme_pictures((REPO / "README.md").read_text())
    assert stack in pictures, f"README.md has no picture of {stack}: add one (see proxy's)"
    assert pictures[stack] == graph.mermaid(graphs[stack]), (
        f"README.md's picture of {stack} is out of date: run `invoke graph --write-readme` "
        f"(or paste the output of `invoke graph --stack={stack}`)"
    )


def test_nothing_is_deployed_and_no_emulator_or_cli_is_needed(graphs, state_dir):
    assert set(graphs) == set(catalog.stack_names())
    assert all(g.resources for g in graphs.values())
    # No engine state, no emulator: only the function zips the programs build as they run.
    assert {path.name for path in state_dir.iterdir()} == {"build"}


def test_resources_are_grouped_by_their_component_chain_as_the_program_declares_them(
    graphs, proxy_declared
):
    proxy = graphs["proxy"]
    assert set(proxy.resources) == {reg.urn for reg in proxy_declared}
    assert proxy.components["aigw:apigateway:UsagePlans::api-plans"].parent == (
        "aigw:apigateway:RestApi::api"
    )
    assert proxy.components["aigw:apigateway:RestApi::api"].parent == ""
    for reg in proxy_declared:
        assert proxy.resources[reg.urn].component == reg.parent  # every parent is a component
    assert proxy.resources["aws:apigateway/apiKey:ApiKey::api-plans-web-key"].component == (
        "aigw:apigateway:UsagePlans::api-plans"
    )
    # The picture nests each resource in its component's subgraph, inside the components
    # around that one.
    for stack_graph in graphs.values():
        enclosing, _ = _mermaid_structure(graph.mermaid(stack_graph))
        assert set(enclosing) == {stack_graph.ids[key] for key in stack_graph.resources}
        for resource in stack_graph.resources.values():
            chain = _component_chain(stack_graph, resource.component)
            assert enclosing[stack_graph.ids[resource.key]] == chain, resource.key


def test_each_dependency_is_an_arrow_from_the_resource_depended_on(graphs, proxy_declared):
    proxy = graphs["proxy"]
    expected = {(dep, reg.urn) for reg in proxy_declared for dep in reg.dependencies}
    assert set(proxy.edges) == expected
    _, arrows = _mermaid_structure(graph.mermaid(proxy))
    assert arrows == {(proxy.ids[a], proxy.ids[b]) for a, b in expected}
    stage, deployment = "r_Stage_api_local", "r_Deployment_api_deployment"
    assert (deployment, stage) in arrows  # the stage needs the deployment
    assert (stage, deployment) not in arrows


def test_nodes_are_labelled_with_name_and_short_type(graphs):
    text = graph.mermaid(graphs["proxy"])
    assert graph.short_type("aws:apigateway/restApi:RestApi") == "RestApi"
    assert 'r_RestApi_api["api<br/>RestApi"]' in text
    assert 'subgraph c_UsagePlans_api_plans["api-plans (aigw:apigateway:UsagePlans)"]' in text
    assert text.splitlines()[0] == "flowchart TB"


def test_the_output_is_the_same_on_every_run(graphs):
    again = graph.collect("workflows", catalog.LOCAL)
    assert graph.mermaid(again) == graph.mermaid(graphs["workflows"])
    assert graph.dot(again) == graph.dot(graphs["workflows"])
    assert graph.render(again, "svg") == graph.render(graphs["workflows"], "svg")


def test_dot_has_a_cluster_per_component_and_an_edge_per_dependency(graphs):
    for stack_graph in graphs.values():
        text = graph.dot(stack_graph)
        assert text.startswith(f'digraph "{stack_graph.stack} (local)" {{')
        assert text.count("{") == text.count("}")
        for key in stack_graph.components:
            assert f"subgraph cluster_{stack_graph.ids[key]} {{" in text
        for resource in stack_graph.resources.values():
            label = f'[label="{resource.name}\\n{resource.short_type}"];'
            assert f"{stack_graph.ids[resource.key]} {label}" in text
        arrows = set(re.findall(r"^  (\w+) -> (\w+);$", text, re.MULTILINE))
        assert arrows == {(stack_graph.ids[a], stack_graph.ids[b]) for a, b in stack_graph.edges}
    # Nested: the usage plans' cluster is inside the REST API's.
    proxy = graph.dot(graphs["proxy"])
    outer = proxy.index("subgraph cluster_c_RestApi_api {")
    inner = proxy.index("subgraph cluster_c_UsagePlans_api_plans {")
    assert outer < inner < proxy.index("r_ApiKey_api_plans_web_key [")


def _rect(group: ElementTree.Element) -> tuple[float, float, float, float]:
    rect = group.find(f"{SVG}rect")
    assert rect is not None
    x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
    return x, y, x + float(rect.get("width", 0)), y + float(rect.get("height", 0))


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    left, top, right, bottom = inner
    return outer[0] < left and outer[1] < top and right < outer[2] and bottom < outer[3]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("stack", ["proxy", "orchestration"])
def test_svg_is_standalone_xml_with_every_resource_in_its_components_box(stack, graphs):
    stack_graph = graphs[stack]
    root = ElementTree.fromstring(graph.render(stack_graph, "svg"))
    assert root.tag == f"{SVG}svg"
    groups = list(root.iter(f"{SVG}g"))
    nodes = {g.findtext(f"{SVG}title"): _rect(g) for g in groups if g.get("class") == "resource"}
    assert set(nodes) == set(stack_graph.resources)
    boxes = {g.findtext(f"{SVG}title"): _rect(g) for g in groups if g.get("class") == "component"}
    assert set(boxes) == set(stack_graph.components)
    for key, resource in stack_graph.resources.items():
        component = resource.component
        while component:  # in its component's box and every box around it
            assert _inside(nodes[key], boxes[component]), (key, component)
            component = stack_graph.components[component].parent
        for other, rect in nodes.items():
            assert other == key or not _overlap(nodes[key], rect), (key, other)
    for key, component in stack_graph.components.items():
        for other_key, other in stack_graph.components.items():
            if other.parent == component.parent and other_key != key:
                assert not _overlap(boxes[key], boxes[other_key]), (key, other_key)
    # An arrow per dependency, each pointing down: from the bottom of the resource depended on
    # to the top of the one depending on it.
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "dependency"]
    assert len(paths) == len(stack_graph.edges)
    for path, (dependency, dependent) in zip(paths, stack_graph.edges, strict=True):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
        assert numbers[1] == nodes[dependency][3] and numbers[-1] == nodes[dependent][1]
        assert numbers[-1] > numbers[1]


def test_graph_of_an_aws_environment_needs_no_cli_and_draws_no_stack_reference(state_dir):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(state_dir))  # no `pulumi` to be found
        dev = graph.collect("proxy", "dev")
    assert "aws:apigateway/stage:Stage::api-dev" in dev.resources
    assert not [key for key in dev.resources if "StackReference" in key]
    assert all(dependency in dev.resources for dependency, _ in dev.edges)


def test_an_unknown_format_exits_2_listing_the_formats():
    with pytest.raises(UserError) as raised:
        graph.command("proxy", catalog.LOCAL, "png", out=lambda line: None)
    assert raised.value.exit_code == 2
    assert str(raised.value) == "Unknown graph format 'png'. Valid formats: mermaid, dot, svg."


def test_one_stack_at_a_time():
    with pytest.raises(UserError) as raised:
        graph.command(catalog.ALL_STACKS, catalog.LOCAL, "mermaid", out=lambda line: None)
    assert raised.value.exit_code == 2
    assert "not all" in str(raised.value)


def test_an_invalid_config_value_is_one_usage_error(tmp_path, monkeypatch):
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks" / "proxy", stacks / "proxy")
    local_file = stacks / "proxy" / "Pulumi.local.yaml"
    local_file.write_text(local_file.read_text() + "  proxy:integrationTimeoutMs: 10\n")
    monkeypatch.setattr(catalog, "STACKS_DIR", stacks)
    with pytest.raises(UserError) as raised:
        graph.command("proxy", catalog.LOCAL, "mermaid", out=lambda line: None)
    assert raised.value.exit_code == 2
    assert "proxy:integrationTimeoutMs" in str(raised.value)


def test_ids_stay_unique_and_a_child_of_a_resource_is_drawn_in_its_component():
    """Without a program: two names that spell the same id, and a resource parented to another
    custom resource (drawn in the nearest component up the chain)."""
    kind = "aws:s3/bucket:Bucket"
    component = "aigw:s3:PrivateBucket::data"
    declared = [
        program.Registration(f"{kind}::a-b", kind, "a-b", {}, parent=component),
        program.Registration(f"{kind}::a_b", kind, "a_b", {}, parent=f"{kind}::a-b"),
        program.Registration(
            f"{kind}::top", kind, "top", {}, dependencies=frozenset({f"{kind}::a_b"})
        ),
    ]
    built = graph._graph("demo", catalog.LOCAL, declared, {component: "pulumi:pulumi:Stack::x"})
    assert built.ids[f"{kind}::a-b"] == "r_Bucket_a_b"
    assert built.ids[f"{kind}::a_b"] == "r_Bucket_a_b_2"
    assert built.resources[f"{kind}::a_b"].component == component
    assert built.resources[f"{kind}::top"].component == ""
    assert built.edges == [(f"{kind}::a_b", f"{kind}::top")]
    enclosing, _ = _mermaid_structure(graph.mermaid(built))
    assert enclosing == {
        "r_Bucket_top": [],
        "r_Bucket_a_b": ["c_PrivateBucket_data"],
        "r_Bucket_a_b_2": ["c_PrivateBucket_data"],
    }


def test_write_readme_rewrites_a_stale_picture_only(graphs, tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "collect", lambda stack, env: graphs[stack])
    readme = tmp_path / "README.md"
    current = (REPO / "README.md").read_text()
    stale = current.replace("r_RestApi_api --> r_Stage_api_local\n", "", 1)
    assert stale != current
    readme.write_text(stale)
    said: list[str] = []
    graph.write_readme(readme, out=said.append)
    assert readme.read_text() == current
    assert said == ["Rewrote the pictures of proxy in README.md."]
    graph.write_readme(readme, out=said.append)
    assert said[-1].startswith("README.md: every picture is current")


def test_the_task_prints_the_graph_and_refuses_a_bad_format(tmp_path):
    # One process for both (each start imports the SDK): invoke runs the two in turn.
    ran = subprocess.run(
        [sys.executable, "-m", "invoke", "graph", "--stack=versions", "--format=dot"]
        + ["graph", "--stack=proxy", "--format=png"],
        cwd=REPO,
        env={**os.environ, "AIGW_STATE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.stdout.startswith('digraph "versions (local)" {')
    assert ran.stdout.rstrip().endswith("}")
    assert ran.returncode == 2
    refusal = "Error: Unknown graph format 'png'. Valid formats: mermaid, dot, svg."
    assert ran.stderr.strip() == refusal  # one line, no traceback
    assert list(tmp_path.iterdir()) == []
