"""`textDocument/formatting` and `rangeFormatting`: thin adapters over core/format.py.

The edits are the changed lines only. Indentation is always 2 spaces (the OSSA house style; the
client's tabSize is not used); `ossa.formatCanonicalOrder` turns on the canonical key order. A
document that cannot be formatted safely (syntax errors, ...) gets no edits and one message saying
why — its text is never touched.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types

from ossa_lsp.lsp.convert import to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.format import Edit

OPTIONS = types.DocumentFormattingOptions()
RANGE_OPTIONS = types.DocumentRangeFormattingOptions()


async def _edits(ls: OssaLanguageServer, uri: str, lines: tuple[int, int] | None) -> list[types.TextEdit] | None:
    from ossa_lsp.core.format import format_text, line_edits

    await ls.settings_read()
    doc = ls.open_document(uri)
    if doc is None or not ls.is_ossa(doc):
        return None
    version, text, path = doc.version, doc.source, doc.path or doc.uri
    canonical = ls.settings.format_canonical_order and not ls.is_config(doc)  # .ossa-lsp.yaml: indentation only

    def work() -> tuple[str | None, list[Edit]]:
        result = format_text(text, path, canonical=canonical)
        if result.refused or not result.changed:
            return result.refused, []
        return None, line_edits(text, result.text, lines, path)

    refused, edits = await asyncio.to_thread(work)
    if refused:
        ls.tell(f"Not formatted: {refused}", types.MessageType.Warning)
        return None
    current = ls.open_document(uri)
    if current is None or current.version != version:
        return None  # edited meanwhile: these edits would land on other text
    doc_lines = ls.lines(current)
    return [types.TextEdit(range=to_range(current, e.span, doc_lines), new_text=e.text) for e in edits]


async def formatting(ls: OssaLanguageServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    return await _edits(ls, params.text_document.uri, None)


async def range_formatting(ls: OssaLanguageServer,
                           params: types.DocumentRangeFormattingParams) -> list[types.TextEdit] | None:
    r = params.range
    last = r.end.line - 1 if r.end.character == 0 and r.end.line > r.start.line else r.end.line
    return await _edits(ls, params.text_document.uri, (r.start.line, last))


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_FORMATTING, OPTIONS)(formatting)
    ls.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING, RANGE_OPTIONS)(range_formatting)
