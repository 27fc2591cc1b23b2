"""`invoke graph`: what a stack is made of, from its program alone.

The program runs on the SDK's mocks with the environment's config, as the config check does
(`commands.run_on_mocks`): nothing is deployed, no emulator or CLI is involved, and a stack
reference (the bootstrap's, outside local) is answered with no outputs, which only values read
from it depend on. Each custom resource is a node, labelled with its name and short type; each
component resource (the ComponentResource `parent` chain) is a box around the resources
registered under it, nested as the components nest; each dependency (explicit or through an
input) is an arrow from the resource depended on to the resource depending on it, so top to
bottom reads in the order a deploy creates them.

Ids and order are sorted, so the same program prints the same graph every time: the README's
pictures are this task's output and a test compares them (`write_readme` rewrites them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shared import catalog
from shared.components.config import ConfigError
from shared.errors import UserError
from shared.local.engine import program
from shared.ops import commands, graph_svg
from shared.ops.stack_files import has_encrypted_values, stack_config

Out = Callable[[str], None]

FORMATS = ("mermaid", "dot", "svg")
DEFAULT_FORMAT = "mermaid"
# Where the README keeps each pattern's picture: this line, then a ```mermaid fence.
README = catalog.REPO_ROOT / "README.md"
README_COMMAND = "invoke graph --write-readme"


@dataclass(frozen=True)
class Resource:
    key: str  # 'type::name', as the engine and Registration.dependencies name it
    type: str
    name: str
    component: str  # the key of the component it is drawn in; "" for the stack itself

    @property
    def short_type(self) -> str:
        return short_type(self.type)


@dataclass(frozen=True)
class Component:
    key: str
    type: str
    name: str
    parent: str  # the enclosing component's key; "" for a top-level component

    @property
    def label(self) -> str:
        return f"{self.name} ({self.type})"


@dataclass
class StackGraph:
    stack: str
    env: str
    resources: dict[str, Resource] = field(default_factory=dict)
    components: dict[str, Component] = field(default_factory=dict)
    # (dependency, dependent) key pairs, sorted.
    edges: list[tuple[str, str]] = field(default_factory=list)
    # Key -> an id every output format accepts ('r_RestApi_api', 'c_RestApi_api').
    ids: dict[str, str] = field(default_factory=dict)

    def resources_in(self, component: str) -> list[Resource]:
        """The resources drawn directly in a component ("": at the top), sorted."""
        return sorted((r for r in self.resources.values() if r.component == component), key=_by_key)

    def components_in(self, component: str) -> list[Component]:
        """The components nested directly in a component ("": the top-level ones), sorted."""
        return sorted((c for c in self.components.values() if c.parent == component), key=_by_key)

    def dependencies_of(self, key: str) -> list[str]:
        return [dependency for dependency, dependent in self.edges if dependent == key]


def short_type(type_token: str) -> str:
    """'aws:apigateway/restApi:RestApi' -> 'RestApi'."""
    return type_token.rsplit(":", 1)[-1]


def command(stack: str | None, env: str, fmt: str, *, out: Out = print) -> None:
    """Print one stack's graph in `fmt`."""
    check_format(fmt)
    [name], env = commands.one_stack(stack, env)
    out(render(collect(name, env), fmt))


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UserError(
            f"Unknown graph format {fmt!r}. Valid formats: {', '.join(FORMATS)}.", exit_code=2
        )


def render(graph: StackGraph, fmt: str) -> str:
    check_format(fmt)
    if fmt == "dot":
        return dot(graph)
    if fmt == "svg":
        return graph_svg.render(graph)
    return mermaid(graph)


def collect(stack: str, env: str) -> StackGraph:
    """Run the stack's program on mocks with `env`'s config and read what it declared."""
    program_dir = catalog.stack_dir(stack)
    config = stack_config(program_dir, env)
    declared: list[program.Registration] = []
    parents: dict[str, str] = {}

    def record(reg: program.Registration) -> program.Resolution:
        declared.append(reg)
        return "", {}  # unknown until applied, as in a preview

    def nothing_read(project: str, stack: str) -> dict[str, tuple[object, bool]]:
        return {}

    try:
        commands.preview_on_mocks(
            program_dir,
            env,
            config,
            stack_outputs=nothing_read,
            on_register=record,
            components=parents,
        )
    except ConfigError as error:
        hint = (
            " Its encrypted values are the Pulumi CLI's to read: graph runs without them."
            if has_encrypted_values(program_dir, env)
            else ""
        )
        raise UserError(f"{error}{hint}", exit_code=2) from None
    return _graph(stack, env, declared, parents)


