"""Differential test against the upstream OSSA corpus: our verdict equals upstream's for every file
and document, and every upstream error path has a schema finding at or below it.

Skips when ../shared/ossa-corpus is not there.
"""

from __future__ import annotations

from typing import Any

import pytest

from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.schema.registry import REGISTRY
from tests.conftest import CORPUS

PARSE_CODES = {"YAML001", "YAML002", "YAML005"}


def _read(entry: dict[str, Any]) -> str:
    return (CORPUS / entry["file"]).read_bytes().decode("utf-8-sig")


def _expectations(entry: dict[str, Any]) -> dict[int, tuple[bool, list[list[str]]]]:
    """document index → (valid, upstream errors); 'not-a-mapping' documents are left out."""
    if entry.get("documents"):
        return {d["index"]: (d["verdict"] == "valid", d["errors"]) for d in entry["documents"]
                if d["verdict"] in ("valid", "invalid")}
    return {0: (entry["verdict"] == "valid", entry["errors"])}


def _covered(result: Analysis, doc: int, pointer: str) -> bool:
    prefix = pointer.rstrip("/")
    for f in result.findings:
        if f.document != doc or f.source != "schema":
            continue
        if f.pointer == prefix or f.pointer.startswith(prefix + "/") or prefix == "":
            return True
    return False


def _compare(entry: dict[str, Any], result: Analysis) -> list[str]:
    problems: list[str] = []
    name = entry["file"]
    if entry["verdict"] == "parse-error" and not entry.get("documents"):
        codes = {f.code for f in result.findings}
        if not codes & PARSE_CODES:
            problems.append(f"{name}: upstream cannot parse it ({entry['parse_error']}), we found {sorted(codes)}")
        return problems
    ours = {d.index: d.valid for d in result.documents}
    for index, (valid, errors) in _expectations(entry).items():
        if index not in ours:
            problems.append(f"{name}#{index}: we produced no verdict")
            continue
        if ours[index] != valid:
            found = [(f.code, f.pointer) for f in result.findings if f.document == index]
            problems.append(f"{name}#{index}: upstream {'valid' if valid else 'invalid'}, ours differs; {found}")
        for pointer, keyword in errors:
            if not _covered(result, index, pointer):
                problems.append(f"{name}#{index}: no finding at or below {pointer} ({keyword})")
    return problems


def _entries(index: dict[str, Any], version: str | None = None) -> list[dict[str, Any]]:
    return [e for e in index["entries"] if e["schema_file"] and (version is None or e["schema_version"] == version)]


def test_bundled_v0_2_2_schema_agrees_with_upstream_on_every_v0_2_2_file(corpus_index):
    ours = REGISTRY.get("v0.2.2")
    entries = _entries(corpus_index, "v0.2.2")
    assert len(entries) >= 60
    problems = [p for e in entries for p in _compare(e, analyze(_read(e), e["file"], schema=ours))]
    assert problems == []


def test_bundled_selection_by_api_version_agrees_on_v0_2_2_manifests(corpus_index):
    # Without pinning: every manifest that declares ossa/v0.2.2 or ossa/v1 selects our v0.2.2 schema.
    entries = [e for e in _entries(corpus_index, "v0.2.2") if e["apiVersion"] in ("ossa/v0.2.2", "ossa/v1")]
    assert entries
    problems = [p for e in entries for p in _compare(e, analyze(_read(e), e["file"]))]
    assert problems == []


def test_mutants_report_their_expected_errors_on_the_right_pointer(corpus_index):
    mutants = [e for e in corpus_index["entries"] if e["origin"] == "mutant"]
    assert len(mutants) >= 50
    for e in mutants:
        result = analyze(_read(e), e["file"], schema=REGISTRY.get("v0.2.2"))
        for pointer, _keyword in e.get("expected_errors") or []:
            assert _covered(result, 0, pointer), (e["file"], pointer, [(f.code, f.pointer) for f in result.findings])


@pytest.mark.parametrize("version", ["v0.2.2", "v0.2.3", "v0.2.4", "v0.2.5", "v0.2.5-dev", "v0.2.6", "v0.2.8", "v0.2.9",
                                     "v0.3", "v0.3.0", "v0.3.1", "v0.3.2", "v0.3.3", "v0.3.4", "v0.3.5", "v0.3.6",
                                     "v0.4.5", "v0.4.6", "v0.5.0", "v1"])
def test_upstream_schema_via_schema_option_agrees_for_every_version(corpus_index, version):
    entries = _entries(corpus_index, version)
    if not entries:
        pytest.skip(f"no corpus entries for {version}")
    problems = []
    for e in entries:
        schema = REGISTRY.load_file(CORPUS / e["schema_file"])
        problems.extend(_compare(e, analyze(_read(e), e["file"], schema=schema)))
    assert problems == []


def test_fast_validator_gives_exactly_jsonschemas_errors_on_the_whole_corpus(corpus_index):
    """Our compiled validator must agree with jsonschema error for error (pointer and keyword)."""
    import json

    from jsonschema import Draft7Validator

    from ossa_lsp.core.schema.fastschema import compile_schema
    from ossa_lsp.core.schema.formats import jsonschema_checker
    from ossa_lsp.core.schema.validate import pointer
    from ossa_lsp.core.text.source import parse

    compiled: dict[str, tuple[object, object]] = {}
    compared = 0
    for e in _entries(corpus_index):
        if e["schema_file"] not in compiled:
            schema = json.loads((CORPUS / e["schema_file"]).read_text("utf-8"))
            compiled[e["schema_file"]] = (compile_schema(schema),
                                          Draft7Validator(schema, format_checker=jsonschema_checker()))
        fast, reference = compiled[e["schema_file"]]
        if fast is None:
            continue
        for doc in parse(_read(e), e["file"]).documents:
            if not isinstance(doc.data, dict):
                continue
            ours = sorted((pointer(x.absolute_path), x.validator) for x in fast.iter_errors(doc.data))  # type: ignore[attr-defined]
            theirs = sorted((pointer(x.absolute_path), x.validator) for x in reference.iter_errors(doc.data))  # type: ignore[attr-defined]
            assert ours == theirs, (e["file"], doc.index)
            compared += 1
    assert compared > 300
    assert sum(1 for f, _ in compiled.values() if f is not None) == len(compiled), "a corpus schema fell back"


def test_bundled_schemas_are_valid_json_schemas():
    from jsonschema import Draft7Validator

    for version in REGISTRY.supported():
        Draft7Validator.check_schema(REGISTRY.get(version).schema)


def test_fast_validator_follows_refs_across_schema_files(tmp_path):
    import json

    (tmp_path / "common").mkdir()
    (tmp_path / "main.json").write_text(json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "properties": {"llm": {"$ref": "common/llm.json#/definitions/LLM"}, "n": {"$ref": "#/definitions/N"}},
        "definitions": {"N": {"type": "integer"}}}))
    (tmp_path / "common" / "llm.json").write_text(json.dumps({"definitions": {
        "LLM": {"type": "object", "properties": {"provider": {"$ref": "#/definitions/P"},
                                                 "back": {"$ref": "../main.json#/definitions/N"}}},
        "P": {"enum": ["openai"]}}}))
    validator = REGISTRY.load_file(tmp_path / "main.json").validator
    errors = sorted((tuple(e.absolute_path), e.validator) for e in validator.iter_errors(
        {"llm": {"provider": "x", "back": "y"}, "n": "z"}))
    assert errors == [(("llm", "back"), "type"), (("llm", "provider"), "enum"), (("n",), "type")]
    assert type(validator).__name__ == "FastValidator"
