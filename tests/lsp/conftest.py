"""pytest-lsp fixtures: the real server subprocess, driven as VS Code (push, UTF-16) and Neovim
(pull, UTF-8) drive it."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ossa_lsp"]
# The server's start-up cache (lsp/runtime/diskcache.py) goes to a folder of this test session, not the user's.
CACHE_DIR = tempfile.mkdtemp(prefix="ossa-lsp-test-cache-")
atexit.register(shutil.rmtree, CACHE_DIR, True)
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OSSA_LSP_CACHE_DIR": CACHE_DIR}
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def accept_registrations(client: LanguageClient) -> list[types.Registration]:
    """Answer client/registerCapability as editors do (pytest-lsp's client has no handler for it)."""
    seen: list[types.Registration] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        seen.extend(params.registrations)

    client.registrations = seen  # type: ignore[attr-defined]
    return seen


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=SERVER, server_env=ENV),
)
async def client(request: Any, lsp_client: LanguageClient):
    lsp_client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(lsp_client)
    params = types.InitializeParams(capabilities=client_capabilities(request.param),
                                    root_uri=FIXTURES.as_uri(), workspace_folders=None)
    result = await lsp_client.initialize_session(params)
    lsp_client.position_encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def vscode(lsp_client: LanguageClient):
    """Only VS Code's capabilities (push diagnostics): for tests about publishing itself."""
    lsp_client.set_configuration({"debounceMs": 30}, section="ossa")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


def uri_for(name: str) -> str:
    return (Path("/tmp/ossa-lsp-tests") / name).as_uri()


def open_doc(client: LanguageClient, name: str, text: str, version: int = 1, language: str = "yaml") -> str:
    uri = uri_for(name)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))
    return uri


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def is_pull(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic)


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def _no_hints(items: Sequence[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in items if d.severity != types.DiagnosticSeverity.Hint]


async def diagnostics(client: LanguageClient, uri: str,
                      ready: Callable[[Sequence[types.Diagnostic]], bool] | None = None,
                      hints: bool = False) -> list[types.Diagnostic]:
    """The diagnostics the user sees for `uri`: pulled (Neovim) or the latest pushed ones (VS Code).
    Hints (e.g. "a newer OSSA version exists") are left out unless asked for."""
    keep = (lambda d: list(d)) if hints else _no_hints
    check = ready
    ready = (lambda d: check(keep(d))) if check is not None else None
    return keep(await _diagnostics(client, uri, ready))


async def _diagnostics(client: LanguageClient, uri: str,
                       ready: Callable[[Sequence[types.Diagnostic]], bool] | None = None) -> list[types.Diagnostic]:
    if is_pull(client):
        async def pull() -> list[types.Diagnostic]:
            report = await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            return list(report.items)

        items = await pull()
        deadline = asyncio.get_running_loop().time() + 10
        while ready is not None and not ready(items):
            assert asyncio.get_running_loop().time() < deadline, "diagnostics never reached the expected state"
            await asyncio.sleep(0.02)
            items = await pull()
        return items
    await until(lambda: uri in client.diagnostics and (ready is None or ready(client.diagnostics[uri])))
    return list(client.diagnostics[uri])


def covered_text(text: str, rng: types.Range, encoding: str) -> str:
    """The text a range covers, reading its columns in the client's encoding."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        line = lines[pos.line]
        if encoding == "utf-8":
            return len(line.encode("utf-8")[: pos.character].decode("utf-8", "ignore"))
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return i
            units += 2 if ord(ch) > 0xFFFF else 1
        return len(line)

    assert rng.start.line == rng.end.line, "multi-line ranges are not expected here"
    return lines[rng.start.line][offset(rng.start): offset(rng.end)]


def encoding_of(client: LanguageClient) -> str:
    """The position encoding the server chose at initialize."""
    return str(getattr(client, "position_encoding", "utf-16"))
