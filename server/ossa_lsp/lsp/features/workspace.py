"""Multi-agent workspaces in the editor: the index of every agent (built in the background with
progress, kept current from open documents and file events), navigation between manifests
(definition, references, workspace symbols, document links), and the agent graph command.

When the agents of the workspace change, the other open manifests are re-checked so their
cross-file findings (duplicate names, dangling endpoints, cycles, ...) follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.core.constants import CONFIG_NAMES
from ossa_lsp.lsp.convert import from_position, lines_of, to_range
from ossa_lsp.lsp.server import NO_REFRESH, OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.workspace.index import Agent, Endpoint

log = logging.getLogger("ossa_lsp")
SHOW_GRAPH = "ossa-lsp.agentGraph"  # ossa.* ids belong to the VS Code extension's own commands
REFRESH_DELAY_S = 0.1
INDEX_BATCH = 50


# --- keeping the index and the diagnostics current ---------------------------------------------------

def schedule_refresh(ls: OssaLanguageServer, changed_uri: str | None) -> None:
    """Re-check the other open manifests soon (debounced: an edit storm causes one refresh)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # called from a worker thread: hop onto the server's loop
        server_loop = ls.main_loop
        if server_loop is not None:
            server_loop.call_soon_threadsafe(schedule_refresh, ls, changed_uri)
        return
    # Coalesced requests: only a uri that every one of them skipped stays skipped.
    if ls.refresh_skip == NO_REFRESH:
        ls.refresh_skip = changed_uri
    elif ls.refresh_skip != changed_uri:
        ls.refresh_skip = None
    if ls.refresh_task is None or ls.refresh_task.done():
        ls.refresh_task = loop.create_task(_refresh(ls))
    # else: the running task makes another pass (a request that arrives while it is already publishing,
    # e.g. from an analysis the refresh itself started, is not lost)


async def _refresh(ls: OssaLanguageServer) -> None:
    while ls.refresh_skip != NO_REFRESH:
        await asyncio.sleep(REFRESH_DELAY_S)
        changed_uri = ls.refresh_skip
        ls.refresh_skip = NO_REFRESH
        await _refresh_once(ls, changed_uri)


async def _refresh_once(ls: OssaLanguageServer, changed_uri: str | None) -> None:
    from ossa_lsp.lsp.features.diagnostics import publish

    if ls.pull:
        try:
            ls.workspace_diagnostic_refresh(None)
        except Exception as err:
            log.debug("diagnostic refresh not sent: %s", err)
        return
    for uri in list(ls.workspace.text_documents):
        if uri == changed_uri:
            continue
        doc = ls.open_document(uri)
        if doc is None or not ls.is_ossa(doc) or ls.is_config(doc):
            continue
        entry = ls.cache.get(doc.uri)
        if entry is None and (uri in ls.pending or uri in ls.inflight):
            continue  # its analysis is on the way and will publish with the current workspace
        if entry is not None and entry.version == doc.version:
            before = _cross(entry)
            ls.fresh(entry, doc)  # recomputes only the cross-file findings
            if _cross(entry) == before:
                continue  # nothing this document shows has changed: don't re-send it
        await publish(ls, doc)
        await asyncio.sleep(0)  # let requests in between documents


def _cross(entry: object) -> list[tuple[str, object, str]]:
    from ossa_lsp.core.rules import RULES

    findings = getattr(getattr(entry, "analysis", None), "findings", [])
    return [(f.code, f.span, f.message) for f in findings if f.code in RULES and RULES[f.code].workspace]


def closed(ls: OssaLanguageServer, uri: str) -> None:
    """A closed buffer may have had unsaved edits: the file on disk is what counts again.

    Re-reading it is deferred and done in a thread: closing a 5,000-line manifest used to parse the file
    on the event loop (~50 ms) before the next message (typically the next didOpen) was even read."""
    path = to_fs_path(uri)
    if not path:
        return
    ls.closed_paths.add(path)
    task = ls.closed_task
    if task is None or task.done():
        ls.closed_task = asyncio.get_running_loop().create_task(_sync_closed(ls))


