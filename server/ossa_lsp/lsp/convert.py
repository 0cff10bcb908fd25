"""Core values → LSP types, converting positions through the document's position codec."""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.core.findings import Finding, Severity, doc_url
from ossa_lsp.core.text.spans import Pos, Span

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


_LINES: weakref.WeakKeyDictionary[TextDocument, tuple[str, Sequence[str]]] = weakref.WeakKeyDictionary()


def lines_of(doc: TextDocument) -> Sequence[str]:
    """The document's lines, split once per text (pygls' `doc.lines` re-splits the text on every access)."""
    source = doc.source
    hit = _LINES.get(doc)
    if hit is not None and hit[0] is source:
        return hit[1]
    lines = doc.lines
    _LINES[doc] = (source, lines)
    return lines


def _client(doc: TextDocument, lines: Sequence[str], line: int, character: int) -> types.Position:
    if line < len(lines) and lines[line].isascii():  # code points = code units in every encoding
        return types.Position(line=line, character=min(character, len(lines[line])))
    return doc.position_codec.position_to_client_units(lines, types.Position(line, character))


def to_range(doc: TextDocument, span: Span, lines: Sequence[str] | None = None) -> types.Range:
    lines = lines_of(doc) if lines is None else lines
    return types.Range(start=_client(doc, lines, span.start.line, span.start.character),
                       end=_client(doc, lines, span.end.line, span.end.character))


def from_position(doc: TextDocument, pos: types.Position) -> Pos:
    lines = lines_of(doc)
    if pos.line >= len(lines):  # the empty line after a final newline: pygls would clamp to the last line
        return Pos(pos.line, 0)
    text = lines[pos.line]
    if text.isascii():  # as pygls' codec computes it, without a loop over the characters
        n = len(text) - text.endswith("\r\n")
        return Pos(pos.line, 0 if n == 0 else pos.character if pos.character <= n else n - 1)
    p = doc.position_codec.position_from_client_units(lines, types.Position(pos.line, pos.character))
    return Pos(p.line, p.character)


def _related_location(doc: TextDocument, path: str | None, span: Span, lines: Sequence[str]) -> types.Location:
    if path is None:
        return types.Location(uri=doc.uri, range=to_range(doc, span, lines))
    # Another file: its text is not at hand, so columns stay in code points (exact for ASCII lines).
    return types.Location(uri=from_fs_path(path) or path, range=types.Range(
        start=types.Position(span.start.line, span.start.character),
        end=types.Position(span.end.line, span.end.character)))


def diagnostic(doc: TextDocument, f: Finding, lines: Sequence[str] | None = None) -> types.Diagnostic:
    lines = lines_of(doc) if lines is None else lines
    related = [
        types.DiagnosticRelatedInformation(location=_related_location(doc, r.path, r.span, lines), message=r.message)
        for r in f.related
    ]
    return types.Diagnostic(
        range=to_range(doc, f.span, lines),
        message=f.message,
        severity=_SEVERITY[f.severity],
        code=f.code,
        code_description=types.CodeDescription(href=doc_url(f.code)),
        source=f"ossa-{f.source}",
        related_information=related or None,
        data={"pointer": f.pointer, "document": f.document, **({"fixes": len(f.fixes)} if f.fixes else {})},
    )
