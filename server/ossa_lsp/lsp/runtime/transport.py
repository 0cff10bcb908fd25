"""LSP over stdio, read by the event loop itself, with a fast lane for hover.

pygls reads stdin through a thread pool: three thread hops per message (header line, blank line, body),
each waking the loop through its self-pipe, and it turns every message into attrs objects through
cattrs and back. For a hover that framework work cost more than the answer itself (~0.2 ms of ~0.3 ms
after an edit). Here stdin is an asyncio pipe: bytes arrive in `data_received`, complete messages are
handed to pygls one per loop turn (so tasks started by one message interleave with a burst of others),
and `textDocument/hover`, the request people trigger by merely moving the mouse, is answered directly
from the raw JSON by the `fast_hover` function app.py passes in (`features.hover.answer`, the same code
the pygls handler runs). Anything else, and any hover the fast lane is not sure about, goes through
pygls unchanged.

stdin that is not a pipe or socket (a file, /dev/null) and Windows keep pygls' own reader.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from lsprotocol import types

    from ossa_lsp.lsp.runtime.boot import Boot
    from ossa_lsp.lsp.server import OssaLanguageServer

    # (server, uri, line, character) → (markup kind, text, range), or None for "no hover here"
    HoverAnswer = Callable[[OssaLanguageServer, str, int, int], tuple[str, str, types.Range] | None]

log = logging.getLogger("ossa_lsp")
_LENGTH = re.compile(rb"content-length:[ \t]*(\d+)", re.IGNORECASE)
BOOT_CONFIG = b'"ossa-lsp/boot/configuration"'  # boot.CONFIG_ID: the lane's own request, answered late
MAX_HEADER = 64 * 1024  # bytes of headers without a blank line: not LSP, the input is dropped


def serve_stdio(ls: OssaLanguageServer, fast_hover: HoverAnswer | None = None) -> None:
    """Serve LSP on stdin/stdout until `exit` or end of input (`ls.exit_status` tells how it ended)."""
    from pygls.io_ import StdoutWriter

    stop = attach(ls, StdoutWriter(sys.stdout.buffer))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_cancellation)
        done: asyncio.Future[None] = loop.create_future()
        try:
            mode = os.fstat(sys.stdin.fileno()).st_mode
            if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):  # files and devices (/dev/null): no epoll
                raise ValueError("not a pipe")
            await loop.connect_read_pipe(lambda: _StdinProtocol(ls, done, fast_hover), sys.stdin.buffer)
        except (ValueError, OSError):
            from pygls.io_ import StdinAsyncReader, run_async

            await run_async(stop_event=stop, reader=StdinAsyncReader(sys.stdin.buffer, ls.thread_pool),
                            protocol=ls.protocol, error_handler=ls.report_server_error)
            return
        await done

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the client closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):  # SystemExit: pygls' `exit` handler
        pass
    finally:
        ls.shutdown()


def attach(ls: OssaLanguageServer, writer: Any) -> threading.Event:
    """What pygls' own `start_io` sets up before reading: the stop event and the writer to stdout."""
    stop = ls._stop_event = threading.Event()
    ls.protocol.set_writer(writer)
    return stop


