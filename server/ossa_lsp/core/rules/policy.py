"""The Policy: the resolved configuration for one file (enabled rules with effective severity and
options), and the one place rules are run. `analyze(..., policy=...)` calls `Policy.apply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ossa_lsp.core import suppress
from ossa_lsp.core.codes import CODES
from ossa_lsp.core.constants import DEFAULT_PROFILE
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.context import Context, Env
from ossa_lsp.core.rules.families import hygiene
from ossa_lsp.core.rules.families.security import unparsed_secrets
from ossa_lsp.core.rules.registry import RULES, Rule, in_order
from ossa_lsp.core.scrub import scrub_findings, string_secrets
from ossa_lsp.core.text.source import Document

if TYPE_CHECKING:
    from ossa_lsp.core.analyze import Analysis
    from ossa_lsp.core.workspace.index import WorkspaceIndex



def _internal_error(fmt: str, *args: object) -> None:
    import logging  # only on a rule bug: a CLI run should not pay for importing logging

    logging.getLogger("ossa_lsp.rules").error(fmt, *args)


@dataclass(frozen=True)
class Enabled:
    rule: Rule
    severity: Severity
    options: Mapping[str, Any]


# Rules that read single values anywhere in the document (secrets): they run on every parsed mapping,
# including the part of a document before a syntax error and documents of any kind or version.
EVERYWHERE = frozenset({"SEC001", "SEC002"})
_AGENT_KEYS = ("role", "llm", "tools", "autonomy", "capabilities")
_OTHER_KINDS = frozenset({"task", "workflow", "flow", "mcpserver", "skill", "validator"})


def agent_shaped(doc: Document) -> bool:
    """Whether the agent rules read this document: `kind: Agent` in any case, or (kind missing or not an
    OSSA kind) a `spec` with an agent's keys. A missing, misspelt or unsupported OSSA apiVersion must not
    switch governance off (the schema reports it); another API group's (`kagent.dev/v1alpha1`) is not ours."""
    data = doc.data
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    if isinstance(api, str) and "/" in api and not api.strip().lower().startswith("ossa"):
        return False
    kind = data.get("kind")
    if isinstance(kind, str) and kind.strip().lower() == "agent":
        return True
    if isinstance(kind, str) and kind.strip().lower() in _OTHER_KINDS:
        return False
    spec = data.get("spec")
    return isinstance(spec, dict) and any(k in spec for k in _AGENT_KEYS)


def applies_to(doc: Document) -> bool:
    """All rules read agent-shaped documents that parsed completely; a cut-off document would look like it
    is missing everything after the syntax error (only the EVERYWHERE rules read those)."""
    return doc.complete and agent_shaped(doc)


def reads(rule: Rule, doc: Document, agent: bool) -> bool:
    """Whether a rule runs on this document (`agent`: `applies_to(doc)`): the EVERYWHERE rules on any parsed
    mapping, agent rules on agent-shaped ones, and rules declared for other kinds (the vocabulary checks read
    Task, Workflow and Flow too; compat rules any kind) on complete OSSA documents of those kinds."""
    if rule.code in EVERYWHERE:
        return True
    if rule.kinds == ("Agent",):
        return agent
    api = doc.api_version
    return doc.complete and isinstance(api, str) and api.startswith("ossa/") and \
        (rule.kinds is None or doc.kind in rule.kinds)


