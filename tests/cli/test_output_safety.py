"""`ossa-lsp check` on a repository written by an attacker: whatever values and file names hold, every
format stays parseable valid UTF-8, no line can be forged (`::error`, `::add-mask::`), nothing reaches
the terminal as a control sequence, and pasted secrets are masked whatever rules run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
INJECT = "x\\n::error file=a::forged\\n::add-mask::x\\r::stop-commands::t\\x1b]52;c;aGk=\\x07\\u202e\\u2028::warning::y\\x85z"

MANIFEST = f"""apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: "{INJECT}"
  version: 1.0.0
spec:
  role: "{INJECT}"
  llm:
    provider: "{INJECT}"
    model: gpt-4o
"""
# File names: a newline that starts a workflow command, an escape sequence, a bidi override, and a
# byte that is not UTF-8 (os.fsdecode gives a lone surrogate for it).
NAMES = [b"a\n::error file=x::forged.ossa.yaml", b"b\x1b]0;title\x07.ossa.yaml", b"c\xe2\x80\xaegnp.ossa.yaml",
         b"d\x80\xff.ossa.yaml", b"e\r::add-mask::z.ossa.yaml"]


def run(cwd: Path, *args: str) -> tuple[int, bytes, bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "ossa_lsp", *args], capture_output=True, cwd=cwd, env=env,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _controls(text: str) -> list[str]:
    return [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    if sys.platform == "win32":
        pytest.skip("these file names cannot exist on Windows")
    for name in NAMES:
        with open(os.path.join(os.fsencode(tmp_path), name), "w", encoding="utf-8") as fh:
            fh.write(MANIFEST)
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_valid_and_forges_no_line(hostile, fmt):
    code, out, err = run(hostile, "check", "-f", fmt, ".")
    assert code == 1, err.decode("utf-8", "replace")
    assert b"Traceback" not in err
    text = out.decode("utf-8")  # strict: the report is valid UTF-8
    lines = text.splitlines()  # also splits on U+2028, NEL, VT, FF...: every way a viewer may break a line
    assert text.count("\n") == len(lines)  # ...so no other line break may be in the output
    assert _controls(text) == []
    if fmt == "github":
        for line in lines:
            assert line.startswith(("::error ", "::warning ", "::notice ", "ossa-lsp: ")), line
            if line.startswith("::"):  # one of ours (a forged `::error file=a::…` has no line number)
                assert ",line=" in line.split("::", 2)[1], line
    else:
        assert not [line for line in lines if line.lstrip().startswith("::")]
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(text)
    if fmt == "junit":
        ET.fromstring(out)
    if fmt == "text":  # the file names are still recognisable, shown with escapes
        assert "a\\n::error file=x::forged.ossa.yaml:" in text
        assert "d\\x80\\xff.ossa.yaml:" in text
        assert "c\\u202egnp.ossa.yaml:" in text


def test_json_keeps_the_file_names_and_sarif_percent_encodes_them(hostile):
    _code, out, _err = run(hostile, "check", "-f", "json", ".")
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert "a\n::error file=x::forged.ossa.yaml" in paths  # JSON can carry a newline: data kept
    assert "d\\x80\\xff.ossa.yaml" in paths  # but not a byte that is not UTF-8
    _code, out, _err = run(hostile, "check", "-f", "sarif", ".")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"] for loc in r["locations"]}
    assert "d%80%FF.ossa.yaml" in uris and "a%0A%3A%3Aerror%20file%3Dx%3A%3Aforged.ossa.yaml" in uris


def test_a_named_file_with_an_undecodable_name_is_reported_in_gitlab_format(hostile):
    code, out, err = run(hostile, "check", "-f", "gitlab", os.fsdecode(b"d\x80\xff.ossa.yaml"))
    assert code == 1 and b"Traceback" not in err
    issues = json.loads(out.decode("utf-8"))
    assert issues and {i["location"]["path"] for i in issues} == {"d\\x80\\xff.ossa.yaml"}


# --- secrets: masked whatever rules run and whatever else is broken ---------------------------------

SECRETS = {
    "openai": "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd",
    "github": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
    "aws": "AKIAIOSFODNN7EXAMPL3",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "url": "https://admin:Hunter2Hunter2xyz@db.example.com/",
    "plain": "9f8Kq2LmZx7RtV4wPb6Yn3Hc",  # no known prefix: a secret because of the key it is under
}


def _leaks(secret: str, out: str) -> bool:
    tail = secret.split(":")[2].split("@")[0] if secret.startswith("https://") else secret[6:]
    return tail[:10] in out


def _pasted(secret: str, broken: bool) -> str:
    return f"""apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: "{secret}"
  version: 1.0.0
