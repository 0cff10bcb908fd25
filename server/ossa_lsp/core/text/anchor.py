"""Where a finding about JSON path P goes: the one function that turns a path into the span a schema error,
a policy rule or a config problem underlines (DESIGN: spans are exact, never 'line 0', never a whole block
unless the finding is about the whole value).

    on="value"    the value when it reads as one piece (text, or a collection written on one line), else its key
    on="node"     the value whatever its kind (a list of the wrong type is underlined whole)
    on="key"      the key that introduces the value
    on="missing"  P is absent: the key of the object that lacks it

A node without a key of its own (the document, a list item) is represented by its first key. A path that
does not exist is reported like a missing one, so a finding always lands on the nearest thing that exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ossa_lsp.core.constants import MAP, SCALAR, SEQ
from ossa_lsp.core.text.source import Document, Node
from ossa_lsp.core.text.spans import Span

On = Literal["value", "node", "key", "missing"]


def anchor_span(doc: Document, path: Sequence[str | int], on: On = "value") -> Span:
    """The span for a finding about `path` in `doc` (see the module docstring for `on`)."""
    if on == "missing":
        return _missing(doc, list(path[:-1]))
    key, node, depth = doc.locate(path)
    if depth < len(path):
        return _missing(doc, list(path[:-1]))
    if node is None:  # the empty document
        return doc.span
    if on == "node":
        return node.span
    value = node.deref()
    if on == "value" and _one_piece(value):
        return value.span
    if key is not None:
        return key.span
    return first_key(value) or value.span


def _one_piece(node: Node) -> bool:
    """A value to underline itself: text, or a collection written on one line (`[a, b]`, `{}`); a block
    (or a JSON object over many lines) is pointed at by its key instead."""
    span = node.span
    if span.start == span.end:
        return False
    return node.kind == SCALAR or (node.style == "flow" and span.start.line == span.end.line)


def first_key(node: Node) -> Span | None:
    """The first key of a mapping, or of a list's first item (how a keyless node is pointed at)."""
    node = node.deref()
    while node.kind == SEQ and node.items:
        node = node.items[0].deref()
    if node.kind == MAP and node.items:
        return node.items[0][0].span
    return None


def missing_in(doc: Document, parent: Sequence[str | int]) -> Span:
    """Where 'something is missing in the object at `parent`' goes (`[]`: the document)."""
    return _missing(doc, list(parent))


def _missing(doc: Document, parent: list[str | int]) -> Span:
    """Where 'something is missing in the object at `parent`' goes: that object's key, else its first key,
    else the object itself if it is written in one piece (`- {}`); when it has none of these (or does not
    exist), the same for its parent, up to the document."""
    while True:
        key, node, depth = doc.locate(parent)
        if depth == len(parent):
            if key is not None:
                return key.span
            if node is not None:
                first = first_key(node)
                if first is not None:
                    return first
                if _one_piece(node.deref()):
                    return node.deref().span
        if not parent:
            return doc.span
        parent.pop()
