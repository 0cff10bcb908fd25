"""Shared test helpers: the corpus location and small utilities for reading findings back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient, default_feature

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT.parent / "shared" / "ossa-corpus").resolve()
EXAMPLES = ROOT / "examples"


# pytest-lsp's client advertises refresh support for code lenses and inlay hints (as VS Code and Neovim do)
# but has no handler for them: answer as editors do, and count them for the tests that expect one.
@default_feature(types.WORKSPACE_CODE_LENS_REFRESH)
def _code_lens_refresh(client: LanguageClient, params: None) -> None:
    client.code_lens_refresh_count = getattr(client, "code_lens_refresh_count", 0) + 1  # type: ignore[attr-defined]


@default_feature(types.WORKSPACE_INLAY_HINT_REFRESH)
def _inlay_hint_refresh(client: LanguageClient, params: None) -> None:
    client.inlay_hint_refresh_count = getattr(client, "inlay_hint_refresh_count", 0) + 1  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def corpus_index() -> dict[str, Any]:
    index = CORPUS / "index.json"
    if not index.is_file():
        pytest.skip(f"OSSA corpus not found at {CORPUS}")
    return json.loads(index.read_text("utf-8"))
