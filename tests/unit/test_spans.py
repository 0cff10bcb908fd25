"""Each kind of error underlines exactly the right text — the key for unknown keys and for a missing
field's parent, the value for type/enum/pattern/range/length/format problems — in YAML and in JSON,
with non-ASCII text earlier on the same line."""

from __future__ import annotations

import json

import pytest

from ossa_lsp.core.analyze import analyze

# (id, code, a YAML line under `spec:` that carries the error, the exact text that must be underlined)
CASES = [
    ("unknown-key", "SCHEMA001", '  llm: {model: "modèle🎉", provider: openai, témprature: 1}', "témprature"),
    ("wrong-type", "SCHEMA003", '  llm: {model: "é🎉", provider: openai, maxTokens: "lots"}', '"lots"'),
    ("enum", "SCHEMA004", '  llm: {model: "é🎉", provider: öpenai}', "öpenai"),
    ("range", "SCHEMA006", '  llm: {model: "é🎉", provider: openai, temperature: 9}', "9"),
    ("pattern", "SCHEMA005", '  constraints: {cost: {maxCostPerDay: 1, currency: "€ur"}}', '"€ur"'),
    ("length", "SCHEMA007", '  llm: {model: "é🎉", provider: openai}\n  role: ""', '""'),
    ("format", "SCHEMA009", '  tools: [{type: http, name: "ü🎉", endpoint: "not a uri"}]', '"not a uri"'),
    ("missing-required", "SCHEMA002", '  llm: {model: "é🎉"}', "llm"),
]

HEAD = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: spans\nspec:\n  role: Überprüft 🎉\n"


def _covered(text: str, f) -> str:
    lines = text.split("\n")
    assert f.span.start.line == f.span.end.line
    return lines[f.span.start.line][f.span.start.character:f.span.end.character]


@pytest.mark.parametrize(("code", "line", "expect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_yaml_span_is_exact(code, line, expect):
    text = HEAD + line + "\n"
    if code == "SCHEMA007":
        text = text.replace("  role: Überprüft 🎉\n", "")
    found = [f for f in analyze(text, "spans.ossa.yaml").findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in analyze(text, "spans.ossa.yaml").findings]
    assert _covered(text, found[0]) == expect


def _json_doc(spec: dict) -> dict:
    return {"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "spans"}, "spec": spec}


JSON_CASES = [
    ("unknown-key", "SCHEMA001", {"role": "é🎉", "llm": {"provider": "openai", "model": "m", "témprature": 1}},
     '"témprature"'),
    ("wrong-type", "SCHEMA003", {"role": "é🎉", "llm": {"provider": "openai", "model": "m", "maxTokens": "lots"}},
     '"lots"'),
    ("enum", "SCHEMA004", {"role": "é🎉", "llm": {"provider": "öpenai", "model": "m"}}, '"öpenai"'),
    ("range", "SCHEMA006", {"role": "é🎉", "llm": {"provider": "openai", "model": "m", "temperature": 9}}, "9"),
    ("pattern", "SCHEMA005", {"role": "é🎉", "constraints": {"cost": {"currency": "€ur"}}}, '"€ur"'),
    ("length", "SCHEMA007", {"role": ""}, '""'),
    ("format", "SCHEMA009", {"role": "é🎉", "tools": [{"type": "http", "endpoint": "not a uri"}]}, '"not a uri"'),
    ("missing-required", "SCHEMA002", {"role": "é🎉", "llm": {"model": "m"}}, '"llm"'),
]


@pytest.mark.parametrize(("code", "spec", "expect"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_json_span_is_exact(code, spec, expect):
    text = json.dumps(_json_doc(spec), ensure_ascii=False)  # one line: everything before is non-ASCII-rich
    found = [f for f in analyze(text, "spans.ossa.json").findings if f.code == code]
    assert len(found) == 1
    assert _covered(text, found[0]) == expect


def test_duplicate_key_and_syntax_error_spans():
    text = HEAD.replace("  name: spans\n", "  name: spans\n  description: «Ü» 🎉\n  name: again\n")
    [dup] = [f for f in analyze(text, "d.ossa.yaml").findings if f.code == "YAML002"]
    assert _covered(text, dup) == "name" and dup.span.start.line == 5
    broken = HEAD + "  llm: {provider: «openai», model: [m}\n"
    [syn] = [f for f in analyze(broken, "s.ossa.yaml").findings if f.code == "YAML001"]
    assert syn.span.start.line == 6
