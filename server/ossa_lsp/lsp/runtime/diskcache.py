"""A few small JSON values kept between runs of the server, in the user's cache dir.

The server's start-up cost is mostly Python building the protocol framework (lsprotocol's ~570 attrs
classes, ~0.5 s). What the first seconds need from it is known in advance and the same on every start
of the same build: the `initialize` answer for a given client. Kept here, the start-up lane
(`boot.py`) answers from it while the framework loads in the background.

Safety: a cache is only ever a shortcut. Every value is stamped with the build that wrote it (our version,
Python's, the framework's files), and a value from another build is never used; a cache that cannot be
read (missing, corrupt, too big, not a regular file, no permission) reads as empty, and one that cannot be
written (read-only home, full disk) is simply not written. Writes go to a temporary file in the same
folder, renamed over the old one, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

MAX_BYTES = 1_000_000  # a cache file bigger than this is not ours (or is corrupt): ignored
MAX_ENTRIES = 32  # per cache file; the oldest go first
APP = "ossa-lsp"


def default_dir() -> Path | None:
    """`$OSSA_LSP_CACHE_DIR`, else `$XDG_CACHE_HOME/ossa-lsp`, else `~/.cache/ossa-lsp`; None when
    `OSSA_LSP_CACHE_DIR` is empty (caching switched off)."""
    own = os.environ.get("OSSA_LSP_CACHE_DIR")
    if own is not None:
        return Path(own) if own else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP
    try:
        return Path.home() / ".cache" / APP
    except (RuntimeError, KeyError):  # no home directory
        return None


def build_stamp(files: list[str]) -> str:
    """Who may read a value: this build of ossa-lsp on this Python, with these framework files. Files are
    identified by size and modification time (no reading), so an upgrade or an edit changes the stamp."""
    from ossa_lsp import __version__

    h = hashlib.sha256(f"{__version__}|{sys.version}|{sys.executable}".encode())
    for name in files:
        try:
            st = os.stat(name)
            h.update(f"|{name}:{st.st_size}:{st.st_mtime_ns}".encode())
        except OSError:
            h.update(f"|{name}:missing".encode())
    return h.hexdigest()[:32]


def key_of(value: Any) -> str:
    """A stable key for a JSON value (e.g. the client's capabilities)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:32]


class DiskCache:
    """One JSON file of `key → value`, valid only for the build `stamp`."""

    def __init__(self, name: str, stamp: str, directory: Path | None = None) -> None:
        folder = directory if directory is not None else default_dir()
        self.path = folder / f"{name}.json" if folder is not None else None
        self.stamp = stamp
        self._entries: dict[str, Any] | None = None

    def get(self, key: str) -> Any | None:
        return self._load().get(key)

    def put(self, key: str, value: Any) -> bool:
        """Keep `value` (True when it reached the disk)."""
        entries = self._load()
        entries.pop(key, None)
        entries[key] = value
        while len(entries) > MAX_ENTRIES:
            del entries[next(iter(entries))]
        return self._write({"stamp": self.stamp, "entries": entries})

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return {}
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
                return {}
            data = os.read(fd, MAX_BYTES + 1)
        except OSError:
            return {}
        finally:
            os.close(fd)
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return {}
        if not isinstance(doc, dict) or doc.get("stamp") != self.stamp or not isinstance(doc.get("entries"), dict):
            return {}  # another build wrote it (or someone else did): never trusted
        return dict(doc["entries"])

    def _write(self, doc: dict[str, Any]) -> bool:
        if self.path is None:
            return False
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(doc, out, separators=(",", ":"))
            os.replace(tmp, self.path)
            return True
        except (OSError, TypeError, ValueError):
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return False


__all__ = ["DiskCache", "build_stamp", "default_dir", "key_of"]
