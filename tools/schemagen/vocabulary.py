"""The vocabulary of the loose `spec`: what OSSA versions that still checked `spec` allowed in it, merged.

From v0.4.6 upstream's schemas accept anything inside `spec` of Agent, Task, Workflow and Flow. The
server's vocabulary checks (core/schema/vocabulary.py) still report the mistakes a person makes there,
using this file: for each kind, one tree built from the facts of every version whose schema checked
that kind's `spec`, merged so that a value is accepted when **any** of those versions accepted it
(`merge`): a key known in any version is known; types and ranges some version stated apply in their
loosest form (a version that says nothing does not cancel them); where a later version freed a field
(any text instead of a list of values, any key in a closed object) only near misses of the known names
are reported, and a text form (pattern) is kept only while every version required one. So manifests
written for newer runtimes stay quiet while typos, wrong types and impossible values are caught.

A node is a mapping with any of:

    types       allowed JSON types ("integer" is also a "number"); absent: any type
    enum        allowed values, for the JSON types in enumTypes only
    free        some version accepted any text here: only near misses of `enum` are reported
    patterns    strings must match one of these (ECMA-262 patterns, as upstream wrote them)
    minimum maximum exclusiveMinimum exclusiveMaximum   for numbers
    keys        known keys of a mapping, each a node
    closed      true: a key not in `keys` is unknown (some version rejected unknown keys here)
    open        some version accepted any key here: only near misses of `keys` are reported
    values      the node for the values of keys not in `keys` (additionalProperties)
    items       the node for list items
    ref         the name of a shared node in `nodes` (identical subtrees are written once)

Standard library only; dev-time (run by generate.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

KINDS = ("Agent", "Task", "Workflow", "Flow")
ANY: dict[str, Any] = {}
MAX_DEPTH = 24  # deeper than any OSSA spec; recursive definitions stop here as "any value"
NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
JSON_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")

Node = dict[str, Any]


def _allows(n: Node, t: str) -> bool:
    types = n.get("types")
    return types is None or t in types or (t == "integer" and "number" in types)


def _enum_types(n: Node) -> set[str]:
    return set(n.get("enumTypes", ()))


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}[type(v)]


def union(a: Node | None, b: Node | None) -> Node | None:
    """A value is accepted when `a` or `b` accepts it (None: accepts nothing)."""
    if a is None or b is None:
        return b if a is None else a
    out: Node = {}
    if "types" in a and "types" in b:
        out["types"] = sorted(set(a["types"]) | set(b["types"]))
    # enum: per JSON type; a side that allows a type without an enum for it frees that type
    kept_types: set[str] = set()
    values: list[Any] = []
    for t in JSON_TYPES:
        sides = [n for n in (a, b) if _allows(n, t)]
        if sides and all(t in _enum_types(n) for n in sides):
            kept_types.add(t)
    for n in (a, b):
        for v in n.get("enum", ()):
            kept = _json_type(v) in kept_types or (_json_type(v) == "integer" and "number" in kept_types)
            if kept and v not in values:
                values.append(v)
    if kept_types:
        out["enum"], out["enumTypes"] = values, sorted(kept_types)
    strings = [n for n in (a, b) if _allows(n, "string")]
    if strings and all("patterns" in n for n in strings):
        out["patterns"] = sorted({p for n in strings for p in n["patterns"]})
    numbers = [n for n in (a, b) if _allows(n, "number") or _allows(n, "integer")]
    for k in NUMERIC:
        if numbers and all(k in n for n in numbers):
            pick = min if "inimum" in k else max
            out[k] = pick(n[k] for n in numbers)
    objects = [n for n in (a, b) if _allows(n, "object")]
    if objects and any("keys" in n or "closed" in n or "values" in n for n in objects):
        keys: dict[str, Node] = {}
        names = list(dict.fromkeys(k for n in objects for k in n.get("keys", {})))
        for k in names:
            merged: Node | None = None
            for n in objects:
                merged = union(merged, _child(n, k))
            keys[k] = merged if merged is not None else {}
        if keys:
            out["keys"] = keys
        if all(n.get("closed") for n in objects):
            out["closed"] = True
        if all("values" in n for n in objects):
            v: Node | None = None
            for n in objects:
                v = union(v, n["values"])
            out["values"] = v if v is not None else {}
    arrays = [n for n in (a, b) if _allows(n, "array")]
    if arrays and all("items" in n for n in arrays):
        it: Node | None = None
        for n in arrays:
            it = union(it, n["items"])
        out["items"] = it if it is not None else {}
    return out


def _child(n: Node, key: str) -> Node | None:
    """What `n` accepts at `key`: the key's node, else the values node, else anything (None if closed)."""
    if key in n.get("keys", {}):
        return n["keys"][key]
    if "values" in n:
        return n["values"]
    return None if n.get("closed") else {}


