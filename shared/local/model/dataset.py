"""The labelled sentences the model is trained on, shipped inside the package.

The data lives in `data/sentiment.csv` (columns `text,label`) so a checkout is all the
local endpoint needs: no download, no cache, the same model on every machine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

DATASET_NAME = "sentiment.csv"


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str


def load_examples(name: str = DATASET_NAME) -> list[LabelledText]:
    """Read one shipped CSV into examples, failing loudly on a malformed row.

    Read through importlib.resources so it also works from an installed wheel
    (pyproject ships `shared/local/model/data/*` as package data).
    """
    raw = resources.files("shared.local.model").joinpath("data", name).read_text(encoding="utf-8")
    examples = []
    # Line 1 is the header, so the first data row is line 2 in an editor.
    for line_number, row in enumerate(csv.DictReader(io.StringIO(raw)), start=2):
        text = (row.get("text") or "").strip()
        label = (row.get("label") or "").strip()
        if not text or not label:
            raise ValueError(f"{name} line {line_number}: both text and label are required")
        examples.append(LabelledText(text=text, label=label))
    if not examples:
        raise ValueError(f"{name} has no examples")
    return examples
