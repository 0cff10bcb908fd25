"""Where is the cursor? The JSON path and role (key, value, list item) at a position, from text alone.

This must work while the document is broken or half typed, so it never needs a successful parse:
YAML is read by indentation, line by line; JSON with a tolerant token scan up to the cursor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ossa_lsp.core.text.spans import LineIndex, Pos, Span

KEY, VALUE, ITEM = "key", "value", "item"

_ITEM = re.compile(r"^(\s*)-(\s+|$)")
# Linear-time on any line (tests/unit/test_linear_patterns.py): a key ends in a non-space character,
# so `\s*:` is tried once per space run, not once per character (a lazy `[^#:]*?\s*:` was quadratic
# on a long line of spaces); list markers end where the rest cannot start with a space or another marker.
_KEY_LINE = re.compile(r"""^(\s*)((?:-\s+)*)("[^"]*"|'[^']*'|[^\s#'"\-?:,\[\]{}](?:[^#:]*[^\s#:])?|-[^\s#:](?:[^#:]*[^\s#:])?)\s*:(?:\s+(.*))?$""")
_KEY_PREFIX = re.compile(r"""^(\s*)((?:-\s+)*)(["']?)([^\s:#"'\[\]{},]*)$""")
_ITEM_VALUE = re.compile(r"^(\s*)((?:-\s+)+)(?!\s|-\s)([^:#]*)$")
_FLOW_ITEM = re.compile(r"^(\s*)((?:-\s+)+)[\[{]")
_DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?:\s|$)")


@dataclass
class CursorContext:
    role: str  # KEY: typing a key of the mapping at `path`; VALUE: typing the value at `path`; ITEM: a new list item
    path: list[str | int]
    prefix: str  # the partial word before the cursor
    replace: Span  # what a completion replaces (the partial word)
    indent: int  # column where keys of this mapping start (YAML)
    siblings: set[str] = field(default_factory=set)
    first_in_item: bool = False  # YAML: the key directly follows '- '
    json: bool = False
    quoted: str = ""  # the quote the partial word opened with, if any
    flow: bool = False  # YAML: inside a flow collection (`{a: 1, |}`), so inserts stay on one line
    lead: str = ""  # YAML: what a value insert starts with (a space right after `key:`)


def _strip_comment(text: str) -> str:
    if "#" not in text:
        return text
    out = []
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        return key[1:-1]
    return key


class _YamlLines:
    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self.cache: dict[int, str] = {}

    def get(self, n: int) -> str:
        t = self.cache.get(n)
        if t is None:
            t = _strip_comment(self.lines.line(n)).rstrip()
            self.cache[n] = t
        return t

    def is_blank(self, n: int) -> bool:
        return not self.get(n).strip()

    def is_marker(self, n: int) -> bool:
        """`---` or `...`: nothing before it belongs to the document the cursor is in."""
        return _DOC_MARKER.match(self.get(n)) is not None

    def container(self, line: int, col: int) -> list[str | int]:
        """Path of the mapping that holds a key starting at `col` on `line`."""
        for i in range(line - 1, -1, -1):
            if self.is_blank(i):
                continue
            if self.is_marker(i):
                return []
            t = self.get(i)
            ind = _indent(t)
            m = _ITEM.match(t)
            if m:
                dash = len(m.group(1))
                content = dash + 1 + len(m.group(2))
                if dash < col:
                    item_path = [*self.sequence(i, dash), self.item_index(i, dash)]
                    if content >= col:
                        return item_path
                    km = _KEY_LINE.match(t)
                    if km and not (km.group(4) or "").strip():
                        return [*item_path, _unquote(km.group(3))]
                    return item_path
                continue
            if ind < col:
                km = _KEY_LINE.match(t)
                if km:
                    return [*self.container(i, ind), _unquote(km.group(3))]
                return self.container(i, ind)
        return []

    def sequence(self, line: int, dash: int) -> list[str | int]:
        """Path of the sequence whose item marker '-' is at `dash` on `line`."""
        for i in range(line - 1, -1, -1):
            if self.is_blank(i):
                continue
            if self.is_marker(i):
                return []
            t = self.get(i)
            ind = _indent(t)
            m = _ITEM.match(t)
            if m and len(m.group(1)) == dash:
                continue
            if ind > dash:
                continue
            if m and len(m.group(1)) < dash:  # '- - x' or an item mapping holding this sequence
                km = _KEY_LINE.match(t)
                item_path = [*self.sequence(i, len(m.group(1))), self.item_index(i, len(m.group(1)))]
                if km and not (km.group(4) or "").strip():
                    return [*item_path, _unquote(km.group(3))]
                return item_path
            km = _KEY_LINE.match(t)
            if km and not (km.group(4) or "").strip():
                return [*self.container(i, ind), _unquote(km.group(3))]
            return self.container(i, ind)
        return []

    def item_index(self, line: int, dash: int) -> int:
        count = 0
        for i in range(line - 1, -1, -1):
            if self.is_blank(i):
                continue
            if self.is_marker(i):
                break
            t = self.get(i)
            ind = _indent(t)
            m = _ITEM.match(t)
            if m and len(m.group(1)) == dash:
                count += 1
                continue
            if ind > dash:
                continue
            break
        return count

    def siblings(self, line: int, col: int, new_item: bool = False) -> set[str]:
        """Keys at `col` of the mapping around `line`; a `new_item` (`- |`) has none above its dash."""
        keys: set[str] = set()

        def take(t: str) -> None:
            km = _KEY_LINE.match(t)
            if km:
                key_col = len(km.group(1)) + len(km.group(2))
                if key_col == col:
                    keys.add(_unquote(km.group(3)))

        for i in range(line - 1, -1, -1) if not new_item else ():
            if self.is_blank(i):
                continue
            if self.is_marker(i):
                break
            t = self.get(i)
            m = _ITEM.match(t)
            if m and len(m.group(1)) < col:
                take(t)
                break
            if _indent(t) < col:
                break
            take(t)
        for i in range(line + 1, self.lines.line_count):
            if self.is_blank(i):
                continue
            if self.is_marker(i):
                break
            t = self.get(i)
            m = _ITEM.match(t)
            if _indent(t) < col or (m and len(m.group(1)) < col):
                break
            take(t)
        return keys


def yaml_context(lines: LineIndex, pos: Pos) -> CursorContext | None:
    full = lines.line(pos.line)
    before = full[: pos.character]
    if _strip_comment(before) != before:  # the cursor is in a comment
        return None
    if "\t" in before[: len(before) - len(before.lstrip())]:
        return None  # YAML forbids tabs in indentation: which mapping was meant cannot be told
    yl = _YamlLines(lines)
    km = _KEY_LINE.match(before)
    if (km is not None and km.group(4) is not None) or (km is not None and before.endswith(":")):
        ind, dashes, key, value = km.group(1), km.group(2), km.group(3), km.group(4) or ""
        col = len(ind) + len(dashes)
        if dashes:
            dash = len(ind)
            base: list[str | int] = [*yl.sequence(pos.line, dash), yl.item_index(pos.line, dash)]
        else:
            base = yl.container(pos.line, col)
        if value.startswith(("[", "{")):
            return _flow_context(lines, pos, [*base, _unquote(key)], pos.character - len(value))
        if value.lstrip().startswith(("|", ">", "&", "*")):
            return None
        quote = value[:1] if value[:1] in "'\"" else ""
        word = value[1:] if quote else value
        start = Pos(pos.line, pos.character - len(word))
        # The whole value is replaced (up to a closing quote or a comment), not just the part before the cursor.
        rest = _strip_comment(full)[pos.character :]
        close = rest.find(quote) if quote else -1
        end = Pos(pos.line, pos.character + (close if close != -1 else len(rest.rstrip())))
        lead = "" if km.group(4) is not None else " "  # `provider:|` must not become `provider:openai`
        return CursorContext(VALUE, [*base, _unquote(key)], word, Span(start, end), col, quoted=quote, lead=lead)
    fm = _FLOW_ITEM.match(before)
    if fm is not None:
        dash = len(fm.group(1))
        item: list[str | int] = [*yl.sequence(pos.line, dash), yl.item_index(pos.line, dash)]
        return _flow_context(lines, pos, item, fm.end() - 1)
    im = _ITEM_VALUE.match(before)
    if im is not None and im.group(3).strip() and not _KEY_PREFIX.match(before):
        return None
    pm = _KEY_PREFIX.match(before)
    if pm is None:
        return None
    ind, dashes, quote, word = pm.groups()
    col = len(ind) + len(dashes)  # where the key starts, opening quote included
    start = Pos(pos.line, pos.character - len(word) - len(quote))
    tail = _word_tail(full, pos.character)
    if quote and full[pos.character + tail : pos.character + tail + 1] == quote:
        tail += 1  # the editor's auto-closed quote goes too: keys are inserted unquoted
    replace = Span(start, Pos(pos.line, pos.character + tail))
    if dashes:
        dash = len(ind)
        path: list[str | int] = [*yl.sequence(pos.line, dash), yl.item_index(pos.line, dash)]
        siblings = yl.siblings(pos.line, col, new_item=True)
        return CursorContext(KEY, path, word, replace, col, siblings, first_in_item=True, quoted=quote)
    container = yl.container(pos.line, col)
    # A bare line under `tools:` at the column of its items is a new list item, not a key.
    parent_seq = _sequence_at(yl, pos.line, col)
    if parent_seq is not None:
        return CursorContext(ITEM, parent_seq, word, replace, col)
    return CursorContext(KEY, container, word, replace, col, yl.siblings(pos.line, col), quoted=quote)


def _sequence_at(yl: _YamlLines, line: int, col: int) -> list[str | int] | None:
    """If items of a block sequence start at `col` right around `line`, that sequence's path."""
    for i in [*range(line - 1, -1, -1)]:
        if yl.is_blank(i):
            continue
        t = yl.get(i)
        m = _ITEM.match(t)
        if m and len(m.group(1)) == col:
            return yl.sequence(i, col)
        if _indent(t) <= col:
            km = _KEY_LINE.match(t)
            if km and _indent(t) < col and not (km.group(4) or "").strip():
                # `tools:` followed by nothing yet: sequence or mapping? Look below for a dash at col.
                for j in range(line + 1, yl.lines.line_count):
                    if yl.is_blank(j):
                        continue
                    tj = yl.get(j)
                    mj = _ITEM.match(tj)
                    if mj and len(mj.group(1)) == col:
                        return yl.sequence(j, col)
                    break
            return None
    return None


def _word_tail(full: str, at: int) -> int:
    n = 0
    while at + n < len(full) and (full[at + n].isalnum() or full[at + n] in "_-."):
        n += 1
    return n


# --- JSON and YAML flow collections ----------------------------------------------------------------

_JTOK = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+')
# YAML flow style: plain words may hold ':' (`http://x`); ':' is an indicator before a space or after a quote.
_FLOW_TOK = re.compile(r""""(?:[^"\\\n]|\\.)*"?|'(?:[^'\n]|'')*'?|[{}\[\],]|(?<=["']):|:(?=[\s,\[\]{}]|$)"""
                       r"""|[^\s{}\[\],:"'][^\s{}\[\],:]*(?::[^\s{}\[\],:]+)*""")


def json_context(lines: LineIndex, pos: Pos) -> CursorContext | None:
    return _scan(lines, pos, 0, flow=False)


def _flow_context(lines: LineIndex, pos: Pos, base: list[str | int], col: int) -> CursorContext | None:
    """The cursor inside a YAML flow collection that opens at `col` of its line (`llm: {provider: x, |}`)."""
    ctx = _scan(lines, pos, lines.offset(Pos(pos.line, col)), flow=True)
    if ctx is not None:
        ctx.path = [*base, *ctx.path]
    return ctx


def _scan(lines: LineIndex, pos: Pos, begin: int, flow: bool) -> CursorContext | None:
    """A tolerant token scan from `begin` up to the cursor; JSON, or YAML flow style when `flow`."""
    text = lines.text[:lines.offset(pos)]
    quotes = "\"'" if flow else '"'
    stack, last_tok, last_start = _frames(text, begin, flow)
    if not stack:
        return None
    path: list[str | int] = []
    for frame in stack[:-1]:
        path.append(frame[1])  # type: ignore[arg-type]  # an object's current key or an array's index
    top = stack[-1]
    in_word = last_start + len(last_tok) == len(text) and last_tok not in "{}[]:,"
    word = last_tok if in_word else ""
    quote = word[0] if word and word[0] in quotes else ""
    bare = word[1:] if quote else word
    if top[0] == "obj":
        if top[2] == "value":
            role, at = VALUE, [*path, str(top[1])]
        elif top[2] == "key" or (top[2] == "colon" and in_word):
            role, at = KEY, path
        else:
            return None
    else:
        role, at = VALUE, [*path, int(top[1])]  # type: ignore[call-overload]
    replace = _flow_replace(lines, pos, word, quote, role) if flow else _json_replace(lines, pos, word, quote)
    keys = top[3] if role == KEY else set()
    assert isinstance(keys, set)
    return CursorContext(role, at, bare, replace, 0, {k for k in keys if k != bare}, json=not flow, quoted=quote,
                         flow=flow)


def _frames(text: str, begin: int, flow: bool) -> tuple[list[list[object]], str, int]:
    """The open objects and arrays at the end of `text` (scanned from `begin`), innermost last, and the
    last token with its start. Frames: ["obj", key_or_None, expecting, keys] / ["arr", index, expecting]."""
    quotes = "\"'" if flow else '"'
    stack: list[list[object]] = []
    last_tok = ""
    last_start = 0
    for m in (_FLOW_TOK if flow else _JTOK).finditer(text, begin):
        tok = m.group(0)
        last_tok, last_start = tok, m.start()
        if tok == "{":
            stack.append(["obj", None, "key", set()])
        elif tok == "[":
            stack.append(["arr", 0, "value"])
        elif tok in "}]" and stack:
            stack.pop()
            _after_value(stack)
        elif tok == ":" and stack and stack[-1][0] == "obj":
            stack[-1][2] = "value"
        elif tok == "," and stack:
            top = stack[-1]
            if top[0] == "obj":
                top[1], top[2] = None, "key"
            else:
                top[1] = int(top[1]) + 1  # type: ignore[call-overload]
                top[2] = "value"
        elif stack:
            top = stack[-1]
            if top[0] == "obj" and top[2] == "key" and (flow or tok.startswith('"')):
                closed = len(tok) > 1 and tok[0] in quotes and tok[-1] == tok[0]
                if m.end() < len(text) or closed:
                    top[1] = _unquote(tok) if closed else tok[1:] if tok[0] in quotes else tok
                    keys = top[3]
                    assert isinstance(keys, set)
                    keys.add(top[1])
                    top[2] = "colon"
            elif m.end() < len(text):
                _after_value(stack)
    return stack, last_tok, last_start


def _json_replace(lines: LineIndex, pos: Pos, word: str, quote: str) -> Span:
    """The partial word with its quotes: JSON inserts carry their own."""
    offset = lines.offset(pos)
    start = lines.pos(offset - len(word))
    if quote:
        rest = lines.text[offset:]
        close = rest.find(quote)
        if close != -1 and "\n" not in rest[:close]:
            return Span(start, lines.pos(offset + close + 1))
    return Span(start, pos)


def _flow_replace(lines: LineIndex, pos: Pos, word: str, quote: str, role: str) -> Span:
    """As in block style: a key is replaced with its quotes (keys go in unquoted), a value inside them."""
    line = lines.line(pos.line)
    close = line.find(quote, pos.character) if quote else -1
    end = close if close != -1 else pos.character + _word_tail(line, pos.character)
    if role == KEY:
        return Span(Pos(pos.line, pos.character - len(word)), Pos(pos.line, end + (close != -1)))
    return Span(Pos(pos.line, pos.character - len(word) + len(quote)), Pos(pos.line, end))


def _after_value(stack: list[list[object]]) -> None:
    if stack:
        top = stack[-1]
        top[2] = "done" if top[0] == "obj" else "after"


def cursor_context(lines: LineIndex, pos: Pos, is_json: bool) -> CursorContext | None:
    return json_context(lines, pos) if is_json else yaml_context(lines, pos)
