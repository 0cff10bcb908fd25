"""`ossa-lsp`: the language server (default, `serve`), the headless checker (`check`), and the
`report`, `rules`, `graph`, `schema`, `migrate` and `format` commands — one module each in this package,
the options in `parser.py`, the exit statuses in `exits.py`.

Only the chosen command's module is imported, and each imports its engine lazily, so `ossa-lsp check`
starts fast and never loads the LSP machinery (pygls, lsprotocol) or pydantic.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from ossa_lsp.cli import exits, parser

COMMANDS = ("serve", "check", "report", "graph", "rules", "schema", "migrate", "format")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] in parser.SERVE_FLAGS or args_list[0].startswith(("--tcp=", "--ws=",
                                                                                         "--log-file=")):
        args_list = ["serve", *args_list]
    p = parser.build()
    args = p.parse_args(args_list)
    if args.command not in COMMANDS:
        p.print_help()
        return exits.USAGE
    command = importlib.import_module(f"ossa_lsp.cli.{args.command}")
    try:
        status: int = command.run(args, p)
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except BrokenPipeError:
        return exits.OK
    return status
