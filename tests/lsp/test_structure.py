"""Outline, folding and selection ranges."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_doc
from tests.lsp.test_completion_hover import BASE


async def test_outline_names_sections_and_tools(client: LanguageClient):
    uri = open_doc(client, "s1.ossa.yaml", BASE + "    - type: mcp\n      name: files\n")
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert symbols is not None
    top = {s.name: s for s in symbols}
    assert list(top) == ["apiVersion", "kind", "metadata", "spec"]
    spec = {s.name: s for s in top["spec"].children}
    tools = [t.name for t in spec["tools"].children]
    assert tools == ["tickets (http)", "files (mcp)"]
    assert top["metadata"].children[0].detail == "triage"


async def test_folding_ranges_cover_blocks(client: LanguageClient):
    uri = open_doc(client, "s2.ossa.yaml", BASE)
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    spans = {(f.start_line, f.end_line) for f in folds}
    assert (4, 12) in spans  # spec
    assert (6, 9) in spans  # llm


async def test_selection_ranges_grow_from_value_to_document(client: LanguageClient):
    uri = open_doc(client, "s3.ossa.yaml", BASE)
    [sel] = await client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri), positions=[types.Position(7, 16)]))
    chain = []
    while sel is not None:
        chain.append((sel.range.start.line, sel.range.start.character, sel.range.end.line, sel.range.end.character))
        sel = sel.parent
    assert chain[0] == (7, 14, 7, 20)  # openai
    assert chain[1] == (7, 4, 7, 20)  # provider: openai
    assert chain[-1][0] == 0
