"""Formatting a manifest: the one answer behind `textDocument/formatting`, `rangeFormatting` and
`ossa-lsp format`.

YAML is re-emitted by ruamel.yaml's round-trip mode: comments, key order, quoting, anchors and aliases,
block scalars and flow collections are kept; mappings are indented by 2 spaces and sequences sit 2
spaces under their key; no line is re-wrapped (a long string stays on its line). JSON is re-emitted with
2-space indentation, its number tokens as written and duplicate keys kept. With `canonical`, keys are
put in the canonical order: apiVersion, kind, metadata, spec, then the rest as written; inside
`metadata` and `spec`, the order in which the document's schema declares the properties (keys the
schema does not know follow, as written).

Nothing is ever lost: a file with syntax errors is refused, and every result is checked before it
is returned — it must parse without errors to the same data, with the same comments — else the file
is refused with the reason. The BOM and the newline style (LF or CRLF) are kept.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ossa_lsp.core.findings import Severity
from ossa_lsp.core.text.source import Manifest, is_json_path, parse
from ossa_lsp.core.text.spans import Pos, Span

INDENT = 2
TOP_ORDER = ("apiVersion", "kind", "metadata", "spec")
SCHEMA_ORDERED = ("metadata", "spec")  # subtrees whose keys follow the schema's order under `canonical`
_WIDTH = 1 << 30  # never re-wrap a line: a folded plain scalar would change


@dataclass(frozen=True, slots=True)
class Formatted:
    """The text after formatting (the input when refused), and why not when refused."""

    text: str
    refused: str | None = None
    original: str = ""

    @property
    def changed(self) -> bool:
        return self.refused is None and self.text != self.original


class Refused(Exception):
    """The file cannot be formatted without risk; the message says why (for people)."""


def format_text(text: str, path: str | None = None, *, canonical: bool = False) -> Formatted:
    """Format one manifest's text (as read: BOM and CRLF allowed)."""
    try:
        return Formatted(_format(text, path, canonical), None, text)
    except Refused as why:
        return Formatted(text, str(why), text)


def _format(text: str, path: str | None, canonical: bool) -> str:
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    crlf = "\r\n" in body and body.index("\r\n") == body.find("\n") - 1
    body = body.replace("\r\n", "\n")
    if "\r" in body:
        raise Refused("the file has carriage returns that do not end a line (mixed line endings); not formatted")
    before = _parsed(body, path, "the file")
    is_json = before.format == "json" or is_json_path(path)
    out = _format_json(body, canonical) if is_json else _format_yaml(body, before, canonical)
    _verify(before, body, out, path, is_json)
    if crlf:
        out = out.replace("\n", "\r\n")
    return bom + out


def _parsed(text: str, path: str | None, what: str) -> Manifest:
    manifest = parse(text, path)
    errors = [f for f in manifest.findings if f.severity == Severity.ERROR or f.code == "YAML006"]
    if errors:
        first = errors[0]
        raise Refused(f"{what} has syntax errors (line {first.span.start.line + 1}: {first.message}); not formatted")
    return manifest


def _verify(before: Manifest, body: str, out: str, path: str | None, is_json: bool) -> None:
    """The result must mean exactly what the input meant, and keep every comment."""
    after = _parsed(out, path, "the formatted text")
    if [d.data for d in before.documents if d.root is not None] != \
            [d.data for d in after.documents if d.root is not None]:
        raise Refused("formatting would change the data (an unusual construct); not formatted")
    if not is_json and comments(body) != comments(out):
        raise Refused("formatting would move or drop a comment it cannot place; not formatted")


# --- YAML ------------------------------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.representer import RoundTripRepresenter

    class Constructor(RoundTripConstructor):
        def construct_yaml_null(self, node: Any) -> Any:
            return Null(node.value)  # `~`, `null` and an empty value are written back as they were

    class Representer(RoundTripRepresenter):
        pass

    Constructor.add_constructor("tag:yaml.org,2002:null", Constructor.construct_yaml_null)
    Representer.add_representer(Null, lambda r, n: r.represent_scalar("tag:yaml.org,2002:null", n.text))
    y = YAML(typ="rt")
    y.Constructor, y.Representer = Constructor, Representer
    y.preserve_quotes = True
    y.indent(mapping=INDENT, sequence=2 * INDENT, offset=INDENT)
    y.width = _WIDTH
    return y


class Null:
    """A null scalar and how it was written (`~`, `null`, or nothing)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _format_yaml(body: str, before: Manifest, canonical: bool) -> str:
    from ruamel.yaml.error import YAMLError

    head, body = _head(body)
    y = _yaml()
    y.explicit_start = not head and body.lstrip().startswith("---")
    try:
        docs = list(y.load_all(body))
        if canonical:
            for doc, parsed in zip(docs, before.documents, strict=False):
                _canonical(doc, parsed)
        stream = io.StringIO()
        y.dump_all(docs, stream)
    except (YAMLError, RecursionError, ValueError, TypeError, AttributeError) as err:
        raise Refused(f"the YAML cannot be re-emitted safely ({type(err).__name__}); not formatted") from None
    out = stream.getvalue()
    return head + (out if out.strip() or not body.strip() else body)


def _head(body: str) -> tuple[str, str]:
    """Comment lines before the first `---`, with that line (kept as written: ruamel drops comments that
    come before a document start marker), and the rest."""
    at = 0
    while at < len(body):
        end = body.find("\n", at)
        end = len(body) if end < 0 else end + 1
        line = body[at:end].strip()
        if line == "---":
            return (body[:end], body[end:]) if at else ("", body)
        if line and not line.startswith("#"):
            break
        at = end
    return "", body


def comments(text: str) -> list[str]:
    """Every comment of a YAML text, stripped, sorted (a formatter may move one but never drop it)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    found: list[str] = []
    try:
        for token in YAML(typ="rt").scan(text):
            _collect(getattr(token, "_comment", None), found)
    except YAMLError:
        return ["<unscannable>"]
    return sorted(found)


