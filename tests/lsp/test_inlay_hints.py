"""Inlay hints over LSP: the cost of a token budget at the model's list price, CPU, memory and durations,
only inside the requested range, each kind switched by its setting, positions in the client's encoding."""

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

WHOLE = types.Range(start=types.Position(0, 0), end=types.Position(1000, 0))


@pytest_lsp.fixture(params=["visual-studio-code", "neovim"],
                    config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def ws(request: Any, lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    await mesh.start(lsp_client, request.param, tmp_path_factory.mktemp("inlay") / "ws")
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str) -> str:
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id="yaml", version=1, text=text)))
    return path.as_uri()


async def _hints(client: LanguageClient, uri: str, rng: types.Range = WHOLE) -> list[types.InlayHint]:
    return list(await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng)) or [])


async def test_hints_after_budget_cpu_memory_and_timeout(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    text = mesh.WORKER.replace("timeoutSeconds: 60", "timeoutSeconds: 300  # 𝄞 five minutes")
    text = text.replace('  name: "worker-a"', '  name: "worker-a"\n  description: "𝄞"')
    uri = _open(ws, files["worker"], text)
    hints = await _hints(ws, uri)
    labels = {text.split("\n")[h.position.line].split(":")[0].strip(): h.label for h in hints}
    assert labels == {"maxTokensPerDay": "≈ $4.50/day at gpt-4o input price", "cpu": "0.5 core",
                      "memory": "≈ 537 MB", "timeoutSeconds": "= 5 min"}
    budget = next(h for h in hints if h.label.startswith("≈ $"))
    assert budget.position == mesh.position(text, "1800000", encoding_of(ws), len("1800000"))
    assert isinstance(budget.tooltip, str) and "2025-10-15" in budget.tooltip  # the price table's date
    timeout = next(h for h in hints if h.label == "= 5 min")
    assert timeout.position == mesh.position(text, "300", encoding_of(ws), 3)  # before the comment


async def test_only_the_requested_range(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"], mesh.WORKER)
    line = mesh.line_of(mesh.WORKER, "memory:")
    hints = await _hints(ws, uri, types.Range(start=types.Position(line, 0), end=types.Position(line + 1, 0)))
    assert [h.label for h in hints] == ["≈ 537 MB"]


async def test_unknown_model_gives_no_cost_hint(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"], mesh.WORKER.replace("model: gpt-4o", "model: in-house-llm-7"))
    labels = [h.label for h in await _hints(ws, uri)]
    assert labels and not any("$" in label for label in labels)


async def test_settings_turn_each_kind_off_and_ask_for_a_refresh(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    uri = _open(ws, files["worker"], mesh.WORKER)
    assert len(await _hints(ws, uri)) == 4
    ws.set_configuration({"debounceMs": 10, "inlayHintsCost": False, "inlayHintsMemory": False}, section="ossa")
    ws.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await until(lambda: _refreshed(ws))
    for _ in range(100):  # the client asks again once the new settings are read
        labels = [h.label for h in await _hints(ws, uri)]
        if labels == ["0.5 core", "= 1 min"]:
            break
        await asyncio.sleep(0.05)
    assert labels == ["0.5 core", "= 1 min"]


def _refreshed(client: LanguageClient) -> bool:
    caps = client.capabilities
    wanted = bool(caps and caps.workspace and caps.workspace.inlay_hint and caps.workspace.inlay_hint.refresh_support)
    return not wanted or getattr(client, "inlay_hint_refresh_count", 0) > 0


async def test_a_models_file_in_the_config_prices_its_models(ws: LanguageClient):
    files: dict[str, Path] = ws.files  # type: ignore[attr-defined]
    root = files["worker"].parent
    (root / "prices.json").write_text('{"as_of": "2026-06-01", "providers": {"acme": {"models": '
                                      '{"acme-large": {"price": [10, 20]}}}}}')
    (root / ".ossa-lsp.yaml").write_text("models-file: prices.json\n")
    text = mesh.WORKER.replace("provider: openai", "provider: acme").replace("model: gpt-4o", "model: acme-large")
    uri = _open(ws, files["worker"], text)
    hints = await _hints(ws, uri)
    budget = next(h for h in hints if "$" in str(h.label))
    assert budget.label == "≈ $18.00/day at acme-large input price" and "2026-06-01" in str(budget.tooltip)
