"""GitLab Code Quality report: a JSON array of issues (description, check_name, fingerprint, severity,
location.path, location.lines.begin). Fingerprints are stable across runs so GitLab can tell new
issues from old ones: a hash of path, code and JSON pointer (plus a counter for repeats)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import dumps, message
from ossa_lsp.output.reporters import visible

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor", Severity.HINT: "info"}


def fingerprint(path: str, code: str, pointer: str, document: int, repeat: int) -> str:
    key = f"{path}\0{document}\0{code}\0{pointer}\0{repeat}"
    # surrogateescape: undecodable file-name bytes hash as the bytes they are
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _issue(r: FileReport, f: Finding, repeat: int) -> dict[str, Any]:
    return {
        "description": f"{f.code} {message(f.message)}",
        "check_name": f.code,
        "fingerprint": fingerprint(r.path, f.code, f.pointer, f.document, repeat),
        "severity": SEVERITY[f.severity],
        "location": {"path": r.path, "lines": {"begin": f.span.start.line + 1, "end": f.span.end.line + 1}},
    }


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    issues: list[dict[str, Any]] = []
    for r in reports:
        if r.error:
            issues.append({"description": f"IO {message(r.error)}", "check_name": "IO", "severity": "blocker",
                           "fingerprint": fingerprint(r.path, "IO", "", 0, 0),
                           "location": {"path": r.path, "lines": {"begin": 1}}})
        seen: dict[tuple[str, str, int], int] = {}
        for f in visible(r):
            key = (f.code, f.pointer, f.document)
            seen[key] = seen.get(key, -1) + 1
            issues.append(_issue(r, f, seen[key]))
    return dumps(issues)
