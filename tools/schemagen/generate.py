#!/usr/bin/env python3
"""Write ossa-lsp's bundled OSSA schemas from the facts of the upstream schemas.

    python tools/schemagen/generate.py --corpus ../shared/ossa-corpus --out schemas

Dev-time only (never imported by the server) and standard library only. For every released OSSA
version it reads the upstream schema(s) in `<corpus>/schemas/<version>/` and keeps only what
affects validation (type, enum, properties, required, $ref, ... and `default`). Upstream prose
(description, title, examples, $comment, x-*) is dropped and replaced by ours:

* hand-written entries from `descriptions.json` (next to this file), looked up by instance path
  (`metadata.name`, `Agent:spec.llm.provider`, `Skill:spec.tools[]`, ...) or definition name;
* otherwise a short description generated from the structure (type, allowed values, range, form);
* version notes computed from the sequence of versions: "Since v0.3.3." on fields that appeared
  after v0.2.2, and "Removed in v0.4.6: `foo` (replaced by `bar`)." on the object that lost them.

Definitions that are identical across versions (same facts, same names, and referring to
definitions that are identical too) are written once, to `common/<Name>.schema.json` under
`definitions/<first version that has it>`, and referenced with relative `$ref`s; each version file
keeps its root and the definitions only it has. Draft-07 `$ref` semantics are kept: siblings of a
`$ref` are dropped (only `default` and our annotations are added back), and refs are rewritten to
resolve to the same facts. The result accepts and rejects exactly what upstream does; the tests in
tests/unit/test_bundled_versions.py check that on the corpus.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import importlib.util
import itertools
import json
import re
import sys
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ID_BASE = "https://ossa-lsp.dev/schemas/"
DRAFT7 = "http://json-schema.org/draft-07/schema#"

BASELINE = "v0.2.2"  # hand-written in schemas/ossa-v0.2.2.schema.json; read here only for version notes
RELEASES = ["v0.2.3", "v0.2.4", "v0.2.5", "v0.2.6", "v0.2.8", "v0.2.9", "v0.3.0", "v0.3.1", "v0.3.2", "v0.3.3",
            "v0.3.4", "v0.3.5", "v0.3.6", "v0.3", "v0.4.5", "v0.4.6", "v0.4.7", "v0.5.0", "v1"]
# Versions upstream released without a tag, so the tag-built corpus keeps them in `supplement/`: v0.4.7 is
# spec/v0.4/agent.schema.json on upstream's release/v0.4.x and release/v0.5.x branches (adds AgentScope).
SUPPLEMENT = {"v0.4.7": {"main": "v0.4.7.schema.json", "kind_schemas": {}, "dir": "supplement/schemas"}}
ORDER = [BASELINE, *RELEASES]  # catalog order, oldest to newest (v0.3 is the minor-level schema of tag v0.3.6)
NOTE_CHAIN = [v for v in ORDER if v != "v0.3"]  # "removed in" is computed between neighbours of this chain
RANK = {v: i for i, v in enumerate(ORDER)}
BUNDLED_KINDS = ("Skill", "MCPServer", "Validator")
SKIPPED_KINDS = {"AgentTest": "upstream's agent-test schema refers to #/definitions/TestSpec, which it never defines"}
BASELINE_CATALOG_ENTRY = {"version": "v0.2.2", "file": "ossa-v0.2.2.schema.json", "kinds": ["Agent"],
                          "accepts": "^ossa/v(0\\.2\\.2|1)(\\.[0-9]+)?(-[a-zA-Z0-9]+)?$", "status": "released"}

VALUE_FACTS = {"type", "enum", "const", "required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
               "multipleOf", "minLength", "maxLength", "pattern", "format", "uniqueItems", "minItems", "maxItems",
               "minProperties", "maxProperties", "default"}
SUB_ONE = ("additionalProperties", "additionalItems", "contains", "propertyNames", "not", "if", "then", "else")
SUB_MAP = ("properties", "patternProperties")
SUB_LIST = ("allOf", "anyOf", "oneOf")
ANNOTATIONS = {"description", "title", "examples", "$comment", "deprecated", "readOnly", "writeOnly", "$schema",
               "$id", "markdownDescription", "enumDescriptions", "markdownEnumDescriptions", "contentMediaType",
               "contentEncoding"}
OUR_KEYS = ("title", "description", "markdownDescription", "enumDescriptions", "x-patternDescription", "examples")


class GenerationError(Exception):
    pass


# ------------------------------------------------------------------------------------------------
# schema walking helpers


def subschemas(s: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(relative pointer, subschema) for every subschema position directly inside `s`, in key order."""
    if not isinstance(s, dict) or "$ref" in s:
        return
    for k, v in s.items():
        if k in SUB_MAP:
            for n, sub in v.items():
                yield (k, n), sub
        elif k == "items":
            if isinstance(v, list):
                for i, sub in enumerate(v):
                    yield (k, i), sub
            else:
                yield (k,), v
        elif k in SUB_ONE:
            yield (k,), v
        elif k in SUB_LIST:
            for i, sub in enumerate(v):
                yield (k, i), sub
        elif k == "dependencies":
            for n, sub in v.items():
                if not isinstance(sub, list):
                    yield (k, n), sub


def refs_in(s: Any) -> Iterator[str]:
    """Every `$ref` value in `s` (depth first, in key order), never looking inside enum/const/default."""
    if isinstance(s, dict):
        if "$ref" in s:
            yield s["$ref"]
            return
        for _, sub in subschemas(s):
            yield from refs_in(sub)


def at(doc: Any, ptr: tuple[Any, ...]) -> Any:
    for p in ptr:
        doc = doc[p]
    return doc


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def facts(s: Any, where: str) -> Any:
    """Only what affects validation (plus `default`); `$ref` siblings are dropped as draft-07 ignores them."""
    if isinstance(s, bool):
        return s
    if not isinstance(s, dict):
        raise GenerationError(f"not a schema at {where}: {s!r}")
    if "$ref" in s:
        out: dict[str, Any] = {"$ref": s["$ref"]}
        if "default" in s:
            out["default"] = copy.deepcopy(s["default"])
        return out
    out = {}
    for k, v in s.items():
        if k in SUB_MAP:
            out[k] = {n: facts(sub, f"{where}/{k}/{n}") for n, sub in v.items()}
        elif k == "items":
            out[k] = [facts(x, f"{where}/items/{i}") for i, x in enumerate(v)] if isinstance(v, list) \
                else facts(v, f"{where}/items")
        elif k in SUB_ONE:
            out[k] = facts(v, f"{where}/{k}")
        elif k in SUB_LIST:
            out[k] = [facts(x, f"{where}/{k}/{i}") for i, x in enumerate(v)]
        elif k == "dependencies":
            out[k] = {n: (list(d) if isinstance(d, list) else facts(d, f"{where}/{k}/{n}")) for n, d in v.items()}
        elif k in VALUE_FACTS:
            out[k] = copy.deepcopy(v)
        elif k in ("definitions", "$defs"):
            raise GenerationError(f"nested {k} at {where} is not supported")
        elif k in ANNOTATIONS or k.startswith("x-"):
            continue
        else:
            raise GenerationError(f"unknown keyword {k!r} at {where}")
    return out


