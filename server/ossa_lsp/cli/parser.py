"""The command line of `ossa-lsp`: one argparse parser, one function per command's options.

Imports nothing heavy: building the parser is part of every start-up.
"""

from __future__ import annotations

import argparse

from ossa_lsp import __version__
from ossa_lsp.core.constants import FAIL_ON_LEVELS, PROFILES

CHECK_FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")  # mirrors output.reporters.FORMATS
SERVE_FLAGS = ("--stdio", "--tcp", "--ws", "--log-file", "-v", "--verbose", "--log-level")


def build() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ossa-lsp",
        description="Language server and CI checker for OSSA agent manifests. "
        "With no command, speaks LSP on stdio.",
    )
    p.add_argument("--version", action="version", version=f"ossa-lsp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    add_serve(sub.add_parser("serve", help="run the language server (stdio by default)"))
    add_check(sub.add_parser(
        "check", help="check manifests (files, directories, or - for stdin)",
        description="Check OSSA manifests. Exit status: 0 no errors, 1 errors found, 2 usage, configuration "
        "or I/O problem (a path you named cannot be read, a fix cannot be written), 3 no manifests found."))
    add_graph(sub.add_parser(
        "graph", help="write the agent call graph (Mermaid or Graphviz DOT)",
        description="Draw which agents call which, from the tool endpoints of every manifest under the paths. "
        "Endpoints that match no agent are dashed external nodes. Exit status: 0 drawn, 2 a path cannot be "
        "read, 3 no agents found."))
    add_report(sub.add_parser(
        "report", help="write a fleet report: one offline HTML page, a markdown summary or JSON",
        description="Report on every agent under the paths: the call graph, budgets and fleet totals, posture "
        "per profile and the findings (the same as `check`). Exit status: as `check` (0, 1 findings at the "
        "fail-on level, 2 usage or I/O problem, 3 no manifests found)."))
    add_rules(sub.add_parser(
        "rules", help="list the policy rules, or show one rule's documentation",
        description="List the policy rules, or print one rule's page (`ossa-lsp rules SEC001`)."))
    add_schema(sub.add_parser(
        "schema", help="list the bundled OSSA versions, or print one version's JSON Schema",
        description="`schema list` shows the OSSA versions and kinds bundled with ossa-lsp and how an "
        "apiVersion selects one; `schema show VERSION [KIND]` prints that schema."))
    add_migrate(sub.add_parser(
        "migrate", help="upgrade manifests to a newer OSSA version",
        description="Upgrade manifests step by step through the OSSA versions up to --to: apiVersion and "
        "renamed keys change, nothing else (comments, order and quoting are kept). What still fails against "
        "the target schema is reported. Exit status: 0 all migrated cleanly, 1 findings remain, 2 usage or "
        "I/O problem (or a downgrade)."))
    add_format(sub.add_parser(
        "format", help="format manifests (comment-preserving, 2-space indentation)",
        description="Format OSSA manifests in place: comments, key order, quoting, anchors and block scalars "
        "are kept; 2-space indentation; no line is re-wrapped. Files with syntax errors are left alone. "
        "Exit status: 0 nothing (left) to change, 1 --check or --diff found a file to reformat, 2 a path "
        "cannot be read, a file cannot be written or is refused, 3 no manifests found."))
    return p


def add_serve(p: argparse.ArgumentParser) -> None:
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="speak LSP on stdin/stdout (the default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", help="listen for one client on a TCP socket")
    mode.add_argument("--ws", metavar="HOST:PORT", help="listen on a WebSocket")
    p.add_argument("--log-file", metavar="FILE", help="write logs to FILE (stdout belongs to the protocol)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    p.add_argument("-f", "--format", default="text", choices=CHECK_FORMATS,
                   help="output format (default: text); gitlab is GitLab Code Quality, junit is JUnit XML")
    p.add_argument("--schema", metavar="FILE", help="validate with this JSON Schema instead of the bundled ones")
    p.add_argument("--stdin-filename", metavar="NAME", help="file name to report for stdin (also picks JSON/YAML)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="colour text output (default: auto, on a terminal unless NO_COLOR is set)")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="parallel workers when there are many files (default: number of cores, at most 4)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip paths matching GLOB while walking directories (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="text format: no summary line unless errors")
    p.add_argument("--default-version", metavar="VERSION",
                   help="OSSA version for loose apiVersions such as ossa/v0.3 (e.g. v0.3.6)")
    p.add_argument("--allow-no-manifests", action="store_true",
                   help="exit 0 instead of 3 when the paths hold no manifest (e.g. a template repository)")
    fix = p.add_argument_group("fixes")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes to the files (atomically), then report "
                                                       "what remains")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="with --fix or --diff: also apply fixes that change behaviour (review them)")
    fix.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them")
    _add_policy(p.add_argument_group("policy rules (see `ossa-lsp rules`)"))


