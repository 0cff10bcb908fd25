"""JUnit XML: one testsuite per file; one testcase per finding (a failure when it is at least as severe as
the file's fail-on, suppressed ones skipped with their reason) and one passing testcase per clean
document, so CI dashboards count checked manifests as well as problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.headless.check import FileReport


def _case(suite: ET.Element, r: FileReport, f: Finding) -> str:
    s = f.span.start
    case = ET.SubElement(suite, "testcase", classname=r.path, name=f"{f.code} at {s.line + 1}:{s.character + 1}",
                         file=r.path, line=str(s.line + 1))
    text = f"{r.path}:{s.line + 1}:{s.character + 1}: {f.severity.label} {f.code} {f.message}"
    if f.suppressed is not None:
        ET.SubElement(case, "skipped", message=f"suppressed: {f.suppressed or 'no reason given'}")
        return "skipped"
    if f.severity <= r.fail_on:
        ET.SubElement(case, "failure", type=f.severity.label, message=f.message).text = text
        return "failure"
    ET.SubElement(case, "system-out").text = text
    return "passed"


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    root = ET.Element("testsuites", name="ossa-lsp")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in reports:
        suite = ET.SubElement(root, "testsuite", name=r.path)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if r.error:
            case = ET.SubElement(suite, "testcase", classname=r.path, name="read", file=r.path)
            ET.SubElement(case, "error", type="IO", message=r.error).text = f"{r.path}: {r.error}"
            counts["tests"] += 1
            counts["errors"] += 1
        shown = [f for f in r.findings if f.severity != Severity.HINT]  # hints are editor nudges, not tests
        for f in shown:
            outcome = _case(suite, r, f)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
        flagged = {f.document for f in shown}
        for d in r.documents:
            if d.index not in flagged:
                label = " ".join(x for x in (d.kind, d.api_version) if x)
                ET.SubElement(suite, "testcase", classname=r.path, name=f"document {d.index} ({label or 'manifest'})",
                              file=r.path)
                counts["tests"] += 1
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
