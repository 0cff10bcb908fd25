"""What checking one file produced (`FileReport`), as every reporter reads it, and how paths are shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ossa_lsp.core.analyze import DocumentInfo
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.text.spans import ZERO


@dataclass(slots=True)
class FileReport:
    path: str  # as shown to the user (relative to the working directory when below it)
    documents: list[DocumentInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # a path the user named could not be read at all
    astral_lines: dict[int, str] = field(default_factory=dict)  # lines with non-BMP characters (UTF-16 columns)
    profile: str | None = None  # the policy profile this file was checked with
    config: str | None = None  # the .ossa-lsp.yaml that applied, if any
    fail_on: Severity = Severity.ERROR  # findings at least this severe fail the check

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR and f.suppressed is None)

    @property
    def failed(self) -> bool:
        """An unsuppressed finding at or above `fail_on` (or the file could not be read)."""
        return self.error is not None or any(f.severity <= self.fail_on and f.suppressed is None
                                             for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.error is None and all(d.valid for d in self.documents)


def display_path(path: Path | str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.as_posix()


def io_warning(message: str) -> Finding:
    """A file or folder met while walking that could not be read: worth saying, not worth failing for."""
    return Finding(code="IO", severity=Severity.WARNING, source="io", message=message, span=ZERO)
