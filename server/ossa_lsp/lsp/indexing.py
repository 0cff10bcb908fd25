"""Keeping the workspace index current: the first build (off the event loop, with progress), closed
buffers (the file on disk counts again) and file events from the client's watcher. Whenever the
agents change, the other open manifests are re-checked (`ls.request_refresh`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ossa_lsp.core.constants import CONFIG_NAMES
from ossa_lsp.core.words import plural
from ossa_lsp.lsp.progress import Progress
from ossa_lsp.lsp.server import OssaLanguageServer

CLOSED_DELAY_S = 0.1  # let the requests that follow a close (the next didOpen, ...) go first
INDEX_BATCH = 50  # files per worker-thread hop
PROGRESS_FROM = 200  # files; smaller workspaces are indexed without a progress bar


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


async def build_index(ls: OssaLanguageServer) -> int:
    """Index every manifest under the workspace folders, off the event loop, reporting progress."""
    from ossa_lsp.lsp.runtime.folders import walk_folders

    folders = [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path]
    roots = [Path(f) for f in folders if f and Path(f).is_dir()]
    if not roots:
        return 0

    async def start_progress() -> Progress:
        await ls.settings_ready.wait()  # progress is a request to the client: only once the session is up
        return await Progress.start(ls, None, "Looking for OSSA manifests")

    # bounded (files, folders, time), with progress if slow and a message if it stops early
    files = [str(p) for p in await walk_folders(ls, roots, start_progress=start_progress)]
    open_paths = {d.path for d in ls.workspace.text_documents.values() if d.path}
    todo = [f for f in files if f not in open_paths]
    progress = None
    if len(todo) > PROGRESS_FROM:  # progress is a request to the client: only once the session is fully up
        await ls.settings_ready.wait()
        progress = await Progress.start(ls, None, "Indexing OSSA agents")

    def index_batch(batch: list[str]) -> bool:
        results = [ls.index.update_file(p) for p in batch]  # every file, not only up to the first change
        return any(results)

    changed = False
    for start in range(0, len(todo), INDEX_BATCH):
        batch = todo[start:start + INDEX_BATCH]
        changed = await asyncio.to_thread(index_batch, batch) or changed
        if progress is not None:
            progress.report(start + len(batch), len(todo), f"{start + len(batch)} of {plural(len(todo), 'file')}")
    if progress is not None:
        progress.end(f"{plural(len(ls.index.agents()), 'agent')} in {plural(len(todo), 'file')}")
    if changed:
        ls.request_refresh(None)
    return len(todo)


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
    await asyncio.sleep(CLOSED_DELAY_S)
    changed = False
    while ls.closed_paths:
        path = ls.closed_paths.pop()
        if ls.open_document(uri_of(path)) is not None:
            continue  # reopened meanwhile: the buffer is what counts
        changed = await asyncio.to_thread(ls.index.update_file, path) or changed
    if changed:
        ls.request_refresh(None)


async def files_changed(ls: OssaLanguageServer, changes: Sequence[types.FileEvent]) -> bool:
    """Apply file events to the index; True when a config file changed (every policy may differ)."""
    from ossa_lsp.core.discover import DATA_SUFFIXES

    changed = config_changed = False
    for change in changes:
        path = to_fs_path(change.uri)
        if not path:
            continue
        name = Path(path).name
        if name in CONFIG_NAMES:
            config_changed = True
        elif not name.lower().endswith(DATA_SUFFIXES) or ls.open_document(change.uri) is not None:
            continue  # open buffers are indexed from their text
        elif change.type == types.FileChangeType.Deleted:
            changed = ls.index.remove(path) or changed
        else:
            changed = (await asyncio.to_thread(ls.index.update_file, path)) or changed
    if changed and not config_changed:
        ls.request_refresh(None)
    return config_changed
