"""How a provider's `read` shapes live values like the record.

`read` returns what the engine compares with the record's inputs to find drift (see
providers/base.py), so a live value must come back exactly as the program wrote it when
nothing changed, and differ from it when something did. AWS answers in its own shape: it
reformats JSON documents, keeps no order in lists that are sets, fills in its defaults for what
a program left out, and holds settings objects with more keys than the program gave. Each of
those is undone here, in one way for every provider:
- `live_inputs`: which live inputs are compared at all (the recorded ones, and an unset one
  only where its live value is no longer AWS's default);
- `only_keys` and `shaped`: a settings object reduced to the keys the program set;
- `same_set`: a list whose order means nothing, in the recorded order;
- `same_json` and `same_document`: a JSON document by what it means, not how it is written.
(Secrets: see secret_values.py.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Inputs = dict[str, Any]


def live_inputs(
    recorded: Mapping[str, Any], live: Inputs, defaults: Mapping[str, Any] | None = None
) -> Inputs:
    """The live inputs a drift check compares: each one `recorded` holds, and one the program
    left unset only where `defaults` gives AWS's default for it and the live value is another
    (it was set behind the engine's back). A default of None means AWS sets nothing: any value
    is drift. An input with no entry in `defaults` is compared only where it was recorded (AWS's
    default is not known, or varies)."""
    defaults = defaults or {}
    return {
        key: value
        for key, value in live.items()
        if key in recorded or (key in defaults and value != defaults[key])
    }


def only_keys(live: dict[str, Any] | None, recorded: Any) -> Any:
    """A live settings object reduced to the keys the program set (the others are AWS's
    defaults, which a program that did not set them cannot drift from)."""
    if not isinstance(recorded, dict) or live is None:
        return live
    return {k: live.get(k) for k in recorded}


def _empty(value: Any) -> bool:
    """What a service reports for a setting nobody set: false, zero, an empty string, list or
    map."""
    return value is None or value is False or value == 0 or value in ("", [], {})


def shaped(live: Any, recorded: Any = None) -> Any:
    """`live` (camelCase, built from an answer that reports every setting, S3's) in the shape
    of `recorded`, at any depth: a field the program left out is dropped where the service
    reports only its empty default, and kept otherwise, so that it shows as drift; a field the
    program set to an empty value that the service does not report reads as that value. Lists
    of equal length are shaped item by item."""
    if isinstance(live, dict):
        prior = recorded if isinstance(recorded, dict) else {}
        out = {
            k: shaped(v, prior.get(k))
            for k, v in live.items()
            if k in prior or not _empty(shaped(v))
        }
        out.update({k: v for k, v in prior.items() if k not in live and _empty(v)})
        return out
    if isinstance(live, list):
        items = recorded if isinstance(recorded, list) and len(recorded) == len(live) else []
        return [shaped(v, items[n] if items else None) for n, v in enumerate(live)]
    return live


def _sort_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def same_set(recorded: Any, live: list[Any]) -> list[Any]:
    """A live list whose order means nothing (AWS keeps none): the recorded list when it holds
    the same items, else the live items sorted. Items are compared as values (dicts by their
    keys, whatever their order)."""
    if isinstance(recorded, list) and len(recorded) == len(live):
        rest = list(live)
        for item in recorded:
            if item not in rest:
                break
            rest.remove(item)
        else:
            return recorded
    return sorted(live, key=_sort_key)


def _parsed(document: Any) -> Any:
    return json.loads(document) if isinstance(document, str) else document


def same_json(a: Any, b: Any) -> bool:
    """Whether two JSON documents (text, or already parsed) mean the same: AWS answers with its
    own key order and spacing. Text that is not JSON is compared as text."""
    try:
        return bool(_parsed(a) == _parsed(b))
    except ValueError:
        return bool(a == b)


def same_document(recorded: Any, live: Any) -> Any:
    """A JSON document (a policy, an event pattern, a state machine definition) as `read`
    returns it: the recorded form when the live one means the same, else the live one as text.
    No document (None, or the empty text some services answer) reads as None."""
    if live is None or live == "":
        return None
    if recorded is not None and same_json(recorded, live):
        return recorded
    return live if isinstance(live, str) else json.dumps(live)
