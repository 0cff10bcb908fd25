"""Renaming an agent (prepareRename, rename): thin handlers over core/answers/rename.py.

The edit covers every file that calls the agent, open or not: open buffers are edited at the version
the edit was computed for (documentChanges with versions, when the client supports them); other files
are read through core/files.py.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.workspace import TextDocument

from ossa_lsp.lsp import indexing
from ossa_lsp.lsp.convert import from_position, range_in, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.answers.rename import Edit, Target

REQUEST_FAILED = int(types.LSPErrorCodes.RequestFailed)
NOTHING_HERE = ("Nothing to rename here: put the cursor on an agent's metadata.name, or on the host of an "
                "endpoint that calls an agent of this workspace")


async def _target(ls: OssaLanguageServer, uri: str, position: types.Position) -> tuple[TextDocument, Target] | None:
    from ossa_lsp.core.answers import rename

    await ls.index_ready()
    doc = ls.open_document(uri)
    if doc is None or not ls.is_ossa(doc) or ls.is_config(doc):
        return None
    entry = ls.analysis_now(doc)  # the index holds this buffer's current agents
    if entry is None:
        return None
    target = rename.prepare(ls.index, doc.path or doc.uri, entry.analysis.manifest.lines,
                            from_position(doc, position, ls.lines(doc)))
    return (doc, target) if target is not None else None


async def prepare_rename(ls: OssaLanguageServer, params: types.PrepareRenameParams) -> types.PrepareRenameResult | None:
    found = await _target(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    doc, target = found
    return types.PrepareRenamePlaceholder(range=to_range(doc, target.span, ls.lines(doc)),
                                          placeholder=target.placeholder)


async def rename(ls: OssaLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit:
    found = await _target(ls, params.text_document.uri, params.position)
    if found is None:
        raise JsonRpcException(message=NOTHING_HERE, code=REQUEST_FAILED)
    return await _edit(ls, found[1], params.new_name)


async def _edit(ls: OssaLanguageServer, target: Target, new: str) -> types.WorkspaceEdit:
    from ossa_lsp.core import files
    from ossa_lsp.core.answers import rename
    from ossa_lsp.core.workspace.index import norm

    agent = target.agent
    # open buffers are read here, on the loop (their version goes with the edit); files on disk in a thread.
    # Keyed as the index keys files (links resolved), so a buffer opened through a link is still found.
    opened = {norm(d.path): d for d in ls.workspace.text_documents.values() if d.path}
    texts: dict[str, str | None] = {path: d.source for path, d in opened.items()}

    def read(path: str) -> str | None:
        if path not in texts:
            try:
                texts[path] = files.load(path).text
            except files.FileError:
                texts[path] = None
        return texts[path]

    def compute() -> dict[str, list[Edit]]:
        rename.check_name(ls.index, agent, new, rename.schema_pattern(agent.api_version))
        return rename.plan(ls.index, agent, new, read)

    try:
        plan = await asyncio.to_thread(compute)
    except rename.RenameError as err:
        raise JsonRpcException(message=str(err), code=REQUEST_FAILED) from None
    encoding = str(ls.workspace.position_encoding or types.PositionEncodingKind.Utf16)
    by_uri: dict[str, tuple[int | None, list[types.TextEdit]]] = {}
    for path, edits in plan.items():
        lines = (texts.get(path) or "").split("\n")  # as core/text/spans.py counts lines
        doc = opened.get(path)
        by_uri[doc.uri if doc is not None else indexing.uri_of(path)] = (doc.version if doc is not None else None, [
            types.TextEdit(range=range_in(lines, e.span, encoding), new_text=e.new_text) for e in edits])
    return _workspace_edit(ls, by_uri)


def _workspace_edit(ls: OssaLanguageServer,
                    by_uri: dict[str, tuple[int | None, list[types.TextEdit]]]) -> types.WorkspaceEdit:
    """documentChanges with the open buffers' versions when the client takes them, else plain changes."""
    caps = ls.client_capabilities.workspace if ls.client_capabilities else None
    edit_caps = caps.workspace_edit if caps else None
    if edit_caps is not None and edit_caps.document_changes:
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=v),
                                   edits=list(edits))
            for uri, (v, edits) in by_uri.items()])
    return types.WorkspaceEdit(changes={uri: edits for uri, (_v, edits) in by_uri.items()})


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(prepare_rename)
    ls.feature(types.TEXT_DOCUMENT_RENAME)(rename)
