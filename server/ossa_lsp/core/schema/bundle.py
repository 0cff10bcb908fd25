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
    return _Bundler(path.resolve(), (base or path.parent).resolve()).bundle()


class _Bundler:
    def __init__(self, path: Path, base: Path) -> None:
        self.path = path
        self.base = base
        self.docs: dict[Path, Any] = {}
        self.own: dict[str, Any] = {}  # the root schema's own definitions
        self.names: dict[tuple[Path, str], str] = {}  # (file, definition) → its name in the bundle
        self.queue: list[tuple[Path, str]] = []  # definitions named but not copied yet

    def bundle(self) -> dict[str, Any]:
        root = copy.deepcopy(self.load(self.path))
        if not isinstance(root, dict):
            raise BundleError(f"{self.path.name} is not a JSON Schema object")
        found = root.get("definitions")
        self.own = found if isinstance(found, dict) else {}
        self.rewrite(root, self.path)
        added: dict[str, Any] = {}
        while self.queue:
            file, definition = self.queue.pop(0)
            sub = copy.deepcopy(self.load(file)["definitions"][definition])
            if isinstance(sub, dict):
                sub.pop("$id", None)  # an $id would change the base of the refs inside
            self.rewrite(sub, file)
            added[self.names[(file, definition)]] = sub
        if added:
            root["definitions"] = {**self.own, **{name: added[name] for name in sorted(added)}}
            note = ("Bundled by ossa-lsp: the shared definitions this schema uses are inlined under "
                    "definitions/common.* so the document works on its own.")
            root["$comment"] = f"{root['$comment']} {note}" if isinstance(root.get("$comment"), str) else note
        return root

    def load(self, file: Path) -> Any:
        if file not in self.docs:
            try:
                self.docs[file] = json.loads(file.read_text("utf-8"))
            except (OSError, ValueError) as err:
                raise BundleError(f"cannot read {file.name}: {err}") from None
        return self.docs[file]

    def name_for(self, file: Path, definition: str) -> str:
        key = (file, definition)
        if key not in self.names:
            try:
                rel = file.relative_to(self.base).as_posix()
            except ValueError:
                rel = file.name
            stem = rel.removesuffix(".json").removesuffix(".schema").replace("/", PREFIX_SEPARATOR)
            name = f"{stem}{PREFIX_SEPARATOR}{definition}"
            if name in self.own:
                raise BundleError(f"definition name clash while bundling: {name}")
            self.names[key] = name
            self.queue.append(key)
        return self.names[key]

    def rewrite(self, node: Any, file: Path) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                node["$ref"] = self.target(ref, file)
            for value in node.values():
                self.rewrite(value, file)
        elif isinstance(node, list):
            for value in node:
                self.rewrite(value, file)

    def target(self, ref: str, file: Path) -> str:
        where, _, fragment = ref.partition("#")
        if "://" in where:
            raise BundleError(f"remote $ref {ref!r} cannot be bundled offline")
        other = (file.parent / where).resolve() if where else file
        if other == self.path:
            return f"#{fragment}"  # into the root document itself
        parts = fragment.split("/")
        if len(parts) != 3 or parts[:2] != ["", "definitions"]:
            raise BundleError(f"$ref {ref!r} in {file.name} does not point to a definition")
        definition = _unescape(parts[2])
        doc = self.load(other)
        definitions = doc.get("definitions") if isinstance(doc, dict) else None
        if not isinstance(definitions, dict) or definition not in definitions:
            raise BundleError(f"$ref {ref!r} in {file.name} points to nothing")
        return f"#/definitions/{_escape(self.name_for(other, definition))}"
