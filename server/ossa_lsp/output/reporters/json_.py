"""The stable JSON contract (other tools and our own checks read it; change it only additively).
Paths keep their characters (JSON-escaped; undecodable bytes as `\\x80`); messages are prose, escaped
as in the text format so that printing one can never drive a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossa_lsp import __version__
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import dumps, message
from ossa_lsp.output.reporters import lsp_range, summary


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    files = []
    for r in reports:
        entry: dict[str, Any] = {
            "path": r.path,
            "documents": [d.to_json() for d in r.documents],
            "findings": [],
        }
        for f in r.findings:
            item = f.to_json()
            item["message"] = message(f.message)
            for rel in item.get("related", ()):
                rel["message"] = message(rel["message"])
            item["range"] = lsp_range(r, f)
            entry["findings"].append(item)
        if r.error:
            entry["error"] = message(r.error)
        if r.profile is not None:
            entry["profile"] = r.profile
            entry["config"] = r.config
        files.append(entry)
    doc = {"version": 1, "tool": {"name": "ossa-lsp", "version": __version__}, "files": files,
           "summary": summary(reports)}
    return dumps(doc)
