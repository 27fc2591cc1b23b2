"""A stack's graph as a standalone SVG, laid out here: no Graphviz needed.

The layout is deliberately plain:
- rows are dependency depths: a resource with no dependency in the stack is on the first row,
  any other one row below the deepest resource it depends on, so every arrow points down;
- each component is a box of its own columns, its nested components' boxes side by side to the
  right of its own resources, so boxes never overlap and a box holds exactly its resources;
- within a row and a box, resources are in key order (stable output, no crossing reduction).
Widths are estimated from character counts (no font metrics are at hand), generously.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from shared.ops.graph import Component, Resource, StackGraph

CHAR_WIDTH = 7.2  # px per character at FONT_SIZE, a little more than a sans-serif average
FONT_SIZE = 12
NODE_HEIGHT = 40
GAP = 16  # between columns, and around a box's content
LABEL_BAND = 22  # the height of a component's label above its content
ARROW_ROOM = 28  # vertical space between rows that only arrows use
MARGIN = 20
TITLE_HEIGHT = 44
# Component boxes, by nesting depth (1 = top level), cycling.
BOX_FILLS = ("#eef4fb", "#f7f1e6", "#eef7ee", "#f5eef7")


@dataclass(frozen=True)
class _Box:
    component: Component
    depth: int
    x: float
    width: float


def render(graph: StackGraph) -> str:
    layout = _Layout(graph)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width:.0f}" '
        f'height="{layout.height:.0f}" viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{escape(f'{graph.stack} ({graph.env})')}</title>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z' "
        "fill='#667'/></marker></defs>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="16" font-weight="bold">'
        f"{escape(f'{graph.stack} ({graph.env})')}</text>",
        f'<text x="{MARGIN}" y="{MARGIN + 32}" fill="#555">'
        "An arrow goes from a resource to each resource that depends on it.</text>",
    ]
    # Outer boxes first: each nested box is drawn over the one holding it.
    parts += [layout.box_svg(box) for box in sorted(layout.boxes, key=lambda b: b.depth)]
    for dependency, dependent in graph.edges:
        parts.append(layout.edge_svg(dependency, dependent))
    parts += [layout.node_svg(graph.resources[key]) for key in sorted(graph.resources)]
    parts.append("</svg>")
    return "\n".join(parts)


class _Layout:
    """Where each resource and component box goes."""

    def __init__(self, graph: StackGraph) -> None:
        self.graph = graph
        self._rows: dict[str, int] = {}
        labels = [max(len(r.name), len(r.short_type)) for r in graph.resources.values()]
        self.node_width = max([16, *labels]) * CHAR_WIDTH + 2 * GAP
        self.nesting = max([0, *(self._depth(c.key) for c in graph.components.values())])
        self.positions: dict[str, tuple[float, float]] = {}  # key -> (x, y) of its box
        self.boxes: list[_Box] = []
        width = self._place("", MARGIN - GAP, 0)
        self.width = max(width + 2 * MARGIN - 2 * GAP, 480)
        last_row = max([0, *(self.row(r.key) for r in graph.resources.values())])
        self.height = self._row_top(last_row) + NODE_HEIGHT + self.nesting * GAP / 2 + MARGIN

    # Rows -------------------------------------------------------------------------------

    def row(self, key: str) -> int:
        if key not in self._rows:
            dependencies = self.graph.dependencies_of(key)
            self._rows[key] = 1 + max(self.row(d) for d in dependencies) if dependencies else 0
        return self._rows[key]

    def _row_top(self, row: int) -> float:
        """The top of a row's resources: above each, room for the labels and padding of
        every box that may start there, and below the previous row, room for the box bottoms
        that may end there and for the arrows."""
        above = self.nesting * (LABEL_BAND + GAP / 2)
        below = self.nesting * GAP / 2
        step = NODE_HEIGHT + above + below + ARROW_ROOM
        return MARGIN + TITLE_HEIGHT + above + row * step

    # Columns ----------------------------------------------------------------------------

    def _depth(self, key: str) -> int:
        depth, parent = 0, key
        while parent:
            depth += 1
            parent = self.graph.components[parent].parent
        return depth

    def _place(self, component: str, x: float, depth: int) -> float:
        """Place a component's resources, then its nested components' boxes to the right;
        returns the width it takes, its padding included."""
        start, x = x, x + GAP
        by_row: dict[int, list[Resource]] = {}
        for resource in self.graph.resources_in(component):
            by_row.setdefault(self.row(resource.key), []).append(resource)
        columns = max([0, *(len(resources) for resources in by_row.values())])
        for row, resources in by_row.items():
            for column, resource in enumerate(resources):
                self.positions[resource.key] = (
                    x + column * (self.node_width + GAP),
                    self._row_top(row),
                )
        if columns:
            x += columns * (self.node_width + GAP)
        for nested in self.graph.components_in(component):
            if not self._has_resources(nested.key):
                continue
            width = self._place(nested.key, x, depth + 1)
            self.boxes.append(_Box(nested, depth + 1, x, width))
            x += width + GAP
        width = x - start
        if component:
            label = len(self.graph.components[component].label) * CHAR_WIDTH + 2 * GAP
            width = max(width, label)
        return width

    def _has_resources(self, component: str) -> bool:
        return any(self._within(r.key, component) for r in self.graph.resources.values())

    def _within(self, key: str, component: str) -> bool:
        parent = self.graph.resources[key].component
        while parent and parent != component:
            parent = self.graph.components[parent].parent
        return parent == component

    # Drawing ----------------------------------------------------------------------------

    def box_svg(self, box: _Box) -> str:
        keys = [r.key for r in self.graph.resources.values()]
        tops = [self.positions[k][1] for k in keys if self._within(k, box.component.key)]
        levels_inside = self.nesting - box.depth + 1  # this box and the ones it may hold
        top = min(tops) - levels_inside * (LABEL_BAND + GAP / 2)
        bottom = max(tops) + NODE_HEIGHT + levels_inside * GAP / 2
        fill = BOX_FILLS[(box.depth - 1) % len(BOX_FILLS)]
        return (
            f'<g class="component" id={quoteattr(self.graph.ids[box.component.key])}>'
            f"<title>{escape(box.component.key)}</title>"
            f'<rect x="{box.x:.1f}" y="{top:.1f}" width="{box.width:.1f}" '
            f'height="{bottom - top:.1f}" rx="8" fill="{fill}" stroke="#99a"/>'
            f'<text x="{box.x + GAP / 2:.1f}" y="{top + LABEL_BAND - 6:.1f}" fill="#334">'
            f"{escape(box.component.label)}</text></g>"
        )

    def node_svg(self, resource: Resource) -> str:
        x, y = self.positions[resource.key]
        middle = x + self.node_width / 2
        return (
            f'<g class="resource" id={quoteattr(self.graph.ids[resource.key])}>'
            f"<title>{escape(resource.key)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{self.node_width:.1f}" '
            f'height="{NODE_HEIGHT}" rx="4" fill="white" stroke="#445"/>'
            f'<text x="{middle:.1f}" y="{y + 17:.1f}" text-anchor="middle" '
            f'font-weight="bold">{escape(resource.name)}</text>'
            f'<text x="{middle:.1f}" y="{y + 32:.1f}" text-anchor="middle" fill="#556" '
            f'font-size="{FONT_SIZE - 1}">{escape(resource.short_type)}</text></g>'
        )

    def edge_svg(self, dependency: str, dependent: str) -> str:
        (x1, y1), (x2, y2) = self.positions[dependency], self.positions[dependent]
        x1, x2 = x1 + self.node_width / 2, x2 + self.node_width / 2
        y1 += NODE_HEIGHT
        bend = (y2 - y1) / 2
        return (
            f'<path class="dependency" d="M {x1:.1f} {y1:.1f} C {x1:.1f} {y1 + bend:.1f} '
            f'{x2:.1f} {y2 - bend:.1f} {x2:.1f} {y2:.1f}" fill="none" stroke="#667" '
            f'stroke-opacity="0.6" marker-end="url(#arrow)"/>'
        )
