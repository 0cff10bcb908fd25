"""Hygiene rules about suppression comments themselves. The Policy produces these after suppressions
are applied (the rules have no `check`): a suppression that hides nothing, one without a reason, or
one that cannot work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ossa_lsp.core.findings import CODES, Finding, Fix, Severity, TextEdit
from ossa_lsp.core.rules.registry import Levels, Rule, W, declare, matches
from ossa_lsp.core.text.spans import LineIndex, Pos, Span

if TYPE_CHECKING:
    from ossa_lsp.core.suppress import Suppression

SeverityOf = Callable[[str], "Severity | None"]  # the policy's severity for a code; None: the rule is off

_HEAD = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: search-agent
spec:
  role: Searches the public web for sources.
  tools:
    - type: http
      name: search
"""

UNUSED = declare(Rule(
    code="SUP001", name="unused-suppression", family="hygiene",
    summary="A suppression comment that no longer hides any finding.",
    levels=Levels(W, W, W),
    why="Audit needs every exception to be live: a stale `ignore` hides the next real problem on that node "
        "without anyone deciding so. Remove it once the problem it was written for is fixed.",
    details="Reported only when every rule the selector names is enabled, so a suppression for a rule that "
            "the current profile leaves off is not called unused.",
    bad=_HEAD + "      endpoint: https://api.search.example.com/v1  # ossa-lsp: ignore[SEC003] -- legacy proxy\n",
    good=_HEAD + "      endpoint: https://api.search.example.com/v1\n",
    expect="SEC003", fix="safe", example_with=("SEC003",)))

NO_REASON = declare(Rule(
    code="SUP002", name="suppression-without-reason", family="hygiene",
    summary="A suppression comment that does not say why.",
    levels=Levels(None, W, W),
    why="A suppression is a governance exception; compliance review needs the reason next to it "
        "(`-- reason`), e.g. a ticket or the compensating control.",
    bad=_HEAD + "      endpoint: http://api.search.example.com/v1  # ossa-lsp: ignore[SEC003]\n",
    good=_HEAD + "      endpoint: http://api.search.example.com/v1  # ossa-lsp: ignore[SEC003] -- vendor has no TLS; "
         "tracked in SEC-142\n",
    expect="# ossa-lsp: ignore[SEC003]", example_with=("SEC003",)))

INVALID = declare(Rule(
    code="SUP003", name="suppression-invalid", family="hygiene",
    summary="A suppression comment that cannot work: unknown code, no brackets, or a misplaced file-ignore.",
    levels=Levels(W, W, W),
    why="A typo in a suppression silently suppresses nothing; the finding it was meant for stays, or worse, "
        "the author believes a control was reviewed when it was not.",
    bad=_HEAD + "      endpoint: http://api.search.example.com/v1  # ossa-lsp: ignore[SEC030] -- vendor has no TLS\n",
    good=_HEAD + "      endpoint: http://api.search.example.com/v1  # ossa-lsp: ignore[SEC003] -- vendor has no TLS\n",
    expect="SEC030", example_with=("SEC003",)))


def _finding(rule: Rule, sev: Severity, message: str, span: Span, doc: int, fixes: tuple[Fix, ...] = ()) -> Finding:
    return Finding(code=rule.code, severity=sev, source="policy", message=message, span=span, document=doc,
                   fixes=fixes, data={"rule": rule.name})


def _all_enabled(selector: str, enabled: Callable[[str], bool]) -> bool:
    codes = [c for c in CODES if matches(selector, c)]
    return bool(codes) and all(enabled(c) for c in codes)


def _removal(sup: Suppression, i: int, lines: LineIndex) -> tuple[Fix, ...]:
    line_no = sup.span.start.line
    if len(sup.selectors) == 1:
        if sup.own_line:
            span = Span(Pos(line_no, 0), Pos(line_no + 1, 0))
        else:
            before = lines.line(line_no)[: sup.span.start.character].rstrip()
            span = Span(Pos(line_no, len(before)), sup.span.end)
        title = "Remove the unused suppression comment"
    else:
        spans = [s for _sel, s in sup.selectors]
        if i + 1 < len(spans):
            span = Span(spans[i].start, spans[i + 1].start)
        else:
            span = Span(spans[i - 1].end, spans[i].end)
        title = f"Remove {sup.selectors[i][0]} from the suppression"
    return (Fix(title=title, edits=(TextEdit(span, ""),), safe=True, preferred=True),)


def problems(sups: list[Suppression], severity: SeverityOf) -> list[Finding]:
    """Suppressions that cannot work (SUP003) or give no reason (SUP002)."""
    out: list[Finding] = []
    no_reason, invalid = severity(NO_REASON.code), severity(INVALID.code)
    for sup in sups:
        if sup.problem is not None:
            if invalid is not None:
                out.append(_finding(INVALID, invalid, f"This suppression does nothing: {sup.problem}", sup.span,
                                    sup.document))
            continue
        if invalid is not None:
            for sel, span in sup.unknown_selectors():
                out.append(_finding(INVALID, invalid, f"'{sel}' is not a known code, rule name or code prefix, "
                                    "so this suppresses nothing for it (see `ossa-lsp rules`)", span, sup.document))
        if no_reason is not None and not sup.reason:
            out.append(_finding(NO_REASON, no_reason, "Say why this is suppressed: add ' -- reason' after the "
                                "brackets (a ticket, or the control that covers the risk)", sup.span, sup.document))
    return out


def unused(sups: list[Suppression], severity: SeverityOf, enabled: Callable[[str], bool],
           lines: LineIndex) -> list[Finding]:
    """Selectors that suppressed nothing (SUP001); run after every other finding has been matched.
    `enabled`: whether findings with a code can appear under the policy at all."""
    sev = severity(UNUSED.code)
    out: list[Finding] = []
    if sev is None:
        return out
    for sup in sups:
        if sup.problem is not None:
            continue
        bad = sup.unknown_selectors()
        for i, (sel, span) in enumerate(sup.selectors):
            if i in sup.used or (sel, span) in bad or not _all_enabled(sel, enabled):
                continue
            where = "in this file" if sup.kind == "file" else "on this node"
            out.append(_finding(UNUSED, sev, f"Unused suppression: no {sel} finding {where}; remove it",
                                span, sup.document, _removal(sup, i, lines)))
    return out
