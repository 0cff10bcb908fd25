"""Diagnostics the server sends on its own: debounced per document, never for a version that is no
longer current, pushed only to clients that do not pull, and re-sent to the other open manifests
when the workspace's agents change (the refresher).

Everything computed goes through the one store (`ls.diagnostics`); `push` decides what a client
that receives pushes must see for a uri.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.core.findings import Finding
from ossa_lsp.lsp.convert import diagnostic
from ossa_lsp.lsp.server import NO_REFRESH, DiagnosticsStore, OssaLanguageServer

log = logging.getLogger("ossa_lsp")
REFRESH_DELAY_S = 0.1  # an edit storm in one manifest causes one re-check of the others
ANALYSIS, WORKSPACE = DiagnosticsStore.ANALYSIS, DiagnosticsStore.WORKSPACE


def diagnostics_for(ls: OssaLanguageServer, doc: TextDocument, findings: list[Finding]) -> list[types.Diagnostic]:
    lines = ls.lines(doc)
    return [diagnostic(doc, f, lines) for f in findings if f.suppressed is None]


def push(ls: OssaLanguageServer, uri: str, version: int | None = None, always: bool = False) -> None:
    """Send what the store holds for `uri` to the client's pushed diagnostics: when there is something,
    when something shown there must be cleared, or `always`."""
    store = ls.diagnostics
    items = [] if ls.workspace_pull else store.to_push(uri, ls.pull)  # that client pulls closed files too
    if not (always or items or uri in store.pushed):
        return
    if items:
        store.pushed.add(uri)
    else:
        store.pushed.discard(uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=items))


async def publish(ls: OssaLanguageServer, doc: TextDocument) -> None:
    """Analyse the document (if needed) and push its diagnostics, unless an edit or a close came first."""
    version = doc.version
    entry = await ls.analysis_async(doc)
    current = ls.open_document(doc.uri)
    if current is None or current.version != version:
        return  # a newer edit (or a close) superseded this analysis
    if entry is None:  # not ours (any more): clear what it showed
        ls.diagnostics.drop(ANALYSIS, doc.uri)
        push(ls, doc.uri)
        return
    ls.diagnostics.put(ANALYSIS, doc.uri, diagnostics_for(ls, doc, entry.analysis.findings))
    push(ls, doc.uri, version, always=not ls.pull)


def schedule(ls: OssaLanguageServer, uri: str, delay_ms: int) -> None:
    """Publish `uri` after `delay_ms` (a later call for the same uri replaces this one)."""
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


def refresh_views(ls: OssaLanguageServer, inlay_hints: bool = False) -> None:
    """Ask the client to re-request code lenses (they count other files' calls) and, after a settings or
    config change, inlay hints (which kinds are on, the model table), when it supports the refresh."""
    caps = ls.client_capabilities.workspace if ls.client_capabilities else None
    lens = caps.code_lens if caps else None
    hints = caps.inlay_hint if caps else None
    try:
        if lens is not None and lens.refresh_support:
            ls.workspace_code_lens_refresh(None)
        if inlay_hints and hints is not None and hints.refresh_support:
            ls.workspace_inlay_hint_refresh(None)
    except Exception as err:  # refresh is optional for clients
        log.debug("view refresh not sent: %s", err)


async def reanalyse_all(ls: OssaLanguageServer) -> None:
    """Settings or a config file changed: every open document may have other findings now."""
    ls.cache.clear()
    refresh_views(ls, inlay_hints=True)
    if ls.pull:
        with contextlib.suppress(Exception):  # refresh is optional for clients
            ls.workspace_diagnostic_refresh(None)
        return
    for uri in list(ls.workspace.text_documents):
        doc = ls.open_document(uri)
        if doc is not None:
            await publish(ls, doc)
    if ls.closed_changed is not None:
        ls.closed_changed()  # closed manifests: pushed again where they changed


async def refresher(ls: OssaLanguageServer) -> None:
    """Runs for the server's lifetime: after each `ls.request_refresh`, re-check the other open manifests.
    Requests that arrive while a pass is running make one more pass (they are never lost)."""
    while True:
        await ls.refresh_wanted.wait()
        await asyncio.sleep(REFRESH_DELAY_S)
        ls.refresh_wanted.clear()
        changed_uri, ls.refresh_skip = ls.refresh_skip, NO_REFRESH
        try:
            await _refresh_once(ls, changed_uri)
        except Exception:  # one failed pass must not end the refresher
            log.exception("cross-file refresh failed")


async def _refresh_once(ls: OssaLanguageServer, changed_uri: str | None) -> None:
    from ossa_lsp.core.workspace.recheck import cross_file_view

    refresh_views(ls)
    if ls.pull:
        try:
            ls.workspace_diagnostic_refresh(None)
        except Exception as err:
            log.debug("diagnostic refresh not sent: %s", err)
        return
    if ls.closed_changed is not None:
        ls.closed_changed()  # closed manifests' cross-file findings may have changed too
    for uri in list(ls.workspace.text_documents):
        doc = ls.open_document(uri)
        if uri == changed_uri or doc is None or not ls.is_ossa(doc) or ls.is_config(doc):
            continue
        entry = ls.cache.get(doc.uri)
        if entry is None and (uri in ls.pending or uri in ls.inflight):
            continue  # its analysis is on the way and will publish with the current workspace
        if entry is not None and entry.version == doc.version:
            before = cross_file_view(entry.analysis)
            ls.fresh(entry, doc)  # recomputes only the cross-file findings
            if cross_file_view(entry.analysis) == before:
                continue  # nothing this document shows has changed: don't re-send it
        await publish(ls, doc)
        await asyncio.sleep(0)  # let requests in between documents
