"""`check --fix`, `--unsafe-fixes`, `--diff`: what lands on disk, and what never does."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from ossa_lsp.core.config.load import resolve_policy
from ossa_lsp.headless import fix as fixer

BROKEN = """# Billing agent, owned by the payments team.
apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: Billing_Agent   # renamed later
spec:
  role: Answers invoices.
  llm:
    provider: 'OpenAI'
    model: gpt-4o
    temprature: 0.2
  constraints:
    cost:
      currency: usd
"""


def test_fix_applies_safe_fixes_keeps_everything_else_and_is_idempotent(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(BROKEN)
    p.chmod(0o640)
    r = cli("check", "--fix", "a.ossa.yaml")
    after = p.read_text()
    assert after == BROKEN.replace("'OpenAI'", "'openai'").replace("currency: usd", "currency: USD")
    assert "fixed SCHEMA004 at /spec/llm/provider" in r.err and "Fixed 2 problems" in r.err
    assert "SCHEMA005" in r.out and "SCHEMA001" in r.out  # what remains is reported
    assert r.code == 1
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    again = cli("check", "--fix", "a.ossa.yaml")
    assert p.read_text() == after and "Fixed 0 problems" in again.err
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".ossa-lsp-tmp")]


def test_unsafe_fixes_need_the_flag(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(BROKEN)
    r = cli("check", "--fix", "--unsafe-fixes", "a.ossa.yaml")
    assert "name: billing-agent   # renamed later" in p.read_text()
    assert "temperature: 0.2" in p.read_text()
    assert r.code == 0, r.out


def test_diff_prints_and_writes_nothing(cli, tmp_path):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(BROKEN)
    r = cli("check", "--diff", "a.ossa.yaml")
    assert p.read_text() == BROKEN
    assert "-      currency: usd\n+      currency: USD\n" in r.out
    assert r.out.startswith("--- a/a.ossa.yaml\n+++ b/a.ossa.yaml\n")


def test_bom_and_crlf_survive(cli, tmp_path):
    p = tmp_path / "w.ossa.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + BROKEN.replace("\n", "\r\n").encode())
    cli("check", "--fix", "w.ossa.yaml")
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"currency: USD\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_files_with_syntax_errors_are_never_modified(cli, tmp_path):
    p = tmp_path / "s.ossa.yaml"
    text = BROKEN + "  tools: [unclosed\n"
    p.write_text(text)
    r = cli("check", "--fix", "--unsafe-fixes", "s.ossa.yaml")
    assert p.read_text() == text
    assert "not fixed: the file has syntax errors" in r.err


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_an_interrupted_write_leaves_the_original_intact(tmp_path, monkeypatch, failing):
    p = tmp_path / "a.ossa.yaml"
    p.write_text(BROKEN)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)
    policy, _ = resolve_policy(str(p), no_config=True)
    out = fixer.fix_file(str(p), "a.ossa.yaml", policy, unsafe=True, diff_only=False)
    assert out.error is not None and "No space left" in out.error and out.applied == []
    assert p.read_text() == BROKEN
    assert [x.name for x in tmp_path.iterdir()] == ["a.ossa.yaml"]


