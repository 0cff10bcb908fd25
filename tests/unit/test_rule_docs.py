"""docs/rules and the config file's JSON Schema are generated from the rule declarations; the committed
copies must match what the code generates today, and every link the tools emit must land on a page."""

from __future__ import annotations

import json
from pathlib import Path

from ossa_lsp.core.codes import CODES, doc_url
from ossa_lsp.core.config import load as config  # noqa: F401 - registers the CFG codes
from ossa_lsp.core.constants import DOCS_BASE
from ossa_lsp.output.rule_docs import config_schema_text, write_pages

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run `ossa-lsp rules --write-docs docs/rules --write-schema schemas/ossa-lsp-config.schema.json`"


def test_rule_pages_are_up_to_date(tmp_path):
    write_pages(tmp_path)
    fresh = {p.name: p.read_text("utf-8") for p in tmp_path.iterdir()}
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / "docs" / "rules").iterdir()}
    assert sorted(committed) == sorted(fresh), REGENERATE
    assert [n for n in fresh if committed[n] != fresh[n]] == [], REGENERATE


def test_config_schema_is_up_to_date():
    committed = (ROOT / "schemas" / "ossa-lsp-config.schema.json").read_text("utf-8")
    assert committed == config_schema_text(), REGENERATE
    assert json.loads(committed)["properties"]["extends"]["enum"] == ["baseline", "enterprise", "strict"]


def test_every_policy_and_config_link_lands_on_a_page_or_anchor():
    conf = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    for code, info in CODES.items():
        url = doc_url(code)
        assert url.startswith(DOCS_BASE)
        rel = url[len(DOCS_BASE) + 1:]
        page, _, anchor = rel.partition("#")
        assert (ROOT / "docs" / page).is_file(), url
        if info.source == "config":
            assert f'<a id="{anchor}"></a>' in conf, code
