"""Small helpers every command shares: messages on stderr and writing what a command produced."""

from __future__ import annotations

import sys

from ossa_lsp.core import words
from ossa_lsp.core.scrub import scrub


def err(message: str) -> None:
    print(f"ossa-lsp: {scrub(message)}", file=sys.stderr)  # paths and values: one escaped line, secrets masked


def warn(message: str) -> None:
    print(f"ossa-lsp: warning: {scrub(message)}", file=sys.stderr)


def emit(text: str, output: str | None) -> bool:
    """Write a report to `output` (or stdout); False, after a message, when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as error:
        err(f"cannot write {output}: {error.strerror or error}")
        return False
    return True


plural = words.plural  # one pluraliser for every message (core/words.py)


def shown_paths(paths: list[str]) -> str:
    return ", ".join(paths) if len(paths) <= 3 else f"{', '.join(paths[:3])} and {len(paths) - 3} more"
