"""`ossa-lsp check --fix | --diff`: apply (or print) the fixes before the check reports what remains."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ossa_lsp.cli.common import err, plural
from ossa_lsp.core.scrub import scrub


def run(files: Sequence[str], schema: Any, pargs: Any, args: argparse.Namespace) -> tuple[int, bool]:
    """Fix every file; say what was fixed on stderr. The number of fixes (applied, or shown by --diff) and
    whether a file that needed fixing could not be written."""
    from ossa_lsp.core.config import load as config
    from ossa_lsp.headless import fix as fixer
    from ossa_lsp.headless.report import display_path

    total, failed = 0, False
    verb = "would fix" if args.diff else "fixed"
    for path in files:
        shown = display_path(path)
        policy = config.resolve(path, pargs)[0]
        out = fixer.fix_file(path, shown, policy, unsafe=args.unsafe_fixes, diff_only=args.diff, schema=schema,
                             default_version=args.default_version)
        if out.error:
            err(f"{shown}: {out.error}")
            failed = failed or out.unwritten
        elif out.refused and not out.not_text:
            err(f"{shown}: not fixed: {out.refused}")
        if args.diff:
            sys.stdout.write(out.diff)
        for code, pointer, title in out.applied:
            print(scrub(f"{shown}: {verb} {code} at {pointer or '/'}: {title}"), file=sys.stderr)
        total += len(out.applied)
    print(f"{verb.capitalize()} {plural(total, 'problem')}"
          + ("" if args.unsafe_fixes else " (safe fixes only; --unsafe-fixes for the rest)") + ".", file=sys.stderr)
    return total, failed
