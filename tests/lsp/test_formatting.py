"""textDocument/formatting and rangeFormatting over LSP: the edits a client applies, in both encodings."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_doc, open_doc, until

MESSY = "# agent — ünïcode\napiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n    name: émile   # the name\n" \
        "spec:\n    role: r\n    tools:\n        - name: t\n"
CLEAN = "# agent — ünïcode\napiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: émile     # the name\n" \
        "spec:\n  role: r\n  tools:\n    - name: t\n"
OPTIONS = types.FormattingOptions(tab_size=4, insert_spaces=True)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply whole-line edits (the server only sends those) the way a client does, last first."""
    lines = text.splitlines(keepends=True)
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        assert e.range.start.character == 0
        end = e.range.end.line + (1 if e.range.end.character else 0)
        lines[e.range.start.line:end] = [e.new_text]
    return "".join(lines)


async def format_doc(client: LanguageClient, uri: str) -> list[types.TextEdit]:
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri), options=OPTIONS))
    return list(edits or [])


@pytest.mark.asyncio
async def test_formatting_returns_edits_that_produce_the_formatted_text(client: LanguageClient):
    uri = open_doc(client, "fmt-a.ossa.yaml", MESSY)
    edits = await format_doc(client, uri)
    assert edits and all(e.range.start.line >= 4 for e in edits)  # the lines already right are left alone
    assert apply(MESSY, edits) == CLEAN
    change_doc(client, uri, CLEAN, 2)
    assert await format_doc(client, uri) == []  # formatted text: nothing to do


@pytest.mark.asyncio
async def test_range_formatting_touches_only_the_range(client: LanguageClient):
    text = "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n    name: a\nspec:\n    role: r\n"
    uri = open_doc(client, "fmt-b.ossa.yaml", text)
    edits = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri), options=OPTIONS,
        range=types.Range(start=types.Position(line=4, character=0), end=types.Position(line=6, character=0))))
    assert edits is not None
    assert apply(text, list(edits)) == text.replace("    role: r", "  role: r")


@pytest.mark.asyncio
async def test_a_document_with_syntax_errors_gets_no_edits_and_a_message(client: LanguageClient):
    text = "apiVersion: ossa/v0.4.7\nmetadata:\n    name: [oops\n"
    uri = open_doc(client, "fmt-c.ossa.yaml", text)
    assert await format_doc(client, uri) == []
    await until(lambda: any("Not formatted" in m.message and "syntax errors" in m.message for m in client.messages))


@pytest.mark.asyncio
async def test_json_documents_are_formatted_as_json(client: LanguageClient):
    text = '{"apiVersion": "ossa/v0.4.7", "kind": "Agent", "metadata": {"name": "a"}}'
    uri = open_doc(client, "fmt-d.ossa.json", text, language="json")
    edits = await format_doc(client, uri)
    assert apply(text, edits) == '{\n  "apiVersion": "ossa/v0.4.7",\n  "kind": "Agent",\n  "metadata": {\n' \
                                 '    "name": "a"\n  }\n}\n'



@pytest.mark.asyncio
async def test_the_config_file_is_formatted_too(client: LanguageClient):
    text = "extends: strict\nrules:\n    SEC001: off   # reviewed\n"
    uri = open_doc(client, ".ossa-lsp.yaml", text)
    assert apply(text, await format_doc(client, uri)) == "extends: strict\nrules:\n  SEC001: off     # reviewed\n"
