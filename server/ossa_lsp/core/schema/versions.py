"""Which bundled schema an `apiVersion` (and `kind`) selects. The rules, in order:

1. **Exact**: `ossa/v0.4.7` → v0.4.7 (also `ossa/v0.3` when a minor-level schema v0.3 is bundled).
2. **Kind files**: a kind with its own schema file (Skill, MCPServer, Validator) selects that file: the
   declared version's, else the newest of that minor line that has one; `ossa/v1` Skill → v1.
3. **Pinned default**: a loose form (`ossa/v0.4`, `ossa/v0.4.x`) or a patch without a schema of its own
   picks the pinned default version (editor setting `ossa.defaultVersion`, `check --default-version`)
   when it is of that minor line.
4. **Pre-releases**: `ossa/v0.3.2-alpha.1` → v0.3.2.
5. **Minor lines**: `ossa/v0.3` and `ossa/v0.3.x` → the minor-level schema if bundled, else the newest
   v0.3.*; a patch without a schema of its own (`ossa/v0.4.1`, `ossa/v0.4.8`) → the newest bundled
   patch of that minor (v0.4.7), as upstream's CLI validates every `ossa/v0.4.x` with its one v0.4 schema.
6. **The `ossa/v1` alias**: `ossa/v1` agents date from the v0.2.2 period and v0.2.2's schema accepts
   them → v0.2.2.
7. **Newer than anything bundled**: `ossa/v0.6.0`, `ossa/v1.0` agents, ... → the newest bundled version
   (never an older minor line), with a warning naming both versions.
8. Otherwise (`ossa/v0.1.8`, `ossa/vnext`): no schema, and one finding on `apiVersion` naming the
   supported versions.

Whenever the version picked is not the one declared (rules 3-7), a finding on `apiVersion` says which
schema was used; hover on `apiVersion` says it too.
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
_LOOSE = re.compile(r"^ossa/v\d+(\.\d+)?(\.x)?\Z")
_BUILD = re.compile(r"(ossa/v\d+\.\d+\.\d+)\.\d+\Z")  # `ossa/v0.4.6.0`: upstream's own examples write it

# Rule names, as hover and findings show them.
EXACT = "exact"
KIND = "kind file"
PINNED = "pinned default"
PRERELEASE = "pre-release of a bundled version"
MINOR_LEVEL = "minor-level schema"
NEWEST_OF_MINOR = "newest bundled patch of the minor line"
V1_ALIAS = "ossa/v1 alias of v0.2.2"
BUILD = "fourth version part ignored"
NEWER = "newer than every bundled version"


@dataclass(frozen=True)
class Choice:
    entry: VersionEntry
    file: str  # the schema file within the version (main or kind-specific)
    rule: str  # which rule chose it (one of the names above)
    declared: str = ""  # the apiVersion as written
    kind: str | None = None

    @property
    def own(self) -> bool:
        """Whether the declared version has a schema of its own (no stand-in was needed)."""
        return self.rule in (EXACT, KIND) and self.declared.removeprefix("ossa/") == self.entry.version

    @property
    def newer(self) -> bool:
        return self.rule == NEWER

    def explain(self) -> str:
        """One sentence on why this schema was used, for hover and findings."""
        declared, used = f"`{self.declared}`", f"ossa/{self.entry.version}"
        if self.own:
            return f"{declared} has a bundled schema of its own."
        return {
            PINNED: f"{declared} has no schema of its own; the pinned default version {used} stands for it.",
            PRERELEASE: f"{declared} is a pre-release; it is checked with the release's schema, {used}.",
            MINOR_LEVEL: f"{declared} names a minor line; it is checked with the line's own schema, {used}.",
            NEWEST_OF_MINOR: (f"{declared} names a minor line, not one version; it is checked with {used}, the "
                              "newest bundled patch of that line." if _LOOSE.search(self.declared) else
                              f"{declared} has no schema of its own; it is checked with {used}, the newest bundled "
                              "patch of its minor line (as upstream's CLI does)."),
            V1_ALIAS: f"{declared} is the alias that OSSA v0.2.2-era agents used; it is checked with {used}, whose "
                      "schema accepts it.",
            NEWER: f"{declared} is newer than every OSSA version this ossa-lsp bundles; it is checked with the "
                   f"newest one, {used}. A newer ossa-lsp may know {declared.strip('`')}.",
            KIND: f"{declared} has no {self.kind} schema of its own; it is checked with {used}'s.",
            BUILD: f"{declared} is checked with {used} (the fourth version part is ignored).",
        }.get(self.rule, f"checked with {used}.")


def note(choice: Choice) -> tuple[str, str] | None:
    """(code, message) of the finding on `apiVersion` when the declared version has no schema of its own:
    SCHEMA016 (a warning) for a version newer than everything bundled, else SCHEMA015 (a hint)."""
    if choice.own:
        return None
    return ("SCHEMA016" if choice.newer else "SCHEMA015"), choice.explain()


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

    def pick(entry: VersionEntry | None, rule: str) -> Choice | None:
        if entry is None:
            return None
        file = _file_for(entry, kind)
        return Choice(entry, file, rule, api_version, kind) if file else None

    if m is None:
        build = _BUILD.match(api_version)
        if build is not None:
            return _with_build(choose(catalog, build.group(1), kind, default), api_version, kind)
        return pick(by_version.get(wanted), EXACT)
    major, minor, patch, pre = m.groups()
    asked = _parts(wanted)
    line = asked[:2]
    loose = minor is None or patch in (None, "x")

    def same_line(e: VersionEntry) -> bool:
        return len(asked) >= 2 and _parts(e.version)[:2] == line

    # rule 2: kind files (checked first so `ossa/v0.4.7` Validator gets a Validator schema, not the main one)
    if kind:
        by_kind = _kind_file(catalog, by_version.get(wanted), asked, api_version, kind)
        if by_kind is not None:
            return by_kind

    exact = by_version.get(wanted)
    pinned = by_version.get(default or "")
    # rule 3: the pin wins over a loose form's own schema (`ossa/v0.3` with v0.3.6 pinned → v0.3.6)
    if pinned is not None and pinned.file and same_line(pinned) and pinned is not exact \
            and (loose or (exact is None and not pre)):
        hit = pick(pinned, PINNED)
        if hit is not None:
            return hit
    hit = pick(exact, EXACT)
    if hit is not None:
        return hit
    patched = [e for e in catalog if e.file and same_line(e) and len(_parts(e.version)) == 3]
    if pre and not loose:
        hit = pick(by_version.get(f"v{major}.{minor}.{patch}"), PRERELEASE)
        if hit is not None:
            return hit
    if minor is not None and patched:
        if loose:
            hit = pick(by_version.get(f"v{major}.{minor}"), MINOR_LEVEL)
            if hit is not None:
                return hit
        return pick(max(patched, key=lambda e: _parts(e.version)), NEWEST_OF_MINOR)
    if wanted == "v1":
        alias = by_version.get("v0.2.2")
        if alias is not None and alias.takes(api_version):
            return pick(alias, V1_ALIAS)
    return pick(_newest_below(catalog, asked, kind), NEWER)


def _with_build(base: Choice | None, api_version: str, kind: str | None) -> Choice | None:
    """`ossa/v0.4.6.1`: the choice for v0.4.6, told apart as BUILD when v0.4.6 had a schema of its own."""
    if base is None:
        return None
    return Choice(base.entry, base.file, BUILD if base.rule in (EXACT, KIND) else base.rule, api_version, kind)


def _kind_file(catalog: list[VersionEntry], own: VersionEntry | None, asked: tuple[int, ...],
               api_version: str, kind: str) -> Choice | None:
    """The schema a non-Agent kind has of its own: the version's, else its minor line's newest, else the
    nearest version whose number `asked` starts with."""
    if own is not None and kind in own.kind_files:
        return Choice(own, own.kind_files[kind], EXACT, api_version, kind)
    holders = [e for e in catalog if kind in e.kind_files]
    in_line = [e for e in holders if len(asked) >= 2 and _parts(e.version)[:2] == asked[:2]
               and len(_parts(e.version)) == 3]
    if in_line:
        e = max(in_line, key=lambda e: _parts(e.version))
        return Choice(e, e.kind_files[kind], KIND, api_version, kind)
    prefixed = [e for e in holders if asked[: len(_parts(e.version))] == _parts(e.version)]
    if prefixed:
        return Choice(prefixed[-1], prefixed[-1].kind_files[kind], KIND, api_version, kind)
    return None


def _newest_below(catalog: list[VersionEntry], asked: tuple[int, ...], kind: str | None) -> VersionEntry | None:
    """The newest bundled release, when `asked` is newer than all of them (preferring one that has `kind`)."""
    mains = [e for e in catalog if e.file and len(_parts(e.version)) == 3]
    if not mains or asked <= _parts(max(mains, key=lambda e: _parts(e.version)).version):
        return None
    eligible = [e for e in mains if _file_for(e, kind) and (not kind or not e.kinds or kind in e.kinds)]
    return max(eligible or mains, key=lambda e: _parts(e.version))
