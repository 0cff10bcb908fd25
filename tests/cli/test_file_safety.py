"""What `check`, `check --fix`, `migrate` and `graph` do with files that are not what they seem: FIFOs,
devices, huge and unreadable files and folders, symlinks, hard links, read-only files — and with paths
that hold nothing to check."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from tests.cli.test_check import BAD, GOOD, no_hints, write

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files: FIFOs, links, permission bits")

FIXABLE = BAD  # `provider: open-ai` has a safe fix (`openai`)
FIXED = BAD.replace("provider: open-ai", "provider: openai")


def codes(out: str) -> dict[str, list[str]]:
    return {f["path"]: [x["code"] for x in no_hints(f["findings"])] for f in json.loads(out)["files"]}


# --- only regular files are read -------------------------------------------------------------------


@posix_only
def test_a_fifo_named_on_the_command_line_is_an_io_error_not_a_hang(cli, tmp_path):
    os.mkfifo(tmp_path / "x.ossa.yaml")
    write(tmp_path, "bad.ossa.yaml", BAD)
    r = cli("check", "x.ossa.yaml", "bad.ossa.yaml", timeout=60)
    assert r.code == 2 and "Traceback" not in r.err
    assert "x.ossa.yaml: error IO is a FIFO (named pipe), not a regular file" in r.out
    assert "bad.ossa.yaml:8:15: error SCHEMA004" in r.out


@posix_only
def test_a_fifo_met_while_walking_is_not_read_and_not_a_failure(cli, tmp_path):
    write(tmp_path, "m/good.ossa.yaml", GOOD)
    os.mkfifo(tmp_path / "m" / "x.ossa.yaml")
    r = cli("check", "-f", "json", "m", timeout=60)
    assert r.code == 0 and "Traceback" not in r.err
    assert codes(r.out) == {"m/good.ossa.yaml": []}  # skipped: not even a warning


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_as_a_device(cli):
    r = cli("check", "/dev/zero", timeout=60)
    assert r.code == 2 and "Traceback" not in r.err
    assert "/dev/zero: error IO is a character device, not a regular file" in r.out


@posix_only
def test_a_schema_option_naming_a_fifo_or_a_device_is_a_usage_error_not_a_hang(cli, tmp_path):
    os.mkfifo(tmp_path / "s.json")
    write(tmp_path, "a.ossa.yaml", GOOD)
    r = cli("check", "--schema", "s.json", "a.ossa.yaml", timeout=60)
    assert r.code == 2 and r.err == ("ossa-lsp: cannot read schema file s.json: is a FIFO (named pipe), "
                                     "not a regular file; only regular files are read\n")
    if os.path.exists("/dev/zero"):
        assert "is a character device" in cli("check", "--schema", "/dev/zero", "a.ossa.yaml", timeout=60).err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_stdin_is_cut_at_the_size_limit(cli):
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "ossa_lsp", "check", "-f", "json", "-"], stdin=zero,
                              capture_output=True, timeout=60)
    [finding] = json.loads(proc.stdout)["files"][0]["findings"]
    assert finding["code"] == "YAML006" and finding["message"] == (
        "File is over the 10 MB analysis limit; not analysed")


def test_a_sparse_three_gigabyte_manifest_is_a_finding_not_a_memory_error(cli, tmp_path):
    with (tmp_path / "big.ossa.yaml").open("wb") as fh:
        fh.truncate(3 * 1024**3)
    write(tmp_path, "bad.ossa.yaml", BAD)
    r = cli("check", "-f", "json", "big.ossa.yaml", "bad.ossa.yaml", timeout=60)
    assert "Traceback" not in r.err and "MemoryError" not in r.err
    files = {f["path"]: f for f in json.loads(r.out)["files"]}
    [finding] = files["big.ossa.yaml"]["findings"]
    assert finding["code"] == "YAML006" and "3221.2 MB, over the 10 MB analysis limit" in finding["message"]
    assert "SCHEMA004" in [f["code"] for f in files["bad.ossa.yaml"]["findings"]]


# --- unreadable files and folders ------------------------------------------------------------------


@posix_only
def test_an_unreadable_file_met_while_walking_is_a_warning(cli, tmp_path):
    secret = write(tmp_path, "repo/secret.ossa.yaml", GOOD)
    write(tmp_path, "repo/good.ossa.yaml", GOOD)
    secret.chmod(0)
    try:
        r = cli("check", "-f", "json", "repo", unprivileged=True)
    finally:
        secret.chmod(0o644)
    assert r.code == 0, r.out
    found = {f["path"]: f for f in json.loads(r.out)["files"]}
    [warning] = found["repo/secret.ossa.yaml"]["findings"]
    assert (warning["severity"], warning["message"]) == ("warning", "cannot read: Permission denied")
    assert no_hints(found["repo/good.ossa.yaml"]["findings"]) == []


@posix_only
def test_an_unreadable_folder_met_while_walking_is_a_warning_and_the_rest_is_checked(cli, tmp_path):
    write(tmp_path, "repo/lost+found/a.ossa.yaml", GOOD)
    write(tmp_path, "repo/bad.ossa.yaml", BAD)
    locked = tmp_path / "repo" / "lost+found"
    locked.chmod(0)
    try:
        r = cli("check", "repo", unprivileged=True)
    finally:
        locked.chmod(0o755)
    assert "Traceback" not in r.err
    assert "repo/bad.ossa.yaml:8:15: error SCHEMA004" in r.out
    assert "repo/lost+found" in r.out and "Permission denied" in r.out
    assert r.code == 1  # the findings decide, not the folder nobody named


@posix_only
def test_an_unreadable_folder_the_user_named_is_exit_two(cli, tmp_path):
    write(tmp_path, "locked/a.ossa.yaml", GOOD)
    (tmp_path / "locked").chmod(0)
    try:
        r = cli("check", "locked", unprivileged=True)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert r.code == 2 and "Traceback" not in r.err
    assert "locked" in r.out and "Permission denied" in r.out



# --- --fix through links, and files it must not write ----------------------------------------------


@posix_only
def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(cli, tmp_path):
    target = write(tmp_path, "shared/agent.ossa.yaml", FIXABLE)
    link = tmp_path / "app" / "agent.ossa.yaml"
    link.parent.mkdir()
    link.symlink_to("../shared/agent.ossa.yaml")
    r = cli("check", "--fix", "app/agent.ossa.yaml")
    assert link.is_symlink() and os.readlink(link) == "../shared/agent.ossa.yaml"
    assert target.read_text() == FIXED
    assert "fixed SCHEMA004" in r.err and "Fixed 1 problem" in r.err and r.code == 0, r.out
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".ossa-lsp-tmp")]


@posix_only
def test_fix_keeps_hard_links(cli, tmp_path):
    one = write(tmp_path, "one.ossa.yaml", FIXABLE)
    other = tmp_path / "elsewhere.yaml"
    os.link(one, other)
    r = cli("check", "--fix", "one.ossa.yaml")
    assert r.code == 0, r.out
    assert other.read_text() == FIXED and one.stat().st_ino == other.stat().st_ino
    assert one.stat().st_nlink == 2


@posix_only
def test_fix_refuses_a_read_only_file_and_does_not_claim_it_fixed(cli, tmp_path):
    p = write(tmp_path, "ro.ossa.yaml", FIXABLE)
    p.chmod(0o444)
    r = cli("check", "--fix", "ro.ossa.yaml")
    assert p.read_text() == FIXABLE and stat.S_IMODE(p.stat().st_mode) == 0o444
    assert "ro.ossa.yaml: not fixed: the file is read-only (no write permission)" in r.err
    assert "fixed SCHEMA004" not in r.err and "Fixed 0 problems" in r.err
    assert "ro.ossa.yaml:8:15: error SCHEMA004" in r.out  # still reported: it was not fixed
    assert r.code == 2


@posix_only
def test_migrate_writes_through_a_symlink_too(cli, tmp_path):
    target = write(tmp_path, "real/a.ossa.yaml", GOOD)
    (tmp_path / "a.ossa.yaml").symlink_to("real/a.ossa.yaml")
    r = cli("migrate", "--to", "newest", "a.ossa.yaml")
    assert "Traceback" not in r.err
    assert (tmp_path / "a.ossa.yaml").is_symlink()
    assert "apiVersion: ossa/v0.2.2" not in target.read_text() and "name: good-agent" in target.read_text()


# --- nothing to do ---------------------------------------------------------------------------------


def test_check_on_a_folder_without_manifests_warns_and_exits_three(cli, tmp_path):
    write(tmp_path, "docs/readme.yaml", "title: not a manifest\n")
    r = cli("check", "docs")
    assert r.code == 3
    assert r.err == ("ossa-lsp: warning: no manifests found in docs; nothing was checked "
                     "(--allow-no-manifests accepts that)\n")
    assert r.out == "Checked 0 files: 0 errors, 0 warnings.\n"
    allowed = cli("check", "--allow-no-manifests", "-f", "json", "docs")
    assert allowed.code == 0 and allowed.err == "" and json.loads(allowed.out)["files"] == []


def test_graph_without_agents_warns_and_exits_three(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("graph", "empty")
    assert r.code == 3 and "no agents found in empty" in r.err and r.out == "flowchart LR\n"
    assert cli("graph", "--allow-no-agents", "empty").code == 0


def test_unsafe_fixes_without_fix_or_diff_warns(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", GOOD)
    r = cli("check", "--unsafe-fixes", "a.ossa.yaml")
    assert r.code == 0 and r.err == "ossa-lsp: warning: --unsafe-fixes does nothing without --fix or --diff\n"
    assert cli("check", "--fix", "--unsafe-fixes", "a.ossa.yaml").err.count("warning") == 0


def test_diff_reports_a_missing_path_and_exits_two(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", FIXABLE)
    r = cli("check", "--diff", "a.ossa.yaml", "nope.ossa.yaml")
    assert r.code == 2 and "ossa-lsp: nope.ossa.yaml: no such file or directory" in r.err
    assert "+    provider: openai" in r.out
