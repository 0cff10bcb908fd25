"""`ossa-lsp`: the language server (default, `serve`) and the headless checker (`check`).

Imports are lazy so `ossa-lsp check` starts fast and never loads the LSP machinery.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ossa_lsp import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SERVE_FLAGS = ("--stdio", "--tcp", "--ws", "--log-file", "-v", "--verbose", "--log-level")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ossa-lsp",
        description="Language server and CI checker for OSSA agent manifests. "
        "With no command, speaks LSP on stdio.",
    )
    p.add_argument("--version", action="version", version=f"ossa-lsp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    _serve_args(serve)

    check = sub.add_parser("check", help="check manifests (files, directories, or - for stdin)",
                           description="Check OSSA manifests. Exit status: 0 no errors, 1 errors found, "
                           "2 usage, configuration or I/O problem.")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    check.add_argument("-f", "--format", default="text", choices=["text", "json", "sarif", "github"],
                       help="output format (default: text)")
    check.add_argument("--schema", metavar="FILE", help="validate with this JSON Schema instead of the bundled ones")
    check.add_argument("--stdin-filename", metavar="NAME", help="file name to report for stdin (also picks JSON/YAML)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                       help="colour text output (default: auto, on a terminal unless NO_COLOR is set)")
    check.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                       help="parallel workers when there are many files (default: number of cores, at most 4)")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="skip paths matching GLOB while walking directories (repeatable)")
    check.add_argument("-q", "--quiet", action="store_true", help="text format: no summary line unless errors")
    return p


def _serve_args(p: argparse.ArgumentParser) -> None:
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="speak LSP on stdin/stdout (the default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", help="listen for one client on a TCP socket")
    mode.add_argument("--ws", metavar="HOST:PORT", help="listen on a WebSocket")
    p.add_argument("--log-file", metavar="FILE", help="write logs to FILE (stdout belongs to the protocol)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] in SERVE_FLAGS or args_list[0].startswith(("--tcp=", "--ws=", "--log-file=")):
        args_list = ["serve", *args_list]
    parser = _parser()
    args = parser.parse_args(args_list)
    try:
        if args.command == "serve":
            return _serve(args, parser)
        if args.command == "check":
            return _check(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    parser.print_help()
    return EXIT_USAGE


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.lsp.server import run

    try:
        tcp = _host_port(args.tcp) if args.tcp else None
        ws = _host_port(args.ws) if args.ws else None
    except ValueError as err:
        parser.error(str(err))
    return run(tcp=tcp, ws=ws, log_file=args.log_file, verbosity=args.verbose)


def _err(message: str) -> None:
    print(f"ossa-lsp: {message}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from ossa_lsp import checker, reporters
    from ossa_lsp.core.schemas import REGISTRY, SchemaError

    schema = None
    if args.schema:
        try:
            schema = REGISTRY.load_file(args.schema)
        except SchemaError as err:
            _err(str(err))
            return EXIT_USAGE
    paths = args.paths or ["."]
    reports: list[checker.FileReport] = []
    if "-" in paths:
        if len(paths) > 1:
            _err("'-' (stdin) cannot be combined with other paths")
            return EXIT_USAGE
        data = sys.stdin.buffer.read()
        name = args.stdin_filename or "<stdin>"
        text, problem = checker.decode(data)
        if text is None:
            reports.append(checker.FileReport(path=name, findings=[problem] if problem else []))
        else:
            reports.append(checker.check_text(text, name, schema))
    else:
        files, missing = checker.expand(paths, tuple(args.exclude))
        reports.extend(missing)
        reports.extend(checker.check_paths(files, schema, args.jobs))
    colour = args.color == "always" or (
        args.color == "auto" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    text_out = reporters.get(args.format)(reports, {"color": colour, "quiet": args.quiet})
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text_out)
        except OSError as err:
            _err(f"cannot write {args.output}: {err.strerror or err}")
            return EXIT_USAGE
    else:
        sys.stdout.write(text_out)
        sys.stdout.flush()
    if any(r.error for r in reports):
        return EXIT_USAGE
    return EXIT_FINDINGS if any(r.errors for r in reports) else EXIT_OK
