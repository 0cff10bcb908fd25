"""Text → Manifest: a tree in which every key and value knows its exact source span.

YAML is read with YAML 1.2 core-schema semantics, as the OSSA tooling (npm `yaml`) and
yaml-language-server read it: `yes`/`on`/`off` and dates stay strings, `0755` is decimal, `<<` is an
ordinary key, a duplicate key is an error at the second key, unknown tags only warn. Every document of
a multi-document stream is its own `Document`. After a syntax error the partial tree built so far is
kept, so the rest of the engine still works on whatever parsed. Work per file is bounded: size,
nesting depth and alias expansion all have limits that turn into findings, never hangs.

JSON files get their own small parser (same tree, same findings), since JSON and YAML differ on
details such as tabs and duplicate keys.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from ossa_lsp.core.constants import ALIAS, MAP, SCALAR, SEQ
from ossa_lsp.core.findings import Finding, Related, Severity
from ossa_lsp.core.text.spans import LineIndex, Pos, Span
from ossa_lsp.core.text.syntax import Explained, explain

_Parser: Any
try:  # libyaml's parser is ~10x faster; the pure-Python one produces the same events
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml.parser import Parser as _Parser



@dataclass(frozen=True, slots=True)
class Limits:
    max_chars: int = 10_000_000
    max_depth: int = 100
    max_nodes: int = 2_000_000  # expanded nodes (aliases counted each time they are used)


DEFAULT_LIMITS = Limits()


class Node:
    """One YAML/JSON node. `items` is a list of (key, value) pairs for maps, of nodes for seqs."""

    __slots__ = ("anchor", "index", "items", "kind", "span", "style", "tag", "target", "value")

    def __init__(self, kind: str, span: Span, value: Any = None, style: str | None = None) -> None:
        self.kind = kind
        self.span = span
        self.value = value
        self.style = style
        self.tag: str | None = None
        self.anchor: str | None = None
        self.items: list[Any] = []
        self.index: dict[str, int] = {}  # maps only: key text -> position in items (first wins)
        self.target: Node | None = None  # aliases only

    def deref(self) -> Node:
        node = self
        while node.kind == ALIAS and node.target is not None:
            node = node.target
        return node

    def get(self, key: str) -> tuple[Node, Node] | None:
        i = self.index.get(key)
        return None if i is None else self.items[i]

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.span}, {self.value!r})"


@dataclass(slots=True)
class Document:
    index: int
    root: Node | None
    data: Any
    span: Span
    complete: bool = True  # False when a syntax error cut this document short

    @property
    def api_version(self) -> str | None:
        v = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return v if isinstance(v, str) else None

    @property
    def kind(self) -> str | None:
        v = self.data.get("kind") if isinstance(self.data, dict) else None
        return v if isinstance(v, str) else None

    def locate(self, path: Sequence[str | int]) -> tuple[Node | None, Node | None, int]:
        """(key node, value node, depth reached) for a JSON path; stops at the deepest existing node."""
        node = self.root
        key: Node | None = None
        for depth, part in enumerate(path):
            if node is None:
                return key, None, depth
            node = node.deref()
            if node.kind == MAP:
                pair = node.get(str(part))
                if pair is None:
                    return key, node, depth
                key, node = pair
            elif node.kind == SEQ and isinstance(part, int) and 0 <= part < len(node.items):
                key, node = None, node.items[part]
            else:
                return key, node, depth
        return key, node, len(path)


@dataclass(slots=True)
class Manifest:
    text: str
    lines: LineIndex
    format: str  # "yaml" | "json"
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # syntax / encoding / limit findings
    # After a syntax error the documents come from the text with these lines set aside (blanked; line →
    # its text), so what still parses keeps its findings; `core/analyze.py` drops what the blanking causes.
    set_aside: dict[int, str] = field(default_factory=dict)
    broken: Explained | None = field(default=None, repr=False)  # the syntax error, when the parser met one

    @property
    def has_syntax_error(self) -> bool:
        return any(f.severity == Severity.ERROR for f in self.findings)


# --- YAML 1.2 core schema resolution -------------------------------------------------------------

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = {".inf", ".Inf", ".INF"}
_NAN = {".nan", ".NaN", ".NAN"}
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STD_TAG = "tag:yaml.org,2002:"


def resolve_plain(text: str) -> Any:
    """Value of a plain (unquoted) scalar under the YAML 1.2 core schema."""
    if not text:
        return None
    c = text[0]
    if c in "0123456789+-.":
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
        if c == "0" and len(text) > 2:
            if _OCT.match(text):
                return int(text[2:], 8)
            if _HEX.match(text):
                return int(text[2:], 16)
        if text[0] in "+-" and text[1:] in _INF:
            return -math.inf if c == "-" else math.inf
        if text in _INF:
            return math.inf
        if text in _NAN:
            return math.nan
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return text


def _resolve_tagged(tag: str, text: str) -> tuple[Any, bool]:
    """Value of an explicitly tagged scalar; second item False when the tag is unknown."""
    if not tag.startswith(_STD_TAG):
        return text, tag == "!"
    name = tag[len(_STD_TAG) :]
    if name == "str":
        return text, True
    value = resolve_plain(text)
    if name == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value, True
    if name == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), True
    if name == "bool" and isinstance(value, bool):
        return value, True
    if name == "null" and value is None:
        return None, True
    return text, name in ("binary", "timestamp")


def key_text(node: Node) -> str:
    """The string a mapping key becomes in the data (JSON objects have string keys)."""
    node = node.deref()
    if node.kind == SCALAR:
        v = node.value
        if isinstance(v, str):
            return v
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    return f"<{node.kind}>"


def _syntax(message: str, span: Span, doc: int, code: str = "YAML001", **kw: Any) -> Finding:
    sev = Severity.WARNING if code in ("YAML006", "YAML007", "YAML008") else Severity.ERROR
    return Finding(code=code, severity=sev, source="yaml", message=message, span=span, document=doc, **kw)


# --- the YAML composer ----------------------------------------------------------------------------


class _Builder:
    """Turns parser events into Nodes and plain data at once, with bounded expansion and depth."""

    def __init__(self, lines: LineIndex, limits: Limits, findings: list[Finding]) -> None:
        self.lines = lines
        self.limits = limits
        self.findings = findings
        self.anchors: dict[str, tuple[Node, Any, int]] = {}
        self.expanded = 0
        self.alias_limit_hit = False
        self.depth_limit_hit = False
        self.doc_index = 0
        # stack entries: [node, data, size, pending_key_node_or_None, too_deep]
        self.stack: list[list[Any]] = []
        self.root: tuple[Node, Any] | None = None

    def span(self, start: Any, end: Any) -> Span:
        return Span(Pos(start.line, start.column), Pos(end.line, end.column))

    def start_document(self, index: int) -> None:
        self.doc_index = index
        self.anchors = {}
        self.stack = []
        self.root = None

    def _too_deep(self) -> bool:
        return len(self.stack) >= self.limits.max_depth or bool(self.stack and self.stack[-1][4])

    def _attach(self, node: Node, data: Any, size: int) -> None:
        if not self.stack:
            self.root = (node, data)
            return
        top = self.stack[-1]
        parent: Node = top[0]
        top[2] += size
        if parent.kind == SEQ:
            parent.items.append(node)
            if not top[4]:
                top[1].append(data)
            return
        key = top[3]
        if key is None:
            top[3] = node
            return
        top[3] = None
        text = key_text(key)
        first = parent.index.get(text)
        if first is not None:
            first_key = parent.items[first][0]
            self.findings.append(
                _syntax(
                    f"Duplicate key '{text}': it is already set above in this mapping; remove one of the "
                    "two (a key may appear only once)",
                    key.span,
                    self.doc_index,
                    code="YAML002",
                    related=(Related(f"First '{text}' is here", first_key.span),),
                )
            )
            parent.items.append((key, node))
            return
        parent.index[text] = len(parent.items)
        parent.items.append((key, node))
        if not top[4]:
            top[1][text] = data

    def scalar(self, ev: Any) -> None:
        span = self.span(ev.start_mark, ev.end_mark)
        style = ev.style or None
        if style in ("|", ">") and span.end.character == 0 and span.end.line > span.start.line:
            prev = span.end.line - 1
            span = Span(span.start, Pos(prev, len(self.lines.line(prev))))
        tag = ev.tag
        if tag == "json":  # already typed by the JSON parser
            value: Any = ev.value
            tag = None
        elif tag is None or tag == "!":
            value = resolve_plain(ev.value) if style is None and tag is None else ev.value
        else:
            value, known = _resolve_tagged(tag, ev.value)
            if not known:
                self.findings.append(
                    _syntax(f"Custom tag '{tag}' is ignored; the value is read as text", span, self.doc_index,
                            code="YAML007")
                )
        node = Node(SCALAR, span, value, style)
        node.tag = tag
        self._anchor(ev.anchor, node, value, 1)
        self._attach(node, value, 1)

    def start_collection(self, ev: Any, kind: str) -> None:
        node = Node(kind, self.span(ev.start_mark, ev.end_mark), style="flow" if ev.flow_style else "block")
        node.tag = ev.tag
        too_deep = self._too_deep()
        if too_deep and not self.depth_limit_hit and len(self.stack) >= self.limits.max_depth:
            self.depth_limit_hit = True
            self.findings.append(
                _syntax(f"Nesting deeper than {self.limits.max_depth} levels is not analysed", node.span,
                        self.doc_index, code="YAML006")
            )
        data: Any = None if too_deep else ({} if kind == MAP else [])
        self.stack.append([node, data, 1, None, too_deep])
        node.anchor = ev.anchor

    def end_collection(self, ev: Any) -> None:
        node, data, size, _key, _deep = self.stack.pop()
        end = Pos(ev.end_mark.line, ev.end_mark.column)
        if node.style == "block":
            last = node.items[-1] if node.items else None
            if isinstance(last, tuple):
                last = last[1]
            if last is not None:
                end = last.span.end
            elif node.kind == MAP or node.kind == SEQ:
                end = node.span.end
        node.span = Span(node.span.start, end)
        self._anchor(node.anchor, node, data, size)
        self._attach(node, data, size)

    def alias(self, ev: Any) -> None:
        span = self.span(ev.start_mark, ev.end_mark)
        node = Node(ALIAS, span, ev.anchor)
        entry = self.anchors.get(ev.anchor)
        if entry is None:
            self.findings.append(_syntax(f"Unknown alias '*{ev.anchor}': no anchor '&{ev.anchor}' before it; "
                                         f"define '&{ev.anchor}' on a value above, or fix the name",
                                         span, self.doc_index))
            self._attach(node, None, 1)
            return
        target, data, size = entry
        node.target = target
        self.expanded += size
        if self.expanded > self.limits.max_nodes:
            if not self.alias_limit_hit:
                self.alias_limit_hit = True
                self.findings.append(
                    _syntax(
                        f"Aliases expand to more than {self.limits.max_nodes:,} nodes "
                        "('billion laughs'); aliases from here on are read as empty",
                        span,
                        self.doc_index,
                        code="YAML003",
                    )
                )
            self._attach(node, None, 1)
            return
        self._attach(node, data, size)

    def _anchor(self, anchor: str | None, node: Node, data: Any, size: int) -> None:
        if anchor:
            node.anchor = anchor
            self.anchors[anchor] = (node, data, size)

    def close_open(self, at: Pos) -> None:
        """After a syntax error: close every open collection so the partial tree is usable."""
        while self.stack:
            top = self.stack[-1]
            if top[0].kind == MAP and top[3] is not None:  # a key whose value never came: null
                key_end = top[3].span.end
                self._attach(Node(SCALAR, Span(key_end, key_end), None), None, 1)
            node, data, size, _key, _deep = self.stack.pop()
            last = node.items[-1] if node.items else None
            if isinstance(last, tuple):
                last = last[1]
            end = last.span.end if last is not None else at
            node.span = Span(node.span.start, max(end, node.span.start))
            self._attach(node, data, size)


def _mark_span(mark: Any, lines: LineIndex) -> Span:
    line = mark.line
    col = mark.column
    text = lines.line(line)
    if line >= lines.line_count:
        end = lines.end()
        return Span(end, end)
    end_col = col + 1 if col < len(text) else col
    return Span(Pos(line, col), Pos(line, end_col))


_RETRIES = 3  # re-parses after a syntax error, each setting more lines aside: bounded work per keystroke


def parse_yaml(text: str, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Parse YAML; after a syntax error, parse again with the broken lines set aside (blanked, so every
    position stays where it was) and keep those documents, so the parts that still parse keep their findings.
    At most `_RETRIES` more parses, each setting more lines aside: linear in the text, whatever it holds."""
    manifest = _parse_yaml_once(text, limits)
    broken = manifest.broken
    if broken is None:
        return manifest
    aside: set[int] = set()
    for _ in range(_RETRIES):
        more = {n for n in broken.set_aside if n < manifest.lines.line_count} - aside
        if not more:
            break
        aside |= more
        retry = _parse_yaml_once(_set_aside(text, aside), limits)
        if retry.broken is None:
            _adopt(manifest, retry, aside)
            return manifest
        broken = retry.broken
    return manifest


