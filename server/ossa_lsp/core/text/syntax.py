"""YAML parser errors in plain words, on the line a person would fix, and which lines to set aside so the
rest of the document can still be read (`core/text/source.py` re-parses without them).

PyYAML and libyaml word their errors for parser authors ("could not find expected ':'", "found character
that cannot start any token", "did not find expected key") and often point past the mistake: a key missing
its ':' is reported on the next line. `explain` turns each error class into a sentence that names the fix
and moves the span to where the mistake is. It reads only the error's marks and the lines of the text, so it
is linear and cannot fail on odd input: an error it does not know still gets a plain, generic sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossa_lsp.core.text.spans import LineIndex, Pos, Span


@dataclass(frozen=True, slots=True)
class Explained:
    message: str
    span: Span
    related: tuple[tuple[str, Span], ...] = ()
    set_aside: tuple[int, ...] = ()  # lines to blank before parsing again


def _line(lines: LineIndex, n: int) -> str:
    return lines.line(n) if 0 <= n < lines.line_count else ""


def _char(lines: LineIndex, mark: Any) -> str:
    text = _line(lines, mark.line)
    return text[mark.column] if 0 <= mark.column < len(text) else ""


def _token_span(lines: LineIndex, line: int, col: int) -> Span:
    """The word at (line, col) up to the next space or ':'; one character at least, within the line."""
    text = _line(lines, line)
    if line >= lines.line_count:
        last = lines.end()
        return Span(last, last)
    col = min(col, len(text))
    end = col
    while end < len(text) and text[end] not in " \t" and not (text[end] == ":" and end > col):
        end += 1
    return Span(Pos(line, col), Pos(line, max(end, min(col + 1, len(text)))))


def _rest_of_line(lines: LineIndex, line: int, col: int) -> Span:
    text = _line(lines, line).rstrip()
    if "#" in text[col:]:
        text = text[: col + text[col:].index("#")].rstrip()
    return Span(Pos(line, col), Pos(line, max(len(text), col)))


def _indent_tab(lines: LineIndex, line: int) -> Span | None:
    """The first tab in the line's indentation, if any."""
    text = _line(lines, line)
    for i, ch in enumerate(text):
        if ch == "\t":
            return Span(Pos(line, i), Pos(line, i + 1))
        if ch != " ":
            return None
    return None


def _tab_indented(lines: LineIndex) -> tuple[int, ...]:
    return tuple(n for n in range(lines.line_count) if _indent_tab(lines, n) is not None)


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _at_line(mark: Any) -> str:
    return f"line {mark.line + 1}"


TAB = "A tab is used for indentation; YAML indents with spaces. Replace the tab with spaces"


def explain(err: Any, lines: LineIndex) -> Explained:
    """The error's message, span, related notes and the lines to set aside for recovery."""
    problem = (getattr(err, "problem", None) or "").strip()
    context = (getattr(err, "context", None) or "").strip()
    pm = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    cm = getattr(err, "context_mark", None)
    if pm is None:
        end = lines.end()
        return Explained("The YAML cannot be read; check the indentation and quoting", Span(end, end))
    for line in (pm.line, cm.line if cm is not None else -1):
        tab = _indent_tab(lines, line) if line >= 0 else None
        if tab is not None:  # every tab-indented line is set aside: each would stop the parser in turn
            return Explained(TAB, tab, set_aside=_tab_indented(lines))
    if "tab" in problem:  # a tab where the parser needed indentation, not at a line's start
        col = _line(lines, pm.line).find("\t")
        span = Span(Pos(pm.line, max(col, 0)), Pos(pm.line, max(col, 0) + 1))
        return Explained(TAB, span, set_aside=(pm.line, *_tab_indented(lines)))
    for test, handler in _HANDLERS:
        if test(problem, context):
            return handler(problem, context, pm, cm, lines)
    return _generic(problem, context, pm, cm, lines)


Handler = Any


