"""Renaming an agent over LSP: prepareRename on its name or on a calling endpoint's host; the edit renames
it in every file that calls it, open or not (documentChanges with versions for VS Code, changes for
Neovim); bad and taken names are refused with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp import mesh
from tests.lsp.conftest import ENV, SERVER, encoding_of


@pytest_lsp.fixture(params=["visual-studio-code", "neovim"],
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws(request: Any, lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    await mesh.start(lsp_client, request.param, tmp_path_factory.mktemp("rename") / "ws")
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id="json" if path.suffix == ".json" else "yaml", version=version,
        text=text if text is not None else path.read_text("utf-8"))))
    return path.as_uri()


async def _rename(client: LanguageClient, uri: str, position: types.Position, new: str) -> types.WorkspaceEdit:
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position, new_name=new))
    assert edit is not None
    return edit


def _applied(client: LanguageClient, edit: types.WorkspaceEdit, texts: dict[str, str]) -> dict[str, str]:
    files: dict[str, Path] = client.files  # type: ignore[attr-defined]
    by_uri = mesh.edits_by_uri(edit)
    return {key: mesh.apply(texts.get(key, path.read_text("utf-8")), by_uri.get(path.as_uri(), (None, []))[1],
                            encoding_of(client))
            for key, path in files.items()}


async def test_rename_on_the_name_edits_every_caller_open_or_not(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    edited = mesh.WORKER.replace("role: Scores things.", "role: Scores things (edited).")
    uri = _open(ws, files["worker"], edited, version=7)  # unsaved edits: the buffer is what gets renamed
    enc = encoding_of(ws)
    prep = await ws.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=mesh.position(edited, "worker-a", enc, 2)))
    assert isinstance(prep, types.PrepareRenamePlaceholder) and prep.placeholder == "worker-a"
    assert prep.range.start == mesh.position(edited, "worker-a", enc)  # inside the quotes
    edit = await _rename(ws, uri, mesh.position(edited, "worker-a", enc, 2), "scorer")
    by_uri = mesh.edits_by_uri(edit)
    assert set(by_uri) == {files[k].as_uri() for k in ("worker", "caller", "json", "other")}
    if edit.document_changes:  # VS Code: the open buffer at the version the edit was computed for
        assert by_uri[uri][0] == 7 and by_uri[files["caller"].as_uri()][0] is None
    out = _applied(ws, edit, {"worker": edited})
    assert 'name: "scorer"' in out["worker"] and "(edited)" in out["worker"]
    assert "endpoint: http://scorer:8080/run?x=1" in out["caller"]
    assert "endpoint: 'https://scorer.team.svc.cluster.local:8443/v1/score'" in out["caller"]
    assert "endpoint: http://worker-b/run" in out["caller"]
    assert '"endpoint": "http://scorer.team/go"' in out["json"]  # after a non-BMP character on the line
    assert "endpoint: http://scorer/callback" in out["other"]


async def test_rename_from_a_calling_endpoint_renames_the_agent(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    text = files["json"].read_text("utf-8")
    uri = _open(ws, files["json"])
    enc = encoding_of(ws)
    at = mesh.position(text, "worker-a.team", enc, 3)
    prep = await ws.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=at))
    assert isinstance(prep, types.PrepareRenamePlaceholder) and prep.placeholder == "worker-a"
    assert prep.range.start == mesh.position(text, "worker-a.team", enc)
    assert prep.range.end == mesh.position(text, ".team/go", enc)
    out = _applied(ws, await _rename(ws, uri, at, "scorer-2"), {})
    assert 'name: "scorer-2"' in out["worker"] and '"http://scorer-2.team/go"' in out["json"]


@pytest.mark.parametrize(("new", "message"), [
    ("Worker_A", "not a valid agent name"), ("worker.b", "not a valid agent name"),
    ("worker-b", "already exists"), ("boss", "already exists"),
])
async def test_bad_or_taken_names_are_refused_with_a_message(ws: LanguageClient, new: str, message: str):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"])
    with pytest.raises(Exception, match=message):
        await _rename(ws, uri, mesh.position(mesh.WORKER, "worker-a", encoding_of(ws), 1), new)


async def test_nothing_to_rename_outside_names_and_calling_hosts(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["caller"])
    enc = encoding_of(ws)
    for needle in ("role: Delegates", "api.example", "http://worker-a", ":8080/run"):  # key, outside host, scheme, port
        prep = await ws.text_document_prepare_rename_async(types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=mesh.position(mesh.CALLER, needle, enc, 1)))
        assert prep is None, needle
    with pytest.raises(Exception, match="Nothing to rename here"):
        await _rename(ws, uri, mesh.position(mesh.CALLER, "role", enc), "x")
