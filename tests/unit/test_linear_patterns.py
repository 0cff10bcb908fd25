"""Every pattern that runs on user text is linear-time: each is run on 1 MB adversarial inputs (the shapes
that make backtracking engines quadratic or worse: long runs of the characters a pattern repeats, with
a failing end) in a subprocess with a generous deadline. A linear pattern takes milliseconds per input;
a quadratic one takes hours, so the deadline tells them apart without timing anything finely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

N = 1 << 20  # 1 MB of text per input
DEADLINE = 120  # seconds for a whole group; linear patterns need a few


def pump(prefix: str, unit: str, suffix: str = "!") -> str:
    """`prefix` + `unit` repeated to 1 MB + `suffix`: the classic shape that makes backtracking explode."""
    return prefix + unit * ((N - len(prefix)) // len(unit)) + suffix


GENERIC = ["a", " ", "a.", "a-", "\\a"]


def _inputs(*special: tuple[str, str] | tuple[str, str, str]) -> list[str]:
    return [pump("", u) for u in GENERIC] + [pump(*s) for s in special]


def _cases() -> dict[str, list[tuple[str, Callable[[str], Any], list[str]]]]:
    """group → (name, call on one input, inputs). Imported lazily: the subprocess builds them."""
    import re

    from ossa_lsp.core import codes, fixes, scrub, suppress
    from ossa_lsp.core.rules import data, registry, util
    from ossa_lsp.core.rules.families import resources, security, tools
    from ossa_lsp.core.schema import formats, navigate, validate, versions
    from ossa_lsp.core.schema import registry as schemas
    from ossa_lsp.core.text import cursor, source
    from ossa_lsp.output import escape

    secrets = _inputs(("", "eyJ-"), ("", "eyJa."), ("eyJa", "aaaaaaaa.eyJ"), ("x://", "a:"), ("", "a://"),
                      ("", "sk-"), ("", "sk-a"), ("-----BEGIN ", "A "), ("-----BEGIN RSA PRIVATE KEY-----", "A\n"),
                      ("", "AKIA"), ("", "github_pat_"), ("", "xoxb-"), ("", "://a:b"), ("a://", "a:b@"),
                      ("", "a.a://"), ("", "ghp_"), ("", "AIza"))
    out: dict[str, list[tuple[str, Callable[[str], Any], list[str]]]] = {
        "secrets": [
            ("find_secrets", lambda s: list(scrub.find_secrets(s)), secrets),
            ("scrub", scrub.scrub, [*secrets[:4], pump("", "\x1b"), pump("", "\u202e")]),
            ("Scrubber(known)", scrub.Scrubber(["aaaaaaaaaaaa", "eyJ-eyJ-eyJ-"]), [pump("", "a"), pump("", "eyJ-")]),
            ("REFERENCE", scrub.REFERENCE.match, _inputs(("{{", "}}a"), ("${", "a"), ("secret/", "a."), ("A", "A_"),
                                                         ("vault:", "a"), ("{{", "{{}"))),
            ("is_credential_key", scrub.is_credential_key.__wrapped__,
             _inputs(("", "secre"), ("", "api-"), ("", "privatekey"), ("", "pat"), ("", "scope"))),
            ("is_plain_credential", scrub.is_plain_credential, _inputs(("{{", "}"))),
            ("very_random", scrub.very_random, [pump("", "aB3"), pump("", "aB3", "")]),
        ],
        "rules": [
            ("security._DIGEST", security._DIGEST.match, _inputs(("sha", "1"))),
            ("security._CRED_FIELD", security._CRED_FIELD.search, _inputs(("", "cre"))),
            ("security._AGENT_LABEL", security._AGENT_LABEL.search,
             _inputs(("agent", "1"), ("", "-agent"), ("", "agent-1"), ("", "-agent1"))),
            ("util.quantity", util.quantity, _inputs(("", "1"), ("1", ".1"), ("", "1e"), ("-", "0"), ("1", "0", "Ki"))),
            ("util.split_url", util.split_url, _inputs(("http://", "a."), ("http://[", ":"), ("http://a:", "1"))),
            ("util.is_internal_host", lambda s: util.is_internal_host(s, ["*a*a*a*a*a*a*b"]), _inputs()),
            ("data._SNAPSHOT", lambda s: data._SNAPSHOT.sub("", s), _inputs(("", "-1"), ("", "-latest"), ("", "-2024"))),
            ("data.TEMPLATE", data.TEMPLATE.search, _inputs(("", "$"), ("", "{"))),
            ("resources._MEM_TYPO", resources._MEM_TYPO.match, _inputs(("", " "), ("1", " "), ("", "1."))),
            ("resources._CPU_MILLI", resources._CPU_MILLI.match, _inputs(("1", " "), (" ", "1"))),
            ("resources._CPU_CORES", resources._CPU_CORES.match, _inputs(("1", " "), ("1.1", " "))),
            ("tools._SCHEME", tools._SCHEME.match, _inputs(("", "a:"), ("a", "+"))),
            ("tools._HOST", tools._HOST.match, _inputs(("", "a-"), ("a", ".a"), ("", "aa."), ("", "a_"))),
            ("fixes._JSON_NUMBER", fixes._JSON_NUMBER.match, _inputs(("-", "1"), ("1.", "0"), ("1e", "1"))),
            ("registry.CODE_SHAPE", registry.CODE_SHAPE.match, _inputs(("", "A"), ("A", "0"))),
            ("registry.NAME_SHAPE", registry.NAME_SHAPE.match, _inputs(("", "a-"), ("a", "-a"))),
            ("codes._PREFIX", codes._PREFIX.match, _inputs(("", "A"))),
            ("suppress._DIRECTIVE", lambda s: suppress._DIRECTIVE.match(s, 0),
             _inputs(("# ossa-lsp:", " "), ("#", " "), ("# ossa-lsp: ignore", "["), ("", "# ossa-lsp:"))),
            ("suppress._BRACKETS", lambda s: suppress._BRACKETS.match(s, 0), _inputs(("", " ["), (" [", "a"))),
        ],
        "schema": [
            (f"format {name}", fn, _inputs(("a@", "a."), ("a:", " "), ("", "1:"), ("0000-00-00T", "0"),
                                           ("a", "\\"), ("", "("), ("", "[a")))
            for name, fn in sorted(formats.FORMATS.items())
        ] + [
            ("versions._LOOSE", versions._LOOSE.search, _inputs(("ossa/v", "1"), ("ossa/v1", ".1"))),
            ("versions._BUILD", versions._BUILD.match, _inputs(("ossa/v1.1.1", ".1"), ("ossa/v", "1"))),
            ("versions._SHAPE", versions._SHAPE.match, _inputs(("ossa/v", "1."), ("ossa/v1-", "a."), ("ossa/v", "1"))),
            ("registry.API_VERSION_SHAPE", schemas.API_VERSION_SHAPE.match,
             _inputs(("ossa/v1", ".1"), ("ossa/v1-", "a."), ("ossa/v", "1"))),
            ("validate._REQUIRED", validate._REQUIRED.match, _inputs(("'", "a'"), ("'", "' is a"))),
            ("validate.suggest", lambda s: validate.suggest(s, ["openai", "anthropic", "google"]), _inputs()),
            ("navigate.kind_in_text", lambda s: navigate.kind_in_text(s, len(s) // 2),
             _inputs(("kind:", " "), ("", "---\n"), ("kind: ", "a"), ("", "kind: a\n"))),
            ("navigate.kind_in_text json", lambda s: navigate.kind_in_text(s, 0, True),
             _inputs(('"kind":', " "), ("", '"kind"'))),
        ] + [
            (f"catalog accepts {e.version}", e.takes, _inputs(("ossa/v1", ".1"), ("ossa/v0.5.1-", "a."),
                                                              ("ossa/v0.", "1")))
            for e in schemas.REGISTRY.catalog
        ],
        "text": [
            ("cursor._ITEM", cursor._ITEM.match, _inputs(("", " -"))),
            ("cursor._KEY_LINE", cursor._KEY_LINE.match,
             _inputs(("a", " "), ("", "- "), ("- ", " "), ("a:", " \n"), ('"', "a"), ("-", "a "), ("a", " b"),
                     ("-a", " "), ("a: ", " \n"))),
            ("cursor._KEY_PREFIX", cursor._KEY_PREFIX.match, _inputs(("", "- "), ("'", "a"))),
            ("cursor._ITEM_VALUE", cursor._ITEM_VALUE.match, _inputs(("", "- ", ":"), ("-", " ", ":"), ("- ", "a", ":"))),
            ("cursor._FLOW_ITEM", cursor._FLOW_ITEM.match, _inputs(("", "- "))),
            ("cursor._DOC_MARKER", cursor._DOC_MARKER.match, _inputs(("---", " "))),
            ("cursor._FLOW_TOK", lambda s: sum(1 for _ in cursor._FLOW_TOK.finditer(s)),
             _inputs(('"', "\\a"), ("'", "''"), ("", "':"), ("", ":a"))),
            ("cursor._JTOK", lambda s: sum(1 for _ in cursor._JTOK.finditer(s)), _inputs(('"', "\\a"), ("", '"a'))),
            ("source._JSON_TOKEN", source._JSON_TOKEN.match, _inputs(('"', "\\a"), ("-", "0"), ("", '\\"'))),
            ("source._JSON_ESC", lambda s: sum(1 for _ in source._JSON_ESC.finditer(s)), _inputs(("", "\\u00"))),
            ("source._INT", source._INT.match, _inputs(("-", "0"))),
            ("source._FLOAT", source._FLOAT.match, _inputs(("", "1"), (".", "0"), ("1e", "1"), ("1.", "0", "e"))),
            ("escape.text", escape.text, [pump("", "\x1b"), pump("", "a\n"), pump("", "\udc80")]),
            ("escape.dumps", lambda s: escape.dumps({"m": s}), [pump("", "\u2028"), pump("", "\udc80a")]),
        ],
        "schema-patterns": [
            (f"pattern {p}", re.compile(p).search, _inputs(("", "a-"), ("a", "-a"), ("0.0.0-", "0."), ("ossa/v", "1."),
                                                          ("did:ossa:mcp:", "a:"), ("*.", "a-a."), ("", "1d"),
                                                          ("0.0.0-", "a."), ("0.0.0+", "a.")))
            for p in sorted(_bundled_patterns())
        ],
    }
    return out


def _bundled_patterns() -> set[str]:
    """Every `pattern` and `patternProperties` key in the bundled schemas: they run on manifest values."""
    found: set[str] = set()

    def walk(node: Any) -> Iterator[None]:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                found.update(node["patternProperties"])
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    schemas = Path(__file__).resolve().parents[2] / "schemas"
    for f in schemas.glob("*.json"):
        for _ in walk(json.loads(f.read_text("utf-8"))):
            pass
    return found


GROUPS = ["secrets", "rules", "schema", "text", "schema-patterns"]


@pytest.mark.parametrize("group", GROUPS)
def test_patterns_on_user_text_finish_on_1mb_adversarial_inputs(group):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*sys.path])}
    proc = subprocess.Popen([sys.executable, __file__, group], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        out, err = proc.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        started = [line for line in out.splitlines() if line.startswith("start ")]
        pytest.fail(f"{started[-1][6:] if started else group}: not finished in {DEADLINE} s on a 1 MB input "
                    "(super-linear backtracking)")
    assert proc.returncode == 0, err
    done = [line for line in out.splitlines() if line.startswith("done ")]
    assert len(done) >= 3, out  # the group really ran its cases


def _main(group: str) -> None:
    for name, call, inputs in _cases()[group]:
        print("start", name, flush=True)
        for s in inputs:
            call(s)
        print("done", name, flush=True)


if __name__ == "__main__":
    _main(sys.argv[1])
