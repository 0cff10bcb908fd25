"""The shape of a manifest for editors: outline symbols, folding ranges and selection ranges.

Plain data with core spans; the language server converts them to LSP types (and columns to the
client's encoding).
"""

from __future__ import annotations

from dataclasses import dataclass

from ossa_lsp.core.constants import ALIAS, MAP, SCALAR, SEQ
from ossa_lsp.core.text.source import Document, Manifest, Node
from ossa_lsp.core.text.spans import Pos, Span

MAX_SYMBOL_DEPTH = 6  # deeper nesting is not worth an outline entry (and bounds the walk)
MAX_DETAIL = 60  # characters of a scalar shown next to its key

# Symbol kinds, named as in LSP's SymbolKind (the server maps them).
NAMESPACE, ARRAY, OBJECT, BOOLEAN, NUMBER, STRING, KEY, MODULE = (
    "namespace", "array", "object", "boolean", "number", "string", "key", "module")
_SECTIONS = {"metadata": NAMESPACE, "spec": NAMESPACE, "tools": ARRAY}
_LABEL_KEYS = ("name", "type", "id")  # what names a list item, in order of preference


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    kind: str
    span: Span  # the whole entry: key and value
    selection: Span  # the part to reveal: the key, or the whole list item
    detail: str | None = None
    children: tuple[Symbol, ...] = ()


def symbols(manifest: Manifest) -> list[Symbol]:
    """The outline: one entry per key and list item; a file of several documents gets one entry
    per document ("Agent triage", "document 2") with its keys below."""
    docs = [d for d in manifest.documents if d.root is not None]
    if len(docs) == 1:
        assert docs[0].root is not None
        return _symbols(docs[0].root, 0)
    out = []
    for d in docs:
        assert d.root is not None
        out.append(Symbol(_document_label(d), MODULE, d.root.span, d.root.span, None, tuple(_symbols(d.root, 0))))
    return out


def folds(manifest: Manifest) -> list[tuple[int, int]]:
    """(first line, last line) of every mapping entry and list item spanning more than one line."""
    out: list[tuple[int, int]] = []
    for d in manifest.documents:
        if d.root is not None:
            _folds(d.root, out)
    return out


def selection(manifest: Manifest, pos: Pos) -> list[Span]:
    """The spans around `pos`, from the whole document down to the innermost key or value (each once)."""
    chain: list[Span] = []
    for d in manifest.documents:
        if d.root is not None and d.span.contains(pos):
            _chain(d.root, pos, chain)
            break
    out: list[Span] = []
    for span in chain:
        if span.contains(pos) and span not in out:
            out.append(span)
    return out


def _document_label(d: Document) -> str:
    metadata = d.data.get("metadata") if isinstance(d.data, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{d.kind or 'document'} {name}" if isinstance(name, str) else f"document {d.index + 1}"


def _kind(node: Node, key: str) -> str:
    if key in _SECTIONS:
        return _SECTIONS[key]
    n = node.deref()
    if n.kind == MAP:
        return OBJECT
    if n.kind == SEQ:
        return ARRAY
    v = n.value
    if isinstance(v, bool):
        return BOOLEAN
    if isinstance(v, (int, float)):
        return NUMBER
    return KEY if key in ("name", "role") else STRING


def _scalar(node: Node | None) -> object:
    n = node.deref() if node is not None else None
    return n.value if n is not None and n.kind == SCALAR else None


def _item_name(node: Node, index: int) -> str:
    n = node.deref()
    if n.kind == SCALAR:
        return str(n.value)
    if n.kind != MAP:
        return f"[{index}]"
    for key in _LABEL_KEYS:
        pair = n.get(key)
        label = _scalar(pair[1]) if pair is not None else None
        if label is None:
            continue
        type_pair = n.get("type") if key == "name" else None
        if type_pair is not None and type_pair[1].deref().kind == SCALAR:
            return f"{label} ({_scalar(type_pair[1])})"
        return str(label)
    return f"[{index}]"


def _detail(node: Node) -> str | None:
    value = _scalar(node)
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL - 1] + "…"


def _symbols(node: Node, depth: int) -> list[Symbol]:
    n = node.deref()
    if depth > MAX_SYMBOL_DEPTH:
        return []
    if n.kind == MAP:
        out = []
        for key, value in n.items:
            name = str(key.deref().value) if key.deref().kind == SCALAR else "?"
            full = Span(key.span.start, max(key.span.end, value.span.end))
            out.append(Symbol(name or '""', _kind(value, name), full, key.span, _detail(value),
                              tuple(_symbols(value, depth + 1))))
        return out
    if n.kind == SEQ:
        return [Symbol(_item_name(item, i), OBJECT if item.deref().kind == MAP else STRING, item.span, item.span,
                       None, tuple(_symbols(item, depth + 1))) for i, item in enumerate(n.items)]
    return []


def _folds(node: Node, out: list[tuple[int, int]]) -> None:
    if node.kind == ALIAS or node.kind not in (MAP, SEQ):  # an alias folds where its anchor is
        return
    pairs = node.items if node.kind == MAP else [(None, item) for item in node.items]
    for key, value in pairs:
        start = key.span.start.line if key is not None else value.span.start.line
        if value.span.end.line > start:
            out.append((start, value.span.end.line))
        _folds(value, out)


def _chain(node: Node, pos: Pos, acc: list[Span]) -> None:
    n = node.deref() if node.kind != ALIAS else node
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
