"""A per-file version pin: a comment in the first lines of a YAML manifest that says which bundled schema
checks it, whatever its `apiVersion` says (docs/editor-features.md, "A per-file version pin", documents the syntax).

    # ossa-lsp: version=0.4.7                 (also v0.4.7 or ossa/v0.4.7; a loose v0.4 picks as apiVersion does)
    # yaml-language-server: $schema=<ref>     (yaml-language-server's own modeline)

Only the first `MODELINE_LINES` lines are read, a modeline is a whole comment line, and both patterns
are linear. Ours wins when both are present. A yaml-language-server `$schema` counts when it names one
of our schemas: a bundled schema's `$id` or file name (any URL ending in it, e.g. a schema-store style
copy), an upstream OSSA schema URL with a version in it, or a local file (relative to the manifest)
written by `ossa-lsp schema show`, recognised by its `$id`. Nothing is fetched from the network; a
local file is read through core/files.py (regular files only, bounded). Anything else is ignored, with
a finding that says so. The precedence: `--schema` / the `ossa.schemas` setting, then the pin, then
`apiVersion`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ossa_lsp.core.text.spans import Pos, Span

if TYPE_CHECKING:
    from ossa_lsp.core.schema.registry import SchemaRegistry

MODELINE_LINES = 10
MAX_REF = 2048
SCHEMA_FILE_LIMIT = 5_000_000  # bytes; our biggest bundled schema is ~0.2 MB
_OURS = re.compile(r"[ \t]*#[ \t]*ossa-lsp:[ \t]*version[ \t]*=[ \t]*([^\s#]+)")
_YLS = re.compile(r"[ \t]*#[ \t]*yaml-language-server:[ \t]*\$schema=([^\s#]+)")
_VERSION = re.compile(r"(?:ossa/)?v?([0-9]+(?:\.[0-9]+){0,2}(?:\.x)?(?:-[0-9A-Za-z.]+)?)\Z")
_PATH_VERSION = re.compile(r"(?:^|[/_-])v?([0-9]+\.[0-9]+(?:\.[0-9]+)?)(?=[/_.-]|$)")
_OSSA_HINT = ("ossa", "openstandardagents")


@dataclass(frozen=True, slots=True)
class Pin:
    """A modeline as written (`syntax`: "ossa-lsp" or "yaml-language-server"), where its value is, and
    what it resolved to: a bundled version (and schema file when the reference names one), or why not."""

    syntax: str
    value: str
    span: Span
    version: str | None = None
    file: str | None = None
    problem: str | None = None

    @property
    def label(self) -> str:
        return f"`# {self.syntax}: {'version=' if self.syntax == 'ossa-lsp' else '$schema='}{self.value}` " \
               f"(line {self.span.start.line + 1})"


def find(text: str, path: str | None, registry: SchemaRegistry) -> Pin | None:
    """The file's pin, resolved; None when the first lines hold no modeline (JSON files have no comments)."""
    if path is not None and str(path).lower().endswith(".json"):
        return None
    found: dict[str, Pin] = {}
    for n, line in enumerate(text.split("\n", MODELINE_LINES)[:MODELINE_LINES]):
        for syntax, pattern in (("ossa-lsp", _OURS), ("yaml-language-server", _YLS)):
            m = pattern.match(line)
            if m is not None and syntax not in found:
                span = Span(Pos(n, m.start(1)), Pos(n, m.end(1)))
                found[syntax] = Pin(syntax, m.group(1), span)
    pin = found.get("ossa-lsp") or found.get("yaml-language-server")
    if pin is None:
        return None
    return _by_version(pin, registry) if pin.syntax == "ossa-lsp" else _by_schema(pin, path, registry)


def _by_version(pin: Pin, registry: SchemaRegistry) -> Pin:
    m = _VERSION.match(pin.value)
    choice = registry.choose(f"ossa/v{m.group(1)}") if m is not None else None
    if choice is None or choice.newer:  # a pin names a version we have, never a stand-in for a newer one
        return _ignored(pin, f"no bundled OSSA version '{pin.value}'; supported: {registry.supported_text()}")
    return Pin(pin.syntax, pin.value, pin.span, choice.entry.version)


def _by_schema(pin: Pin, path: str | None, registry: SchemaRegistry) -> Pin:
    ref = pin.value
    if len(ref) > MAX_REF:
        return _ignored(pin, "the reference is too long to be a schema's URL or path")
    hit = _known(ref, registry)
    if hit is None and not _is_url(ref):
        hit = _local(ref, path, registry)
    if hit is None:
        return _ignored(pin, "it does not name one of ossa-lsp's schemas (a bundled version's URL or file, or "
                             "a file written by `ossa-lsp schema show`); schemas are never fetched")
    return Pin(pin.syntax, pin.value, pin.span, hit[0], hit[1])


def _known(ref: str, registry: SchemaRegistry) -> tuple[str, str | None] | None:
    """(version, file) for a reference to a bundled schema by file name, or an OSSA URL with a version."""
    base = ref.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    for entry in registry.catalog:
        for file in (entry.file, *entry.kind_files.values()):
            if file and base == file:
                return entry.version, file
    if not any(word in ref.lower() for word in _OSSA_HINT):
        return None
    versions = _PATH_VERSION.findall(ref)
    choice = registry.choose(f"ossa/v{versions[-1]}") if versions else None
    return (choice.entry.version, None) if choice is not None and not choice.newer else None


def _is_url(ref: str) -> bool:
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", ref) is not None and not ref.startswith("file://")


def _local(ref: str, path: str | None, registry: SchemaRegistry) -> tuple[str, str | None] | None:
    """A schema file on disk (e.g. `ossa-lsp schema show` output), recognised by its `$id`."""
    from urllib.parse import unquote, urlsplit

    from ossa_lsp.core import files

    target = unquote(urlsplit(ref).path) if ref.startswith("file://") else os.path.expanduser(ref)
    if not os.path.isabs(target) and path and os.path.isabs(path):
        target = os.path.join(os.path.dirname(path), target)
    try:
        schema = json.loads(files.read_bytes(target, SCHEMA_FILE_LIMIT))
    except (files.FileError, ValueError, RecursionError):
        return None
    sid = schema.get("$id") if isinstance(schema, dict) else None
    return _known(sid, registry) if isinstance(sid, str) else None


def _ignored(pin: Pin, why: str) -> Pin:
    return Pin(pin.syntax, pin.value, pin.span, problem=why)


__all__ = ["MODELINE_LINES", "Pin", "find"]
