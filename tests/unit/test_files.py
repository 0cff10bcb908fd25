"""core/files.py: what is read (only regular files, never past the limit) and how files are written
(through symlinks, keeping hard links, mode and owner, refusing read-only files, never half-written)."""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from ossa_lsp.core import files

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and hard links are POSIX")


# --- reading ---------------------------------------------------------------------------------------


def test_load_strips_the_bom_keeps_crlf_and_encodes_back_the_same_way(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes(files.BOM + b"a: 1\r\nb: \xc3\xa9\r\n")
    loaded = files.load(p)
    assert loaded.text == "a: 1\r\nb: é\r\n" and loaded.bom and loaded.problem is None
    assert loaded.encode(loaded.text) == p.read_bytes()


def test_binary_and_latin1_are_findings_with_a_position(tmp_path):
    p = tmp_path / "l.yaml"
    p.write_bytes("a: 1\nname: caf\xe9\n".encode("latin-1"))
    loaded = files.load(p)
    assert loaded.text is None and loaded.problem is not None and loaded.problem.code == "YAML005"
    assert tuple(loaded.problem.span.start) == (1, 9)
    p.write_bytes(b"\x7fELF\x00\x01")
    assert "binary" in files.load(p).problem.message  # type: ignore[union-attr]


@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.ossa.yaml"
    os.mkfifo(fifo)
    with pytest.raises(files.FileError, match="FIFO") as caught:
        files.read_bytes(fifo)
    assert caught.value.kind == "not-regular"
    assert files.read_head(fifo, 100) is None


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_as_a_device():
    with pytest.raises(files.FileError, match="character device"):
        files.read_bytes("/dev/zero")
    assert files.read_head("/dev/zero", 100) is None


def test_a_sparse_three_gigabyte_file_is_too_large_before_any_read(tmp_path, monkeypatch):
    p = tmp_path / "big.ossa.yaml"
    with p.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(files.TooLarge) as caught:
        files.read_bytes(p)
    assert reads == []
    assert str(caught.value) == "File is 3221.2 MB, over the 10 MB analysis limit; not analysed"
    finding = files.load(p).problem
    assert finding is not None and finding.code == "YAML006"


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux /proc")
def test_a_file_that_lies_about_its_size_is_cut_at_the_limit():
    assert os.stat("/proc/self/maps").st_size == 0  # says empty, holds kilobytes
    with pytest.raises(files.TooLarge):
        files.read_bytes("/proc/self/maps", limit=64)
    assert len(files.read_head("/proc/self/maps", 64) or b"") == 64


def test_reads_never_go_past_the_limit(tmp_path, monkeypatch):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"x" * 1000)
    asked: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: asked.append(n) or real_read(fd, n))
    assert files.read_bytes(p, limit=1000) == b"x" * 1000
    assert files.read_head(p, 10) == b"x" * 10
    assert max(asked) <= 1001


def test_stdin_is_bounded_too():
    assert files.read_stream(io.BytesIO(b"abc"), limit=3) == b"abc"
    with pytest.raises(files.TooLarge):
        files.read_stream(io.BytesIO(b"abcd"), limit=3)


def test_missing_file_and_directory_have_their_own_message(tmp_path):
    with pytest.raises(files.FileError, match="file not found") as missing:
        files.read_bytes(tmp_path / "nope.yaml")
    with pytest.raises(files.FileError, match="is a directory") as folder:
        files.read_bytes(tmp_path)
    assert (missing.value.kind, folder.value.kind) == ("missing", "directory")


# --- writing ---------------------------------------------------------------------------------------


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for f in folders for p in f.iterdir() if p.name.endswith(".ossa-lsp-tmp")]


@posix_only
def test_a_symlink_is_written_through_to_its_target_and_stays_a_link(tmp_path):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    target = real_dir / "a.yaml"
    target.write_bytes(b"old\n")
    link = link_dir / "a.yaml"
    link.symlink_to(os.path.relpath(target, link_dir))
    files.write_atomic(link, b"new\n", expected=b"old\n")
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, link_dir)
    assert target.read_bytes() == b"new\n"
    assert _leftovers(real_dir, link_dir) == []


