"""A schema `pattern` in words, for people who do not read regular expressions.

Hover ("Form: …") and every pattern finding use `explain_pattern`: a schema's own `x-patternDescription`
wins, then the words we wrote for patterns OSSA schemas share, then a description built from the pattern's
parsed form (literal text, character classes, repeats, alternatives), with an example that matches. A
pattern too intricate to read out (look-arounds, back-references, long descriptions) is named by an example
alone, so no message ever shows regular-expression syntax.
"""

from __future__ import annotations

import importlib
import re
import sys
from functools import lru_cache
from typing import Any

# The standard library's own regular-expression parser (re._parser since Python 3.11, sre_parse before).
_p: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_c: Any = importlib.import_module("re._constants" if sys.version_info >= (3, 11) else "sre_constants")

# Patterns that appear in OSSA schemas, in words; a schema's own `x-patternDescription` wins.
KNOWN_PATTERNS: dict[str, str] = {
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "lowercase letters, digits and '-', starting and ending with a "
    "letter or digit (DNS-1123)",
    r"^[A-Z]{3}$": "three upper-case letters (an ISO 4217 currency code such as USD)",
    r"^[a-z][a-z0-9_]*$": "lowercase letters, digits and '_', starting with a letter",
}
SEMVER_WORDS = "a semantic version such as 1.2.0 or 2.0.0-beta.1"
_MAX_WORDS = 240  # longer descriptions read worse than an example
_MAX_PATTERN = 1000


class _Unreadable(Exception):
    """The pattern uses a construct we do not read out."""


def explain_pattern(schema: dict[str, Any]) -> str:
    """The form a value of this schema must have, in words (never regular-expression syntax)."""
    words = schema.get("x-patternDescription")
    if isinstance(words, str) and words:
        return words
    return describe(str(schema.get("pattern", "")))


