"""Outline and structure: document symbols, folding ranges, selection ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from ossa_lsp.core.constants import MAP, SCALAR, SEQ
from ossa_lsp.core.text.spans import Pos, Span
from ossa_lsp.lsp.convert import from_position, lines_of, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.text.source import Node

MAX_SYMBOL_DEPTH = 6


def _kind(node: Node, key: str) -> types.SymbolKind:
    if key in ("metadata", "spec"):
        return types.SymbolKind.Namespace
    if key == "tools":
        return types.SymbolKind.Array
    n = node.deref()
    if n.kind == MAP:
        return types.SymbolKind.Object
    if n.kind == SEQ:
        return types.SymbolKind.Array
    v = n.value
    if isinstance(v, bool):
        return types.SymbolKind.Boolean
    if isinstance(v, (int, float)):
        return types.SymbolKind.Number
    return types.SymbolKind.String if key not in ("name", "role") else types.SymbolKind.Key


def _item_name(node: Node, index: int) -> str:
    n = node.deref()
    if n.kind == MAP:
        for key in ("name", "type", "id"):
            pair = n.get(key)
            if pair is not None and pair[1].deref().kind == SCALAR and pair[1].deref().value is not None:
                label = str(pair[1].deref().value)
                if key == "name":
                    t = n.get("type")
                    if t is not None and t[1].deref().kind == SCALAR:
                        return f"{label} ({t[1].deref().value})"
                return label
    elif n.kind == SCALAR:
        return str(n.value)
    return f"[{index}]"


def _detail(node: Node) -> str | None:
    n = node.deref()
    if n.kind == SCALAR and n.value is not None:
        text = str(n.value)
        return text if len(text) <= 60 else text[:59] + "…"
    return None


def _symbols(rng: Callable[[Span], types.Range], node: Node, depth: int) -> list[types.DocumentSymbol]:
    n = node.deref()
    out: list[types.DocumentSymbol] = []
    if depth > MAX_SYMBOL_DEPTH:
        return out
    if n.kind == MAP:
        for key, value in n.items:
            name = str(key.deref().value) if key.deref().kind == SCALAR else "?"
            full = Span(key.span.start, max(key.span.end, value.span.end))
            out.append(types.DocumentSymbol(
                name=name or '""', kind=_kind(value, name), range=rng(full),
                selection_range=rng(key.span), detail=_detail(value),
                children=_symbols(rng, value, depth + 1) or None))
    elif n.kind == SEQ:
        for i, item in enumerate(n.items):
            out.append(types.DocumentSymbol(
                name=_item_name(item, i), kind=types.SymbolKind.Object if item.deref().kind == MAP else
                types.SymbolKind.String, range=rng(item.span), selection_range=rng(item.span),
                children=_symbols(rng, item, depth + 1) or None))
    return out


def _folds(node: Node, out: list[types.FoldingRange]) -> None:
    n = node.deref() if node.kind != "alias" else None
    if n is None or n is not node:
        return
    if n.kind in (MAP, SEQ):
        pairs = n.items if n.kind == MAP else [(None, i) for i in n.items]
        for key, value in pairs:
            start = key.span.start.line if key is not None else value.span.start.line
            end = value.span.end.line
            if end > start:
                out.append(types.FoldingRange(start_line=start, end_line=end))
            _folds(value, out)


def _chain(node: Node, pos: Pos, acc: list[Span]) -> None:
    n = node.deref() if node.kind != "alias" else node
    acc.append(n.span)
    if n.kind == MAP:
        for key, value in n.items:
            pair = Span(key.span.start, max(key.span.end, value.span.end))
            if pair.contains(pos):
                acc.append(pair)
                if key.span.contains(pos):
                    acc.append(key.span)
                else:
                    _chain(value, pos, acc)
                return
    elif n.kind == SEQ:
        for item in n.items:
            if item.span.contains(pos):
                _chain(item, pos, acc)
                return


def register(ls: OssaLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: OssaLanguageServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
        doc = ls.open_document(params.text_document.uri)
        entry = ls.analysis_now(doc) if doc is not None else None
        if doc is None or entry is None:
            return None
        out: list[types.DocumentSymbol] = []
        lines = lines_of(doc)

        def rng(span: Span) -> types.Range:
            return to_range(doc, span, lines)

        docs = [d for d in entry.analysis.manifest.documents if d.root is not None]
        for d in docs:
            assert d.root is not None
            children = _symbols(rng, d.root, 0)
            if len(docs) == 1:
                out.extend(children)
                continue
            name = (d.data or {}).get("metadata", {}).get("name") if isinstance(d.data, dict) else None
            label = f"{d.kind or 'document'} {name}" if isinstance(name, str) else f"document {d.index + 1}"
            out.append(types.DocumentSymbol(name=label, kind=types.SymbolKind.Module, range=rng(d.root.span),
                                            selection_range=rng(d.root.span), children=children or None))
        return out

    @ls.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding(ls: OssaLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
        doc = ls.open_document(params.text_document.uri)
        entry = ls.analysis_now(doc) if doc is not None else None
        if entry is None:
            return None
        out: list[types.FoldingRange] = []
        for d in entry.analysis.manifest.documents:
            if d.root is not None:
                _folds(d.root, out)
        return out

    @ls.feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
    def selection(ls: OssaLanguageServer, params: types.SelectionRangeParams) -> list[types.SelectionRange] | None:
        doc = ls.open_document(params.text_document.uri)
        entry = ls.analysis_now(doc) if doc is not None else None
        if doc is None or entry is None:
            return None
        result = []
        for position in params.positions:
            pos = from_position(doc, position)
            spans: list[Span] = []
            for d in entry.analysis.manifest.documents:
                if d.root is not None and d.span.contains(pos):
                    _chain(d.root, pos, spans)
                    break
            parent: types.SelectionRange | None = None
            seen: set[Span] = set()
            for span in spans:
                if span in seen or not span.contains(pos):
                    continue
                seen.add(span)
                parent = types.SelectionRange(range=to_range(doc, span), parent=parent)
            result.append(parent or types.SelectionRange(range=types.Range(start=position, end=position)))
        return result
