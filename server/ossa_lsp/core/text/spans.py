"""Positions and spans: the one place that knows about lines, columns and offsets.

Every position inside the engine is 0-based (line, character) where `character` counts Unicode
code points, like a Python string index into the line. Front ends convert: the LSP layer to the
client's negotiated encoding (UTF-16 or UTF-8), the CLI to 1-based columns.
"""

from __future__ import annotations

from bisect import bisect_right
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


def utf16_column(line_text: str, character: int) -> int:
    """Column in UTF-16 code units (what LSP clients and SARIF count by default)."""
    prefix = line_text[:character]
    return len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
