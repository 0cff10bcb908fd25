"""`ossa-lsp report`: the fleet under the paths as one offline HTML page (default), a markdown summary
(`-f markdown`, for a CI step summary or a pull-request comment) or JSON. The findings are `check`'s and
so are the exit statuses (see `exits.py`): 1 when a finding is at least the fail-on level, 2 for a path or
config that cannot be used or an output that cannot be written, 3 when there is no manifest."""

from __future__ import annotations

import argparse
import sys
import time

from ossa_lsp.cli import exits
from ossa_lsp.cli.check import _policy_args, _schema, _status
from ossa_lsp.cli.common import emit, err, shown_paths, warn

PROGRESS_MIN_FILES = 200  # below this a run is quick: no progress lines


def _progress(on: bool, message: str) -> None:
    if on:
        print(f"ossa-lsp: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.headless import check as checker
    from ossa_lsp.headless import fleet
    from ossa_lsp.output.report import model, render

    pargs = _policy_args(args)
    schema, ok = _schema(args)
    if pargs is None or not ok:
        return exits.USAGE
    paths = args.paths or ["."]
    if "-" in paths:
        err("report reads files and folders, not stdin ('-')")
        return exits.USAGE
    files, reports = checker.expand(paths, tuple(args.exclude), pargs)
    empty = not files and not any(r.error for r in reports)
    if empty and not args.allow_no_manifests:
        warn(f"no manifests found in {shown_paths(paths)}; the report is empty (--allow-no-manifests accepts that)")
    started = time.perf_counter()
    progress = sys.stderr.isatty() and len(files) >= PROGRESS_MIN_FILES
    _progress(progress, f"reading {len(files)} files…")
    fleet_run = fleet.FleetRun(schema, pargs, args.default_version, checker.named_files(paths))
    index = fleet_run.index(files)
    _progress(progress, f"checking {len(files)} files…")
    found = [fleet.as_fleet(r) for r in reports] + [fleet.as_fleet(r) for r in fleet_run.check_all(files, args.jobs)]
    broken = [fleet.as_fleet(r) for r in checker.config_reports(found, pargs)]
    found += broken
    doc = model.build(found, index, fleet_run.facts)
    text = render(doc, args.format)
    if not emit(text, args.output):
        return exits.USAGE
    _progress(progress, f"wrote {args.output or 'the report'} ({len(text.encode()):,} bytes, "
                        f"{len(doc['agents'])} agents) in {time.perf_counter() - started:.1f} s")
    status = _status(found, broken, empty and not args.allow_no_manifests)
    if status:
        return status
    return exits.FINDINGS if any(r.failed for r in found) else exits.OK
