"""Positions and spans: the one place that knows about lines, columns and offsets, and the one position
codec (code points ↔ UTF-16 / UTF-8 code units).

Every position inside the engine is 0-based (line, character) where `character` counts Unicode
code points, like a Python string index into the line. Front ends convert through `to_units` and
`from_units`: the LSP layer to the client's negotiated encoding (UTF-16 or UTF-8), `check --format json`
to UTF-16; the CLI's other formats print 1-based code-point columns.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple


class Pos(NamedTuple):
    line: int
    character: int


class Span(NamedTuple):
    start: Pos
    end: Pos

    @staticmethod
    def of(sl: int, sc: int, el: int, ec: int) -> Span:
        return Span(Pos(sl, sc), Pos(el, ec))

    def contains(self, pos: Pos) -> bool:
        return self.start <= pos <= self.end

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


ZERO = Span(Pos(0, 0), Pos(0, 0))


class LineIndex:
    """Maps code-point offsets of a text to (line, character) and back; knows each line's text."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def pos(self, offset: int) -> Pos:
        line = bisect_right(self._starts, offset) - 1
        return Pos(line, offset - self._starts[line])

    def offset(self, pos: Pos) -> int:
        if pos.line >= len(self._starts):
            return len(self.text)
        return min(self._starts[pos.line] + pos.character, len(self.text))

    def line(self, n: int) -> str:
        """The text of line `n` without its line break ('' past the end)."""
        if n < 0 or n >= len(self._starts):
            return ""
        start = self._starts[n]
        end = self._starts[n + 1] if n + 1 < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.start) : self.offset(span.end)]

    def end(self) -> Pos:
        return self.pos(len(self.text))


def end_of(text: str) -> Pos:
    """The position just after `text` (without building a LineIndex)."""
    return Pos(text.count("\n"), len(text) - (text.rfind("\n") + 1))


# --- the position codec ----------------------------------------------------------------------------
# Encodings by their LSP names (`PositionEncodingKind` values); anything else counts as UTF-16, the LSP
# default. Every line that is ASCII takes the fast path: there, code points and code units agree.

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_WIDE = re.compile("[\U00010000-\U0010FFFF]")  # characters that take two UTF-16 code units


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + len(_WIDE.findall(text))


def _width(ch: str, encoding: str) -> int:
    n = ord(ch)
    if encoding == UTF8:
        return 1 if n < 0x80 else 2 if n < 0x800 else 3 if n < 0x10000 else 4
    return 2 if n > 0xFFFF and encoding != UTF32 else 1


def to_units(line: str, character: int, encoding: str = UTF16) -> int:
    """Code-point column `character` of `line` in code units of `encoding`; past the end of the line (its
    line break included, if `line` has one) it is the line's length."""
    if line.isascii():
        return min(character, len(line))
    return _units(line[:character], encoding)


def from_units(line: str, units: int, encoding: str = UTF16) -> int:
    """Column `units` (code units of `encoding`) of `line` as a code-point column.

    `line` may end with its line break. Clamped as pygls' codec clamps, which editors' requests were always
    answered with: on an empty line 0; past the line's end, its last character (the line break when
    there is one); inside a character (half a surrogate pair), the character after it."""
    text = line[:-2] + "\n" if line.endswith("\r\n") else line
    if text.isascii() or encoding == UTF32:
        n = len(text)
        return 0 if n == 0 else units if units <= n else n - 1
    total = _units(text, encoding)
    if units > total:
        units = total - 1
    count = index = 0
    for ch in text:
        if count >= units:
            break
        count += _width(ch, encoding)
        index += 1
    return index


def wide_lines(lines: LineIndex, wanted: Iterable[int]) -> dict[int, str]:
    """The text of those `wanted` lines whose UTF-16 columns differ from their code-point columns (they hold
    a character beyond the BMP): all a report needs to give UTF-16 ranges without keeping the file."""
    if not _WIDE.search(lines.text):
        return {}
    return {n: text for n in set(wanted) if _WIDE.search(text := lines.line(n))}


def utf16_span(span: Span, wide: Mapping[int, str]) -> Span:
    """`span` with its columns in UTF-16 code units, given the `wide_lines` of its file."""
    def conv(pos: Pos) -> Pos:
        text = wide.get(pos.line)
        return pos if text is None else Pos(pos.line, to_units(text, pos.character, UTF16))

    return Span(conv(span.start), conv(span.end))