spec:
  role: Helps.
  llm:
    provider: "{secret}"
    model: gpt-4o
  tools:
    - type: http
      name: crm
      endpoint: https://crm.example.com
      auth:
        type: bearer
        credentials: {{token: "{secret}"}}
  "{secret}": 1
""" + ("  broken: [unclosed\n  more: text\n" if broken else "")


def _write_all(root: Path, broken: bool) -> None:
    for kind, secret in SECRETS.items():
        (root / f"{kind}.ossa.yaml").write_text(_pasted(secret, broken), encoding="utf-8")


def _check_masked(root: Path, fmt: str, *rules: str) -> None:
    code, out, _err = run(root, "check", "-f", fmt, *rules, ".")
    assert code == 1
    text = out.decode("utf-8")
    assert "SCHEMA" in text
    for kind, secret in SECRETS.items():
        assert not _leaks(secret, text), (kind, fmt, text)


@pytest.mark.parametrize("rules", [(), ("--ignore", "SEC"), ("--select", "COST001")],
                         ids=["all-rules", "ignore-SEC", "select-other"])
@pytest.mark.parametrize("broken", [False, True], ids=["valid-yaml", "syntax-error-below"])
def test_pasted_secrets_are_never_printed_in_full(tmp_path, rules, broken):
    _write_all(tmp_path, broken)
    for fmt in ("text", "json"):
        _check_masked(tmp_path, fmt, *rules)


@pytest.mark.parametrize("fmt", ("sarif", "github", "gitlab", "junit"))
def test_every_format_masks_pasted_secrets(tmp_path, fmt):
    _write_all(tmp_path, True)
    _check_masked(tmp_path, fmt, "--ignore", "SEC")


def test_secrets_in_the_config_file_are_masked_too(tmp_path):
    (tmp_path / "agent.ossa.yaml").write_text(_pasted("x", False), encoding="utf-8")
    (tmp_path / ".ossa-lsp.yaml").write_text(f"extends: {SECRETS['openai']}\n", encoding="utf-8")
    _code, out, _err = run(tmp_path, "check", "-f", "json", ".")
    text = out.decode("utf-8")
    assert "CFG" in text and not _leaks(SECRETS["openai"], text)


# --- no network, no code execution -------------------------------------------------------------------

def test_check_never_opens_a_socket_even_for_urls_schemas_and_refs(tmp_path):
    """Every socket constructor fails in the process: a check that tried the network would crash or warn."""
    (tmp_path / "agent.ossa.yaml").write_text(_pasted("x", False).replace(
        "https://crm.example.com", "https://crm.example.com/$ref") + "$schema: https://example.com/s.json\n",
        encoding="utf-8")
    (tmp_path / "s.json").write_text('{"$ref": "https://example.com/remote.json"}', encoding="utf-8")
    code = ("import socket, sys\n"
            "def no(*a, **k): raise SystemExit('network used')\n"
            "socket.socket = socket.create_connection = socket.getaddrinfo = no\n"
            "from ossa_lsp.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    for args in (["check", "-f", "json", "."], ["check", "--schema", "s.json", "agent.ossa.yaml"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, timeout=120)
        assert b"network used" not in proc.stderr and b"Traceback" not in proc.stderr
        assert proc.returncode in (1, 2)


def test_yaml_tags_never_run_code(tmp_path):
    marker = tmp_path / "pwned"
    payload = (f"apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: !!python/object/apply:os.system "
               f"['touch {marker}']\nspec:\n  role: !!python/object/new:os.system ['touch {marker}']\n")
    (tmp_path / "agent.ossa.yaml").write_text(payload, encoding="utf-8")
    (tmp_path / ".ossa-lsp.yaml").write_text(f"extends: !!python/object/apply:os.system ['touch {marker}']\n",
                                              encoding="utf-8")
    code, _out, err = run(tmp_path, "check", ".")
    assert code in (1, 2) and b"Traceback" not in err
    assert not marker.exists()