def _graph(
    stack: str, env: str, declared: list[program.Registration], parents: dict[str, str]
) -> StackGraph:
    """`parents`: each component's parent key (program.run's `components`)."""
    parent_of = {**parents, **{reg.urn: reg.parent for reg in declared}}

    def enclosing_component(key: str) -> str:
        """The nearest component up the parent chain (a resource may be the child of another
        custom resource); "" when there is none below the stack."""
        parent = parent_of.get(key, "")
        while parent and parent not in parents:
            parent = parent_of.get(parent, "")
        return parent

    graph = StackGraph(stack, env)
    for key in sorted(parents):
        type_token, name = key.split("::", 1)
        graph.components[key] = Component(key, type_token, name, enclosing_component(key))
    for reg in sorted(declared, key=lambda reg: reg.urn):  # registered in no fixed order
        graph.resources[reg.urn] = Resource(
            reg.urn, reg.type, reg.name, enclosing_component(reg.urn)
        )
    graph.edges = sorted(
        (dependency, reg.urn)
        for reg in declared
        for dependency in reg.dependencies
        if dependency in graph.resources
    )
    graph.ids = _stable_ids(graph)
    return graph


def _stable_ids(graph: StackGraph) -> dict[str, str]:
    """An id per key from its short type and name, sorted first come first served when two
    spell the same, so ids stay put when an unrelated resource is added."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    named = [("c", c.key, c.type, c.name) for c in graph.components.values()]
    named += [("r", r.key, r.type, r.name) for r in graph.resources.values()]
    for prefix, key, type_token, name in sorted(named, key=lambda n: (n[0], n[1])):
        base = re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{short_type(type_token)}_{name}")
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[key] = candidate
    return ids


def mermaid(graph: StackGraph) -> str:
    """A Mermaid flowchart: a subgraph per component, an arrow per dependency."""
    lines = ["flowchart TB"]

    def quoted(text: str) -> str:
        return '"' + text.replace('"', "#quot;") + '"'

    def block(component: str, indent: str) -> Iterator[str]:
        for resource in graph.resources_in(component):
            label = quoted(f"{resource.name}<br/>{resource.short_type}")
            yield f"{indent}{graph.ids[resource.key]}[{label}]"
        for nested in graph.components_in(component):
            yield f"{indent}subgraph {graph.ids[nested.key]}[{quoted(nested.label)}]"
            yield from block(nested.key, indent + "  ")
            yield f"{indent}end"

    lines += block("", "  ")
    lines += [f"  {a} --> {b}" for a, b in _edges_by_id(graph)]
    return "\n".join(lines)


def dot(graph: StackGraph) -> str:
    """Graphviz DOT: a `subgraph cluster_...` per component, an edge per dependency."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"digraph {quoted(f'{graph.stack} ({graph.env})')} {{",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
        '  graph [fontname="Helvetica", fontsize=11];',
    ]

    def block(component: str, indent: str) -> Iterator[str]:
        for resource in graph.resources_in(component):
            label = quoted(f"{resource.name}\n{resource.short_type}").replace("\n", "\\n")
            yield f"{indent}{graph.ids[resource.key]} [label={label}];"
        for nested in graph.components_in(component):
            yield f"{indent}subgraph cluster_{graph.ids[nested.key]} {{"
            yield f"{indent}  label={quoted(nested.label)};"
            yield from block(nested.key, indent + "  ")
            yield f"{indent}}}"

    lines += block("", "  ")
    lines += [f"  {a} -> {b};" for a, b in _edges_by_id(graph)]
    lines.append("}")
    return "\n".join(lines)


def _edges_by_id(graph: StackGraph) -> list[tuple[str, str]]:
    return sorted((graph.ids[a], graph.ids[b]) for a, b in graph.edges)


def _by_key(item: Resource | Component) -> str:
    return item.key


# The README: each pattern's picture follows a line naming the command that prints it.
_README_PICTURE = re.compile(
    r"(?P<head>`invoke graph --stack=(?P<stack>[\w-]+)`[^\n]*\n\n```mermaid\n)"
    r"(?P<body>.*?)\n```",
    re.DOTALL,
)


def readme_pictures(text: str) -> dict[str, str]:
    """Stack -> the mermaid picture the README shows of it."""
    return {m["stack"]: m["body"] for m in _README_PICTURE.finditer(text)}


def write_readme(path: Path = README, *, out: Out = print) -> None:
    """Rewrite every picture in the README with what `graph` prints now for `local`."""
    text = path.read_text()
    pictures = readme_pictures(text)
    if not pictures:
        raise UserError(f"{path} has no ```mermaid picture after an `invoke graph` line.")
    current = {name: mermaid(collect(name, catalog.LOCAL)) for name in pictures}

    def replaced(match: re.Match[str]) -> str:
        return f"{match['head']}{current[match['stack']]}\n```"

    updated = _README_PICTURE.sub(replaced, text)
    if updated == text:
        out(f"{path.name}: every picture is current ({', '.join(sorted(pictures))}).")
        return
    path.write_text(updated)
    changed = sorted(name for name in pictures if pictures[name] != current[name])
    out(f"Rewrote the pictures of {', '.join(changed)} in {path.name}.")
