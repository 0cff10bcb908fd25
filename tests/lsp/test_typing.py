"""Findings don't vanish while typing: a new key typed under `spec:` one character at a time (incremental
didChange edits, as VS Code sends them) keeps every earlier finding published at each step, and the
syntax error sits on the line being typed, not on the next one."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import covered_text, diagnostics, encoding_of, open_doc

KEY = "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"
TEXT = f"""\
apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: Support_Agent
spec:
  role: Answers customer questions.
  llm:
    provider: opnai
    model: gpt-4o
    temperature: "0.3"
  tools:
    - type: http
      name: tickets
      endpoint: https://tickets.example.com/api
      auth:
        type: bearer
        credentials: {KEY}
"""
TYPED_LINE = 6  # the new line under `spec:`, before `llm:`
EARLIER = {"SCHEMA005": "Support_Agent", "SCHEMA004": "opnai", "SCHEMA003": '"0.3"', "SEC001": KEY}


def insert(client: LanguageClient, uri: str, version: int, line: int, character: int, text: str) -> None:
    at = types.Position(line, character)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)]))


def _earlier_there(items: Sequence[types.Diagnostic], text: str, enc: str) -> bool:
    by_code = {d.code: d for d in items}
    return all(code in by_code and covered_text(text, by_code[code].range, enc) == covered
               for code, covered in EARLIER.items())


async def test_typing_a_key_keeps_earlier_findings_and_puts_the_error_on_the_typed_line(client: LanguageClient):
    enc = encoding_of(client)
    uri = open_doc(client, "typing.ossa.yaml", TEXT)
    first = await diagnostics(client, uri, lambda d: _earlier_there(d, TEXT, enc))
    before = {d.code for d in first}

    lines = TEXT.split("\n")
    lines.insert(TYPED_LINE, "")
    text = "\n".join(lines)
    insert(client, uri, 2, TYPED_LINE - 1, len("  role: Answers customer questions."), "\n")
    insert(client, uri, 3, TYPED_LINE, 0, "  ")
    version = 3
    typed = ""
    for ch in "description":
        version += 1
        insert(client, uri, version, TYPED_LINE, 2 + len(typed), ch)
        typed += ch
        text = text.replace("\n\n", f"\n  {typed}\n", 1) if len(typed) == 1 else \
            text.replace(f"\n  {typed[:-1]}\n", f"\n  {typed}\n", 1)

        def this_step(items: Sequence[types.Diagnostic], now: str = text, word: str = typed) -> bool:
            errors = [d for d in items if d.code == "YAML001"]
            return len(errors) == 1 and covered_text(now, errors[0].range, enc) == word

        items = await diagnostics(client, uri, this_step)
        [error] = [d for d in items if d.code == "YAML001"]
        assert error.range.start.line == TYPED_LINE, typed  # on the line being typed, not the next one
        assert f"`{typed}` has no ':'" in error.message
        assert _earlier_there(items, text, enc), (typed, [(d.code, d.message) for d in items])
        assert before <= {d.code for d in items} | {"YAML001"}

    version += 1
    insert(client, uri, version, TYPED_LINE, 2 + len(typed), ": Answers tickets.")
    text = text.replace(f"\n  {typed}\n", f"\n  {typed}: Answers tickets.\n", 1)
    items = await diagnostics(client, uri, lambda d: not [x for x in d if x.code == "YAML001"]
                              and _earlier_there(d, text, enc))
    assert {d.code for d in items} >= set(EARLIER)


async def test_a_tab_in_the_indentation_is_named_and_causes_nothing_else(client: LanguageClient):
    enc = encoding_of(client)
    text = TEXT.replace("  name: Support_Agent", "\tname: support-agent")
    uri = open_doc(client, "tab.ossa.yaml", text)
    items = await diagnostics(client, uri, lambda d: any(x.code == "YAML001" for x in d))
    [error] = [d for d in items if d.code == "YAML001"]
    assert "tab" in error.message and covered_text(text, error.range, enc) == "\t"
    assert not [d for d in items if d.range.start.line in (2, 3) and d.code != "YAML001"]  # no "metadata is empty"
    assert {"SCHEMA004", "SCHEMA003", "SEC001"} <= {d.code for d in items}