# ------------------------------------------------------------------------------------------------
# upstream documents


class Doc:
    """One upstream schema file, reduced to facts: a root and named definitions."""

    def __init__(self, corpus: Path, version: str, family: str | None, upstream: str, emit: bool,
                 folder: str = "schemas") -> None:
        self.version = version
        self.family = family  # None for the main schema, else the kind of a kind-specific file
        self.upstream = upstream  # path relative to <corpus>/<folder>
        self.emit = emit
        self.out_name = f"ossa-{version}.schema.json" if family is None else \
            f"ossa-{version}-{family.lower()}.schema.json"
        raw = json.loads((corpus / folder / upstream).read_text("utf-8"))
        self.upstream_raw = raw
        raw = copy.deepcopy(raw)
        if "$defs" in raw:
            raise GenerationError(f"{upstream}: $defs is not supported")
        self.hoisted = _hoist_deep_refs(raw, upstream)
        self.root: dict[str, Any] = facts({k: v for k, v in raw.items() if k != "definitions"}, upstream)
        self.defs: dict[str, Any] = {n: facts(d, f"{upstream}#/definitions/{n}")
                                     for n, d in raw.get("definitions", {}).items()}
        for ref in refs_in(self.root):
            self.target(ref)
        for d in self.defs.values():
            for ref in refs_in(d):
                self.target(ref)
        self.reachable = self._reachable()
        self.dropped = [n for n in self.defs if n not in self.reachable]
        self.kinds = _kinds(self.root, family)
        api = self.root.get("properties", {}).get("apiVersion", {})
        if "pattern" in api:
            self.accepts = api["pattern"]
        elif "const" in api:
            self.accepts = "^" + re.escape(api["const"]) + "$"
        else:
            raise GenerationError(f"{upstream}: no apiVersion pattern or const")

    def target(self, ref: str) -> str:
        m = re.fullmatch(r"#/definitions/([^/]+)", ref)
        if not m or unescape(m.group(1)) not in self.defs:
            raise GenerationError(f"{self.upstream}: $ref {ref} does not name a definition of this file")
        return unescape(m.group(1))

    def content(self, name: str | None) -> Any:
        return self.root if name is None else self.defs[name]

    def _reachable(self) -> list[str]:
        seen: list[str] = []
        todo = [self.target(r) for r in refs_in(self.root)]
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.append(n)
            todo.extend(self.target(r) for r in refs_in(self.defs[n]))
        return [n for n in self.defs if n in seen]  # upstream order


def _kinds(root: dict[str, Any], family: str | None) -> list[str]:
    kind = root.get("properties", {}).get("kind", {})
    if "const" in kind:
        return [kind["const"]]
    if "enum" in kind:
        return list(kind["enum"])
    return [family] if family else []


def _all_refs_raw(s: Any, out: list[tuple[list[Any], str]], ptr: list[Any]) -> None:
    if isinstance(s, dict):
        if "$ref" in s:
            out.append((ptr, s["$ref"]))
            return
        for rel, sub in subschemas(s):
            _all_refs_raw(sub, out, [*ptr, *rel])
        if ptr == [] and "definitions" in s:
            for n, sub in s["definitions"].items():
                _all_refs_raw(sub, out, ["definitions", n])


def _hoist_deep_refs(raw: dict[str, Any], upstream: str) -> dict[str, str]:
    """Refs into the inside of a definition (`#/definitions/A/properties/b`) become refs to a new
    definition `A.b` holding that subschema; the original spot refers to it too (same facts)."""
    found: list[tuple[list[Any], str]] = []
    _all_refs_raw(raw, found, [])
    deep = sorted({r for _, r in found if not re.fullmatch(r"#/definitions/[^/]+", r)}, key=lambda r: (-len(r), r))
    mapping: dict[str, str] = {}
    defs = raw.get("definitions", {})
    for ref in deep:
        if not ref.startswith("#/definitions/"):
            raise GenerationError(f"{upstream}: unsupported $ref {ref}")
        parts = [unescape(p) for p in ref[2:].split("/")]
        parent = at(raw, tuple(parts[:-1]))
        key: Any = parts[-1]
        if isinstance(parent, list):
            key = int(key)
        name = ".".join([parts[1], *[p for p in parts[2:] if p not in SUB_MAP and p != "items"]])
        if name in defs:
            raise GenerationError(f"{upstream}: cannot hoist {ref}: {name} exists")
        defs[name] = parent[key]
        parent[key] = {"$ref": f"#/definitions/{name}"}
        mapping[ref] = f"#/definitions/{name}"

    def rewrite(s: Any) -> None:
        if isinstance(s, dict):
            if "$ref" in s and s["$ref"] in mapping:
                s["$ref"] = mapping[s["$ref"]]
            for _, sub in subschemas(s):
                rewrite(sub)

    rewrite({k: v for k, v in raw.items() if k != "definitions"})
    for d in defs.values():
        rewrite(d)
    return mapping


# ------------------------------------------------------------------------------------------------
# sharing: partition refinement over every definition of every emitted document


def share(docs: list[Doc]) -> dict[tuple[int, str], int]:
    """Class id per (doc index, definition name): equal ids mean equal facts all the way down."""
    nodes = [(i, n) for i, d in enumerate(docs) if d.emit for n in d.reachable]
    local: dict[str, int] = {}
    cls = {nd: local.setdefault(canon([nd[1], docs[nd[0]].defs[nd[1]]]), len(local)) for nd in nodes}
    succ = {nd: [(nd[0], docs[nd[0]].target(r)) for r in refs_in(docs[nd[0]].defs[nd[1]])] for nd in nodes}
    while True:
        ids: dict[tuple[Any, ...], int] = {}
        new = {nd: ids.setdefault((cls[nd], tuple(cls[s] for s in succ[nd])), len(ids)) for nd in nodes}
        if len(ids) == len(set(cls.values())):
            return new
        cls = new


# ------------------------------------------------------------------------------------------------
# instance paths: where each schema spot applies in a manifest (for descriptions and version notes)

