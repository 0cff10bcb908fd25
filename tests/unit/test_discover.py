"""The directory walk (core.discover) on trees a stranger could hand us: FIFOs and devices named like
manifests, symlink loops, unreadable folders, huge trees and `.gitignore` files.

Walks that could hang run in a subprocess with a generous timeout, so a regression fails instead of
blocking the test run; the timeout is not a speed assertion.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ossa_lsp.core.discover import Limits, Walk, walk

MANIFEST = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a\n"
HANG_GUARD_S = 120


def write(root: Path, rel: str, text: str = MANIFEST) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def names(root: Path, found: list[Path] | Iterator[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in found]


def walk_in_subprocess(root: Path, exclude: tuple[str, ...] = ()) -> dict:
    """Walk in a child process (a hang fails the test instead of blocking the run)."""
    script = textwrap.dedent("""
        import json, sys
        from ossa_lsp.core.discover import Walk
        w = Walk(sys.argv[1], tuple(sys.argv[2:]))
        found = [p.relative_to(w.root).as_posix() for p in w]
        print(json.dumps({"found": found, "notes": [n.message for n in w.notes], "stopped": w.stopped,
                          "dirs": w.dirs}))
    """)
    out = subprocess.run([sys.executable, "-c", script, str(root), *exclude], capture_output=True, text=True,
                         timeout=HANG_GUARD_S, check=True)
    return json.loads(out.stdout)


def walk_as_nobody(root: Path) -> dict:
    """Walk in a forked child that dropped to `nobody` (tests run as root, and root reads any folder).
    Fork without exec: the interpreter and the modules are already loaded, wherever they live."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            w = Walk(root)
            found = [p.relative_to(w.root).as_posix() for p in w]
            notes = [[n.path.relative_to(w.root).as_posix(), n.message] for n in w.notes]
            with os.fdopen(write_end, "w") as out:
                json.dump({"found": found, "notes": notes, "uid": os.geteuid()}, out)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as data:
        text = data.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and text, "the walk failed in the child"
    result = json.loads(text)
    assert result.pop("uid") != 0
    return result


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder that `nobody` can enter (pytest's tmp_path is private to the user running the tests)."""
    root = Path(tempfile.mkdtemp(prefix="ossa-walk-"))
    root.chmod(0o755)
    yield root
    for folder, dirs, _ in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o755)
    shutil.rmtree(root, ignore_errors=True)


