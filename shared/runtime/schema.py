"""Request bodies checked against a JSON Schema, answered 400 naming the field.

The handlers' zips carry the standard library only (the Lambda runtime has no `jsonschema`), so
this checks the part of JSON Schema (draft 2020-12) the request shapes use:

    type (one name), properties, required, additionalProperties (false), enum,
    minimum, maximum, minLength, maxLength, items, minItems, maxItems

Schemas that use anything else are refused when the check runs, rather than half-checked.
The first problem found is the answer, as `"<path>" must be <what the schema says>`:

    check({"top_k": "abc"}, PARAMETERS, "parameters")
    # HttpError 400: "parameters.top_k" must be an integer from 1 to 3
"""

from __future__ import annotations

from typing import Any

from .http import HttpError

Schema = dict[str, Any]

_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "items",
        "minItems",
        "maxItems",
        "description",
    }
)
_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}


def check(value: Any, schema: Schema, path: str = "") -> None:
    """Raise HttpError(400) for the first way `value` breaks `schema`; `path` names it."""
    unknown = set(schema) - _KEYWORDS
    if unknown:
        raise ValueError(f"schema keywords not supported here: {', '.join(sorted(unknown))}")
    kind = schema.get("type")
    if kind is not None and not _is_type(value, kind):
        raise _invalid(path, describe(schema))
    if "enum" in schema and value not in schema["enum"]:
        raise _invalid(path, describe(schema))
    if isinstance(value, dict):
        _check_object(value, schema, path)
    elif isinstance(value, list):
        _check_array(value, schema, path)
    elif isinstance(value, str):
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            raise _invalid(path, describe(schema))
    elif _is_type(value, "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _invalid(path, describe(schema))


def describe(schema: Schema) -> str:
    """What a value meeting `schema` is, in words: 'an integer from 1 to 3'."""
    if "enum" in schema:
        return "one of " + ", ".join(_literal(v) for v in schema["enum"])
    kind = schema.get("type")
    text = _TYPE_NAMES.get(kind, "a value") if isinstance(kind, str) else "a value"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        text += f" from {low} to {high}"
    elif low is not None:
        text += f" of at least {low}"
    elif high is not None:
        text += f" of at most {high}"
    if kind == "string" and schema.get("minLength") == 1 and "maxLength" not in schema:
        text = "a non-empty string"
    elif kind == "string" and "maxLength" in schema:
        text += f" of {schema.get('minLength', 0)} to {schema['maxLength']} characters"
    if kind == "array" and "maxItems" in schema:
        text += f" of {schema.get('minItems', 0)} to {schema['maxItems']} items"
    elif kind == "array" and "minItems" in schema:
        text += f" of at least {schema['minItems']} items"
    return text


def _check_object(value: dict[str, Any], schema: Schema, path: str) -> None:
    properties: dict[str, Schema] = schema.get("properties", {})
    missing = [name for name in schema.get("required", ()) if name not in value]
    if missing:
        where = f" in {_quoted(path)}" if path else ""
        raise HttpError(400, f"missing fields{where}: {', '.join(missing)}")
    if schema.get("additionalProperties", True) is False:
        unknown = sorted(set(value) - set(properties))
        if unknown:
            where = f" in {_quoted(path)}" if path else ""
            raise HttpError(
                400,
                f"unknown fields{where}: {', '.join(unknown)}; "
                f"expected {', '.join(properties) or 'none'}",
            )
    for name, subschema in properties.items():
        if name in value:
            check(value[name], subschema, _join(path, name))


def _check_array(value: list[Any], schema: Schema, path: str) -> None:
    if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
        raise _invalid(path, describe(schema))
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            check(item, items, f"{path}[{index}]")


def _is_type(value: Any, kind: str) -> bool:
    # bool is an int subclass in Python, but `true` is not a number in JSON.
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise ValueError(f"schema type not supported here: {kind!r}")


def _invalid(path: str, expected: str) -> HttpError:
    return HttpError(400, f"{_quoted(path or 'body')} must be {expected}")


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _quoted(path: str) -> str:
    return f'"{path}"'
