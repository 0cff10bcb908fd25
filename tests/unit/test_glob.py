"""Glob matching (core.wildmatch): git's semantics for `.gitignore`, `--exclude` and the config's globs,
in time linear in the path — patterns and names both come from the repository being checked."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap
from fnmatch import fnmatchcase

import pytest

from ossa_lsp.core.config.load import glob_match
from ossa_lsp.core.wildmatch import Glob, PathPattern, covers


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("*.yaml", "a.yaml", True),
    ("*.yaml", "a/b.yaml", False),  # `*` stays inside one name
    ("a/*.yaml", "a/x/b.yaml", False),
    ("?.yaml", "a.yaml", True),
    ("a?b", "a/b", False),  # `?` never matches '/'
    ("**/b.yaml", "b.yaml", True),  # zero folders
    ("**/b.yaml", "x/y/b.yaml", True),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/x/y/c", False),
    ("a/**", "a", False),  # everything inside, not the folder itself
    ("a/**", "a/x/y", True),
    ("**", "x/y/z", True),
    ("a**b", "axxb", True),  # `**` inside a name is `*`
    ("a**b", "ax/xb", False),
    ("[ab]x", "bx", True),
    ("[!ab]x", "bx", False),
    ("[^ab]x", "cx", True),
    ("[a-c]x", "dx", False),
    ("[]a]", "]", True),
    ("[[:digit:]]*", "9lives", True),
    ("[[:upper:]]*", "lower", False),
    ("a[", "a[", True),  # an unclosed class is a literal '['
    (r"\*", "*", True),
    (r"\*", "x", False),
    (r"\[a]", "[a]", True),
    ("*a*b*c", "xaybzc", True),
    ("*a*b*c", "xaycxb", False),
    ("*", "", True),
    ("data.yaml", "data.yaml", True),
    ("data.yaml", "data.yml", False),
    ("Data.yaml", "data.yaml", False),  # case-sensitive, as git on Linux
])
def test_glob_semantics(pattern, path, expected):
    assert Glob(pattern).match(path) is expected


@pytest.mark.parametrize(("line", "path", "is_dir", "ignored"), [
    ("*.log", "deep/down/x.log", False, True),  # no slash: any depth, by name
    ("/build", "build", True, True),  # leading slash: anchored
    ("/build", "src/build", True, False),
    ("docs/*.md", "docs/a.md", False, True),  # a middle slash anchors too
    ("docs/*.md", "src/docs/a.md", False, False),
    ("out/", "out", True, True),  # trailing slash: folders only
    ("out/", "out", False, False),
    ("# comment", "# comment", False, False),
    (r"\#hash", "#hash", False, True),
    (r"\!bang", "!bang", False, True),
    ("trailing   ", "trailing", False, True),  # unescaped trailing spaces are dropped
    ("keep\\ ", "keep ", False, True),
])
def test_gitignore_lines(line, path, is_dir, ignored):
    pat = PathPattern.parse(line)
    assert (pat is not None and pat.matches(path, is_dir)) is ignored


def test_negation_is_read_from_gitignore_lines_only():
    assert PathPattern.parse("!keep.yaml").negate  # type: ignore[union-attr]
    assert not PathPattern.parse("!keep.yaml", negation=False).negate  # type: ignore[union-attr]


@pytest.mark.parametrize(("pattern", "path", "covered"), [
    ("vendor/", "vendor/x/a.ossa.yaml", True),  # a folder covers everything below it
    ("vendor/", "vendor", False),  # ... but a file called vendor is not a folder
    ("vendor/**", "vendor/a.yaml", True),
    ("legacy", "a/legacy/b.yaml", True),  # no slash: any folder (or file) name
    ("a/b", "a/b/c.yaml", True),
    ("a/b", "x/a/b/c.yaml", False),
    ("./gen", "gen/a.yaml", True),
    ("**/*.generated.ossa.yaml", "a/b/c.generated.ossa.yaml", True),
])
def test_config_globs_cover_the_path_or_a_folder_above_it(pattern, path, covered):
    assert covers(pattern, path) is covered
    assert glob_match(path, pattern) is covered  # what `exclude:` and `overrides[].files` use


# --- the old behaviour, on the patterns where it was right -------------------------------------------

def _old_config_glob(rel: str, pattern: str) -> bool:
    """`glob_match` before wildmatch (a regex per pattern; backtracking)."""
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    anchored = "/" in pattern.rstrip("/")
    pat = pattern.strip("/")
    parts = rel.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))] if anchored else parts
    body = re.escape(pat).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
    body = body.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    rx = re.compile(body + r"\Z")
    return any(rx.match(c) for c in candidates) or (not anchored and fnmatchcase(rel, pat))


def _old_gitignore(rel: str, line: str, is_dir: bool) -> bool:
    """The walk's `.gitignore` matcher before wildmatch."""
    dir_only = line.endswith("/")
    line = line.strip("/") if dir_only else line
    anchored = line.startswith("/") or "/" in line
    pat = line.lstrip("/")
    if dir_only and not is_dir:
        return False
    text = rel if anchored else rel.rpartition("/")[2]
    if "**" in pat:
        regex = re.escape(pat).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.fullmatch(regex, text) is not None
    return fnmatchcase(text, pat)


NORMAL_PATTERNS = ["*.yaml", "*.ossa.yaml", "vendor/", "vendor/**", "legacy", "/build", "build/",
                   "**/*.generated.ossa.yaml", "**/fixtures/**", "a/b", "agents/*.yaml", "?.yaml", "x?z",
                   "node_modules", "docs/**/*.md", "**/tmp", "gen-*", "*-old.yaml"]
