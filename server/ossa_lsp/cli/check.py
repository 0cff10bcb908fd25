"""`ossa-lsp check`: check manifests (files, folders or stdin), optionally fix them first, and write one
report in the chosen format. Exit statuses: see `exits.py`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import emit, err, shown_paths, warn


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.headless import check as checker
    from ossa_lsp.output import reporters

    if args.unsafe_fixes and not (args.fix or args.diff):
        warn("--unsafe-fixes does nothing without --fix or --diff")
    pargs = _policy_args(args)
    if pargs is None:
        return exits.USAGE
    schema, ok = _schema(args)
    if not ok:
        return exits.USAGE
    paths = args.paths or ["."]
    if "-" in paths:
        if len(paths) > 1:
            err("'-' (stdin) cannot be combined with other paths")
            return exits.USAGE
        return _finish(args, pargs, [_check_stdin(args, schema, pargs)], empty=False)
    files, reports = checker.expand(paths, tuple(args.exclude), pargs)
    empty = not files and not any(r.error for r in reports)
    if empty and not args.allow_no_manifests:
        warn(f"no manifests found in {shown_paths(paths)}; nothing was checked "
             "(--allow-no-manifests accepts that)")
    run = checker.CheckRun(schema, pargs, args.default_version, checker.named_files(paths))
    run.hints = args.format in reporters.WITH_HINTS  # the others never show them: not kept for 20,000 files
    write_failed = False
    if args.fix or args.diff:
        from ossa_lsp.cli import fix

        fixed, write_failed = fix.run(files, schema, pargs, args)
        if args.diff:
            _say(reports)
            return _status(reports, [], empty and not args.allow_no_manifests) or (
                exits.FINDINGS if fixed else exits.OK)
    run.index(files, args.jobs)
    reports.extend(run.check_all(files, args.jobs))
    status = _finish(args, pargs, reports, empty=empty and not args.allow_no_manifests)
    return exits.USAGE if write_failed else status


def _finish(args: argparse.Namespace, pargs: Any, reports: list[Any], empty: bool) -> int:
    """Write the report; the exit status."""
    from ossa_lsp.headless import check as checker
    from ossa_lsp.output import reporters

    broken_config = checker.config_reports(reports, pargs)
    reports.extend(broken_config)
    colour = args.color == "always" or (
        args.color == "auto" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    text_out = reporters.get(args.format)(reports, {"color": colour, "quiet": args.quiet})
    if not emit(text_out, args.output):
        return exits.USAGE
    status = _status(reports, broken_config, empty)
    if status:
        return status
    return exits.FINDINGS if any(r.failed for r in reports) else exits.OK


def _say(reports: list[Any]) -> None:
    """Paths that could not be read, on stderr (with --diff, stdout holds only the diff)."""
    for r in reports:
        if r.error:
            err(f"{r.path}: {r.error}")
        for f in r.findings:
            warn(f"{r.path}: {f.message}")


def _status(reports: list[Any], broken_config: list[Any], empty: bool) -> int:
    """USAGE for an unreadable path or a broken config, EMPTY for nothing checked, else 0 (decide on findings)."""
    if any(r.error for r in reports) or broken_config:
        return exits.USAGE
    return exits.EMPTY if empty else exits.OK


def _check_stdin(args: argparse.Namespace, schema: Any, pargs: Any) -> Any:
    from ossa_lsp.core import files
    from ossa_lsp.core.config import load as config
    from ossa_lsp.headless import check as checker

    name = args.stdin_filename or "<stdin>"
    policy = config.resolve(args.stdin_filename or os.path.join(os.getcwd(), "-"), pargs)[0]
    try:
        loaded = files.load_bytes(files.read_stream(sys.stdin.buffer))
    except files.TooLarge as big:
        loaded = files.Loaded(b"", None, big.finding())
    if loaded.text is None:
        return checker.FileReport(path=name, findings=[loaded.problem] if loaded.problem else [],
                                  fail_on=policy.fail_on)
    return checker.check_text(loaded.text, name, schema, policy, args.default_version)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def _policy_args(args: argparse.Namespace) -> Any:
    """The policy part of the command line, checked; None (after a message) when it is unusable."""
    from ossa_lsp.core.config import load as config

    select, ignore = _split(args.select), _split(args.ignore)
    unknown = config.unknown_selectors(select + ignore)
    if unknown:
        err(f"unknown rule code, name or prefix: {', '.join(unknown)} (see `ossa-lsp rules`)")
        return None
    if args.config and not os.path.isfile(args.config):
        err(f"config file not found: {args.config}")
        return None
    return config.Args(profile=args.profile, select=select, ignore=ignore, config_path=args.config,
                       fail_on=args.fail_on, no_config=args.no_config)


def _schema(args: argparse.Namespace) -> tuple[Any, bool]:
    """The --schema file compiled (None without the option); False (after a message) when it is unusable."""
    if not args.schema:
        return None, True
    from ossa_lsp.core.schema.registry import REGISTRY, SchemaError

    try:
        return REGISTRY.load_file(args.schema), True
    except SchemaError as error:
        err(str(error))
        return None, False
