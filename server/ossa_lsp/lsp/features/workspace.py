"""Multi-agent workspaces in the editor: navigation between manifests (definition, references,
workspace symbols, document links), file events, and the agent graph command.

The index itself is kept current by lsp/indexing.py; when its agents change, the other open
manifests are re-checked so their cross-file findings follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.lsp import indexing
from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.publish import reanalyse_all
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.text.spans import Span
    from ossa_lsp.core.workspace.index import Agent, Endpoint

SHOW_GRAPH = "ossa-lsp.agentGraph"  # ossa.* ids belong to the VS Code extension's own commands
MAX_SYMBOLS = 500


def _location(ls: OssaLanguageServer, path: str, span: Span) -> types.Location:
    uri = indexing.uri_of(path)
    doc = ls.open_document(uri) or ls.workspace.get_text_document(uri)
    return types.Location(uri=uri, range=to_range(doc, span, ls.lines(doc)))


def _here(ls: OssaLanguageServer, doc: TextDocument, position: types.Position) -> tuple[Agent | None, Endpoint | None]:
    """The agent whose name, or the endpoint, is under the cursor."""
    from ossa_lsp.core.answers import agents

    ls.analysis_now(doc)  # make sure the index has this buffer's current agents
    return agents.at(ls.index, doc.path or doc.uri, from_position(doc, position, ls.lines(doc)))


async def _ours(ls: OssaLanguageServer, uri: str) -> TextDocument | None:
    await ls.index_ready()
    doc = ls.open_document(uri)
    return doc if doc is not None and ls.is_ossa(doc) else None


async def watched(ls: OssaLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    if await indexing.files_changed(ls, params.changes):
        await reanalyse_all(ls)
    if ls.closed_changed is not None:  # closed manifests' problems (features/pull.py)
        if ls.closed_files is not None and any(c.type != types.FileChangeType.Changed for c in params.changes):
            ls.closed_files.paths = None  # a file came or went: walk again
        ls.closed_changed()


async def definition(ls: OssaLanguageServer, params: types.DefinitionParams) -> list[types.Location] | None:
    doc = await _ours(ls, params.text_document.uri)
    _, ep = _here(ls, doc, params.position) if doc is not None else (None, None)
    target = ls.index.resolve(ep) if ep is not None else None
    return [_location(ls, target.path, target.name_span)] if target is not None else None


async def references(ls: OssaLanguageServer, params: types.ReferenceParams) -> list[types.Location] | None:
    doc = await _ours(ls, params.text_document.uri)
    agent, ep = _here(ls, doc, params.position) if doc is not None else (None, None)
    if ep is not None:
        agent = ls.index.resolve(ep)
    if agent is None:
        return None
    out = [_location(ls, c.caller.path, c.endpoint.span) for c in ls.index.calls()
           if c.callee is not None and c.callee.key == agent.key and c.callee.path == agent.path]
    if params.context.include_declaration:
        out.insert(0, _location(ls, agent.path, agent.name_span))
    return out


async def symbols(ls: OssaLanguageServer, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
    await ls.index_ready()
    out = []
    for agent in ls.index.search(params.query, limit=MAX_SYMBOLS):
        detail = " · ".join(x for x in (agent.namespace, agent.model) if x)
        out.append(types.SymbolInformation(name=agent.name, kind=types.SymbolKind.Class,
                                           location=_location(ls, agent.path, agent.name_span),
                                           container_name=detail or None))
    return out


async def links(ls: OssaLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | None:
    doc = await _ours(ls, params.text_document.uri)
    if doc is None or ls.is_config(doc):
        return None
    ls.analysis_now(doc)
    out = []
    lines = ls.lines(doc)
    for agent in ls.index.agents_in(doc.path or doc.uri):
        for ep in agent.endpoints:
            target = ls.index.resolve(ep)
            if target is not None:
                out.append(types.DocumentLink(range=to_range(doc, ep.span, lines),
                                              target=f"{indexing.uri_of(target.path)}#L{target.name_span.start.line + 1}",
                                              tooltip=f"Open agent {target.name}"))
    return out


async def show_graph(ls: OssaLanguageServer, *args: object) -> dict[str, str]:
    from ossa_lsp.output.graph import dot, mermaid

    await ls.index_ready()  # right after start-up: the files on disk, and the open buffers' current agents
    for uri in list(ls.workspace.text_documents):
        doc = ls.open_document(uri)
        if doc is not None and ls.is_ossa(doc) and not ls.is_config(doc):
            ls.analysis_now(doc)

    fmt = "dot" if args and isinstance(args[0], dict) and args[0].get("format") == "dot" else "mermaid"
    return {"format": fmt, "text": dot(ls.index) if fmt == "dot" else mermaid(ls.index)}


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(watched)
    ls.feature(types.TEXT_DOCUMENT_DEFINITION)(definition)
    ls.feature(types.TEXT_DOCUMENT_REFERENCES)(references)
    ls.feature(types.WORKSPACE_SYMBOL)(symbols)
    ls.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)(links)
    ls.command(SHOW_GRAPH)(show_graph)
