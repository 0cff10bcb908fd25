"""Shared test helpers: the corpus location and small utilities for reading findings back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT.parent / "shared" / "ossa-corpus").resolve()
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def corpus_index() -> dict[str, Any]:
    index = CORPUS / "index.json"
    if not index.is_file():
        pytest.skip(f"OSSA corpus not found at {CORPUS}")
    return json.loads(index.read_text("utf-8"))
