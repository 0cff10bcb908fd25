"""Cross-file findings of an analysed document, brought up to date when only *other* manifests changed.

An editor keeps many manifests open; renaming one agent changes what the rules that read the
workspace index (duplicate names, dangling endpoints, cycles) say about the others. Those findings
are recomputed from the index alone: no parse, no schema validation.
"""

from __future__ import annotations

from typing import Any, Protocol

from ossa_lsp.core.analyze import Analysis
from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules import RULES
from ossa_lsp.core.workspace.index import WorkspaceIndex


class CrossFilePolicy(Protocol):
    def cross_file(self, analysis: Analysis, workspace: WorkspaceIndex) -> list[Finding]: ...


def is_cross_file(finding: Finding) -> bool:
    """A finding of a rule that reads other manifests (through the workspace index)."""
    rule = RULES.get(finding.code)
    return rule is not None and rule.workspace


def recheck(analysis: Analysis, policy: CrossFilePolicy, index: WorkspaceIndex) -> None:
    """Replace the analysis' cross-file findings with ones computed against the index as it is now."""
    kept = [f for f in analysis.findings if not is_cross_file(f)]
    analysis.findings = sorted(kept + policy.cross_file(analysis, index), key=Finding.sort_key)


def cross_file_view(analysis: Analysis) -> list[tuple[str, Any, str]]:
    """What the user sees of the cross-file findings (code, span, message): equal views need no re-send."""
    return [(f.code, f.span, f.message) for f in analysis.findings if is_cross_file(f)]