def _set_aside(text: str, aside: set[int]) -> str:
    """The text with the `aside` lines blanked; every line keeps its length, so positions in the result are
    positions in the text."""
    out = text.splitlines(keepends=True)
    for n in aside:
        if n < len(out):
            line = out[n]
            body = line.rstrip("\r\n")
            out[n] = " " * len(body) + line[len(body):]
    return "".join(out)


def _adopt(manifest: Manifest, retry: Manifest, aside: set[int]) -> None:
    if retry.documents:
        manifest.documents = retry.documents
    seen = {(f.code, f.span) for f in manifest.findings}
    manifest.findings.extend(f for f in retry.findings if (f.code, f.span) not in seen
                             and f.code not in ("YAML001", "YAML008"))
    manifest.set_aside = {n: manifest.lines.line(n) for n in sorted(aside)}


def _parse_yaml_once(text: str, limits: Limits) -> Manifest:
    lines = LineIndex(text)
    manifest = Manifest(text=text, lines=lines, format="yaml")
    b = _Builder(lines, limits, manifest.findings)
    parser = _Parser(text)
    at = _Stream()
    try:
        _read_events(parser, b, manifest, limits, at)
    except yaml.MarkedYAMLError as err:
        _broken(err, b, manifest, limits, at)
    except (yaml.YAMLError, ValueError) as err:  # reader errors: control characters and the like
        manifest.findings.append(_unreadable(err, manifest))
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    if not manifest.documents and not manifest.findings:
        manifest.findings.append(_syntax("The file has no manifest in it (it is empty or only comments)",
                                         Span(Pos(0, 0), Pos(0, 0)), 0, code="YAML008"))
    return manifest


