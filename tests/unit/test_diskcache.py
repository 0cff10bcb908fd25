"""The start-up cache (lsp/runtime/diskcache.py) is only ever a shortcut: what cannot be read reads as
empty, what cannot be written is not written, and a value from another build is never used."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ossa_lsp.lsp.runtime.diskcache import MAX_BYTES, DiskCache, build_stamp, default_dir, key_of

ANSWER = {"capabilities": {"hoverProvider": True}, "serverInfo": {"name": "ossa-lsp"}}


def test_a_value_written_is_read_back_by_the_same_build(tmp_path):
    DiskCache("initialize", "build-1", tmp_path).put("k", ANSWER)
    assert DiskCache("initialize", "build-1", tmp_path).get("k") == ANSWER


def test_a_value_from_another_build_is_never_used_and_is_replaced(tmp_path):
    DiskCache("initialize", "build-1", tmp_path).put("k", ANSWER)
    newer = DiskCache("initialize", "build-2", tmp_path)
    assert newer.get("k") is None
    newer.put("k", {"capabilities": {}})
    assert DiskCache("initialize", "build-2", tmp_path).get("k") == {"capabilities": {}}
    assert DiskCache("initialize", "build-1", tmp_path).get("k") is None


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"stamp": "build-1"}',
                                     b'{"stamp": "build-1", "entries": []}', b""])
def test_a_corrupt_cache_file_reads_as_empty_and_is_rebuilt(tmp_path, content):
    (tmp_path / "initialize.json").write_bytes(content)
    cache = DiskCache("initialize", "build-1", tmp_path)
    assert cache.get("k") is None
    assert cache.put("k", ANSWER)
    assert DiskCache("initialize", "build-1", tmp_path).get("k") == ANSWER


def test_an_oversized_cache_file_is_not_read(tmp_path):
    doc = {"stamp": "build-1", "entries": {"k": ANSWER, "pad": "x" * MAX_BYTES}}
    (tmp_path / "initialize.json").write_text(json.dumps(doc))
    assert DiskCache("initialize", "build-1", tmp_path).get("k") is None


def test_a_cache_path_that_is_not_a_regular_file_is_ignored(tmp_path):
    (tmp_path / "initialize.json").mkdir()
    cache = DiskCache("initialize", "build-1", tmp_path)
    assert cache.get("k") is None
    assert cache.put("k", ANSWER) is False  # cannot replace a folder: not written, no error


def test_a_fifo_in_place_of_the_cache_file_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "initialize.json")
    assert DiskCache("initialize", "build-1", tmp_path).get("k") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_an_unwritable_cache_dir_is_not_an_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cache = DiskCache("initialize", "build-1", folder)
        assert cache.put("k", ANSWER) is False
        assert cache.get("k") == ANSWER  # still kept for this process
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_cache_dir_below_a_file_is_not_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    cache = DiskCache("initialize", "build-1", tmp_path / "file" / "cache")
    assert cache.put("k", ANSWER) is False
    assert cache.get("k") == ANSWER


def test_writes_leave_no_temporary_files_and_stay_bounded(tmp_path):
    cache = DiskCache("initialize", "build-1", tmp_path)
    for i in range(100):
        cache.put(f"k{i}", {"n": i})
    assert [p.name for p in tmp_path.iterdir()] == ["initialize.json"]
    entries = json.loads((tmp_path / "initialize.json").read_text())["entries"]
    assert "k99" in entries and "k0" not in entries and len(entries) <= 32


def test_caching_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("OSSA_LSP_CACHE_DIR", "")
    assert default_dir() is None
    cache = DiskCache("initialize", "build-1")
    assert cache.put("k", ANSWER) is False
    monkeypatch.setenv("OSSA_LSP_CACHE_DIR", str(tmp_path))
    assert default_dir() == Path(tmp_path)
    monkeypatch.delenv("OSSA_LSP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "ossa-lsp"


def test_the_build_stamp_changes_when_a_framework_file_changes(tmp_path):
    f = tmp_path / "types.py"
    f.write_text("a = 1\n")
    before = build_stamp([str(f)])
    assert build_stamp([str(f)]) == before
    f.write_text("a = 22\n")
    assert build_stamp([str(f)]) != before


def test_keys_do_not_depend_on_key_order():
    assert key_of({"a": 1, "b": [1, 2]}) == key_of({"b": [1, 2], "a": 1}) != key_of({"a": 2, "b": [1, 2]})


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs a read-only /proc")
def test_a_cache_dir_on_a_read_only_file_system_is_not_an_error():
    cache = DiskCache("initialize", "build-1", Path("/proc/self/ossa-lsp-cache"))
    assert cache.get("k") is None
    assert cache.put("k", ANSWER) is False
