"""`ossa-lsp check --fix`: apply fixes to files on disk, safely.

Only the bytes a fix names change (see core/fixes.py); the BOM and line endings are kept. Files with
syntax errors are never touched. Reading and writing go through core/files.py: the write lands on the
real file behind a symlink, keeps hard links, mode and owner, refuses read-only files, and leaves the
original intact when it fails — and a file is reported as fixed only once its new content is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ossa_lsp.core import files
from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.fixes import fix_text


@dataclass
class FixOutcome:
    path: str
    applied: list[tuple[str, str, str]] = field(default_factory=list)  # (code, pointer, title)
    diff: str = ""
    error: str | None = None  # could not read or write (nothing changed on disk)
    refused: str | None = None  # e.g. syntax errors
    not_text: bool = False  # not analysable (binary, not UTF-8, too large): the check reports why
    unwritten: bool = False  # fixes were found but could not be written


def fix_file(path: str, shown: str, policy: Any, *, unsafe: bool, diff_only: bool,
             schema: Any = None, default_version: str | None = None) -> FixOutcome:
    outcome = FixOutcome(shown)
    try:
        loaded = files.load(path)
    except files.FileError as err:
        outcome.error = str(err)
        return outcome
    if loaded.text is None:
        outcome.not_text = True
        outcome.refused = loaded.problem.message if loaded.problem is not None else "not text"
        return outcome
    text = loaded.text

    def findings(current: str) -> Any:
        return analyze(current, path, schema=schema, policy=policy, default_version=default_version).findings

    result = fix_text(text, findings, unsafe=unsafe)
    outcome.refused = result.refused
    if result.text == text:
        return outcome
    if diff_only:
        outcome.applied = result.applied
        outcome.diff = files.unified_diff(text, result.text, shown)
        return outcome
    try:
        files.write_atomic(path, loaded.encode(result.text), expected=loaded.raw)
    except files.FileError as err:
        outcome.error = str(err) if err.kind == "unwritable" else f"not fixed: {err}"
        outcome.unwritten = True
        return outcome
    outcome.applied = result.applied
    return outcome
