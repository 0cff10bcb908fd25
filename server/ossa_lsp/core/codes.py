"""Every finding code ossa-lsp reports, declared once: the syntax (`YAML…`), schema (`SCHEMA…`) and
configuration (`CFG…`) codes in the table below, each policy rule's code by its declaration
(`core/rules/registry.py`), which registers it here. The CLI listing, the docs pages, SARIF rules and the
LSP code links all read this registry, and selectors (a code, a kebab name, a prefix such as `SEC`, ALL)
are matched against it.

Codes are stable: a code, once released, keeps its meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ossa_lsp.core.constants import DOCS_BASE
from ossa_lsp.core.findings import Severity

SOURCES = ("yaml", "schema", "config", "policy")  # what produces findings with the code


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    name: str  # kebab-case, usable wherever the code is
    summary: str  # one line
    severity: Severity  # the default (for a policy rule: its strongest level)
    source: str  # one of SOURCES
    doc: str = ""  # more than the summary, for the docs pages and SARIF


def _c(code: str, name: str, severity: Severity, source: str, summary: str, doc: str = "") -> CodeInfo:
    return CodeInfo(code, name, summary, severity, source, doc)


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_CONFIG_DOC = "See docs/configuration.md for the configuration file's format."

CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in [
        _c("YAML001", "syntax-error", _E, "yaml", "The text is not valid YAML (or JSON).",
           "The message names the mistake and the fix, on the line to change. The lines around it are still "
           "checked (the broken lines are set aside), so other findings stay while you type; fix this first."),
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
        _c("SCHEMA004", "value-not-allowed", _E, "schema", "The value is not among the allowed values.",
           "The message lists the allowed values and the closest match."),
        _c("SCHEMA005", "pattern-mismatch", _E, "schema", "Text does not have the required form.",
           "The message explains the form in words (for example DNS-1123 names)."),
        _c("SCHEMA006", "out-of-range", _E, "schema", "A number is outside its allowed range.", ""),
        _c("SCHEMA007", "bad-length", _E, "schema", "Text is shorter or longer than allowed.", ""),
        _c("SCHEMA008", "bad-size", _E, "schema", "A list or object has too few or too many entries, or repeats.", ""),
        _c("SCHEMA009", "format", _W, "schema", "A value does not look like its declared format (uri, email, date-time...).",
           "The spec's formats are annotations, so this is a warning."),
        _c("SCHEMA010", "no-matching-variant", _E, "schema", "The value matches none of the allowed shapes.",
           "When a value may take one of several forms, the message follows the closest one."),
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
        _c("SCHEMA018", "version-pin-ignored", _W, "schema",
           "A version pin (`# ossa-lsp: version=…` or `# yaml-language-server: $schema=…`) names no schema "
           "ossa-lsp has, so it is ignored.",
           "The file is checked as its `apiVersion` says. The pin names a bundled version, or one of our "
           "schemas by URL, file name or a file written by `ossa-lsp schema show`; nothing is fetched from the "
           "network. See docs/editor-features.md for the syntax."),
        _c("SCHEMA019", "version-pin-conflict", _W, "schema",
           "The file's version pin and its `apiVersion` select different OSSA versions.",
           "The pin wins: the file is checked with the pinned version's schema (so the schema's own check "
           "of `apiVersion` is left out). Change `apiVersion`, or the pin, so that both say the same version."),
        _c("CFG001", "config-syntax", _E, "config", "The configuration file is not valid YAML, or not a mapping.",
           _CONFIG_DOC),
        _c("CFG002", "config-unknown-key", _E, "config",
           "A key the configuration (or a rule's options) does not know.", _CONFIG_DOC),
        _c("CFG003", "config-invalid-value", _E, "config",
           "A configuration value has the wrong type or is not allowed.", _CONFIG_DOC),
        _c("CFG004", "config-unknown-rule", _E, "config", "A rule code, name or prefix that no rule has.",
           _CONFIG_DOC),
        _c("CFG005", "config-models-file", _E, "config",
           "The models-file cannot be read or is not a valid model registry.", _CONFIG_DOC),
    ]
}
_BY_NAME: dict[str, CodeInfo] = {c.name: c for c in CODES.values()}
_PREFIX = re.compile(r"([A-Z]+)[0-9]*\Z")  # SEC, SEC00: a code prefix (the letters must be whole)


def register(info: CodeInfo) -> None:
    """Add a code (policy rule declarations do, when their family module is imported)."""
    if info.code in CODES or info.name in _BY_NAME:
        raise ValueError(f"code declared twice: {info.code} {info.name}")
    if info.source not in SOURCES:
        raise ValueError(f"{info.code}: unknown source {info.source}")
    CODES[info.code] = info
    _BY_NAME[info.name] = info


def lookup(key: str) -> CodeInfo | None:
    """A code by itself (`SCHEMA004`, any case) or by its kebab name (`value-not-allowed`)."""
    return CODES.get(key.strip().upper()) or _BY_NAME.get(key.strip().lower())


def of_source(source: str) -> list[CodeInfo]:
    """The codes a source produces, in declaration order."""
    return [c for c in CODES.values() if c.source == source]


def doc_url(code: str) -> str:
    """The page that documents a code (the LSP diagnostic's code link, SARIF's helpUri)."""
    info = CODES.get(code)
    if info is None:
        return f"{DOCS_BASE}/rules/README.md"
    if info.source == "config":
        return f"{DOCS_BASE}/configuration.md#{info.code.lower()}"
    if info.source == "policy":
        return f"{DOCS_BASE}/rules/{info.code}.md"
    page = "syntax" if info.source == "yaml" else "schema"
    return f"{DOCS_BASE}/{page}-codes.md#{info.code.lower()}"


def matches(selector: str, code: str) -> bool:
    """Whether a selector (code, kebab name, code prefix such as `SEC`, or ALL) names this code; works for
    every code (so `SCHEMA001` or `schema` can be selected or suppressed too)."""
    s = selector.strip()
    up = s.upper()
    if up == "ALL" or up == code:
        return True
    info = CODES.get(code)
    if info is not None and info.name == s.lower():
        return True
    m = _PREFIX.match(up)
    return m is not None and code.startswith(up) and code.rstrip("0123456789") == m.group(1)


def known_selector(selector: str) -> bool:
    """True when the selector names at least one known code (of any source), or is ALL/NONE."""
    up = selector.strip().upper()
    if up in ("ALL", "NONE"):
        return True
    return any(matches(selector, c) for c in CODES)