def conj(a: Node, b: Node) -> Node:
    """Both apply (allOf). Kept lenient: where the two disagree, the looser reading wins."""
    out: Node = dict(a)
    if "types" in b:
        if "types" in a:
            both = sorted(set(a["types"]) & set(b["types"]) | ({"integer"} if "integer" in a["types"] and "number"
                                                              in b["types"] else set()))
            out["types"] = both or sorted(set(a["types"]) | set(b["types"]))
        else:
            out["types"] = b["types"]
    if "enum" in b and "enum" not in a:
        out["enum"], out["enumTypes"] = b["enum"], b["enumTypes"]
    if "patterns" in b and "patterns" not in a:
        out["patterns"] = b["patterns"]
    for k in NUMERIC:
        if k in b:
            out[k] = max(a[k], b[k]) if k in a and "inimum" in k else min(a[k], b[k]) if k in a else b[k]
    if "keys" in b:
        keys = dict(a.get("keys", {}))
        for k, v in b["keys"].items():
            keys[k] = conj(keys[k], v) if k in keys else v
        out["keys"] = keys
    if b.get("closed"):
        out["closed"] = True
    if "values" in b:
        out["values"] = conj(a["values"], b["values"]) if "values" in a else b["values"]
    if "items" in b:
        out["items"] = conj(a["items"], b["items"]) if "items" in a else b["items"]
    return out


def _extend(a: Node, b: Node | None) -> Node:
    """Keys a conditional branch (then/else) may add; nothing else of it applies always."""
    if b is None or "keys" not in b:
        return a
    keys = dict(a.get("keys", {}))
    for k, v in b["keys"].items():
        keys.setdefault(k, v)
    return {**a, "keys": keys}


def merge(a: Node | None, b: Node | None) -> Node | None:
    """Across versions: every constraint some version stated applies, the loosest form of it; a version that
    says nothing about a facet does not cancel another's. Where a version was freer (any text where another
    listed values, any key where another closed the object) the node records it (`free`, `open`), and only
    near misses (typos) are reported there."""
    if a is None or b is None:
        return b if a is None else a
    out: Node = {}
    if "types" in a or "types" in b:
        out["types"] = sorted(set(a.get("types", ())) | set(b.get("types", ())))
    if "enum" in a or "enum" in b:
        out["enum"] = list(dict.fromkeys([*a.get("enum", ()), *b.get("enum", ())]))
        out["enumTypes"] = sorted(_enum_types(a) | _enum_types(b))
    if a.get("free") or b.get("free") or _free(a) or _free(b):
        out["free"] = True
    # a form (pattern) is a naming convention: once a version accepts any text here, it is dropped
    texts = [n for n in (a, b) if _allows(n, "string")]
    if texts and all("patterns" in n for n in texts):
        out["patterns"] = sorted({p for n in texts for p in n["patterns"]})
    for k in NUMERIC:  # a range is about meaning (zero concurrent requests): any version's bound applies
        have = [n[k] for n in (a, b) if k in n]
        if have:
            out[k] = (min if "inimum" in k else max)(have)
    if "keys" in a or "keys" in b:
        keys: dict[str, Node] = {}
        for k in dict.fromkeys([*a.get("keys", {}), *b.get("keys", {})]):
            keys[k] = merge(a.get("keys", {}).get(k), b.get("keys", {}).get(k)) or {}
        out["keys"] = keys
    if a.get("closed") or b.get("closed"):
        out["closed"] = True
        if a.get("open") or b.get("open") or _open(a) or _open(b):
            out["open"] = True
    if "values" in a or "values" in b:
        out["values"] = merge(a.get("values"), b.get("values")) or {}
    if "items" in a or "items" in b:
        out["items"] = merge(a.get("items"), b.get("items")) or {}
    return out