async def _sync_closed(ls: OssaLanguageServer) -> None:
    await asyncio.sleep(REFRESH_DELAY_S)  # let the requests that follow a close (next open, ...) go first
    changed = False
    while ls.closed_paths:
        path = ls.closed_paths.pop()
        if ls.open_document(_uri(path)) is not None:
            continue  # reopened meanwhile: the buffer is what counts
        changed = await asyncio.to_thread(ls.index.update_file, path) or changed
    if changed:
        schedule_refresh(ls, None)


async def build_index(ls: OssaLanguageServer) -> int:
    """Index every manifest under the workspace folders, off the event loop, reporting progress."""
    from ossa_lsp.core.discover import walk
    from ossa_lsp.lsp.features.commands import Progress

    folders = [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path]
    roots = [Path(f) for f in folders if f and Path(f).is_dir()]
    if not roots:
        return 0
    files = await asyncio.to_thread(lambda: [str(p) for r in roots for p in walk(r)])
    open_paths = {d.path for d in ls.workspace.text_documents.values() if d.path}
    todo = [f for f in files if f not in open_paths]
    progress = None
    if len(todo) > 200:  # progress is a request to the client: only once the session is fully up
        await ls.settings_ready.wait()
        progress = await Progress.start(ls, None, "Indexing OSSA agents")
    changed = False
    def index_batch(batch: list[str]) -> bool:
        results = [ls.index.update_file(p) for p in batch]  # every file, not only up to the first change
        return any(results)

    for start in range(0, len(todo), INDEX_BATCH):
        batch = todo[start:start + INDEX_BATCH]
        changed = await asyncio.to_thread(index_batch, batch) or changed
        if progress is not None:
            progress.report(start + len(batch), len(todo), f"{start + len(batch)}/{len(todo)} files")
    if progress is not None:
        progress.end(f"{len(ls.index.agents())} agents in {len(todo)} files")
    if changed:
        schedule_refresh(ls, None)
    return len(todo)


# --- navigation ------------------------------------------------------------------------------------

async def index_ready(ls: OssaLanguageServer, timeout: float = 3.0) -> None:
    """Navigation right after start-up waits (briefly) for the first index build."""
    task = ls.index_task
    if task is not None and not task.done():
        with contextlib.suppress(asyncio.TimeoutError, Exception):
            await asyncio.wait_for(asyncio.shield(task), timeout)


def _uri(path: str) -> str:
    return from_fs_path(path) or path


def _location(ls: OssaLanguageServer, path: str, span: object) -> types.Location:
    uri = _uri(path)
    doc = ls.open_document(uri) or ls.workspace.get_text_document(uri)
    return types.Location(uri=uri, range=to_range(doc, span))  # type: ignore[arg-type]


def _here(ls: OssaLanguageServer, doc: TextDocument, position: types.Position) -> tuple[Agent | None, Endpoint | None]:
    """The agent whose name, or the endpoint, is under the cursor."""
    ls.analysis_now(doc)  # make sure the index has this buffer's current agents
    pos = from_position(doc, position)
    for agent in ls.index.agents_in(doc.path or doc.uri):
        if agent.name_span.contains(pos):
            return agent, None
        for ep in agent.endpoints:
            if ep.span.contains(pos):
                return agent, ep
    return None, None


def endpoint_hover(ls: OssaLanguageServer, doc: TextDocument, position: types.Position) -> str | None:
    """Markdown about the agent an endpoint calls: its role, model and limits."""
    lines = lines_of(doc)
    if position.line >= len(lines) or "endpoint" not in lines[position.line]:
        return None  # cheap pre-check: hover is on the hot path
    _, ep = _here(ls, doc, position)
    if ep is None:
        return None
    target = ls.index.resolve(ep)
    if target is None:
        if ep.internal:
            return f"**No agent called `{ep.host.split('.')[0]}`** is defined in this workspace."
        return None
    lines = [f"**Calls agent `{target.name}`**" + (f" (namespace `{target.namespace}`)" if target.namespace else "")]
    if target.role:
        role = target.role if len(target.role) <= 300 else target.role[:299] + "…"
        lines.append(role)
    facts = []
    if target.model:
        facts.append(f"- Model: `{target.provider + '/' if target.provider else ''}{target.model}`")
    if target.max_cost_per_day is not None:
        facts.append(f"- Cost cap: {target.max_cost_per_day:g} {target.currency or 'USD'} per day")
    if target.timeout_seconds is not None:
        facts.append(f"- Timeout: {target.timeout_seconds:g} s")
    facts.append(f"- Defined in `{Path(target.path).name}`")
    lines.append("\n".join(facts))
    return "\n\n".join(lines)


