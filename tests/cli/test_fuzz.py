"""Property-based fuzzing of `ossa-lsp check` (hypothesis): corpus and example manifests and config files,
mutated with random bytes, control characters, deep nesting and very long values, under odd file names
(newlines, escape sequences, undecodable bytes). Whatever the repository holds: no traceback, every
machine format parses, no line of non-github output starts with `::`, and each run ends.

Few examples here (CI); `python tools/fuzz.py --examples 500` runs the same property longer."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from xml.etree import ElementTree as ET

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import CORPUS, EXAMPLES  # noqa: E402

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


def _seeds() -> list[str]:
    paths = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    if CORPUS.is_dir():
        corpus = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        paths += corpus[:: max(1, len(corpus) // 40)]  # a spread of the corpus, not all of it
    return [p.read_text("utf-8", "replace") for p in paths if p.is_file()]


SEEDS = _seeds()
CONFIGS = ["extends: strict\n", "select: [SEC, COST]\nignore: [OBS]\nfail-on: warning\n",
           "rules:\n  SEC002:\n    threshold: 3\n    min-length: 8\noverrides:\n  - files: ['**/*.yaml']\n    ignore: [SEC]\n",
           "exclude: ['**/a*a*a*a*a*a*a*b']\nrules:\n  SEC003:\n    internal-hosts: ['*a*a*a*b']\n"]
NAMES = [b"agent.ossa.yaml", b"a\n::error file=x::forged.ossa.yaml", b"b\x1b]52;c;aGk=\x07.ossa.yaml",
         b"c\x80\xff.ossa.yaml", b"d\xe2\x80\xae.ossa.json", b"e\r::add-mask::x.ossa.yml", b"-f.ossa.yaml",
         b"g h:i,j%.ossa.yaml"]
HOSTILE = st.lists(st.sampled_from(["\n", "\r", "\t", "\x1b", "\x07", "\x00", "\x85", "\u2028", "\u202e",
                                            "::error::", "::add-mask::", "%", ":", ",", '"', "'", "\\", "{", "[",
                                            "&", "*", "!", "- ", "sk-proj-", "ghp_", "a", "Ω", "\udc80"]),
                   max_size=40).map("".join)


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    text = seed
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["insert", "long", "nest", "cut", "bytes", "key"]))
        at = draw(st.integers(0, len(text)))
        if how == "insert":
            text = text[:at] + draw(HOSTILE) + text[at:]
        elif how == "long":
            text = text[:at] + draw(st.sampled_from(["a.", "a", " ", "eyJ-", "a:", "- "])) * 20_000 + text[at:]
        elif how == "nest":
            depth = draw(st.integers(50, 3000))
            text = text[:at] + "[" * depth + "]" * depth + text[at:]
        elif how == "cut":
            text = text[:at]
        elif how == "key":
            text += f"\n{draw(HOSTILE)}: {draw(HOSTILE)}\n"
        else:
            raw = text.encode("utf-8", "surrogateescape")
            raw = raw[:at] + draw(st.binary(max_size=30)) + raw[at:]
            return raw
    return text.encode("utf-8", "surrogateescape")


@st.composite
def repositories(draw: st.DrawFn) -> list[tuple[bytes, bytes]]:
    files = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)):
        files.append((name, draw(mutated(draw(st.sampled_from(SEEDS))))))
    if draw(st.booleans()):
        files.append((b".ossa-lsp.yaml", draw(mutated(draw(st.sampled_from(CONFIGS))))))
    return files


def _run(root: str, fmt: str) -> tuple[int, str, str]:
    from ossa_lsp.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "-f", fmt, "--color", "never", root])
    return code, out.getvalue(), err.getvalue()


def check_repository(files: list[tuple[bytes, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = os.fsencode(tmp)
        for name, data in files:
            with open(os.path.join(base, name), "wb") as fh:
                fh.write(data)
        for fmt in FORMATS:
            code, out, err = _run(tmp, fmt)
            assert code in (0, 1, 2), code
            assert "Traceback" not in err and "internal error" not in err, err
            out.encode("utf-8")  # strict: what is written is valid UTF-8
            lines = out.splitlines()
            if fmt != "github":
                assert not [line for line in lines if line.lstrip().startswith("::")], out
            else:
                assert all(line.startswith(("::error ", "::warning ", "::notice ", "ossa-lsp: ")) for line in lines)
            if fmt in ("json", "sarif", "gitlab"):
                json.loads(out)
            elif fmt == "junit":
                ET.fromstring(out.encode("utf-8"))


def run_fuzz(examples: int, seed: int | None = None) -> None:
    """The property with `examples` examples (the test runs a few; tools/fuzz.py runs many)."""
    prop = settings(max_examples=examples, deadline=60_000, database=None, derandomize=seed is None,
                    suppress_health_check=list(HealthCheck))(given(repositories())(check_repository))
    if seed is not None:
        prop = hypothesis.seed(seed)(prop)
    prop()


@pytest.mark.skipif(sys.platform == "win32", reason="file names with newlines and undecodable bytes")
def test_check_survives_mutated_repositories():
    run_fuzz(examples=8)
