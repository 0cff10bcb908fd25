"""Document sync and diagnostics: immediate on open, debounced on change, never stale, pull or push."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.core.findings import Finding
from ossa_lsp.lsp.convert import diagnostic
from ossa_lsp.lsp.server import OssaLanguageServer


def diagnostics_for(ls: OssaLanguageServer, doc: TextDocument, findings: list[Finding]) -> list[types.Diagnostic]:
    lines = ls.lines(doc)
    return [diagnostic(doc, f, lines) for f in findings if f.suppressed is None]


async def publish(ls: OssaLanguageServer, doc: TextDocument) -> None:
    version = doc.version
    entry = await ls.analysis_async(doc)
    current = ls.open_document(doc.uri)
    if current is None or current.version != version:
        return  # a newer edit (or a close) superseded this analysis
    if entry is None:
        if doc.uri in ls.published:
            ls.published.discard(doc.uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[]))
        return
    ls.published.add(doc.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=doc.uri, version=version, diagnostics=diagnostics_for(ls, doc, entry.analysis.findings)))


def schedule(ls: OssaLanguageServer, uri: str, delay_ms: int) -> None:
    old = ls.pending.pop(uri, None)
    if old is not None:
        old.cancel()

    async def later() -> None:
        try:
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            doc = ls.open_document(uri)
            if doc is not None:
                await publish(ls, doc)
        except asyncio.CancelledError:
            pass
        finally:
            if ls.pending.get(uri) is task:
                ls.pending.pop(uri, None)

    task = asyncio.get_running_loop().create_task(later())
    ls.pending[uri] = task


def register(ls: OssaLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: OssaLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.cache.pop(uri, None)
        if not ls.pull:
            schedule(ls, uri, 0)
        elif uri in ls.published:  # pushed by "validate workspace" while closed: the client pulls now
            ls.published.discard(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: OssaLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        if not ls.pull and ls.open_document(params.text_document.uri) is not None:
            schedule(ls, params.text_document.uri, ls.settings.debounce_ms)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: OssaLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.open_document(params.text_document.uri)
        if doc is not None and ls.is_config(doc):  # the policy of every manifest may have changed
            from ossa_lsp.lsp.features.lifecycle import reanalyse_all

            await reanalyse_all(ls)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: OssaLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget(uri)
        if not ls.pull and uri in ls.published:
            ls.published.discard(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        from ossa_lsp.lsp.features.workspace import closed

        closed(ls, uri)

    @ls.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="ossa", inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def pull(ls: OssaLanguageServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        doc = ls.open_document(params.text_document.uri)
        if doc is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        entry = await ls.analysis_async(doc)
        if entry is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        result_id = f"{doc.version}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=diagnostics_for(ls, doc, entry.analysis.findings), result_id=result_id)
