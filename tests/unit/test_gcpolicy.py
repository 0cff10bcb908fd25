"""Idle-time garbage collection in the server: automatic collection is off once the engine is loaded,
and cyclic garbage is still collected as soon as the server is quiet (or at the latest after a while)."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

import pytest

from ossa_lsp.lsp.app import create_server
from ossa_lsp.lsp.runtime import gcpolicy


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def collector(monkeypatch):
    monkeypatch.setattr(gcpolicy, "IDLE_S", 0.05)
    monkeypatch.setattr(gcpolicy, "MAX_WAIT_S", 0.3)
    was = gc.isenabled()
    yield create_server()
    gc.unfreeze()
    if was:
        gc.enable()


async def _garbage() -> weakref.ref[Node]:
    node = Node()
    ref = weakref.ref(node)
    del node
    return ref


async def test_cycles_are_collected_when_the_server_is_idle(collector):
    ls = collector
    gcpolicy.start(ls)
    assert not gc.isenabled()
    ls.last_activity = time.monotonic()
    ref = await _garbage()
    assert ref() is not None  # automatic collection is off
    await asyncio.sleep(0.3)
    assert ref() is None
    ls.gc_task.cancel()


async def test_a_busy_server_still_collects_after_max_wait(collector):
    ls = collector
    gcpolicy.start(ls)
    ref = await _garbage()
    deadline = time.monotonic() + 2
    while ref() is not None and time.monotonic() < deadline:
        ls.last_activity = time.monotonic()  # never idle
        await asyncio.sleep(0.02)
    assert ref() is None
    ls.gc_task.cancel()
