"""jsonschema errors → findings on the tightest span, with messages written for people.

Unknown key → the key; wrong type / enum / pattern / range → the value; missing required → the key
of the object that lacks it. `oneOf`/`anyOf` failures collapse to the branch that fits best.
`format` problems are warnings: the spec's formats are annotations.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.schema.patterns import explain_pattern
from ossa_lsp.core.text.anchor import anchor_span
from ossa_lsp.core.text.source import Document
from ossa_lsp.core.text.spans import Span
from ossa_lsp.core.words import noun, plural

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value pairs)",
    "array": "a list",
    "null": "empty (null)",
}
_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def pointer(path: Iterable[str | int]) -> str:
    """RFC 6901 JSON Pointer for a path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def dotted(path: Sequence[str | int]) -> str:
    """A path as people read it: spec.tools[0].type."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "the document"


def type_word(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def show(value: Any, limit: int = 60) -> str:
    """A value for a message; long text is cut so secrets and essays are never echoed in full."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return f"'{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, (dict, list)):
        return type_word(value)
    return str(value)


# What people write for an allowed value; used only when the target is allowed where they wrote it.
SYNONYMS = {"rest": "http", "https": "http", "webhook": "http", "grpcs": "grpc", "k8s": "kubernetes",
            "gpt": "openai", "chatgpt": "openai", "claude": "anthropic", "gemini": "google", "vertex": "google",
            "vertexai": "google", "azure-openai": "azure", "azureopenai": "azure", "warning": "warn",
            "err": "error", "fatal": "error", "trace": "debug", "yaml": "text", "plain": "text",
            "otel": "otlp", "opentelemetry": "otlp", "api_key": "apikey", "api-key": "apikey", "token": "bearer",
            "oauth": "oauth2", "tls": "mtls", "autonomous_full": "fully_autonomous", "manual": "supervised"}


def suggest(word: str, choices: Iterable[Any], *, cutoff: float = 0.75,
            lengths: tuple[int, int] | None = None) -> str | None:
    """The allowed value `word` is probably a slip of: a common synonym, the same letters ignoring case, '-',
    '_' and spaces, or a close spelling (only for words within `lengths`, when given)."""
    options = [c for c in choices if isinstance(c, str)]
    alias = SYNONYMS.get(word.lower())
    if alias in options:
        return alias
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    compact = {re.sub(r"[-_ ]", "", c.lower()): c for c in options}
    key = re.sub(r"[-_ ]", "", word.lower())
    if key in compact:
        return compact[key]
    if lengths is not None and not lengths[0] <= len(word) <= lengths[1]:
        return None
    match = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return match[0] if match else None


