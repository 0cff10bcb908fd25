"""The schema at a JSON path: allowed keys, values and docs, resolving `$ref`, `allOf`, `anyOf`, `oneOf`.

Completion and hover ask "what may go here / what does this mean"; this module answers from the
schema alone, so it works the same for bundled and user-supplied schemas.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Schema = dict[str, Any]
MAX_REF_DEPTH = 32


class SchemaDocs:
    """The schema documents `$ref`s move between (our schemas and the shared `common/*.schema.json` they
    refer to, or a user's schema and the files next to it), and which document each object in them came
    from, so a `$ref` inside a shared definition resolves relative to that definition's file.

    One set belongs to the schema registry (its lifetime); objects are looked up by `id()`, which is sound
    because the set keeps every object it holds an id of alive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._docs: dict[Path, Schema] = {}
        self._origin: dict[int, Path] = {}  # id(any object of a document) → the document's file
        self._kept: list[Schema] = []  # every document added
        # (id(holder), id(target)) → (holder, target, target + holder's extras); holder and target are kept
        # so their ids cannot be reused by other objects
        self._merged: dict[tuple[int, int], tuple[Schema, Schema, Schema]] = {}

    def add(self, root: Schema, path: Path) -> None:
        """Remember the document `root` (and every object in it) as coming from `path`."""
        path = path.resolve()
        with self._lock:
            if self._docs.get(path) is root:
                return
            self._docs[path] = root
            self._kept.append(root)  # a document read again replaces the old one, whose ids stay taken
            stack: list[Any] = [root]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    self._origin[id(node)] = path
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)

    def path_of(self, obj: Schema) -> Path | None:
        return self._origin.get(id(obj))

    def document(self, path: Path) -> Schema | None:
        """The document at `path`, read (once) when a `$ref` first reaches it."""
        with self._lock:
            hit = self._docs.get(path)
        if hit is not None:
            return hit
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict):
            return None
        self.add(doc, path)
        return doc

    def merged(self, holder: Schema, target: Schema) -> Schema:
        """`target` with the keys written next to the `$ref` in `holder` on top (our descriptions beside a
        `$ref`); made once per pair and kept, so it too has a stable id and an origin."""
        key = (id(holder), id(target))
        hit = self._merged.get(key)
        if hit is not None:
            return hit[2]
        merged = {**target, **{k: v for k, v in holder.items() if k != "$ref"}}
        with self._lock:
            hit = self._merged.setdefault(key, (holder, target, merged))
            origin = self._origin.get(id(target))
            if hit[2] is merged and origin is not None:
                self._origin[id(merged)] = origin
        return hit[2]


class SchemaNav:
    """`kind`: the document's kind, when known. Schemas that cover several kinds pick the spec of each
    with `if: {properties: {kind: {const: Task}}}, then: ...`; with a kind, only its branch is followed
    (so a Task's `spec` offers Task keys, not the union of every kind's). Without one, every branch.

    `docs`: where `$ref`s to other files are followed (the registry's set for its schemas); without it
    only references inside `root` resolve."""

    def __init__(self, root: Schema, kind: str | None = None, docs: SchemaDocs | None = None) -> None:
        self.root = root
        self.docs = docs if docs is not None else SchemaDocs()
        self.path = self.docs.path_of(root)
        self.kind = kind

    @staticmethod
    def _pointer(doc: Any, ref: str) -> Schema | None:
        node: Any = doc
        for part in ref[1:].split("/")[1:] if ref not in ("#", "") else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node if isinstance(node, dict) else None

    def _target(self, holder: dict[str, Any], ref: str) -> Schema | None:
        file, _, fragment = ref.partition("#")
        base = self.docs.path_of(holder) or self.path
        if not file:
            doc = self.docs.document(base) if base is not None else None
            return self._pointer(doc if doc is not None else self.root, "#" + fragment)
        if base is None or "://" in file:
            return None  # only files next to ours are followed; never the network
        other = self.docs.document((base.parent / file).resolve())
        return self._pointer(other, "#" + fragment) if other is not None else None

    def resolve(self, schema: Any) -> Schema:
        depth = 0
        while isinstance(schema, dict) and "$ref" in schema and depth < MAX_REF_DEPTH:
            target = self._target(schema, str(schema["$ref"]))
            if target is None:
                break
            # our descriptions next to a $ref are kept, on top of the target's
            schema = self.docs.merged(schema, target) if len(schema) > 1 else target
            depth += 1
        return schema if isinstance(schema, dict) else {}

    def alternatives(self, schema: Any, depth: int = 0) -> list[Schema]:
        """The schema and every branch it may take (allOf parts merged in, anyOf/oneOf branches listed)."""
        s = self.resolve(schema)
        if depth > MAX_REF_DEPTH:
            return [s]
        out = [s]
        for part in s.get("allOf", ()):
            out.extend(self.alternatives(part, depth + 1))
        for key in ("anyOf", "oneOf"):
            for part in s.get(key, ()):
                out.extend(self.alternatives(part, depth + 1))
        branch = self._kind_branch(s) if self.kind is not None and "if" in s else None
        for key in ("then", "else"):
            if key in s and branch in (None, key):
                out.extend(self.alternatives(s[key], depth + 1))
        return out

    def _kind_branch(self, s: Schema) -> str | None:
        """'then' or 'else' for an `if` that tests `kind` alone (against our kind); None for other `if`s."""
        cond = self.resolve(s.get("if"))
        props = cond.get("properties")
        if not isinstance(props, dict) or set(props) != {"kind"} or set(cond) - {"properties", "required"}:
            return None
        test = self.resolve(props["kind"])
        if "const" in test:
            match = test["const"] == self.kind
        elif isinstance(test.get("enum"), list):
            match = self.kind in test["enum"]
        else:
            return None
        return "then" if match else "else"

    def child(self, schemas: Sequence[Schema], part: str | int) -> list[Schema]:
        out: list[Schema] = []
        for s in schemas:
            for alt in self.alternatives(s):
                if isinstance(part, int) or part == "-":
                    items = alt.get("items")
                    if isinstance(items, dict):
                        out.extend(self.alternatives(items))
                    elif isinstance(items, list) and isinstance(part, int) and part < len(items):
                        out.extend(self.alternatives(items[part]))
                    continue
                props = alt.get("properties", {})
                if part in props:
                    out.extend(self.alternatives(props[part]))
                    continue
                matched = False
                for pattern, sub in alt.get("patternProperties", {}).items():
                    try:
                        if re.search(pattern, part):
                            out.extend(self.alternatives(sub))
                            matched = True
                    except re.error:
                        continue
                if not matched and isinstance(alt.get("additionalProperties"), dict):
                    out.extend(self.alternatives(alt["additionalProperties"]))
        return out

    def at(self, path: Sequence[str | int]) -> list[Schema]:
        current = self.alternatives(self.root)
        for part in path:
            current = self.child(current, part)
            if not current:
                return []
        return current


