"""textDocument/hover: what a key or value means, from the schema in use."""

from __future__ import annotations

from lsprotocol import types

from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer


def register(ls: OssaLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: OssaLanguageServer, params: types.HoverParams) -> types.Hover | None:
        from ossa_lsp.core import hover as core_hover

        doc = ls.open_document(params.text_document.uri)
        if doc is None or not ls.is_ossa(doc):
            return None
        entry = ls.analysis_now(doc)
        if entry is None or entry.schema is None:
            return None
        pos = from_position(doc, params.position)
        manifest = entry.analysis.manifest
        parsed = next((d for d in manifest.documents if d.span.start <= pos <= d.span.end), None)
        schema = entry.analysis.schemas.get(parsed.index, entry.schema) if parsed is not None else entry.schema
        is_json = (doc.path or doc.uri).lower().endswith(".json")
        label = schema.label
        on_api = pos.line < len(doc.lines) and doc.lines[pos.line].lstrip().startswith(("apiVersion", '"apiVersion"'))
        if on_api and parsed is not None and parsed.api_version and schema.version is not None:
            from ossa_lsp.core.schemas import REGISTRY

            choice = REGISTRY.choose(parsed.api_version, parsed.kind, ls.settings.default_version)
            if choice is not None:
                label = f"`{choice.file}`, chosen for `{parsed.api_version}` by the rule: {choice.rule}"
        answer = core_hover.hover(doc.source, pos, parsed, schema.schema, is_json=is_json, version=schema.version,
                                  schema_label=label)
        from ossa_lsp.lsp.features.workspace import endpoint_hover

        agent_md = endpoint_hover(ls, doc, params.position)
        if answer is None:
            return None
        text, span = answer
        if agent_md:
            text = agent_md + "\n\n---\n\n" + text
        kind = types.MarkupKind.Markdown if ls.markdown else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=to_range(doc, span))
