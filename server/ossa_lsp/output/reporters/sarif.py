"""SARIF 2.1.0: rules with help links, results with line/column regions, suppressions kept. Artifact
locations are percent-encoded URI references; messages escaped as in every format (output/escape.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossa_lsp import __version__
from ossa_lsp.core.codes import CODES, doc_url
from ossa_lsp.core.findings import Severity
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import dumps, message, uri

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def _rule(code: str) -> dict[str, Any]:
    info = CODES.get(code)
    rule: dict[str, Any] = {"id": code, "helpUri": doc_url(code)}
    if info is not None:
        rule["name"] = info.name
        rule["shortDescription"] = {"text": info.summary}
        if info.doc:
            rule["fullDescription"] = {"text": info.doc}
        rule["help"] = {"text": f"{info.summary} {info.doc}".strip() + f" See {doc_url(code)}"}
        rule["defaultConfiguration"] = {"level": _LEVEL[info.severity]}
    return rule


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    results: list[dict[str, Any]] = []
    rule_ids: list[str] = []
    index: dict[str, int] = {}
    notifications: list[dict[str, Any]] = []
    for r in reports:
        if r.error:
            notifications.append({"level": "error", "message": {"text": message(f"{r.path}: {r.error}")},
                                  "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(r.path)}}}]})
        for f in r.findings:
            if f.code not in index:
                index[f.code] = len(rule_ids)
                rule_ids.append(f.code)
            s, e = f.span.start, f.span.end
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _LEVEL[f.severity],
                "message": {"text": message(f.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(r.path)},
                        "region": {"startLine": s.line + 1, "startColumn": s.character + 1,
                                   "endLine": e.line + 1, "endColumn": e.character + 1},
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.pointer or "/", "kind": "member"}],
                }],
                "properties": {"source": f.source, "document": f.document},
            }
            if f.suppressed is not None:
                result["suppressions"] = [{"kind": "inSource", "justification": message(f.suppressed)}]
            results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "ossa-lsp", "version": __version__, "semanticVersion": __version__,
                            "informationUri": "https://github.com/ossa-lsp/ossa-lsp",
                            "rules": [_rule(c) for c in rule_ids]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": notifications}]
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return dumps(doc)
