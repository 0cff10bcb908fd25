"""`ossa-lsp schema list | show`: the bundled OSSA versions and kinds, or one version's JSON Schema."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ossa_lsp.cli import exits
from ossa_lsp.cli.common import emit, err


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.schema_command == "list":
        return _list(args)
    if args.schema_command == "show":
        return _show(args)
    parser.print_help(sys.stderr)
    return exits.USAGE


def _list(args: argparse.Namespace) -> int:
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
        return exits.OK
    width = max(len(", ".join(r["kinds"])) for r in rows)
    text = ["OSSA versions bundled with ossa-lsp (oldest first):", "",
            f"  {'VERSION':<8}  {'KINDS':<{width}}  NOTE"]
    for r in rows:
        text.append(f"  {r['version']:<8}  {', '.join(r['kinds']):<{width}}  {r['note']}".rstrip())
    text += ["", f"Newest: ossa/{newest}. `ossa-lsp schema show VERSION [KIND]` prints a schema; "
             "`ossa-lsp migrate --to VERSION` upgrades manifests.", "", rules]
    sys.stdout.write("\n".join(text) + "\n")
    return exits.OK


def _show(args: argparse.Namespace) -> int:
    from ossa_lsp.core.schema.bundle import BundleError, bundle_file
    from ossa_lsp.core.schema.registry import REGISTRY

    wanted = args.version.strip().removeprefix("ossa/")
    wanted = wanted if wanted.startswith("v") else f"v{wanted}"
    entry = next((e for e in REGISTRY.catalog if e.version == wanted), None)
    if entry is None:
        known = ", ".join(e.version for e in REGISTRY.catalog)
        err(f"no bundled schema for {args.version!r}; supported: {known} (see `ossa-lsp schema list`)")
        return exits.USAGE
    kind = args.kind
    if kind is not None:
        match = next((k for k in entry.kinds if k.lower() == kind.lower()), None)
        if match is None:
            err(f"OSSA {entry.version} has no kind {kind!r}; its kinds: {', '.join(entry.kinds)}")
            return exits.USAGE
        kind = match
    file = entry.kind_files.get(kind, entry.file) if kind else entry.file
    if file is None:
        err(f"OSSA {entry.version} has only kind-specific schemas; name a kind: {', '.join(entry.kind_files)}")
        return exits.USAGE
    path = REGISTRY.directory / file
    try:
        if args.bundle:
            text = json.dumps(bundle_file(path, REGISTRY.directory), indent=2, ensure_ascii=False) + "\n"
        else:
            text = path.read_text("utf-8")
    except (BundleError, OSError) as error:
        err(f"cannot read the schema {file}: {error}")
        return exits.USAGE
    if not emit(text, args.output):
        return exits.USAGE
    return exits.OK
