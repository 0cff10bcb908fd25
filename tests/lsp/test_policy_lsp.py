"""Policy rules in the editor: the nearest .ossa-lsp.yaml governs, and the config file itself is
validated, completed and hovered."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import ENV, SERVER, accept_registrations, until
from tests.lsp.test_completion_hover import complete, hover

MANIFEST = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: governed
spec:
  role: Answers questions.
  llm:
    provider: openai
    model: gpt-4o
  tools:
    - type: http
      name: crm
      endpoint: http://crm.example.com/api
      auth:
        type: bearer
        credentials: sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("policy")
    (root / ".ossa-lsp.yaml").write_text("extends: enterprise\nignore: [OBS]\n")
    lsp_client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    return uri


async def test_nearest_config_selects_the_profile_and_secrets_are_masked(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    uri = _open(ws, root / "agent.ossa.yaml", MANIFEST)
    await until(lambda: len(ws.diagnostics.get(uri, [])) > 2)
    codes = {d.code for d in ws.diagnostics[uri]}
    assert {"SEC001", "SEC003", "COST001"} <= codes  # enterprise rules run
    assert not any(str(c).startswith("OBS") for c in codes)  # ignored by the config
    secret = next(d for d in ws.diagnostics[uri] if d.code == "SEC001")
    assert "3xAmPlE0nLyN0tAr3alK3y" not in secret.message
    assert secret.source == "ossa-policy"
    assert secret.code_description is not None and secret.code_description.href.endswith("/rules/SEC001.md")


async def test_config_file_problems_are_diagnostics_at_their_position(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    text = "extends: enterprize\nrules:\n  NOPE001: error\n"
    uri = _open(ws, root / "sub" / ".ossa-lsp.yaml", text)
    await until(lambda: len(ws.diagnostics.get(uri, [])) >= 2)
    lines = sorted(d.range.start.line for d in ws.diagnostics[uri])
    assert lines == [0, 2]
    assert all(str(d.code).startswith("CFG") for d in ws.diagnostics[uri])


async def test_config_file_completion_and_hover(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    uri = _open(ws, root / "other" / ".ossa-lsp.yaml", "extends: \n")
    labels = [i.label for i in await complete(ws, uri, 0, 9)]
    assert labels[:3] == ["baseline", "enterprise", "strict"]
    assert "profile" in (await hover(ws, uri, 0, 2)).lower()


async def test_saving_the_config_rechecks_open_manifests(ws: LanguageClient):
    root: Path = ws.root  # type: ignore[attr-defined]
    folder = root / "saved"
    folder.mkdir()
    cfg = folder / ".ossa-lsp.yaml"
    cfg.write_text("extends: baseline\n")
    uri = _open(ws, folder / "agent.ossa.yaml", MANIFEST)
    await until(lambda: uri in ws.diagnostics and "COST001" not in {d.code for d in ws.diagnostics[uri]}
                and len(ws.diagnostics[uri]) > 0)
    cfg.write_text("extends: strict\n")
    cfg_uri = _open(ws, cfg, "extends: strict\n")
    ws.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=cfg_uri)))
    await until(lambda: "COST001" in {d.code for d in ws.diagnostics.get(uri, [])})