@dataclass
class PropertyInfo:
    name: str
    schemas: list[Schema]
    required: bool = False


@dataclass
class Facts:
    """What a set of alternative schemas says about one value, merged for display."""

    description: str = ""
    markdown: str = ""
    title: str = ""
    types: list[str] = field(default_factory=list)
    enum: list[Any] = field(default_factory=list)
    enum_docs: dict[str, str] = field(default_factory=dict)
    default: Any = None
    has_default: bool = False
    examples: list[Any] = field(default_factory=list)
    minimum: Any = None
    maximum: Any = None
    pattern: str | None = None
    pattern_words: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None
    deprecated: str | None = None


def properties(nav: SchemaNav, schemas: Sequence[Schema]) -> dict[str, PropertyInfo]:
    out: dict[str, PropertyInfo] = {}
    required: set[str] = set()
    for s in schemas:
        for alt in nav.alternatives(s):
            required.update(r for r in alt.get("required", ()) if isinstance(r, str))
            for name, sub in alt.get("properties", {}).items():
                info = out.setdefault(name, PropertyInfo(name, []))
                info.schemas.extend(nav.alternatives(sub))
    for name in required:
        if name in out:
            out[name].required = True
    return out


def facts(nav: SchemaNav, schemas: Sequence[Schema]) -> Facts:
    from ossa_lsp.core.schema.patterns import explain_pattern

    f = Facts()
    for s in schemas:
        for alt in nav.alternatives(s):
            f.description = f.description or str(alt.get("description") or "")
            f.markdown = f.markdown or str(alt.get("markdownDescription") or "")
            f.title = f.title or str(alt.get("title") or "")
            t = alt.get("type")
            for typ in [t] if isinstance(t, str) else (t or []):
                if typ not in f.types:
                    f.types.append(typ)
            values = alt.get("enum", [])
            if "const" in alt:
                values = [alt["const"]]
            docs = alt.get("markdownEnumDescriptions") or alt.get("enumDescriptions") or []
            for i, v in enumerate(values):
                if v not in f.enum:
                    f.enum.append(v)
                    if i < len(docs) and isinstance(docs[i], str):
                        f.enum_docs[str(v)] = docs[i]
            if "default" in alt and not f.has_default:
                f.default, f.has_default = alt["default"], True
            for ex in alt.get("examples", []):
                if ex not in f.examples:
                    f.examples.append(ex)
            f.minimum = alt.get("minimum", alt.get("exclusiveMinimum")) if f.minimum is None else f.minimum
            f.maximum = alt.get("maximum", alt.get("exclusiveMaximum")) if f.maximum is None else f.maximum
            if f.pattern is None and "pattern" in alt:
                f.pattern = str(alt["pattern"])
                f.pattern_words = explain_pattern(alt)
            f.min_length = alt.get("minLength", f.min_length)
            f.max_length = alt.get("maxLength", f.max_length)
            f.format = f.format or alt.get("format")
            if alt.get("deprecated"):
                f.deprecated = str(alt.get("x-deprecationMessage") or "deprecated")
    return f


_KIND_LINE = re.compile(r"""^kind[ \t]*:[ \t]*["']?([A-Za-z][A-Za-z0-9]*)["']?[ \t]*(?:#.*)?$""", re.M)
_KIND_JSON = re.compile(r'"kind"\s*:\s*"([A-Za-z][A-Za-z0-9]*)"')
_DOC_START = re.compile(r"^---", re.M)


def kind_in_text(text: str, offset: int, is_json: bool = False) -> str | None:
    """The `kind` of the document around `offset`, read from the text alone (so it works while the
    YAML is broken): a top-level `kind: X` line of that YAML document, or the first "kind" of JSON."""
    if is_json:
        m = _KIND_JSON.search(text)
        return m.group(1) if m else None
    starts = [0, *(m.start() for m in _DOC_START.finditer(text))]
    start = max(s for s in starts if s <= offset) if any(s <= offset for s in starts) else 0
    following = [s for s in starts if s > start]
    m = _KIND_LINE.search(text, start, following[0] if following else len(text))
    return m.group(1) if m else None
