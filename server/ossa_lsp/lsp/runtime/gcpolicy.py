"""Garbage collection when the server is idle, not in the middle of a keystroke's analysis.

CPython's collector runs whenever enough container objects were allocated. Analysing a 5,000-line
manifest allocates ~200,000 of them (a tree without reference cycles, freed by reference counting), so
a collection landed in most analyses and hovers that followed one: 20–45 ms pauses measured on the
event loop. Instead, once the engine is loaded, everything alive is frozen (modules, schemas, rule
tables: never garbage) and automatic collection is turned off; a full collection runs after the
server has been quiet for `IDLE_S`, or at the latest every `MAX_WAIT_S` under a steady stream of
messages, or at once if allocations pile up (`FORCE_COUNT`), so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ossa_lsp.lsp.server import OssaLanguageServer

IDLE_S = 0.5
MAX_WAIT_S = 10.0
FORCE_COUNT = 300_000


def start(ls: OssaLanguageServer) -> None:
    """Called on the event loop once the engine has been loaded."""
    if ls.gc_task is not None:
        return
    gc.collect()
    gc.freeze()
    gc.disable()
    ls.gc_task = asyncio.get_running_loop().create_task(_collector(ls))


async def _collector(ls: OssaLanguageServer) -> None:
    last = time.monotonic()
    while True:
        await asyncio.sleep(IDLE_S / 2)
        now = time.monotonic()
        pending = gc.get_count()[0]
        if pending == 0:
            continue
        idle = now - ls.last_activity >= IDLE_S and not ls.inflight
        if idle or now - last >= MAX_WAIT_S or pending > FORCE_COUNT:
            gc.collect()
            last = time.monotonic()
