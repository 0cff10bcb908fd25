"""Work-done progress (`$/progress`) for long runs: on a token the client gave, on one the server
creates when the client allows it, or silently on none."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from lsprotocol import types

from ossa_lsp.lsp.server import OssaLanguageServer

REPORT_EVERY_S = 0.1  # at most ~10 progress reports a second
CREATE_TIMEOUT_S = 5.0  # a client that never answers window/workDoneProgress/create gets no progress


class Progress:
    def __init__(self, ls: OssaLanguageServer, token: Any) -> None:
        self.ls, self.token, self.last = ls, token, 0.0

    @classmethod
    async def start(cls, ls: OssaLanguageServer, client_token: Any, title: str) -> Progress:
        token = client_token if isinstance(client_token, (str, int)) else None
        caps = ls.client_capabilities.window if ls.client_capabilities else None
        if token is None and caps is not None and caps.work_done_progress:
            token = f"ossa-validate-{uuid.uuid4()}"
            try:
                await asyncio.wait_for(ls.work_done_progress.create_async(token), timeout=CREATE_TIMEOUT_S)
            except Exception:
                token = None
        self = cls(ls, token)
        if token is not None:
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title=title, cancellable=True, percentage=0))
        return self

    @property
    def cancelled(self) -> bool:
        future = self.ls.work_done_progress.tokens.get(self.token) if self.token is not None else None
        return bool(future is not None and future.cancelled())

    def report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if self.token is None or (now - self.last < REPORT_EVERY_S and done < total):
            return
        self.last = now
        pct = round(100 * done / total) if total else 100
        self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(
            message=message, percentage=pct, cancellable=True))

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)
