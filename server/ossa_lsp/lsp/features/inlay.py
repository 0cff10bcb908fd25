"""Inlay hints (textDocument/inlayHint): a thin handler over core/answers/inlay.py. Each kind is turned
on or off by a setting; model prices come from the policy's model table (the `models-file` of
.ossa-lsp.yaml when it names one, else the bundled one)."""

from __future__ import annotations

from lsprotocol import types

from ossa_lsp.core.text.spans import Span
from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer
from ossa_lsp.lsp.settings import Settings


def kinds(settings: Settings) -> frozenset[str]:
    from ossa_lsp.core.answers.inlay import COST, CPU, DURATION, MEMORY

    wanted = {COST: settings.inlay_hints_cost, CPU: settings.inlay_hints_cpu, MEMORY: settings.inlay_hints_memory,
              DURATION: settings.inlay_hints_durations}
    return frozenset(k for k, on in wanted.items() if on)


async def inlay_hints(ls: OssaLanguageServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
    from ossa_lsp.core.answers import inlay
    from ossa_lsp.core.rules.data import bundled_models

    doc = ls.open_document(params.text_document.uri)
    if doc is None or ls.is_config(doc):
        return None
    entry = await ls.analysis_async(doc)
    wanted = kinds(ls.settings)
    if entry is None or not wanted:
        return [] if entry is not None else None
    lines = ls.lines(doc)
    within = Span(from_position(doc, params.range.start, lines), from_position(doc, params.range.end, lines))
    models = entry.policy.env.models if entry.policy is not None else bundled_models()
    out = []
    for hint in inlay.hints(entry.analysis.manifest, within, wanted, models):
        position = to_range(doc, Span(hint.pos, hint.pos), lines).start
        out.append(types.InlayHint(position=position, label=hint.label, padding_left=True, tooltip=hint.tooltip))
    return out


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_INLAY_HINT)(inlay_hints)
