"""Which files are OSSA manifests, and the one directory walk that finds them (CLI and editor alike).

A manifest is `*.ossa.yaml|yml|json`, or YAML/JSON whose top-level apiVersion starts with `ossa/`.

The walk runs on folders we did not write (a pull request from a stranger, whatever folder an editor
opens, even `/`), so it promises:
- every real folder is entered once (tracked by device and inode), and symlinked folders are not
  followed at all, like git, ripgrep and ruff: a link to an ancestor cannot loop and a link to `/`
  cannot take the walk outside the tree;
- a symlinked file is taken only when it leads to a regular file inside the tree being walked (so a
  link cannot make the tool read, and echo, a file elsewhere on the machine);
- only regular files are opened, never FIFOs, sockets or devices, and without blocking (O_NONBLOCK,
  then fstat); they are skipped silently;
- a folder that cannot be read is skipped with a note, and the walk goes on;
- it stops, with a note saying why, after `Limits.max_dirs` folders, `Limits.max_files` other entries
  or `Limits.seconds`;
- `.gitignore` files (read bounded) and `--exclude` patterns go through `core.wildmatch`, which is
  linear-time.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from ossa_lsp.core.constants import CONFIG_NAMES
from ossa_lsp.core.files import read_head
from ossa_lsp.core.wildmatch import Glob, PathPattern, compiled

OSSA_SUFFIXES = (".ossa.yaml", ".ossa.yml", ".ossa.json")
DATA_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".tox", ".nox"}
_YAML_API_LINE = re.compile(r"^apiVersion[ \t]*:[ \t]*[\"']?ossa/", re.MULTILINE)
_JSON_API = re.compile(r"\"apiVersion\"\s*:\s*\"ossa/")
SNIFF_BYTES = 65_536
JSON_SNIFF_MAX = 8 * 1024 * 1024  # a JSON file is parsed whole to find its top-level apiVersion, up to this
GITIGNORE_MAX_BYTES = 256 * 1024  # real ones are a few KB; the rest of a bigger file is not read
GITIGNORE_MAX_RULES = 5_000  # every entry is tested against every rule: a huge .gitignore must not stall


@dataclass(frozen=True, slots=True)
class Limits:
    """When a walk stops early. `max_files` counts every entry that is not a folder, manifest or not."""

    max_files: int = 1_000_000
    max_dirs: int = 100_000
    seconds: float | None = None

    def from_env(self) -> Limits:
        """These limits, with what the environment sets: OSSA_LSP_MAX_FILES, OSSA_LSP_MAX_FOLDERS (whole
        numbers) and OSSA_LSP_WALK_SECONDS (`none` or 0: no time limit). Unusable values are ignored."""
        def count(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            return int(raw) if raw.isdigit() else default

        seconds = self.seconds
        raw = os.environ.get("OSSA_LSP_WALK_SECONDS", "").strip().lower()
        if raw in ("none", "0"):
            seconds = None
        else:
            with contextlib.suppress(ValueError):
                value = float(raw)
                seconds = value if math.isfinite(value) and value > 0 else seconds
        return Limits(count("OSSA_LSP_MAX_FILES", self.max_files), count("OSSA_LSP_MAX_FOLDERS", self.max_dirs),
                      seconds)


CLI_LIMITS = Limits()  # the CLI runs in CI jobs that have their own timeout
EDITOR_LIMITS = Limits(max_files=200_000, max_dirs=20_000, seconds=30.0)  # an editor opened on any folder


@dataclass(frozen=True, slots=True)
class WalkNote:
    path: Path
    message: str


def is_ossa_name(name: str) -> bool:
    return name.lower().endswith(OSSA_SUFFIXES)


def is_editor_document(path: str, language_id: str | None, text: str, extra_globs: Sequence[str] = ()) -> bool:
    """Whether the editor analyses an open document: OSSA manifests by name or content, our config file, and
    files matching the user's `extraFiles` globs (the language server and its start-up lane ask the same)."""
    name = PurePosixPath(path).name
    if is_ossa_name(name) or name in CONFIG_NAMES:
        return True
    if any(fnmatchcase(path, g) or fnmatchcase(name, g) or PurePosixPath(path).match(g) for g in extra_globs):
        return True
    if name.lower().endswith(DATA_SUFFIXES) or language_id in ("yaml", "json", "jsonc"):
        return looks_like_ossa(text, name)
    return False


