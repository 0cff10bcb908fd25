"""Document sync and diagnostics: immediate on open, debounced on change, never stale, pull or push."""

from __future__ import annotations

from lsprotocol import types

from ossa_lsp.lsp import indexing
from ossa_lsp.lsp.publish import ANALYSIS, WORKSPACE, diagnostics_for, push, reanalyse_all, schedule
from ossa_lsp.lsp.server import OssaLanguageServer

# inter-file: cross-file (MESH) findings of one manifest change when another does; workspace diagnostics are
# announced by pygls when features/pull.py registers `workspace/diagnostic`.
PULL_OPTIONS = types.DiagnosticOptions(identifier="ossa", inter_file_dependencies=True, workspace_diagnostics=False)


def did_open(ls: OssaLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.cache.pop(uri, None)
    if ls.diagnostics.drop(WORKSPACE, uri) and ls.pull:  # pushed by "validate workspace": the client pulls now
        push(ls, uri)
    if not ls.pull:
        schedule(ls, uri, 0)


def did_change(ls: OssaLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    if not ls.pull and ls.open_document(params.text_document.uri) is not None:
        schedule(ls, params.text_document.uri, ls.settings.debounce_ms)


async def did_save(ls: OssaLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    doc = ls.open_document(params.text_document.uri)
    if doc is not None and ls.is_config(doc):  # the policy of every manifest may have changed
        await reanalyse_all(ls)


def did_close(ls: OssaLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.forget(uri)
    ls.diagnostics.drop(ANALYSIS, uri)
    push(ls, uri)  # clears what the client was pushed for it
    indexing.closed(ls, uri)
    if ls.closed_changed is not None:
        ls.closed_changed()  # the file on disk counts again: reported with the closed manifests


async def pull(ls: OssaLanguageServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    uri = params.text_document.uri
    doc = ls.open_document(uri)
    entry = await ls.analysis_async(doc) if doc is not None else None
    if doc is None or entry is None:
        ls.diagnostics.drop(ANALYSIS, uri)
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    items = diagnostics_for(ls, doc, entry.analysis.findings)
    result_id = ls.diagnostics.put(ANALYSIS, uri, items, compare=True)
    if params.previous_result_id == result_id:  # cross-file findings change without a new version
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    ls.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, PULL_OPTIONS)(pull)
