"""Bookkeeping for the findings of manifests that are not open in the editor (workspace diagnostics).

A closed file is re-checked only when something it depends on changed: its bytes on disk (size,
modification time, inode), the workspace's agents (cross-file rules: the index's mesh generation) or
the settings. `ClosedFiles` remembers, per path, the key its findings were computed with, and which
paths were reported, so a file that disappeared is cleared exactly once. Reading goes through
core/files.py (regular files only, bounded).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any

from ossa_lsp.core import files
from ossa_lsp.core.findings import Finding


@dataclass(frozen=True, slots=True)
class Stamp:
    size: int
    mtime_ns: int
    inode: int


def stamp_of(path: str) -> Stamp | None:
    """The file's stamp, or None when it is gone or not a regular file (nothing to check)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Stamp(st.st_size, st.st_mtime_ns, st.st_ino)


def read(path: str) -> tuple[str | None, list[Finding]]:
    """The file's text, or None and the finding that says why it is not analysed (too large, binary)."""
    try:
        loaded = files.load(path)
    except files.FileError:
        return None, []
    if loaded.text is None:
        return None, [loaded.problem] if loaded.problem is not None else []
    return loaded.text, []


@dataclass
class ClosedFiles:
    """What was computed for each closed file, and with which key (stamp, generation, settings)."""

    keys: dict[str, tuple[Stamp, Any]] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    paths: list[str] | None = None  # the workspace's manifests, from the bounded walk (None: walk again)
    pushing: bool = False  # a push of closed files is checking them now
    again: bool = False  # something changed while it was: push once more when it ends

    def current(self, path: str, stamp: Stamp, context: Any) -> bool:
        """Whether the findings kept for `path` still hold."""
        return self.keys.get(path) == (stamp, context)

    def remember(self, path: str, stamp: Stamp, context: Any) -> None:
        self.keys[path] = (stamp, context)
        self.reported.add(path)

    def forget(self, path: str) -> None:
        self.keys.pop(path, None)
        self.reported.discard(path)

    def gone(self, seen: set[str]) -> list[str]:
        """Paths reported before and not seen now (deleted, excluded, or opened meanwhile)."""
        out = sorted(self.reported - seen)
        for path in out:
            self.forget(path)
        return out


__all__ = ["ClosedFiles", "Stamp", "read", "stamp_of"]
