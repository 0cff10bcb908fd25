"""`ossa-lsp serve` (and `ossa-lsp` with no command): the language server on stdio, TCP or WebSocket."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.lsp.app import run as serve

    try:
        tcp = host_port(args.tcp) if args.tcp else None
        ws = host_port(args.ws) if args.ws else None
    except ValueError as err:
        parser.error(str(err))
    return serve(tcp=tcp, ws=ws, log_file=args.log_file, verbosity=args.verbose)


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)
