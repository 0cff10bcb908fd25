"""The language server process: `create_server` (a server with every feature registered) and `run`
(logging, the transport, the exit status). The only module that imports the features.
"""

from __future__ import annotations

import logging
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
from ossa_lsp.lsp.server import OssaLanguageServer
from ossa_lsp.output.escape import EscapingFormatter

FEATURES = (lifecycle, diagnostics, completion, hover, structure, code_actions, commands, workspace, formatting,
            rename, inlay, lens, pull)
CANCEL_UNKNOWN = "Cancel notification for unknown message id"  # pygls' words (protocol/json_rpc.py)


def create_server() -> OssaLanguageServer:
    ls = OssaLanguageServer()
    for module in FEATURES:
        module.register(ls)
    return ls


class DemoteCancelNoise(logging.Filter):
    """pygls logs a `$/cancelRequest` for a request it has already answered as a warning. That is the
    normal race of every cancel (editors cancel hovers and completions as the cursor moves), not a
    problem: the record is lowered to debug and shown only where the logger shows debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(CANCEL_UNKNOWN):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def setup_logging(log_file: str | None, verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else \
        logging.StreamHandler(sys.stderr)
    # Paths and values from the workspace reach the log: one escaped line each (output/escape.py).
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pygls").setLevel(max(level, logging.WARNING))
    rpc = logging.getLogger("pygls.protocol.json_rpc")
    if not any(isinstance(f, DemoteCancelNoise) for f in rpc.filters):
        rpc.addFilter(DemoteCancelNoise())


def run(tcp: tuple[str, int] | None = None, ws: tuple[str, int] | None = None, log_file: str | None = None,
        verbosity: int = 0) -> int:
    """Serve until the client says `exit` (or goes away); the process exit status per the LSP spec."""
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

        serve_stdio(ls, fast_hover=hover.answer)
    return ls.exit_status


__all__ = ["create_server", "run"]
