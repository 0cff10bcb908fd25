"""GitHub Actions workflow commands: one `::error file=…,line=…::message` annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossa_lsp.core.findings import Severity
from ossa_lsp.core.words import plural
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.escape import github_data as _data
from ossa_lsp.output.escape import github_property as _prop
from ossa_lsp.output.escape import message
from ossa_lsp.output.reporters import summary, visible

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def render(reports: Sequence[FileReport], opts: dict[str, Any]) -> str:
    out: list[str] = []
    for r in reports:
        if r.error:
            out.append(f"::error file={_prop(r.path)},title=IO::{_data(message(r.error))}")
        for f in visible(r):
            s, e = f.span.start, f.span.end
            props = [f"file={_prop(r.path)}", f"line={s.line + 1}", f"col={s.character + 1}"]
            if e.line == s.line:
                props.append(f"endColumn={e.character + 1}")
            else:
                props.append(f"endLine={e.line + 1}")
            props.append(f"title={_prop(f.code)}")
            out.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message(f.message))}")
    totals = summary(reports)
    out.append(f"ossa-lsp: {plural(totals['files'], 'file')}, {plural(totals['errors'], 'error')}, "
               f"{plural(totals['warnings'], 'warning')}")
    return "\n".join(out) + "\n"
