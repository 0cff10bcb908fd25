"""Problems in manifests that are not open: `workspace/diagnostic` for clients that pull (result ids,
unchanged reports, file events, partial results), a push for clients that do not, and never the same
document reported by two models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import ENV, SERVER, accept_registrations, until

GOOD = "apiVersion: ossa/v0.5.0\nkind: Agent\nmetadata:\n  name: {name}\nspec:\n  role: r\n"
BAD = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: {name}\n  bogusKey: 1\nspec:\n  role: r\n"


def _workspace(root: Path) -> None:
    (root / "agents").mkdir(parents=True)
    (root / "agents" / "good.ossa.yaml").write_text(GOOD.format(name="good"))
    (root / "agents" / "bad.ossa.yaml").write_text(BAD.format(name="bad"))
    (root / "notes.yaml").write_text("just: some yaml\n")  # not a manifest: never reported


def _pull_caps() -> types.ClientCapabilities:
    caps = client_capabilities("neovim")
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


async def _start(client: LanguageClient, root: Path, caps: types.ClientCapabilities) -> None:
    client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(client)
    await client.initialize_session(types.InitializeParams(
        capabilities=caps, root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    client.root = root  # type: ignore[attr-defined]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def puller(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pull") / "ws"
    _workspace(root)
    await _start(lsp_client, root, _pull_caps())
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def pusher(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("push") / "ws"
    _workspace(root)
    await _start(lsp_client, root, client_capabilities("visual-studio-code"))
    yield
    await lsp_client.shutdown_session()


async def _pull(client: LanguageClient, previous: dict[str, str] | None = None,
                token: str | None = None) -> dict[str, Any]:
    ids = [types.PreviousResultId(uri=u, value=v) for u, v in (previous or {}).items()]
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=ids, partial_result_token=token))
    return {item.uri: item for item in report.items}


def _codes(report: Any) -> set[str]:
    return {str(d.code) for d in getattr(report, "items", [])}


def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id="yaml", version=1, text=path.read_text() if text is None else text)))
    return path.as_uri()


def _changed(client: LanguageClient, path: Path, kind: types.FileChangeType) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=path.as_uri(), type=kind)]))


async def test_workspace_pull_reports_closed_manifests_and_then_only_changes(puller: LanguageClient):
    root: Path = puller.root  # type: ignore[attr-defined]
    bad, good = (root / "agents" / "bad.ossa.yaml").as_uri(), (root / "agents" / "good.ossa.yaml").as_uri()
    first = await _pull(puller)
    assert set(first) == {bad, good}  # notes.yaml is not a manifest
    assert isinstance(first[bad], types.WorkspaceFullDocumentDiagnosticReport) and "SCHEMA001" in _codes(first[bad])
    assert "SCHEMA001" not in _codes(first[good])
    ids = {u: r.result_id for u, r in first.items()}
    again = await _pull(puller, ids)
    assert all(isinstance(r, types.WorkspaceUnchangedDocumentDiagnosticReport) for r in again.values())
    refreshes = puller.diagnostic_refresh_count
    (root / "agents" / "bad.ossa.yaml").write_text(GOOD.format(name="bad"))  # fixed on disk
    _changed(puller, root / "agents" / "bad.ossa.yaml", types.FileChangeType.Changed)
    await until(lambda: puller.diagnostic_refresh_count > refreshes)
    third = await _pull(puller, ids)
    assert isinstance(third[bad], types.WorkspaceFullDocumentDiagnosticReport) and not third[bad].items
    assert isinstance(third[good], types.WorkspaceUnchangedDocumentDiagnosticReport)


async def test_an_open_document_is_left_to_document_pull(puller: LanguageClient):
    root: Path = puller.root  # type: ignore[attr-defined]
    uri = _open(puller, root / "agents" / "bad.ossa.yaml")
    report = await _pull(puller)
    assert uri not in report
    doc = await puller.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert "SCHEMA001" in {str(d.code) for d in doc.items}
    assert uri not in puller.diagnostics  # nothing pushed besides
    refreshes = puller.diagnostic_refresh_count
    puller.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await until(lambda: puller.diagnostic_refresh_count > refreshes)
    back = await _pull(puller)
    assert "SCHEMA001" in _codes(back[uri])


async def test_new_and_deleted_files_follow_file_events(puller: LanguageClient):
    root: Path = puller.root  # type: ignore[attr-defined]
    first = await _pull(puller)
    ids = {u: r.result_id for u, r in first.items()}
    refreshes = puller.diagnostic_refresh_count
    new = root / "agents" / "new.ossa.yaml"
    new.write_text(BAD.format(name="new"))
    (root / "agents" / "good.ossa.yaml").unlink()
    _changed(puller, new, types.FileChangeType.Created)
    _changed(puller, root / "agents" / "good.ossa.yaml", types.FileChangeType.Deleted)
    await until(lambda: puller.diagnostic_refresh_count > refreshes)
    after = await _pull(puller, ids)
    assert "SCHEMA001" in _codes(after[new.as_uri()])
    gone = after[(root / "agents" / "good.ossa.yaml").as_uri()]
    assert isinstance(gone, types.WorkspaceFullDocumentDiagnosticReport) and not gone.items
    assert (root / "agents" / "good.ossa.yaml").as_uri() not in await _pull(puller, ids)  # cleared once


async def test_partial_results_stream_the_reports(puller: LanguageClient):
    streamed: list[Any] = []

    def progress(params: Any) -> None:
        streamed.append(params)

    puller.protocol.fm.features[types.PROGRESS] = progress  # pytest-lsp's handler knows work-done only
    final = await _pull(puller, token="partial-1")
    assert final == {}
    await until(lambda: len(streamed) > 0)
    uris = {item["uri"] for p in streamed for item in p.value["items"]}
    assert {p.token for p in streamed} == {"partial-1"} and len(uris) == 2


async def test_push_clients_get_closed_manifests_pushed_once(pusher: LanguageClient):
    root: Path = pusher.root  # type: ignore[attr-defined]
    bad = root / "agents" / "bad.ossa.yaml"
    await until(lambda: "SCHEMA001" in {str(d.code) for d in pusher.diagnostics.get(bad.as_uri(), [])}, 15)
    assert not pusher.diagnostics.get((root / "agents" / "good.ossa.yaml").as_uri())
    _open(pusher, bad)
    await until(lambda: len([d for d in pusher.diagnostics.get(bad.as_uri(), []) if d.code == "SCHEMA001"]) == 1)
    await until(lambda: True)
    shown = [d for d in pusher.diagnostics[bad.as_uri()] if d.code == "SCHEMA001"]
    assert len(shown) == 1  # the open document's own analysis, not it plus the workspace's
    pusher.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=bad.as_uri())))
    bad.unlink()
    _changed(pusher, bad, types.FileChangeType.Deleted)
    await until(lambda: not pusher.diagnostics.get(bad.as_uri()))