def _quiet_cancellation(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """`exit` while a request is still running cancels it as the loop closes, and pygls' callback on the
    cancelled task then raises CancelledError: expected at that point, so logged at debug, not as an error."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        log.debug("cancelled while stopping: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


class _StdinProtocol(asyncio.Protocol):
    def __init__(self, ls: OssaLanguageServer | None, done: asyncio.Future[None], hover: HoverAnswer | None = None,
                 boot: Boot | None = None) -> None:
        self.ls = ls  # None while the start-up lane answers (boot.py); set by `handover`
        self.boot = boot
        self.done = done
        self.hover = hover  # None: no fast lane
        self.buffer = bytearray()
        self.queue: deque[bytes] = deque()
        self.scheduled = False

    # -- framing -------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER:
                    log.warning("dropping %d bytes of input without LSP headers", len(buf))
                    buf.clear()
                return
            m = _LENGTH.search(buf, 0, end)
            if m is None:  # headers without a length: skip them, as pygls does
                del buf[:end + 4]
                continue
            start = end + 4
            stop = start + int(m.group(1))
            if len(buf) < stop:
                return
            self.queue.append(bytes(buf[start:stop]))
            del buf[:stop]
            self._schedule()

    def _schedule(self) -> None:
        if not self.scheduled and self.queue:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self._next)

    def _next(self) -> None:
        self.scheduled = False
        body = self.queue.popleft()
        self._schedule()  # the next message after whatever this one starts
        self.dispatch(body)

    def eof_received(self) -> bool | None:
        self._finish()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish()

    def _finish(self) -> None:
        # Messages already received are still handled (e.g. `exit` right before the pipe closes).
        def end() -> None:
            handover_due = self.ls is None and self.boot is not None and self.boot.blocked
            if self.queue or self.scheduled or handover_due:
                asyncio.get_running_loop().call_soon(end)
            elif not self.done.done():
                self.done.set_result(None)

        asyncio.get_running_loop().call_soon(end)

    # -- dispatch ------------------------------------------------------------------------------------
    def handover(self, ls: OssaLanguageServer, hover: HoverAnswer | None) -> None:
        """The server takes over from the start-up lane: every message the lane saw first, in order."""
        assert self.boot is not None
        self.ls, self.hover = ls, hover
        replay, self.boot.replay = self.boot.replay, []
        self.queue.extendleft(reversed(replay))
        self._schedule()

    def dispatch(self, body: bytes) -> None:
        if self.ls is None:
            assert self.boot is not None
            self.boot.accept(body)
            return
        if self.boot is not None and BOOT_CONFIG in body and self.boot.late_answer(body):
            return
        protocol = self.ls.protocol
        self.ls.last_activity = time.monotonic()
        try:
            if self.hover is not None and b'"textDocument/hover"' in body and fast_hover(self.ls, body, self.hover):
                return
            try:
                message = json.loads(body, object_hook=protocol.structure_message)
            except json.JSONDecodeError as exc:  # not JSON: say so, without a traceback
                log.warning("ignored a message that is not valid JSON: %s", exc)
                return
            protocol.handle_message(message)
        except Exception as exc:  # (SystemExit from `exit` passes: it is not an Exception)
            from pygls.exceptions import JsonRpcException

            log.exception("unable to handle a message")
            self.ls.report_server_error(exc, JsonRpcException)


def fast_hover(ls: OssaLanguageServer, body: bytes, answer: HoverAnswer) -> bool:
    """Answer a hover request from its raw JSON; False hands it to pygls (which then answers it)."""
    # `_shutdown` is pygls-internal: should a release rename it, the fast lane switches itself off.
    if not ls.settings_ready.is_set() or getattr(ls.protocol, "_shutdown", True):
        return False
    try:
        msg = json.loads(body)
        params = msg["params"]
        uri = params["textDocument"]["uri"]
        line, character = params["position"]["line"], params["position"]["character"]
        msg_id = msg["id"]
    except (ValueError, KeyError, TypeError):
        return False
    if msg.get("method") != "textDocument/hover" or not isinstance(uri, str) or not isinstance(msg_id, (int, str)) \
            or type(line) is not int or type(character) is not int or line < 0 or character < 0:
        return False
    try:
        found = answer(ls, uri, line, character)
    except Exception:  # pygls answers it instead (with the error, logged as for any handler)
        return False
    result: dict[str, Any] | None = None
    if found is not None:
        kind, text, rng = found
        result = {"contents": {"kind": kind, "value": text},
                  "range": {"start": {"line": rng.start.line, "character": rng.start.character},
                            "end": {"line": rng.end.line, "character": rng.end.character}}}
    out = json.dumps({"jsonrpc": "2.0", "id": msg_id, "result": result})
    writer = ls.protocol.writer
    if writer is None:
        return False
    writer.write(f"Content-Length: {len(out)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
                 f"{out}".encode())
    return True
