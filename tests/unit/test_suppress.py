"""Suppression comments: where they apply, what they cover, and the hygiene findings about them."""

from __future__ import annotations

from datetime import date

import ossa_lsp.core.rules  # noqa: F401 - declares the rules
from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.policy import Policy
from ossa_lsp.core.suppress import parse as parse_suppressions
from ossa_lsp.core.text.source import parse
from ossa_lsp.core.text.spans import LineIndex

HEAD = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: search-agent
spec:
  role: Searches.
"""
TOOLS = """  tools:
    - type: http
      name: a
      endpoint: http://a.example.com/api
      auth: {type: none}
    - type: http
      name: b
      endpoint: http://b.example.com/api
      auth: {type: none}
"""


def check(text: str, profile: str = "strict", path: str = "a.ossa.yaml") -> Analysis:
    return analyze(text, path, policy=Policy.for_profile(profile, env=Env(today=date(2026, 6, 1))))


def codes(result: Analysis, *, suppressed: bool = False) -> list[tuple[str, int]]:
    return sorted((f.code, f.span.start.line) for f in result.findings if (f.suppressed is not None) == suppressed)


def test_end_of_line_suppression_covers_that_node_only():
    text = HEAD + TOOLS.replace("endpoint: http://a.example.com/api",
                                "endpoint: http://a.example.com/api  # ossa-lsp: ignore[SEC003] -- vendor has no TLS")
    r = check(text)
    [hidden] = [f for f in r.findings if f.suppressed is not None]
    assert (hidden.code, hidden.span.start.line, hidden.suppressed) == ("SEC003", 9, "vendor has no TLS")
    assert ("SEC003", 13) in codes(r)  # the other tool is still reported


def test_comment_above_a_key_covers_its_whole_subtree():
    text = HEAD + TOOLS.replace("  tools:\n", "  # ossa-lsp: ignore[insecure-http-endpoint] -- both vendors are legacy\n"
                                "  tools:\n")
    r = check(text)
    assert [c for c in codes(r) if c[0] == "SEC003"] == []
    assert [c for c, _ in codes(r, suppressed=True)] == ["SEC003", "SEC003"]


def test_trailing_comment_on_a_list_item_covers_that_item():
    text = HEAD + TOOLS.replace("    - type: http\n      name: b", "    - type: http  # ossa-lsp: ignore[SEC] -- b\n"
                                "      name: b")
    r = check(text)
    assert [line for c, line in codes(r, suppressed=True)] == [13, 14]  # b's SEC003 (endpoint) and SEC010 (auth)
    assert ("SEC003", 9) in codes(r)


def test_file_ignore_in_the_first_comment_block_covers_every_document():
    doc = HEAD + TOOLS
    text = "# Legacy agents.\n# ossa-lsp: file-ignore[SEC003, SUP002] -- migrating in Q3\n\n" + doc + "---\n" + doc
    r = check(text)
    assert not [c for c in codes(r) if c[0] == "SEC003"]
    assert len([c for c, _ in codes(r, suppressed=True) if c == "SEC003"]) == 4


def test_file_ignore_after_content_is_invalid_and_suppresses_nothing():
    text = HEAD + "# ossa-lsp: file-ignore[SEC003] -- too late\n" + TOOLS
    r = check(text)
    assert ("SEC003", 10) in codes(r)
    [bad] = [f for f in r.findings if f.code == "SUP003"]
    assert "first comment block" in bad.message and bad.span.start.line == 6


def test_suppressions_mark_schema_findings_too_and_keep_validity():
    text = HEAD.replace("  name: search-agent\n", "  name: search-agent\n  owner: me  # ossa-lsp: ignore[SCHEMA001] -- "
                        "read by our portal\n")
    r = check(text, "baseline")
    [f] = [f for f in r.findings if f.code == "SCHEMA001"]
    assert f.suppressed == "read by our portal"
    assert r.documents[0].valid is False  # validity is about the schema, not about suppressions
    assert r.errors == 0


def test_unused_suppression_is_reported_on_the_selector_with_a_safe_fix():
    text = HEAD + "  tools:\n    - type: http  # ossa-lsp: ignore[SEC003, SEC004] -- legacy\n      name: a\n" \
                  "      endpoint: https://a.example.com\n"
    r = check(text)
    assert [f.code for f in r.findings if f.suppressed is not None] == ["SEC004"]
    [f] = [f for f in r.findings if f.code == "SUP001"]
    line = LineIndex(text)
    assert line.slice(f.span) == "SEC003"
    [fix] = f.fixes
    assert fix.safe
    edited = text[: line.offset(fix.edits[0].span.start)] + fix.edits[0].new_text + text[line.offset(fix.edits[0].span.end):]
    assert "# ossa-lsp: ignore[SEC004] -- legacy" in edited


def test_removing_the_only_selector_removes_the_whole_comment_line():
    text = HEAD + "  # ossa-lsp: ignore[SEC003] -- legacy\n  llm: {provider: openai, model: gpt-4o-mini, maxTokens: 100}\n"
    r = check(text)
    [f] = [f for f in r.findings if f.code == "SUP001"]
    edit = f.fixes[0].edits[0]
    lines = LineIndex(text)
    assert text[: lines.offset(edit.span.start)] + text[lines.offset(edit.span.end):] == HEAD + \
        "  llm: {provider: openai, model: gpt-4o-mini, maxTokens: 100}\n"


def test_unused_is_not_reported_for_rules_the_profile_leaves_off():
    text = HEAD + "  tools:  # ossa-lsp: ignore[SEC004] -- public APIs\n    - type: http\n      endpoint: https://x.example\n"
    assert [f for f in check(text, "baseline").findings if f.code == "SUP001"] == []
    r = check(text, "enterprise")
    assert [f.code for f in r.findings if f.suppressed is not None] == ["SEC004"]


def test_missing_reason_unknown_code_and_missing_brackets():
    text = HEAD + ("  tools:\n    - type: http  # ossa-lsp: ignore[SEC004]\n      endpoint: https://x.example\n"
                   "  llm:  # ossa-lsp: ignore[LLM999] -- typo\n    provider: openai\n    model: gpt-4o-mini\n"
                   "    maxTokens: 10  # ossa-lsp: ignore -- what?\n")
    r = check(text)
    by_code = {f.code: f for f in r.findings if f.code.startswith("SUP")}
    assert set(by_code) == {"SUP002", "SUP003"}
    sup3 = sorted(f.span.start.line for f in r.findings if f.code == "SUP003")
    assert sup3 == [9, 12]
    assert "LLM999" in next(f.message for f in r.findings if f.code == "SUP003" and f.span.start.line == 9)
    assert by_code["SUP002"].span.start.line == 7 and by_code["SUP002"].severity.label == "warning"
    assert [f.code for f in r.findings if f.suppressed is not None] == ["SEC004"]  # no reason, still suppresses


def test_hygiene_findings_can_themselves_be_file_ignored():
    text = "# ossa-lsp: file-ignore[SUP002] -- we track reasons in tickets\n" + HEAD + \
        "  tools:\n    - type: http  # ossa-lsp: ignore[SEC004]\n      endpoint: https://x.example\n"
    r = check(text)
    assert [f.code for f in r.findings if f.suppressed is None and f.code.startswith("SUP")] == []


def test_directive_text_inside_a_block_scalar_or_a_quoted_value_is_not_a_comment():
    text = HEAD.replace("  role: Searches.\n", "  role: |\n    Never write # ossa-lsp: ignore[SEC003] in output.\n") + \
        "  labels_note: 'a # ossa-lsp: ignore[SEC003] -- x'\n"
    assert parse_suppressions(parse(text)) == []


def test_json_has_no_suppressions():
    text = '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "a # ossa-lsp: ignore[X]"}}'
    assert parse_suppressions(parse(text, "a.ossa.json")) == []


def test_hash_inside_double_quotes_before_a_real_comment():
    text = HEAD + '  tools:\n    - type: http\n      name: "#1"\n      endpoint: http://x.example.com  ' \
                  '# ossa-lsp: ignore[SEC003] -- "quoted" reason\n      auth: {type: none}\n'
    r = check(text)
    assert [(f.code, f.suppressed) for f in r.findings if f.suppressed is not None] == [("SEC003", '"quoted" reason')]