PATH_CAP = 8  # instance paths remembered per spot; a definition is entered at most this often


def pathkey(family: str | None, kind: str | None, path: tuple[str, ...]) -> str:
    dotted = ""
    for p in path:
        dotted += p if p == "[]" else (("." if dotted else "") + p)
    if family:
        return f"{family}:{dotted or '(root)'}"
    if kind and path and path[0] == "spec":
        return f"{kind}:{dotted}"
    return dotted or "(root)"


def _kind_branch(s: Any) -> str | None:
    if not isinstance(s, dict):
        return None
    k = s.get("properties", {}).get("kind")
    if isinstance(k, dict):
        if "const" in k:
            return str(k["const"])
        if isinstance(k.get("enum"), list) and len(k["enum"]) == 1:
            return str(k["enum"][0])
    return None


class Walk:
    """For one document: the instance paths of every spot, and the children declared at each path."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.paths: dict[tuple[str | None, tuple[Any, ...]], list[str]] = defaultdict(list)
        self.described: set[tuple[str | None, tuple[Any, ...]]] = set()  # property/items/map-value spots
        self.children: dict[str, dict[str, str]] = defaultdict(dict)  # pathkey -> {child: coarse type}
        self.present: set[str] = set()
        entered: dict[str, int] = defaultdict(int)
        single = doc.kinds[0] if doc.family is None and len(doc.kinds) == 1 else None
        queue: deque[tuple[str | None, tuple[str, ...], str | None]] = deque([(None, (), single)])
        while queue:
            name, path, kind = queue.popleft()
            self._walk(name, doc.content(name), (), path, kind, queue, entered, name is not None)

    def _walk(self, name: str | None, s: Any, ptr: tuple[Any, ...], path: tuple[str, ...], kind: str | None,
              queue: deque[Any], entered: dict[str, int], described: bool) -> None:
        key = pathkey(self.doc.family, kind, path)
        self.present.add(key)
        if path == ("spec",) and self.doc.family is None:
            self.present.add("spec")  # the top-level key itself exists for every kind
        spot = (name, ptr)
        if key not in self.paths[spot] and len(self.paths[spot]) < PATH_CAP:
            self.paths[spot].append(key)
        if described:
            self.described.add(spot)
        if not isinstance(s, dict):
            return
        if "$ref" in s:
            target = self.doc.target(s["$ref"])
            if entered[target] < PATH_CAP:
                entered[target] += 1
                queue.append((target, path, kind))
            return
        for n, sub in s.get("properties", {}).items():
            self.children[key].setdefault(n, self.coarse(sub))
            self._walk(name, sub, (*ptr, "properties", n), (*path, n), kind, queue, entered, True)
        for p, sub in s.get("patternProperties", {}).items():
            self._walk(name, sub, (*ptr, "patternProperties", p), (*path, "*"), kind, queue, entered, True)
        if isinstance(s.get("additionalProperties"), dict):
            self._walk(name, s["additionalProperties"], (*ptr, "additionalProperties"), (*path, "*"), kind, queue,
                       entered, True)
        items = s.get("items")
        if isinstance(items, dict):
            self._walk(name, items, (*ptr, "items"), (*path, "[]"), kind, queue, entered, True)
        elif isinstance(items, list):
            for i, sub in enumerate(items):
                self._walk(name, sub, (*ptr, "items", i), (*path, "[]"), kind, queue, entered, True)
        if isinstance(s.get("additionalItems"), dict):
            self._walk(name, s["additionalItems"], (*ptr, "additionalItems"), (*path, "[]"), kind, queue, entered,
                       True)
        for k in SUB_LIST:
            for i, sub in enumerate(s.get(k, ())):
                self._walk(name, sub, (*ptr, k, i), path, kind, queue, entered, False)
        branch = _kind_branch(s.get("if")) if not path and self.doc.family is None else None
        for k in ("then", "else"):
            if k in s:
                self._walk(name, s[k], (*ptr, k), path, branch if (k == "then" and branch) else kind, queue,
                           entered, False)
        for n, sub in s.get("dependencies", {}).items():
            if not isinstance(sub, list):
                self._walk(name, sub, (*ptr, "dependencies", n), path, kind, queue, entered, False)

    def coarse(self, s: Any, depth: int = 0) -> str:
        """A rough JSON type of a spot, for the rename heuristic."""
        if not isinstance(s, dict) or depth > 8:
            return "any"
        if "$ref" in s:
            return self.coarse(self.doc.defs[self.doc.target(s["$ref"])], depth + 1)
        t = s.get("type")
        if isinstance(t, str):
            return t
        if isinstance(t, list):
            return "|".join(sorted(t))
        if "properties" in s:
            return "object"
        for k in SUB_LIST:
            if s.get(k):
                kinds = {self.coarse(x, depth + 1) for x in s[k]}
                return kinds.pop() if len(kinds) == 1 else "mixed"
        if "enum" in s:
            return "enum"
        return "any"


# ------------------------------------------------------------------------------------------------
# version notes


class History:
    def __init__(self, walks: dict[int, Walk], docs: list[Doc]) -> None:
        self.first: dict[str, str] = {}
        present: dict[str, set[str]] = defaultdict(set)  # version -> pathkeys
        children: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        families: dict[str | None, list[str]] = defaultdict(list)
        for i, w in walks.items():
            v = docs[i].version
            present[v] |= w.present
            for p, kids in w.children.items():
                children[v][p].update(kids)
            if v not in families[docs[i].family]:
                families[docs[i].family].append(v)
        for v in ORDER:
            for key in present[v]:
                self.first.setdefault(key, v)
        self.present = present
        # removal events: (pathkey, version) -> [(name, replacement or None)]
        self.events: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        for versions in families.values():
            chain = [v for v in NOTE_CHAIN if v in versions]
            for a, b in itertools.pairwise(chain):
                for parent, kids in sorted(children[a].items()):
                    if parent not in present[b]:
                        continue
                    now = children[b].get(parent, {})
                    gone = [n for n in kids if n not in now]
                    new = [n for n in now if n not in kids]
                    for n in gone:
                        self.events[parent].append((b, n, _replacement(n, kids[n], new, now)))

    def since(self, keys: list[str]) -> str | None:
        firsts = [self.first[k] for k in keys if k in self.first]
        if not firsts:
            return None
        v = min(firsts, key=RANK.__getitem__)
        return None if v == BASELINE else v

    def removed(self, keys: list[str], versions: list[str], declared: set[str]) -> list[str]:
        """Notes for an object spot; a field the spot itself declares is never reported as removed
        (the event then comes from another path that shares this definition)."""
        lo, hi = min(RANK[v] for v in versions), max(RANK[v] for v in versions)
        by_version: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            for v, name, repl in self.events.get(k, ()):
                if lo <= RANK[v] <= hi and name not in declared:
                    text = f"`{name}`" + (f" (replaced by `{repl}`)" if repl else "")
                    if text not in by_version[v]:
                        by_version[v].append(text)
        lines = []
        for v in sorted(by_version, key=RANK.__getitem__):
            names = by_version[v]
            shown = names if len(names) <= 12 else [*names[:12], f"and {len(names) - 12} more"]
            lines.append(f"Removed in {v}: {', '.join(shown)}.")
        return lines


def _norm(name: str) -> str:
    return re.sub(r"[-_ ]", "", name).lower()


def _replacement(old: str, old_type: str, new: list[str], now: dict[str, str]) -> str | None:
    """A field added in the same object, of the same rough type, with a similar name; else None."""
    same = [n for n in new if now[n] == old_type]
    exact = [n for n in same if _norm(n) == _norm(old)]
    if len(exact) == 1:
        return exact[0]
    close = [n for n in same if difflib.SequenceMatcher(None, _norm(old), _norm(n)).ratio() >= 0.8
             or (min(len(_norm(old)), len(_norm(n))) >= 4 and (_norm(n).startswith(_norm(old))
                                                               or _norm(old).startswith(_norm(n))))]
    if len(close) == 1:
        return close[0]
    tail = _words(old)[-2:]
    suffix = [n for n in same if len(tail) == 2 and _words(n)[-2:] == tail]
    return suffix[0] if len(suffix) == 1 else None


def _words(name: str) -> list[str]:
    """`source_project_id`, `sourceProjectId` -> ['source', 'project', 'id']."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)]


