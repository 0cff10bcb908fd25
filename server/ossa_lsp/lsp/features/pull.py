"""Problems in manifests that are not open: `workspace/diagnostic` (pull) and, for clients that do not
pull, a push of the same diagnostics.

One model per document, so nothing is reported twice:
- an open document is reported by `textDocument/diagnostic` (pull clients) or pushed (the others),
  exactly as before; `workspace/diagnostic` leaves it out;
- a closed manifest is reported by `workspace/diagnostic` once the client has asked for it (then
  nothing is pushed to that client for closed files, including by "validate workspace"); to a client
  that does not pull, it is pushed (source `workspace` of the one store) after the first index build
  and when files change.
Each closed file gets a result id; a file whose bytes, the workspace's agents and the settings are
unchanged comes back as `unchanged`. A file that disappeared gets one empty report. The files are the
bounded walk of the workspace folders (the index's limits), read through core/files.py; large
workspaces stream partial results (`partialResultToken`) and report work-done progress.
`ossa.workspaceDiagnostics: false` turns all of this off.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.core.workspace.closed import ClosedFiles, read, stamp_of
from ossa_lsp.lsp.convert import diagnostic
from ossa_lsp.lsp.progress import Progress
from ossa_lsp.lsp.publish import WORKSPACE, push
from ossa_lsp.lsp.server import OssaLanguageServer

BATCH = 25  # files per worker-thread hop, and per partial result
BACKGROUND_PAUSE_S = 0.05  # between two closed files checked for the push fallback (see check_closed)
PUSH_QUIET_S = 0.5  # the push fallback starts this long after the last change
PROGRESS_FROM = 200  # files; fewer are checked without a progress bar
Report = types.WorkspaceFullDocumentDiagnosticReport | types.WorkspaceUnchangedDocumentDiagnosticReport


def state(ls: OssaLanguageServer) -> ClosedFiles:
    if ls.closed_files is None:
        ls.closed_files = ClosedFiles()
    return ls.closed_files


async def workspace_files(ls: OssaLanguageServer) -> list[str]:
    """The workspace's manifests: the bounded walk of the folders (the editor's limits, `ossa.extraFiles`,
    the configs' excludes), done once; file events that add or remove files make it walk again."""
    from ossa_lsp.lsp.runtime.folders import walk_folders

    st = state(ls)
    if st.paths is None:
        uris = [f.uri for f in ls.workspace.folders.values()] or \
            ([ls.workspace.root_uri] if ls.workspace.root_uri else [])
        roots = [Path(p) for p in (to_fs_path(u) for u in uris) if p and Path(p).is_dir()]
        found = await walk_folders(ls, roots, include=tuple(ls.settings.extra_files))
        st.paths = await asyncio.to_thread(_kept, ls, found)
    return list(st.paths)


def _kept(ls: OssaLanguageServer, found: list[Path]) -> list[str]:
    """Unique, and not excluded by the governing .ossa-lsp.yaml (as `ossa-lsp check` does)."""
    from ossa_lsp.core.config import load as config

    s = ls.settings
    args = config.Args(profile=s.profile, select=tuple(s.select), ignore=tuple(s.ignore))
    out = []
    for path in dict.fromkeys(p.resolve() for p in found):
        try:
            if config.excluded(path, args):
                continue
        except Exception:  # a config that cannot be read excludes nothing (check reports it)
            pass
        out.append(str(path))
    return out


def _check(ls: OssaLanguageServer, path: str, context: Any) -> tuple[str, list[types.Diagnostic]] | None:
    """(uri, diagnostics) of one closed file when they have to be computed again; None when the kept ones
    still hold or the file is gone (runs in a worker thread)."""
    st = state(ls)
    stamp = stamp_of(path)
    uri = from_fs_path(path) or Path(path).as_uri()
    if stamp is None or (st.current(path, stamp, context) and ls.diagnostics.get(WORKSPACE, uri) is not None):
        return None
    text, problems = read(path)
    snapshot = TextDocument(uri, source=text or "", position_codec=ls.workspace.position_codec)
    findings = problems
    if text is not None:
        findings = ls.analyse(uri, None, text, path, ls.schema_override(snapshot)).analysis.findings
    lines = snapshot.lines
    diags = [diagnostic(snapshot, f, lines) for f in findings if f.suppressed is None]
    st.remember(path, stamp, context)
    return uri, diags


def _check_batch(ls: OssaLanguageServer, batch: list[str], context: Any) -> list[Any]:
    return [_check(ls, p, context) for p in batch]


def _context(ls: OssaLanguageServer) -> tuple[int, int]:
    return (ls.index.mesh_generation, id(ls.settings))


