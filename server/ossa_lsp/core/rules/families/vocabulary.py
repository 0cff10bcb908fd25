"""Vocabulary rules (VOCAB…): mistakes inside `spec` that the OSSA v0.4.6+ schemas no longer check.

From v0.4.6 upstream's schemas accept anything in `spec` of Agent, Task, Workflow and Flow. These rules
keep reporting what the earlier versions defined there (core/schema/vocabulary.py): a misspelled key,
a wrong type, a value outside every version's list or range. They are warnings with their own source
(`vocabulary`), so the schema verdict of a document stays exactly upstream's, and they run only where
the schema in use leaves `spec` unchecked (older versions' schemas report the same mistakes as errors).
"""

from __future__ import annotations

from collections.abc import Iterator

from ossa_lsp.core.findings import Finding, Fix, TextEdit
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import Levels, W, rule
from ossa_lsp.core.schema import vocabulary
from ossa_lsp.core.schema.vocabulary import NOT_ALLOWED, UNKNOWN_KEY, WRONG_TYPE, Problem

KINDS = ("Agent", "Task", "Workflow", "Flow")
SOURCE = "vocabulary"
_WHY = ("From OSSA v0.4.6 the schema no longer checks anything inside `spec`, so this mistake passes "
        "validation and surfaces only when a runtime reads the manifest. The earlier versions' definitions "
        "of the same fields still say what belongs there.")
_DETAILS = ("Checked only when the manifest's schema leaves `spec` unchecked (ossa/v0.4.6 and later); older "
            "versions' schemas report the same mistakes as SCHEMA errors. The vocabulary merges every OSSA version "
            "that checked `spec` for the kind (v0.2.2 to v0.4.5 for an Agent): a key any of them defined is known, "
            "a type any of them allowed is accepted, and a number outside a range any of them set is reported. "
            "Where a later version freed a field (any text instead of a list of values, any key in a closed "
            "object) only near misses of the known names are reported, and a text form (pattern) is checked only "
            "while every version required it. These warnings never change whether the document is valid.")


def _head(api: str = "ossa/v0.5.0") -> str:
    return f"apiVersion: {api}\nkind: Agent\nmetadata:\n  name: support-agent\n  version: 1.0.0\nspec:\n" \
           "  role: Answers customer questions about orders.\n"


def problems(ctx: Context) -> list[Problem]:
    """The vocabulary problems of this document, computed once and shared by the three rules."""
    found = ctx.shared.get("vocabulary")
    if found is None:
        found = ctx.shared["vocabulary"] = _compute(ctx)
    return list(found)


def _compute(ctx: Context) -> list[Problem]:
    schema = ctx.shared.get("schema")
    kind = ctx.doc.kind
    vocab = vocabulary.load()
    if vocab is None or schema is None or kind is None or not vocab.applies(schema.version, kind):
        return []
    return vocabulary.check(vocab, kind, ctx.get("spec"))


def _key_fix(ctx: Context, p: Problem) -> tuple[Fix, ...]:
    key, _value = ctx.nodes(p.path)
    if p.suggestion is None or key is None or key.span.start.line != key.span.end.line:
        return ()
    new = f"{key.style}{p.suggestion}{key.style}" if key.style in ('"', "'") else p.suggestion
    return (Fix(title=f"Rename to `{p.suggestion}`", edits=(TextEdit(key.span, new),), safe=False, preferred=True),)


def _report(ctx: Context, what: str) -> Iterator[Finding]:
    for p in problems(ctx):
        if p.what != what:
            continue
        if what == UNKNOWN_KEY:
            fixes = _key_fix(ctx, p)
        elif p.suggestion is not None:
            fixes = ctx.replace(p.path, p.suggestion, f"Change to `{p.suggestion}`", safe=False)
        else:
            fixes = ()
        finding = ctx.report(list(p.path), p.message, on=p.on, fixes=fixes)
        if p.suggestion is not None:
            finding.data["suggestion"] = p.suggestion
        yield finding


@rule(
    "VOCAB001", "spec-unknown-key", "vocabulary",
    "A key in `spec` that no OSSA version defines there (usually a typo) — on versions whose schema no "
    "longer checks `spec`.",
    levels=Levels(W, W, W), kinds=KINDS, source=SOURCE, fix="unsafe", why=_WHY, details=_DETAILS,
    bad=_head() + "  llm:\n    provider: anthropic\n    model: claude-sonnet-4-5\n    temprature: 0.2  # <- VOCAB001\n",
    good=_head() + "  llm:\n    provider: anthropic\n    model: claude-sonnet-4-5\n    temperature: 0.2\n",
    expect="temprature",
)
def unknown_key(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, UNKNOWN_KEY)


@rule(
    "VOCAB002", "spec-wrong-type", "vocabulary",
    "A value in `spec` of a type no OSSA version allowed there (text for a number, a mapping for a list, ...) "
    "— on versions whose schema no longer checks `spec`.",
    levels=Levels(W, W, W), kinds=KINDS, source=SOURCE, why=_WHY, details=_DETAILS,
    bad=_head() + "  llm:\n    provider: anthropic\n    model: claude-sonnet-4-5\n  tools:  # <- VOCAB002\n"
                  "    name: search\n    type: http\n",
    good=_head() + "  llm:\n    provider: anthropic\n    model: claude-sonnet-4-5\n  tools:\n"
                   "    - name: search\n      type: http\n",
    expect="tools",
)
def wrong_type(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, WRONG_TYPE)


@rule(
    "VOCAB003", "spec-value-not-allowed", "vocabulary",
    "A value in `spec` outside what every OSSA version allowed there (a list of values, a text form, a range) "
    "— on versions whose schema no longer checks `spec`.",
    levels=Levels(W, W, W), kinds=KINDS, source=SOURCE, fix="unsafe", why=_WHY, details=_DETAILS,
    bad=_head() + "  tools:\n    - name: billing-api\n      type: rest  # <- VOCAB003\n",
    good=_head() + "  tools:\n    - name: billing-api\n      type: http\n",
    expect="rest",
)
def not_allowed(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, NOT_ALLOWED)
