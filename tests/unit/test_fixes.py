"""Every schema fix: exact bytes before and after, the result re-parses, and the finding is gone."""

from __future__ import annotations

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.findings import Finding
from ossa_lsp.core.fixes import apply_edits, fix_text, insert_key, suppression_fix, text_edits_between
from ossa_lsp.core.schema.registry import REGISTRY
from ossa_lsp.core.text.source import parse

HEAD = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: fixer\n"
SPEC = "spec:\n  role: Fixes things.\n"


def _one(text: str, code: str, path: str = "a.ossa.yaml") -> Finding:
    [f] = [f for f in analyze(text, path).findings if f.code == code]
    return f


CASES = [
    # (id, before, code, after, safe)
    ("misspelled-key", HEAD + SPEC + "  llm:\n    provider: openai\n    model: m\n    temprature: 0.2\n", "SCHEMA001",
     HEAD + SPEC + "  llm:\n    provider: openai\n    model: m\n    temperature: 0.2\n", False),
    ("key-case", HEAD + SPEC + "  llm:\n    provider: openai\n    model: m\n    maxtokens: 10\n", "SCHEMA001",
     HEAD + SPEC + "  llm:\n    provider: openai\n    model: m\n    maxTokens: 10\n", True),
    ("enum-case-keeps-quotes", HEAD + SPEC + "  llm:\n    provider: 'OpenAI'  # ours\n    model: m\n", "SCHEMA004",
     HEAD + SPEC + "  llm:\n    provider: 'openai'  # ours\n    model: m\n", True),
    ("enum-typo", HEAD + SPEC + "  llm:\n    provider: anthropik\n    model: m\n", "SCHEMA004",
     HEAD + SPEC + "  llm:\n    provider: anthropic\n    model: m\n", False),
    ("enum-synonym", HEAD + SPEC + "  tools:\n    - type: rest\n", "SCHEMA004",
     HEAD + SPEC + "  tools:\n    - type: http\n", False),
    ("name-dns1123", "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: Billing_Agent v2\n" + SPEC, "SCHEMA005",
     "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: billing-agent-v2\n" + SPEC, False),
    ("version-semver", HEAD + "  version: v1.2\n" + SPEC, "SCHEMA005", HEAD + "  version: 1.2.0\n" + SPEC, True),
    ("version-number", HEAD + "  version: 1.0\n" + SPEC, "SCHEMA003", HEAD + '  version: "1.0.0"\n' + SPEC, True),
    ("currency-upper", HEAD + SPEC + "  constraints:\n    cost:\n      currency: usd\n", "SCHEMA005",
     HEAD + SPEC + "  constraints:\n    cost:\n      currency: USD\n", True),
    ("quote-number-as-text", HEAD + SPEC + "  constraints:\n    resources:\n      cpu: 2\n", "SCHEMA003",
     HEAD + SPEC + '  constraints:\n    resources:\n      cpu: "2"\n', True),
    ("yes-to-true", HEAD + SPEC + "  autonomy:\n    approval_required: yes\n", "SCHEMA003",
     HEAD + SPEC + "  autonomy:\n    approval_required: true\n", True),
    ("api-version", "apiVersion: ossa/v0.1\nkind: Agent\nmetadata:\n  name: fixer\n" + SPEC, "SCHEMA011",
     HEAD.replace("v0.2.2", REGISTRY.newest()) + SPEC, False),
    ("missing-required", HEAD + SPEC + "  llm:\n    provider: openai\n", "SCHEMA002",
     HEAD + SPEC + "  llm:\n    provider: openai\n    model: gpt-4o\n", False),
    ("missing-in-flow-mapping", HEAD + SPEC + "  llm: {provider: openai}\n", "SCHEMA002",
     HEAD + SPEC + "  llm: {provider: openai, model: gpt-4o}\n", False),
    ("crlf-kept", (HEAD + SPEC + "  llm:\n    provider: OPENAI\n    model: m\n").replace("\n", "\r\n"), "SCHEMA004",
     (HEAD + SPEC + "  llm:\n    provider: openai\n    model: m\n").replace("\n", "\r\n"), True),
]


@pytest.mark.parametrize(("before", "code", "after", "safe"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_fix_gives_exact_bytes_and_removes_its_finding(before, code, after, safe):
    finding = _one(before, code)
    [fix] = finding.fixes
    assert fix.safe is safe
    fixed = apply_edits(before, fix.edits)
    assert fixed == after
    result = analyze(fixed, "a.ossa.yaml")
    assert not [f for f in result.manifest.findings if f.code != "YAML008"]  # re-parses cleanly
    assert not [f for f in result.findings if f.code == code and f.pointer == finding.pointer]


def test_json_enum_fix_keeps_json():
    before = '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "j"},\n "spec": {"role": "r", ' \
             '"llm": {"provider": "OpenAI", "model": "m"}}}\n'
    [fix] = _one(before, "SCHEMA004", "a.ossa.json").fixes
    assert apply_edits(before, fix.edits) == before.replace('"OpenAI"', '"openai"')


def test_fix_text_applies_safe_then_unsafe_and_is_idempotent():
    before = HEAD.replace("fixer", "Fixer_One") + SPEC + "  llm:\n    provider: OPENAI  # c\n    model: m\n"
    safe = fix_text(before, lambda t: analyze(t, "a.ossa.yaml").findings)
    assert safe.text == before.replace("OPENAI", "openai")
    both = fix_text(safe.text, lambda t: analyze(t, "a.ossa.yaml").findings, unsafe=True)
    assert "name: fixer-one" in both.text and "# c" in both.text
    again = fix_text(both.text, lambda t: analyze(t, "a.ossa.yaml").findings, unsafe=True)
    assert again.applied == [] and again.text == both.text


def test_files_with_syntax_errors_are_never_fixed():
    before = HEAD + SPEC + "  llm:\n    provider: OPENAI\n    model: [m\n"
    result = fix_text(before, lambda t: analyze(t, "a.ossa.yaml").findings, unsafe=True)
    assert result.text == before and result.refused


def test_suppression_comment_fix_for_policy_findings():
    f = Finding(code="SEC003", severity=1, source="policy", message="m",  # type: ignore[arg-type]
                span=parse("a:\n  b: http://x\n").documents[0].root.get("a")[1].get("b")[1].span)
    fix = suppression_fix(f, parse("a:\n  b: http://x\n"))
    assert fix is not None
    assert apply_edits("a:\n  b: http://x\n", fix.edits) == "a:\n  # ossa-lsp: ignore[SEC003] -- reason\n  b: http://x\n"


def test_insert_key_into_block_mapping_keeps_trailing_comment():
    text = "a:\n  x: 1  # note\n"
    edit = insert_key(parse(text).documents[0].root.get("a")[1], "y", "2", parse(text).lines)
    assert edit is not None
    assert apply_edits(text, [edit]) == "a:\n  x: 1  # note\n  y: 2\n"


def test_text_edits_between_reproduces_the_new_text():
    old, new = "a\nb\nc\n", "a\nB\nc\nd\n"
    assert apply_edits(old, text_edits_between(old, new)) == new


def test_out_of_range_number_is_clamped_to_the_nearest_bound_as_an_unsafe_fix():
    before = HEAD + SPEC + "  constraints:\n    performance:\n      maxConcurrentRequests: 0\n"
    [fix] = _one(before, "SCHEMA006").fixes
    assert not fix.safe
    assert apply_edits(before, fix.edits) == before.replace("maxConcurrentRequests: 0", "maxConcurrentRequests: 1")
