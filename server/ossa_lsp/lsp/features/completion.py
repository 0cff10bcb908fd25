"""textDocument/completion: schema-driven keys, values and list items at the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.answers.complete import Item

_KIND = {  # keys are core.complete's item kinds (imported lazily: the engine loads after initialize)
    "property": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.Value,
    "enum": types.CompletionItemKind.EnumMember,
    "snippet": types.CompletionItemKind.Snippet,
}


OPTIONS = types.CompletionOptions(trigger_characters=[":", " ", "-", '"'], resolve_provider=False)


def on_completion(ls: OssaLanguageServer, params: types.CompletionParams) -> types.CompletionList | None:
    from ossa_lsp.core.answers import complete
    from ossa_lsp.core.schema.registry import REGISTRY

    doc = ls.open_document(params.text_document.uri)
    if doc is None or not ls.is_ossa(doc):
        return None
    entry = ls.analysis_now(doc)
    pos = from_position(doc, params.position, ls.lines(doc))
    schema = entry.analysis.schema_at(pos) if entry is not None else None
    if schema is None:
        try:
            # no usable apiVersion yet: offer the pinned default or the newest version
            schema = REGISTRY.get(ls.settings.default_version or REGISTRY.newest())
        except Exception:
            return None
    is_json = (doc.path or doc.uri).lower().endswith(".json")
    items = complete.complete(doc.source, pos, schema, is_json=is_json, snippets=ls.snippets,
                              versions=REGISTRY.supported())
    lines = ls.lines(doc)
    ranges: dict[object, types.Range] = {}
    out = []
    for it in items:
        rng = ranges.get(it.replace)
        if rng is None:
            rng = ranges[it.replace] = to_range(doc, it.replace, lines)
        out.append(_item(it, rng))
    return types.CompletionList(is_incomplete=False, items=out)


def _item(it: Item, rng: types.Range) -> types.CompletionItem:
    fmt = types.InsertTextFormat.Snippet if it.snippet else types.InsertTextFormat.PlainText
    doc_md = types.MarkupContent(kind=types.MarkupKind.Markdown, value=it.documentation) if it.documentation else None
    return types.CompletionItem(
        label=it.label, kind=_KIND.get(it.kind, types.CompletionItemKind.Text), detail=it.detail or None,
        documentation=doc_md, sort_text=it.sort or None, filter_text=it.filter_text,
        insert_text_format=fmt, insert_text_mode=types.InsertTextMode.AsIs, preselect=it.preselect or None,
        text_edit=types.TextEdit(range=rng, new_text=it.insert))


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_COMPLETION, OPTIONS)(on_completion)
