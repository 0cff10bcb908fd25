"""core/format.py: what formatting changes (indentation, nothing else) and what it never does
(lose a comment, change the data, touch a broken file), over hand-written cases and the whole corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ossa_lsp.core import files
from ossa_lsp.core.format import comments, format_text, line_edits
from ossa_lsp.core.text.source import parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("OSSA_CORPUS", ROOT.parent / "shared" / "ossa-corpus"))

MESSY = """# Support agent
apiVersion: ossa/v0.4.7   # pinned
kind: Agent
metadata:
    name: support
    labels: {team: care, tier: gold}
    empty:
    nothing: ~
spec:
    role: &role |
        Answer tickets.
          Keep the indentation inside.
    summary: >
        folded text
        stays folded
    again: *role
    tools:
    -   name: search   # the first tool
        endpoint: "http://search:8080/q"
    # before the second
    -   name: 'quoted'
    long: "%s"
""" % ("word " * 60).strip()


def data(text: str, path: str = "a.yaml") -> list[object]:
    return [d.data for d in parse(text, path).documents]


def test_reindents_to_two_spaces_and_keeps_everything_else():
    out = format_text(MESSY, "a.ossa.yaml")
    assert out.refused is None and out.changed
    assert "\n  name: support\n" in out.text
    assert "\n    - name: search     # the first tool\n      endpoint: \"http://search:8080/q\"\n" in out.text  # column kept
    assert "    # before the second\n    - name: 'quoted'\n" in out.text
    assert "  role: &role |\n    Answer tickets.\n      Keep the indentation inside.\n" in out.text
    assert "  summary: >\n    folded text\n    stays folded\n" in out.text
    assert "  again: *role\n" in out.text and "  nothing: ~\n" in out.text and "  empty:\n" in out.text
    assert "labels: {team: care, tier: gold}" in out.text
    assert f'  long: "{("word " * 60).strip()}"\n' in out.text  # one line, not re-wrapped
    assert data(out.text) == data(MESSY)
    assert comments(out.text) == comments(MESSY)


def test_second_run_changes_nothing():
    once = format_text(MESSY, "a.ossa.yaml").text
    again = format_text(once, "a.ossa.yaml")
    assert again.refused is None and not again.changed and again.text == once


def test_crlf_and_bom_are_kept():
    text = "\ufeff" + MESSY.replace("\n", "\r\n")
    out = format_text(text, "a.ossa.yaml").text
    assert out.startswith("\ufeffapiVersion") is False and out.startswith("\ufeff# Support agent\r\n")
    assert "\r\n  name: support\r\n" in out and "\n" not in out.replace("\r\n", "")


def test_multi_document_files_keep_every_document():
    text = "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n    name: a\n---\n# second\nkind: Agent\nmetadata:\n" \
           "      name: b\n"
    out = format_text(text, "a.yaml").text
    assert out == "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: a\n---\n# second\nkind: Agent\n" \
                  "metadata:\n  name: b\n"


def test_a_file_with_syntax_errors_is_refused_and_untouched():
    text = "apiVersion: ossa/v0.4.7\nmetadata:\n    name: [unclosed\n"
    out = format_text(text, "a.yaml")
    assert out.refused is not None and "syntax errors (line" in out.refused
    assert out.text == text and not out.changed


def test_duplicate_keys_are_refused_not_dropped():
    text = "apiVersion: ossa/v0.4.7\nkind: Agent\nkind: Other\n"
    out = format_text(text, "a.yaml")
    assert out.refused is not None and out.text == text


def test_a_comment_the_formatter_cannot_place_refuses_the_file():
    text = "apiVersion: ossa/v0.4.7\nkind: Agent\n---\n# only a comment here\n---\nkind: Agent\n"
    out = format_text(text, "a.yaml")
    assert out.refused is not None and "comment" in out.refused and out.text == text


def test_canonical_order_puts_the_top_keys_and_the_spec_in_order():
    text = "spec:\n  llm:\n    model: gpt-4o\n    provider: openai\n  role: r   # the role\nmetadata:\n  name: a\n" \
           "kind: Agent\napiVersion: ossa/v0.2.2\nx-extra: 1\n"
    out = format_text(text, "a.yaml", canonical=True).text
    top = [line.split(":")[0] for line in out.splitlines() if line and not line.startswith((" ", "#"))]
    assert top == ["apiVersion", "kind", "metadata", "spec", "x-extra"]
    assert out.index("role: r   # the role") < out.index("llm:")  # the schema declares role before llm
    assert out.index("provider: openai") < out.index("model: gpt-4o")
    assert data(out) == data(text)
    assert format_text(text, "a.yaml").text.startswith("spec:")  # without the flag the order is kept


def test_json_is_indented_with_two_spaces_keeping_order_and_numbers():
    text = '{"kind": "Agent", "apiVersion": "ossa/v0.4.7", "n": 1.50, "e": 1e3, "m": {"a": [1, {}], "b": []}}'
    out = format_text(text, "a.json").text
    assert out == ('{\n  "kind": "Agent",\n  "apiVersion": "ossa/v0.4.7",\n  "n": 1.50,\n  "e": 1e3,\n'
                   '  "m": {\n    "a": [\n      1,\n      {}\n    ],\n    "b": []\n  }\n}\n')
    assert format_text(out, "a.json").text == out
    canonical = format_text(text, "a.json", canonical=True).text
    assert canonical.index('"apiVersion"') < canonical.index('"kind"')


def test_json_with_a_duplicate_key_is_refused_not_deduplicated():
    text = '{"apiVersion": "ossa/v0.4.7", "kind": "Agent", "kind": "Skill"}'
    out = format_text(text, "a.json")
    assert out.refused is not None and out.text == text


def test_broken_json_is_refused():
    out = format_text('{"apiVersion": "ossa/v0.4.7",', "a.json")
    assert out.refused is not None and out.text == '{"apiVersion": "ossa/v0.4.7",'


def test_line_edits_touch_only_changed_lines_and_rebuild_the_text():
    new = format_text(MESSY, "a.yaml").text
    edits = line_edits(MESSY, new)
    lines = MESSY.splitlines(keepends=True)
    assert edits[0].span.start.line == 4  # the first three lines are already formatted
    rebuilt, at = [], 0
    for e in edits:
        rebuilt += [*lines[at:e.span.start.line], e.text]
        at = e.span.end.line
    assert "".join(rebuilt + lines[at:]) == new


def test_range_edits_stay_in_the_range_when_that_alone_is_valid():
    text = "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n    name: a\nspec:\n    role: r\n"
    new = format_text(text, "a.yaml").text
    only_spec = line_edits(text, new, (4, 5), "a.yaml")
    assert [e.span.start.line for e in only_spec] == [5] and only_spec[0].text == "  role: r\n"


def test_range_edits_grow_when_half_a_block_would_break_it():
    text = "spec:\n    tools:\n        - a\n        - b\n"
    new = format_text(text, "a.yaml").text
    edits = line_edits(text, new, (2, 2), "a.yaml")
    lines = text.splitlines(keepends=True)
    rebuilt, at = [], 0
    for e in edits:
        rebuilt += [*lines[at:e.span.start.line], e.text]
        at = e.span.end.line
    assert data("".join(rebuilt + lines[at:])) == data(text)


def _corpus_files() -> list[Path]:
    roots = [CORPUS / "manifests", ROOT / "examples"]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*")
                  if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


@pytest.mark.skipif(not (CORPUS / "manifests").is_dir(), reason="the OSSA corpus is not on this machine")
@pytest.mark.parametrize("canonical", [False, True], ids=["as-written", "canonical"])
def test_corpus_and_examples_lossless_and_idempotent(canonical):
    checked, refused = 0, []
    for path in _corpus_files():
        text = files.load(path).text
        if text is None:
            continue
        first = format_text(text, str(path), canonical=canonical)
        if first.refused:
            assert first.text == text
            if "syntax errors" not in first.refused:  # broken upstream files are refused, as they should be
                refused.append(path)
            continue
        checked += 1
        assert data(first.text, str(path)) == data(text, str(path)), path
        if path.suffix != ".json":
            assert comments(first.text) == comments(text), path
        second = format_text(first.text, str(path), canonical=canonical)
        assert second.refused is None and second.text == first.text, path
    assert checked > 200 and len(refused) < checked / 20, refused


def test_comments_before_the_first_document_marker_are_kept():
    text = "# Owned by the care team\n\n---\napiVersion: ossa/v0.4.7\nmetadata:\n    name: a\n"
    out = format_text(text, "a.yaml")
    assert out.refused is None
    assert out.text == "# Owned by the care team\n\n---\napiVersion: ossa/v0.4.7\nmetadata:\n  name: a\n"
