"""The server's logging: one escaped line per record, to stderr or a file (stdout belongs to JSON-RPC).
Imports no protocol package, so the start-up lane (`boot.py`) can log before the framework is loaded."""

from __future__ import annotations

import logging
import sys

from ossa_lsp.output.escape import EscapingFormatter

CANCEL_UNKNOWN = "Cancel notification for unknown message id"  # pygls' words (protocol/json_rpc.py)


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


__all__ = ["CANCEL_UNKNOWN", "DemoteCancelNoise", "setup_logging"]
