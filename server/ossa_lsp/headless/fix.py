"""`ossa-lsp check --fix`: apply fixes to files on disk, safely.

Only the bytes a fix names change (see core/fixes.py); the BOM and line endings are kept. Files with
syntax errors are never touched. Writes are atomic: a temporary file in the same folder, flushed and
synced, given the original's permissions, then renamed over the original — so an interrupted write
(disk full, read-only folder, a crash) leaves the original intact.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.fixes import fix_text


@dataclass
class FixOutcome:
    path: str
    applied: list[tuple[str, str, str]] = field(default_factory=list)  # (code, pointer, title)
    diff: str = ""
    error: str | None = None  # could not read or write
    refused: str | None = None  # e.g. syntax errors


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once, keeping its permissions."""
    st = path.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".ossa-lsp-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        with contextlib.suppress(OSError):  # keep the owner when we may (as root); fine to skip otherwise
            os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fix_file(path: str, shown: str, policy: Any, *, unsafe: bool, diff_only: bool,
             schema: Any = None, default_version: str | None = None) -> FixOutcome:
    outcome = FixOutcome(shown)
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        outcome.error = f"cannot read: {err.strerror or err}"
        return outcome
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        outcome.refused = "not UTF-8 text"
        return outcome

    def findings(current: str) -> Any:
        return analyze(current, path, schema=schema, policy=policy, default_version=default_version).findings

    result = fix_text(text, findings, unsafe=unsafe)
    outcome.refused = result.refused
    if result.text == text:
        return outcome
    outcome.applied = result.applied
    if diff_only:
        outcome.diff = "".join(difflib.unified_diff(
            text.splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=shown if shown.startswith("/") else f"a/{shown}",
            tofile=shown if shown.startswith("/") else f"b/{shown}"))
        return outcome
    try:
        write_atomic(p, (b"\xef\xbb\xbf" if bom else b"") + result.text.encode("utf-8"))
    except OSError as err:
        outcome.error = f"cannot write (the file is unchanged): {err.strerror or err}"
        outcome.applied = []
    return outcome