@posix_only
def test_hard_links_keep_sharing_the_new_content(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_bytes(b"version: 1\n")
    b = tmp_path / "b.yaml"
    os.link(a, b)
    inode = a.stat().st_ino
    files.write_atomic(a, b"version: 2, longer than before\n", expected=b"version: 1\n")
    assert b.read_bytes() == b"version: 2, longer than before\n"
    assert a.stat().st_ino == inode and a.stat().st_nlink == 2
    files.write_atomic(b, b"v3\n")  # shorter: the rest is cut off
    assert a.read_bytes() == b"v3\n"


@posix_only
def test_mode_is_kept(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"old")
    p.chmod(0o640)
    files.write_atomic(p, b"new")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640 and p.read_bytes() == b"new"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() != 0, reason="giving a file away needs root")
def test_owner_is_kept(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"old")
    os.chown(p, 65534, 65534)
    files.write_atomic(p, b"new")
    st = p.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534) and p.read_bytes() == b"new"


@posix_only
def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"old")
    p.chmod(0o444)
    with pytest.raises(files.FileError, match="read-only") as caught:
        files.write_atomic(p, b"new")
    assert caught.value.kind == "read-only"
    assert p.read_bytes() == b"old" and stat.S_IMODE(p.stat().st_mode) == 0o444 and _leftovers(tmp_path) == []


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"edited by someone else")
    with pytest.raises(files.FileError, match="changed on disk"):
        files.write_atomic(p, b"our fix", expected=b"what we read")
    assert p.read_bytes() == b"edited by someone else"


@posix_only
def test_a_full_disk_leaves_a_hard_linked_file_intact(tmp_path, monkeypatch):
    a = tmp_path / "a.yaml"
    a.write_bytes(b"short")
    os.link(a, tmp_path / "b.yaml")

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_space, raising=False)
    with pytest.raises(files.FileError, match="No space left"):
        files.write_atomic(a, b"much longer content than before")
    assert a.read_bytes() == b"short"


@posix_only
def test_a_write_error_half_way_puts_the_original_back(tmp_path, monkeypatch):
    a = tmp_path / "a.yaml"
    a.write_bytes(b"original content\n")
    os.link(a, tmp_path / "b.yaml")
    real_write = os.write
    calls = {"n": 0}

    def flaky(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:4]))
        if calls["n"] == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", flaky)
    with pytest.raises(files.FileError, match="Input/output error"):
        files.write_atomic(a, b"NEW CONTENT THAT FAILS\n")
    assert a.read_bytes() == b"original content\n"


@posix_only
def test_a_folder_we_cannot_create_files_in_gets_an_in_place_write(tmp_path, monkeypatch):
    p = tmp_path / "a.yaml"
    p.write_bytes(b"old")
    inode = p.stat().st_ino

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    files.write_atomic(p, b"new")
    assert p.read_bytes() == b"new" and p.stat().st_ino == inode


def test_the_rename_path_replaces_in_one_step(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_bytes(b"old")
    files.write_atomic(p, b"new")
    assert p.read_bytes() == b"new" and [x.name for x in tmp_path.iterdir()] == ["x.yaml"]


def test_unified_diff_names_relative_paths_like_git():
    d = files.unified_diff("a: 1\n", "a: 2\n", "m/x.yaml")
    assert d.startswith("--- a/m/x.yaml\n+++ b/m/x.yaml\n") and "-a: 1\n+a: 2\n" in d
    assert files.unified_diff("a\n", "b\n", "/abs/x.yaml").startswith("--- /abs/x.yaml\n")


def test_a_stream_over_the_limit_says_so_without_a_made_up_size():
    with pytest.raises(files.TooLarge, match=r"^File is over the 2 MB analysis limit; not analysed$"):
        files.read_stream(io.BytesIO(b"x" * 2_000_001), limit=2_000_000)
