"""Counting words for messages: the one place that knows "1 file" but "2 files", "1 finding remains" but
"2 findings remain". Every message and summary that shows a count goes through `plural`/`count_verb`, so no
message says "1 items" or "1 file need". Imports nothing of the package, so every layer may use it.
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "property": "properties", "child": "children", "this": "these",
              "is": "are", "was": "were", "has": "have", "does": "do", "needs": "need", "remains": "remain",
              "match": "matches", "match(es)": "matches", "info": "info", "analysis": "analyses"}


def plural_of(word: str) -> str:
    """The plural of an English noun (or the plural form of a third-person verb) used in our messages."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n word` with the noun agreeing with the count: 1 file, 2 files, 0 files; `many` for odd plurals."""
    return f"{n} {word if n == 1 else (many or plural_of(word))}"


def noun(n: int, word: str, many: str | None = None) -> str:
    """The noun alone, agreeing with the count (for "at least 3 characters" written around the number)."""
    return word if n == 1 else (many or plural_of(word))


def count_verb(n: int, word: str, verb: str) -> str:
    """`n word verb` with noun and verb agreeing: 1 finding remains, 2 findings remain, 1 file needs a look."""
    return f"{plural(n, word)} {verb if n == 1 else plural_of(verb)}"