def _missing_colon(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    at = cm if cm is not None else pm
    span = _rest_of_line(lines, at.line, at.column)
    word = _short(_line(lines, at.line)[span.start.character: span.end.character]) or "this text"
    head, _, tail = word.partition(" ")
    if tail and not head.startswith("-"):  # `name value`: the ':' between them is what is missing
        return Explained(f"`{word}` has no ':' after its key; write it as `{head}: {tail.strip()}`", span,
                         set_aside=(at.line,))
    return Explained(f"`{word}` has no ':' after it; write it as `{word}: value`, or remove the line",
                     span, set_aside=(at.line,))


def _second_colon(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("Unexpected ': ' inside a value: put the value in quotes if the ': ' is part of the text, "
                     "or move the nested key to its own, indented line", _mark(lines, pm), set_aside=(pm.line,))


def _dash_in_value(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("A list item ('- ') cannot start on the same line as its key; move it to the next line, "
                     "indented under the key", _mark(lines, pm), set_aside=(pm.line,))


def _bad_indent(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    text = _line(lines, pm.line)
    ch = _char(lines, pm)
    if ch in ("]", "}"):
        return _stray_closer(ch, pm, lines)
    first = len(text) - len(text.lstrip(" "))
    span = _token_span(lines, pm.line, first)
    related = (("The mapping it should belong to starts here", _mark(lines, cm)),) if cm is not None else ()
    if text.lstrip().startswith("- "):
        msg = "A list item where a key was expected: indent it under the key whose list it belongs to"
    elif "list" in problem or "'-'" in problem or "collection" in context:
        msg = "This line is not aligned with the list items above it: start it with '- ' for a new item, " \
              "or indent it to belong to the item above"
    else:
        msg = "This line is not indented like the keys around it: align it with the keys of its mapping"
    return Explained(msg, span, related, set_aside=(pm.line,))


def _stray_closer(ch: str, pm: Any, lines: LineIndex) -> Explained:
    opener = "[" if ch == "]" else "{"
    return Explained(f"Unexpected '{ch}' with no '{opener}' open before it; remove it, or put the value in quotes",
                     _mark(lines, pm), set_aside=(pm.line,))


def _unclosed_flow(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    closer = "]" if "]" in problem else "}"
    what = "list" if closer == "]" else "mapping"
    start = cm if cm is not None else pm
    msg = f"The {what} opened with '{'[' if closer == ']' else '{'}' on {_at_line(start)} is not closed " \
          f"where expected: add '{closer}', and separate its items with ','"
    span = _mark(lines, start)
    related = (("The parser stopped here", _mark(lines, pm)),) if cm is not None and pm.line != cm.line else ()
    last = pm.line if pm.line == start.line else pm.line - 1  # the parser stops on the line after the list
    return Explained(msg, span, related, set_aside=tuple(range(start.line, last + 1))
                     if last - start.line < 50 else (start.line,))


def _unclosed_quote(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    start = cm if cm is not None else pm
    quote = _char(lines, start) if _char(lines, start) in ("'", '"') else "quote"
    shown = f"{quote}" if quote != "quote" else "quote mark"
    msg = f"The quoted text that starts on {_at_line(start)} is never closed: add the closing {shown}"
    if quote == "'":
        msg += " (write '' for a single quote inside it)"
    elif quote == '"':
        msg += " (put a backslash before a double quote inside it)"
    return Explained(msg, _mark(lines, start), set_aside=(start.line,))


def _bad_escape(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    col = pm.column - 1 if pm.column > 0 and _line(lines, pm.line)[pm.column - 1: pm.column] == "\\" else pm.column
    span = Span(Pos(pm.line, col), Pos(pm.line, min(col + 2, len(_line(lines, pm.line)))))
    return Explained("A backslash in double-quoted text starts an escape sequence, and this one is unknown: "
                     "write two backslashes for one, or use single quotes", span, set_aside=(pm.line,))


def _bad_start(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    ch = _char(lines, pm)
    shown = f"'{ch}'" if ch and ch.isprintable() and ch != "'" else "this character"
    return Explained(f"A value cannot start with {shown} (YAML reserves it); put the value in quotes",
                     _mark(lines, pm), set_aside=(pm.line,))


def _no_value(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    ch = _char(lines, pm)
    if ch in ("]", "}"):
        return _stray_closer(ch, pm, lines)
    if ch == ",":
        return Explained("A ',' with no item before it; remove it, or write the missing item",
                         _mark(lines, pm), set_aside=(pm.line,))
    return Explained("A value is missing here; write one (put text that starts with a special character in "
                     "quotes)", _mark(lines, pm), set_aside=(pm.line,))


def _anchor_name(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    what = "An alias ('*')" if "alias" in context else "An anchor ('&')"
    at = cm if cm is not None else pm
    return Explained(f"{what} needs a name right after it, such as &defaults and *defaults; add the name, or "
                     "put the value in quotes", _mark(lines, at), set_aside=(at.line,))


def _tag(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("Unknown tag prefix: remove the tag (the text starting with '!'), or put the value in quotes",
                     _token_span(lines, pm.line, pm.column), set_aside=(pm.line,))


def _block_scalar(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    at = cm if cm is not None else pm
    return Explained("After '|' or '>' only an indentation digit (1 to 9) and '+' or '-' may follow on the same "
                     "line; move the text to the next line, indented", _mark(lines, at), set_aside=(at.line,))


def _directive(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    at = cm if cm is not None else pm
    return Explained("A line starting with '%' is a YAML directive, and this one is not valid: remove it, or indent "
                     "or quote it if it is text", _rest_of_line(lines, at.line, at.column), set_aside=(at.line,))


def _version(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("The %YAML line names a YAML version this tool cannot read; write %YAML 1.2 or remove the line",
                     _rest_of_line(lines, pm.line, 0), set_aside=(pm.line,))


def _after_document(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("Text after the end of the document: indent it under the key it belongs to, or start a new "
                     "document with a '---' line", _token_span(lines, pm.line, pm.column), set_aside=(pm.line,))


def _end_of_text(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    start = cm if cm is not None else pm
    return Explained(f"The file ends inside something that started on {_at_line(start)}; close it or remove it",
                     _mark(lines, start), set_aside=(start.line,))


def _generic(problem: str, context: str, pm: Any, cm: Any, lines: LineIndex) -> Explained:
    return Explained("The YAML cannot be read here; check this line's indentation, quotes and ':' after each key",
                     _mark(lines, pm), set_aside=(pm.line,))


def _mark(lines: LineIndex, mark: Any) -> Span:
    line, col = mark.line, mark.column
    if line >= lines.line_count:
        end = lines.end()
        return Span(end, end)
    text = lines.line(line)
    return Span(Pos(line, col), Pos(line, col + 1 if col < len(text) else col))


_HANDLERS: tuple[tuple[Any, Handler], ...] = (
    (lambda p, c: "expected ':'" in p, _missing_colon),
    (lambda p, c: "mapping values are not allowed" in p, _second_colon),
    (lambda p, c: "sequence entries are not allowed" in p, _dash_in_value),
    (lambda p, c: "escape" in p, _bad_escape),
    (lambda p, c: "quoted scalar" in c, _unclosed_quote),
    (lambda p, c: "flow sequence" in c or "flow mapping" in c or "',' or" in p, _unclosed_flow),
    (lambda p, c: "expected key" in p or "<block end>" in p or "'-' indicator" in p, _bad_indent),
    (lambda p, c: "cannot start any token" in p, _bad_start),
    (lambda p, c: "node content" in p, _no_value),
    (lambda p, c: "anchor" in c or "alias" in c, _anchor_name),
    (lambda p, c: "tag" in p or "tag" in c, _tag),
    (lambda p, c: "block scalar" in c or "indentation indicator" in p, _block_scalar),
    (lambda p, c: "incompatible YAML document" in p or "YAML version" in p, _version),
    (lambda p, c: "directive" in c or "directive" in p, _directive),
    (lambda p, c: "document start" in p, _after_document),
    (lambda p, c: "end of stream" in p or "document indicator" in p, _end_of_text),
)
