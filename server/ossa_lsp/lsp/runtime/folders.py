"""Walking the workspace folders for the editor: the walk of `ossa-lsp check` (core.discover) with the
editor's limits (files, folders, time), work-done progress while it runs, and a message when it stops
early or meets folders it cannot read.

The walk runs on a daemon thread, not `asyncio.to_thread`: at exit the interpreter (and asyncio.run)
wait for executor threads, so a walk still busy in a huge tree (a workspace opened at `/`) would hold
up `shutdown` and `exit` until it finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types

from ossa_lsp.core.discover import EDITOR_LIMITS, Limits, Walk
from ossa_lsp.core.words import plural

PROGRESS_AFTER_S = 0.5  # a walk that finishes sooner shows no progress at all
REPORT_EVERY_S = 0.25
MAX_NOTES_LOGGED = 20


class Server(Protocol):  # what the walk needs of OssaLanguageServer (no import: lsp/ stays acyclic)
    @property
    def work_done_progress(self) -> Any: ...

    def log(self, message: str, kind: types.MessageType = ...) -> None: ...
    def tell(self, message: str, kind: types.MessageType = ...) -> None: ...


class Progress(Protocol):  # features.commands.Progress
    token: Any

    def end(self, message: str) -> None: ...


async def walk_folders(ls: Server, folders: list[Path], *, include: tuple[str, ...] = (),
                       progress: Progress | None = None,
                       start_progress: Callable[[], Awaitable[Progress]] | None = None,
                       limits: Limits | None = None) -> list[Path]:
    """The manifests under the folders (plus data files matching `include`), in walk order. Reports on
    `progress` when given; otherwise, if the walk takes a while, on one from `start_progress`."""
    limits = limits if limits is not None else EDITOR_LIMITS.from_env()
    walks = [Walk(f, limits=limits, include=include) for f in folders]  # one deadline for all of them
    loop = asyncio.get_running_loop()
    done: asyncio.Future[list[Path]] = loop.create_future()
    threading.Thread(target=_run, args=(walks, loop, done), name="ossa-lsp-walk", daemon=True).start()
    own: Progress | None = None
    if progress is None and start_progress is not None:
        await asyncio.wait({done}, timeout=PROGRESS_AFTER_S)
        if not done.done():
            own = progress = await start_progress()
    while not done.done():
        if progress is not None and progress.token is not None:
            seen = sum(w.files for w in walks), sum(w.dirs for w in walks)
            ls.work_done_progress.report(progress.token, types.WorkDoneProgressReport(
                message=f"{plural(seen[0], 'file')} in {plural(seen[1], 'folder')} looked at"))
        await asyncio.wait({done}, timeout=REPORT_EVERY_S)
    found = done.result()
    if own is not None:
        own.end(f"{len(found):,} manifests found")
    _tell(ls, walks)
    return found


def _run(walks: list[Walk], loop: asyncio.AbstractEventLoop, done: asyncio.Future[list[Path]]) -> None:
    try:
        found = [p for w in walks for p in w]
    except Exception as err:  # a bug in the walk: the caller sees it, the thread does not die silently
        _deliver(loop, done, err)
    else:
        _deliver(loop, done, found)


def _deliver(loop: asyncio.AbstractEventLoop, done: asyncio.Future[list[Path]], value: list[Path] | Exception
             ) -> None:
    def settle() -> None:
        if done.done():
            return
        if isinstance(value, Exception):
            done.set_exception(value)
        else:
            done.set_result(value)

    with contextlib.suppress(RuntimeError):  # the server stopped meanwhile: nobody is waiting
        loop.call_soon_threadsafe(settle)


def _tell(ls: Server, walks: list[Walk]) -> None:
    notes = [n for w in walks for n in w.notes]
    for note in notes[:MAX_NOTES_LOGGED]:
        ls.log(f"{note.path}: {note.message}", types.MessageType.Warning)
    if len(notes) > MAX_NOTES_LOGGED:
        ls.log(f"... and {len(notes) - MAX_NOTES_LOGGED} more folders that cannot be read",
               types.MessageType.Warning)
    for w in walks:
        if w.stopped:
            ls.tell(f"OSSA: looking for manifests in {w.root}: {w.stopped}. Open a smaller folder "
                    "or exclude generated folders in .gitignore.", types.MessageType.Warning)
