"""Vocabulary checks for the loose `spec`: what OSSA v0.4.6+ schemas no longer check, checked as warnings.

From v0.4.6 upstream's schemas accept anything inside `spec` of Agent, Task, Workflow and Flow, so a
misspelled key, a wrong type or an impossible value there passes validation. `schemas/vocabulary.json`
(written by tools/schemagen from the facts of every version that still checked `spec`) says what those
versions allowed; this module walks a document's `spec` against it and returns the problems. They
become warnings of their own (VOCAB…, rules in core/rules/families/vocabulary.py), never schema
findings, so a document's schema verdict stays upstream's.

Only mistakes are reported: a key no version defined, a type no version allowed, a value outside
every version's list, pattern or range. Where a later version freed a field (any text, any key), only
near misses of the known names are reported (`temprature`, `open-ai`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ossa_lsp.core.text.anchor import On

from ossa_lsp.core.schema.patterns import describe
from ossa_lsp.core.schema.validate import dotted, show, suggest, type_word

MAX_PROBLEMS = 200  # per document: a pasted blob must not flood the editor
MAX_DEPTH = 64

UNKNOWN_KEY, WRONG_TYPE, NOT_ALLOWED = "unknown-key", "wrong-type", "not-allowed"

_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "null"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    what: str  # UNKNOWN_KEY | WRONG_TYPE | NOT_ALLOWED
    path: Path_  # from the document root ("spec", ...)
    message: str
    on: On = "value"  # where the finding goes: the key ("key") or the value ("value")
    suggestion: str | None = None  # did-you-mean: a known key or value


@dataclass
class Vocabulary:
    loose: dict[str, tuple[str, ...]]  # version → kinds whose spec that version's schema leaves unchecked
    sources: dict[str, tuple[str, ...]]  # kind → the versions its vocabulary comes from
    kinds: dict[str, dict[str, Any]]
    nodes: dict[str, dict[str, Any]]
    pattern_words: dict[str, str]
    _compiled: dict[str, re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    def applies(self, version: str | None, kind: str | None) -> bool:
        """Whether `spec` of this kind is left unchecked by this bundled version's schema."""
        return version is not None and kind is not None and kind in self.loose.get(version, ()) \
            and kind in self.kinds

    def node(self, n: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "ref" in n and seen < 64:
            n = self.nodes.get(str(n["ref"]), {})
            seen += 1
        return n

    def matches(self, pattern: str, text: str) -> bool:
        if pattern not in self._compiled:
            try:
                self._compiled[pattern] = re.compile(pattern)
            except re.error:
                self._compiled[pattern] = None
        compiled = self._compiled[pattern]
        return compiled is None or compiled.search(text) is not None


_LOCK = threading.Lock()


def unchecked_note(source: str | None, target: str, kind: str | None) -> str | None:
    """What moving from one bundled version to another stops the schema checking, in words (or None)."""
    vocab = load()
    if vocab is None or not vocab.applies(target, kind) or vocab.applies(source, kind):
        return None
    first = min((v for v, kinds in vocab.loose.items() if kind in kinds), key=_version_key, default=target)
    return f"from {first} the OSSA schema no longer checks `spec`; ossa-lsp keeps reporting mistakes there as " \
           "VOCAB warnings"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


@cache
def _load(path: Path) -> Vocabulary | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return Vocabulary(
        loose={str(v): tuple(ks) for v, ks in dict(data.get("loose") or {}).items()},
        sources={str(k): tuple(vs) for k, vs in dict(data.get("sources") or {}).items()},
        kinds=dict(data.get("kinds") or {}),
        nodes=dict(data.get("nodes") or {}),
        pattern_words=dict(data.get("patterns") or {}),
    )


def load(directory: Path | None = None) -> Vocabulary | None:
    """The bundled vocabulary (None when the file is missing: then nothing is checked)."""
    if directory is None:
        return _bundled()
    with _LOCK:
        return _load(directory / "vocabulary.json")


@cache
def _bundled() -> Vocabulary | None:
    from ossa_lsp.core.schema.registry import schemas_dir  # finding the package data costs ~1 ms: once

    with _LOCK:
        return _load(schemas_dir() / "vocabulary.json")


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    return "null"


def _type_ok(value: Any, types: list[str]) -> bool:
    t = _json_type(value)
    return t in types or (t == "integer" and "number" in types)


def _types_words(types: list[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if not (t == "integer" and "number" in types)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def check(vocab: Vocabulary, kind: str, spec: Any) -> list[Problem]:
    """The problems of one document's `spec` (the parsed value) against the vocabulary of its kind."""
    root = vocab.kinds.get(kind)
    if root is None:
        return []
    out: list[Problem] = []
    for problem in _walk(vocab, root, spec, ("spec",)):
        out.append(problem)
        if len(out) >= MAX_PROBLEMS:
            break
    return out


def _walk(vocab: Vocabulary, start: dict[str, Any], spec: Any, at: Path_) -> Iterator[Problem]:
    origin = "earlier OSSA versions"
    stack: list[tuple[dict[str, Any], Any, Path_]] = [(start, spec, at)]
    while stack:
        raw, value, path = stack.pop()
        node = vocab.node(raw)
        if not node or len(path) > MAX_DEPTH:
            continue
        name = str(path[-1]) if path and not isinstance(path[-1], int) else dotted(path)
        types = node.get("types")
        if types and not _type_ok(value, types):
            yield Problem(WRONG_TYPE, path, f"`{name}` should be {_types_words(types)}, as {origin} define it; "
                                            f"got {type_word(value)}")
            continue
        problem = _value_problem(vocab, node, value, path, name, origin)
        if problem is not None:
            yield problem
        if isinstance(value, dict):
            keys: dict[str, Any] = node.get("keys") or {}
            children = []
            for k, v in value.items():
                k = str(k)
                if k in keys:
                    children.append((keys[k], v, (*path, k)))
                elif "values" in node:
                    children.append((node["values"], v, (*path, k)))
                elif node.get("closed"):
                    hint = near(k, keys)
                    if hint is None and node.get("open"):
                        continue  # a later version accepted any key here: only typos are reported
                    text = f"Unknown key `{_cut(k)}` in `{dotted(path)}`" + (
                        f"; did you mean `{hint}`?" if hint else f": no OSSA version defines it ({_known(keys)})")
                    yield Problem(UNKNOWN_KEY, (*path, k), text, on="key", suggestion=hint)
            stack.extend(reversed(children))
        elif isinstance(value, list) and "items" in node:
            item_types: list[str] = vocab.node(node["items"]).get("types") or []
            wrong = [i for i, v in enumerate(value) if item_types and not _type_ok(v, item_types)]
            skip = set(wrong)
            if wrong:  # one finding per list, on its first wrong item: a list of mappings is one mistake
                more = f" ({len(wrong)} items)" if len(wrong) > 1 else ""
                yield Problem(WRONG_TYPE, (*path, wrong[0]),
                              f"Items of `{dotted(path)}` should be {_types_words(item_types)}, as {origin} "
                              f"define them; got {type_word(value[wrong[0]])}{more}")
            stack.extend((node["items"], v, (*path, i)) for i, v in reversed(list(enumerate(value)))
                         if i not in skip)


def near(word: str, options: Iterable[Any]) -> str | None:
    """A known name `word` is probably a slip of. Stricter than a schema's did-you-mean, because here the answer
    also decides whether a key or value is reported at all: short words match anything, and long ones are no
    typo (and slow to compare)."""
    return suggest(word, options, cutoff=0.8, lengths=(5, 64))


def _cut(text: str, limit: int = 60) -> str:
    """A key as messages show it: cut, so a pasted essay or secret is never echoed in full."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _known(keys: dict[str, Any]) -> str:
    names = sorted(keys)
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return f"known: {shown}" if names else "it takes no keys"


def _value_problem(vocab: Vocabulary, node: dict[str, Any], value: Any, path: Path_, name: str,
                   origin: str) -> Problem | None:
    t = _json_type(value)
    enum: list[Any] = node.get("enum") or []
    enum_types = node.get("enumTypes") or ()
    listed = bool(enum) and (t in enum_types or (t == "integer" and "number" in enum_types))
    if listed and not any(e == value and isinstance(e, bool) == isinstance(value, bool) for e in enum):
        hint = near(value, enum) if isinstance(value, str) else None
        free = bool(node.get("free"))  # some version took any text here: only near misses of its values count
        if hint is not None or not free:
            allowed = ", ".join(show(e) for e in enum[:14]) + (f" and {len(enum) - 14} more" if len(enum) > 14
                                                                  else "")
            if free:
                text = f"`{name}` is {show(value)}; did you mean `{hint}`? (values OSSA versions list: {allowed})"
            else:
                text = f"`{name}` is {show(value)}, which no OSSA version allows here (known: {allowed})" + \
                    (f"; did you mean `{hint}`?" if hint else "")
            return Problem(NOT_ALLOWED, path, text, suggestion=hint)
    if isinstance(value, str) and node.get("patterns"):
        patterns = node["patterns"]
        if not any(vocab.matches(p, value) for p in patterns):
            form = vocab.pattern_words.get(patterns[0]) or describe(patterns[0])
            return Problem(NOT_ALLOWED, path, f"`{name}` must be {form}, as {origin} require; got {show(value)}")
    if t in ("integer", "number"):
        limit = _out_of_range(node, value)
        if limit is not None:
            return Problem(NOT_ALLOWED, path, f"`{name}` must be {limit}, as {origin} require; got {show(value)}")
    return None


def _out_of_range(node: dict[str, Any], value: float) -> str | None:
    lo, hi = node.get("minimum"), node.get("maximum")
    xlo, xhi = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if lo is not None and value < lo:
        return f"at least {show(lo)}" if hi is None else f"from {show(lo)} to {show(hi)}"
    if hi is not None and value > hi:
        return f"at most {show(hi)}" if lo is None else f"from {show(lo)} to {show(hi)}"
    if xlo is not None and value <= xlo:
        return f"above {show(xlo)}"
    if xhi is not None and value >= xhi:
        return f"below {show(xhi)}"
    return None
