"""The editor's workspace index on folders a stranger could hand us: a FIFO named like a manifest,
symlink loops, a link to /dev/zero, a workspace opened at `/`. The server keeps answering, says so
when the walk stops early, and `shutdown` + `exit` end it.

Guards (asyncio.wait_for) only turn a hang into a failure; they are not speed assertions.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import ENV, SERVER, accept_registrations, until

HANG_GUARD_S = 120


def manifest(name: str) -> str:
    return f"apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: {name}\nspec:\n  role: Helps.\n"


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


async def start(client: LanguageClient, root: Path) -> None:
    accept_registrations(client)
    client.set_configuration({"debounceMs": 10}, section="ossa")
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name or "root")]))


async def agents(client: LanguageClient) -> list[str]:
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    return sorted(s.name for s in found or [])


async def stop(client: LanguageClient) -> None:
    """`shutdown` + `exit`, and the process is gone (shutdown_session waits for it)."""
    await asyncio.wait_for(client.shutdown_session(), HANG_GUARD_S)


def kill_if_running(client: LanguageClient) -> None:
    """pygls's client waits for the server at teardown without ending it: after a failed test (a server
    that hangs, or no `exit` sent) that wait would never end."""
    proc = getattr(client, "_server", None)
    if proc is not None and proc.returncode is None:
        proc.kill()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def server(lsp_client: LanguageClient):
    yield  # each test opens its own workspace and shuts the server down itself
    kill_if_running(lsp_client)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER,
                                              server_env={**ENV, "OSSA_LSP_MAX_FOLDERS": "3"}))
async def small_limits(lsp_client: LanguageClient):
    yield
    kill_if_running(lsp_client)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
async def test_fifos_and_symlink_loops_neither_block_the_index_nor_shutdown(server: LanguageClient, tmp_path):
    root = tmp_path / "ws"
    write(root, "agents/alpha.ossa.yaml", manifest("alpha"))
    write(root, "agents/deep/beta.yaml", manifest("beta"))
    os.mkfifo(root / "agents" / "pipe.ossa.yaml")  # opening it to read would block for ever
    os.mkfifo(root / "agents" / "pipe.json")
    (root / "agents" / "deep" / "up").symlink_to("..")
    (root / "agents" / "deep" / "top").symlink_to("../..")
    (root / "agents" / "zero.json").symlink_to("/dev/zero")
    await start(server, root)
    await asyncio.wait_for(_until_agents(server, ["alpha", "beta"]), HANG_GUARD_S)
    # a file event for the FIFO and the device link makes the index look at them again
    server.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(root / "agents" / "pipe.ossa.yaml").as_uri(), type=types.FileChangeType.Created),
        types.FileEvent(uri=(root / "agents" / "zero.json").as_uri(), type=types.FileChangeType.Changed),
    ]))
    assert await asyncio.wait_for(agents(server), HANG_GUARD_S) == ["alpha", "beta"]
    await stop(server)


async def test_a_walk_that_hits_its_limit_says_so_and_the_server_still_answers(small_limits: LanguageClient,
                                                                               tmp_path):
    root = tmp_path / "ws"
    for n in range(6):
        write(root, f"team{n}/agent.ossa.yaml", manifest(f"agent-{n}"))
    await start(small_limits, root)
    await asyncio.wait_for(until(lambda: any("stopped after 3 folders" in m.message for m in small_limits.messages),
                                 timeout=HANG_GUARD_S), HANG_GUARD_S)
    [message] = [m for m in small_limits.messages if "stopped after" in m.message]
    assert message.type == types.MessageType.Warning
    assert str(root) in message.message
    assert await agents(small_limits) == ["agent-0", "agent-1"]  # what was found before the stop is indexed
    await stop(small_limits)


async def test_a_workspace_at_the_filesystem_root_shuts_down(server: LanguageClient):
    """Opened at `/`: the walk is bounded and runs where it cannot hold up `shutdown` and `exit`."""
    await start(server, Path("/"))
    assert isinstance(await asyncio.wait_for(agents(server), HANG_GUARD_S), list)
    await stop(server)


async def _until_agents(client: LanguageClient, expected: list[str]) -> None:
    while await agents(client) != expected:
        await asyncio.sleep(0.05)
