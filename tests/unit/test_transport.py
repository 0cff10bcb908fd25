"""The stdio transport: framing (split, glued and malformed input) and the hover fast lane, which must
answer exactly what the pygls handler answers, and step aside whenever it is not sure."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ossa_lsp.lsp.app import create_server
from ossa_lsp.lsp.features import hover
from ossa_lsp.lsp.runtime import transport
from tests.conftest import EXAMPLES

TEXT = (EXAMPLES / "support-triage.ossa.yaml").read_text("utf-8")
URI = "file:///tmp/ossa-transport/support-triage.ossa.yaml"


class Writer:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        head, _, body = data.partition(b"\r\n\r\n")
        assert int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0]) == len(body)
        self.messages.append(json.loads(body))

    def close(self) -> None:
        pass


def frame(msg: dict[str, Any]) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def _until(cond: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


@pytest.fixture
async def served() -> Any:
    ls = create_server()
    writer = Writer()
    ls.protocol.set_writer(writer)
    loop = asyncio.get_running_loop()
    stdin = transport._StdinProtocol(ls, loop.create_future(), hover.answer)
    stdin.data_received(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                               "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
    await _until(lambda: any(m.get("id") == 1 for m in writer.messages))
    stdin.data_received(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    await _until(ls.settings_ready.is_set)
    stdin.data_received(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": URI, "languageId": "yaml", "version": 1, "text": TEXT}}}))
    await _until(lambda: any(m.get("method") == "textDocument/publishDiagnostics" for m in writer.messages))
    return ls, writer, stdin


def _hover(msg_id: Any, line: int, character: int, uri: str = URI) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}}


def _positions() -> list[tuple[int, int]]:
    out = []
    for n, line in enumerate(TEXT.splitlines()):
        stripped = len(line) - len(line.lstrip())
        out += [(n, stripped), (n, stripped + 2), (n, len(line) - 1 if line else 0)]
    return [*out, (len(TEXT.splitlines()) + 3, 0)]


async def test_fast_lane_answers_exactly_like_the_pygls_handler(served):
    ls, writer, _ = served
    answered = 0
    for i, (line, character) in enumerate(_positions()):
        before = len(writer.messages)
        assert transport.fast_hover(ls, json.dumps(_hover(f"f{i}", line, character)).encode(), hover.answer)
        fast = writer.messages[before]
        ls.protocol.handle_message(json.loads(json.dumps(_hover(f"p{i}", line, character)),
                                              object_hook=ls.protocol.structure_message))
        await _until(lambda n=before: len(writer.messages) > n + 1)
        slow = writer.messages[before + 1]
        assert (fast["id"], slow["id"]) == (f"f{i}", f"p{i}")
        assert fast["result"] == slow["result"], (line, character)
        answered += fast["result"] is not None
    assert answered > 40  # most positions are on a key or value with schema docs


async def test_fast_lane_steps_aside_when_unsure(served):
    ls, _writer, _ = served
    odd = [b"{not json", json.dumps({**_hover(1, 0, 0), "params": {"position": {"line": 0}}}).encode(),
           json.dumps(_hover(2, -1, 0)).encode(), json.dumps(_hover(3, True, 0)).encode(),
           json.dumps({**_hover(4, 0, 0), "id": None}).encode()]
    for body in odd:
        assert not transport.fast_hover(ls, body, hover.answer)
    ls.protocol._shutdown = True
    assert not transport.fast_hover(ls, json.dumps(_hover(5, 1, 1)).encode(), hover.answer)


async def test_unopened_documents_get_null(served):
    ls, writer, _ = served
    assert transport.fast_hover(ls, json.dumps(_hover(7, 1, 1, uri="file:///nowhere.ossa.yaml")).encode(), hover.answer)
    assert writer.messages[-1] == {"jsonrpc": "2.0", "id": 7, "result": None}


async def test_framing_survives_split_glued_and_headerless_input(served):
    _ls, writer, stdin = served
    data = frame(_hover(10, 5, 2)) + frame(_hover(11, 6, 2)) + b"X-Junk: 1\r\n\r\n" + \
        b"Content-Type: x\r\ncontent-length: %d\r\n\r\n" % len(json.dumps(_hover(12, 7, 2))) + \
        json.dumps(_hover(12, 7, 2)).encode()
    for i in range(0, len(data), 7):  # arrives in small pieces
        stdin.data_received(data[i:i + 7])
    await _until(lambda: {10, 11, 12} <= {m.get("id") for m in writer.messages})
    ids = [m.get("id") for m in writer.messages if m.get("id") in (10, 11, 12)]
    assert ids == [10, 11, 12]  # in order


async def test_eof_finishes_after_queued_messages(served):
    _ls, writer, stdin = served
    stdin.data_received(frame(_hover(20, 5, 2)))
    stdin.eof_received()
    await asyncio.wait_for(stdin.done, 5)
    assert any(m.get("id") == 20 for m in writer.messages)


def test_unframed_garbage_is_dropped_without_growing_forever():
    ls = create_server()
    loop = asyncio.new_event_loop()
    try:
        stdin = transport._StdinProtocol(ls, loop.create_future())
        stdin.data_received(b"x" * (transport.MAX_HEADER + 10))
        assert len(stdin.buffer) == 0 and not stdin.queue
    finally:
        loop.close()