def _add_policy(pol: argparse._ArgumentGroup) -> None:
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


def add_graph(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("-f", "--format", choices=["mermaid", "dot"], default="mermaid", help="output format")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths")
    p.add_argument("--allow-no-agents", action="store_true",
                   help="exit 0 instead of 3 when the paths hold no agent (the chart is empty)")


def add_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("-f", "--format", choices=["html", "markdown", "json"], default="html",
                   help="html: one self-contained page (default); markdown: a summary of at most 60 lines; json")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--schema", metavar="FILE", help="validate with this JSON Schema instead of the bundled ones")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="parallel workers when there are many files (default: number of cores, at most 4)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip paths matching GLOB while walking directories (repeatable)")
    p.add_argument("--default-version", metavar="VERSION",
                   help="OSSA version for loose apiVersions such as ossa/v0.3 (e.g. v0.3.6)")
    p.add_argument("--allow-no-manifests", action="store_true",
                   help="exit 0 instead of 3 when the paths hold no manifest")
    _add_policy(p.add_argument_group("policy rules (see `ossa-lsp rules`)"))


def add_rules(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", nargs="?", metavar="CODE|NAME", help="a rule code or name")
    p.add_argument("-f", "--format", choices=["text", "json"], default="text", help="output format")
    p.add_argument("--profile", choices=PROFILES, help="list only the rules this profile turns on")
    p.add_argument("--write-docs", metavar="DIR", help="write the rule pages and index (docs/rules) to DIR")
    p.add_argument("--write-schema", metavar="FILE", help="write the JSON Schema of .ossa-lsp.yaml to FILE")


def add_schema(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="schema_command", metavar="list|show")
    sub.required = True
    slist = sub.add_parser("list", help="supported versions and kinds, oldest first")
    slist.add_argument("-f", "--format", choices=["text", "json"], default="text", help="output format")
    sshow = sub.add_parser("show", help="print the JSON Schema of a version (and kind)",
                           description="Print our JSON Schema for an OSSA version, e.g. for "
                           "yaml-language-server's yaml.schemas. Bundled (self-contained) by default.")
    sshow.add_argument("version", metavar="VERSION", help="a version from `ossa-lsp schema list`, e.g. v0.3.6")
    sshow.add_argument("kind", nargs="?", metavar="KIND", help="a kind with its own schema file (Skill, MCPServer, "
                       "Validator); other kinds share the version's main schema")
    sshow.add_argument("--bundle", action=argparse.BooleanOptionalAction, default=True,
                       help="inline the shared definitions of schemas/common/ so the output stands alone "
                            "(default; --no-bundle prints the file as shipped)")
    sshow.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def add_migrate(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    p.add_argument("--to", required=True, metavar="VERSION", help="target version, e.g. v0.5.0 (or `newest`)")
    p.add_argument("--diff", action="store_true", help="print a unified diff instead of writing the files")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("-f", "--format", choices=["text", "json"], default="text", help="report format")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip paths matching GLOB while walking directories (repeatable)")
    p.add_argument("--default-version", metavar="VERSION",
                   help="OSSA version that loose apiVersions such as ossa/v0.3 stand for (e.g. v0.3.6)")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-file progress lines")


def add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - formats stdin "
                   "to stdout")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file would change")
    mode.add_argument("--diff", action="store_true", help="print the changes as a unified diff; write nothing")
    p.add_argument("--canonical-order", action="store_true",
                   help="also order keys: apiVersion, kind, metadata, spec, then the schema's order inside "
                        "metadata and spec")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip paths matching GLOB while walking directories (repeatable)")
    p.add_argument("--stdin-filename", metavar="NAME", help="file name for stdin (a .json name formats JSON)")