def _collect(obj: Any, out: list[str]) -> None:
    from ruamel.yaml.tokens import CommentToken

    if isinstance(obj, CommentToken):
        out.extend(line.strip() for line in obj.value.splitlines() if line.strip().startswith("#"))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _collect(item, out)


# --- canonical key order ---------------------------------------------------------------------------


def _canonical(doc: Any, parsed: Any) -> None:
    if not hasattr(doc, "move_to_end"):
        return
    _reorder(doc, list(TOP_ORDER))
    nav = _navigator(parsed)
    if nav is None:
        return
    for key in SCHEMA_ORDERED:
        if key in doc:
            _by_schema(doc[key], nav, [key], depth=0)


def _reorder(mapping: Any, first: list[str]) -> None:
    """Put `first` (those present) first, the other keys after them in their order."""
    rest = [k for k in mapping if k not in first]
    for key in [k for k in first if k in mapping] + rest:
        mapping.move_to_end(key)


def _navigator(parsed: Any) -> Any:
    from ossa_lsp.core.schema.registry import REGISTRY, SchemaError

    api, kind = getattr(parsed, "api_version", None), getattr(parsed, "kind", None)
    choice = REGISTRY.choose(api, kind) if isinstance(api, str) else None
    if choice is None:
        return None
    try:
        return REGISTRY.get_file(choice.entry.version, choice.file).nav(kind)
    except (SchemaError, OSError, ValueError):
        return None


def _by_schema(node: Any, nav: Any, path: list[str | int], depth: int) -> None:
    from ossa_lsp.core.schema.navigate import properties

    if depth > 32:
        return
    if hasattr(node, "move_to_end"):
        declared = list(properties(nav, nav.at(path)))
        if declared:
            _reorder(node, declared)
        for key in list(node):
            if isinstance(key, str):
                _by_schema(node[key], nav, [*path, key], depth + 1)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _by_schema(item, nav, [*path, i], depth + 1)


# --- JSON ------------------------------------------------------------------------------------------


class _Raw(str):
    """A number or literal token, written back exactly as it was."""


def _format_json(body: str, canonical: bool) -> str:
    def pairs(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        return _Pairs(items)

    try:
        data = json.loads(body, object_pairs_hook=pairs, parse_float=_Raw, parse_int=_Raw, parse_constant=_Raw)
    except (ValueError, RecursionError) as err:
        raise Refused(f"the JSON cannot be read ({err}); not formatted") from None
    if canonical and isinstance(data, _Pairs):
        data = _Pairs(sorted(data, key=lambda kv: TOP_ORDER.index(kv[0]) if kv[0] in TOP_ORDER else len(TOP_ORDER)))
    out: list[str] = []
    try:
        _emit(data, 0, out)
    except RecursionError:
        raise Refused("the JSON is nested too deeply to format") from None
    return "".join(out) + "\n"


class _Pairs(list):
    """A JSON object as its (key, value) pairs: order and duplicate keys kept."""


def _emit(value: Any, level: int, out: list[str]) -> None:
    pad, inner = " " * (INDENT * level), " " * (INDENT * (level + 1))
    if isinstance(value, _Pairs):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for i, (key, item) in enumerate(value):
            out.append(f"{inner}{json.dumps(key, ensure_ascii=False)}: ")
            _emit(item, level + 1, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(pad + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _emit(item, level + 1, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(pad + "]")
    elif isinstance(value, _Raw):
        out.append(str(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


# --- edits (for the editor) ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the lines of `span` (whole lines) by `text`."""

    span: Span
    text: str


def line_edits(old: str, new: str, lines: tuple[int, int] | None = None, path: str | None = None) -> list[Edit]:
    """The changed lines of `new` against `old` as edits (small hunks, so the editor keeps the cursor and
    folds). With `lines` (first, last; range formatting), only the hunks that touch those lines — unless
    that part alone would not parse to the same data (e.g. half a block re-indented): then every hunk."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if lines is not None:
        first, last = lines
        picked = [op for op in hunks if op[1] <= last and max(op[2] - 1, op[1]) >= first]
        if picked != hunks and not _same_data(old, _apply(a, b, picked), path):
            picked = hunks
        hunks = picked
    return [Edit(_span(a, i1, i2), "".join(b[j1:j2])) for _tag, i1, i2, j1, j2 in hunks]


def _apply(a: list[str], b: list[str], hunks: Sequence[tuple[str, int, int, int, int]]) -> str:
    out, at = [], 0
    for _tag, i1, i2, j1, j2 in hunks:
        out.extend(a[at:i1])
        out.extend(b[j1:j2])
        at = i2
    out.extend(a[at:])
    return "".join(out)


def _same_data(old: str, new: str, path: str | None) -> bool:
    try:
        before = _parsed(old.replace("\r\n", "\n").lstrip("\ufeff"), path, "")
        after = _parsed(new.replace("\r\n", "\n").lstrip("\ufeff"), path, "")
    except Refused:
        return False
    return [d.data for d in before.documents] == [d.data for d in after.documents]


def _span(a: list[str], i1: int, i2: int) -> Span:
    if i2 < len(a) or not a or a[-1].endswith(("\n", "\r")):
        return Span(Pos(i1, 0), Pos(i2, 0))
    return Span(Pos(i1, 0), Pos(len(a) - 1, len(a[-1])))  # no final newline: end at the text's end, not past it


__all__ = ["Edit", "Formatted", "comments", "format_text", "line_edits"]
