"""Outline and structure: document symbols, folding ranges, selection ranges (computed by
core/answers/outline.py; converted here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.answers.outline import Symbol

_KIND = {  # core.answers.outline's symbol kinds (named as LSP names them)
    "namespace": types.SymbolKind.Namespace, "array": types.SymbolKind.Array, "object": types.SymbolKind.Object,
    "boolean": types.SymbolKind.Boolean, "number": types.SymbolKind.Number, "string": types.SymbolKind.String,
    "key": types.SymbolKind.Key, "module": types.SymbolKind.Module,
}


def _symbol(doc: TextDocument, lines: Sequence[str], s: Symbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=s.name, kind=_KIND[s.kind], range=to_range(doc, s.span, lines),
        selection_range=to_range(doc, s.selection, lines), detail=s.detail,
        children=[_symbol(doc, lines, c) for c in s.children] or None)


def symbols(ls: OssaLanguageServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    from ossa_lsp.core.answers import outline

    doc = ls.open_document(params.text_document.uri)
    entry = ls.analysis_now(doc) if doc is not None else None
    if doc is None or entry is None:
        return None
    lines = ls.lines(doc)
    return [_symbol(doc, lines, s) for s in outline.symbols(entry.analysis.manifest)]


def folding(ls: OssaLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
    from ossa_lsp.core.answers import outline

    doc = ls.open_document(params.text_document.uri)
    entry = ls.analysis_now(doc) if doc is not None else None
    if entry is None:
        return None
    return [types.FoldingRange(start_line=start, end_line=end) for start, end in outline.folds(entry.analysis.manifest)]


def selection(ls: OssaLanguageServer, params: types.SelectionRangeParams) -> list[types.SelectionRange] | None:
    from ossa_lsp.core.answers import outline

    doc = ls.open_document(params.text_document.uri)
    entry = ls.analysis_now(doc) if doc is not None else None
    if doc is None or entry is None:
        return None
    result = []
    for position in params.positions:
        parent: types.SelectionRange | None = None
        for span in outline.selection(entry.analysis.manifest, from_position(doc, position, ls.lines(doc))):  # outermost first
            parent = types.SelectionRange(range=to_range(doc, span, ls.lines(doc)), parent=parent)
        result.append(parent or types.SelectionRange(range=types.Range(start=position, end=position)))
    return result


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(symbols)
    ls.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(folding)
    ls.feature(types.TEXT_DOCUMENT_SELECTION_RANGE)(selection)