def _free(n: Node) -> bool:
    """Any text was accepted here (by the version this node comes from)."""
    return _allows(n, "string") and "string" not in _enum_types(n) and "free" not in n


def _open(n: Node) -> bool:
    """Any key was accepted here."""
    return _allows(n, "object") and not n.get("closed")


class Builder:
    """Nodes from one upstream document's facts (a root and named definitions with `#/definitions/X` refs)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def build(self, s: Any, stack: tuple[str, ...] = ()) -> Node | None:
        if s is True or s == {}:
            return {}
        if s is False:
            return None
        if not isinstance(s, dict) or len(stack) > MAX_DEPTH:
            return {}
        if "$ref" in s:
            name = s["$ref"].removeprefix("#/definitions/").replace("~1", "/").replace("~0", "~")
            if name not in self.defs or stack.count(name) >= 2:
                return {}  # a recursive definition: below its second entry anything is accepted
            return self.build(self.defs[name], (*stack, name))
        n: Node = {}
        t = s.get("type")
        if t is not None:
            n["types"] = sorted({t} if isinstance(t, str) else set(t))
        allowed = s["enum"] if "enum" in s else [s["const"]] if "const" in s else None
        if isinstance(allowed, list):
            n["enum"] = list(allowed)
            n["enumTypes"] = sorted({_json_type(v) for v in allowed})
            if "types" not in n:
                n["types"] = n["enumTypes"]
        if isinstance(s.get("pattern"), str):
            n["patterns"] = [s["pattern"]]
        for k in NUMERIC:
            if isinstance(s.get(k), (int, float)) and not isinstance(s.get(k), bool):
                n[k] = s[k]
        props = s.get("properties")
        if isinstance(props, dict):
            keys = {}
            for k, sub in props.items():
                child = self.build(sub, stack)
                if child is not None:
                    keys[k] = child
            n["keys"] = keys
        extra = s.get("additionalProperties")
        if extra is False and not s.get("patternProperties"):
            n["closed"] = True
        elif isinstance(extra, dict) and extra and not s.get("patternProperties"):
            v = self.build(extra, stack)
            if v is not None:
                n["values"] = v
        items = s.get("items")
        if isinstance(items, dict):
            it = self.build(items, stack)
            if it is not None:
                n["items"] = it
        for part in s.get("allOf", ()):
            sub = self.build(part, stack)
            if sub is not None:
                n = conj(n, sub)
        for k in ("anyOf", "oneOf"):
            if k in s:
                alt: Node | None = None
                for part in s[k]:
                    alt = union(alt, self.build(part, stack))
                if alt is not None:
                    n = conj(n, alt)
        for k in ("then", "else"):
            if k in s:
                n = _extend(n, self.build(s[k], stack))
        return n


def spec_of(root: dict[str, Any], defs: dict[str, Any], kind: str) -> Node | None:
    """The node for `spec` of `kind` in one version (None when that version does not check it)."""
    b = Builder(defs)
    kinds = root.get("properties", {}).get("kind", {})
    declared = kinds.get("enum") or ([kinds["const"]] if "const" in kinds else None)
    if declared is not None and kind not in declared:
        return None
    parts: list[Any] = []
    if "spec" in root.get("properties", {}):
        parts.append(root["properties"]["spec"])
    for branch in [root, *root.get("allOf", ())]:
        cond = branch.get("if", {}).get("properties", {}).get("kind", {}) if isinstance(branch, dict) else {}
        if cond.get("const") == kind or cond.get("enum") == [kind]:
            then = branch.get("then", {})
            if isinstance(then, dict) and "spec" in then.get("properties", {}):
                parts.append(then["properties"]["spec"])
    node: Node = {}
    for p in parts:
        built = b.build(p)
        if built is not None:
            node = conj(node, built)
    return node if node else None


def build(versions: Iterable[tuple[str, dict[str, Any], dict[str, Any]]],
          words: Callable[[str], str | None] = lambda p: None) -> dict[str, Any]:
    """`versions`: (version, root facts, definitions) oldest first; `words`: a pattern in words, if known.
    Returns the vocabulary document."""
    trees: dict[str, Node | None] = {k: None for k in KINDS}
    sources: dict[str, list[str]] = {k: [] for k in KINDS}
    loose: dict[str, list[str]] = {}
    for version, root, defs in versions:
        for kind in KINDS:
            node = spec_of(root, defs, kind)
            if node is None:
                kinds = root.get("properties", {}).get("kind", {})
                if kind in (kinds.get("enum") or [kinds.get("const")]):
                    loose.setdefault(version, []).append(kind)
                continue
            trees[kind] = merge(trees[kind], node)
            sources[kind].append(version)
    shared = _Interner()
    return {
        "description": "What the OSSA versions that checked `spec` allowed in it, per kind, merged (a value is "
                       "accepted when any of those versions accepted it). Read by ossa-lsp's vocabulary checks "
                       "for the versions whose schema leaves `spec` unchecked. Written by "
                       "tools/schemagen/generate.py from upstream's schema facts.",
        "loose": loose,
        "sources": {k: v for k, v in sources.items() if v},
        "kinds": {k: shared.intern(v) for k, v in trees.items() if v is not None},
        "nodes": shared.nodes,
        "patterns": {p: w for p in sorted(_patterns(trees.values())) if (w := words(p))},
    }


def _patterns(trees: Iterable[Node | None]) -> set[str]:
    out: set[str] = set()
    stack = [t for t in trees if t is not None]
    while stack:
        n = stack.pop()
        out.update(n.get("patterns", ()))
        stack.extend(_children(n))
    return out


class _Interner:
    """Writes subtrees that occur more than once (by content) once, under `nodes`, as {"ref": name}."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self._names: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def intern(self, n: Node) -> Node:
        self._count(n)
        return self._rewrite(n)

    def _count(self, n: Node) -> None:
        key = json.dumps(n, sort_keys=True)
        self._counts[key] = self._counts.get(key, 0) + 1
        if self._counts[key] > 1:
            return
        for child in _children(n):
            self._count(child)

    def _rewrite(self, n: Node) -> Node:
        out = _map_children(n, self._rewrite)
        key = json.dumps(n, sort_keys=True)
        if self._counts.get(key, 0) > 1 and len(key) > 120:
            name = self._names.get(key)
            if name is None:
                name = self._names[key] = f"n{len(self._names) + 1}"
                self.nodes[name] = out
            return {"ref": name}
        return out


def _children(n: Node) -> list[Node]:
    return [*n.get("keys", {}).values(), *(n[k] for k in ("values", "items") if k in n)]


def _map_children(n: Node, fn: Callable[[Node], Node]) -> Node:
    out = dict(n)
    if "keys" in n:
        out["keys"] = {k: fn(v) for k, v in n["keys"].items()}
    for k in ("values", "items"):
        if k in n:
            out[k] = fn(n[k])
    return out
