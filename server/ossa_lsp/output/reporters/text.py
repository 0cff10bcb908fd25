"""`path:line:col: severity code message`, 1-based, coloured on a terminal, and a summary line.
Paths and messages are escaped (output/escape.py): one finding is always exactly one line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossa_lsp.core.findings import Severity
from ossa_lsp.core.words import plural
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import message
from ossa_lsp.output.escape import text as esc
from ossa_lsp.output.reporters import summary, visible

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36", Severity.HINT: "2"}


def _c(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


_plural = plural


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    colour = bool(opts.get("color"))
    out: list[str] = []
    for r in reports:
        if r.error:
            out.append(f"{_c(esc(r.path), '1', colour)}: {_c('error', '31', colour)} IO {message(r.error)}")
        for f in visible(r):
            where = f"{esc(r.path)}:{f.span.start.line + 1}:{f.span.start.character + 1}"
            sev = _c(f.severity.label, _COLOURS[f.severity], colour)
            out.append(f"{_c(where, '1', colour)}: {sev} {_c(esc(f.code), '2', colour)} {message(f.message)}")
    s = summary(reports)
    if not opts.get("quiet") or s["errors"]:
        parts = [_plural(s["errors"], "error"), _plural(s["warnings"], "warning")]
        if s["info"]:
            parts.append(f"{s['info']} info")
        if s["suppressed"]:
            parts.append(f"{s['suppressed']} suppressed")
        docs = f" ({_plural(s['documents'], 'document')})" if s["documents"] != s["files"] else ""
        line = f"Checked {_plural(s['files'], 'file')}{docs}: {', '.join(parts)}"
        if s["files_with_errors"]:
            line += f" in {_plural(s['files_with_errors'], 'file')}"
        if s["unreadable"]:
            line += f"; {s['unreadable']} could not be read"
        ok = not s["errors"] and not s["unreadable"]
        out.append(_c(line + ".", "32" if ok else "31", colour) if colour else line + ".")
    return "\n".join(out) + "\n"
