"""Which files are OSSA manifests: `*.ossa.yaml|yml|json`, or YAML/JSON whose top-level apiVersion
starts with `ossa/`. Directory walks skip VCS/tool folders and whatever `.gitignore` files ignore.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

OSSA_SUFFIXES = (".ossa.yaml", ".ossa.yml", ".ossa.json")
DATA_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".tox", ".nox"}
_YAML_API_LINE = re.compile(r"^apiVersion[ \t]*:[ \t]*[\"']?ossa/", re.MULTILINE)
_JSON_API = re.compile(r"\"apiVersion\"\s*:\s*\"ossa/")
SNIFF_BYTES = 65_536


def is_ossa_name(name: str) -> bool:
    return name.lower().endswith(OSSA_SUFFIXES)


def looks_like_ossa(text: str, name: str = "") -> bool:
    """True when the text declares a top-level `apiVersion: ossa/...` (YAML) or `"apiVersion": "ossa/..."` (JSON)."""
    head = text[:SNIFF_BYTES]
    if name.lower().endswith(".json") or head.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:  # broken JSON: trust a declaration near the top
            return bool(_JSON_API.search(head[:2048]))
        api = data.get("apiVersion") if isinstance(data, dict) else None
        return isinstance(api, str) and api.startswith("ossa/")
    return bool(_YAML_API_LINE.search(head))


def sniff_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    if b"\x00" in head:
        return False
    if path.name.lower().endswith(".json") and len(head) == SNIFF_BYTES:
        try:
            head = path.read_bytes()
        except OSError:
            return False
    return looks_like_ossa(head.decode("utf-8", "replace"), path.name)


class _Ignore:
    """A minimal .gitignore matcher: globs, `**`, anchored `/x`, directory-only `x/`, negation `!x`."""

    def __init__(self, base: Path, lines: list[str]) -> None:
        self.base = base
        self.rules: list[tuple[bool, bool, bool, str]] = []  # (negate, dir_only, anchored, pattern)
        for raw in lines:
            line = raw.rstrip("\n").rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.strip("/") if dir_only else line
            anchored = line.startswith("/") or "/" in line
            self.rules.append((negate, dir_only, anchored, line.lstrip("/")))

    def match(self, path: Path, is_dir: bool) -> bool | None:
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        verdict: bool | None = None
        for negate, dir_only, anchored, pat in self.rules:
            if dir_only and not is_dir:
                continue
            if _glob(rel if anchored else path.name, pat):
                verdict = not negate
        return verdict


def _glob(text: str, pattern: str) -> bool:
    if "**" in pattern:
        regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.fullmatch(regex, text) is not None
    return fnmatchcase(text, pattern)


def _load_ignore(directory: Path) -> _Ignore | None:
    f = directory / ".gitignore"
    if not f.is_file():
        return None
    try:
        return _Ignore(directory, f.read_text("utf-8", "replace").splitlines())
    except OSError:
        return None


def _ignored(path: Path, is_dir: bool, stack: list[_Ignore]) -> bool:
    verdict = False
    for ign in stack:
        v = ign.match(path, is_dir)
        if v is not None:
            verdict = v
    return verdict


def _parent_ignores(start: Path) -> list[_Ignore]:
    """`.gitignore` files of the folders above `start`, up to the repository root."""
    out: list[_Ignore] = []
    for parent in [start, *start.parents]:
        ign = _load_ignore(parent)
        if ign is not None:
            out.append(ign)
        if (parent / ".git").exists():
            break
    return list(reversed(out))


def walk(root: Path, exclude: tuple[str, ...] = ()) -> Iterator[Path]:
    """Manifests under `root`, in a stable order."""
    root = root.resolve()
    base_stack = _parent_ignores(root.parent) if root.parent != root else []

    def rec(directory: Path, stack: list[_Ignore]) -> Iterator[Path]:
        own = _load_ignore(directory)
        if own is not None:
            stack = [*stack, own]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            p = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or _ignored(p, True, stack) or _excluded(p, root, exclude):
                    continue
                yield from rec(p, stack)
            elif entry.name.lower().endswith(DATA_SUFFIXES):
                if _ignored(p, False, stack) or _excluded(p, root, exclude):
                    continue
                if is_ossa_name(entry.name) or sniff_file(p):
                    yield p

    yield from rec(root, base_stack)


def _excluded(path: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    if not exclude:
        return False
    rel = path.relative_to(root).as_posix()
    return any(_glob(rel, pat) or fnmatchcase(path.name, pat) for pat in exclude)
