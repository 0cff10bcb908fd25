"""Output formats for `ossa-lsp check`. Each module renders a list of FileReports to text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.text.spans import utf16_span
from ossa_lsp.headless.report import FileReport

Renderer = Callable[[Sequence[FileReport], dict[str, Any]], str]


def summary(reports: Sequence[FileReport]) -> dict[str, Any]:
    counts = {s.label: 0 for s in Severity}
    suppressed = 0
    for r in reports:
        for f in r.findings:
            if f.suppressed is not None:
                suppressed += 1
            else:
                counts[f.severity.label] += 1
    return {
        "files": len(reports),
        "documents": sum(len(r.documents) for r in reports),
        "files_with_errors": sum(1 for r in reports if r.errors or r.error),
        "unreadable": sum(1 for r in reports if r.error),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "info": counts["info"],
        "hints": counts["hint"],
        "suppressed": suppressed,
    }


def visible(report: FileReport, hints: bool = False) -> list[Finding]:
    """Findings to show: unsuppressed, and (in text-like formats) no hints, which are editor nudges."""
    return [f for f in report.findings if f.suppressed is None and (hints or f.severity != Severity.HINT)]


def lsp_range(report: FileReport, f: Finding) -> dict[str, dict[str, int]]:
    """0-based LSP range in UTF-16 code units (the LSP default encoding)."""
    return utf16_span(f.span, report.astral_lines).to_json()


_MODULES = {"text": "text", "json": "json_", "sarif": "sarif", "github": "github", "gitlab": "gitlab",
            "junit": "junit"}


def get(name: str) -> Renderer:
    # Only the chosen format is imported: gitlab needs hashlib and junit xml, which a text run should not pay for.
    import importlib

    module = importlib.import_module(f"ossa_lsp.output.reporters.{_MODULES[name]}")
    render: Renderer = module.render
    return render


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
WITH_HINTS = ("json", "sarif")  # the formats that show unsuppressed hints or count them