# ------------------------------------------------------------------------------------------------
# our descriptions

TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "object": "a mapping", "array": "a list", "null": "null"}
FORMAT_WORDS = {"uri": "a URI with a scheme (https://…)", "uri-reference": "a URI or relative reference",
                "email": "an e-mail address", "date-time": "an RFC 3339 date-time (2025-01-31T12:00:00Z)",
                "date": "a date (YYYY-MM-DD)", "time": "a time of day", "uuid": "a UUID",
                "hostname": "a host name", "ipv4": "an IPv4 address", "ipv6": "an IPv6 address",
                "regex": "a regular expression"}
SEMVER = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
ENV_PLACEHOLDER = ("^[$]\\{[A-Za-z_][A-Za-z0-9_]*", "\\}$")  # ${NAME} or ${NAME:-default}
KNOWN_PATTERNS = {
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "lowercase letters, digits and '-', starting and ending with a letter or "
                                        "digit (DNS-1123)",
    r"^[a-z][a-z0-9-]*$": "lowercase letters, digits and '-', starting with a letter",
    r"^[a-z][a-z0-9_]*$": "lowercase letters, digits and '_', starting with a letter",
    r"^[A-Z]{3}$": "three capital letters (an ISO 4217 currency code such as USD)",
    r"^[0-9]+\.[0-9]+\.[0-9]+(-[a-zA-Z0-9.]+)?$": "three dot-separated numbers, optionally '-' and a pre-release "
                                                 "tag, e.g. 1.2.0 or 1.2.0-rc.1",
}


def pattern_words(pattern: str) -> str | None:
    if pattern in KNOWN_PATTERNS:
        return KNOWN_PATTERNS[pattern]
    if pattern.startswith(SEMVER):
        return "a semantic version such as 1.2.0 or 2.0.0-beta.1 (three numbers without leading zeros, optional " \
               "-pre-release and +build)"
    if pattern.startswith(ENV_PLACEHOLDER[0]) and pattern.endswith(ENV_PLACEHOLDER[1]):
        return "an environment-variable placeholder such as ${NAME} or ${NAME:-fallback}, resolved when the " \
               "manifest is loaded"
    m = re.fullmatch(r"\^did:ossa:([a-z]+):\[a-z0-9-\]\+\(:\[a-z0-9-\]\+\)\*\$", pattern)
    if m:
        return f"a decentralized identifier did:ossa:{m.group(1)}:<id>, with lowercase letters, digits and '-' " \
               "(more ':'-separated parts allowed)"
    return None


def _code(v: Any) -> str:
    return f"`{v}`" if isinstance(v, str) else f"`{json.dumps(v)}`"


def _list_words(values: list[Any], limit: int = 14, last: str = "or") -> str:
    shown = [_code(v) for v in values[:limit]]
    if len(values) > limit:
        return ", ".join(shown) + f" and {len(values) - limit} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {last} " + shown[-1]


