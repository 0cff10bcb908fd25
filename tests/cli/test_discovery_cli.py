"""`ossa-lsp check <folder>` on trees a stranger could hand us: FIFOs named like manifests, symlink
loops, unreadable folders and hostile glob patterns end in a report, never in a hang or a traceback."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

GOOD = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: good-agent
spec:
  role: Helps.
"""
HANG_GUARD_S = 120  # only turns a regression into a failure instead of a stuck run


def write(root: Path, rel: str, text: str | None = None) -> Path:
    """A file; by default a valid manifest whose agent is named after the path (no duplicate names)."""
    if text is None:
        text = GOOD.replace("good-agent", re.sub(r"[^a-z0-9]+", "-", rel.lower())[-40:].strip("-"))
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def paths_in(out: str) -> list[str]:
    return sorted(f["path"] for f in json.loads(out)["files"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifos_named_like_manifests_are_skipped(cli, tmp_path):
    write(tmp_path, "agents/ok.ossa.yaml")
    os.mkfifo(tmp_path / "agents" / "pipe.ossa.yaml")
    os.mkfifo(tmp_path / "agents" / "pipe.json")
    os.mkfifo(tmp_path / ".gitignore")
    r = cli("check", "-f", "json", ".", timeout=HANG_GUARD_S)
    assert r.code == 0, r.err
    assert paths_in(r.out) == ["agents/ok.ossa.yaml"]


def test_symlink_loops_are_walked_once(cli, tmp_path):
    write(tmp_path, "a/b/ok.ossa.yaml")
    (tmp_path / "a/b/up").symlink_to("..")
    (tmp_path / "a/b/top").symlink_to("../..")
    (tmp_path / "a/self").symlink_to(tmp_path / "a")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    r = cli("check", "-f", "json", ".", timeout=HANG_GUARD_S)
    assert r.code == 0, r.err
    assert paths_in(r.out) == ["a/b/ok.ossa.yaml"]


def test_hostile_globs_in_gitignore_exclude_and_config_finish(cli, tmp_path):
    long_dir = "a" * 200
    write(tmp_path, f"{long_dir}/{'a' * 200}.ossa.yaml")
    write(tmp_path, "keep/ok.ossa.yaml")
    write(tmp_path, ".gitignore", "**/" + "a*" * 60 + "b\n")
    write(tmp_path, ".ossa-lsp.yaml", "exclude: ['**/" + "*a" * 60 + "b', '" + "[" * 2000 + "']\n")
    r = cli("check", "-f", "json", "--exclude", "**/" + "a*" * 80 + "c/**", ".", timeout=HANG_GUARD_S)
    assert r.code == 0, r.err
    assert paths_in(r.out) == [f"{long_dir}/{'a' * 200}.ossa.yaml", "keep/ok.ossa.yaml"]


# --- unreadable folders: permission bits do not stop root, so the check runs as `nobody` ---------------

@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder `nobody` can enter (pytest's tmp_path is private to the user running the tests)."""
    root = Path(tempfile.mkdtemp(prefix="ossa-cli-walk-"))
    root.chmod(0o755)
    yield root
    for folder, dirs, _ in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o755)
    shutil.rmtree(root, ignore_errors=True)


def check_as_nobody(cwd: Path, *args: str) -> tuple[int, str, str]:
    """`ossa-lsp check` in a forked child that dropped to `nobody` (no exec: the interpreter may live
    where nobody cannot read). A first run in the child, before the drop, loads the lazily imported
    modules; its output is thrown away."""
    from ossa_lsp.cli import main

    warm = Path(tempfile.mkdtemp(prefix="ossa-cli-warm-"))
    write(warm, "w.ossa.yaml", GOOD + "  surprise: 1\n")
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
            main(["check", "-f", args[args.index("-f") + 1] if "-f" in args else "text", str(warm)])
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.chdir(cwd)
            sys.stdout = io.TextIOWrapper(os.fdopen(out_w, "wb"), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(os.fdopen(err_w, "wb"), encoding="utf-8")
            code = main(["check", *args])
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(out_w)
    os.close(err_w)
    with os.fdopen(out_r) as o, os.fdopen(err_r) as e:
        out, err = o.read(), e.read()  # small outputs: reading one pipe after the other cannot deadlock
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(warm, ignore_errors=True)
    return os.waitstatus_to_exitcode(status), out, err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_an_unreadable_folder_is_a_warning_and_the_rest_is_checked(shared_tmp):
    write(shared_tmp, "a/ok.ossa.yaml")
    write(shared_tmp, "lost+found/x.ossa.yaml")
    write(shared_tmp, "z/ok.ossa.yaml")
    (shared_tmp / "lost+found").chmod(0)
    code, out, err = check_as_nobody(shared_tmp, "-f", "json", ".")
    assert code == 0, err
    assert "Traceback" not in err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert sorted(files) == ["a/ok.ossa.yaml", "lost+found", "z/ok.ossa.yaml"]
    [warning] = files["lost+found"]["findings"]
    assert warning["severity"] == "warning" and warning["message"] == "cannot read folder: Permission denied"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_an_unreadable_folder_named_on_the_command_line_is_a_usage_error(shared_tmp):
    write(shared_tmp, "locked/x.ossa.yaml")
    write(shared_tmp, "ok.ossa.yaml")
    (shared_tmp / "locked").chmod(0)
    code, out, err = check_as_nobody(shared_tmp, "locked", "ok.ossa.yaml")
    assert code == 2, (out, err)
    assert "locked: error IO cannot read folder: Permission denied" in out
    assert "Traceback" not in err
