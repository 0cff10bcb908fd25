"""The end of a session, over raw stdio: the exit status the LSP spec asks for, and log lines that
are not problems kept out of the editor's output channel."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.conftest import ENV, SERVER

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": None, "capabilities": {}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
EXIT = {"jsonrpc": "2.0", "method": "exit"}


def _frame(msg: dict[str, Any]) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _serve(messages: list[dict[str, Any]], stdin_kind: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    session = b"".join(_frame(m) for m in messages)
    if stdin_kind == "pipe":  # our own transport
        return subprocess.run(SERVER, input=session, capture_output=True, env=ENV, timeout=60)
    (tmp_path / "in").write_bytes(session)  # pygls' reader
    with open(tmp_path / "in", "rb") as fh:
        return subprocess.run(SERVER, stdin=fh, capture_output=True, env=ENV, timeout=60)


@pytest.mark.parametrize("stdin_kind", ["pipe", "file"])
def test_exit_after_shutdown_ends_with_status_0(stdin_kind, tmp_path):
    proc = _serve([INITIALIZE, INITIALIZED, SHUTDOWN, EXIT], stdin_kind, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b'"id": 2' in proc.stdout  # shutdown was answered


@pytest.mark.parametrize("stdin_kind", ["pipe", "file"])
def test_exit_without_shutdown_ends_with_status_1(stdin_kind, tmp_path):
    proc = _serve([INITIALIZE, INITIALIZED, EXIT], stdin_kind, tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert b"Traceback" not in proc.stderr  # requests still running when `exit` came are not errors


def test_cancelling_an_answered_request_is_not_logged_but_real_warnings_are(tmp_path):
    cancel = {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}}  # initialize: answered long ago
    unknown = {"jsonrpc": "2.0", "method": "custom/notAMethod", "params": {}}
    proc = _serve([INITIALIZE, INITIALIZED, cancel, unknown, SHUTDOWN, EXIT], "pipe", tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b"Cancel notification" not in proc.stderr
    assert b"custom/notAMethod" in proc.stderr  # pygls' own warnings still reach the log
