"""JUnit XML: one testsuite per file; one testcase per finding (a failure when it is at least as severe as
the file's fail-on, suppressed ones skipped with their reason) and one passing testcase per clean
document, so CI dashboards count checked manifests as well as problems. Everything echoed is escaped
(output/escape.py), so the report is XML 1.0 whatever the file names and values hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import message
from ossa_lsp.output.escape import text as esc


def _case(suite: ET.Element, r: FileReport, path: str, f: Finding) -> str:
    s = f.span.start
    case = ET.SubElement(suite, "testcase", classname=path, name=f"{f.code} at {s.line + 1}:{s.character + 1}",
                         file=path, line=str(s.line + 1))
    msg = message(f.message)
    text = f"{path}:{s.line + 1}:{s.character + 1}: {f.severity.label} {f.code} {msg}"
    if f.suppressed is not None:
        ET.SubElement(case, "skipped", message=f"suppressed: {message(f.suppressed) or 'no reason given'}")
        return "skipped"
    if f.severity <= r.fail_on:
        ET.SubElement(case, "failure", type=f.severity.label, message=msg).text = text
        return "failure"
    ET.SubElement(case, "system-out").text = text
    return "passed"


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    root = ET.Element("testsuites", name="ossa-lsp")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in reports:
        path = esc(r.path)  # XML 1.0 cannot hold control characters or undecodable bytes, even as &#…;
        suite = ET.SubElement(root, "testsuite", name=path)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if r.error:
            case = ET.SubElement(suite, "testcase", classname=path, name="read", file=path)
            error = message(r.error)
            ET.SubElement(case, "error", type="IO", message=error).text = f"{path}: {error}"
            counts["tests"] += 1
            counts["errors"] += 1
        shown = [f for f in r.findings if f.severity != Severity.HINT]  # hints are editor nudges, not tests
        for f in shown:
            outcome = _case(suite, r, path, f)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
        flagged = {f.document for f in shown}
        for d in r.documents:
            if d.index not in flagged:
                label = esc(" ".join(x for x in (d.kind, d.api_version) if x))
                ET.SubElement(suite, "testcase", classname=path, name=f"document {d.index} ({label or 'manifest'})",
                              file=path)
                counts["tests"] += 1
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
