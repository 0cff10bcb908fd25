"""The schema navigator follows `$ref`s across files the way completion and hover need: a reference inside a
shared file resolves in that file, descriptions written next to a `$ref` are kept, and what one schema
registry has read never leaks into another."""

from __future__ import annotations

import json
from pathlib import Path

from ossa_lsp.core.schema.navigate import SchemaDocs, SchemaNav, facts, properties
from ossa_lsp.core.schema.registry import SchemaRegistry

MAIN = {
    "type": "object",
    "properties": {
        "llm": {"$ref": "common/llm.schema.json#/definitions/LLM", "description": "The model this agent uses."},
        "local": {"$ref": "#/definitions/Local"},
    },
    "definitions": {"Local": {"type": "string", "description": "Defined in main."}},
}
COMMON = {
    "definitions": {
        "LLM": {"type": "object", "description": "An LLM.", "properties": {"provider": {"$ref": "#/definitions/Provider"}}},
        "Provider": {"enum": ["openai", "anthropic"], "description": "Who serves the model."},
    },
}


def _write(folder: Path) -> Path:
    (folder / "common").mkdir()
    (folder / "common" / "llm.schema.json").write_text(json.dumps(COMMON), encoding="utf-8")
    main = folder / "main.schema.json"
    main.write_text(json.dumps(MAIN), encoding="utf-8")
    return main


def test_a_reference_inside_a_shared_file_resolves_in_that_file(tmp_path):
    nav = SchemaRegistry(tmp_path).load_file(_write(tmp_path)).nav()
    provider = facts(nav, nav.at(["llm", "provider"]))
    assert provider.enum == ["openai", "anthropic"]
    assert provider.description == "Who serves the model."
    assert facts(nav, nav.at(["local"])).description == "Defined in main."


def test_a_description_next_to_a_ref_wins_over_the_target_s(tmp_path):
    nav = SchemaRegistry(tmp_path).load_file(_write(tmp_path)).nav()
    assert facts(nav, nav.at(["llm"])).description == "The model this agent uses."
    assert "provider" in properties(nav, nav.at(["llm"]))


def test_registries_do_not_share_what_they_read(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    a = SchemaRegistry(one).load_file(_write(one))
    _write(two)
    (two / "common" / "llm.schema.json").write_text(json.dumps(
        {"definitions": {"LLM": {"type": "object", "properties": {"provider": {"enum": ["local"]}}}}}), encoding="utf-8")
    b = SchemaRegistry(two).load_file(two / "main.schema.json")
    assert facts(a.nav(), a.nav().at(["llm", "provider"])).enum == ["openai", "anthropic"]
    assert facts(b.nav(), b.nav().at(["llm", "provider"])).enum == ["local"]


def test_without_documents_only_references_inside_the_schema_resolve():
    nav = SchemaNav(MAIN, docs=SchemaDocs())
    assert facts(nav, nav.at(["local"])).description == "Defined in main."
    assert nav.at(["llm", "provider"]) == []  # the shared file is not known, and never fetched