@dataclass
class Policy:
    profile: str = DEFAULT_PROFILE
    rules: dict[str, Enabled] = field(default_factory=dict)  # code → enabled rule, in registry order
    fail_on: Severity = Severity.ERROR
    env: Env = field(default_factory=Env)
    config: str | None = None  # the config file this policy came from

    @classmethod
    def for_profile(cls, profile: str = DEFAULT_PROFILE, env: Env | None = None) -> Policy:
        """A profile's rules with default options and no config file (`config.resolve_policy` does the rest)."""
        chosen = {r.code: Enabled(r, sev, r.defaults()) for r in in_order() if (sev := r.levels.get(profile))}
        return cls(profile=profile, rules=chosen, env=env or Env())

    def enabled(self, code: str) -> bool:
        """Whether findings with this code can appear: a rule that is on, or any non-policy code."""
        if code in RULES:
            return code in self.rules
        return code in CODES

    def severity(self, code: str) -> Severity | None:
        e = self.rules.get(code)
        return e.severity if e is not None else None

    def apply(self, analysis: Analysis, workspace: WorkspaceIndex | None = None) -> None:
        """Run the rules on every document, then apply suppressions to findings of any source.
        Cross-file rules run only when a workspace index is given."""
        lines = analysis.manifest.lines
        found: list[Finding] = []
        secrets: list[str] = []
        for doc in analysis.manifest.documents:
            if not isinstance(doc.data, dict):
                continue
            found.extend(self._run(doc, analysis, secrets, workspace, applies_to(doc)))
        if analysis.manifest.has_syntax_error and "SEC001" in self.rules:
            found.extend(unparsed_secrets(analysis.manifest, self.rules["SEC001"].severity, secrets, found))
        analysis.findings.extend(found)
        analysis.secrets.extend(secrets)  # `analyze` masks them in every message
        sups = suppress.parse(analysis.manifest)
        if not sups:
            return
        suppress.apply(sups, analysis.findings)
        # Hygiene findings can be suppressed too (file-ignore[SUP002]); that use counts before SUP001 looks.
        problems = hygiene.problems(sups, self.severity)
        suppress.apply(sups, problems)
        unused = hygiene.unused(sups, self.severity, self.enabled, lines)
        suppress.apply(sups, unused)
        analysis.findings.extend(problems + unused)

    def cross_file(self, analysis: Analysis, workspace: WorkspaceIndex) -> list[Finding]:
        """Only the cross-file findings, suppressions applied: for re-checking an analysed document
        when other manifests changed (no parse, no schema validation)."""
        found: list[Finding] = []
        for doc in analysis.manifest.documents:
            if not applies_to(doc):
                continue
            for e in self.rules.values():
                if not e.rule.workspace or e.rule.check is None:
                    continue
                ctx = Context(doc, e.rule.code, e.rule.name, e.severity, dict(e.options), self.env, analysis.manifest.lines, {},
                              workspace, analysis.path, e.rule.source)
                try:
                    found.extend(e.rule.check(ctx))
                except Exception as err:  # a rule bug must never cost the user the other findings
                    _internal_error("internal error in rule %s on %s: %s: %s", e.rule.code, analysis.path or "<text>",
                              type(err).__name__, err)
        sups = suppress.parse(analysis.manifest)
        if sups:
            suppress.apply(sups, found)
        scrub_findings(found, analysis.secrets, analysis.manifest.text)
        return found

    def _run(self, doc: Document, analysis: Analysis, secrets: list[str],
             workspace: WorkspaceIndex | None = None, agent: bool = True) -> list[Finding]:
        out: list[Finding] = []
        # what rules may read besides the document: the schema it was validated with, the file's documents
        shared: dict[str, Any] = {"text": analysis.manifest.text, "schema": analysis.schemas.get(doc.index),
                                  "documents": analysis.manifest.documents}
        for code, e in self.rules.items():
            check = e.rule.check
            if check is None or (e.rule.workspace and workspace is None) or not reads(e.rule, doc, agent):
                continue
            ctx = Context(doc, e.rule.code, e.rule.name, e.severity, dict(e.options), self.env, analysis.manifest.lines, shared,
                          workspace, analysis.path, e.rule.source)
            try:
                out.extend(check(ctx))
            except Exception as err:  # a rule bug must never cost the user the other findings
                _internal_error("internal error in rule %s on %s (document %d): %s: %s", code,
                          analysis.path or "<text>", doc.index, type(err).__name__, err)
            secrets.extend(ctx.secrets)
        strings = shared.get("strings")  # every text value, if a rule listed them: reused, not walked again
        if strings is not None:
            secrets.extend(string_secrets(strings))
            analysis.scanned.add(doc.index)
        return out

