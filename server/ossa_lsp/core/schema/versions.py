"""Which bundled schema an `apiVersion` (and `kind`) selects. The rules, in order:

1. **Exact**: `ossa/v0.3.6` → v0.3.6 (also `ossa/v0.3` when a minor-level schema v0.3 is bundled).
2. **Kind files**: a kind that a version defines in its own file (Skill, MCPServer) selects that file;
   `ossa/v1` with kind Skill or MCPServer → v1.
3. **Pre-releases**: `ossa/v0.3.2-alpha.1` → v0.3.2.
4. **Minor lines**: `ossa/v0.3` and `ossa/v0.3.x` → the minor-level schema if bundled, else the newest
   v0.3.*; an unknown patch `ossa/v0.4.1` → the nearest lower patch of that minor, else the nearest
   higher one (v0.4.5).
5. **Pinned default**: a loose form (rule 4, or `ossa/v1` agents) picks the pinned default version
   (editor setting `ossa.defaultVersion`, `check --default-version`) when it is of that line.
6. **Acceptance patterns**: otherwise the first schema whose own `apiVersion` pattern accepts the value
   (`ossa/v1` agents → v0.2.2, whose schema accepts `ossa/v1`).
7. Otherwise: no schema, and one finding on `apiVersion` naming the supported versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class VersionEntry:
    """One bundled version, as `schemas/catalog.json` lists it."""

    version: str  # "v0.2.2"
    file: str | None  # the main schema (None when the version only defines kind files, e.g. v1)
    kinds: tuple[str, ...]
    accepts: str  # the apiVersion pattern this schema takes (its own apiVersion pattern)
    status: str = "released"
    kind_files: dict[str, str] = field(default_factory=dict)  # kind → its own schema file

    def takes(self, api_version: str) -> bool:
        return _pattern(self.accepts).match(api_version) is not None


@cache
def _pattern(source: str) -> re.Pattern[str]:
    # Compiled on first use: most runs only ever need the exact-version rule, and compiling all 24 patterns
    # up front cost ~7 ms of every `check` run.
    return re.compile(source or r"(?!)")


_SHAPE = re.compile(r"ossa/v(\d+)(?:\.(\d+))?(?:\.(\d+|x))?(?:-([0-9A-Za-z.-]+))?\Z")


@dataclass(frozen=True)
class Choice:
    entry: VersionEntry
    file: str  # the schema file within the version (main or kind-specific)
    rule: str  # which rule chose it, for hover ("exact", "prerelease", "minor line", ...)


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def _file_for(entry: VersionEntry, kind: str | None) -> str | None:
    if kind and kind in entry.kind_files:
        return entry.kind_files[kind]
    return entry.file


def choose(catalog: list[VersionEntry], api_version: str, kind: str | None,
           default: str | None = None) -> Choice | None:
    by_version = {e.version: e for e in catalog}
    wanted = api_version.removeprefix("ossa/")
    m = _SHAPE.match(api_version)
    major, minor, patch, pre = m.groups() if m else (None, None, None, None)
    asked = _parts(wanted) if m else ()
    loose = m is not None and (minor is None or patch in (None, "x"))

    def pick(entry: VersionEntry | None, rule: str) -> Choice | None:
        if entry is None:
            return None
        file = _file_for(entry, kind)
        return Choice(entry, file, rule) if file else None

    def in_line(e: VersionEntry) -> bool:
        return _parts(e.version)[: len(asked)] == asked

    pinned = by_version.get(default or "")
    if pinned is not None and loose and in_line(pinned):
        hit = pick(pinned, "pinned default")
        if hit is not None:
            return hit
    hit = pick(by_version.get(wanted), "exact")
    if hit is not None:
        return hit
    if m is None:
        return None
    if kind:  # rule 2: a kind with its own file in a version whose number prefixes the one asked for
        for e in reversed(catalog):
            if kind in e.kind_files and asked[: len(_parts(e.version))] == _parts(e.version):
                return Choice(e, e.kind_files[kind], "kind")
    if pre and patch not in (None, "x"):
        hit = pick(by_version.get(f"v{major}.{minor}.{patch}"), "prerelease")
        if hit is not None:
            return hit
    if minor is not None:
        line = [e for e in catalog if _parts(e.version)[:2] == asked[:2] and e.file]
        patched = [e for e in line if len(_parts(e.version)) == 3]
        if patch in (None, "x"):
            hit = pick(by_version.get(f"v{major}.{minor}"), "minor-level schema")
            if hit is not None:
                return hit
            if patched:
                return pick(max(patched, key=lambda e: _parts(e.version)), "newest of the minor line")
        else:
            lower = [e for e in patched if _parts(e.version)[2] <= int(patch)]
            if lower:
                return pick(max(lower, key=lambda e: _parts(e.version)), "nearest lower patch")
            if patched:
                return pick(min(patched, key=lambda e: _parts(e.version)), "nearest higher patch")
    if pinned is not None and pinned.file and pinned.takes(api_version):
        return pick(pinned, "pinned default")
    for e in catalog:
        if e.file and e.takes(api_version):
            return pick(e, "accepted by the schema's own apiVersion pattern")
    return None
