"""Finding, Fix and Severity: what every front door (LSP, CLI, SARIF, ...) reports, byte for byte.

A finding's code is one of those declared in `core/codes.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ossa_lsp.core.text.spans import Span


class Severity(IntEnum):
    """Numbered as in LSP so the server converts without a table."""

    ERROR = 1
    WARNING = 2
    INFO = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        key = text.strip().upper()
        aliases = {"WARN": "WARNING", "INFORMATION": "INFO", "NOTE": "INFO"}
        return cls[aliases.get(key, key)]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text in `span` with `new_text` (positions in code points)."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class Related:
    message: str
    span: Span
    path: str | None = None  # another file (cross-file findings); None: the finding's own file


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    source: str  # "yaml" | "schema" | "policy" | "config"
    message: str
    span: Span
    pointer: str = ""
    document: int = 0
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    suppressed: str | None = None  # the reason, when a suppression comment covers this finding

    def sort_key(self) -> tuple[int, int, int, int, str]:
        return (self.span.start.line, self.span.start.character, self.document, int(self.severity), self.code)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.label,
            "source": self.source,
            "message": self.message,
            "pointer": self.pointer,
            "document": self.document,
            "range": self.span.to_json(),
        }
        if self.related:
            out["related"] = [{"message": r.message, "range": r.span.to_json(),
                               **({"path": r.path} if r.path else {})} for r in self.related]
        if self.fixes:
            out["fixes"] = [{"title": f.title, "safe": f.safe} for f in self.fixes]
        if self.suppressed is not None:
            out["suppressed"] = self.suppressed
        return out
