"""`ossa-lsp`: the language server (default, `serve`), the headless checker (`check`), and the
`rules`, `graph`, `schema` and `migrate` commands.

Imports are lazy so `ossa-lsp check` starts fast and never loads the LSP machinery.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ossa_lsp import __version__
from ossa_lsp.core.constants import FAIL_ON_LEVELS, PROFILES

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
    check.add_argument("-f", "--format", default="text",
                       choices=["text", "json", "sarif", "github", "gitlab", "junit"],
                       help="output format (default: text); gitlab is GitLab Code Quality, junit is JUnit XML")
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
    check.add_argument("--default-version", metavar="VERSION",
                       help="OSSA version for loose apiVersions such as ossa/v0.3 (e.g. v0.3.6)")
    fix = check.add_argument_group("fixes")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes to the files (atomically), then report "
                                                       "what remains")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="with --fix or --diff: also apply fixes that change behaviour (review them)")
    fix.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them")
    pol = check.add_argument_group("policy rules (see `ossa-lsp rules`)")
    pol.add_argument("--profile", choices=PROFILES, help="rule profile (default: the config's `extends`, else baseline)")
    pol.add_argument("--select", action="append", default=[], metavar="RULES",
                     help="only these rules: codes, names or prefixes, comma-separated (repeatable); NONE for "
                          "schema checks only")
    pol.add_argument("--ignore", action="append", default=[], metavar="RULES",
                     help="turn these rules off: codes, names or prefixes, comma-separated (repeatable)")
    cfg = pol.add_mutually_exclusive_group()
    cfg.add_argument("--config", metavar="FILE", help="use this .ossa-lsp.yaml for every file (no discovery)")
    cfg.add_argument("--no-config", action="store_true", help="ignore .ossa-lsp.yaml files")
    pol.add_argument("--fail-on", choices=FAIL_ON_LEVELS,
                     help="exit 1 when a finding is at least this severe (default: the config's fail-on, else error)")

    graph = sub.add_parser("graph", help="write the agent call graph (Mermaid or Graphviz DOT)",
                           description="Draw which agents call which, from the tool endpoints of every manifest "
                           "under the paths. Endpoints that match no agent are dashed external nodes.")
    graph.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    graph.add_argument("-f", "--format", choices=["mermaid", "dot"], default="mermaid", help="output format")
    graph.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    graph.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths")

    rules = sub.add_parser("rules", help="list the policy rules, or show one rule's documentation",
                           description="List the policy rules, or print one rule's page (`ossa-lsp rules SEC001`).")
    rules.add_argument("rule", nargs="?", metavar="CODE|NAME", help="a rule code or name")
    rules.add_argument("-f", "--format", choices=["text", "json"], default="text", help="output format")
    rules.add_argument("--profile", choices=PROFILES, help="list only the rules this profile turns on")
    rules.add_argument("--write-docs", metavar="DIR", help="write the rule pages and index (docs/rules) to DIR")
    rules.add_argument("--write-schema", metavar="FILE", help="write the JSON Schema of .ossa-lsp.yaml to FILE")

    schema = sub.add_parser("schema", help="list the bundled OSSA versions, or print one version's JSON Schema",
                            description="`schema list` shows the OSSA versions and kinds bundled with ossa-lsp and "
                            "how an apiVersion selects one; `schema show VERSION [KIND]` prints that schema.")
    schema_sub = schema.add_subparsers(dest="schema_command", metavar="list|show")
    schema_sub.required = True
    slist = schema_sub.add_parser("list", help="supported versions and kinds, oldest first")
    slist.add_argument("-f", "--format", choices=["text", "json"], default="text", help="output format")
    sshow = schema_sub.add_parser("show", help="print the JSON Schema of a version (and kind)",
                                  description="Print our JSON Schema for an OSSA version, e.g. for "
                                  "yaml-language-server's yaml.schemas. Bundled (self-contained) by default.")
    sshow.add_argument("version", metavar="VERSION", help="a version from `ossa-lsp schema list`, e.g. v0.3.6")
    sshow.add_argument("kind", nargs="?", metavar="KIND", help="a kind with its own schema file (Skill, MCPServer, "
                       "Validator); other kinds share the version's main schema")
    sshow.add_argument("--bundle", action=argparse.BooleanOptionalAction, default=True,
                       help="inline the shared definitions of schemas/common/ so the output stands alone "
                            "(default; --no-bundle prints the file as shipped)")
    sshow.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    mig = sub.add_parser("migrate", help="upgrade manifests to a newer OSSA version",
                         description="Upgrade manifests step by step through the OSSA versions up to --to: "
                         "apiVersion and renamed keys change, nothing else (comments, order and quoting are "
                         "kept). What still fails against the target schema is reported. Exit status: 0 all "
                         "migrated cleanly, 1 findings remain, 2 usage or I/O problem (or a downgrade).")
    mig.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    mig.add_argument("--to", required=True, metavar="VERSION", help="target version, e.g. v0.5.0 (or `newest`)")
    mig.add_argument("--diff", action="store_true", help="print a unified diff instead of writing the files")
    mig.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    mig.add_argument("-f", "--format", choices=["text", "json"], default="text", help="report format")
    mig.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                     help="skip paths matching GLOB while walking directories (repeatable)")
    mig.add_argument("--default-version", metavar="VERSION",
                     help="OSSA version that loose apiVersions such as ossa/v0.3 stand for (e.g. v0.3.6)")
    mig.add_argument("-q", "--quiet", action="store_true", help="no per-file progress lines")
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
        if args.command == "rules":
            return _rules(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "schema":
            return _schema(args, parser)
        if args.command == "migrate":
            return _migrate(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    parser.print_help()
    return EXIT_USAGE


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.lsp.app import run

    try:
        tcp = _host_port(args.tcp) if args.tcp else None
        ws = _host_port(args.ws) if args.ws else None
    except ValueError as err:
        parser.error(str(err))
    return run(tcp=tcp, ws=ws, log_file=args.log_file, verbosity=args.verbose)


def _emit(text: str, output: str | None) -> bool:
    """Write a report to `output` (or stdout); False, after a message, when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        _err(f"cannot write {output}: {err.strerror or err}")
        return False
    return True


