"""The stable JSON contract (other tools and our own checks read it; change it only additively)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ossa_lsp import __version__
from ossa_lsp.headless.check import FileReport
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
            item["range"] = lsp_range(r, f)
            entry["findings"].append(item)
        if r.error:
            entry["error"] = r.error
        if r.profile is not None:
            entry["profile"] = r.profile
            entry["config"] = r.config
        files.append(entry)
    doc = {"version": 1, "tool": {"name": "ossa-lsp", "version": __version__}, "files": files,
           "summary": summary(reports)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