def _num(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


class Describer:
    """Generated prose for a spot, from its facts alone."""

    def __init__(self, resolve: Any) -> None:
        self.resolve = resolve  # $ref -> (definition name, facts)

    def words(self, s: Any, depth: int = 0) -> str:
        if s is True or s == {}:
            return "any value (not checked)"
        if s is False:
            return "nothing (this key is not allowed)"
        if "$ref" in s:
            name, target = self.resolve(s["$ref"])
            art = "an" if name[:1] in "AEIOU" else "a"
            if depth > 1:
                return f"{art} `{name}` value"
            return f"{art} `{name}` value: {self.words(target, depth + 1)}" if depth == 0 else \
                f"{art} `{name}` value ({self.words(target, depth + 2)})"
        if "const" in s:
            return f"exactly {_code(s['const'])}"
        parts: list[str] = []
        for k in ("anyOf", "oneOf"):
            if k in s:
                alts = [self.words(x, depth + 2) for x in s[k]]
                alts = list(dict.fromkeys(alts))
                parts.append(("either " + " or ".join(alts)) if len(alts) > 1 else alts[0])
        t = s.get("type")
        types = [t] if isinstance(t, str) else list(t or [])
        if "enum" in s:
            parts.insert(0, "one of " + _list_words(s["enum"]))
        elif types:
            parts.insert(0, " or ".join(TYPE_WORDS.get(x, x) for x in types))
        elif "properties" in s:
            parts.insert(0, "a mapping")
        extra = self.constraints(s, types, depth)
        text = ", ".join(p for p in [", ".join(parts) if parts else "", extra] if p)
        if "allOf" in s and not text:
            text = "all of: " + "; ".join(self.words(x, depth + 2) for x in s["allOf"])
        return text or "any value (not checked)"

    def constraints(self, s: dict[str, Any], types: list[str], depth: int) -> str:
        out: list[str] = []
        lo = s.get("minimum", s.get("exclusiveMinimum"))
        hi = s.get("maximum", s.get("exclusiveMaximum"))
        if lo is not None and hi is not None:
            out.append(f"from {_num(lo)} to {_num(hi)}")
        elif lo is not None:
            out.append(f"{'above' if 'exclusiveMinimum' in s and 'minimum' not in s else 'at least'} {_num(lo)}")
        elif hi is not None:
            out.append(f"{'below' if 'exclusiveMaximum' in s and 'maximum' not in s else 'at most'} {_num(hi)}")
        if "multipleOf" in s:
            out.append(f"a multiple of {_num(s['multipleOf'])}")
        if "minLength" in s and "maxLength" in s:
            out.append(f"{s['minLength']}–{s['maxLength']} characters")
        elif "maxLength" in s:
            out.append(f"at most {s['maxLength']} characters")
        elif s.get("minLength") == 1:
            out.append("not empty")
        elif "minLength" in s:
            out.append(f"at least {s['minLength']} characters")
        if "format" in s:
            out.append(FORMAT_WORDS.get(s["format"], f"in {s['format']} format"))
        if "pattern" in s:
            words = pattern_words(s["pattern"])
            out.append(f"in the form: {words}" if words else f"matching `{s['pattern']}`")
        if "items" in s and isinstance(s["items"], dict) and depth < 2:
            out.append("each entry " + self.words(s["items"], depth + 1))
        if "minItems" in s or "maxItems" in s:
            a, b = s.get("minItems"), s.get("maxItems")
            out.append(f"{a}–{b} entries" if a is not None and b is not None else
                       (f"at least {a} {'entry' if a == 1 else 'entries'}" if a is not None else f"at most {b} entries"))
        if s.get("uniqueItems"):
            out.append("no duplicates")
        props = list(s.get("properties", {}))
        if props and depth < 2:
            out.append("keys " + _list_words(props, 10, "and"))
        req = [r for r in s.get("required", []) if isinstance(r, str)]
        if req and depth < 2:
            out.append(f"{_list_words(req, 8, 'and')} required")
        if "minProperties" in s:
            out.append(f"at least {s['minProperties']} keys")
        if "maxProperties" in s:
            out.append(f"at most {s['maxProperties']} keys")
        ap = s.get("additionalProperties")
        if (props or "additionalProperties" in s) and depth < 2:
            if ap is False:
                out.append("no other keys")
            elif isinstance(ap, dict) and ap:
                out.append("other keys hold " + self.words(ap, depth + 2))
            elif props and "patternProperties" not in s:
                out.append("other keys unchecked")
        return ", ".join(out)

    def sentence(self, s: Any, name: str | None = None) -> str:
        text = self.words(s)
        hint = name_hint(name) if name else None
        if hint:
            return f"{hint}: {text}."
        return text[0].upper() + text[1:] + "."


UNITS = (("_ms", "in milliseconds"), ("Ms", "in milliseconds"), ("_seconds", "in seconds"), ("Seconds", "in seconds"),
         ("_secs", "in seconds"), ("_sec", "in seconds"), ("_minutes", "in minutes"), ("_hours", "in hours"),
         ("_days", "in days"), ("_mb", "in megabytes"), ("_gb", "in gigabytes"), ("_usd", "in US dollars"),
         ("_percent", "in percent"), ("_pct", "in percent"), ("_tokens", "in tokens"), ("Tokens", "in tokens"))


def name_hint(name: str) -> str | None:
    """What a field's name says about it (units, limits, switches), in words; None when it says nothing."""
    words = _words(name)
    if not words:
        return None
    if words == ["enabled"]:
        return "Turns this on or off"
    if words == ["description"]:
        return "Free-text description"
    if words == ["name"]:
        return "Name"
    if words == ["version"]:
        return "Version"
    parts: list[str] = []
    if words[0] in ("max", "maximum"):
        parts.append("Upper limit")
    elif words[0] in ("min", "minimum"):
        parts.append("Lower limit")
    elif words[-1] in ("url", "uri", "endpoint"):
        parts.append("Address (URL)")
    elif words[-1] == "id" and len(words) > 1:
        parts.append("Identifier")
    elif words[-1] == "at" and len(words) > 1:
        parts.append("Point in time")
    elif words[-1] in ("timeout", "ttl"):
        parts.append("Time limit")
    elif words[-1] == "threshold":
        parts.append("Threshold")
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            if not parts:
                parts.append({"milliseconds": "Duration", "seconds": "Duration", "minutes": "Duration",
                              "hours": "Duration", "days": "Duration", "megabytes": "Size", "gigabytes": "Size",
                              "US dollars": "Amount", "percent": "Share", "tokens": "Count"}[unit.split(" ", 1)[1]])
            parts.append(unit)
            break
    if not parts:
        return None
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}[type(v)]


def fits(value: Any, s: Any, resolve: Any, depth: int = 0) -> bool:
    """Rough check that a hand-written example suits this version's facts (type, enum, pattern, const)."""
    if not isinstance(s, dict) or depth > 6:
        return True
    if "$ref" in s:
        return fits(value, resolve(s["$ref"])[1], resolve, depth + 1)
    t = s.get("type")
    if t is not None:
        types = [t] if isinstance(t, str) else t
        jt = _json_type(value)
        if jt not in types and not (jt == "integer" and "number" in types):
            return False
    if "enum" in s and value not in s["enum"]:
        return False
    if "const" in s and value != s["const"]:
        return False
    if isinstance(value, str) and "pattern" in s and not re.search(s["pattern"], value):
        return False
    if isinstance(value, dict):
        props = s.get("properties", {})
        if s.get("additionalProperties") is False and any(k not in props for k in value):
            return False
        if any(r not in value for r in s.get("required", [])):
            return False
        for k, v in value.items():
            if k in props and not fits(v, props[k], resolve, depth + 1):
                return False
    if isinstance(value, list) and isinstance(s.get("items"), dict):
        return all(fits(x, s["items"], resolve, depth + 1) for x in value)
    for k in ("anyOf", "oneOf"):
        if k in s and not any(fits(value, x, resolve, depth + 1) for x in s[k]):
            return False
    return all(fits(value, x, resolve, depth + 1) for x in s.get("allOf", ()))