def looks_like_ossa(text: str, name: str = "") -> bool:
    """True when the text declares a top-level `apiVersion: ossa/...` (YAML) or `"apiVersion": "ossa/..."` (JSON)."""
    head = text[:SNIFF_BYTES]
    if name.lower().endswith(".json") or head.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:  # broken (or cut short) JSON: trust a declaration near the top
            return bool(_JSON_API.search(head[:2048]))
        api = data.get("apiVersion") if isinstance(data, dict) else None
        return isinstance(api, str) and api.startswith("ossa/")
    return bool(_YAML_API_LINE.search(head))


def sniff_file(path: Path) -> bool:
    head = read_head(path, SNIFF_BYTES)  # regular files only, opened without blocking
    if head is None or b"\x00" in head:
        return False
    if path.name.lower().endswith(".json") and len(head) == SNIFF_BYTES:
        head = read_head(path, JSON_SNIFF_MAX) or b""
    return looks_like_ossa(head.decode("utf-8", "replace"), path.name)


class _Ignore:
    """The rules of one `.gitignore`, matched against paths relative to its folder."""

    def __init__(self, base: str, lines: list[str]) -> None:
        self.base = base.rstrip("/") + "/"
        rules = (PathPattern.parse(line) for line in lines)
        self.rules = [r for r in rules if r is not None][:GITIGNORE_MAX_RULES]

    def verdict(self, path: str, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a `!` line, None: no rule says anything."""
        if not path.startswith(self.base):
            return None
        rel = path[len(self.base):]
        for rule in reversed(self.rules):  # the last matching line decides
            if rule.matches(rel, is_dir):
                return not rule.negate
        return None


def _load_ignore(directory: str) -> _Ignore | None:
    data = read_head(os.path.join(directory, ".gitignore"), GITIGNORE_MAX_BYTES)
    if not data:
        return None
    return _Ignore(directory, data.decode("utf-8", "replace").splitlines())


def _ignored(path: str, is_dir: bool, stack: list[_Ignore]) -> bool:
    for ign in reversed(stack):  # deeper files override shallower ones
        v = ign.verdict(path, is_dir)
        if v is not None:
            return v
    return False


def _parent_ignores(start: Path) -> list[_Ignore]:
    """`.gitignore` files of the folders above `start`, up to the repository root."""
    out: list[_Ignore] = []
    for parent in [start, *start.parents]:
        ign = _load_ignore(str(parent))
        if ign is not None:
            out.append(ign)
        if os.path.lexists(parent / ".git"):
            break
    return list(reversed(out))


class Walk:
    """Iterating yields the manifests under `root` in a stable order (names sorted, depth first);
    afterwards `notes` holds the folders that could not be read and `stopped` why the walk ended
    early (None when it saw everything). `include` globs (relative to root, `*` within one name, `**`
    across folders) add data files by path, without looking inside them."""

    def __init__(self, root: Path | str, exclude: tuple[str, ...] = (), limits: Limits | None = None,
                 include: tuple[str, ...] = ()) -> None:
        self.root = Path(root).resolve()
        self.limits = limits = limits if limits is not None else CLI_LIMITS.from_env()
        self.exclude = [p for p in (compiled(e.strip(), negation=False) for e in exclude) if p is not None]
        self.include = [Glob(g.strip().lstrip("/")) for g in include if g.strip().lstrip("/")]
        self.notes: list[WalkNote] = []
        self.stopped: str | None = None
        self.dirs = 0
        self.files = 0
        self._inside = str(self.root).rstrip("/") + "/"
        self._seen: set[tuple[int, int]] = set()
        self._deadline = None if limits.seconds is None else time.monotonic() + limits.seconds

    def __iter__(self) -> Iterator[Path]:
        self.notes, self.stopped, self.dirs, self.files = [], None, 0, 0
        self._seen = set()
        root = str(self.root)
        try:
            st = os.stat(root)
        except OSError as err:
            self.notes.append(WalkNote(self.root, f"cannot read folder: {err.strerror or err}"))
            return
        if not stat.S_ISDIR(st.st_mode) or not self._enter((st.st_dev, st.st_ino)):
            return
        base = _parent_ignores(self.root.parent) if self.root.parent != self.root else []
        stack = [frame for frame in [self._open(root, "", base)] if frame is not None]
        while stack:
            rel, ignores, entries = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            if self._over_budget():
                return
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir:
                self.files += 1
                if self._wanted(entry, child, ignores):
                    yield Path(entry.path)
                continue
            identity = self._enterable(entry, child, ignores)
            if identity is not None:
                if not self._enter(identity):
                    return
                frame = self._open(entry.path, child, ignores)
                if frame is not None:
                    stack.append(frame)

    def _open(self, folder: str, rel: str, ignores: list[_Ignore]
              ) -> tuple[str, list[_Ignore], Iterator[os.DirEntry[str]]] | None:
        """The folder's entries sorted by name (at most what the limits still allow), with its ignores."""
        cap = self.limits.max_files + self.limits.max_dirs
        entries: list[os.DirEntry[str]] = []
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    entries.append(entry)
                    if len(entries) > cap:
                        break
        except OSError as err:
            self.notes.append(WalkNote(Path(folder), f"cannot read folder: {err.strerror or err}"))
            return None
        entries.sort(key=lambda e: e.name)
        own = _load_ignore(folder)
        return rel, ([*ignores, own] if own is not None else ignores), iter(entries)

    def _enterable(self, entry: os.DirEntry[str], rel: str, ignores: list[_Ignore]) -> tuple[int, int] | None:
        """The identity of a (real, not linked) folder to enter, or None to skip it."""
        if entry.name in SKIP_DIRS:
            return None
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            return None
        identity = (st.st_dev, st.st_ino)
        if identity in self._seen or _ignored(entry.path, True, ignores):
            return None
        return None if any(p.matches(rel, True) for p in self.exclude) else identity

    def _wanted(self, entry: os.DirEntry[str], rel: str, ignores: list[_Ignore]) -> bool:
        name = entry.name
        if not name.lower().endswith(DATA_SUFFIXES) or not self._regular(entry):
            return False
        if _ignored(entry.path, False, ignores) or any(p.matches(rel, False) for p in self.exclude):
            return False
        return is_ossa_name(name) or any(g.match(rel) for g in self.include) or sniff_file(Path(entry.path))

    def _regular(self, entry: os.DirEntry[str]) -> bool:
        """A regular file; through a symlink only when the real file lies inside the walked tree."""
        try:
            if entry.is_file(follow_symlinks=False):
                return True
            if not entry.is_symlink() or not stat.S_ISREG(os.stat(entry.path).st_mode):
                return False
        except OSError:  # dangling link, link loop, vanished file
            return False
        return os.path.realpath(entry.path).startswith(self._inside)

    def _enter(self, identity: tuple[int, int]) -> bool:
        self._seen.add(identity)
        self.dirs += 1
        if self.dirs > self.limits.max_dirs:
            self.stopped = f"stopped after {self.limits.max_dirs:,} folders (the limit); the rest was not checked"
            return False
        return True

    def _over_budget(self) -> bool:
        if self.files >= self.limits.max_files:
            self.stopped = f"stopped after {self.limits.max_files:,} files (the limit); the rest was not checked"
            return True
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.stopped = f"stopped after {self.limits.seconds:g} s (the time limit); the rest was not checked"
            return True
        return False


def walk(root: Path | str, exclude: tuple[str, ...] = (), limits: Limits | None = None) -> Iterator[Path]:
    """Manifests under `root`, in a stable order (see `Walk` for the notes and the limits)."""
    return iter(Walk(root, exclude, limits))
