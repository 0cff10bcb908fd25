"""`ossa-lsp rules`: the policy rules as a table or JSON, one rule's (or any code's) page, or the generated docs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import err


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ossa_lsp.core.rules import in_order, lookup
    from ossa_lsp.output import rule_docs as docs

    if args.write_docs or args.write_schema:
        if args.write_docs:
            for p in docs.write_pages(Path(args.write_docs)):
                print(p)
        if args.write_schema:
            Path(args.write_schema).write_text(docs.config_schema_text(), encoding="utf-8")
            print(args.write_schema)
        return exits.OK
    if args.rule:
        rule = lookup(args.rule)
        if rule is not None:
            out = json.dumps(docs.as_json(rule), indent=2) + "\n" if args.format == "json" else docs.page(rule)
        else:  # a syntax, schema or config code
            from ossa_lsp.output.docgen import code_docs

            found = code_docs(args.rule)
            if found is None:
                err(f"no rule {args.rule!r} (see `ossa-lsp rules`)")
                return exits.USAGE
            out = json.dumps(found, indent=2) + "\n" if args.format == "json" else found["markdown"]
    elif args.format == "json":
        chosen = [r for r in in_order() if not args.profile or r.levels.get(args.profile) is not None]
        out = json.dumps([docs.as_json(r) for r in chosen], indent=2) + "\n"
    else:
        out = docs.table(args.profile)
    sys.stdout.write(out)
    return exits.OK
