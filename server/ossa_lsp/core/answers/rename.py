"""Renaming an agent: its `metadata.name` and the host of every endpoint in the workspace that calls it.

An endpoint calls an agent by host (`http://worker:8080/run`, `https://worker.team.svc.cluster.local/x`),
so only the host's first label changes: scheme, namespace, port and path stay. The files are re-parsed
from their current text (the open buffer, else the file on disk) so the edits never rely on spans the
index recorded for an older version of a file.

A new name must be a valid agent name (the schema's pattern, and a DNS label, since callers use it as a
host) and must not be another agent's name (its callers could no longer tell the two apart).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from ossa_lsp.core.text.source import Document, parse, resolve_plain
from ossa_lsp.core.text.spans import LineIndex, Pos, Span
from ossa_lsp.core.workspace.index import Agent, Endpoint, WorkspaceIndex, agents_of

MAX_NAME = 63  # a DNS label: callers put the name in a host
_LABEL = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\Z")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off"}  # still booleans to YAML 1.1 readers: quoted
_QUOTES = "\"'"


class RenameError(Exception):
    """A rename that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class Edit:
    span: Span
    new_text: str


@dataclass(frozen=True)
class Target:
    """What the cursor renames: the agent, the text to select (the name, or the host label in an
    endpoint) and that text."""
    agent: Agent
    span: Span
    placeholder: str


def _same(a: Agent, b: Agent) -> bool:
    return a.key == b.key and a.path == b.path and a.document == b.document


def _inner(lines: LineIndex, span: Span) -> tuple[Span, str] | None:
    """The span and text of a one-line scalar without its quotes."""
    if span.start.line != span.end.line:
        return None
    raw = lines.slice(span)
    if len(raw) >= 2 and raw[0] in _QUOTES and raw[-1] == raw[0]:
        return Span(Pos(span.start.line, span.start.character + 1), Pos(span.end.line, span.end.character - 1)), \
            raw[1:-1]
    return span, raw


def name_span(lines: LineIndex, agent: Agent) -> Span | None:
    """Where the name is written (inside its quotes), when the text there is the name itself."""
    inner = _inner(lines, agent.name_span)
    return inner[0] if inner is not None and inner[1] == agent.name else None


def host_span(lines: LineIndex, endpoint: Endpoint) -> Span | None:
    """Where the host's first label is written in an endpoint, quoted, plain or a block scalar (None when
    escapes hide it)."""
    label = endpoint.host.split(".", 1)[0]
    raw = lines.slice(endpoint.span)
    scheme_end = raw.find("://")
    if scheme_end < 0 or not label:
        return None
    start = scheme_end + 3
    rest = raw[start:start + 300]  # userinfo and host are short; never scan a whole block
    at, slash = rest.find("@"), rest.find("/")
    if at >= 0 and (slash < 0 or at < slash):  # user:password@host
        start += at + 1
    if raw[start:start + len(label)].lower() != label:
        return None
    first = lines.offset(endpoint.span.start) + start
    return Span(lines.pos(first), lines.pos(first + len(label)))


def prepare(index: WorkspaceIndex, path: str, lines: LineIndex, pos: Pos) -> Target | None:
    """The rename target at a position: an agent's name, or an endpoint host that resolves to an agent."""
    for agent in index.agents_in(path):
        span = name_span(lines, agent)
        if span is not None and span.contains(pos):
            return Target(agent, span, agent.name)
        for ep in agent.endpoints:
            if not ep.span.contains(pos):
                continue
            target = index.resolve(ep)
            host = host_span(lines, ep)
            if target is None or host is None or not host.contains(pos):
                return None  # only the host names the agent: not the scheme, port or path
            return Target(target, host, lines.slice(host))
    return None


def check_name(index: WorkspaceIndex, agent: Agent, new: str, pattern: str | None = None) -> None:
    """Raise RenameError when `new` is not a name `agent` can take."""
    if not new or len(new) > MAX_NAME or not _LABEL.match(new):
        raise RenameError(f"'{new[:80]}' is not a valid agent name: use lowercase letters, digits and '-', "
                          f"starting and ending with a letter or digit, at most {MAX_NAME} characters "
                          "(callers use the name as a host)")
    if pattern:
        try:
            ok = re.search(pattern, new) is not None
        except re.error:
            ok = True  # a pattern Python cannot read is the schema's problem, not this rename's
        if not ok:
            raise RenameError(f"'{new}' does not match the schema's pattern for metadata.name: {pattern}")
    for other in index.named(new):
        if not _same(other, agent):
            raise RenameError(f"An agent called '{other.name}' already exists "
                              f"({PurePath(other.path).name}, line {other.name_span.start.line + 1}): "
                              "pick another name")


def plan(index: WorkspaceIndex, agent: Agent, new: str,
         read: Callable[[str], str | None]) -> dict[str, list[Edit]]:
    """The edits per file that rename `agent` to `new` (checked with `check_name` first)."""
    if new == agent.name:
        return {}
    paths = {agent.path} | {c.caller.path for c in index.callers_of(agent)}
    out: dict[str, list[Edit]] = {}
    for path in sorted(paths):
        text = read(path)
        if text is None:
            raise RenameError(f"Cannot read {PurePath(path).name}, which calls or defines '{agent.name}': "
                              "nothing was renamed")
        manifest = parse(text, path)
        edits = [e for doc in manifest.documents for e in _doc_edits(index, agent, new, doc, path, manifest.lines)]
        if edits:
            out[path] = edits
    return out


def _doc_edits(index: WorkspaceIndex, agent: Agent, new: str, doc: Document, path: str,
               lines: LineIndex) -> list[Edit]:
    edits: list[Edit] = []
    for fresh in agents_of(doc, path):
        if path == agent.path and fresh.document == agent.document and fresh.key == agent.key:
            edit = _name_edit(doc, lines, fresh, new)
            if edit is not None:
                edits.append(edit)
        for ep in fresh.endpoints:
            callee = index.resolve(ep)
            if callee is None or not _same(callee, agent):
                continue
            host = host_span(lines, ep)
            if host is None:  # a partial rename would leave this caller dangling: refuse the whole rename
                raise RenameError(f"The endpoint at {PurePath(path).name}, line {ep.span.start.line + 1} calls "
                                  f"'{agent.name}' but is written in a way that cannot be edited safely (escapes in "
                                  "the URL): change it by hand first; nothing was renamed")
            edits.append(Edit(host, new))
    return edits


def _name_edit(doc: Document, lines: LineIndex, agent: Agent, new: str) -> Edit | None:
    _key, node, _depth = doc.locate(["metadata", "name"])
    span = name_span(lines, agent)
    if node is None or span is None:
        return None
    if node.style is None and (not isinstance(resolve_plain(new), str) or new in _YAML11_WORDS):
        return Edit(span, f'"{new}"')  # a plain 123 or true would stop being a string
    return Edit(span, new)


def schema_pattern(api_version: str | None) -> str | None:
    """The pattern the bundled schema of an agent's version gives `metadata.name` (None when it has none)."""
    from ossa_lsp.core.schema.navigate import facts
    from ossa_lsp.core.schema.registry import REGISTRY, SchemaError

    choice = REGISTRY.choose(api_version, "Agent") if api_version else None
    if choice is None:
        return None
    try:
        nav = REGISTRY.get_file(choice.entry.version, choice.file).nav("Agent")
    except SchemaError:
        return None
    return facts(nav, nav.at(["metadata", "name"])).pattern
