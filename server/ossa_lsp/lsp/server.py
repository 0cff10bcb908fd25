"""OssaLanguageServer: all server state lives here; features are thin adapters registered on it.

Analysis results are cached per (uri, version). Edits are debounced per document and results for a
version that is no longer current are dropped, never published. Big documents are analysed in a
worker thread so completion and hover elsewhere keep answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import weakref
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from ossa_lsp import __version__
from ossa_lsp.core.discover import DATA_SUFFIXES, is_ossa_name, looks_like_ossa
from ossa_lsp.core.scrub import scrub
from ossa_lsp.output.escape import EscapingFormatter

CONFIG_FILE_NAMES = (".ossa-lsp.yaml", ".ossa-lsp.yml")  # as core.config.CONFIG_NAMES (not imported: pydantic)

if TYPE_CHECKING:  # the engine (jsonschema, yaml, pydantic) loads after `initialize` is answered
    from ossa_lsp.core.analyze import Analysis
    from ossa_lsp.core.schema.registry import CompiledSchema
    from ossa_lsp.core.workspace.index import WorkspaceIndex
    from ossa_lsp.lsp.settings import Settings

log = logging.getLogger("ossa_lsp")
NO_REFRESH = "\0"  # `refresh_skip` when no cross-file refresh is requested (never a uri)
THREAD_THRESHOLD = 40_000  # characters; smaller documents are analysed inline (faster than a thread hop)


@dataclass
class Entry:
    version: int | None
    analysis: Analysis
    schema: CompiledSchema | None  # the schema of the first document, for completion and hover
    generation: int = -1  # the workspace index generation the cross-file findings were computed at
    policy: Any = None  # the policy it was checked with (to recompute cross-file findings)


class OssaLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ossa-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self._settings: Settings | None = None
        self.init_options: Any = None
        self.cache: dict[str, Entry] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.published: set[str] = set()
        self.pull = False
        self.snippets = True
        self.markdown = True
        self.config_support = False
        self._schema_errors_shown: set[str] = set()
        self._settings_problems: list[str] = []
        self.settings_ready = asyncio.Event()  # set once the client's settings have been read
        self._index: WorkspaceIndex | None = None
        self.refresh_task: asyncio.Task[None] | None = None
        self.refresh_skip: str | None = NO_REFRESH  # the document whose own edit caused the pending refresh
        # (None: skip none); see features/workspace.schedule_refresh
        self.index_task: asyncio.Task[int] | None = None
        self._ossa_docs: weakref.WeakKeyDictionary[TextDocument, tuple[str, Settings, bool]] = \
            weakref.WeakKeyDictionary()
        self.inflight: dict[str, tuple[int | None, asyncio.Future[Entry]]] = {}  # big documents being analysed
        self.last_activity = 0.0  # time.monotonic() of the last message (stdio transport), for idle-time GC
        self.gc_task: asyncio.Task[None] | None = None
        self.closed_paths: set[str] = set()  # closed buffers whose file on disk is to be re-indexed
        self.closed_task: asyncio.Task[None] | None = None
        self.main_loop: asyncio.AbstractEventLoop | None = None  # for work finished in threads

    # -- errors and logging ------------------------------------------------------------------------
    def report_server_error(self, error: Exception, source: Any) -> None:
        # Protocol misuse (e.g. didChange for a closed document) is logged, never a pop-up.
        log.warning("ignored: %s: %s", type(error).__name__, error)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        message = scrub(message)  # paths and values from the workspace: secrets masked, controls shown
        log.info(message)
        with contextlib.suppress(Exception):  # before initialize there is no transport to write to
            self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.log(message, kind)
        with contextlib.suppress(Exception):
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # -- settings ----------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from ossa_lsp.lsp.settings import Settings

            self._settings = Settings()
        return self._settings

    def apply_settings(self, raw: Any) -> None:
        from ossa_lsp.lsp.settings import parse_settings

        settings, problems = parse_settings(raw)
        self._settings = settings
        logging.getLogger("ossa_lsp").setLevel(settings.log_level.upper())
        if problems != self._settings_problems:  # tell once, not on every configuration refresh
            for p in problems:
                self.tell(p)
        self._settings_problems = problems

    # -- which documents are ours ------------------------------------------------------------------
    @staticmethod
    def is_config(doc: TextDocument) -> bool:
        return PurePosixPath(doc.path or doc.uri).name in CONFIG_FILE_NAMES

    def is_ossa(self, doc: TextDocument) -> bool:
        """Documents we analyse: OSSA manifests, and our own `.ossa-lsp.yaml` (asked on every request, so
        the answer is kept per document until its text or the settings change)."""
        settings = self.settings
        source = doc.source
        hit = self._ossa_docs.get(doc)
        if hit is not None and hit[0] is source and hit[1] is settings:
            return hit[2]
        answer = self._is_ossa(doc, settings)
        self._ossa_docs[doc] = (source, settings, answer)
        return answer

    @staticmethod
    def _is_ossa(doc: TextDocument, settings: Settings) -> bool:
        if not settings.enable:
            return False
        path = doc.path or doc.uri
        name = PurePosixPath(path).name
        if is_ossa_name(name) or name in CONFIG_FILE_NAMES:
            return True
        if any(fnmatchcase(path, g) or fnmatchcase(name, g) or PurePosixPath(path).match(g)
               for g in settings.extra_files):
            return True
        if name.lower().endswith(DATA_SUFFIXES) or doc.language_id in ("yaml", "json", "jsonc"):
            return looks_like_ossa(doc.source, name)
        return False

    def schema_override(self, doc: TextDocument) -> CompiledSchema | None:
        from ossa_lsp.core.schema.registry import REGISTRY, SchemaError

        path = doc.path or ""
        for glob, schema_path in self.settings.schemas.items():
            if fnmatchcase(path, glob) or PurePosixPath(path).match(glob):
                try:
                    return REGISTRY.load_file(self.resolve_path(schema_path))
                except SchemaError as err:
                    if schema_path not in self._schema_errors_shown:
                        self._schema_errors_shown.add(schema_path)
                        self.tell(f"ossa.schemas: {err}", types.MessageType.Error)
        return None

    def resolve_path(self, path: str) -> str:
        if path.startswith(("/", "~")):
            return path
        root = self.workspace.root_path
        return f"{root}/{path}" if root else path

    # -- the workspace index ------------------------------------------------------------------------
    @property
    def index(self) -> WorkspaceIndex:
        """Every agent of every manifest in the workspace (open buffers win over files on disk)."""
        if self._index is None:
            from ossa_lsp.core.workspace.index import WorkspaceIndex

            self._index = WorkspaceIndex()
        return self._index

    def fresh(self, entry: Entry | None, doc: TextDocument) -> bool:
        """Current for this version; when only other manifests changed, just its cross-file findings
        are recomputed (index lookups: no parse, no schema validation)."""
        if entry is None or entry.version != doc.version:
            return False
        generation = self.index.mesh_generation
        if entry.generation != generation and entry.policy is not None:
            from ossa_lsp.core.rules import RULES

            analysis = entry.analysis
            cross = entry.policy.cross_file(analysis, self.index)
            kept = [f for f in analysis.findings if not (f.code in RULES and RULES[f.code].workspace)]
            analysis.findings = sorted(kept + cross, key=lambda f: f.sort_key())
            entry.generation = generation
        return True

    # -- analysis ----------------------------------------------------------------------------------
    def _run(self, uri: str, version: int | None, text: str, path: str, schema: CompiledSchema | None) -> Entry:
        from ossa_lsp.core.analyze import analyze
        from ossa_lsp.core.text.source import Limits

        if PurePosixPath(path).name in CONFIG_FILE_NAMES:
            return self._run_config(version, text, path)
        from ossa_lsp.core.text.source import parse

        limits = Limits(max_chars=self.settings.max_file_size)
        manifest = parse(text, path, limits)
        index = self.index
        changed = index.update_manifest(path, manifest, version)  # before the rules: they read the index
        generation = index.mesh_generation
        policy = self.policy_for(path)
        analysis = analyze(text, path, schema=schema, limits=limits, policy=policy,
                           default_version=self.settings.default_version, workspace=index, manifest=manifest)
        first = analysis.schemas.get(0) or next(iter(analysis.schemas.values()), None)
        if changed:
            self.others_changed(uri)
        return Entry(version, analysis, first, generation, policy)

    def others_changed(self, uri: str | None) -> None:
        """The workspace's agents changed: re-check the other open manifests (cross-file findings)."""
        from ossa_lsp.lsp.features.workspace import schedule_refresh

        schedule_refresh(self, uri)

    def _run_config(self, version: int | None, text: str, path: str) -> Entry:
        """Our config file: its problems (with positions) as findings; the config schema for completion."""
        from pathlib import Path

        from ossa_lsp.core.analyze import analyze
        from ossa_lsp.core.config.load import load_config_text
        from ossa_lsp.core.schema.registry import REGISTRY

        schema = REGISTRY.load_file(REGISTRY.directory / "ossa-lsp-config.schema.json")
        analysis = analyze(text, path, schema=schema)
        loaded = load_config_text(text, Path(path) if path.startswith("/") else None)
        analysis.findings = sorted((p.finding for p in loaded.problems), key=lambda f: f.sort_key())
        return Entry(version, analysis, schema)

    def policy_for(self, path: str) -> Any:
        """The policy (rules + config) for a file; None until the policy engine is available."""
        from ossa_lsp.core.config.load import resolve_policy

        try:
            policy, _problems = resolve_policy(path if path.startswith("/") else None, profile=self.settings.profile,
                                               select=tuple(self.settings.select), ignore=tuple(self.settings.ignore))
        except Exception as err:
            log.warning("policy unavailable for %s: %s", path, err)
            return None
        return policy

    def analysis_now(self, doc: TextDocument) -> Entry | None:
        """Cached analysis of the document's current version (computed inline when missing)."""
        entry = self.cache.get(doc.uri)
        if entry is not None and self.fresh(entry, doc):
            return entry
        if not self.is_ossa(doc):
            return None
        entry = self._run(doc.uri, doc.version, doc.source, doc.path or doc.uri, self.schema_override(doc))
        self.cache[doc.uri] = entry
        return entry

    async def analysis_async(self, doc: TextDocument) -> Entry | None:
        if not self.settings_ready.is_set():  # the first didOpen races the configuration request
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.settings_ready.wait(), timeout=2)
        entry = self.cache.get(doc.uri)
        if entry is not None and self.fresh(entry, doc):
            return entry
        if not self.is_ossa(doc):
            return None
        version, text = doc.version, doc.source
        if len(text) > THREAD_THRESHOLD:
            running = self.inflight.get(doc.uri)
            if running is not None and running[0] == version:  # e.g. a cross-file refresh during the first run
                entry = await asyncio.shield(running[1])
            else:
                schema = self.schema_override(doc)
                task = asyncio.ensure_future(asyncio.to_thread(self._run, doc.uri, version, text,
                                                               doc.path or doc.uri, schema))
                self.inflight[doc.uri] = (version, task)
                try:
                    entry = await asyncio.shield(task)
                finally:
                    if self.inflight.get(doc.uri, (None, None))[1] is task:
                        del self.inflight[doc.uri]
            self.fresh(entry, doc)  # other manifests may have changed while it ran
        else:
            entry = self._run(doc.uri, version, text, doc.path or doc.uri, self.schema_override(doc))
        current = self.open_document(doc.uri)
        if current is not None and current.version == version:
            self.cache[doc.uri] = entry
        return entry

    def open_document(self, uri: str) -> TextDocument | None:
        """The open document for `uri`, or None (never a document read from disk behind our back)."""
        return self.workspace.text_documents.get(unquote(uri))  # pygls keys documents by the unquoted URI

    # -- transport -----------------------------------------------------------------------------------
    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        if stdin is not None or stdout is not None or sys.platform == "win32":
            super().start_io(stdin, stdout)
            return
        from ossa_lsp.lsp.runtime.transport import serve_stdio

        serve_stdio(self)

    def forget(self, uri: str) -> None:
        self.cache.pop(uri, None)
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()


def create_server() -> OssaLanguageServer:
    from ossa_lsp.lsp.features import (
        code_actions,
        commands,
        completion,
        diagnostics,
        hover,
        lifecycle,
        structure,
        workspace,
    )

    ls = OssaLanguageServer()
    for module in (lifecycle, diagnostics, completion, hover, structure, code_actions, commands, workspace):
        module.register(ls)
    return ls


def _setup_logging(log_file: str | None, verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else \
        logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pygls").setLevel(max(level, logging.WARNING))


def run(tcp: tuple[str, int] | None = None, ws: tuple[str, int] | None = None, log_file: str | None = None,
        verbosity: int = 0) -> int:
    _setup_logging(log_file, verbosity)
    ls = create_server()
    if tcp is not None:
        ls.start_tcp(*tcp)
    elif ws is not None:
        ls.start_ws(*ws)
    else:
        ls.start_io()
    return 0


__all__ = ["OssaLanguageServer", "create_server", "run"]
