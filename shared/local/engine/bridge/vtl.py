"""The subset of API Gateway's mapping templates (Velocity, VTL) the bridge renders, and the
check that names, before anything is applied, what a template uses beyond it.

Rendered: literal text; `$input.body`; `$input.json('<path>')` (the value at the path as JSON
text); `$input.path('<path>')` (the value itself: a string as it is, anything else as JSON,
where AWS would print a Java map); `$util.escapeJavaScript(<one of those>)`; each also as
`${...}` or quiet `$!...`. Paths: `$`, `$.a.b`, `$.a[0]`, `$['a']`. A `$` not followed by a
name is text, as in Velocity. Anything else (directives such as `#set`, `#if`, `#foreach`,
comments, `$context`, `$stageVariables`, `$input.params`, other `$util` functions, other paths)
is refused by `unsupported`, by name."""

from __future__ import annotations

import json
import re
from typing import Any

_REFERENCE = re.compile(
    r"\$(!)?(\{)?"
    r"(?:(?P<util>util\.escapeJavaScript)\((?P<arg>[^()]*(?:\([^()]*\))?[^()]*)\)"
    r"|input\.(?P<fn>json|path)\((?:'(?P<path>[^']*)'|\"(?P<dpath>[^\"]*)\")\)"
    r"|(?P<body>input\.body))"
    r"(?(2)\})"
)
_ANY_REFERENCE = re.compile(r"\$!?\{?([A-Za-z][\w.]*)")
_DIRECTIVE = re.compile(
    r"#(?:\{?(set|if|elseif|else|end|foreach|macro|parse|include|stop|break|define|evaluate)\b|#|\*)"
)
_PATH = re.compile(r"^\$((\.[A-Za-z_][\w-]*)|\[\d+\]|\['[^']*'\]|\[\"[^\"]*\"\])*$")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def unsupported(template: str) -> list[str]:
    """What `template` uses that `render` does not render, each named once, in order."""
    found: list[str] = []

    def note(what: str) -> None:
        if what not in found:
            found.append(what)

    for match in _DIRECTIVE.finditer(template):
        note(f"the directive {match.group(0)}")
    rest = _REFERENCE.sub(lambda m: _check_paths(m, note), template)
    for match in _ANY_REFERENCE.finditer(rest):
        note(f"${match.group(1)}")
    return found


def _check_paths(match: re.Match[str], note: Any) -> str:
    path = _path(match)
    if path is not None and not _PATH.match(path):
        note(f"the JSONPath {path!r}")
    if match.group("util"):
        argument = match.group("arg").strip()
        inner = _REFERENCE.fullmatch(argument)
        if inner is None or inner.group("util"):
            note(f"$util.escapeJavaScript({argument})")
        else:
            _check_paths(inner, note)
    return ""


def _path(match: re.Match[str]) -> str | None:
    """The JSONPath a `$input.json`/`$input.path` reference names (in either quotes)."""
    path = match.group("path")
    return path if path is not None else match.group("dpath")


def render(template: str, body: str) -> str:
    """`template` rendered for a request or response whose body is `body`."""

    def value(match: re.Match[str]) -> str:
        if match.group("util"):
            inner = _REFERENCE.fullmatch(match.group("arg").strip())
            if inner is None:
                raise ValueError(f"cannot render {match.group(0)}")
            return escape_javascript(value(inner))
        if match.group("body"):
            return body
        found = select(body, _path(match) or "$")
        if match.group("fn") == "json":
            return json.dumps(found)
        if found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found)

    return _REFERENCE.sub(value, template)


def select(body: str, path: str) -> Any:
    """The value at a JSONPath of the subset in a JSON body; None where there is none (or the
    body is not JSON), as API Gateway renders an empty value."""
    try:
        node: Any = json.loads(body) if body else None
    except ValueError:
        return None
    for name, index, quoted, double in _STEP.findall(path[1:]):
        key = name or quoted or double
        if index:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def escape_javascript(text: str) -> str:
    """`$util.escapeJavaScript`: the text as the inside of a JavaScript string literal
    (Apache Commons' StringEscapeUtils.escapeJavaScript, which API Gateway uses: quotes, both
    kinds, backslash, slash and control characters escaped)."""
    out = []
    for ch in text:
        if ch in "\"'\\/":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ord(ch) < 32 or ord(ch) > 126:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)
