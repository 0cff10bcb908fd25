"""What each output does with hostile characters (output/escape.py, core/scrub.py): one visible line,
valid UTF-8, data kept where the format can carry it."""

from __future__ import annotations

import json
import logging
import unicodedata

import pytest

from ossa_lsp.core.scrub import Scrubber, find_secrets, mask_secrets, scrub, visible
from ossa_lsp.output import escape

HOSTILE = ["\n", "\r", "\t", "\x1b", "\x07", "\x00", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\u202e",
           "\u2066", "\u200f", "\ufeff", "\U000e0041", "\udc80", "\ud800", "\ufffe", "\x0b", "\x0c", "\x1c"]


def _dangerous(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") or c in "\ufffe\uffff"


@pytest.mark.parametrize("char", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_text_shows_every_invisible_character_as_a_printable_escape(char):
    shown = visible(f"a{char}::error::x")
    assert not any(_dangerous(c) for c in shown)
    assert shown.startswith("a\\") and shown.endswith("::error::x")
    assert len(shown.splitlines()) == 1
    assert visible(shown) == shown  # escaping twice changes nothing


def test_named_escapes_and_undecodable_bytes_read_like_python():
    assert visible("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert visible("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07"
    assert visible("bad\udc80name") == "bad\\x80name"  # os.fsdecode's stand-in for byte 0x80
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("plain ünïcødé ✓ 🙂") == "plain ünïcødé ✓ 🙂"


def test_json_is_valid_utf8_keeps_data_and_has_no_raw_line_breaks():
    doc = {"path": "a\nb\udc80\u2028c.yaml", "message": "x\x1b[31m\x85\u202ey", "ok": "ünï 🙂"}
    out = escape.dumps(doc)
    out.encode("utf-8")  # strict: no lone surrogate left
    assert len(out.strip().splitlines()) == 5  # {, three members, }: nothing inside a string breaks a line
    back = json.loads(out)
    assert back["path"] == "a\nb\\x80\u2028c.yaml"
    assert back["message"] == "x\x1b[31m\x85\u202ey"
    assert back["ok"] == "ünï 🙂"
    assert not any(_dangerous(c) for c in out if c != "\n")


def test_uri_percent_encodes_bytes_and_colons():
    assert escape.uri("dir/a b:c\udc80é.yaml") == "dir/a%20b%3Ac%80%C3%A9.yaml"
    assert escape.uri("examples/agent.ossa.yaml") == "examples/agent.ossa.yaml"


def test_github_encoding_follows_the_workflow_command_rules():
    assert escape.github_data("50%\r\n::add-mask::x") == "50%25%0D%0A::add-mask::x"
    assert escape.github_property("a,b:c\n") == "a%2Cb%3Ac%0A"
    assert escape.github_data("\x1b[2J") == "\\x1b[2J"


def test_log_lines_are_escaped_but_tracebacks_keep_their_lines():
    fmt = escape.EscapingFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "file %s", ("x\n::error::y\x1b",), None)
    assert fmt.format(record) == "WARNING file x\\n::error::y\\x1b"
    try:
        raise ValueError("bad\x1bvalue")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    text = fmt.format(record)
    assert "\x1b" not in text and "bad\\x1bvalue" in text and text.count("\n") >= 2


KEYS = {
    "openai": "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd",
    "anthropic": "sk-ant-api03-Zx81kQ0pLm2Nw7Rt5Yu9Io3Pa6Sd4Fg",
    "github": "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
    "aws": "AKIAIOSFODNN7EXAMPL3",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}


@pytest.mark.parametrize("kind", list(KEYS))
def test_recognisable_secrets_are_masked_in_any_message(kind):
    key = KEYS[kind]
    out = scrub(f"got '{key}' here")
    assert key[8:] not in out and "chars)" in out


def test_url_passwords_are_masked_and_references_are_not():
    assert "hunter2hunter2" not in scrub("https://admin:hunter2hunter2@db.example.com/x")
    assert scrub("https://admin:${DB_PASSWORD}@db.example.com/x") == "https://admin:${DB_PASSWORD}@db.example.com/x"


def test_a_pem_block_is_masked_whole():
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9\nZm9vYmFyYmF6\n-----END RSA PRIVATE KEY-----"
    out = scrub(f"got '{pem[:59]}…'")
    assert "MIIE" not in out and "Zm9v" not in out


def test_known_secrets_are_masked_even_cut_short():
    secret = "9f8Kq2LmZx7RtV4wPb6Yn3Hc0a"  # no known prefix: only the document says it is a secret
    clean = Scrubber([secret])
    assert secret[:12] not in clean(f"got '{secret[:15]}…'")
    assert "9f8K" in clean(f"got '{secret}'")  # at most four leading characters remain


def test_hover_masking_keeps_markdown_lines():
    assert mask_secrets(f"**`{KEYS['openai']}`**\n\nline two") == "**`sk-p…(44 chars)`**\n\nline two"


def test_sk_words_that_are_not_random_are_not_secrets():
    assert list(find_secrets("see sk-assessment-framework-overview for details")) == []