async def check_closed(ls: OssaLanguageServer, progress: Progress | None = None,
                       background: bool = False) -> list[tuple[str, bool]]:
    """Re-check every closed manifest that needs it; (uri, recomputed) for each closed one, in order.
    `background` (the push fallback, which nobody waits for): one file at a time with a pause between, so
    the analysis thread does not hold the interpreter while the user's hovers and edits wait for it."""
    paths = [p for p in await workspace_files(ls) if ls.open_document(from_fs_path(p) or "") is None]
    out: list[tuple[str, bool]] = []
    size = 1 if background else BATCH
    for start in range(0, len(paths), size):
        if background and start:
            await asyncio.sleep(BACKGROUND_PAUSE_S)
        batch = paths[start:start + size]
        context = _context(ls)
        results = await asyncio.to_thread(_check_batch, ls, batch, context)
        for path, result in zip(batch, results, strict=True):
            uri = from_fs_path(path) or Path(path).as_uri()
            if result is not None:
                ls.diagnostics.put(WORKSPACE, uri, result[1], compare=True)
            if stamp_of(path) is not None:
                out.append((uri, result is not None))
        if progress is not None:
            progress.report(start + len(batch), len(paths), f"{start + len(batch)}/{len(paths)} files")
    return out


def _gone(ls: OssaLanguageServer, seen: set[str]) -> list[str]:
    """Uris reported before that are no longer closed manifests: open now (just forgotten) or gone."""
    out = []
    for path in state(ls).gone({to_fs_path(u) or u for u in seen}):
        uri = from_fs_path(path) or Path(path).as_uri()
        ls.diagnostics.drop(WORKSPACE, uri)
        if ls.open_document(uri) is None:
            out.append(uri)
    return out


async def workspace_diagnostic(ls: OssaLanguageServer,
                               params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
    ls.workspace_pull = True  # from now on closed files are pulled, never pushed
    await ls.settings_read()
    if not ls.settings.enable or not ls.settings.workspace_diagnostics:
        return types.WorkspaceDiagnosticReport(items=[])
    await ls.index_ready()
    previous = {p.uri: p.value for p in params.previous_result_ids}
    token = params.partial_result_token
    progress = await Progress.start(ls, params.work_done_token, "Checking OSSA manifests") \
        if params.work_done_token is not None or len(await workspace_files(ls)) > PROGRESS_FROM else None
    checked: list[tuple[str, bool]] = []
    try:
        checked = await check_closed(ls, progress)
    finally:
        if progress is not None:
            progress.end(f"{len(checked)} files")
    items: list[Report] = [_report(ls, uri, previous.get(uri)) for uri, _ in checked]
    items += [types.WorkspaceFullDocumentDiagnosticReport(uri=u, items=[], version=None)
              for u in _gone(ls, {u for u, _ in checked})]
    if token is None:
        return types.WorkspaceDiagnosticReport(items=items)
    for start in range(0, len(items), BATCH):  # streamed: the final answer is then empty (LSP spec)
        ls.progress(types.ProgressParams(token=token, value=types.WorkspaceDiagnosticReportPartialResult(
            items=items[start:start + BATCH])))
    return types.WorkspaceDiagnosticReport(items=[])


def _report(ls: OssaLanguageServer, uri: str, previous: str | None) -> Report:
    held = ls.diagnostics.get(WORKSPACE, uri)
    diags, result_id = held if held is not None else ([], None)
    if result_id is not None and result_id == previous:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=None)
    return types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=diags, result_id=result_id, version=None)


# --- keeping it current, and the push fallback -----------------------------------------------------


def pushes_closed(ls: OssaLanguageServer) -> bool:
    """Whether closed files are pushed to this client: it does not pull (or never asked for the workspace)."""
    return not ls.pull and ls.settings.enable and ls.settings.workspace_diagnostics


async def push_closed(ls: OssaLanguageServer, quiet: float = 0.0) -> None:
    """The push fallback: send what changed for the closed manifests, and clear the ones gone; `quiet`
    seconds after the last change, since edits come in bursts and each would re-check every closed file."""
    if quiet:
        await asyncio.sleep(quiet)
    st = state(ls)
    st.pushing = True
    try:
        await ls.settings_read()
        await ls.index_ready()
        if not pushes_closed(ls):
            return
        async with ls.validating:  # never interleaved with "validate workspace"
            checked = await check_closed(ls, background=True)
            for uri, recomputed in checked:
                if recomputed:
                    push(ls, uri)
            for uri in _gone(ls, {u for u, _ in checked}):
                push(ls, uri)
    finally:
        st.pushing = False
    if st.again:
        st.again = False
        refresh(ls)


def refresh(ls: OssaLanguageServer) -> None:
    """Ask a pulling client to pull again (when it can be asked), or push what changed."""
    if ls.workspace_pull:
        caps = ls.client_capabilities.workspace if ls.client_capabilities else None
        if caps is not None and caps.diagnostics is not None and caps.diagnostics.refresh_support:
            with contextlib.suppress(Exception):
                ls.workspace_diagnostic_refresh(None)
    elif pushes_closed(ls):
        task, st = ls.closed_push_task, state(ls)
        if task is not None and not task.done():
            if st.pushing:  # checking now: once more when it ends, with what changed meanwhile
                st.again = True
                return
            task.cancel()  # still waiting for quiet: wait again from now
        ls.closed_push_task = asyncio.get_running_loop().create_task(push_closed(ls, PUSH_QUIET_S))


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
    ls.closed_changed = lambda: refresh(ls)


__all__ = ["check_closed", "push_closed", "refresh", "register", "workspace_diagnostic"]
