"""The language server process: `create_server` (a server with every feature registered) and `run`
(logging, the transport, the exit status). The only module that imports the features.
"""

from __future__ import annotations

import sys

from ossa_lsp.lsp.features import (
    code_actions,
    commands,
    completion,
    diagnostics,
    formatting,
    hover,
    inlay,
    lens,
    lifecycle,
    pull,
    rename,
    structure,
    workspace,
)
from ossa_lsp.lsp.runtime.logsetup import CANCEL_UNKNOWN, DemoteCancelNoise, setup_logging
from ossa_lsp.lsp.server import OssaLanguageServer

FEATURES = (lifecycle, diagnostics, completion, hover, structure, code_actions, commands, workspace, formatting,
            rename, inlay, lens, pull)
FAST_HOVER = hover.answer  # the stdio transport's hover fast lane runs the hover handler's own code


def create_server() -> OssaLanguageServer:
    ls = OssaLanguageServer()
    for module in FEATURES:
        module.register(ls)
    return ls


def run(tcp: tuple[str, int] | None = None, ws: tuple[str, int] | None = None, log_file: str | None = None,
        verbosity: int = 0, logging_ready: bool = False) -> int:
    """Serve until the client says `exit` (or goes away); the process exit status per the LSP spec.
    (On stdio pipes `ossa-lsp serve` starts with the start-up lane instead: runtime/boot.py.)"""
    if not logging_ready:
        setup_logging(log_file, verbosity)
    ls = create_server()
    if tcp is not None:  # on `exit`, pygls ends these two with SystemExit and the same status
        ls.start_tcp(*tcp)
    elif ws is not None:
        ls.start_ws(*ws)
    elif sys.platform == "win32":  # no pipes in the event loop there: pygls' own reader
        ls.start_io()
    else:
        from ossa_lsp.lsp.runtime.transport import serve_stdio

        serve_stdio(ls, fast_hover=FAST_HOVER)
    return ls.exit_status


__all__ = ["CANCEL_UNKNOWN", "FAST_HOVER", "DemoteCancelNoise", "create_server", "run", "setup_logging"]
