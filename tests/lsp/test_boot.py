"""The start-up lane (lsp/runtime/boot.py), driven over raw stdio like an editor that sends its first
messages at once: what it answers before the framework has loaded is what the server itself answers, and
nothing is lost, answered twice or left behind when the server takes over."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.conftest import ENV, SERVER

MANIFEST = """\
apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: café-bot
  description: "Ünïcode 😀 text"
spec:
  role: Answers questions.
  llm:
    provider: "😀not-a-provider"
    model: gpt-4o
    temperature: 9
  tools:
    - type: http
      name: lookup
      endpoint: http://orders-agent:8080/api
"""
VSCODE = {"workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
          "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                           "publishDiagnostics": {"versionSupport": True}},
          "general": {"positionEncodings": ["utf-16"]}}
NEOVIM_UTF8 = {"workspace": {"configuration": True}, "textDocument": {"diagnostic": {}},
               "general": {"positionEncodings": ["utf-8", "utf-16"]}}
WAIT_S = 60
BOOT_CONFIG = "ossa-lsp/boot/configuration"  # the id of the start-up lane's own settings request


class Session:
    """A raw stdio LSP client: sends framed JSON, answers the server's requests, records every message."""

    def __init__(self, env: dict[str, str], settings: dict[str, Any] | None = None) -> None:
        self.proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.settings = settings if settings is not None else {"debounceMs": 10}
        self.buffer = b""
        self.seen: list[dict[str, Any]] = []

    def send(self, *messages: dict[str, Any]) -> None:
        data = b""
        for m in messages:
            body = json.dumps(m).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # the server already exited
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def _read_one(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                length = int(self.buffer[:end].split(b"\r\n")[0].split(b":")[1])
                if len(self.buffer) >= end + 4 + length:
                    body = self.buffer[end + 4:end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length:]
                    return json.loads(body)
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"no message from the server; seen {self.seen}")
            self.buffer += chunk

    def until(self, pred: Any, wait_s: float = WAIT_S) -> dict[str, Any]:
        deadline = time.monotonic() + wait_s
        while True:
            msg = self._read_one(deadline)
            self.seen.append(msg)
            method = msg.get("method")
            if method == "workspace/configuration" and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": [self.settings]})
            elif method is not None and "id" in msg:  # registerCapability, progress: accepted
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            if pred(msg):
                return msg

    def settle(self, uri: str) -> None:
        """Wait until the server proper has read the settings (its own workspace/configuration request,
        not the start-up lane's) and handled everything sent so far (a request the lane never answers is
        answered after them), then until it has been quiet for a while."""
        if not any(m.get("method") == "workspace/configuration" and m["id"] != BOOT_CONFIG for m in self.seen):
            self.until(lambda m: m.get("method") == "workspace/configuration" and m["id"] != BOOT_CONFIG)
        self.send({"jsonrpc": "2.0", "id": 500, "method": "textDocument/documentSymbol",
                   "params": {"textDocument": {"uri": uri}}})
        self.until(lambda m: m.get("id") == 500)
        self.quiet_for(1.0)

    def quiet_for(self, seconds: float) -> None:
        """Read (and answer) whatever comes until nothing has come for `seconds`."""
        try:
            while True:
                self.until(lambda m: True, wait_s=seconds)
        except AssertionError:
            pass

    def close(self) -> int:
        self.send({"jsonrpc": "2.0", "id": 999, "method": "shutdown"})
        self.until(lambda m: m.get("id") == 999)
        self.send({"jsonrpc": "2.0", "method": "exit"})
        status = self.proc.wait(WAIT_S)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return status

    def publishes(self, uri: str) -> list[list[dict[str, Any]]]:
        return [m["params"]["diagnostics"] for m in self.seen
                if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]