def _unreadable(err: Exception, manifest: Manifest) -> Finding:
    """A reader error: a character YAML does not allow (control characters), on that character."""
    position = getattr(err, "position", None)
    char = getattr(err, "character", None)
    if isinstance(position, int) and 0 <= position < len(manifest.text):
        at = manifest.lines.pos(position)
        span = Span(at, Pos(at.line, at.character + 1))
    else:
        span = Span(Pos(0, 0), Pos(0, 0))
    code = ord(char) if isinstance(char, str) and len(char) == 1 else char if isinstance(char, int) else None
    what = f"U+{code:04X}" if code is not None else "a character"
    return _syntax(f"The file contains a control character ({what}) that YAML does not allow; remove it, or "
                   "write it as an escape inside double quotes", span, 0)


class _Stream:
    """Where the reader is in a YAML stream: the current document (for what a syntax error cuts short)."""

    __slots__ = ("doc_start", "in_doc", "index")

    def __init__(self) -> None:
        self.doc_start = Pos(0, 0)
        self.in_doc = False
        self.index = -1


def _read_events(parser: Any, b: _Builder, manifest: Manifest, limits: Limits, at: _Stream) -> None:
    events = 0
    ev: Any
    while True:
        ev = parser.get_event()
        if ev is None:
            return
        cls = type(ev).__name__
        if cls == "ScalarEvent":
            b.scalar(ev)
        elif cls == "MappingStartEvent":
            b.start_collection(ev, MAP)
        elif cls == "MappingEndEvent" or cls == "SequenceEndEvent":
            b.end_collection(ev)
        elif cls == "SequenceStartEvent":
            b.start_collection(ev, SEQ)
        elif cls == "AliasEvent":
            b.alias(ev)
        elif cls == "DocumentStartEvent":
            at.index += 1
            at.in_doc = True
            b.start_document(at.index)
            at.doc_start = Pos(ev.start_mark.line, ev.start_mark.column)
        elif cls == "DocumentEndEvent":
            at.in_doc = False
            _finish_document(manifest, b, at.index, at.doc_start, Pos(ev.end_mark.line, ev.end_mark.column), True)
        events += 1
        if events > limits.max_nodes:
            manifest.findings.append(_syntax("Too many YAML nodes; the rest of the file is not analysed",
                                             Span(at.doc_start, at.doc_start), max(at.index, 0), code="YAML006"))
            return


