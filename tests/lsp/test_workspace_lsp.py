"""Multi-agent workspaces over LSP: navigation between manifests, cross-file diagnostics that follow
edits and file events, workspace symbols, links, the graph command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.conftest import ROOT
from tests.lsp.conftest import ENV, SERVER, accept_registrations, until

FIXTURE = ROOT / "tests" / "fixtures" / "workspace"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("mesh") / "ws"
    shutil.copytree(FIXTURE, root)
    lsp_client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, version: int = 1, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=version, text=text if text is not None else path.read_text())))
    return uri


def _codes(client: LanguageClient, uri: str) -> set[str]:
    return {str(d.code) for d in client.diagnostics.get(uri, [])}


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines()) if needle in line)


async def test_cross_file_findings_appear_for_the_orchestrator(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    uri = _open(ws, root / "agents" / "orchestrator.ossa.yaml")
    await until(lambda: {"MESH003", "MESH005"} <= _codes(ws, uri), timeout=15)
    dangling = next(d for d in ws.diagnostics[uri] if d.code == "MESH003")
    assert dangling.range.start.line == _line_of(root / "agents" / "orchestrator.ossa.yaml", "ledger-agent")


async def test_definition_references_symbols_and_links(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    orch = root / "agents" / "orchestrator.ossa.yaml"
    uri = _open(ws, orch)
    line = _line_of(orch, "fraud-worker.agents.svc")
    [loc] = await ws.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 22)))  # type: ignore[misc]
    assert loc.uri == (root / "workers" / "fraud-worker.ossa.yaml").as_uri() and loc.range.start.line == 3
    refs = await ws.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 10),
        context=types.ReferenceContext(include_declaration=False)))
    assert refs and {r.uri for r in refs} == {(root / "workers" / "fraud-worker.ossa.yaml").as_uri()}
    symbols = await ws.workspace_symbol_async(types.WorkspaceSymbolParams(query="worker"))
    assert sorted(s.name for s in symbols) == ["fraud-worker", "invoice-worker", "invoice-worker"]
    links = await ws.text_document_document_link_async(types.DocumentLinkParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert any(link.target and link.target.endswith("fraud-worker.ossa.yaml#L4") for link in links)
    hover = await ws.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 22)))
    assert hover is not None and "Calls agent `fraud-worker`" in hover.contents.value  # type: ignore[union-attr]
    assert "Scores transactions" in hover.contents.value  # type: ignore[union-attr]


async def test_renaming_a_worker_updates_the_orchestrators_diagnostics(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    orch = _open(ws, root / "agents" / "orchestrator.ossa.yaml")
    worker_path = root / "workers" / "fraud-worker.ossa.yaml"
    worker = _open(ws, worker_path)
    await until(lambda: "MESH005" in _codes(ws, orch), timeout=15)
    renamed = worker_path.read_text().replace("name: fraud-worker", "name: risk-worker")
    ws.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=worker, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=renamed)]))

    def dangling_fraud() -> bool:
        return any(d.code == "MESH003" and "fraud-worker" in d.message for d in ws.diagnostics.get(orch, []))

    await until(dangling_fraud, timeout=15)
    assert "MESH005" not in _codes(ws, orch)  # the cycle is gone with the name


async def test_closing_an_unsaved_rename_brings_back_the_agent_on_disk(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    orch = _open(ws, root / "agents" / "orchestrator.ossa.yaml")
    worker_path = root / "workers" / "fraud-worker.ossa.yaml"
    renamed = worker_path.read_text().replace("name: fraud-worker", "name: risk-worker")
    worker = _open(ws, worker_path, text=renamed)  # an unsaved rename in the buffer

    def dangling_fraud() -> bool:
        return any(d.code == "MESH003" and "fraud-worker" in d.message for d in ws.diagnostics.get(orch, []))

    await until(dangling_fraud, timeout=15)
    ws.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=worker)))
    await until(lambda: not dangling_fraud() and "MESH005" in _codes(ws, orch), timeout=15)


async def test_deleting_a_worker_file_makes_its_endpoint_dangle(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    orch = _open(ws, root / "agents" / "orchestrator.ossa.yaml")
    await until(lambda: "MESH005" in _codes(ws, orch), timeout=15)
    worker = root / "workers" / "fraud-worker.ossa.yaml"
    worker.unlink()
    ws.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=worker.as_uri(), type=types.FileChangeType.Deleted)]))
    await until(lambda: any(d.code == "MESH003" and "fraud-worker" in d.message
                            for d in ws.diagnostics.get(orch, [])), timeout=15)
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
               for r in ws.registrations)  # type: ignore[attr-defined]


async def test_duplicate_name_links_the_other_file(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    uri = _open(ws, root / "teams" / "duplicate-invoice-worker.ossa.yaml")
    await until(lambda: "MESH002" in _codes(ws, uri), timeout=15)
    dup = next(d for d in ws.diagnostics[uri] if d.code == "MESH002")
    assert dup.related_information and dup.related_information[0].location.uri == \
        (root / "workers" / "invoice-worker.ossa.yaml").as_uri()


async def test_agent_graph_command(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    _open(ws, root / "agents" / "orchestrator.ossa.yaml")
    await until(lambda: bool(ws.diagnostics), timeout=15)
    result = await ws.workspace_execute_command_async(types.ExecuteCommandParams(command="ossa-lsp.agentGraph"))
    assert result["format"] == "mermaid" and "orchestrator -->|" in result["text"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws_pull(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    """The mesh workspace in a client that pulls diagnostics (Neovim)."""
    root = tmp_path_factory.mktemp("mesh-pull") / "ws"
    shutil.copytree(FIXTURE, root)
    lsp_client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    lsp_client.root = root.resolve()  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _pull(client: LanguageClient, uri: str, previous: str | None = None) -> types.DocumentDiagnosticReport:
    return await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous))


async def test_a_pull_after_another_file_changed_gets_the_new_cross_file_findings(ws_pull: LanguageClient):
    root: Path = ws_pull.root  # type: ignore[attr-defined]
    orch = _open(ws_pull, root / "agents" / "orchestrator.ossa.yaml")
    worker_path = root / "workers" / "fraud-worker.ossa.yaml"
    worker = _open(ws_pull, worker_path)
    await _pull(ws_pull, worker)  # its agent is known from the buffer, whether or not the first walk has ended
    first = await _pull(ws_pull, orch)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport) and first.result_id
    assert "MESH005" in {d.code for d in first.items}
    ws_pull.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=worker, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text=worker_path.read_text().replace("name: fraud-worker", "name: risk-worker"))]))
    await _pull(ws_pull, worker)  # the editor pulls the edited document first
    second = await _pull(ws_pull, orch, previous=first.result_id)  # same version of the orchestrator
    assert isinstance(second, types.RelatedFullDocumentDiagnosticReport)
    assert any(d.code == "MESH003" and "fraud-worker" in d.message for d in second.items)
    assert "MESH005" not in {d.code for d in second.items}
    third = await _pull(ws_pull, orch, previous=second.result_id)
    assert isinstance(third, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_a_pulling_client_opening_a_validated_file_loses_the_pushed_copy(ws_pull: LanguageClient):
    root: Path = ws_pull.root  # type: ignore[attr-defined]
    path = root / "teams" / "duplicate-invoice-worker.ossa.yaml"
    uri = path.as_uri()
    await ws_pull.workspace_execute_command_async(types.ExecuteCommandParams(command="ossa-lsp.validateWorkspace"))
    assert "MESH002" in _codes(ws_pull, uri)  # a closed file: pushed
    _open(ws_pull, path)
    await until(lambda: list(ws_pull.diagnostics[uri]) == [])  # else the editor would show it twice
    pulled = await _pull(ws_pull, uri)
    assert isinstance(pulled, types.RelatedFullDocumentDiagnosticReport)
    assert "MESH002" in {d.code for d in pulled.items}
