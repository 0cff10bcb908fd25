"""Hostile input, load and protocol misuse against the real server: it answers, never crashes."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_doc, diagnostics, open_doc, until, uri_for
from tests.lsp.test_completion_hover import BASE, complete, hover


async def test_huge_document_gets_a_limit_diagnostic_and_the_server_keeps_answering(client: LanguageClient):
    big = BASE + "".join(f"# filler line {i} " + "x" * 200 + "\n" for i in range(100_000))  # ~20 MB
    big_uri = open_doc(client, "huge.ossa.yaml", big)
    small_uri = open_doc(client, "small.ossa.yaml", BASE)
    start = time.perf_counter()
    assert "temperature" in await hover(client, small_uri, 9, 6)
    assert time.perf_counter() - start < 5
    diags = await diagnostics(client, big_uri, lambda d: len(d) > 0)
    assert [d.code for d in diags] == ["YAML006"]
    assert "limit" in diags[0].message


async def test_alias_bomb_is_bounded(client: LanguageClient):
    bomb = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata: {name: bomb}\nspec:\n  role: x\n" \
           "  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for i in range(1, 10):
        bomb += f"  l{i}: &l{i} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = f"l{i}"
    uri = open_doc(client, "bomb.ossa.yaml", bomb)
    diags = await asyncio.wait_for(diagnostics(client, uri, lambda d: len(d) > 0), timeout=20)
    assert "YAML003" in [d.code for d in diags]


async def test_binary_junk_is_a_clear_diagnostic(client: LanguageClient):
    uri = open_doc(client, "junk.ossa.yaml", "apiVersion: ossa/v0.2.2\n\x00\x01\x02\x03binary")
    [d] = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert d.code == "YAML005"


async def test_deep_nesting_is_bounded(client: LanguageClient):
    uri = open_doc(client, "deep.ossa.yaml", "apiVersion: ossa/v0.2.2\nspec: " + "[" * 5000 + "]" * 5000 + "\n")
    diags = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert "YAML006" in [d.code for d in diags]


async def test_change_to_a_document_never_opened_is_ignored(client: LanguageClient):
    change_doc(client, uri_for("never-opened.ossa.yaml"), "apiVersion: x\n", 2)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri_for("never-opened-2.ossa.yaml"))))
    uri = open_doc(client, "after-misuse.ossa.yaml", BASE)
    assert await diagnostics(client, uri) == []
    assert not [m for m in client.messages if m.type == types.MessageType.Error]


async def test_requests_for_unopened_documents_return_nothing(client: LanguageClient):
    uri = uri_for("not-open.ossa.yaml")
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0)))
    assert result is None
    assert await complete(client, uri, 0, 0) == []


async def test_unknown_method_is_method_not_found(client: LanguageClient):
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("ossa/doesNotExist", {})


async def test_cancelled_request_does_not_break_the_server(client: LanguageClient):
    uri = open_doc(client, "cancel.ossa.yaml", BASE)
    task = asyncio.ensure_future(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 6))))
    task.cancel()
    await asyncio.sleep(0.05)
    assert "temperature" in await hover(client, uri, 9, 6)


async def test_invalid_settings_fall_back_to_defaults_with_a_message(client: LanguageClient):
    client.set_configuration({"debounceMs": "soon", "maxFileSize": -4}, section="ossa")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await asyncio.sleep(0.1)
    uri = open_doc(client, "settings.ossa.yaml", BASE.replace("provider: openai", "provider: x"))
    assert len(await diagnostics(client, uri, lambda d: len(d) == 1)) == 1

    def told(field: str) -> bool:
        return any(field in m.message for m in client.messages)

    await until(lambda: told("ossa.debounceMs") and told("ossa.maxFileSize"))


async def test_disabling_the_server_clears_and_stops_diagnostics(client: LanguageClient):
    client.set_configuration({"enable": False}, section="ossa")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    probe = open_doc(client, "probe.ossa.yaml", BASE)
    deadline = asyncio.get_running_loop().time() + 10
    while await complete(client, probe, 7, 14):  # the new settings arrive asynchronously
        assert asyncio.get_running_loop().time() < deadline, "the server never took the setting"
        await asyncio.sleep(0.05)
    uri = open_doc(client, "disabled.ossa.yaml", BASE.replace("provider: openai", "provider: x"))
    if client.capabilities.text_document.diagnostic:
        assert await diagnostics(client, uri) == []
    else:
        await asyncio.sleep(0.3)
        assert list(client.diagnostics.get(uri, [])) == []
    assert await complete(client, uri, 7, 14) == []


def _frame(msg: dict) -> bytes:
    import json

    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize("stdin_kind", ["file", "devnull", "pipe"])
def test_stdin_that_is_a_file_dev_null_or_a_pipe_is_served_and_ends_cleanly(stdin_kind, tmp_path):
    import subprocess

    from tests.lsp.conftest import ENV, SERVER

    session = (_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"processId": None, "rootUri": None, "capabilities": {}}})
               + b"Content-Length: 9\r\n\r\nnot json!"  # garbage in between: logged, not fatal
               + _frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
               + _frame({"jsonrpc": "2.0", "method": "exit"}))
    if stdin_kind == "devnull":
        proc = subprocess.run(SERVER, stdin=subprocess.DEVNULL, capture_output=True, env=ENV, timeout=60)
        assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr
        return
    if stdin_kind == "file":
        (tmp_path / "in").write_bytes(session)
        with open(tmp_path / "in", "rb") as fh:
            proc = subprocess.run(SERVER, stdin=fh, capture_output=True, env=ENV, timeout=60)
    else:
        proc = subprocess.run(SERVER, input=session, capture_output=True, env=ENV, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b'"id": 1' in proc.stdout and b'"id": 2' in proc.stdout  # initialize and shutdown answered
    if stdin_kind == "pipe":  # our transport (pygls' own reader handles the file case)
        assert b"not valid JSON" in proc.stderr and b"Traceback" not in proc.stderr