def _initialize(caps: dict[str, Any], root: Path, options: Any = None) -> dict[str, Any]:
    params: dict[str, Any] = {"processId": None, "rootUri": root.as_uri(), "capabilities": caps}
    if options is not None:
        params["initializationOptions"] = options
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}


def _open(uri: str, text: str, version: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}}


INITIALIZED = {"jsonrpc": "2.0", "method": "initialized", "params": {}}


def _local(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without the findings of cross-file rules (they need the workspace index)."""
    import ossa_lsp.core.rules  # noqa: F401  (declares every rule)
    from ossa_lsp.core.rules.registry import RULES

    cross_file = {code for code, r in RULES.items() if r.workspace}
    return [d for d in diagnostics if d["code"] not in cross_file]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**ENV, "OSSA_LSP_CACHE_DIR": str(tmp_path / "cache")}


def _warm(env: dict[str, str], caps: dict[str, Any], root: Path, options: Any = None) -> dict[str, Any]:
    """One session, so the next start of this build finds its `initialize` answer on disk."""
    s = Session(env)
    s.send(_initialize(caps, root, options))
    answer = s.until(lambda m: m.get("id") == 1)
    assert s.close() == 0
    return answer


def _first_session(env: dict[str, str], root: Path, uri: str, text: str, settings: Any = None) -> Session:
    s = Session(env, settings)
    s.send(_initialize(VSCODE, root), INITIALIZED, _open(uri, text))  # all at once, as editors do
    s.until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    s.settle(uri)
    return s


def test_the_first_start_caches_the_initialize_answer_and_the_next_start_answers_the_same(env, tmp_path):
    first = _warm(env, VSCODE, tmp_path)
    assert (tmp_path / "cache" / "initialize.json").is_file()
    assert _warm(env, VSCODE, tmp_path) == first  # from the cache this time
    other = _warm(env, NEOVIM_UTF8, tmp_path)  # another client's capabilities: its own answer
    assert other["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert first["result"]["capabilities"]["positionEncoding"] == "utf-16"


def test_the_lanes_diagnostics_are_the_servers_and_cross_file_ones_follow(env, tmp_path):
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    reference = _first_session({**env, "OSSA_LSP_NO_BOOT": "1"}, tmp_path, uri, MANIFEST)
    assert reference.close() == 0
    expected = reference.publishes(uri)[-1]
    assert {d["code"] for d in expected} >= {"SCHEMA004", "SCHEMA005", "SCHEMA006", "MESH003"}

    _warm(env, VSCODE, tmp_path)
    s = _first_session(env, tmp_path, uri, MANIFEST)
    assert s.close() == 0
    shown = s.publishes(uri)
    assert shown[0] == _local(expected)  # the lane's: ranges in UTF-16 past the emoji, links, data, all equal
    assert shown[-1] == expected  # then the server's, with the workspace's findings
    assert all(a != b for a, b in itertools.pairwise(shown))  # never the same diagnostics twice


def test_requests_sent_before_the_server_is_ready_get_the_servers_answers(env, tmp_path):
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    hover = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover",
             "params": {"textDocument": {"uri": uri}, "position": {"line": 10, "character": 6}}}
    symbols = {"jsonrpc": "2.0", "id": 8, "method": "textDocument/documentSymbol",
               "params": {"textDocument": {"uri": uri}}}
    answers = {}
    for mode, extra in (("reference", {"OSSA_LSP_NO_BOOT": "1"}), ("lane", {})):
        _warm(env, VSCODE, tmp_path)
        s = Session({**env, **extra})
        s.send(_initialize(VSCODE, tmp_path), INITIALIZED, _open(uri, MANIFEST), hover, symbols)
        answers[mode] = (s.until(lambda m: m.get("id") == 7)["result"], s.until(lambda m: m.get("id") == 8)["result"])
        assert s.close() == 0
        assert [m.get("id") for m in s.seen].count(1) == 1  # initialize was answered once
    assert answers["lane"] == answers["reference"]
    assert "temperature" in answers["lane"][0]["contents"]["value"]


def test_closing_a_document_clears_what_the_lane_showed(env, tmp_path):
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    _warm(env, VSCODE, tmp_path)
    s = _first_session(env, tmp_path, uri, MANIFEST)
    s.send({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    s.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["diagnostics"] == [])
    assert s.close() == 0


def _session(env: dict[str, str], root: Path, uri: str, settings: Any) -> Session:
    s = Session(env, settings)
    s.send(_initialize(VSCODE, root), INITIALIZED, _open(uri, MANIFEST))
    s.settle(uri)
    assert s.close() == 0
    return s


@pytest.mark.parametrize("settings, lane_reads_them", [
    ({"enable": False}, True),  # not analysed at all
    ({"profile": "strict", "debounceMs": 10}, True),  # plain settings: the lane reads them
    ({"maxFileSize": "big", "profile": "strict"}, False),  # a value to correct: the server's settings model decides
])
def test_the_clients_settings_decide_the_first_diagnostics_too(env, tmp_path, settings, lane_reads_them):
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    expected = _session({**env, "OSSA_LSP_NO_BOOT": "1"}, tmp_path, uri, settings).publishes(uri)
    _warm(env, VSCODE, tmp_path)
    shown = _session(env, tmp_path, uri, settings).publishes(uri)
    if settings.get("enable") is False:
        assert shown == expected == []
        return
    assert shown[-1] == expected[-1]
    assert {"META002", "SCHEMA005"} <= {d["code"] for d in shown[-1]}  # strict: a policy warning among them
    assert shown[0] == (_local(expected[-1]) if lane_reads_them else expected[-1])


def test_pull_clients_ask_and_get_the_servers_report(env, tmp_path):
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    _warm(env, NEOVIM_UTF8, tmp_path)
    s = Session(env)
    pull = {"jsonrpc": "2.0", "id": 5, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}}
    s.send(_initialize(NEOVIM_UTF8, tmp_path), INITIALIZED, _open(uri, MANIFEST), pull)
    report = s.until(lambda m: m.get("id") == 5)["result"]
    assert s.close() == 0
    assert s.publishes(uri) == []  # nothing pushed to a client that pulls
    name = next(d for d in report["items"] if d["code"] == "SCHEMA005")
    assert name["range"]["start"] == {"line": 3, "character": 8}
    provider = next(d for d in report["items"] if d["code"] == "SCHEMA004")
    assert provider["range"]["start"]["character"] == 14 and provider["range"]["end"]["character"] > 14 + 16


def test_shutdown_and_exit_before_the_server_loaded_end_cleanly(env, tmp_path):
    _warm(env, VSCODE, tmp_path)
    s = Session(env)
    s.send(_initialize(VSCODE, tmp_path), INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
           {"jsonrpc": "2.0", "method": "exit"})
    assert s.proc.wait(WAIT_S) == 0
    s.until(lambda m: m.get("id") == 2)
    assert [m.get("id") for m in s.seen if "method" not in m] == [1, 2]


def test_exit_without_shutdown_before_the_server_loaded_ends_with_1(env, tmp_path):
    _warm(env, VSCODE, tmp_path)
    s = Session(env)
    s.send(_initialize(VSCODE, tmp_path), INITIALIZED, {"jsonrpc": "2.0", "method": "exit"})
    assert s.proc.wait(WAIT_S) == 1


def test_a_corrupt_cache_only_costs_time(env, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "initialize.json").write_bytes(b"\x00garbage{")
    uri = (tmp_path / "bot.ossa.yaml").as_uri()
    s = _first_session(env, tmp_path, uri, MANIFEST)
    assert s.close() == 0
    assert {d["code"] for d in s.publishes(uri)[-1]} >= {"SCHEMA004", "MESH003"}
    assert json.loads((tmp_path / "cache" / "initialize.json").read_text())["entries"]  # rebuilt