class Catalogue:
    """descriptions.json: hand-written prose keyed by instance path (optionally `@vA+`, `@vA-vB`, `@vA`)."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text("utf-8"))
        self.entries: dict[str, list[tuple[tuple[int, int] | None, str, dict[str, Any]]]] = defaultdict(list)
        for key, entry in data["entries"].items():
            if isinstance(entry, str):
                entry = {"description": entry}
            base, _, qual = key.partition("@")
            rng = None
            if qual:
                m = re.fullmatch(r"(v[0-9.]+|v1)(\+|-(v[0-9.]+|v1))?", qual)
                if not m or m.group(1) not in RANK or (m.group(3) and m.group(3) not in RANK):
                    raise GenerationError(f"descriptions.json: bad version range in {key!r}")
                lo = RANK[m.group(1)]
                hi = len(ORDER) if m.group(2) == "+" else (RANK[m.group(3)] if m.group(3) else lo)
                rng = (lo, hi)
            self.entries[base].append((rng, key, entry))
        for options in self.entries.values():
            options.sort(key=lambda o: o[0] is None)  # version-qualified first
        self.used: set[str] = set()

    def lookup(self, keys: list[str], versions: list[str]) -> dict[str, Any] | None:
        ranks = [RANK[v] for v in versions]
        for k in keys:
            for rng, full, entry in self.entries.get(k, ()):
                if rng is None or all(rng[0] <= r <= rng[1] for r in ranks):
                    self.used.add(full)
                    return entry
        return None

    def count(self) -> int:
        return sum(len(v) for v in self.entries.values())


# ------------------------------------------------------------------------------------------------
# the generator


class Generator:
    def __init__(self, corpus: Path, out: Path, catalogue: Path) -> None:
        self.corpus = corpus
        self.out = out
        self.catalogue = Catalogue(catalogue)
        upstream = json.loads((corpus / "schemas" / "catalog.json").read_text("utf-8"))["versions"]
        self.docs: list[Doc] = []
        for v in ORDER:
            info = SUPPLEMENT.get(v) or upstream[v]
            emit = v != BASELINE
            if "dir" in info:
                self.docs.append(Doc(corpus, v, None, info["main"], emit, info["dir"]))
            elif info.get("main"):
                self.docs.append(Doc(corpus, v, None, f"{v}/{info['main']}", emit))
            for kind, file in sorted(info.get("kind_schemas", {}).items(), key=lambda kv: kv[0]):
                if kind in BUNDLED_KINDS:
                    self.docs.append(Doc(corpus, v, kind, f"{v}/{file}", emit))
                elif kind not in SKIPPED_KINDS:
                    raise GenerationError(f"{v}: unexpected kind schema {kind}")
        self.cls = share(self.docs)
        self.walks = {i: Walk(d) for i, d in enumerate(self.docs)}
        self.history = History(self.walks, self.docs)
        self._plan()
        self.files: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}

    # -- which definitions go where
    def _plan(self) -> None:
        members: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for nd, c in self.cls.items():
            members[c].append(nd)
        self.members = {c: sorted(m) for c, m in members.items()}
        self.shared = {c for c, m in self.members.items() if len({i for i, _ in m}) > 1}
        self.variant: dict[int, str] = {}
        used: dict[str, set[str]] = defaultdict(set)
        for c in sorted(self.shared, key=lambda c: self.members[c][0]):
            i, name = self.members[c][0]
            d = self.docs[i]
            key = d.version if d.family is None else f"{d.version}-{d.family.lower()}"
            base, n = key, 2
            while key in used[name]:
                key, n = f"{base}-{n}", n + 1
            used[name].add(key)
            self.variant[c] = key
        # one file per definition name; names that differ only in case (KAgentExtension, KagentExtension)
        # get the version they first appear in, so checkouts on case-insensitive file systems work
        self.files_by_name: dict[str, str] = {}
        taken: set[str] = set()
        for c in sorted(self.shared, key=lambda c: self.members[c][0]):
            i, name = self.members[c][0]
            if name in self.files_by_name:
                continue
            base = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            if base.lower() in taken:
                base = f"{base}-{self.docs[i].version}"
            taken.add(base.lower())
            self.files_by_name[name] = base + ".schema.json"

    def versions_of(self, c: int) -> list[str]:
        return sorted({self.docs[i].version for i, _ in self.members[c]}, key=RANK.__getitem__)

    def common_file(self, name: str) -> str:
        return self.files_by_name[name]

    def ref_for(self, doc_i: int, name: str, from_common: str | None) -> str:
        """How a spot in (document doc_i / common file from_common) refers to definition `name` of doc_i."""
        c = self.cls[(doc_i, name)]
        if c not in self.shared:
            assert from_common is None
            return f"#/definitions/{name}"
        file = self.common_file(name)
        frag = f"#/definitions/{self.variant[c]}"
        if from_common is None:
            return f"common/{file}{frag}"
        return frag if file == from_common else f"{file}{frag}"

    # -- descriptions
    def spot_info(self, members: Sequence[tuple[int, str | None]], ptr: tuple[Any, ...]) -> tuple[list[str], bool]:
        keys: list[str] = []
        described = False
        for i, name in members:
            w = self.walks[i]
            for k in w.paths.get((name, ptr), ()):
                if k not in keys:
                    keys.append(k)
            described = described or (name, ptr) in w.described
        return sorted(keys, key=lambda k: (k.count(".") + k.count("[]"), len(k), k)), described

    def annotate(self, s: Any, ptr: tuple[Any, ...], members: Sequence[tuple[int, str | None]], versions: list[str],
                 def_name: str | None, describer: Describer, resolve: Any) -> Any:
        """A copy of facts `s` (a spot inside the node shared by `members`) with our prose added."""
        if not isinstance(s, dict):
            out: Any = s
        else:
            out = {}
            for k, v in s.items():
                if k in SUB_MAP:
                    out[k] = {n: self.annotate(sub, (*ptr, k, n), members, versions, def_name, describer, resolve)
                              for n, sub in v.items()}
                elif k == "items" and isinstance(v, list):
                    out[k] = [self.annotate(x, (*ptr, k, i), members, versions, def_name, describer, resolve)
                              for i, x in enumerate(v)]
                elif k == "items" or k in SUB_ONE:
                    out[k] = self.annotate(v, (*ptr, k), members, versions, def_name, describer, resolve)
                elif k in SUB_LIST:
                    out[k] = [self.annotate(x, (*ptr, k, i), members, versions, def_name, describer, resolve)
                              for i, x in enumerate(v)]
                elif k == "dependencies":
                    out[k] = {n: (d if isinstance(d, list) else
                                  self.annotate(d, (*ptr, k, n), members, versions, def_name, describer, resolve))
                              for n, d in v.items()}
                else:
                    out[k] = copy.deepcopy(v)
        keys, described = self.spot_info(members, ptr)
        is_def_root = def_name is not None and ptr == ()
        is_doc_root = def_name is None and ptr == ()
        if not (described or is_def_root or is_doc_root) or out is False:
            words = pattern_words(s["pattern"]) if isinstance(s, dict) and "pattern" in s else None
            return _ordered(out, {"x-patternDescription": words}) if words else out
        if out is True:
            out = {}
        lookup = list(keys)
        if def_name is not None:
            sub = ".".join(p for p in ptr if isinstance(p, str) and p not in SUB_MAP and p not in SUB_LIST)
            lookup.append(f"#{def_name}" + (f".{sub}" if sub else ""))
        entry = self.catalogue.lookup(lookup, versions)
        self.stats["spots"] = self.stats.get("spots", 0) + 1
        if entry is not None:
            self.stats["hand"] = self.stats.get("hand", 0) + 1
        notes: list[str] = []
        if not is_def_root and not is_doc_root:
            since = self.history.since(keys)
            if since:
                notes.append(f"Since {since}.")
        removed = self.history.removed(keys, versions, self._declared(s, resolve))
        def fill(text: Any) -> str:
            text = str(text)
            if len(versions) > 1 and ("{version}" in text or "{kinds}" in text):
                raise GenerationError(f"{{version}}/{{kinds}} in a shared description: {lookup}")
            return text.replace("{version}", versions[0]).replace("{kinds}", ", ".join(self._kinds(members)))

        if entry is not None:
            desc = fill(entry["description"])
            md = fill(entry["markdownDescription"]) if "markdownDescription" in entry else None
        else:
            prop = ptr[-1] if len(ptr) >= 2 and ptr[-2] in SUB_MAP and ptr[-2] == "properties" else None
            desc = describer.sentence(s, prop)
            md = None
        desc = " ".join([desc, *notes])
        if removed:
            desc += "\n\n" + "\n".join(removed)
        ann: dict[str, Any] = {"description": desc}
        if entry is not None and "title" in entry:
            ann["title"] = fill(entry["title"])
        if md is not None:
            tail = " ".join(notes)
            ann["markdownDescription"] = md + (f"\n\n{tail}" if tail else "") + \
                ("\n\n" + "\n\n".join(removed) if removed else "")
        if entry is not None:
            self._enum_docs(out, s, entry, resolve)
            if "x-patternDescription" in entry and isinstance(s, dict) and "pattern" in s:
                ann["x-patternDescription"] = entry["x-patternDescription"]
            if "examples" in entry:
                good = [e for e in entry["examples"] if fits(e, s, resolve)]
                if good:
                    ann["examples"] = good
        if isinstance(s, dict) and "pattern" in s and "x-patternDescription" not in ann:
            words = pattern_words(s["pattern"])
            if words:
                ann["x-patternDescription"] = words
        return _ordered(out, ann)

    @staticmethod
    def _declared(s: Any, resolve: Any, depth: int = 0) -> set[str]:
        """Property names a spot declares, through $ref and allOf/anyOf/oneOf/then/else."""
        if not isinstance(s, dict) or depth > 8:
            return set()
        if "$ref" in s:
            return Generator._declared(resolve(s["$ref"])[1], resolve, depth + 1)
        out = set(s.get("properties", {}))
        for k in SUB_LIST:
            for sub in s.get(k, ()):
                out |= Generator._declared(sub, resolve, depth + 1)
        for k in ("then", "else"):
            out |= Generator._declared(s.get(k), resolve, depth + 1)
        return out

    def _kinds(self, members: Sequence[tuple[int, str | None]]) -> list[str]:
        out: list[str] = []
        for i, _ in members:
            for k in self.docs[i].kinds:
                if k not in out:
                    out.append(k)
        return out

    def _enum_docs(self, out: dict[str, Any], s: Any, entry: dict[str, Any], resolve: Any) -> None:
        docs = entry.get("enumDescriptions")
        if not isinstance(docs, dict) or not isinstance(s, dict):
            return

        def place(node: dict[str, Any], facts_node: Any) -> None:
            if not isinstance(facts_node, dict):
                return
            if "enum" in facts_node and any(v in docs for v in facts_node["enum"] if isinstance(v, str)):
                node["enumDescriptions"] = [docs.get(v, "") if isinstance(v, str) else ""
                                            for v in facts_node["enum"]]
                _reorder(node)
            for k in ("anyOf", "oneOf", "allOf"):
                for sub_out, sub in zip(node.get(k, ()), facts_node.get(k, ()), strict=True):
                    place(sub_out, sub)
            if isinstance(facts_node.get("items"), dict) and isinstance(node.get("items"), dict):
                place(node["items"], facts_node["items"])

        if "$ref" in s:
            target = resolve(s["$ref"])[1]
            if isinstance(target, dict) and "enum" in target:
                out["enumDescriptions"] = [docs.get(v, "") if isinstance(v, str) else "" for v in target["enum"]]
        else:
            place(out, s)

    # -- files
    def build(self) -> None:
        common: dict[str, dict[str, Any]] = defaultdict(dict)
        common_versions: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for c in sorted(self.shared, key=lambda c: self.members[c][0]):
            i, name = self.members[c][0]
            file = self.common_file(name)
            d = self.docs[i]
            resolve = self._resolver(i)
            versions = self.versions_of(c)
            node = self.annotate(d.defs[name], (), self.members[c], versions, name, Describer(resolve), resolve)
            node = self._rewrite(node, i, file)
            node = _ordered(node, {"x-ossa-versions": versions}, tail=True)
            common[file][self.variant[c]] = node
            common_versions[file][self.variant[c]] = versions
        for file, defs in sorted(common.items()):
            name = next(n for n, f in self.files_by_name.items() if f == file)
            forms = "; ".join(f"`{k}` (used by {', '.join(v)})" for k, v in common_versions[file].items())
            self.files[f"common/{file}"] = {
                "$schema": DRAFT7,
                "$id": f"{ID_BASE}common/{file}",
                "description": f"The `{name}` definition as the OSSA versions that share it define it, written once "
                               f"and referenced from each version's schema. Forms: {forms}.",
                "definitions": defs,
            }
        for i, d in enumerate(self.docs):
            if not d.emit:
                continue
            resolve = self._resolver(i)
            describer = Describer(resolve)
            root = self.annotate(d.root, (), [(i, None)], [d.version], None, describer, resolve)
            root = self._rewrite(root, i, None)
            own = {}
            for n in d.reachable:
                c = self.cls[(i, n)]
                if c in self.shared:
                    continue
                own[n] = self._rewrite(self.annotate(d.defs[n], (), [(i, n)], [d.version], n, describer, resolve),
                                       i, None)
            head: dict[str, Any] = {"$schema": DRAFT7, "$id": f"{ID_BASE}{d.out_name}"}
            for k in ("title", "description", "markdownDescription"):
                if k in root:
                    head[k] = root.pop(k)
            head["x-ossa-version"] = d.version
            head["x-ossa-kinds"] = d.kinds
            body = {**head, **root}
            if own:
                body["definitions"] = own
            self.files[d.out_name] = body
        self.files["catalog.json"] = self._catalog()
        self.files["vocabulary.json"] = _vocabulary().build(
            [(d.version, d.root, d.defs) for d in self.docs if d.family is None], pattern_words)
        self.stats["common_definitions"] = len(self.shared)
        self.stats["shared_members"] = sum(len(self.members[c]) for c in self.shared)
        self.stats["own_definitions"] = sum(1 for c in self.cls.values() if c not in self.shared)
        self.stats["dropped_unreachable"] = sum(len(d.dropped) for d in self.docs if d.emit)
        self.stats["hoisted"] = sum(len(d.hoisted) for d in self.docs if d.emit)

    def _resolver(self, i: int) -> Any:
        d = self.docs[i]

        def resolve(ref: str) -> tuple[str, Any]:
            name = d.target(ref)
            return name, d.defs[name]
        return resolve

    def _rewrite(self, s: Any, doc_i: int, from_common: str | None) -> Any:
        if isinstance(s, dict):
            if "$ref" in s:
                return {**s, "$ref": self.ref_for(doc_i, self.docs[doc_i].target(s["$ref"]), from_common)}
            out = dict(s)
            for rel, sub in subschemas(s):
                holder = out
                for p in rel[:-1]:
                    holder[p] = copy.copy(holder[p])
                    holder = holder[p]
                holder[rel[-1]] = self._rewrite(sub, doc_i, from_common)
            return out
        return s

    def _catalog(self) -> dict[str, Any]:
        versions = [dict(BASELINE_CATALOG_ENTRY)]
        for v in RELEASES:
            docs = [d for d in self.docs if d.version == v and d.emit]
            main = next((d for d in docs if d.family is None), None)
            kinds = [d for d in docs if d.family is not None]
            entry: dict[str, Any] = {
                "version": v,
                "file": main.out_name if main else None,
                "kinds": (main.kinds if main else []) + [d.family for d in kinds],
                "accepts": (main or kinds[0]).accepts,
                "status": "released",
            }
            if kinds:
                entry["kind_files"] = {d.family: d.out_name for d in kinds}
            versions.append(entry)
        return {
            "description": "Bundled OSSA schemas written by the ossa-lsp project. 'accepts' is the apiVersion "
                           "pattern each schema itself accepts; exact version matches win over it. Every file "
                           "except ossa-v0.2.2.schema.json is written by tools/schemagen/generate.py.",
            "versions": versions,
        }

    def write(self) -> list[Path]:
        written = []
        for rel, body in sorted(self.files.items()):
            path = self.out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            text = dumps(body)
            if not path.is_file() or path.read_text("utf-8") != text:
                path.write_text(text, "utf-8")
            written.append(path)
        if (self.out / "common").is_dir():  # stale shared files from an earlier run
            keep = {p for p in written}
            for p in (self.out / "common").glob("*.schema.json"):
                if p not in keep:
                    p.unlink()
        return written


def _vocabulary() -> Any:
    """tools/schemagen/vocabulary.py, loaded by path (this script is run, and imported by tests, by path)."""
    spec = importlib.util.spec_from_file_location("schemagen_vocabulary", HERE / "vocabulary.py")
    if spec is None or spec.loader is None:
        raise GenerationError("tools/schemagen/vocabulary.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ordered(node: Any, ann: dict[str, Any], tail: bool = False) -> Any:
    """Our annotations placed where people look for them: first (or last), next to $ref."""
    if not isinstance(node, dict):
        return node
    if tail:
        return {**node, **ann}
    first = {k: v for k, v in node.items() if k == "$ref"}
    head = {k: ann[k] for k in ("title", "description", "markdownDescription") if k in ann}
    rest: dict[str, Any] = {}
    for k, v in node.items():
        if k == "$ref" or k in head:
            continue
        rest[k] = v
        if k == "pattern" and "x-patternDescription" in ann:
            rest["x-patternDescription"] = ann["x-patternDescription"]
    out = {**first, **head, **rest}
    if "examples" in ann:
        out["examples"] = ann["examples"]
    return out


def _reorder(node: dict[str, Any]) -> None:
    """Put enumDescriptions right after enum."""
    if "enumDescriptions" not in node or "enum" not in node:
        return
    docs = node.pop("enumDescriptions")
    items = list(node.items())
    node.clear()
    for k, v in items:
        node[k] = v
        if k == "enum":
            node["enumDescriptions"] = docs


def dumps(value: Any) -> str:
    """JSON with two-space indents; short lists of scalars stay on one line."""
    def enc(v: Any, indent: str) -> str:
        if isinstance(v, dict):
            if not v:
                return "{}"
            inner = indent + "  "
            return "{\n" + ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {enc(x, inner)}"
                                       for k, x in v.items()) + "\n" + indent + "}"
        if isinstance(v, list):
            if not v:
                return "[]"
            if all(not isinstance(x, (dict, list)) for x in v):
                flat = "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in v) + "]"
                if len(flat) + len(indent) <= 110:
                    return flat
            inner = indent + "  "
            return "[\n" + ",\n".join(inner + enc(x, inner) for x in v) + "\n" + indent + "]"
        return json.dumps(v, ensure_ascii=False)
    return enc(value, "") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="the ossa-corpus folder (with schemas/catalog.json)")
    ap.add_argument("--out", type=Path, required=True, help="where to write (the repository's schemas/)")
    ap.add_argument("--descriptions", type=Path, default=HERE / "descriptions.json")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    gen = Generator(args.corpus, args.out, args.descriptions)
    gen.build()
    written = gen.write()
    if not args.quiet:
        unused = sorted(k for opts in gen.catalogue.entries.values() for _, k, _ in opts if k not in gen.catalogue.used)
        s = gen.stats
        print(f"wrote {len(written)} files to {args.out} in {time.perf_counter() - started:.1f}s: "
              f"{s['common_definitions']} shared definitions (standing in for {s['shared_members']} upstream "
              f"copies), {s['own_definitions']} version-only definitions, {s['dropped_unreachable']} unreachable "
              f"upstream definitions dropped, {s['hoisted']} deep $refs hoisted; {s.get('hand', 0)} of "
              f"{s.get('spots', 0)} described spots use one of {gen.catalogue.count()} hand-written entries",
              file=sys.stderr)
        if unused:
            print(f"unused description entries ({len(unused)}): {', '.join(unused)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
