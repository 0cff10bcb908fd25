"""Finding, Fix and Severity: what every front door (LSP, CLI, SARIF, ...) reports, byte for byte.

Codes are stable. Syntax problems are `YAML…`, schema problems `SCHEMA…`; policy families add
their own (`COST…`, `SEC…`, ...). Each code is declared once in `CODES` with a kebab name and a
one-line summary; docs pages and SARIF rules are generated from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ossa_lsp.core.text.spans import Span

DOCS_BASE = "https://github.com/ossa-lsp/ossa-lsp/blob/main/docs"


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


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    name: str
    summary: str
    severity: Severity
    source: str
    doc: str = ""


def _c(code: str, name: str, severity: Severity, source: str, summary: str, doc: str = "") -> CodeInfo:
    return CodeInfo(code, name, summary, severity, source, doc)


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in [
        _c("YAML001", "syntax-error", _E, "yaml", "The text is not valid YAML (or JSON).",
           "The parser stopped here. Everything before this point is still checked; fix this first."),
        _c("YAML002", "duplicate-key", _E, "yaml", "A mapping has the same key twice.",
           "YAML 1.2 requires unique keys; OSSA tooling rejects the file. The first occurrence is linked."),
        _c("YAML003", "alias-expansion-limit", _E, "yaml", "Anchors and aliases expand beyond the safety limit.",
           "A 'billion laughs' structure would make every consumer hang; the aliases past the limit are ignored."),
        _c("YAML004", "document-not-mapping", _E, "yaml", "A manifest document must be a mapping (key: value pairs).",
           "The top level of an OSSA manifest is an object with apiVersion, kind, metadata and spec."),
        _c("YAML005", "encoding-error", _E, "yaml", "The file is not UTF-8 text.",
           "Binary data or a legacy encoding; OSSA manifests are UTF-8."),
        _c("YAML006", "analysis-limited", _W, "yaml", "The file is too large or too deep to analyse fully.",
           "ossa-lsp bounds the time and memory it spends on one file. Split the file or raise the limit."),
        _c("YAML007", "unknown-tag", _W, "yaml", "A custom YAML tag is ignored.",
           "OSSA tooling does not interpret custom tags; the value is read as plain data."),
        _c("YAML008", "empty-document", _W, "yaml", "The file has no manifest in it.",
           "The file is empty or holds only comments."),
        _c("SCHEMA001", "unknown-property", _E, "schema", "A key that this object does not allow.",
           "Closed objects in the OSSA schema reject unknown keys; usually a typo or a field of another version."),
        _c("SCHEMA002", "missing-required", _E, "schema", "A required field is missing.",
           "The finding sits on the key of the object that lacks the field."),
        _c("SCHEMA003", "wrong-type", _E, "schema", "The value has the wrong type.",
           "For example text where a number is expected. Quote numbers that must stay strings."),
        _c("SCHEMA004", "value-not-allowed", _E, "schema", "The value is not one of the allowed values.",
           "The message lists the allowed values and the closest match."),
        _c("SCHEMA005", "pattern-mismatch", _E, "schema", "Text does not have the required form.",
           "The message explains the form in words (for example DNS-1123 names)."),
        _c("SCHEMA006", "out-of-range", _E, "schema", "A number is outside its allowed range.", ""),
        _c("SCHEMA007", "bad-length", _E, "schema", "Text is too short or too long.", ""),
        _c("SCHEMA008", "bad-size", _E, "schema", "A list or object has too few or too many entries, or repeats.", ""),
        _c("SCHEMA009", "format", _W, "schema", "A value does not look like its declared format (uri, email, date-time...).",
           "The spec's formats are annotations, so this is a warning."),
        _c("SCHEMA010", "no-matching-variant", _E, "schema", "The value matches none of the allowed shapes.",
           "For oneOf/anyOf the message follows the closest shape."),
        _c("SCHEMA011", "unsupported-api-version", _E, "schema", "apiVersion is missing, malformed or not supported.",
           "The message names the versions that ossa-lsp supports. Use --schema to validate with another schema."),
        _c("SCHEMA012", "schema-constraint", _E, "schema", "A value breaks another schema constraint.", ""),
        _c("SCHEMA013", "schema-unavailable", _E, "schema", "The schema to validate with could not be loaded.",
           "A --schema file or a configured schema is missing, not JSON, or not a valid JSON Schema."),
        _c("SCHEMA014", "outdated-api-version", Severity.HINT, "schema", "A newer OSSA version exists.",
           "A hint only: older versions stay valid. `ossa-lsp migrate --to VERSION` upgrades mechanically."),
        _c("SCHEMA015", "api-version-stand-in", Severity.HINT, "schema",
           "The declared apiVersion has no schema of its own; another bundled schema checks the manifest.",
           "For example `ossa/v0.4.1` (no such release) is checked with the newest bundled v0.4 schema, as "
           "upstream's CLI does; the message and hover on `apiVersion` name the schema and the rule that chose it."),
        _c("SCHEMA016", "api-version-newer-than-bundled", _W, "schema",
           "The apiVersion is newer than every OSSA version this ossa-lsp bundles.",
           "The manifest is checked with the newest bundled schema (never an older minor line), whose own "
           "apiVersion pattern is not applied. A newer ossa-lsp may know the version."),
        _c("SCHEMA017", "no-longer-checked", _W, "schema",
           "After `ossa-lsp migrate`: a mistake the target version's schema no longer checks.",
           "Reported by `migrate` only, so no finding disappears silently: the source version's schema reported "
           "it, the target's does not (from v0.4.6 `spec` is unchecked) and no vocabulary check covers it."),
    ]
}


def doc_url(code: str) -> str:
    info = CODES.get(code)
    if info is None:
        return f"{DOCS_BASE}/rules/README.md"
    if info.source == "config":
        return f"{DOCS_BASE}/configuration.md#{info.code.lower()}"
    page = "syntax" if info.source == "yaml" else "schema" if info.source == "schema" else "rules"
    anchor = info.code.lower()
    if page == "rules":
        return f"{DOCS_BASE}/rules/{info.code}.md"
    return f"{DOCS_BASE}/{page}-codes.md#{anchor}"


def register(info: CodeInfo) -> None:
    """Policy rule modules declare their codes here so every front door knows them."""
    CODES[info.code] = info
