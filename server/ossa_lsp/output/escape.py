"""How each output escapes what it echoes (file names, quoted values), by that output's own rules.

Reports run in CI logs and terminals on repositories written by strangers. A newline in a value or a
file name must not start a new line (a forged `::error`/`::add-mask::` workflow command), an escape
character must not reach a terminal (OSC 52 writes the clipboard), bidi overrides must not reorder
what a reviewer reads (Trojan Source), and undecodable file-name bytes (surrogateescape'd by
`os.fsdecode`) must not make JSON invalid UTF-8 or crash the writer.

- `text`: every control, format, line-separator and bidi character shown as a visible escape
  (`\\n`, `\\x1b`, `\\u202e`); an undecodable byte shown as `\\x80`. Used for terminals, logs,
  JUnit and the prose of every message.
- `dumps`: JSON that is valid UTF-8 and keeps the data: undecodable bytes become `\\x80` text, other
  invisible characters are JSON `\\u` escapes, so no raw byte in the file can break a line.
- `github_data` / `github_property`: GitHub's workflow-command encoding (`%`, CR, LF; `:` and `,` in
  properties), other invisible characters as in `text`.
- `uri`: a path as a percent-encoded relative URI reference (SARIF).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import quote

from ossa_lsp.core.scrub import INVISIBLE_CLASS, escape_char, scrub, visible

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_RAW = re.compile(f"[{INVISIBLE_CLASS.replace(chr(0) + '-' + chr(0x1f), '')}]")  # json escapes C0 itself


def text(value: str) -> str:
    """`value` with every invisible or line-breaking character shown as a visible escape: the result
    is one printable line, safe on a terminal, in a CI log and in XML 1.0."""
    return visible(value)


def message(value: str) -> str:
    """A message for any report: recognisable secrets masked, invisible characters shown. Findings from
    `analyze` are already scrubbed with their document's secrets; this also covers every other message."""
    return scrub(value)


def valid_unicode(value: str) -> str:
    """`value` encodable as UTF-8: lone surrogates (undecodable file-name bytes) shown as `\\x80`."""
    return _SURROGATE.sub(lambda m: escape_char(m.group()), value) if _SURROGATE.search(value) else value


def _clean(node: Any) -> Any:
    if isinstance(node, str):
        return valid_unicode(node)
    if isinstance(node, dict):
        return {valid_unicode(k) if isinstance(k, str) else k: _clean(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_clean(v) for v in node]
    return node


def _json_escape(m: re.Match[str]) -> str:
    o = ord(m.group())
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    o -= 0x10000
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"


def dumps(doc: Any) -> str:
    """JSON text (indented, non-ASCII kept readable) that is valid UTF-8 whatever the strings hold,
    with no raw character that a terminal or `str.splitlines` would treat as a line break or control."""
    out = json.dumps(_clean(doc), indent=2, ensure_ascii=False)
    # Outside strings JSON is ASCII, so every match is inside a string: a \\u escape keeps the data.
    return _JSON_RAW.sub(_json_escape, out) + "\n"


def github_data(value: str) -> str:
    """The message part of a workflow command (`::error …::DATA`)."""
    return text(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(value: str) -> str:
    """A property value of a workflow command (`file=…,title=…`)."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


def uri(path: str) -> str:
    """A relative path as a URI reference: every byte but unreserved characters and `/` percent-encoded
    (undecodable file-name bytes as the bytes they were; `:` too, so `a:b.yaml` is not read as a scheme)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


class EscapingFormatter(logging.Formatter):
    """Log lines whose message cannot forge another line or reach the terminal as a control sequence;
    tracebacks keep their line breaks, each line escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return text(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        return "\n".join(text(line) for line in super().formatException(ei).split("\n"))

    def formatStack(self, stack_info: str) -> str:
        return "\n".join(text(line) for line in super().formatStack(stack_info).split("\n"))