def _broken(err: yaml.MarkedYAMLError, b: _Builder, manifest: Manifest, limits: Limits, at: _Stream) -> None:
    """A syntax error: its finding, and the document it cut short, kept as far as it got."""
    lines, findings = manifest.lines, manifest.findings
    mark = err.problem_mark or err.context_mark
    span = _mark_span(mark, lines) if mark is not None else Span(lines.end(), lines.end())
    if "nesting depth" in (err.problem or ""):  # PyYAML ≥ 6.0.4 stops deep flow nesting in its scanner
        if not b.depth_limit_hit:
            findings.append(_syntax(f"Nesting deeper than {limits.max_depth} levels is not analysed", span,
                                    max(at.index, 0), code="YAML006"))
    else:
        said = explain(err, lines)
        manifest.broken = said
        related = tuple(Related(text, where) for text, where in said.related)
        findings.append(_syntax(said.message, said.span, max(at.index, 0), related=related))
    if at.in_doc or at.index == -1:
        index = max(at.index, 0)
        b.doc_index = index
        b.close_open(span.start)
        _finish_document(manifest, b, index, at.doc_start, span.start, False)


def _finish_document(manifest: Manifest, b: _Builder, index: int, start: Pos, end: Pos, complete: bool) -> None:
    root, data = b.root if b.root is not None else (None, None)
    if root is not None:
        start = min(start, root.span.start)
    manifest.documents.append(Document(index=index, root=root, data=data, span=Span(start, max(end, start)),
                                       complete=complete))
    b.root = None


