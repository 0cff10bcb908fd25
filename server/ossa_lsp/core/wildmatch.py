"""Glob patterns as git matches them (wildmatch with `/` special), in time linear in the path.

Every glob the tool applies to paths goes through here: `.gitignore` lines, `--exclude`, the config's
`exclude` and `overrides[].files`, the editor's `ossa.extraFiles`. Patterns and paths both come from
the repository being checked, so nothing here may backtrack: `**/a*a*a*…b` against a long name used to
run for ever as a regex.

How matching stays linear: a path is split at `/`. Inside one name, the pieces between `*`s have a
fixed width, so each is found leftmost-first with `str.find` or a regex without quantifiers; `**`
segments are placed the same way, one group of names at a time. Leftmost placement is exact: a later
piece can only have less room if an earlier one is placed further right. Cost: O(path × pattern).

Syntax: `*` any run of characters inside one name, `?` one character (never `/`), `[...]` with ranges,
`!`/`^` negation and `[:alpha:]`-style classes, `\\` escapes the next character. `**` as a whole
segment spans folders: `**/x` (x at any depth), `a/**/b` (zero or more folders between), `a/**`
(everything inside a, not a itself); `**` inside a name acts as `*`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_POSIX_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "alnum": (("a", "z"), ("A", "Z"), ("0", "9")),
    "alpha": (("a", "z"), ("A", "Z")),
    "blank": ((" ", " "), ("\t", "\t")),
    "cntrl": (("\x00", "\x1f"), ("\x7f", "\x7f")),
    "digit": (("0", "9"),),
    "graph": (("!", "~"),),
    "lower": (("a", "z"),),
    "print": ((" ", "~"),),
    "punct": (("!", "/"), (":", "@"), ("[", "`"), ("{", "~")),
    "space": ((" ", " "), ("\t", "\r")),
    "upper": (("A", "Z"),),
    "xdigit": (("0", "9"), ("A", "F"), ("a", "f")),
}


@dataclass(frozen=True, slots=True)
class _Class:
    regex: str  # a one-character regex class (never `/`: names have none)


class _Mark:
    """A star or a separator in a token list (literal characters are plain strings)."""


_STAR, _SEP = _Mark(), _Mark()
_ANY = _Class("[^/]")
_Atom = str | _Class  # a literal character or a class; `?` is the class of any character
_Token = _Atom | _Mark


def _parse_class(p: str, i: int, dead: set[int]) -> tuple[_Class | None, int]:
    """The class starting at p[i] == '[' and the index after it; None when it is not closed.

    `dead` holds the positions from which an earlier scan ran off the end without a closing ']': a scan
    reaching one of them fails at once, so `[[[[…` and friends stay linear."""
    j = i + 1
    negate = j < len(p) and p[j] in "!^"
    j += negate
    ranges: list[tuple[str, str]] = []
    first = True
    visited: list[int] = []
    while j < len(p):
        c = p[j]
        if c == "]" and not first:
            body = "".join(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}"
                           for lo, hi in ranges if lo <= hi)
            if not body:
                return _Class("[^/]" if negate else "(?!)"), j + 1
            return _Class(f"[{'^/' if negate else ''}{body}]"), j + 1
        if not first:
            if j in dead:
                break
            visited.append(j)
        first = False
        if p.startswith("[:", j):
            name = next((n for n in _POSIX_CLASSES if p.startswith(f"{n}:]", j + 2)), None)
            if name is not None:
                ranges.extend(_POSIX_CLASSES[name])
                j += len(name) + 4
                continue
        if c == "\\" and j + 1 < len(p):
            j += 1
            c = p[j]
        if j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            hi_at = j + 2
            if p[hi_at] == "\\" and hi_at + 1 < len(p):
                hi_at += 1
            ranges.append((c, p[hi_at]))
            j = hi_at + 1
        else:
            ranges.append((c, c))
            j += 1
    dead.update(visited)
    return None, i + 1


def _tokens(p: str) -> list[_Token]:
    out: list[_Token] = []
    last_close = p.rfind("]")  # a '[' after the last ']' is a literal
    dead: set[int] = set()
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            out.append(p[i + 1])
            i += 2
            continue
        if c == "*":
            out.append(_STAR)
        elif c == "/":
            out.append(_SEP)
        elif c == "?":
            out.append(_ANY)
        elif c == "[" and i < last_close:
            cls, i = _parse_class(p, i, dead)
            out.append(cls if cls is not None else "[")
            continue
        else:
            out.append(c)
        i += 1
    return out


class _Piece:
    """A fixed-width run of atoms between stars: found with str.find, or a regex without quantifiers."""

    __slots__ = ("literal", "rx", "width")

    def __init__(self, atoms: list[_Atom]) -> None:
        self.width = len(atoms)
        if all(isinstance(a, str) for a in atoms):
            self.literal: str | None = "".join(a for a in atoms if isinstance(a, str))
            self.rx: re.Pattern[str] | None = None
        else:
            self.literal = None
            self.rx = re.compile("".join(re.escape(a) if isinstance(a, str) else a.regex for a in atoms))

    def at(self, text: str, pos: int) -> bool:
        if self.literal is not None:
            return text.startswith(self.literal, pos)
        assert self.rx is not None
        return self.rx.match(text, pos) is not None

    def find(self, text: str, start: int, end: int) -> int:
        """Leftmost position in text[start:end] where the whole piece fits, or -1."""
        if self.literal is not None:
            return text.find(self.literal, start, end)
        assert self.rx is not None
        m = self.rx.search(text, start, end)
        return m.start() if m else -1


class _Name:
    """The pattern of one path segment: pieces separated by stars."""

    __slots__ = ("match", "pieces", "starred")

    def __init__(self, tokens: list[_Token]) -> None:
        pieces: list[list[_Atom]] = [[]]
        after_star = False
        for tok in tokens:
            if isinstance(tok, _Mark):
                if not after_star:  # `**` inside a name is one star
                    pieces.append([])
                after_star = True
            else:
                pieces[-1].append(tok)
                after_star = False
        self.starred = len(pieces) > 1
        self.pieces = [_Piece(p) for p in pieces]
        self.match: Callable[[str], bool] = self._general
        literals = [p.literal for p in self.pieces if p.literal is not None]
        # the usual shapes (`name`, `*.yaml`, `build*`, `*`) skip the general loop: `**` groups may try a
        # pattern against every name of a long path
        if len(literals) == 1 == len(self.pieces):
            self.match = literals[0].__eq__
        elif len(literals) == 2 == len(self.pieces):
            head, tail = literals
            width = len(head) + len(tail)
            self.match = lambda name: len(name) >= width and name.startswith(head) and name.endswith(tail)

    def _general(self, name: str) -> bool:
        first, last = self.pieces[0], self.pieces[-1]
        if not self.starred:
            return len(name) == first.width and first.at(name, 0)
        end = len(name) - last.width
        if end < first.width or not first.at(name, 0) or not last.at(name, end):
            return False
        pos = first.width
        for piece in self.pieces[1:-1]:
            found = piece.find(name, pos, end)
            if found < 0:
                return False
            pos = found + piece.width
        return True


_ANY_NAME = _Name([_STAR])


class Glob:
    """A compiled pattern matched against a whole `/`-separated relative path.

    `inside=True` also matches every path below a match (the pattern names a folder); `any_depth=True`
    lets the match start at any folder (a `.gitignore` line without a slash)."""

    __slots__ = ("_groups", "pattern")

    def __init__(self, pattern: str, *, any_depth: bool = False, inside: bool = False) -> None:
        self.pattern = pattern
        segments: list[list[_Token]] = [[]]
        for tok in _tokens(pattern):
            if tok is _SEP:
                segments.append([])
            else:
                segments[-1].append(tok)
        # groups of names separated by "any number of folders" gaps
        groups: list[list[_Name]] = [[]] if any_depth else []
        groups.append([])
        for n, seg in enumerate(segments):
            if len(seg) >= 2 and all(t is _STAR for t in seg):  # `**` as a whole segment
                if n == len(segments) - 1:  # trailing: one or more names
                    groups[-1].append(_ANY_NAME)
                groups.append([])
            else:
                groups[-1].append(_Name(seg))
        if inside:
            groups[-1].append(_ANY_NAME)
            groups.append([])
        self._groups = groups

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def match(self, path: str) -> bool:
        names = path.split("/")
        groups = self._groups
        first = groups[0]
        if len(groups) == 1:
            return len(names) == len(first) and all(p.match(s) for p, s in zip(first, names, strict=False))
        last = groups[-1]
        tail = len(names) - len(last)
        if tail < len(first):
            return False
        if not all(p.match(s) for p, s in zip(first, names, strict=False)):
            return False
        if not all(p.match(s) for p, s in zip(last, names[tail:], strict=True)):
            return False
        pos = len(first)
        for group in groups[1:-1]:
            found = _place(group, names, pos, tail)
            if found < 0:
                return False
            pos = found + len(group)
        return True


def _place(group: list[_Name], names: list[str], start: int, end: int) -> int:
    """Leftmost index i in [start, end - len(group)] where the group matches names[i:], or -1.
    Each (name, pattern) pair is tried at most once: O(len(names) × len(group))."""
    if not group:  # `**/**`: two gaps in a row are one
        return start
    tests = [p.match for p in group]
    first, rest = tests[0], list(enumerate(tests[1:], 1))
    for i in range(start, end - len(group) + 1):
        if first(names[i]) and all(test(names[i + k]) for k, test in rest):
            return i
    return -1


MAX_PATTERN = 4096  # longer lines are dropped: no real path could match that many characters


@dataclass(frozen=True)
class PathPattern:
    """One `.gitignore`-style line: `!` negates (when allowed), a trailing `/` matches folders only,
    and a `/` anywhere else anchors the pattern at the base folder; without one it matches a name at
    any depth."""

    text: str
    negate: bool
    dir_only: bool
    anchored: bool
    _exact: Glob
    _inside: Glob

    @classmethod
    def parse(cls, line: str, *, negation: bool = True) -> PathPattern | None:
        """The pattern of a line, or None for a blank line, a comment or an absurdly long line. Trailing spaces are dropped
        unless escaped (`\\ `), as git does; a leading `./` is dropped too (config habit)."""
        text = line.rstrip("\r\n")
        if text.startswith("#") or len(text) > MAX_PATTERN:
            return None
        stripped = text.rstrip(" \t")
        if stripped != text and stripped.endswith("\\") and not stripped.endswith("\\\\"):
            stripped += text[len(stripped)]  # an escaped space is kept
        text = stripped
        negate = negation and text.startswith("!")
        if negate:
            text = text[1:]
        while text.startswith("./"):
            text = text[2:]
        dir_only = text.endswith("/")
        text = text.rstrip("/")
        if not text:
            return None
        anchored = "/" in text
        body = text.lstrip("/")
        if not body:
            return None
        return cls(text=line, negate=negate, dir_only=dir_only, anchored=anchored,
                   _exact=Glob(body, any_depth=not anchored),
                   _inside=Glob(body, any_depth=not anchored, inside=True))

    def matches(self, rel: str, is_dir: bool) -> bool:
        """This very file or folder is matched (`.gitignore` semantics; a walk prunes matched folders)."""
        if self.dir_only and not is_dir:
            return False
        return self._exact.match(rel if self.anchored else rel.rpartition("/")[2])

    def covers(self, rel: str, is_dir: bool = False) -> bool:
        """The path is matched, or lies in a folder that is (config `exclude` and overrides)."""
        return self._inside.match(rel) or ((is_dir or not self.dir_only) and self._exact.match(rel))


@lru_cache(maxsize=4096)
def compiled(pattern: str, *, negation: bool = False) -> PathPattern | None:
    """A cached PathPattern (configs and command lines repeat the same few patterns for every file)."""
    return PathPattern.parse(pattern, negation=negation)


def covers(pattern: str, rel: str, is_dir: bool = False) -> bool:
    """Whether a config/command-line glob matches the relative path or a folder above it."""
    pat = compiled(pattern)
    return pat is not None and pat.covers(rel, is_dir)