@lru_cache(maxsize=512)
def describe(pattern: str) -> str:
    if pattern in KNOWN_PATTERNS:
        return KNOWN_PATTERNS[pattern]
    if pattern.startswith(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"):
        return SEMVER_WORDS
    if len(pattern) > _MAX_PATTERN:
        return "text in the form this field requires (see its documentation)"
    try:
        tree = _p.parse(pattern)
        start, end, items = _anchors(list(tree))
        words = _sequence(items)
        sample = _example(items)
    except (re.error, _Unreadable, RecursionError, ValueError, TypeError):
        return "text in the form this field requires (see its documentation)"
    lead = "text made of " if start and end else "text starting with " if start else "text containing "
    shown = sample.strip() and sample.isprintable() and re.search(pattern, sample)
    example = f" (for example {sample})" if shown else ""
    if len(words) > _MAX_WORDS:
        return f"text in the form this field requires{example or ' (see its documentation)'}"
    return f"{lead}{words}{example}"


def example_for(pattern: str) -> str | None:
    """A short text that matches `pattern`, or None when none can be built."""
    try:
        _s, _e, items = _anchors(list(_p.parse(pattern)))
        sample = _example(items)
    except (re.error, _Unreadable, RecursionError, ValueError, TypeError):
        return None
    return sample if re.search(pattern, sample) else None


def _anchors(items: list[Any]) -> tuple[bool, bool, list[Any]]:
    start = bool(items) and items[0] == (_c.AT, _c.AT_BEGINNING)
    if start:
        items = items[1:]
    end = bool(items) and items[-1][0] is _c.AT and items[-1][1] in (_c.AT_END, _c.AT_END_STRING)
    if end:
        items = items[:-1]
    return start, end, items


# --- words ---------------------------------------------------------------------------------------------

_CATEGORY = {
    _c.CATEGORY_DIGIT: ("a digit", "digits"),
    _c.CATEGORY_SPACE: ("a space", "spaces"),
    _c.CATEGORY_WORD: ("a letter, digit or '_'", "letters, digits and '_'"),
    _c.CATEGORY_NOT_DIGIT: ("a character other than a digit", "characters other than digits"),
    _c.CATEGORY_NOT_SPACE: ("a character other than a space", "characters other than spaces"),
    _c.CATEGORY_NOT_WORD: ("a character other than a letter, digit or '_'", "such characters"),
}
_RANGES = {("a", "z"): ("a lowercase letter", "lowercase letters"),
           ("A", "Z"): ("an upper-case letter", "upper-case letters"),
           ("0", "9"): ("a digit", "digits"),
           ("a", "f"): ("a hex digit a-f", "hex digits a-f"),
           ("A", "F"): ("a hex digit A-F", "hex digits A-F")}


def _quote(text: str) -> str:
    return f"'{text}'" if "'" not in text else f'"{text}"'


def _class_words(op: Any, av: Any) -> tuple[str, str]:
    """(singular, plural) words for one character: a literal, a class, a category or any character."""
    if op is _c.LITERAL:
        ch = _quote(chr(av))
        return ch, ch
    if op is _c.NOT_LITERAL:
        return f"any character except {_quote(chr(av))}", f"characters other than {_quote(chr(av))}"
    if op is _c.ANY:
        return "any character", "characters"
    if op is _c.IN:
        return _set_words(av)
    raise _Unreadable


def _set_words(members: list[Any]) -> tuple[str, str]:
    negate = bool(members) and members[0][0] is _c.NEGATE
    members = members[1:] if negate else members
    ones: list[str] = []
    many: list[str] = []
    lower = {(chr(a), chr(b)) for op, (a, b) in ((o, v) for o, v in members if o is _c.RANGE)}
    letters = ("a", "z") in lower and ("A", "Z") in lower
    if not negate and len(members) == 2 and lower in ({("a", "f"), ("0", "9")}, {("A", "F"), ("0", "9")}):
        case = "lowercase" if ("a", "f") in lower else "upper-case"
        return f"a {case} hex digit (0 to 9, a to f)", f"{case} hex digits (0 to 9, a to f)"
    for op, av in members:
        if op is _c.RANGE:
            lo, hi = chr(av[0]), chr(av[1])
            if letters and (lo, hi) in (("a", "z"), ("A", "Z")):
                if (lo, hi) == ("a", "z"):
                    ones.append("a letter")
                    many.append("letters")
                continue
            named = _RANGES.get((lo, hi))
            if named is None and lo.isdigit() and hi.isdigit():
                named = (f"a digit from {lo} to {hi}", f"digits from {lo} to {hi}")
            named = named or (f"a character from {_quote(lo)} to {_quote(hi)}",
                              f"characters from {_quote(lo)} to {_quote(hi)}")
            ones.append(named[0])
            many.append(named[1])
        elif op is _c.LITERAL:
            ones.append(_quote(chr(av)))
            many.append(_quote(chr(av)))
        elif op is _c.CATEGORY and av in _CATEGORY:
            ones.append(_CATEGORY[av][0])
            many.append(_CATEGORY[av][1])
        else:
            raise _Unreadable
    one, several = _either(ones), _and(many)
    if negate:
        return f"any character except {_either(ones, 'or')}", f"characters other than {_and(many)}"
    return one, several


def _and(parts: list[str], word: str = "and") -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def _either(parts: list[str], word: str = "or") -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {word} {parts[-1]}"


_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def _count(n: int) -> str:
    return _NUMBERS.get(n, str(n))


def _sequence(items: list[Any]) -> str:
    """A sequence of pattern items as a list of parts: "'ossa/v', then one or more digits"."""
    parts: list[str] = []
    literal = ""
    for op, av in items:
        if op is _c.LITERAL:
            literal += chr(av)
            continue
        if literal:
            parts.append(_quote(literal))
            literal = ""
        parts.append(_item(op, av))
    if literal:
        parts.append(_quote(literal))
    if not parts:
        return "nothing (an empty text)"
    return ", then ".join(parts)


def _item(op: Any, av: Any) -> str:
    if op is _c.SUBPATTERN:
        return _group(av[-1])
    if op is _c.BRANCH:
        options = [_sequence(list(b)) for b in av[1]]
        return "either " + _either([f"({o})" if ", then" in o or " or " in o else o for o in options])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        return _repeat(av[0], av[1], list(av[2]))
    if op is _c.AT:
        raise _Unreadable
    return _class_words(op, av)[0]


def _group(sub: Any) -> str:
    items = list(sub)
    if len(items) == 1:
        return _item(*items[0])
    return _sequence(items)


def _repeat(lo: int, hi: Any, body: list[Any]) -> str:
    unbounded = hi is _c.MAXREPEAT or hi == _c.MAXREPEAT
    single = len(body) == 1 and body[0][0] in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN)
    if single:
        one, many = _class_words(*body[0])
    else:
        one = many = _sequence(body)
        if ", then" in one or " or " in one:
            one = many = f"({one})"
    if lo == 0 and hi == 1:
        return f"optionally {one}"
    if unbounded:
        if lo == 0:
            return f"any number of {many}" if single else f"{many}, any number of times"
        if lo == 1:
            return f"one or more {many}" if single else f"{many}, once or more"
        return f"at least {_count(lo)} {many}" if single else f"{many}, at least {_count(lo)} times"
    if lo == hi:
        return f"{_count(lo)} {many if lo != 1 else one}" if single else f"{many}, {_count(lo)} times"
    return f"{_count(lo)} to {_count(int(hi))} {many}" if single else f"{many}, {_count(lo)} to {_count(int(hi))} times"


# --- an example ------------------------------------------------------------------------------------------


def _example(items: list[Any]) -> str:
    out: list[str] = []
    for op, av in items:
        out.append(_example_item(op, av))
    return "".join(out)


def _example_item(op: Any, av: Any) -> str:
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.SUBPATTERN:
        return _example(list(av[-1]))
    if op is _c.BRANCH:
        return _example(list(av[1][0]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        times = max(lo, 1) if hi is _c.MAXREPEAT or hi == _c.MAXREPEAT or hi >= 1 else 0
        if lo == 0 and hi == 1:
            times = 0
        return _example(list(body)) * min(times, 64)
    if op is _c.IN:
        return _example_char(av)
    if op is _c.ANY:
        return "x"
    if op is _c.NOT_LITERAL:
        return "x" if chr(av) != "x" else "y"
    if op is _c.AT:
        return ""
    raise _Unreadable


def _example_char(members: list[Any]) -> str:
    if members and members[0][0] is _c.NEGATE:
        banned = {chr(v) for o, v in members[1:] if o is _c.LITERAL}
        return next(c for c in "xyz0" if c not in banned)
    op, av = members[0]
    if op is _c.RANGE:
        return chr(av[0])
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.CATEGORY:
        return {_c.CATEGORY_DIGIT: "1", _c.CATEGORY_SPACE: " ", _c.CATEGORY_WORD: "a"}.get(av, "x")
    raise _Unreadable