# --- JSON ----------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
      (?P<str>"(?:[^"\\\x00-\x1f]|\\.)*")
    | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    | (?P<lit>true|false|null)
    | (?P<punct>[{}\[\]:,])
    )""",
    re.VERBOSE,
)
_JSON_ESC = re.compile(r'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_ESC = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/"}


class _JsonError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _json_string(raw: str, offset: int) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    pos = 0
    out: list[str] = []
    for m in _JSON_ESC.finditer(body):
        out.append(body[pos : m.start()])
        out.append(chr(int(m.group(1), 16)) if m.group(1) else _ESC[m.group(2)])
        pos = m.end()
    rest = body[pos:]
    if "\\" in rest:
        raise _JsonError("A backslash in a JSON string starts an escape sequence, and this one is unknown: "
                         "write two backslashes for one", offset + 1 + pos + rest.index("\\"))
    out.append(rest)
    text = "".join(out)
    # join surrogate pairs written as two \u escapes
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if re.search(
        "[\ud800-\udfff]", text) else text


def _tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    pos = 0
    n = len(text)
    match = _JSON_TOKEN.match
    while True:
        m = match(text, pos)
        if m is None or m.lastgroup is None:
            # skip whitespace to locate the offending character precisely
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos >= n:
                return
            ch = text[pos]
            if ch == '"':
                raise _JsonError("The text in double quotes that starts here is never closed (or holds a line "
                                 "break or tab): add the closing double quote, and write a line break as an "
                                 "escape", pos)
            raise _JsonError(_json_stray(text, pos), pos)
        kind = m.lastgroup
        yield kind, m.group(kind), m.start(kind), m.end(kind)
        pos = m.end()


_TRAILING = "Trailing comma"


def parse_json(text: str, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Parse JSON; a trailing comma is reported, then read past (the comma blanked) so the rest keeps its
    findings, as after a YAML syntax error."""
    manifest = latest = _parse_json_once(text, limits)
    patched = text
    for _ in range(_RETRIES):
        errors = [f for f in latest.findings if f.code == "YAML001"]
        if not errors or not errors[0].message.startswith(_TRAILING):
            break
        at = manifest.lines.offset(errors[0].span.start)
        patched = patched[:at] + " " + patched[at + 1:]  # same length: positions stay valid
        latest = _parse_json_once(patched, limits)
        manifest.documents = latest.documents
        manifest.findings.extend(f for f in latest.findings if f.code == "YAML001")
    return manifest


