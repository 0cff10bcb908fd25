"""The Policy: the resolved configuration for one file (enabled rules with effective severity and
options), and the one place rules are run. `analyze(..., policy=...)` calls `Policy.apply`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ossa_lsp.core import suppress
from ossa_lsp.core.findings import CODES, Finding, Severity
from ossa_lsp.core.rules import hygiene
from ossa_lsp.core.rules.context import Context, Env
from ossa_lsp.core.rules.registry import DEFAULT_PROFILE, RULES, Rule, in_order, matches
from ossa_lsp.core.rules.util import mask
from ossa_lsp.core.source import Document

if TYPE_CHECKING:
    from ossa_lsp.core.analyze import Analysis

log = logging.getLogger("ossa_lsp.rules")


@dataclass(frozen=True)
class Enabled:
    rule: Rule
    severity: Severity
    options: Mapping[str, Any]


def applies_to(doc: Document) -> bool:
    """Rules read OSSA Agent manifests that parsed completely; a cut-off document would look like it is
    missing everything after the syntax error."""
    api = doc.api_version
    return doc.complete and isinstance(doc.data, dict) and api is not None and api.startswith("ossa/") \
        and doc.kind == "Agent"


@dataclass
class Policy:
    profile: str = DEFAULT_PROFILE
    rules: dict[str, Enabled] = field(default_factory=dict)  # code → enabled rule, in registry order
    fail_on: Severity = Severity.ERROR
    env: Env = field(default_factory=Env)
    config: str | None = None  # the config file this policy came from

    @classmethod
    def for_profile(cls, profile: str = DEFAULT_PROFILE, *, extra: Iterable[str] = (),
                    options: Mapping[str, Mapping[str, Any]] | None = None, env: Env | None = None) -> Policy:
        """A policy with a profile's rules (plus `extra` selectors at their strongest severity)."""
        chosen: dict[str, Enabled] = {}
        sels = list(extra)
        for r in in_order():
            sev = r.levels.get(profile)
            if sev is None and any(matches(s, r.code) for s in sels):
                sev = r.levels.strongest
            if sev is not None:
                opts = {**r.defaults(), **dict((options or {}).get(r.code, {}))}
                chosen[r.code] = Enabled(r, sev, opts)
        return cls(profile=profile, rules=chosen, env=env or Env())

    def enabled(self, code: str) -> bool:
        """Whether findings with this code can appear: a rule that is on, or any non-policy code."""
        if code in RULES:
            return code in self.rules
        return code in CODES

    def severity(self, code: str) -> Severity | None:
        e = self.rules.get(code)
        return e.severity if e is not None else None

    def apply(self, analysis: Analysis) -> None:
        found: list[Finding] = []
        secrets: list[str] = []
        for doc in analysis.manifest.documents:
            if applies_to(doc):
                found.extend(self._run(doc, analysis, secrets))
        analysis.findings.extend(found)
        if secrets:
            _scrub(analysis.findings, secrets)
        sups = suppress.parse(analysis.manifest)
        if sups:
            suppress.apply(sups, analysis.findings)
        extra = hygiene.findings(sups, self, analysis.manifest.lines)
        if extra:
            suppress.apply(sups, extra)
            analysis.findings.extend(extra)

    def _run(self, doc: Document, analysis: Analysis, secrets: list[str]) -> list[Finding]:
        out: list[Finding] = []
        for code, e in self.rules.items():
            check = e.rule.check
            if check is None:
                continue
            ctx = Context(doc, e.rule, e.severity, dict(e.options), self.env, analysis.manifest.lines)
            try:
                out.extend(check(ctx))
            except Exception as err:  # a rule bug must never cost the user the other findings
                log.error("internal error in rule %s on %s (document %d): %s: %s", code,
                          analysis.path or "<text>", doc.index, type(err).__name__, err)
            secrets.extend(ctx.secrets)
        return out


def _scrub(findings: list[Finding], secrets: list[str]) -> None:
    """Mask any secret that another finding's message quotes (a schema message may show the value)."""
    for f in findings:
        for s in secrets:
            at = f.message.find(s[:8])
            while at >= 0:  # the whole secret, or as much of it as a shortened message quotes
                n = 8
                while n < len(s) and at + n < len(f.message) and f.message[at + n] == s[n]:
                    n += 1
                f.message = f.message[:at] + mask(s) + f.message[at + n:]
                at = f.message.find(s[:8], at + 1)
