"""The VS Code extension's `contributes.configuration`, generated from the server's settings model.

`Settings` (lsp/settings.py) is the one source of truth: every field becomes `ossa.<camelName>` with
its type, default, bounds, enum (from `Literal`) and description (from `Field(description=...)`).
The extension adds the settings only it reads (how to start the server, tracing).

    python -m ossa_lsp.output.settings_export                       # print the JSON
    python -m ossa_lsp.output.settings_export vscode-extension/package.json          # update in place
    python -m ossa_lsp.output.settings_export --check vscode-extension/package.json  # exit 1 when stale

`tests/unit/test_extension_settings.py` fails when the committed package.json is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
import types as pytypes
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from ossa_lsp.lsp.settings import Settings

SECTION = "ossa"
TITLE = "OSSA"

# Read by the extension only (never sent to the server): how to start it, and protocol tracing.
EXTENSION_ONLY: dict[str, dict[str, Any]] = {
    "ossa.server.python": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": "Python interpreter that has `ossa-lsp` installed; the server runs as "
        "`<python> -m ossa_lsp`. `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and `~` are expanded "
        "(e.g. `${workspaceFolder}/.venv/bin/python`). Empty: see `#ossa.server.importStrategy#`; the "
        "server bundled with the extension runs with the Python extension's active interpreter, else "
        "`python3`, else `python`.",
    },
    "ossa.server.command": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "scope": "machine-overridable",
        "markdownDescription": "The full command that starts the server on stdio, overriding "
        "`#ossa.server.python#` (e.g. `[\"ossa-lsp\"]` for a pipx install, or "
        "`[\"uvx\", \"ossa-lsp\"]`). The same variables are expanded.",
    },
    "ossa.server.importStrategy": {
        "type": "string",
        "enum": ["fromEnvironment", "useBundled"],
        "enumDescriptions": [
            "An ossa-lsp installed in the Python environment (the Python extension's, else `python3`/`python`) "
            "wins; the bundled server otherwise.",
            "Always the server bundled with the extension.",
        ],
        "default": "fromEnvironment",
        "scope": "window",
        "markdownDescription": "Which server runs when neither `#ossa.server.command#` nor "
        "`#ossa.server.python#` is set. The platform-specific extension carries ossa-lsp and its "
        "dependencies, for CPython 3.10-3.14: nothing to install.",
    },
    "ossa.trace.server": {
        "type": "string",
        "enum": ["off", "messages", "verbose"],
        "enumDescriptions": ["No protocol trace.", "Method names and timing.", "Every message in full."],
        "default": "off",
        "scope": "window",
        "description": "Trace the messages between VS Code and the OSSA language server in the output channel.",
    },
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    """`X | None` → (X, True)."""
    origin = get_origin(annotation)
    if origin in (Union, pytypes.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) < len(get_args(annotation)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True  # noqa: UP007
    return annotation, False


def _schema_of(annotation: Any) -> dict[str, Any]:
    annotation, nullable = _strip_none(annotation)
    origin = get_origin(annotation)
    out: dict[str, Any]
    if origin is Literal:
        values = list(get_args(annotation))
        out = {"type": "string", "enum": values}
    elif annotation is bool:
        out = {"type": "boolean"}
    elif annotation is int:
        out = {"type": "integer"}
    elif annotation is float:
        out = {"type": "number"}
    elif annotation is str:
        out = {"type": "string"}
    elif origin in (list, tuple, set, frozenset):
        (item,) = get_args(annotation)[:1] or (str,)
        out = {"type": "array", "items": _schema_of(item)}
    elif origin is dict:
        _key, value = get_args(annotation)
        out = {"type": "object", "additionalProperties": _schema_of(value)}
    else:
        raise TypeError(f"settings_export: no VS Code type for {annotation!r}")
    if nullable:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _bounds(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"),
                          ("lt", "exclusiveMaximum"), ("min_length", "minItems"), ("max_length", "maxItems")):
            value = getattr(meta, attr, None)
            if value is not None:
                out[key] = value
    return out


def properties() -> dict[str, Any]:
    """`ossa.*` properties of the server's settings, in the model's field order, then the extension's."""
    defaults = Settings().model_dump(mode="json")
    props: dict[str, Any] = {}
    for order, (name, info) in enumerate(Settings.model_fields.items()):
        key = info.alias or _camel(name)
        if info.description is None:
            raise ValueError(f"Settings.{name} needs Field(description=...) for the VS Code settings UI")
        prop = _schema_of(info.annotation)
        prop.update(_bounds(info))
        prop["default"] = defaults[name]
        prop["scope"] = "window"  # the server reads one `ossa` section for the whole window
        prop["order"] = order
        prop["description"] = info.description
        props[f"{SECTION}.{key}"] = prop
    for order, (key, prop) in enumerate(EXTENSION_ONLY.items(), start=len(props)):
        props[key] = {**prop, "order": order}
    return props


def configuration() -> dict[str, Any]:
    return {"title": TITLE, "properties": properties()}


def render(package: dict[str, Any]) -> dict[str, Any]:
    """`package` (a parsed package.json) with its `contributes.configuration` regenerated; key order kept."""
    out = dict(package)
    contributes = dict(out.get("contributes") or {})
    contributes["configuration"] = configuration()
    out["contributes"] = contributes
    return out


def dumps(package: dict[str, Any]) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ossa_lsp.output.settings_export", description=__doc__.split("\n")[0])
    parser.add_argument("package_json", nargs="?", help="package.json to update in place (default: print the JSON)")
    parser.add_argument("--check", action="store_true", help="only check: exit 1 when package.json is out of date")
    args = parser.parse_args(argv)
    if not args.package_json:
        sys.stdout.write(json.dumps(configuration(), indent=2) + "\n")
        return 0
    path = Path(args.package_json)
    text = path.read_text("utf-8")
    new = dumps(render(json.loads(text)))
    if new == text:
        return 0
    if args.check:
        print(f"{path}: contributes.configuration is out of date; run "
              f"`python -m ossa_lsp.output.settings_export {path}`", file=sys.stderr)
        return 1
    path.write_text(new, "utf-8")
    print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