class _Converter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out: list[Finding] = []

    # -- spans: a wrong value underlines all of it (`node`), an unknown key the key, a missing one the key
    # of the object that lacks it (`core/text/anchor.py`)
    def value_span(self, path: Sequence[str | int]) -> Span:
        return anchor_span(self.doc, path, "node")

    def add(self, code: str, message: str, span: Span, path: Sequence[str | int], severity: Severity = Severity.ERROR,
            **data: Any) -> None:
        self.out.append(Finding(code=code, severity=severity, source="schema", message=message, span=span,
                                pointer=pointer(path), document=self.doc.index, data=data))

    # -- conversion --------------------------------------------------------------------------------
    def convert(self, error: Any) -> None:
        path = list(error.absolute_path)
        kw = error.validator
        name = dotted(path)
        leaf = f"`{path[-1]}`" if path and isinstance(path[-1], str) else f"`{name}`"
        if kw == "additionalProperties" and isinstance(error.instance, dict):
            self.unknown_keys(error, path, name)
        elif kw == "required":
            self.required(error, path, name)
        elif kw in ("oneOf", "anyOf"):
            self.collapse(error, path, leaf)
        else:
            code, msg, data = _VALUE_PROBLEMS.get(kw, _other_problem)(error, leaf)
            severity = Severity.WARNING if code == "SCHEMA009" else Severity.ERROR
            self.add(code, msg, self.value_span(path), path, severity, **data)

    def unknown_keys(self, error: Any, path: list[str | int], name: str) -> None:
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in error.instance:
            if key in allowed or any(p.search(key) for p in patterns):
                continue
            hint = suggest(key, allowed)
            where = f"`{name}`" if path else "the top level"
            msg = f"Unknown key `{key}` in {where}"
            if hint:
                msg += f"; did you mean `{hint}`?"
            elif allowed:
                msg += f". Allowed keys: {', '.join(allowed[:12])}{', …' if len(allowed) > 12 else ''}"
            else:
                msg += "; remove it or check its spelling"
            self.add("SCHEMA001", msg, anchor_span(self.doc, [*path, key], "key"), [*path, key], key=key,
                     suggestion=hint)

    def required(self, error: Any, path: list[str | int], name: str) -> None:
        schema = error.schema if isinstance(error.schema, dict) else {}
        m = _REQUIRED.match(error.message)
        missing = m.group(1) if m else ", ".join(r for r in error.validator_value if r not in (error.instance or {}))
        where = f"`{name}`" if path else "The manifest"
        msg = f"{where} is missing the required key `{missing}`"
        desc = _short_description(schema.get("properties", {}).get(missing))
        if desc:
            msg += f" ({desc[0].lower() + desc[1:] if desc[1:2].islower() else desc})"
        msg += "; add it"
        self.add("SCHEMA002", msg, anchor_span(self.doc, [*path, missing], "missing"), path, missing=missing)

    def collapse(self, error: Any, path: list[str | int], leaf: str) -> None:
        groups: dict[int, list[Any]] = {}
        for sub in error.context or ():
            groups.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        if not groups:
            self.add("SCHEMA010", f"{leaf} fits more than one of its allowed forms but must fit exactly one; "
                     "remove the keys that belong to the other forms", self.value_span(path), path)
            return

        def wrong_shape(errs: list[Any]) -> bool:
            return any(not e.relative_path and e.validator == "type" for e in errs)

        candidates = {i: errs for i, errs in groups.items() if not wrong_shape(errs)}
        choices = [e for errs in candidates.values() for e in errs]
        if candidates and len(choices) == len(candidates) and all(
                not e.relative_path and e.validator in ("enum", "const") for e in choices):
            allowed: list[Any] = []  # every branch is a list of values: one message with all of them
            for e in choices:
                for v in (e.validator_value if e.validator == "enum" else [e.validator_value]):
                    if v not in allowed:
                        allowed.append(v)
            inst = error.instance
            shown = ", ".join(show(a).strip("'") if isinstance(a, str) else show(a) for a in allowed[:15])
            msg = f"{leaf} must be one of: {shown}; got {show(inst)}"
            hint = suggest(inst, allowed) if isinstance(inst, str) else None
            if hint:
                msg += f". Did you mean `{hint}`?"
            self.add("SCHEMA004", msg, self.value_span(path), path, allowed=allowed, suggestion=hint)
            return
        if not candidates:
            branches = error.validator_value if isinstance(error.validator_value, list) else []
            words = [_shape_word(b) for b in branches if isinstance(b, dict)]
            shapes = sorted(set(words))
            got = type_word(error.instance)
            if not words or "" in shapes:
                msg = f"{leaf} has none of its allowed forms (it is {got}); see its documentation on hover"
            elif len(shapes) == 1:
                msg = f"{leaf} must be {shapes[0]}; got {got}"
            else:
                msg = f"{leaf} must be {' or '.join([', '.join(shapes[:-1]), shapes[-1]])}; got {got}"
            self.add("SCHEMA010", msg, self.value_span(path), path)
            return
        def rank(errs: list[Any]) -> tuple[int, int, int]:
            # Fewest errors, deepest first; on a tie prefer a branch failing on a list of allowed values
            # (its message names them and suggests one) over one failing on a pattern or format.
            vague = sum(1 for e in errs if e.validator in ("pattern", "format"))
            return (len(errs), -max(len(e.absolute_path) for e in errs), vague)

        best = min(candidates.values(), key=rank)
        for sub in best:
            self.convert(sub)


# --- problems with a value: (code, message, data) from one jsonschema error, keyed by its keyword -------

Problem = tuple[str, str, dict[str, Any]]


def _type_problem(error: Any, leaf: str) -> Problem:
    expected, inst = error.validator_value, error.instance
    types = [expected] if isinstance(expected, str) else list(expected)
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    if inst is None:
        return "SCHEMA003", f"{leaf} is empty; give it a value ({words})", {"expected": types}
    if isinstance(inst, (dict, list)):  # the type word says it all: no "(a list)" after "a list"
        msg = f"{leaf} must be {words}, not {type_word(inst)}"
    else:
        msg = f"{leaf} must be {words}, not {type_word(inst)} ({show(inst)})"
    return "SCHEMA003", msg + _type_fix(types, inst), {"expected": types}


