"""Compatibility rules (COMPAT…): what ossa-lsp accepts but upstream OSSA tooling does not.

ossa-lsp checks every document of a multi-document YAML file on its own, which is more useful in an
editor; upstream's `ossa` CLI parses exactly one document per file and rejects the rest. CI users who
also run upstream's tooling get told here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import INFO, Levels, rule
from ossa_lsp.core.text.source import Document
from ossa_lsp.core.text.spans import Pos, Span

_ONE = ("apiVersion: ossa/v0.5.0\nkind: Agent\nmetadata:\n  name: {name}\n  version: 1.0.0\nspec:\n"
        "  role: {role}\n")


def _is_ossa(doc: Document) -> bool:
    return isinstance(doc.data, dict) and isinstance(doc.api_version, str) and doc.api_version.startswith("ossa/")


@rule(
    "COMPAT001", "multi-document-file", "compat",
    "The file holds more than one YAML document; upstream OSSA tooling reads one document per file.",
    levels=Levels(INFO, INFO, INFO), kinds=None,
    why="ossa-lsp checks each document of the file on its own, but upstream's `ossa` CLI (and tools built on "
        "its parser) accepts exactly one document per file and rejects this one as a whole. Split the file "
        "into one manifest per file if anything else reads it; turn this off (`ignore: [COMPAT001]`) if "
        "only ossa-lsp and your own tooling do.",
    details="Reported once per file that holds an OSSA manifest, on the `---` that starts the second document "
            "(whatever that document is).",
    bad=_ONE.format(name="triage", role="Sorts incoming tickets.") + "---  # <- COMPAT001\n"
        + _ONE.format(name="reply", role="Drafts replies to sorted tickets."),
    good=_ONE.format(name="triage", role="Sorts incoming tickets."),
    expect="---",
)
def multi_document(ctx: Context) -> Iterator[Finding]:
    documents: list[Document] = [d for d in ctx.shared.get("documents") or [] if d.root is not None]
    first = next((d for d in documents if _is_ossa(d)), None)
    if len(documents) < 2 or first is None or first.index != ctx.doc.index:
        return  # once per file, from its first manifest
    second = documents[1].span.start
    line = ctx.lines.line(second.line) if ctx.lines is not None else ""
    span = Span(second, Pos(second.line, second.character + 3)) if line.startswith("---", second.character) \
        else ctx.anchor([])
    yield ctx.report([], f"This file holds {len(documents)} YAML documents. ossa-lsp checks each on its own, but "
                         "upstream OSSA tooling reads one document per file and rejects this file: split it if "
                         "other tools read it", span=span, documents=len(documents))
