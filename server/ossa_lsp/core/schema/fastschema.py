"""A small, fast JSON Schema (draft-04/06/07) validator, compiled once per schema into closures.

Why not only `jsonschema`: importing it costs ~100 ms per CLI run and its generic validation is
several times slower on big manifests. Our schemas use plain draft-07, so we compile them to
closures that yield errors shaped like jsonschema's (`validator`, `absolute_path`, `schema`,
`context`, ...) for validate.py. Any schema using something we don't implement (newer drafts,
remote `$ref`s) is validated by jsonschema instead; `compile_schema` says so by returning None.
The corpus tests check that both give the same verdicts and error paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ossa_lsp.core.schema import formats

Check = Callable[[Any, list[Any], list["Err"]], None]

UNSUPPORTED = {"unevaluatedProperties", "unevaluatedItems", "prefixItems", "dependentRequired",
               "dependentSchemas", "$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$recursiveAnchor"}
DRAFTS = ("http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema",
          "http://json-schema.org/draft-04/schema")


class Unsupported(Exception):
    pass


class Err:
    """One validation error, with the attributes validate.py reads from jsonschema errors."""

    __slots__ = ("base", "context", "instance", "message", "path", "relative_schema_path", "schema", "validator",
                 "validator_value")

    def __init__(self, validator: str | None, path: list[Any], instance: Any, schema: Any, value: Any,
                 message: str, context: list[Err] | None = None) -> None:
        self.validator = validator
        self.path = path
        self.instance = instance
        self.schema = schema
        self.validator_value = value
        self.message = message
        self.context = context or []
        self.base = 0  # length of the path of the combinator this error sits under (for relative_path)
        self.relative_schema_path: list[Any] = []

    @property
    def absolute_path(self) -> list[Any]:
        return self.path

    @property
    def relative_path(self) -> list[Any]:
        return self.path[self.base:]


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "number": _is_num,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 equals 1.0, containers compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_num(a) and _is_num(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


def _r(value: Any) -> str:
    return repr(value)


Loader = Callable[[str], Any]  # relative file name → parsed schema document (or raises)


class _Compiler:
    def __init__(self, root: dict[str, Any], loader: Loader | None = None, name: str = "",
                 shared: dict[str, _Compiler] | None = None) -> None:
        self.root = root
        self.loader = loader
        self.name = name  # this document's path relative to the schema directory ("" for the main one)
        self.shared = shared if shared is not None else {name: self}  # one compiler per document
        self.cache: dict[int, Check] = {}
        self.refs: dict[str, Check] = {}
        self.patterns: dict[str, re.Pattern[str] | None] = {}
        self._keep: list[Any] = []  # keep compiled subschemas alive so id() keys stay unique

    def _document(self, file: str) -> _Compiler:
        """The compiler of another schema file next to this one (our own `$ref`s across files)."""
        if self.loader is None or "://" in file or file.startswith("/"):
            raise Unsupported(f"non-local $ref {file}")
        base = self.name.rsplit("/", 1)[0] + "/" if "/" in self.name else ""
        parts: list[str] = []
        for part in (base + file).split("/"):
            if part == "..":
                if not parts:
                    raise Unsupported(f"$ref outside the schema directory: {file}")
                parts.pop()
            elif part and part != ".":
                parts.append(part)
        name = "/".join(parts)
        hit = self.shared.get(name)
        if hit is None:
            try:
                doc = self.loader(name)
            except (OSError, ValueError) as err:
                raise Unsupported(f"cannot load $ref {file}: {err}") from None
            hit = _Compiler(doc if isinstance(doc, dict) else {}, self.loader, name, self.shared)
            self.shared[name] = hit
        return hit

    def pattern(self, text: str) -> re.Pattern[str] | None:
        if text not in self.patterns:
            try:
                self.patterns[text] = re.compile(text)
            except re.error:
                self.patterns[text] = None  # a JS-only regex: not checked (jsonschema would fail too)
        return self.patterns[text]

    def pointer(self, ref: str) -> Any:
        node: Any = self.root
        for part in ref[2:].split("/") if ref not in ("#", "#/") else []:
            part = part.replace("~1", "/").replace("~0", "~")
            part = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), part)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise Unsupported(f"unresolvable $ref {ref}")
        return node

    def ref(self, ref: str) -> Check:
        if not ref.startswith("#"):
            file, _, fragment = ref.partition("#")
            return self._document(file).ref("#" + fragment)
        hit = self.refs.get(ref)
        if hit is not None:
            return hit
        target = self.pointer(ref)
        box: list[Check] = []

        def lazy(inst: Any, path: list[Any], out: list[Err]) -> None:
            box[0](inst, path, out)

        self.refs[ref] = lazy  # cycles resolve to the lazy stub while compiling
        box.append(self.compile(target))
        self.refs[ref] = box[0]
        return lazy

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _nothing
        if schema is False:
            def never(inst: Any, path: list[Any], out: list[Err]) -> None:
                out.append(Err(None, list(path), inst, False, False, f"False schema does not allow {_r(inst)}"))
            return never
        if not isinstance(schema, dict):
            raise Unsupported("schema is not an object")
        key = id(schema)
        if key in self.cache:
            return self.cache[key]
        self._keep.append(schema)
        if UNSUPPORTED & schema.keys():
            raise Unsupported(f"keyword {sorted(UNSUPPORTED & schema.keys())}")
        if "$ref" in schema:  # draft-04..07: $ref ignores its siblings
            check = self.ref(str(schema["$ref"]))
            self.cache[key] = check
            return check
        checks: list[Check] = []
        self.cache[key] = _sequence(checks)  # placeholder for self-reference through id
        for kw in schema:
            maker = _KEYWORDS.get(kw)
            if maker is not None:
                c = maker(self, schema)
                if c is not None:
                    checks.append(c)
        result = _sequence(checks)
        self.cache[key] = result
        return result


def _nothing(inst: Any, path: list[Any], out: list[Err]) -> None:
    return None


def _sequence(checks: list[Check]) -> Check:
    def run(inst: Any, path: list[Any], out: list[Err]) -> None:
        for c in checks:
            c(inst, path, out)
    return run


# --- keywords ------------------------------------------------------------------------------------

def _type(c: _Compiler, s: dict[str, Any]) -> Check:
    want = s["type"]
    names = [want] if isinstance(want, str) else list(want)
    tests = [_TYPES[n] for n in names if n in _TYPES]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        for t in tests:
            if t(inst):
                return
        out.append(Err("type", list(path), inst, s, want, f"{_r(inst)} is not of type {', '.join(map(_r, names))}"))
    return check


def _enum(c: _Compiler, s: dict[str, Any]) -> Check:
    values = s["enum"]
    simple = {v for v in values if isinstance(v, str)}

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if isinstance(inst, str) and inst in simple:
            return
        if any(json_equal(inst, v) for v in values):
            return
        out.append(Err("enum", list(path), inst, s, values, f"{_r(inst)} is not one of {_r(values)}"))
    return check


def _const(c: _Compiler, s: dict[str, Any]) -> Check:
    value = s["const"]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not json_equal(inst, value):
            out.append(Err("const", list(path), inst, s, value, f"{_r(value)} was expected"))
    return check


def _properties(c: _Compiler, s: dict[str, Any]) -> Check | None:
    props = s["properties"]
    if not isinstance(props, dict):
        return None
    compiled = {k: c.compile(v) for k, v in props.items()}

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, dict):
            return
        for k, fn in compiled.items():
            if k in inst:
                path.append(k)
                fn(inst[k], path, out)
                path.pop()
    return check


def _pattern_properties(c: _Compiler, s: dict[str, Any]) -> Check | None:
    pats = [(c.pattern(p), c.compile(sub)) for p, sub in s["patternProperties"].items()]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, dict):
            return
        for rx, fn in pats:
            if rx is None:
                continue
            for k, v in inst.items():
                if rx.search(k):
                    path.append(k)
                    fn(v, path, out)
                    path.pop()
    return check


def _additional_properties(c: _Compiler, s: dict[str, Any]) -> Check | None:
    extra = s["additionalProperties"]
    if extra is True:
        return None
    known = set(s.get("properties", {}) or {})
    pats = [rx for rx in (c.pattern(p) for p in s.get("patternProperties", {}) or {}) if rx is not None]
    fn = None if extra is False else c.compile(extra)

    def extras(inst: dict[str, Any]) -> list[str]:
        return [k for k in inst if k not in known and not any(rx.search(k) for rx in pats)]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, dict):
            return
        found = extras(inst)
        if not found:
            return
        if fn is None:
            verb = "was" if len(found) == 1 else "were"
            out.append(Err("additionalProperties", list(path), inst, s, extra,
                           f"Additional properties are not allowed ({', '.join(map(_r, found))} {verb} unexpected)"))
            return
        for k in found:
            path.append(k)
            fn(inst[k], path, out)
            path.pop()
    return check


def _required(c: _Compiler, s: dict[str, Any]) -> Check | None:
    names = s["required"]
    if not isinstance(names, list):
        return None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, dict):
            return
        for n in names:
            if n not in inst:
                out.append(Err("required", list(path), inst, s, names, f"{_r(n)} is a required property"))
    return check


def _dependencies(c: _Compiler, s: dict[str, Any]) -> Check:
    deps = {k: (v if isinstance(v, list) else c.compile(v)) for k, v in s["dependencies"].items()}

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, dict):
            return
        for k, dep in deps.items():
            if k not in inst:
                continue
            if isinstance(dep, list):
                for d in dep:
                    if d not in inst:
                        out.append(Err("dependencies", list(path), inst, s, s["dependencies"],
                                       f"{_r(d)} is a dependency of {_r(k)}"))
            else:
                dep(inst, path, out)
    return check


def _property_names(c: _Compiler, s: dict[str, Any]) -> Check:
    fn = c.compile(s["propertyNames"])

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if isinstance(inst, dict):
            for k in inst:
                fn(k, path, out)
    return check


def _count(kw: str, of: type[dict[str, Any]] | type[list[Any]], cmp: Callable[[int, Any], bool], words: str) -> Callable[[_Compiler, dict[str, Any]], Check]:
    def make(c: _Compiler, s: dict[str, Any]) -> Check:
        limit = s[kw]

        def check(inst: Any, path: list[Any], out: list[Err]) -> None:
            if isinstance(inst, of) and not isinstance(inst, bool) and not cmp(len(inst), limit):
                out.append(Err(kw, list(path), inst, s, limit, f"{_r(inst)} {words} {limit}"))
        return check
    return make


def _items(c: _Compiler, s: dict[str, Any]) -> Check | None:
    items = s["items"]
    if isinstance(items, list):
        fns = [c.compile(i) for i in items]
        extra = s.get("additionalItems", True)
        extra_fn = None if extra is True else (None if extra is False else c.compile(extra))

        def check_tuple(inst: Any, path: list[Any], out: list[Err]) -> None:
            if not isinstance(inst, list):
                return
            for i, (v, fn) in enumerate(zip(inst, fns, strict=False)):  # extra items are handled below
                path.append(i)
                fn(v, path, out)
                path.pop()
            if len(inst) > len(fns):
                if extra is False:
                    out.append(Err("additionalItems", list(path), inst, s, False,
                                   "Additional items are not allowed"))
                elif extra_fn is not None:
                    for i in range(len(fns), len(inst)):
                        path.append(i)
                        extra_fn(inst[i], path, out)
                        path.pop()
        return check_tuple
    fn = c.compile(items)
    if fn is _nothing:
        return None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, list):
            return
        for i, v in enumerate(inst):
            path.append(i)
            fn(v, path, out)
            path.pop()
    return check


def _contains(c: _Compiler, s: dict[str, Any]) -> Check:
    fn = c.compile(s["contains"])

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, list):
            return
        for v in inst:
            trial: list[Err] = []
            fn(v, [], trial)
            if not trial:
                return
        out.append(Err("contains", list(path), inst, s, s["contains"], "None of the items are valid under the given schema"))
    return check


def _unique(c: _Compiler, s: dict[str, Any]) -> Check | None:
    if not s["uniqueItems"]:
        return None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not isinstance(inst, list):
            return
        for i, a in enumerate(inst):
            if any(json_equal(a, b) for b in inst[i + 1:]):
                out.append(Err("uniqueItems", list(path), inst, s, True, f"{_r(inst)} has non-unique elements"))
                return
    return check


def _bound(kw: str) -> Callable[[_Compiler, dict[str, Any]], Check | None]:
    def make(c: _Compiler, s: dict[str, Any]) -> Check | None:
        limit = s[kw]
        if isinstance(limit, bool):  # draft-04 boolean exclusive flags modify minimum/maximum
            return None
        if kw == "minimum":
            exclusive = s.get("exclusiveMinimum") is True

            def ok(v: Any) -> bool:
                return bool(v > limit) if exclusive else bool(v >= limit)
            name, words = ("exclusiveMinimum" if exclusive else "minimum"), "is less than" + (" or equal to" if exclusive else " the minimum of")
        elif kw == "maximum":
            exclusive = s.get("exclusiveMaximum") is True

            def ok(v: Any) -> bool:
                return bool(v < limit) if exclusive else bool(v <= limit)
            name, words = ("exclusiveMaximum" if exclusive else "maximum"), "is greater than" + (" or equal to" if exclusive else " the maximum of")
        elif kw == "exclusiveMinimum":
            def ok(v: Any) -> bool:
                return bool(v > limit)
            name, words = kw, "is less than or equal to the minimum of"
        else:
            def ok(v: Any) -> bool:
                return bool(v < limit)
            name, words = kw, "is greater than or equal to the maximum of"

        def check(inst: Any, path: list[Any], out: list[Err]) -> None:
            if _is_num(inst) and not ok(inst):
                out.append(Err(name, list(path), inst, s, limit, f"{_r(inst)} {words} {limit}"))
        return check
    return make


def _multiple_of(c: _Compiler, s: dict[str, Any]) -> Check:
    d = s["multipleOf"]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not _is_num(inst):
            return
        if isinstance(d, float) or isinstance(inst, float):
            q = inst / d
            bad = q != int(q) if q == q and abs(q) != float("inf") else True
        else:
            bad = inst % d != 0
        if bad:
            out.append(Err("multipleOf", list(path), inst, s, d, f"{_r(inst)} is not a multiple of {d}"))
    return check


def _length(kw: str) -> Callable[[_Compiler, dict[str, Any]], Check]:
    def make(c: _Compiler, s: dict[str, Any]) -> Check:
        limit = s[kw]
        short = kw == "minLength"

        def check(inst: Any, path: list[Any], out: list[Err]) -> None:
            if isinstance(inst, str) and ((len(inst) < limit) if short else (len(inst) > limit)):
                words = "is too short" if short else "is too long"
                out.append(Err(kw, list(path), inst, s, limit, f"{_r(inst)} {words}"))
        return check
    return make


def _pattern(c: _Compiler, s: dict[str, Any]) -> Check | None:
    rx = c.pattern(str(s["pattern"]))
    if rx is None:
        return None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if isinstance(inst, str) and not rx.search(inst):
            out.append(Err("pattern", list(path), inst, s, s["pattern"], f"{_r(inst)} does not match {_r(s['pattern'])}"))
    return check


def _format(c: _Compiler, s: dict[str, Any]) -> Check | None:
    name = s["format"]
    test = formats.FORMATS.get(name)
    if test is None:
        return None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        if not test(inst):
            out.append(Err("format", list(path), inst, s, name, f"{_r(inst)} is not a {_r(name)}"))
    return check


def _all_of(c: _Compiler, s: dict[str, Any]) -> Check:
    fns = [c.compile(sub) for sub in s["allOf"]]

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        for fn in fns:
            fn(inst, path, out)
    return check


def _branches(kw: str) -> Callable[[_Compiler, dict[str, Any]], Check]:
    def make(c: _Compiler, s: dict[str, Any]) -> Check:
        fns = [c.compile(sub) for sub in s[kw]]

        def check(inst: Any, path: list[Any], out: list[Err]) -> None:
            context: list[Err] = []
            valid = 0
            base = len(path)
            for i, fn in enumerate(fns):
                trial: list[Err] = []
                fn(inst, path, trial)
                if not trial:
                    valid += 1
                    if kw == "anyOf":
                        return
                    if valid > 1:
                        break
                    continue
                for e in trial:
                    e.base = base
                    e.relative_schema_path = [i]
                context.extend(trial)
            if kw == "oneOf" and valid == 1:
                return
            if kw == "oneOf" and valid > 1:
                out.append(Err(kw, list(path), inst, s, s[kw], f"{_r(inst)} is valid under each of the given schemas"))
                return
            out.append(Err(kw, list(path), inst, s, s[kw], f"{_r(inst)} is not valid under any of the given schemas",
                           context))
        return check
    return make


def _not(c: _Compiler, s: dict[str, Any]) -> Check:
    fn = c.compile(s["not"])

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        trial: list[Err] = []
        fn(inst, path, trial)
        if not trial:
            out.append(Err("not", list(path), inst, s, s["not"], f"{_r(inst)} should not be valid under {_r(s['not'])}"))
    return check


def _if(c: _Compiler, s: dict[str, Any]) -> Check:
    cond = c.compile(s["if"])
    then = c.compile(s["then"]) if "then" in s else None
    other = c.compile(s["else"]) if "else" in s else None

    def check(inst: Any, path: list[Any], out: list[Err]) -> None:
        trial: list[Err] = []
        cond(inst, path, trial)
        branch = then if not trial else other
        if branch is not None:
            branch(inst, path, out)
    return check


_KEYWORDS: dict[str, Callable[[_Compiler, dict[str, Any]], Check | None]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "dependencies": _dependencies,
    "propertyNames": _property_names,
    "minProperties": _count("minProperties", dict, lambda n, lim: n >= lim, "does not have enough properties; min"),
    "maxProperties": _count("maxProperties", dict, lambda n, lim: n <= lim, "has too many properties; max"),
    "items": _items,
    "contains": _contains,
    "minItems": _count("minItems", list, lambda n, lim: n >= lim, "is too short; min"),
    "maxItems": _count("maxItems", list, lambda n, lim: n <= lim, "is too long; max"),
    "uniqueItems": _unique,
    "minimum": _bound("minimum"),
    "maximum": _bound("maximum"),
    "exclusiveMinimum": _bound("exclusiveMinimum"),
    "exclusiveMaximum": _bound("exclusiveMaximum"),
    "multipleOf": _multiple_of,
    "minLength": _length("minLength"),
    "maxLength": _length("maxLength"),
    "pattern": _pattern,
    "format": _format,
    "allOf": _all_of,
    "anyOf": _branches("anyOf"),
    "oneOf": _branches("oneOf"),
    "not": _not,
    "if": _if,
}


class FastValidator:
    """`iter_errors(data)` like jsonschema's validators, for schemas `compile_schema` accepted."""

    def __init__(self, check: Check) -> None:
        self._check = check

    def iter_errors(self, instance: Any) -> list[Err]:
        out: list[Err] = []
        self._check(instance, [], out)
        return out

    def is_valid(self, instance: Any) -> bool:
        return not self.iter_errors(instance)


def compile_schema(schema: Any, loader: Loader | None = None, name: str = "") -> FastValidator | None:
    """A fast validator for this schema, or None when it needs features only jsonschema has.

    `loader` reads other schema files by path relative to the schema directory, for `$ref`s such as
    `common/llm.schema.json#/definitions/LLMConfig`; `name` is this schema's own relative path."""
    if isinstance(schema, dict):
        draft = str(schema.get("$schema", DRAFTS[0])).rstrip("#")
        if draft not in DRAFTS:
            return None
    try:
        return FastValidator(_Compiler(schema if isinstance(schema, dict) else {}, loader, name).compile(schema))
    except (Unsupported, RecursionError, TypeError, KeyError):
        return None