def register(ls: OssaLanguageServer) -> None:
    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: OssaLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        from ossa_lsp.core.discover import DATA_SUFFIXES

        changed = False
        config_changed = False
        for change in params.changes:
            path = to_fs_path(change.uri)
            if not path:
                continue
            name = Path(path).name
            if name in CONFIG_NAMES:
                config_changed = True
                continue
            if not name.lower().endswith(DATA_SUFFIXES) or ls.open_document(change.uri) is not None:
                continue  # open buffers are indexed from their text
            if change.type == types.FileChangeType.Deleted:
                changed = ls.index.remove(path) or changed
            else:
                changed = (await asyncio.to_thread(ls.index.update_file, path)) or changed
        if config_changed:
            from ossa_lsp.lsp.features.lifecycle import reanalyse_all

            await reanalyse_all(ls)
        elif changed:
            schedule_refresh(ls, None)

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: OssaLanguageServer, params: types.DefinitionParams) -> list[types.Location] | None:
        await index_ready(ls)
        doc = ls.open_document(params.text_document.uri)
        if doc is None or not ls.is_ossa(doc):
            return None
        _, ep = _here(ls, doc, params.position)
        target = ls.index.resolve(ep) if ep is not None else None
        if target is None:
            return None
        return [_location(ls, target.path, target.name_span)]

    @ls.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: OssaLanguageServer, params: types.ReferenceParams) -> list[types.Location] | None:
        await index_ready(ls)
        doc = ls.open_document(params.text_document.uri)
        if doc is None or not ls.is_ossa(doc):
            return None
        agent, ep = _here(ls, doc, params.position)
        if ep is not None:
            agent = ls.index.resolve(ep)
        if agent is None:
            return None
        out = [_location(ls, c.caller.path, c.endpoint.span) for c in ls.index.calls()
               if c.callee is not None and c.callee.key == agent.key and c.callee.path == agent.path]
        if params.context.include_declaration:
            out.insert(0, _location(ls, agent.path, agent.name_span))
        return out

    @ls.feature(types.WORKSPACE_SYMBOL)
    async def symbols(ls: OssaLanguageServer, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        await index_ready(ls)
        out = []
        for agent in ls.index.search(params.query, limit=500):
            detail = " · ".join(x for x in (agent.namespace, agent.model) if x)
            out.append(types.SymbolInformation(name=agent.name, kind=types.SymbolKind.Class,
                                               location=_location(ls, agent.path, agent.name_span),
                                               container_name=detail or None))
        return out

    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    async def links(ls: OssaLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | None:
        await index_ready(ls)
        doc = ls.open_document(params.text_document.uri)
        if doc is None or not ls.is_ossa(doc) or ls.is_config(doc):
            return None
        ls.analysis_now(doc)
        out = []
        lines = lines_of(doc)
        for agent in ls.index.agents_in(doc.path or doc.uri):
            for ep in agent.endpoints:
                target = ls.index.resolve(ep)
                if target is None:
                    continue
                line = target.name_span.start.line + 1
                out.append(types.DocumentLink(range=to_range(doc, ep.span, lines),
                                              target=f"{_uri(target.path)}#L{line}",
                                              tooltip=f"Open agent {target.name}"))
        return out

    @ls.command(SHOW_GRAPH)
    def show_graph(ls: OssaLanguageServer, *args: object) -> dict[str, str]:
        from ossa_lsp.output.graph import dot, mermaid

        fmt = "dot" if args and isinstance(args[0], dict) and args[0].get("format") == "dot" else "mermaid"
        text = dot(ls.index) if fmt == "dot" else mermaid(ls.index)
        return {"format": fmt, "text": text}