def _err(message: str) -> None:
    print(f"ossa-lsp: {message}", file=sys.stderr)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def _policy_args(args: argparse.Namespace) -> Any:
    """The policy part of the command line, checked; None (after a message) when it is unusable."""
    from ossa_lsp.core.config import load as config

    select, ignore = _split(args.select), _split(args.ignore)
    unknown = config.unknown_selectors(select + ignore)
    if unknown:
        _err(f"unknown rule code, name or prefix: {', '.join(unknown)} (see `ossa-lsp rules`)")
        return None
    if args.config and not os.path.isfile(args.config):
        _err(f"config file not found: {args.config}")
        return None
    return config.Args(profile=args.profile, select=select, ignore=ignore, config_path=args.config,
                       fail_on=args.fail_on, no_config=args.no_config)


def _check(args: argparse.Namespace) -> int:
    from ossa_lsp.core.config import load as config
    from ossa_lsp.core.schema.registry import REGISTRY, SchemaError
    from ossa_lsp.headless import check as checker
    from ossa_lsp.output import reporters

    pargs = _policy_args(args)
    if pargs is None:
        return EXIT_USAGE
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
        policy = config.resolve(args.stdin_filename or os.path.join(os.getcwd(), "-"), pargs)[0]
        if text is None:
            reports.append(checker.FileReport(path=name, findings=[problem] if problem else [],
                                              fail_on=policy.fail_on))
        else:
            reports.append(checker.check_text(text, name, schema, policy))
    else:
        files, missing = checker.expand(paths, tuple(args.exclude), pargs)
        reports.extend(missing)
        if args.fix or args.diff:
            fixed = _fix(files, schema, pargs, args)
            if args.diff:
                return EXIT_FINDINGS if fixed else EXIT_OK
        reports.extend(checker.check_paths(files, schema, args.jobs, pargs, args.default_version,
                                           checker.index_files(files)))
    broken_config = checker.config_reports(reports, pargs)
    reports.extend(broken_config)
    colour = args.color == "always" or (
        args.color == "auto" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    text_out = reporters.get(args.format)(reports, {"color": colour, "quiet": args.quiet})
    if not _emit(text_out, args.output):
        return EXIT_USAGE
    if any(r.error for r in reports) or broken_config:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(r.failed for r in reports) else EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    from ossa_lsp.headless import check as checker
    from ossa_lsp.output import graph

    files, missing = checker.expand(args.paths or ["."], tuple(args.exclude))
    for m in missing:
        _err(f"{m.path}: {m.error}")
    index = checker.index_files(files)
    text = graph.mermaid(index) if args.format == "mermaid" else graph.dot(index)
    if not _emit(text, args.output):
        return EXIT_USAGE
    return EXIT_USAGE if missing else EXIT_OK


def _fix(files: Sequence[str], schema: Any, pargs: Any, args: argparse.Namespace) -> int:
    """Apply (or, with --diff, print) fixes; say what was fixed on stderr. Returns the number of fixes."""
    from ossa_lsp.core.config import load as config
    from ossa_lsp.headless import check as checker
    from ossa_lsp.headless import fix as fixer

    total = 0
    for path in files:
        shown = checker.display_path(path)
        policy = config.resolve(path, pargs)[0]
        out = fixer.fix_file(path, shown, policy, unsafe=args.unsafe_fixes, diff_only=args.diff, schema=schema,
                             default_version=args.default_version)
        if out.error:
            _err(f"{shown}: {out.error}")
        elif out.refused and out.refused != "not UTF-8 text":
            _err(f"{shown}: not fixed: {out.refused}")
        if args.diff:
            sys.stdout.write(out.diff)
        for code, pointer, title in out.applied:
            verb = "would fix" if args.diff else "fixed"
            print(f"{shown}: {verb} {code} at {pointer or '/'}: {title}", file=sys.stderr)
        total += len(out.applied)
    verb = "Would fix" if args.diff else "Fixed"
    print(f"{verb} {total} problem{'s' if total != 1 else ''}"
          + ("" if args.unsafe_fixes else " (safe fixes only; --unsafe-fixes for the rest)") + ".", file=sys.stderr)
    return total


def _rules(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from ossa_lsp.core.rules import lookup
    from ossa_lsp.output import rule_docs as docs

    if args.write_docs or args.write_schema:
        if args.write_docs:
            for p in docs.write_pages(Path(args.write_docs)):
                print(p)
        if args.write_schema:
            Path(args.write_schema).write_text(docs.config_schema_text(), encoding="utf-8")
            print(args.write_schema)
        return EXIT_OK
    if args.rule:
        rule = lookup(args.rule)
        if rule is None:
            _err(f"no rule {args.rule!r} (see `ossa-lsp rules`)")
            return EXIT_USAGE
        out = json.dumps(docs.as_json(rule), indent=2) + "\n" if args.format == "json" else docs.page(rule)
    elif args.format == "json":
        from ossa_lsp.core.rules import in_order

        chosen = [r for r in in_order() if not args.profile or r.levels.get(args.profile) is not None]
        out = json.dumps([docs.as_json(r) for r in chosen], indent=2) + "\n"
    else:
        out = docs.table(args.profile)
    sys.stdout.write(out)
    return EXIT_OK


# --- schema -----------------------------------------------------------------------------------------


def _schema(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.schema_command == "list":
        return _schema_list(args)
    if args.schema_command == "show":
        return _schema_show(args)
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _schema_list(args: argparse.Namespace) -> int:
    import json

    from ossa_lsp.core.migrate import mainline
    from ossa_lsp.core.schema import versions
    from ossa_lsp.core.schema.registry import REGISTRY

    newest = REGISTRY.newest()
    line = set(mainline())
    rules = (versions.__doc__ or "").strip()
    rows: list[dict[str, Any]] = []
    for e in REGISTRY.catalog:
        note = "newest" if e.version == newest else "minor-level schema" if e.file and e.version not in line \
            else "kind-specific schemas only" if not e.file else ""
        rows.append({"version": e.version, "kinds": list(e.kinds), "file": e.file, "kind_files": dict(e.kind_files),
                     "status": e.status, "newest": e.version == newest, "mainline": e.version in line, "note": note})
    if args.format == "json":
        out = {"versions": rows, "newest": newest, "migration_path": mainline(), "selection_rules": rules}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_OK
    width = max(len(", ".join(r["kinds"])) for r in rows)
    text = ["OSSA versions bundled with ossa-lsp (oldest first):", "",
            f"  {'VERSION':<8}  {'KINDS':<{width}}  NOTE"]
    for r in rows:
        text.append(f"  {r['version']:<8}  {', '.join(r['kinds']):<{width}}  {r['note']}".rstrip())
    text += ["", f"Newest: ossa/{newest}. `ossa-lsp schema show VERSION [KIND]` prints a schema; "
             "`ossa-lsp migrate --to VERSION` upgrades manifests.", "", rules]
    sys.stdout.write("\n".join(text) + "\n")
    return EXIT_OK


def _schema_show(args: argparse.Namespace) -> int:
    import json

    from ossa_lsp.core.schema.bundle import BundleError, bundle_file
    from ossa_lsp.core.schema.registry import REGISTRY

    wanted = args.version.strip().removeprefix("ossa/")
    wanted = wanted if wanted.startswith("v") else f"v{wanted}"
    entry = next((e for e in REGISTRY.catalog if e.version == wanted), None)
    if entry is None:
        known = ", ".join(e.version for e in REGISTRY.catalog)
        _err(f"no bundled schema for {args.version!r}; supported: {known} (see `ossa-lsp schema list`)")
        return EXIT_USAGE
    kind = args.kind
    if kind is not None:
        match = next((k for k in entry.kinds if k.lower() == kind.lower()), None)
        if match is None:
            _err(f"OSSA {entry.version} has no kind {kind!r}; its kinds: {', '.join(entry.kinds)}")
            return EXIT_USAGE
        kind = match
    file = entry.kind_files.get(kind, entry.file) if kind else entry.file
    if file is None:
        _err(f"OSSA {entry.version} has only kind-specific schemas; name a kind: {', '.join(entry.kind_files)}")
        return EXIT_USAGE
    path = REGISTRY.directory / file
    try:
        if args.bundle:
            text = json.dumps(bundle_file(path, REGISTRY.directory), indent=2, ensure_ascii=False) + "\n"
        else:
            text = path.read_text("utf-8")
    except (BundleError, OSError) as err:
        _err(f"cannot read the schema {file}: {err}")
        return EXIT_USAGE
    if not _emit(text, args.output):
        return EXIT_USAGE
    return EXIT_OK


# --- migrate ----------------------------------------------------------------------------------------


def _migrate(args: argparse.Namespace) -> int:
    import difflib
    import json
    from pathlib import Path

    from ossa_lsp.core.migrate import mainline, migrate, normalize_version
    from ossa_lsp.core.schema.registry import REGISTRY
    from ossa_lsp.headless import check as checker
    from ossa_lsp.headless import fix as fixer

    target = normalize_version(args.to)
    if target is None:
        _err(f"cannot migrate to {args.to!r}: not a released OSSA version; targets: {', '.join(mainline()[1:])} "
             "(or `newest`)")
        return EXIT_USAGE
    if args.default_version and args.default_version not in [e.version for e in REGISTRY.catalog]:
        _err(f"unknown --default-version {args.default_version!r} (see `ossa-lsp schema list`)")
        return EXIT_USAGE
    files, missing = checker.expand(args.paths or ["."], tuple(args.exclude))
    usage = False
    for m in missing:
        _err(f"{m.path}: {m.error}")
        usage = True
    write = not (args.diff or args.dry_run)
    findings_out = sys.stderr if args.diff else sys.stdout
    say = (lambda text: None) if args.quiet else (lambda text: print(text, file=sys.stderr))
    results: list[dict[str, Any]] = []
    counts = {"migrated": 0, "current": 0, "findings": 0, "with_findings": 0}
    verb = "migrated" if write else "would migrate"
    for path in files:
        shown = checker.display_path(path)
        record: dict[str, Any] = {"path": shown, "changed": False, "documents": [], "findings": []}
        results.append(record)
        try:
            raw = Path(path).read_bytes()
        except OSError as err:
            _err(f"{shown}: cannot read: {err.strerror or err}")
            record["error"] = "cannot read"
            usage = True
            continue
        bom = raw.startswith(b"\xef\xbb\xbf")
        text, problem = checker.decode(raw)
        if text is None:
            record["refused"] = problem.message if problem is not None else "not text"
            say(f"{shown}: not migrated: {record['refused']}")
            counts["with_findings"] += 1
            continue
        result = migrate(text, path, target, default_version=args.default_version)
        record["refused"] = result.refused
        for d in result.documents:
            if d.status == "skip":
                continue
            record["documents"].append({"index": d.index, "apiVersion": d.declared, "kind": d.kind,
                                        "from": d.source, "status": d.status, "reason": d.reason,
                                        "steps": d.steps,
                                        "renamed": [{"pointer": p, "from": o, "to": n, "in": v}
                                                    for p, o, n, v in d.renamed]})
            where = f"{shown}" + (f" (document {d.index + 1})" if len(result.documents) > 1 else "")
            if d.status == "migrate":
                counts["migrated"] += 1
                renames = "".join(f"; renamed {p.lstrip('/').replace('/', '.')} to `{n}` ({v})"
                                  for p, _o, n, v in d.renamed)
                say(f"{where}: {verb} {d.declared} → ossa/{target} ({len(d.steps)} "
                    f"step{'s' if len(d.steps) != 1 else ''}){renames}")
            elif d.status == "current":
                counts["current"] += 1
            elif d.status == "refused":
                say(f"{where}: not migrated: {d.reason}")
                if d.downgrade:
                    usage = True
        if result.refused:
            say(f"{shown}: not migrated: {result.refused}")
        record["findings"] = [f.to_json() for f in result.findings]
        if result.findings or result.refused or any(d.status == "refused" and not d.downgrade
                                                    for d in result.documents):
            counts["with_findings"] += 1
        counts["findings"] += len(result.findings)
        if args.format == "text":
            for f in result.findings:
                print(f"{shown}:{f.span.start.line + 1}:{f.span.start.character + 1}: {f.severity.label} {f.code} "
                      f"{f.message}", file=findings_out)
        if not result.changed:
            continue
        record["changed"] = True
        if args.diff:
            diff = "".join(difflib.unified_diff(
                text.splitlines(keepends=True), result.new_text.splitlines(keepends=True),
                fromfile=shown if shown.startswith("/") else f"a/{shown}",
                tofile=shown if shown.startswith("/") else f"b/{shown}"))
            if args.format == "json":
                record["diff"] = diff
            else:
                sys.stdout.write(diff)
        elif write:
            try:
                fixer.write_atomic(Path(path), (b"\xef\xbb\xbf" if bom else b"") + result.new_text.encode("utf-8"))
            except OSError as err:
                _err(f"{shown}: cannot write (the file is unchanged): {err.strerror or err}")
                record["error"] = "cannot write"
                record["changed"] = False
                usage = True
    if args.format == "json":
        sys.stdout.write(json.dumps({"target": f"ossa/{target}", "written": write, "files": results,
                                     "summary": counts}, indent=2) + "\n")
    n = counts["migrated"]
    summary = f"{'Migrated' if write else 'Would migrate'} {n} document{'s' if n != 1 else ''} to ossa/{target}"
    if counts["current"]:
        summary += f" ({counts['current']} already there)"
    if counts["findings"]:
        summary += f"; {counts['findings']} finding{'s' if counts['findings'] != 1 else ''} remain"
    if counts["with_findings"]:
        summary += f"; {counts['with_findings']} file{'s' if counts['with_findings'] != 1 else ''} need a look"
    print(summary + ".", file=sys.stderr)
    if usage:
        return EXIT_USAGE
    return EXIT_FINDINGS if counts["with_findings"] else EXIT_OK
