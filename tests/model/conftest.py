"""Make the repository root importable, so `pytest tests/model` works without installing.

Harmless when a parent conftest or an installed package already provides `shared`.
"""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
