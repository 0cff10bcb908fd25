"""textDocument/hover: what a key or value means, from the schema in use; on a tool endpoint, the agent
it calls.

`answer` is shared by the pygls handler and the stdio transport's fast lane (wired in app.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from ossa_lsp.core.text.spans import Pos
from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer


def answer(ls: OssaLanguageServer, uri: str, line: int, character: int) -> tuple[str, str, types.Range] | None:
    """(markup kind, text, range) for a hover at this position, or None."""
    from ossa_lsp.core.answers.hover import hover_in

    doc = ls.open_document(uri)
    entry = ls.analysis_now(doc) if doc is not None and ls.is_ossa(doc) else None
    if doc is None or entry is None or entry.schema is None:
        return None
    position = types.Position(line, character)
    pos = from_position(doc, position, ls.lines(doc))
    path = doc.path or doc.uri
    found = hover_in(entry.analysis, entry.analysis.schema_at(pos) or entry.schema, doc.source, pos, is_json=path.lower().endswith(".json"),
                     default_version=ls.settings.default_version, cache=ls.hover_answers)
    if found is None:
        return None
    text, span = found
    agent_md = _endpoint_markdown(ls, path, ls.lines(doc), pos)
    if agent_md:
        text = agent_md + "\n\n---\n\n" + text
    kind = types.MarkupKind.Markdown if ls.markdown else types.MarkupKind.PlainText
    return kind.value, text, to_range(doc, span, ls.lines(doc))


def _endpoint_markdown(ls: OssaLanguageServer, path: str, lines: Sequence[str], pos: Pos) -> str | None:
    from ossa_lsp.core.answers import agents

    if pos.line >= len(lines) or "endpoint" not in lines[pos.line]:
        return None  # cheap pre-check: hover is on the hot path
    _, endpoint = agents.at(ls.index, path, pos)
    return agents.endpoint_markdown(ls.index, endpoint) if endpoint is not None else None


def on_hover(ls: OssaLanguageServer, params: types.HoverParams) -> types.Hover | None:
    found = answer(ls, params.text_document.uri, params.position.line, params.position.character)
    if found is None:
        return None
    kind, text, rng = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind(kind), value=text), range=rng)


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_HOVER)(on_hover)