NORMAL_PATHS = ["a.yaml", "b.json", "agents/a.yaml", "agents/deep/a.yaml", "vendor", "vendor/a.yaml",
                "vendor/x/y.ossa.yaml", "src/vendor/a.yaml", "legacy/a.ossa.yaml", "x/legacy/a.yaml", "build",
                "build/out.yaml", "src/build/out.yaml", "a/b", "a/b/c.yaml", "x/a/b", "xyz", "x/y/z",
                "docs/a.md", "docs/x/y/a.md", "tests/fixtures/ok.yaml", "tmp", "a/tmp", "gen-1/a.yaml",
                "x-old.yaml", "c.generated.ossa.yaml", "a/b/c.generated.ossa.yaml"]


@pytest.mark.parametrize("pattern", NORMAL_PATTERNS)
def test_config_globs_agree_with_the_old_matcher_on_normal_patterns(pattern):
    for path in NORMAL_PATHS:
        if pattern.endswith("/") and path.rpartition("/")[2] == pattern.strip("/"):
            assert not covers(pattern, path)  # the one change: a trailing '/' now means folders only
            continue
        assert covers(pattern, path) == _old_config_glob(path, pattern), (pattern, path)


@pytest.mark.parametrize("line", [p for p in NORMAL_PATTERNS if "/" not in p.rstrip("/")[1:] or "**" in p])
def test_gitignore_lines_agree_with_the_old_matcher_on_normal_patterns(line):
    # (old fnmatch let `*` cross '/' in anchored lines such as `agents/*.yaml`: git does not, nor do we)
    pat = PathPattern.parse(line)
    assert pat is not None
    for path in NORMAL_PATHS:
        for is_dir in (False, True):
            assert pat.matches(path, is_dir) == _old_gitignore(path, line, is_dir), (line, path, is_dir)


# --- against a reference: a direct regex translation, fine (if exponential) on tiny inputs ------------

def _reference(pattern: str, path: str) -> bool:
    def globstar(seg: str) -> bool:
        return len(seg) >= 2 and set(seg) == {"*"}

    out, segs = [], pattern.split("/")
    for n, seg in enumerate(segs):
        slash = "/" if n and not globstar(segs[n - 1]) else ""  # `**/` already ends with its slash
        if globstar(seg):
            out.append(slash + (".+" if n == len(segs) - 1 else "(?:.*/)?"))
            continue
        out.append(slash)
        i = 0
        while i < len(seg):
            c = seg[i]
            if c == "*":
                while i < len(seg) and seg[i] == "*":
                    i += 1
                out.append("[^/]*")
                continue
            if c == "?":
                out.append("[^/]")
            elif c == "[" and "]" in seg[i + 2:] and seg[i + 1:i + 2] in ("a", "b", "!"):
                end = seg.index("]", i + 2)
                body = seg[i + 1:end]
                out.append("[^/" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
                i = end
            else:
                out.append(re.escape(c))
            i += 1
    return re.fullmatch("".join(out), path) is not None


def test_random_patterns_agree_with_a_reference_translation():
    rng = random.Random(1234)
    atoms = ["a", "b", "*", "?", "[ab]", "[!a]", "**"]
    checked = 0
    for _ in range(4000):
        segs = ["".join(rng.choice(atoms) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        pattern = "/".join(segs)
        glob = Glob(pattern)
        for _ in range(8):
            path = "/".join("".join(rng.choice("ab") for _ in range(rng.randint(1, 3)))
                            for _ in range(rng.randint(1, 5)))
            assert glob.match(path) == _reference(pattern, path), (pattern, path)
            checked += 1
    assert checked == 32000


# --- adversarial: a pattern from a hostile repository against a long name ---------------------------

ADVERSARIAL = [
    ("**/" + "a*" * 30 + "b", "a" * 1_000_000),
    ("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 1_000_000),
    ("**/a/a/a/a/a/a/a/a/a/b", "a/" * 500_000 + "c"),
    ("**/a*/a*/a*/a*/a*/b/**", "/".join(f"a{i}" for i in range(100_000))),
    ("a/**/a/**/a/**/a/**/b", "a/" * 500_000 + "c"),
    ("*[ab]?[!c]*[ab][ab][ab]x", "ab" * 500_000),
    ("[" * 10_000 + "*" * 10_000 + "]", "[" * 1_000_000),
]


def test_adversarial_patterns_against_one_megabyte_names_finish():
    """The old regexes never finished on these; here each takes well under a second. The generous
    subprocess timeout only catches a regression to exponential time."""
    script = textwrap.dedent("""
        import sys
        from ossa_lsp.core.wildmatch import Glob, PathPattern, covers
        from tests.unit.test_glob import ADVERSARIAL
        for pattern, path in ADVERSARIAL:
            assert not Glob(pattern).match(path)
            assert not covers(pattern, path)
            line = PathPattern.parse(pattern)  # None: too long to be a real .gitignore line
            assert line is None or not line.matches(path, False)
        print("done", len(ADVERSARIAL))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"done {len(ADVERSARIAL)}"


def test_work_grows_linearly_with_the_length_of_the_name(monkeypatch):
    """Counted, not timed: the number of name tests for a `**` pattern doubles when the path doubles."""
    import ossa_lsp.core.wildmatch as wm

    calls = 0
    real = wm._Name._general

    def counting(self, name):
        nonlocal calls
        calls += 1
        return real(self, name)

    monkeypatch.setattr(wm._Name, "_general", counting)
    counts = []
    for n in (2_000, 4_000, 8_000):
        calls = 0
        glob = wm.Glob("**/a*b*/a*b*/a*b*/c")  # two stars per name: the general (counted) test
        assert not glob.match("/".join(["ab"] * n + ["x"]))
        counts.append(calls)
    assert counts[1] <= 2.1 * counts[0] and counts[2] <= 2.1 * counts[1]
