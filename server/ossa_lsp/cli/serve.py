"""`ossa-lsp serve` (and `ossa-lsp` with no command): the language server on stdio, TCP or WebSocket."""

from __future__ import annotations

import argparse
import os
import sys


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        tcp = host_port(args.tcp) if args.tcp else None
        ws = host_port(args.ws) if args.ws else None
    except ValueError as err:
        parser.error(str(err))
    if tcp is None and ws is None and sys.platform != "win32" and not os.environ.get("OSSA_LSP_NO_BOOT"):
        # stdio: the start-up lane answers the first messages while the protocol framework loads
        from ossa_lsp.lsp.runtime.boot import serve as serve_stdio

        return serve_stdio(log_file=args.log_file, verbosity=args.verbose)
    from ossa_lsp.lsp.app import run as serve

    return serve(tcp=tcp, ws=ws, log_file=args.log_file, verbosity=args.verbose)


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)
