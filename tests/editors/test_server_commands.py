"""The server's commands (`workspace/executeCommand`) over the real server subprocess, driven with
VS Code's (push) and Neovim's (pull) recorded capabilities: validate workspace and rule docs."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ossa_lsp"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
WORKSPACE = Path(__file__).resolve().parent / "workspace"
VALIDATE, RULE_DOCS = "ossa-lsp.validateWorkspace", "ossa-lsp.ruleDocs"


@pytest_lsp.fixture(params=["visual-studio-code", "neovim"],
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(request: Any, lsp_client: LanguageClient):
    root = Path(tempfile.mkdtemp(prefix="ossa-editors-ws-")) / "ws"
    shutil.copytree(WORKSPACE, root)
    lsp_client.set_configuration({"debounceMs": 10}, section="ossa")
    if types.CLIENT_REGISTER_CAPABILITY not in lsp_client.protocol.fm.features:
        # Real editors accept dynamic registrations (e.g. file watchers); pytest-lsp 1.0 has no handler.
        lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda _params: None)
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.init_result = result  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(root.parent, ignore_errors=True)


def root_of(client: LanguageClient) -> Path:
    return client.root  # type: ignore[attr-defined]


async def run(client: LanguageClient, command: str, *arguments: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments) or None))


def errors_in(diags: Any) -> list[types.Diagnostic]:
    """Errors only: hints and infos (e.g. "a newer OSSA version exists") are not what these tests are about."""
    return [d for d in diags if d.severity == types.DiagnosticSeverity.Error]


def pull_client(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic)


async def test_commands_are_advertised(client: LanguageClient):
    provider = client.init_result.capabilities.execute_command_provider  # type: ignore[attr-defined]
    assert provider is not None
    assert {VALIDATE, RULE_DOCS} <= set(provider.commands)


async def test_validate_workspace_reports_closed_files(client: LanguageClient):
    summary = await run(client, VALIDATE)
    assert summary["files"] == 4  # agent.ossa.yaml and agents/: escalation, reviewer, notifier.yaml (by content)
    assert (summary["errors"], summary["warnings"]) == (3, 0)
    assert summary["folders"] == [root_of(client).resolve().as_uri()]

    agent = (root_of(client) / "agent.ossa.yaml").resolve().as_uri()
    reviewer = (root_of(client) / "agents" / "reviewer.ossa.yaml").resolve().as_uri()
    settings = (root_of(client) / "settings.yaml").resolve().as_uri()
    errors = {uri: errors_in(diags) for uri, diags in client.diagnostics.items() if errors_in(diags)}
    assert set(errors) == {agent, reviewer}  # the valid manifests have no error
    assert any("Did you mean `openai`?" in d.message for d in errors[agent])
    [planted] = errors[reviewer]
    assert planted.code == "SCHEMA001"
    assert "did you mean `temperature`" in planted.message
    assert planted.range.start == types.Position(line=14, character=4)
    assert settings not in client.diagnostics  # not a manifest


async def test_validate_workspace_reports_progress(client: LanguageClient):
    await run(client, VALIDATE)
    [reports] = list(client.progress_reports.values())
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title == "Validating OSSA manifests"
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert reports[-1].message == "4 files: 3 errors, 0 warnings"


async def test_validate_workspace_uses_a_token_from_the_client(client: LanguageClient):
    client.progress_reports["from-the-client"] = []  # as if the client had created it
    await run(client, VALIDATE, {"workDoneToken": "from-the-client"})
    assert list(client.progress_reports) == ["from-the-client"]
    assert isinstance(client.progress_reports["from-the-client"][-1], types.WorkDoneProgressEnd)


async def test_validate_workspace_clears_files_fixed_since_the_last_run(client: LanguageClient):
    await run(client, VALIDATE)
    reviewer_path = root_of(client) / "agents" / "reviewer.ossa.yaml"
    reviewer = reviewer_path.resolve().as_uri()
    assert errors_in(client.diagnostics[reviewer])
    reviewer_path.write_text(reviewer_path.read_text("utf-8").replace("temprature", "temperature"), "utf-8")
    summary = await run(client, VALIDATE)
    assert summary["errors"] == 2
    assert errors_in(client.diagnostics[reviewer]) == []


async def test_validate_workspace_leaves_open_documents_to_the_editor(client: LanguageClient):
    path = root_of(client) / "agent.ossa.yaml"
    uri = path.resolve().as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=path.read_text("utf-8").replace("usd", "USD"))))
    summary = await run(client, VALIDATE)
    assert summary["errors"] == 2  # the open (edited) text counts, not the file on disk
    if pull_client(client):
        assert uri not in client.diagnostics  # pulled by the editor, never pushed behind its back


async def test_rule_docs_for_a_schema_code(client: LanguageClient):
    page = await run(client, RULE_DOCS, "SCHEMA004")
    assert page["name"] == "value-not-allowed"
    assert page["markdown"].startswith("# SCHEMA004 `value-not-allowed`")
    assert page["url"].endswith("schema-codes.md#schema004")


async def test_rule_docs_for_a_policy_rule(client: LanguageClient):
    listing = await run(client, RULE_DOCS)
    policy = [r for r in listing["rules"] if r["kind"] == "policy"]
    if not policy:
        pytest.skip("this server has no policy rules")
    first = policy[0]
    page = await run(client, RULE_DOCS, first["name"])  # the kebab name works as well as the code
    assert page["code"] == first["code"]
    assert page["markdown"].startswith(f"# {first['code']} `{first['name']}`")
    assert "## Why" in page["markdown"]


async def test_rule_docs_lists_every_code(client: LanguageClient):
    listing = await run(client, RULE_DOCS)
    codes = {r["code"] for r in listing["rules"]}
    assert {"YAML001", "SCHEMA001", "SCHEMA011"} <= codes


async def test_rule_docs_for_an_unknown_code(client: LanguageClient):
    page = await run(client, RULE_DOCS, {"code": "NOPE999"})
    assert page["name"] is None
    assert "No rule or finding code `NOPE999`" in page["markdown"]
