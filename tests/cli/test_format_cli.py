"""`ossa-lsp format`: in place, --check, --diff, stdin; refusals and exit statuses."""

from __future__ import annotations

import os

MESSY = "# agent\napiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n    name: a   # the name\nspec:\n    role: r\n"
# trailing comments keep their column (aligned comments stay aligned)
CLEAN = "# agent\napiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: a     # the name\nspec:\n  role: r\n"


def test_format_writes_in_place_and_a_second_run_has_nothing_to_do(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(MESSY)
    p.chmod(0o640)
    r = cli("format", ".")
    assert r.code == 0, r.err
    assert p.read_text() == CLEAN and (p.stat().st_mode & 0o777) == 0o640
    assert "Reformatted 1 file" in r.err
    again = cli("format", "--check", ".")
    assert again.code == 0 and "Would reformat 0 files" in again.err


def test_check_exits_1_and_writes_nothing(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(MESSY)
    r = cli("format", "--check", "a.ossa.yaml")
    assert r.code == 1 and "would reformat a.ossa.yaml" in r.err
    assert p.read_text() == MESSY


def test_diff_prints_a_unified_diff_and_exits_1(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(MESSY)
    r = cli("format", "--diff", "a.ossa.yaml")
    assert r.code == 1
    assert "--- a/a.ossa.yaml" in r.out and "-    name: a   # the name" in r.out and "+  name: a     # the name" in r.out
    assert p.read_text() == MESSY


def test_syntax_errors_refuse_the_file_and_exit_2_but_the_others_are_formatted(cli, tmp_path):
    bad = tmp_path / "bad.ossa.yaml"
    bad.write_text("apiVersion: ossa/v0.4.7\nmetadata:\n    name: [oops\n")
    good = tmp_path / "good.ossa.yaml"
    good.write_text(MESSY)
    r = cli("format", ".")
    assert r.code == 2
    assert "bad.ossa.yaml: the file has syntax errors (line" in r.err
    assert bad.read_text() == "apiVersion: ossa/v0.4.7\nmetadata:\n    name: [oops\n"
    assert good.read_text() == CLEAN


def test_symlink_is_followed_and_stays_a_link(cli, tmp_path):
    real = tmp_path / "real.ossa.yaml"
    real.write_text(MESSY)
    link = tmp_path / "link.ossa.yaml"
    link.symlink_to(real)
    r = cli("format", "link.ossa.yaml")
    assert r.code == 0, r.err
    assert os.path.islink(link) and real.read_text() == CLEAN


def test_crlf_and_bom_survive_in_place(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + MESSY.replace("\n", "\r\n").encode())
    assert cli("format", "a.ossa.yaml").code == 0
    assert p.read_bytes() == b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode()


def test_stdin_to_stdout_and_json_by_name(cli):
    r = cli("format", "-", stdin=MESSY.encode())
    assert r.code == 0 and r.out == CLEAN
    j = cli("format", "-", "--stdin-filename", "a.json", stdin=b'{"apiVersion": "ossa/v0.4.7", "kind": "Agent"}')
    assert j.out == '{\n  "apiVersion": "ossa/v0.4.7",\n  "kind": "Agent"\n}\n'


def test_canonical_order_flag(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text("kind: Agent\nspec:\n  role: r\napiVersion: ossa/v0.4.7\nmetadata:\n  name: a\n")
    assert cli("format", "--canonical-order", "a.ossa.yaml").code == 0
    assert p.read_text() == "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: a\nspec:\n  role: r\n"


def test_nothing_to_format_exits_3_and_a_missing_path_2(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    assert cli("format", "empty").code == 3
    assert cli("format", "nope.yaml").code == 2


def test_a_fifo_is_not_read(cli, tmp_path):
    os.mkfifo(tmp_path / "pipe.ossa.yaml")
    r = cli("format", "pipe.ossa.yaml", timeout=30)
    assert r.code == 2 and "not a regular file" in r.err
