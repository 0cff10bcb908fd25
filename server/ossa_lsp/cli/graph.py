"""`ossa-lsp graph`: the agent call graph of every manifest under the paths, as Mermaid or DOT."""

from __future__ import annotations

import argparse

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import emit, err, shown_paths, warn


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.headless import check as checker
    from ossa_lsp.output import graph

    paths = args.paths or ["."]
    files, missing = checker.expand(paths, tuple(args.exclude))
    for m in missing:  # errors (a named path) and warnings (a folder met while walking)
        err(f"{m.path}: {m.error or '; '.join(f.message for f in m.findings)}")
    missing = [m for m in missing if m.error]
    index = checker.CheckRun().index(files)
    empty = not missing and not index.agents()
    if empty and not args.allow_no_agents:
        warn(f"no agents found in {shown_paths(paths)}; the chart is empty (--allow-no-agents accepts that)")
    text = graph.mermaid(index) if args.format == "mermaid" else graph.dot(index)
    if not emit(text, args.output):
        return exits.USAGE
    if missing:
        return exits.USAGE
    return exits.EMPTY if empty and not args.allow_no_agents else exits.OK