def test_manifests_are_found_by_name_and_content_in_name_order(tmp_path):
    write(tmp_path, "b/z.ossa.yaml", "kind: Agent\n")
    write(tmp_path, "b/plain.yaml")  # no .ossa suffix: found by its apiVersion
    write(tmp_path, "a.ossa.json", "{}")
    write(tmp_path, "c/k8s.yaml", "apiVersion: apps/v1\n")
    write(tmp_path, "c/notes.txt", MANIFEST)
    write(tmp_path, "node_modules/x.ossa.yaml")
    assert names(tmp_path, walk(tmp_path)) == ["a.ossa.json", "b/plain.yaml", "b/z.ossa.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifos_named_like_manifests_are_skipped_without_being_opened(tmp_path):
    write(tmp_path, "agents/real.ossa.yaml")
    for name in ("agents/pipe.ossa.yaml", "agents/pipe.yaml", "agents/pipe.json", ".gitignore"):
        os.mkfifo(tmp_path / name)  # opening any of these for reading would block for ever
    result = walk_in_subprocess(tmp_path)
    assert result["found"] == ["agents/real.ossa.yaml"]
    assert result["notes"] == [] and result["stopped"] is None


def test_links_to_devices_and_dangling_links_are_skipped(tmp_path):
    write(tmp_path, "real.ossa.yaml")
    (tmp_path / "zero.json").symlink_to("/dev/zero")  # sniffing JSON used to read it whole
    (tmp_path / "null.ossa.yaml").symlink_to("/dev/null")
    (tmp_path / "gone.ossa.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "self.ossa.yaml").symlink_to(tmp_path / "self.ossa.yaml")
    assert walk_in_subprocess(tmp_path)["found"] == ["real.ossa.yaml"]


def test_symlink_loops_to_ancestors_visit_each_folder_once(tmp_path):
    write(tmp_path, "a/b/c/deep.ossa.yaml")
    write(tmp_path, "a/top.ossa.yaml")
    (tmp_path / "a/b/c/up").symlink_to("..")
    (tmp_path / "a/b/c/up2").symlink_to("../..")
    (tmp_path / "a/b/root").symlink_to(tmp_path)
    (tmp_path / "a/b/c/loop").symlink_to(tmp_path / "a/b/c/loop")
    result = walk_in_subprocess(tmp_path)
    assert result["found"] == ["a/b/c/deep.ossa.yaml", "a/top.ossa.yaml"]
    assert result["dirs"] == 4  # the root, a, a/b, a/b/c: links are not folders to enter


def test_symlinked_folders_are_not_followed_and_linked_files_only_inside_the_tree(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "secret.ossa.yaml")
    root = tmp_path / "repo"
    write(root, "agents/a.ossa.yaml")
    (root / "vendor").symlink_to(outside)  # would take the walk out of the repository
    (root / "leak.ossa.yaml").symlink_to(outside / "secret.ossa.yaml")  # a file elsewhere on the machine
    (root / "alias.ossa.yaml").symlink_to(root / "agents" / "a.ossa.yaml")  # inside: fine
    assert names(root, walk(root)) == ["agents/a.ossa.yaml", "alias.ossa.yaml"]


def test_a_symlinked_root_is_walked_where_it_really_is(tmp_path):
    write(tmp_path, "real/a.ossa.yaml")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert [p.name for p in walk(tmp_path / "link")] == ["a.ossa.yaml"]


def test_an_unreadable_folder_is_noted_and_the_rest_is_walked(shared_tmp):
    write(shared_tmp, "a/ok.ossa.yaml")
    write(shared_tmp, "locked/hidden.ossa.yaml")
    write(shared_tmp, "z/ok.ossa.yaml")
    (shared_tmp / "locked").chmod(0)
    result = walk_as_nobody(shared_tmp)
    assert result["found"] == ["a/ok.ossa.yaml", "z/ok.ossa.yaml"]
    assert result["notes"] == [["locked", "cannot read folder: Permission denied"]]


def test_an_unreadable_root_is_a_note_not_an_exception(shared_tmp):
    write(shared_tmp, "root/a.ossa.yaml")
    (shared_tmp / "root").chmod(0)
    result = walk_as_nobody(shared_tmp / "root")
    assert result["found"] == [] and result["notes"] == [[".", "cannot read folder: Permission denied"]]


def test_the_walk_stops_at_the_folder_limit_and_says_so(tmp_path):
    for n in range(10):
        write(tmp_path, f"d{n}/a.ossa.yaml")
    w = Walk(tmp_path, limits=Limits(max_dirs=4))
    found = names(tmp_path, w)
    assert found == ["d0/a.ossa.yaml", "d1/a.ossa.yaml", "d2/a.ossa.yaml"]  # the root counts as a folder
    assert w.stopped == "stopped after 4 folders (the limit); the rest was not checked"


def test_the_walk_stops_at_the_file_limit_and_says_so(tmp_path):
    for n in range(10):
        write(tmp_path, f"f{n}.txt", "")
    write(tmp_path, "z.ossa.yaml")
    w = Walk(tmp_path, limits=Limits(max_files=5))
    assert list(w) == []
    assert w.stopped == "stopped after 5 files (the limit); the rest was not checked"


def test_the_walk_stops_at_its_time_limit_and_says_so(tmp_path):
    write(tmp_path, "a.ossa.yaml")
    w = Walk(tmp_path, limits=Limits(seconds=0))
    assert list(w) == []
    assert w.stopped == "stopped after 0 s (the time limit); the rest was not checked"


def test_a_complete_walk_says_nothing(tmp_path):
    write(tmp_path, "a.ossa.yaml")
    w = Walk(tmp_path)
    assert len(list(w)) == 1 and w.stopped is None and w.notes == []


def test_very_deep_trees_do_not_overflow_the_stack(tmp_path):
    deep = str(tmp_path)
    for _ in range(1500):  # deeper than Python's recursion limit (os.makedirs recurses too), < PATH_MAX
        deep += "/d"
        os.mkdir(deep)
    Path(deep, "x.ossa.yaml").write_text(MANIFEST)
    try:
        assert [p.name for p in walk(tmp_path)] == ["x.ossa.yaml"]
    finally:  # shutil.rmtree (and so pytest's own clean-up) recurses: remove it bottom-up here
        os.remove(os.path.join(deep, "x.ossa.yaml"))
        while deep != str(tmp_path):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_gitignore_prunes_folders_and_negation_re_includes_files(tmp_path):
    write(tmp_path, ".gitignore", "build/\n*.gen.ossa.yaml\n!keep.gen.ossa.yaml\n/top-only.ossa.yaml\n")
    write(tmp_path, "build/a.ossa.yaml")
    write(tmp_path, "x/drop.gen.ossa.yaml")
    write(tmp_path, "x/keep.gen.ossa.yaml")
    write(tmp_path, "top-only.ossa.yaml")
    write(tmp_path, "x/top-only.ossa.yaml")
    write(tmp_path, "x/.gitignore", "!drop.gen.ossa.yaml\n")  # a deeper file overrides
    assert names(tmp_path, walk(tmp_path)) == ["x/drop.gen.ossa.yaml", "x/keep.gen.ossa.yaml",
                                               "x/top-only.ossa.yaml"]


def test_gitignore_above_the_walked_folder_applies_up_to_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "sub/generated/a.ossa.yaml")
    write(tmp_path, "sub/b.ossa.yaml")
    assert [p.name for p in walk(tmp_path / "sub")] == ["b.ossa.yaml"]


def test_only_the_head_of_a_huge_gitignore_is_read(tmp_path):
    from ossa_lsp.core.discover import GITIGNORE_MAX_BYTES

    filler = "# filler\n" * (GITIGNORE_MAX_BYTES // 9 + 1)
    write(tmp_path, ".gitignore", "early.ossa.yaml\n" + filler + "late.ossa.yaml\n")
    write(tmp_path, "early.ossa.yaml")
    write(tmp_path, "late.ossa.yaml")
    assert names(tmp_path, walk(tmp_path)) == ["late.ossa.yaml"]


def test_exclude_patterns_prune_by_path_or_name(tmp_path):
    write(tmp_path, "vendor/a.ossa.yaml")
    write(tmp_path, "src/vendor/b.ossa.yaml")
    write(tmp_path, "src/gen/c.ossa.yaml")
    write(tmp_path, "src/d.ossa.yaml")
    assert names(tmp_path, walk(tmp_path, ("/vendor", "src/gen/"))) == ["src/d.ossa.yaml", "src/vendor/b.ossa.yaml"]
    assert names(tmp_path, walk(tmp_path, ("vendor",))) == ["src/d.ossa.yaml", "src/gen/c.ossa.yaml"]


def test_adversarial_exclude_and_gitignore_patterns_finish(tmp_path):
    long_name = "a" * 200 + ".ossa.yaml"
    write(tmp_path, f"{'a' * 200}/{long_name}")
    write(tmp_path, ".gitignore", "**/" + "a*" * 60 + "b\n" + ("*a" * 40 + "?[" * 30 + "\n") * 50)
    result = walk_in_subprocess(tmp_path, ("**/" + "*a" * 80 + "b", "[" * 3000))
    assert result["found"] == [f"{'a' * 200}/{long_name}"]


def test_include_globs_add_data_files_by_path(tmp_path):
    write(tmp_path, "deploy/agents/x.yml", "kind: Agent\n")  # no apiVersion, no .ossa suffix
    write(tmp_path, "deploy/other/y.yml", "kind: Agent\n")
    write(tmp_path, "agents/z.yml", "kind: Agent\n")
    w = Walk(tmp_path, include=("**/agents/*.yml",))
    assert names(tmp_path, w) == ["agents/z.yml", "deploy/agents/x.yml"]
