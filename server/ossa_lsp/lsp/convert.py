"""Core values → LSP types. Columns go through the engine's position codec (`core/text/spans.py`) in the
document's negotiated encoding; `lines` is the document's text split as pygls splits it (the server keeps
it per document: `OssaLanguageServer.lines`).
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.core.codes import doc_url
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.text.spans import Pos, Span, from_units, to_units

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def _client(encoding: str, lines: Sequence[str], line: int, character: int) -> types.Position:
    if line >= len(lines):  # past the end: where pygls' codec puts it
        return types.Position(line=len(lines), character=0)
    return types.Position(line=line, character=to_units(lines[line], character, encoding))


def to_range(doc: TextDocument, span: Span, lines: Sequence[str]) -> types.Range:
    encoding = doc.position_codec.encoding or types.PositionEncodingKind.Utf16
    return types.Range(start=_client(encoding, lines, span.start.line, span.start.character),
                       end=_client(encoding, lines, span.end.line, span.end.character))


def from_position(doc: TextDocument, pos: types.Position, lines: Sequence[str]) -> Pos:
    if pos.line >= len(lines):  # the empty line after a final newline: pygls would clamp to the last line
        return Pos(pos.line, 0)
    encoding = doc.position_codec.encoding or types.PositionEncodingKind.Utf16
    return Pos(pos.line, from_units(lines[pos.line], pos.character, encoding))


def _related_location(doc: TextDocument, path: str | None, span: Span, lines: Sequence[str]) -> types.Location:
    if path is None:
        return types.Location(uri=doc.uri, range=to_range(doc, span, lines))
    # Another file: its text is not at hand, so columns stay in code points (exact for ASCII lines).
    return types.Location(uri=from_fs_path(path) or path, range=types.Range(
        start=types.Position(span.start.line, span.start.character),
        end=types.Position(span.end.line, span.end.character)))


def diagnostic(doc: TextDocument, f: Finding, lines: Sequence[str]) -> types.Diagnostic:
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


def range_in(lines: Sequence[str], span: Span, encoding: str) -> types.Range:
    """A span of a text that is not an open document (a file on disk), in the session's encoding."""
    return types.Range(start=_client(encoding, lines, span.start.line, span.start.character),
                       end=_client(encoding, lines, span.end.line, span.end.character))
