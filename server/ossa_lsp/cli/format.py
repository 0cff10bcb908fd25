"""`ossa-lsp format [PATH...] [--check | --diff] [--canonical-order]`: format manifests in place
(core/format.py), check that they are formatted, or print the changes as a unified diff.

Exit status: 0 nothing to change (or everything written); 1 with --check or --diff, a file would
change; 2 a path cannot be read, a file cannot be written, or a file is refused (syntax errors, or a
construct the formatter cannot re-emit without loss: the file is left as it was); 3 no manifests.
`-` formats stdin to stdout.
"""

from __future__ import annotations

import argparse
import sys

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import err, plural, shown_paths, warn


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.headless import check as checker

    if args.paths == ["-"]:
        return _stdin(args)
    paths = args.paths or ["."]
    files, missing = checker.expand(paths, tuple(args.exclude))
    problem = False
    for m in missing:  # errors (a named path) and warnings (a folder met while walking)
        err(f"{m.path}: {m.error or '; '.join(f.message for f in m.findings)}")
        problem = problem or m.error is not None
    if not files and not problem:
        warn(f"no manifests found in {shown_paths(paths)}")
        return exits.EMPTY
    outcomes = [_file(path, args) for path in files]
    changed = outcomes.count(exits.FINDINGS)
    problem = problem or exits.USAGE in outcomes
    dry = args.check or args.diff
    print(f"{'Would reformat' if dry else 'Reformatted'} {plural(changed, 'file')}; "
          f"{plural(outcomes.count(exits.OK), 'file')} already formatted"
          + (f"; {plural(outcomes.count(exits.USAGE), 'file')} not formatted" if exits.USAGE in outcomes else "")
          + ".", file=sys.stderr)
    if problem:
        return exits.USAGE
    return exits.FINDINGS if dry and changed else exits.OK


def _file(path: str, args: argparse.Namespace) -> int:
    """One file: OK (nothing to change), FINDINGS (changed, or would change), USAGE (a problem)."""
    from ossa_lsp.core import files
    from ossa_lsp.core.format import format_text
    from ossa_lsp.headless.report import display_path

    shown = display_path(path)
    try:
        loaded = files.load(path)  # regular files only, bounded
    except files.FileError as error:
        err(f"{shown}: {error}")
        return exits.USAGE
    if loaded.text is None:
        err(f"{shown}: not formatted: {loaded.problem.message if loaded.problem else 'not text'}")
        return exits.USAGE
    result = format_text(loaded.text, path, canonical=args.canonical_order)
    if result.refused:
        err(f"{shown}: {result.refused}")
        return exits.USAGE
    if not result.changed:
        return exits.OK
    if args.diff:
        sys.stdout.write(files.unified_diff(loaded.text, result.text, shown))
    elif args.check:
        print(f"would reformat {shown}", file=sys.stderr)
    else:
        try:  # through links, atomic, refused when the file changed since it was read
            files.write_atomic(path, loaded.encode(result.text), expected=loaded.raw)
        except files.FileError as error:
            err(f"{shown}: not formatted: {error}")
            return exits.USAGE
    return exits.FINDINGS


def _stdin(args: argparse.Namespace) -> int:
    from ossa_lsp.core import files
    from ossa_lsp.core.format import format_text

    try:
        loaded = files.load_bytes(files.read_stream(sys.stdin.buffer))
    except files.FileError as error:
        err(f"stdin: {error}")
        return exits.USAGE
    if loaded.text is None:
        err(f"stdin: not formatted: {loaded.problem.message if loaded.problem else 'not text'}")
        return exits.USAGE
    result = format_text(loaded.text, args.stdin_filename, canonical=args.canonical_order)
    if result.refused:
        err(f"stdin: {result.refused}")
        sys.stdout.write(loaded.text)  # a filter never eats its input
        return exits.USAGE
    if args.diff:
        sys.stdout.write(files.unified_diff(loaded.text, result.text, args.stdin_filename or "stdin"))
    elif not args.check:
        sys.stdout.write(result.text)
    return exits.FINDINGS if (args.check or args.diff) and result.changed else exits.OK
