"""Code lenses over LSP: "called by N agents · calls M" above each agent's name (the click shows the
calling endpoints), "→ callee (timeout N s)" above each tool that calls an agent, kept current (and a
refresh asked for) when other files change."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp import mesh
from tests.lsp.conftest import ENV, SERVER, encoding_of, until


@pytest_lsp.fixture(params=["visual-studio-code", "neovim"],
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws(request: Any, lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    await mesh.start(lsp_client, request.param, tmp_path_factory.mktemp("lens") / "ws")
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path) -> str:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id="json" if path.suffix == ".json" else "yaml", version=1,
        text=path.read_text("utf-8"))))
    return path.as_uri()


async def _lenses(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    return list(await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri))) or [])


def _titles(lenses: list[types.CodeLens]) -> list[tuple[int, str]]:
    return [(lens.range.start.line, lens.command.title if lens.command else "") for lens in lenses]


async def test_agent_lens_counts_callers_and_shows_them(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"])
    [lens] = await _lenses(ws, uri)
    assert lens.range.start.line == mesh.line_of(mesh.WORKER, "name:")
    assert lens.command is not None and lens.command.title == "called by 3 agents · calls 0"
    assert lens.command.command == "ossa.showReferences"
    target_uri, position, locations = lens.command.arguments  # type: ignore[misc]
    assert target_uri == uri and position == {"line": lens.range.start.line, "character": lens.range.start.character}
    assert sorted((Path(loc["uri"]).name, loc["range"]["start"]["line"]) for loc in locations) == sorted([
        ("caller.ossa.yaml", mesh.line_of(mesh.CALLER, "http://worker-a:8080")),
        ("caller.ossa.yaml", mesh.line_of(mesh.CALLER, "https://worker-a.team")),
        ("json-caller.ossa.json", mesh.line_of(mesh.JSON_CALLER, "worker-a.team/go")),
        ("other.ossa.yaml", mesh.line_of(mesh.OTHER, "worker-a/callback")),
    ])
    json_loc = next(loc for loc in locations if loc["uri"].endswith(".json"))
    line = mesh.JSON_CALLER.split("\n")[json_loc["range"]["start"]["line"]]  # a closed file, after a non-BMP char
    start = mesh.column(line, json_loc["range"]["start"]["character"], encoding_of(ws))
    assert line[start:].startswith('"http://worker-a.team/go"')


async def test_tool_lenses_name_the_callee_and_its_timeout(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["caller"])
    assert _titles(await _lenses(ws, uri)) == [
        (mesh.line_of(mesh.CALLER, "name: boss"), "called by 0 agents · calls 2"),
        (mesh.line_of(mesh.CALLER, "name: plain") - 1, "→ worker-a (timeout 60 s)"),
        (mesh.line_of(mesh.CALLER, "name: namespaced") - 1, "→ worker-a (timeout 60 s)"),
        (mesh.line_of(mesh.CALLER, "name: other") - 1, "→ worker-b"),
    ]  # the outside host gets none
    lens = (await _lenses(ws, uri))[1]
    [loc] = lens.command.arguments[2]  # type: ignore[union-attr,index]
    assert Path(loc["uri"]).name == "worker.ossa.yaml" and loc["range"]["start"]["line"] == 3


async def test_lenses_follow_other_files_and_ask_for_a_refresh(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"])
    assert _titles(await _lenses(ws, uri))[0][1] == "called by 3 agents · calls 0"
    files["other"].write_text(mesh.OTHER.replace("worker-a/callback", "boss/callback"), "utf-8")
    ws.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=files["other"].as_uri(), type=types.FileChangeType.Changed)]))
    caps = ws.capabilities
    if caps and caps.workspace and caps.workspace.code_lens and caps.workspace.code_lens.refresh_support:
        await until(lambda: getattr(ws, "code_lens_refresh_count", 0) > 0)
    for _ in range(100):
        title = _titles(await _lenses(ws, uri))[0][1]
        if title == "called by 2 agents · calls 0":
            break
        await asyncio.sleep(0.05)
    assert title == "called by 2 agents · calls 0"


async def test_the_setting_turns_lenses_off(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    ws.set_configuration({"debounceMs": 10, "codeLens": False}, section="ossa")
    ws.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    uri = _open(ws, files["worker"])
    for _ in range(100):
        if not await _lenses(ws, uri):
            break
        await asyncio.sleep(0.05)
    assert await _lenses(ws, uri) == []


async def test_the_lens_command_works_in_clients_without_their_own(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["caller"])
    lens = (await _lenses(ws, uri))[1]  # → worker-a
    assert lens.command is not None
    answer = await ws.workspace_execute_command_async(types.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments))
    assert [Path(loc["uri"]).name for loc in answer] == ["worker.ossa.yaml"]
    caps = ws.capabilities
    if caps and caps.window and caps.window.show_document and caps.window.show_document.support:
        await until(lambda: bool(ws.shown_documents))
        shown = ws.shown_documents[-1]
        assert shown.uri == files["worker"].as_uri() and shown.selection is not None
        assert shown.selection.start.line == mesh.line_of(mesh.WORKER, "name:")
    bad = await ws.workspace_execute_command_async(types.ExecuteCommandParams(
        command=lens.command.command, arguments=["x", {"line": 0}, [{"uri": 3}, "nope"]]))
    assert bad == []
