"""`--schema FILE` meta-checks: our compiled draft-07 metaschema must decide exactly as jsonschema's
`check_schema` (same verdict, same place, same words), on real schemas and on broken ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import exceptions, validators

from ossa_lsp.core.schema.registry import SchemaError, _check_schema, _fast_meta_problem
from tests.conftest import CORPUS, ROOT

BROKEN: list[dict[str, Any]] = [
    {"type": 12}, {"type": "strin"}, {"pattern": "(["}, {"required": "x"}, {"minimum": "a"},
    {"properties": {"a": {"type": ["string", 3]}}}, {"patternProperties": {"([": {}}}, {"items": 3},
    {"additionalProperties": "no"}, {"definitions": {"x": {"maxLength": -1}}}, {"dependencies": {"a": 3}},
    {"format": 3}, {"properties": {"deep": {"properties": {"er": {"enum": 5}}}}},
]
ODD_BUT_VALID: list[dict[str, Any]] = [{}, {"enum": []}, {"$id": "not a uri ::"}, {"format": "no-such-format"},
                                       {"x-vendor": {"type": 12}}]


def _jsonschema_verdict(schema: dict[str, Any]) -> str | None:
    try:
        validators.Draft7Validator.check_schema(schema)
    except exceptions.SchemaError as err:
        return "/".join(str(p) for p in err.absolute_path) or "(root)"
    return None


def _schemas() -> list[tuple[str, dict[str, Any]]]:
    files = sorted((ROOT / "schemas").rglob("*.json"))
    if CORPUS.is_dir():
        files += sorted((CORPUS / "schemas").rglob("*.json"))
    out = [(f.name, json.loads(f.read_text("utf-8"))) for f in files]
    return [(name, s) for name, s in out if isinstance(s, dict) and "draft-07" in str(s.get("$schema", "draft-07"))]


@pytest.mark.parametrize("schema", BROKEN + ODD_BUT_VALID, ids=repr)
def test_broken_and_odd_schemas_get_jsonschemas_verdict_at_the_same_place(schema):
    where = _jsonschema_verdict(schema)
    fast = _fast_meta_problem(schema)
    if where is None:
        assert fast is False
    else:
        assert isinstance(fast, str) and fast.startswith(f"not a valid JSON Schema at {where}: ")
        with pytest.raises(SchemaError, match="not a valid JSON Schema"):
            _check_schema(schema)


def test_every_bundled_and_upstream_draft07_schema_passes_both():
    schemas = _schemas()
    assert len(schemas) >= 25
    for name, schema in schemas:
        assert _jsonschema_verdict(schema) is None, name
        assert _fast_meta_problem(schema) is False, name


def test_other_drafts_are_left_to_jsonschema():
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": 12}
    assert _fast_meta_problem(schema) is None
    with pytest.raises(SchemaError, match="at type"):
        _check_schema(schema)
