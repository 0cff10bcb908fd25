"""`ossa-lsp migrate --to VERSION`: upgrade manifests step by step (core/migrate.py does the text edits),
write them through core/files.py (or print a diff), and report what still fails against the target."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import err, plural
from ossa_lsp.core.scrub import scrub
from ossa_lsp.core.words import count_verb
from ossa_lsp.output.escape import dumps


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.core.migrate import mainline, normalize_version
    from ossa_lsp.core.schema.registry import REGISTRY
    from ossa_lsp.headless import check as checker

    target = normalize_version(args.to)
    if target is None:
        err(f"cannot migrate to {args.to!r}: not a released OSSA version; targets: {', '.join(mainline()[1:])} "
            "(or `newest`)")
        return exits.USAGE
    if args.default_version and args.default_version not in [e.version for e in REGISTRY.catalog]:
        err(f"unknown --default-version {args.default_version!r} (see `ossa-lsp schema list`)")
        return exits.USAGE
    files, missing = checker.expand(args.paths or ["."], tuple(args.exclude))
    m = Migration(args, target)
    for r in missing:  # errors (a named path) and warnings (a folder met while walking)
        err(f"{r.path}: {r.error or '; '.join(f.message for f in r.findings)}")
        m.usage = m.usage or r.error is not None
    for path in files:
        m.file(path)
    if args.format == "json":
        sys.stdout.write(dumps({"target": f"ossa/{target}", "written": m.write, "files": m.results,
                                "summary": m.counts}))  # valid UTF-8 whatever the file names
    print(m.summary(), file=sys.stderr)
    if m.usage:
        return exits.USAGE
    return exits.FINDINGS if m.counts["with_findings"] else exits.OK


@dataclass
class Migration:
    """One migrate run: the per-file records (the JSON report), the counts, and whether an I/O problem
    or a downgrade makes it a usage error."""

    args: argparse.Namespace
    target: str
    results: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"migrated": 0, "current": 0, "findings": 0,
                                                            "with_findings": 0})
    usage: bool = False

    @property
    def write(self) -> bool:
        return not (self.args.diff or self.args.dry_run)

    @property
    def say(self) -> Callable[[str], None]:
        return (lambda text: None) if self.args.quiet else (lambda text: print(scrub(text), file=sys.stderr))

    def file(self, path: str) -> None:
        from ossa_lsp.core import files
        from ossa_lsp.core.migrate import migrate
        from ossa_lsp.headless.report import display_path

        shown = display_path(path)
        record: dict[str, Any] = {"path": shown, "changed": False, "documents": [], "findings": []}
        self.results.append(record)
        try:
            loaded = files.load(path)
        except files.FileError as error:
            err(f"{shown}: {error}")
            record["error"] = "cannot read"
            self.usage = True
            return
        if loaded.text is None:
            record["refused"] = loaded.problem.message if loaded.problem is not None else "not text"
            self.say(f"{shown}: not migrated: {record['refused']}")
            self.counts["with_findings"] += 1
            return
        result = migrate(loaded.text, path, self.target, default_version=self.args.default_version)
        record["refused"] = result.refused
        self._documents(result, record, shown)
        if result.refused:
            self.say(f"{shown}: not migrated: {result.refused}")
        record["findings"] = [f.to_json() for f in result.findings]
        if result.findings or result.refused or any(d.status == "refused" and not d.downgrade
                                                    for d in result.documents):
            self.counts["with_findings"] += 1
        self.counts["findings"] += len(result.findings)
        if self.args.format == "text":
            out = sys.stderr if self.args.diff else sys.stdout
            for f in result.findings:
                print(scrub(f"{shown}:{f.span.start.line + 1}:{f.span.start.character + 1}: {f.severity.label} "
                            f"{f.code} {f.message}"), file=out)
        if result.changed:
            self._changed(path, shown, loaded, result.new_text, record)

    def _documents(self, result: Any, record: dict[str, Any], shown: str) -> None:
        verb = "migrated" if self.write else "would migrate"
        for d in result.documents:
            if d.status == "skip":
                continue
            record["documents"].append({"index": d.index, "apiVersion": d.declared, "kind": d.kind,
                                        "from": d.source, "status": d.status, "reason": d.reason, "steps": d.steps,
                                        "renamed": [{"pointer": p, "from": o, "to": n, "in": v}
                                                    for p, o, n, v in d.renamed]})
            where = shown + (f" (document {d.index + 1})" if len(result.documents) > 1 else "")
            if d.status == "migrate":
                self.counts["migrated"] += 1
                renames = "".join(f"; renamed {p.lstrip('/').replace('/', '.')} to `{n}` ({v})"
                                  for p, _o, n, v in d.renamed)
                self.say(f"{where}: {verb} {d.declared} → ossa/{self.target} ({plural(len(d.steps), 'step')})"
                         f"{renames}")
            elif d.status == "current":
                self.counts["current"] += 1
            elif d.status == "refused":
                self.say(f"{where}: not migrated: {d.reason}")
                if d.downgrade:
                    self.usage = True

    def _changed(self, path: str, shown: str, loaded: Any, new_text: str, record: dict[str, Any]) -> None:
        from ossa_lsp.core import files

        record["changed"] = True
        if self.args.diff:
            diff = files.unified_diff(loaded.text, new_text, shown)
            if self.args.format == "json":
                record["diff"] = diff
            else:
                sys.stdout.write(diff)
        elif self.write:
            try:
                files.write_atomic(path, loaded.encode(new_text), expected=loaded.raw)
            except files.FileError as error:
                reason = str(error) if error.kind == "unwritable" else f"not migrated: {error}"
                err(f"{shown}: {reason}")
                record["error"] = "cannot write"
                record["changed"] = False
                self.usage = True

    def summary(self) -> str:
        c = self.counts
        text = f"{'Migrated' if self.write else 'Would migrate'} {plural(c['migrated'], 'document')} to ossa/{self.target}"
        if c["current"]:
            text += f" ({c['current']} already there)"
        if c["findings"]:
            text += f"; {count_verb(c['findings'], 'finding', 'remains')}"
        if c["with_findings"]:
            text += f"; {count_verb(c['with_findings'], 'file', 'needs')} a look"
        return text + "."
