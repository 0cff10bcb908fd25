"""initialize / initialized / configuration / shutdown / exit: client capabilities, settings, the
background work of a session (index build, refresher, engine warm-up) and the process exit status."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from lsprotocol import types

from ossa_lsp.lsp import indexing
from ossa_lsp.lsp.publish import reanalyse_all, refresh_views, refresher
from ossa_lsp.lsp.runtime import gcpolicy
from ossa_lsp.lsp.server import OssaLanguageServer

WATCHED = types.DidChangeWatchedFilesRegistrationOptions(watchers=[
    types.FileSystemWatcher(glob_pattern="**/*.{yaml,yml,json}"),
])


def on_initialize(ls: OssaLanguageServer, params: types.InitializeParams) -> None:
    caps = params.capabilities
    td = caps.text_document
    ls.pull = bool(td and td.diagnostic)
    comp = td.completion if td else None
    ls.snippets = bool(comp and comp.completion_item and comp.completion_item.snippet_support)
    hov = td.hover if td else None
    ls.markdown = not (hov and hov.content_format and types.MarkupKind.Markdown not in hov.content_format)
    ls.config_support = bool(caps.workspace and caps.workspace.configuration)
    ls.init_options = params.initialization_options  # parsed after `initialize` is answered
    loop = asyncio.get_running_loop()
    ls.main_loop = loop
    # Started now, so requests that arrive before `initialized` is handled can wait for them.
    ls.index_task = loop.create_task(indexing.build_index(ls))
    ls.index_task.add_done_callback(lambda _task: ls.closed_changed() if ls.closed_changed is not None else None)
    # lenses and hints asked for before the first build counted only the open buffers' agents: ask again
    ls.index_task.add_done_callback(lambda _task: refresh_views(ls, inlay_hints=True))
    if ls.refresh_task is None:
        ls.refresh_task = loop.create_task(refresher(ls))


async def on_initialized(ls: OssaLanguageServer, params: types.InitializedParams) -> None:
    ls.apply_settings(ls.init_options)
    try:
        await refresh_settings(ls)
    finally:
        ls.settings_ready.set()
    refresh_views(ls, inlay_hints=True)  # lenses and hints asked for before the settings were known
    warm_up(ls)
    await register_file_watchers(ls)


async def on_config(ls: OssaLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    if ls.config_support:
        await refresh_settings(ls)
    elif params.settings is not None:
        ls.apply_settings(params.settings)
    await reanalyse_all(ls)


def on_shutdown(ls: OssaLanguageServer, *args: object) -> None:
    ls.shutdown_requested = True


def on_exit(ls: OssaLanguageServer, *args: object) -> None:
    ls.exit_status = 0 if ls.shutdown_requested else 1  # LSP: `exit` without `shutdown` ends with 1


async def register_file_watchers(ls: OssaLanguageServer) -> None:
    """Ask the client for file events on manifests and our config (when it can watch files for us)."""
    caps = ls.client_capabilities.workspace if ls.client_capabilities else None
    watched = caps.did_change_watched_files if caps else None
    if not (watched and watched.dynamic_registration):
        return
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="ossa-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=WATCHED)]))
    except Exception as err:
        ls.log(f"file watching not available: {err}", types.MessageType.Info)


def warm_up(ls: OssaLanguageServer) -> None:
    """Load the engine and compile the newest schema in the background, before the first document;
    then hand garbage collection to the idle-time policy."""
    loop = ls.main_loop

    def work() -> None:
        try:
            from ossa_lsp.core.answers import complete  # noqa: F401
            from ossa_lsp.core.schema.registry import REGISTRY

            REGISTRY.get(REGISTRY.supported()[-1]).validator  # noqa: B018
        except Exception as err:
            ls.log(f"warm-up failed: {err}", types.MessageType.Warning)
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the server already stopped
                loop.call_soon_threadsafe(gcpolicy.start, ls)

    threading.Thread(target=work, name="ossa-warm-up", daemon=True).start()


async def refresh_settings(ls: OssaLanguageServer) -> None:
    if not ls.config_support:
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="ossa")]))
    except Exception as err:
        ls.log(f"workspace/configuration failed: {err}", types.MessageType.Warning)
        return
    if result:
        ls.apply_settings(result[0])


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.INITIALIZE)(on_initialize)
    ls.feature(types.INITIALIZED)(on_initialized)
    ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(on_config)
    ls.feature(types.SHUTDOWN)(on_shutdown)
    ls.feature(types.EXIT)(on_exit)
