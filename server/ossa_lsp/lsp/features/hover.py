"""textDocument/hover: what a key or value means, from the schema in use.

`answer` is shared by the pygls handler and the transport's fast lane (lsp/runtime/transport.py).
"""

from __future__ import annotations

from lsprotocol import types

from ossa_lsp.lsp.convert import from_position, lines_of, to_range
from ossa_lsp.lsp.server import OssaLanguageServer


def answer(ls: OssaLanguageServer, uri: str, line: int, character: int) -> tuple[str, str, types.Range] | None:
    """(markup kind, text, range) for a hover at this position, or None."""
    from ossa_lsp.core.answers import hover as core_hover

    doc = ls.open_document(uri)
    if doc is None or not ls.is_ossa(doc):
        return None
    entry = ls.analysis_now(doc)
    if entry is None or entry.schema is None:
        return None
    position = types.Position(line, character)
    pos = from_position(doc, position)
    manifest = entry.analysis.manifest
    parsed = next((d for d in manifest.documents if d.span.start <= pos <= d.span.end), None)
    schema = entry.analysis.schemas.get(parsed.index, entry.schema) if parsed is not None else entry.schema
    is_json = (doc.path or doc.uri).lower().endswith(".json")
    label = schema.label
    lines = lines_of(doc)
    on_api = pos.line < len(lines) and lines[pos.line].lstrip().startswith(("apiVersion", '"apiVersion"'))
    stand_in = ""  # when the declared version has no schema of its own, which one checks it and why
    if on_api and parsed is not None and parsed.api_version and schema.version is not None:
        from ossa_lsp.core.schema.registry import REGISTRY

        choice = REGISTRY.choose(parsed.api_version, parsed.kind, ls.settings.default_version)
        if choice is not None:
            label = f"`{choice.file}`, chosen for `{parsed.api_version}` by the rule: {choice.rule}"
            stand_in = "" if choice.own else choice.explain()
    found = core_hover.hover(doc.source, pos, parsed, schema.schema, is_json=is_json, version=schema.version,
                             schema_label=label)
    from ossa_lsp.lsp.features.workspace import endpoint_hover

    agent_md = endpoint_hover(ls, doc, position)
    if found is None:
        return None
    text, span = found
    if stand_in:
        text += f"\n\n{stand_in}"
    if agent_md:
        text = agent_md + "\n\n---\n\n" + text
    kind = types.MarkupKind.Markdown if ls.markdown else types.MarkupKind.PlainText
    return kind.value, text, to_range(doc, span)


def register(ls: OssaLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: OssaLanguageServer, params: types.HoverParams) -> types.Hover | None:
        found = answer(ls, params.text_document.uri, params.position.line, params.position.character)
        if found is None:
            return None
        kind, text, rng = found
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind(kind), value=text), range=rng)