_AFTER_END = "Text after the end of the JSON document: a JSON file holds one value; remove the extra text"
_KEY_QUOTES = "A key in JSON must be text in double quotes, such as \"name\"; add the quotes"


def _parse_json_once(text: str, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    lines = LineIndex(text)
    manifest = Manifest(text=text, lines=lines, format="json")
    b = _Builder(lines, limits, manifest.findings)
    b.start_document(0)
    pos_of = lines.pos
    # stack entries mirror _Builder's: [node, data, size, pending_key, too_deep] + expected state
    state = "value"  # value | key_or_end | colon | comma_or_end | value_or_end | done
    last_end = comma = 0
    try:
        for kind, raw, start, end in _tokens(text):
            span = Span(pos_of(start), pos_of(end))
            if state == "done":
                raise _JsonError(_AFTER_END, start)
            if kind == "punct":
                if raw in "{[" and state in ("value", "value_or_end"):
                    ev = _Ev(span, flow=True)
                    b.start_collection(ev, MAP if raw == "{" else SEQ)
                    state = "key_or_end" if raw == "{" else "value_or_end"
                elif raw in "}]" and state in ("key_or_end", "comma_or_end", "value_or_end"):
                    top = b.stack[-1][0] if b.stack else None
                    want = "}" if top is not None and top.kind == MAP else "]"
                    if raw != want or (state == "value_or_end" and top is not None and top.kind == MAP):
                        raise _JsonError(_json_mismatch(b, raw, want), start)
                    b.end_collection(_Ev(span, flow=True))
                    state = "comma_or_end" if b.stack else "done"
                elif raw == ":" and state == "colon":
                    state = "value"
                elif raw == "," and state == "comma_or_end":
                    state = "key" if b.stack[-1][0].kind == MAP else "value"
                    comma = start
                else:
                    raise _JsonError(_json_punct(raw, state), comma if _trailing(raw, state) else start)
            else:
                if state in ("key_or_end", "key"):
                    if kind != "str":
                        raise _JsonError(_KEY_QUOTES, start)
                    b.scalar(_Ev(span, value=_json_string(raw, start), style='"'))
                    state = "colon"
                elif state in ("value", "value_or_end"):
                    if kind == "str":
                        value: Any = _json_string(raw, start)
                        style: str | None = '"'
                    elif kind == "num":
                        value = float(raw) if any(c in raw for c in ".eE") else int(raw)
                        style = None
                    else:
                        value = {"true": True, "false": False, "null": None}[raw]
                        style = None
                    b.scalar(_Ev(span, value=value, style=style, resolved=True))
                    state = "comma_or_end" if b.stack else "done"
                else:
                    raise _JsonError(_json_missing(state), start)
            last_end = end
        if state != "done":
            raise _JsonError(_json_end(b) if text.strip() else "Empty JSON file", len(text))
        _finish_document(manifest, b, 0, Pos(0, 0), pos_of(last_end), True)
    except _JsonError as err:
        _json_broken(err, manifest, b)
    return manifest


def _trailing(raw: str, state: str) -> bool:
    return (raw == "}" and state == "key") or (raw == "]" and state == "value")


def _json_punct(raw: str, state: str) -> str:
    """A punctuation mark where it cannot go, in words."""
    if _trailing(raw, state):
        return "Trailing comma after the last item; remove it (JSON allows no ',' before a closing bracket)"
    if raw == "," and state == "value":
        return "A value is missing before this ','; write the value"
    if raw == ",":
        return "A ',' with no item before it; remove it, or write the missing item"
    if raw == ":":
        return "A ':' where a key or value should be; write a key in double quotes before each ':'"
    if raw in "}]":
        return f"Unexpected '{raw}': a value is missing before it; write the value, or remove the '{raw}'"
    return f"Unexpected '{raw}' here: a ',' or a closing bracket is missing before it"


def _json_missing(state: str) -> str:
    if state == "colon":
        return "Missing ':' after the key; write \"key\": value"
    if state == "comma_or_end":
        return "Missing ',' between two items; add ',' before this one"
    return "A value is missing here; write one"


def _json_stray(text: str, pos: int) -> str:
    ch = text[pos]
    if ch == "'":
        return "JSON text goes in double quotes, not single quotes; replace the ' marks with \""
    if ch == "/" and text[pos + 1: pos + 2] in ("/", "*"):
        return "JSON does not allow comments; remove them (or write the manifest as YAML, which does)"
    if ch.isalpha() or ch == "_":
        end = pos
        while end < len(text) and end - pos < 40 and (text[end].isalnum() or text[end] in "_-."):
            end += 1
        word = text[pos:end]
        if word in ("True", "False", "None", "TRUE", "FALSE", "NULL", "Null", "nil", "undefined", "NaN"):
            return f"`{word}` is not a JSON value; write true, false or null (lowercase)"
        return f"`{word}` is not in double quotes; JSON text values and keys go in double quotes"
    shown = f"'{ch}'" if ch.isprintable() and ch != "'" else f"U+{ord(ch):04X}"
    return f"Unexpected character {shown}; JSON allows only objects, lists, text in double quotes, numbers, " \
           "true, false and null"


def _json_mismatch(b: _Builder, raw: str, want: str) -> str:
    top = b.stack[-1][0] if b.stack else None
    line = f" on line {top.span.start.line + 1}" if top is not None else ""
    opener = "{" if want == "}" else "["
    return f"This '{raw}' closes the '{opener}' opened{line}; write '{want}' instead"


def _json_end(b: _Builder) -> str:
    top = b.stack[-1][0] if b.stack else None
    if top is None:
        return "The JSON ends too early; finish the value"
    closer = "}" if top.kind == MAP else "]"
    return f"The JSON ends too early: the '{'{' if closer == '}' else '['}' opened on line " \
           f"{top.span.start.line + 1} is not closed; add '{closer}'"


def _json_broken(err: _JsonError, manifest: Manifest, b: _Builder) -> None:
    """A syntax error: its finding, and the document kept as far as it got."""
    text, lines = manifest.text, manifest.lines
    at = lines.pos(min(err.offset, len(text)))
    line_text = lines.line(at.line)
    span = Span(at, Pos(at.line, min(at.character + 1, max(len(line_text), at.character))))
    if not text.strip():
        manifest.findings.append(_syntax("The file has no manifest in it (it is empty)", span, 0, code="YAML008"))
        return
    manifest.findings.append(_syntax(str(err), span, 0))
    b.close_open(at)
    _finish_document(manifest, b, 0, Pos(0, 0), at, False)


class _Ev:
    """The few attributes of a PyYAML event that _Builder reads, for the JSON parser."""

    __slots__ = ("anchor", "end_mark", "flow_style", "start_mark", "style", "tag", "value")

    def __init__(self, span: Span, value: Any = None, style: str | None = None, flow: bool = False,
                 resolved: bool = False) -> None:
        self.start_mark = _Mark(span.start)
        self.end_mark = _Mark(span.end)
        self.value = value
        self.style = style if not resolved or style else None
        self.tag = None if not resolved or style else "json"
        self.anchor = None
        self.flow_style = flow


class _Mark:
    __slots__ = ("column", "line")

    def __init__(self, pos: Pos) -> None:
        self.line = pos.line
        self.column = pos.character


# --- entry point ---------------------------------------------------------------------------------


def is_json_path(path: str | None) -> bool:
    return bool(path) and str(path).lower().endswith(".json")


def parse(text: str, path: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Parse manifest text; JSON when the file name says so. The tree holds no reference cycles, so the
    cyclic GC is paused while it is built (it otherwise takes about half the parse time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, path, limits)
    finally:
        if enabled:
            gc.enable()


def _parse(text: str, path: str | None, limits: Limits) -> Manifest:
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > limits.max_chars:
        lines = LineIndex("")
        m = Manifest(text=text, lines=lines, format="json" if is_json_path(path) else "yaml")
        size_mb = len(text) / 1_000_000
        m.findings.append(
            _syntax(f"File is {size_mb:.1f} MB, over the {limits.max_chars / 1_000_000:.0f} MB analysis limit; "
                    "not analysed", Span(Pos(0, 0), Pos(0, 0)), 0, code="YAML006")
        )
        return m
    if "\x00" in text:
        m = Manifest(text=text, lines=LineIndex(text), format="yaml")
        at = m.lines.pos(text.index("\x00"))
        m.findings.append(_syntax("Binary data (a NUL character) in the file: not a text manifest",
                                  Span(at, Pos(at.line, at.character + 1)), 0, code="YAML005"))
        return m
    if is_json_path(path):
        return parse_json(text, limits)
    return parse_yaml(text, limits)
