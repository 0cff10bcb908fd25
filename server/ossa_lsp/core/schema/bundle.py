"""One self-contained JSON Schema document per bundled schema, for use in other tools.

Our schema files `$ref` shared definitions in `schemas/common/*.schema.json`. `bundle` copies every
definition such a schema reaches (transitively) into its own `definitions`, named
`common.<File>.<definition>` (e.g. `common.LLMConfig.v0.3.3`), and rewrites every `$ref` to point
there, so the result validates the same way with no other file around (yaml-language-server's
`yaml.schemas`, check-jsonschema, an IDE). The schema's own definitions keep their names.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

PREFIX_SEPARATOR = "."


class BundleError(ValueError):
    """A `$ref` that cannot be inlined (not `FILE#/definitions/NAME` form, or a missing target)."""


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def bundle_file(path: Path, base: Path | None = None) -> dict[str, Any]:
    """The schema at `path` with every cross-file `$ref` inlined; `base` is the folder names are
    made relative to (default: the schema's own folder)."""
    path = path.resolve()
    base = (base or path.parent).resolve()
    docs: dict[Path, Any] = {}

    def load(file: Path) -> Any:
        if file not in docs:
            try:
                docs[file] = json.loads(file.read_text("utf-8"))
            except (OSError, ValueError) as err:
                raise BundleError(f"cannot read {file.name}: {err}") from None
        return docs[file]

    root = copy.deepcopy(load(path))
    if not isinstance(root, dict):
        raise BundleError(f"{path.name} is not a JSON Schema object")
    found = root.get("definitions")
    own: dict[str, Any] = found if isinstance(found, dict) else {}
    names: dict[tuple[Path, str], str] = {}
    queue: list[tuple[Path, str]] = []

    def name_for(file: Path, definition: str) -> str:
        key = (file, definition)
        if key not in names:
            try:
                rel = file.relative_to(base).as_posix()
            except ValueError:
                rel = file.name
            stem = rel.removesuffix(".json").removesuffix(".schema").replace("/", PREFIX_SEPARATOR)
            name = f"{stem}{PREFIX_SEPARATOR}{definition}"
            if name in own:
                raise BundleError(f"definition name clash while bundling: {name}")
            names[key] = name
            queue.append(key)
        return names[key]

    def rewrite(node: Any, file: Path) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                node["$ref"] = target(ref, file)
            for value in node.values():
                rewrite(value, file)
        elif isinstance(node, list):
            for value in node:
                rewrite(value, file)

    def target(ref: str, file: Path) -> str:
        where, _, fragment = ref.partition("#")
        if "://" in where:
            raise BundleError(f"remote $ref {ref!r} cannot be bundled offline")
        other = (file.parent / where).resolve() if where else file
        if other == path:
            return f"#{fragment}"  # into the root document itself
        parts = fragment.split("/")
        if len(parts) != 3 or parts[:2] != ["", "definitions"]:
            raise BundleError(f"$ref {ref!r} in {file.name} does not point to a definition")
        definition = _unescape(parts[2])
        definitions = load(other).get("definitions") if isinstance(load(other), dict) else None
        if not isinstance(definitions, dict) or definition not in definitions:
            raise BundleError(f"$ref {ref!r} in {file.name} points to nothing")
        return f"#/definitions/{_escape(name_for(other, definition))}"

    rewrite(root, path)
    added: dict[str, Any] = {}
    while queue:
        file, definition = queue.pop(0)
        sub = copy.deepcopy(load(file)["definitions"][definition])
        if isinstance(sub, dict):
            sub.pop("$id", None)  # an $id would change the base of the refs inside
        rewrite(sub, file)
        added[names[(file, definition)]] = sub
    if added:
        root["definitions"] = {**own, **{name: added[name] for name in sorted(added)}}
        note = ("Bundled by ossa-lsp: the shared definitions this schema uses are inlined under "
                "definitions/common.* so the document works on its own.")
        root["$comment"] = f"{root['$comment']} {note}" if isinstance(root.get("$comment"), str) else note
    return root
