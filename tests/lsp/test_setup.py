"""Transports, settings that change behaviour, lspbench's fixture, and memory after closing documents."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.conftest import ROOT
from tests.lsp.conftest import ENV, SERVER, accept_registrations, diagnostics, open_doc, until
from tests.lsp.test_completion_hover import BASE, complete

LSPBENCH = ROOT.parent / "shared" / "tools" / "lspbench" / "fixtures"


async def test_lspbench_invalid_fixture_has_all_nine_errors_and_six_providers(client: LanguageClient):
    if not LSPBENCH.is_dir():
        pytest.skip("lspbench fixtures not available")
    expect = json.loads((LSPBENCH / "expect.json").read_text())
    text = (LSPBENCH / "agent-invalid.ossa.yaml").read_text()
    uri = open_doc(client, "bench-invalid.ossa.yaml", text)
    diags = await diagnostics(client, uri, lambda d: len(d) >= 9)
    errors = {d.range.start.line for d in diags if d.severity == types.DiagnosticSeverity.Error}
    assert sorted(errors) == sorted(e["line"] for e in expect["invalid_errors"])  # (an info note may be beside them)
    assert not [d for d in diags if d.severity == types.DiagnosticSeverity.Warning]
    valid = (LSPBENCH / "agent.ossa.yaml").read_text().replace("provider: openai", "provider: ")
    line = valid.splitlines().index("    provider: ")
    vuri = open_doc(client, "bench-valid.ossa.yaml", valid)
    labels = [i.label for i in await complete(client, vuri, line, 14)]
    assert sorted(labels) == sorted(["openai", "anthropic", "google", "azure", "ollama", "custom"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_tcp_transport_serves_a_client():
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "serve", "--tcp", f"127.0.0.1:{port}"], env=ENV, stderr=subprocess.PIPE)
    try:
        client = PyglsClient("tcp-test", "1")
        for _ in range(100):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        result = await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        assert result.server_info is not None and result.server_info.name == "ossa-lsp"
        assert result.capabilities.hover_provider
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        proc.wait(timeout=10) if proc.poll() is None else None
        if proc.poll() is None:
            proc.kill()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def configured(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ws")
    (root / "robot.schema.json").write_text(json.dumps(
        {"type": "object", "properties": {"kind": {"enum": ["Robot"], "description": "Robots only."}}}))
    lsp_client.set_configuration({"schemas": {"**/legacy/*.yaml": "robot.schema.json"},
                                  "extraFiles": ["**/agents/*.yml"], "debounceMs": 10}, section="ossa")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_schema_setting_overrides_the_schema_per_glob(configured: LanguageClient):
    root: Path = configured.root  # type: ignore[attr-defined]
    uri = (root / "legacy" / "a.yaml").as_uri()
    configured.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text="apiVersion: ossa/v0.2.2\nkind: Agent\n")))
    await until(lambda: len(configured.diagnostics.get(uri, [])) == 1)
    [d] = configured.diagnostics[uri]
    assert d.code == "SCHEMA004" and "Robot" in d.message


async def test_extra_files_setting_treats_plain_yaml_as_ossa(configured: LanguageClient):
    root: Path = configured.root  # type: ignore[attr-defined]
    uri = (root / "agents" / "x.yml").as_uri()
    configured.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text="kind: Agent\n")))
    await until(lambda: len(configured.diagnostics.get(uri, [])) == 1)
    assert configured.diagnostics[uri][0].code == "SCHEMA011"  # no apiVersion: says which versions exist


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_memory_returns_after_documents_are_closed(vscode: LanguageClient):
    pid = vscode._server.pid  # type: ignore[union-attr]
    big = BASE + "".join(f"    - type: http\n      name: t{i}\n      endpoint: https://x/{i}\n" for i in range(400))

    async def cycle(tag: str) -> None:
        uris = [open_doc(vscode, f"mem-{tag}-{i}.ossa.yaml", big) for i in range(40)]
        await until(lambda: all(u in vscode.diagnostics for u in uris), timeout=60)
        for u in uris:
            vscode.text_document_did_close(types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=u)))
        await until(lambda: all(list(vscode.diagnostics[u]) == [] for u in uris), timeout=30)

    await cycle("warm")  # the first cycles load rules and schemas lazily
    await cycle("warm2")
    after_first = _rss_kib(pid)
    for n in range(4):
        await cycle(f"more{n}")
    after_more = _rss_kib(pid)
    # < 16 MiB over 160 more files, i.e. < 100 KiB per file: each file's text alone is ~45 KiB and its
    # analysis several times that, so keeping any of them fails; allocator noise under load stays below
    assert after_more - after_first < 16 * 1024, (after_first, after_more)


def test_stdio_flag_from_editor_clients_is_accepted():
    proc = subprocess.run([*SERVER, "--stdio", "--help"], capture_output=True, env=ENV, timeout=30)
    assert proc.returncode == 0 and b"--tcp" in proc.stdout
    assert os.path.exists(sys.executable)