def _type_fix(types: list[str], inst: Any) -> str:
    """How to turn the value into the expected type, when there is an obvious way."""
    if "string" in types and not isinstance(inst, (dict, list)):
        return "; put it in quotes to keep it as text"
    if isinstance(inst, str) and {"number", "integer"} & set(types) and _numeric(inst):
        return "; remove the quotes"
    if isinstance(inst, str) and "boolean" in types and inst.strip().lower() in ("true", "false"):
        return "; remove the quotes"
    if "array" in types and isinstance(inst, dict):
        return "; write each item on its own line starting with '- '"
    if "array" in types and not isinstance(inst, list):
        return "; write it as a list item, on its own line starting with '- '"
    if "object" in types and isinstance(inst, list):
        return "; write key: value pairs instead of '- ' items"
    return ""


def _numeric(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return bool(text.strip())


def _enum_problem(error: Any, leaf: str) -> Problem:
    inst, several = error.instance, error.validator == "enum"
    allowed = list(error.validator_value) if several else [error.validator_value]
    shown = ", ".join(show(a).strip("'") if isinstance(a, str) else show(a) for a in allowed[:15])
    if len(allowed) > 15:
        shown += f" and {len(allowed) - 15} more"
    msg = f"{leaf} must be one of: {shown}; got {show(inst)}" if several and len(allowed) > 1 \
        else f"{leaf} must be {shown}; got {show(inst)}"
    hint = suggest(inst, allowed) if isinstance(inst, str) else None
    if hint:
        msg += f". Did you mean `{hint}`?"
    return "SCHEMA004", msg, {"allowed": allowed, "suggestion": hint}


def _pattern_problem(error: Any, leaf: str) -> Problem:
    schema = error.schema if isinstance(error.schema, dict) else {}
    msg = f"{leaf} must be {explain_pattern(schema)}; got {show(error.instance)}"
    return "SCHEMA005", msg, {"pattern": error.validator_value}


def _range_problem(error: Any, leaf: str) -> Problem:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return "SCHEMA006", _range_message(leaf, error.instance, schema), {
        "minimum": schema.get("minimum"), "maximum": schema.get("maximum")}


def _length_problem(error: Any, leaf: str) -> Problem:
    limit, inst = error.validator_value, error.instance
    n = len(inst) if isinstance(inst, str) else 0
    if error.validator == "minLength" and limit == 1:
        msg = f"{leaf} must not be empty"
    elif error.validator == "minLength":
        msg = f"{leaf} must be at least {plural(limit, 'character')} long (it has {n})"
    else:
        msg = f"{leaf} must be at most {plural(limit, 'character')} long (it has {plural(n, 'character')}); " \
              "shorten it"
    return "SCHEMA007", msg, {}


def _size_problem(error: Any, leaf: str) -> Problem:
    return "SCHEMA008", _size_message(leaf, error.validator, error.validator_value, error.instance), {}


# Formats in words: what a value must look like, with an example.
_FORMAT_WORDS = {
    "uri": "a full URL with a scheme, such as https://example.com/path",
    "uri-reference": "a URL or a relative path, such as https://example.com or /path",
    "url": "a full URL with a scheme, such as https://example.com/path",
    "iri": "a full URL with a scheme, such as https://example.com/path",
    "date-time": "a date and time such as 2025-01-31T12:00:00Z",
    "date": "a date such as 2025-01-31",
    "time": "a time such as 12:00:00Z",
    "email": "an email address such as name@example.com",
    "idn-email": "an email address such as name@example.com",
    "uuid": "a UUID such as 123e4567-e89b-12d3-a456-426614174000",
    "hostname": "a host name such as api.example.com",
    "ipv4": "an IPv4 address such as 192.0.2.1",
    "ipv6": "an IPv6 address such as 2001:db8::1",
    "duration": "a duration such as PT30S or P1D",
    "regex": "a valid regular expression",
}


def _format_problem(error: Any, leaf: str) -> Problem:
    fmt = str(error.validator_value)
    words = _FORMAT_WORDS.get(fmt, f"a valid {fmt.replace('-', ' ')}")
    msg = f"{leaf} should be {words}; got {show(error.instance)}"
    return "SCHEMA009", msg, {"format": error.validator_value}


def _other_problem(error: Any, leaf: str) -> Problem:
    """Keywords without a message of their own: said in words, never jsonschema's stock English."""
    kw, limit, inst = error.validator, error.validator_value, error.instance
    if kw == "multipleOf":
        msg = f"{leaf} must be a multiple of {show(limit)}; got {show(inst)}"
    elif kw in ("dependentRequired", "dependencies") and isinstance(limit, dict) and isinstance(inst, dict):
        msg = _dependency_message(leaf, limit, inst)
    elif kw == "contains" or kw == "minContains":
        msg = f"{leaf} must include at least one item of the kind it requires; add one"
    elif kw == "maxContains":
        msg = f"{leaf} has too many items of one kind; remove some"
    elif kw in ("additionalItems", "items", "prefixItems", "unevaluatedItems"):
        msg = f"{leaf} has more items than allowed; remove the extra ones"
    elif kw == "not":
        msg = f"{leaf} has a value that is not allowed here ({show(inst)}); see its documentation on hover"
    elif kw in ("unevaluatedProperties", "additionalProperties", "propertyNames"):
        msg = f"{leaf} has keys that are not allowed here; remove them or check their spelling"
    elif kw is None or kw == "false":
        msg = f"{leaf} is not allowed here; remove it"
    else:
        msg = f"{leaf} has a value the schema does not accept ({show(inst)}); see its documentation on hover"
    if not error.absolute_path:
        msg = "The manifest" + msg[len(leaf):]
    return "SCHEMA012", msg, {"keyword": kw}


def _dependency_message(leaf: str, rules: dict[str, Any], inst: dict[str, Any]) -> str:
    for key, needs in rules.items():
        if key in inst and isinstance(needs, list):
            missing = [n for n in needs if n not in inst]
            if missing:
                keys = " and ".join(f"`{n}`" for n in missing)
                return f"{leaf} sets `{key}`, which also needs {keys}; add {'it' if len(missing) == 1 else 'them'}"
    return f"{leaf} is missing keys that go with the keys it sets; see its documentation on hover"


_VALUE_PROBLEMS: dict[str, Callable[[Any, str], Problem]] = {
    "type": _type_problem, "enum": _enum_problem, "const": _enum_problem, "pattern": _pattern_problem,
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"), _range_problem),
    **dict.fromkeys(("minLength", "maxLength"), _length_problem),
    **dict.fromkeys(("minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"), _size_problem),
    "format": _format_problem,
}


def _short_description(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    desc = schema.get("description")
    if not isinstance(desc, str):
        return ""
    first = desc.split(". ")[0].strip().rstrip(".")
    return first if len(first) <= 80 else ""


def _shape_word(branch: dict[str, Any]) -> str:
    """A oneOf/anyOf branch in words; "" when it cannot be said without naming schema internals."""
    t = branch.get("type")
    if isinstance(t, str):
        return _TYPE_WORDS.get(t, t)
    if "const" in branch:
        return show(branch["const"])
    return ""


def _range_message(leaf: str, inst: Any, schema: dict[str, Any]) -> str:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    parts = []
    if lo is not None:
        parts.append(f"at least {show(lo)}")
    if isinstance(xlo, (int, float)) and not isinstance(xlo, bool):
        parts.append(f"greater than {show(xlo)}")
    if hi is not None:
        parts.append(f"at most {show(hi)}")
    if isinstance(xhi, (int, float)) and not isinstance(xhi, bool):
        parts.append(f"less than {show(xhi)}")
    if lo is not None and hi is not None:
        allowed = f"between {show(lo)} and {show(hi)}"
    else:
        allowed = " and ".join(parts)
    return f"{leaf} must be {allowed}; got {show(inst)}"


def _size_message(leaf: str, kw: str, limit: Any, inst: Any) -> str:
    n = len(inst) if isinstance(inst, (list, dict)) else 0
    what = "entry" if isinstance(inst, dict) else "item"
    if kw == "uniqueItems":
        seen: list[Any] = []
        for item in inst if isinstance(inst, list) else []:
            if item in seen:
                return f"{leaf} lists {show(item)} more than once; remove the repeat"
            seen.append(item)
        return f"{leaf} lists the same item more than once; remove the repeat"
    if kw.startswith("min"):
        return f"{leaf} must have at least {plural(limit, what)} (it has {n}); add {noun(limit - n, 'one', 'more')}"
    return f"{leaf} must have at most {plural(limit, what)} (it has {n}); remove {n - limit}"


def validate_document(doc: Document, validator: Any) -> list[Finding]:
    """Schema findings for one parsed document, in document order."""
    conv = _Converter(doc)
    for error in validator.iter_errors(doc.data):
        conv.convert(error)
    if not doc.complete:  # the syntax error may have cut off required keys: don't claim they are missing
        conv.out = [f for f in conv.out if f.code != "SCHEMA002"]
    conv.out.sort(key=Finding.sort_key)
    return conv.out
