"""OssaLanguageServer: the server's state, and nothing that talks to the client on its own.

It owns the client's settings and capabilities, which open documents are ours, the analysis cache
(per uri and version; big documents analysed in a worker thread so answers elsewhere keep coming),
the workspace index, and the one diagnostics store. Handlers live in `features/`, sending to the
client in `publish.py`, process and transport wiring in `app.py`; none of them is imported here.

When an analysis changes what cross-file rules read, the server only raises `refresh_wanted`;
the refresher in `publish.py` re-checks the other open manifests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from ossa_lsp import __version__
from ossa_lsp.core.constants import CONFIG_NAMES
from ossa_lsp.core.discover import is_editor_document
from ossa_lsp.core.scrub import scrub

if TYPE_CHECKING:  # the engine (jsonschema, yaml, pydantic) loads after `initialize` is answered
    from ossa_lsp.core.analyze import Analysis
    from ossa_lsp.core.answers.hover import AnswerCache
    from ossa_lsp.core.schema.registry import CompiledSchema
    from ossa_lsp.core.workspace.index import WorkspaceIndex
    from ossa_lsp.lsp.settings import Settings

log = logging.getLogger("ossa_lsp")
NO_REFRESH = "\0"  # `refresh_skip` when no cross-file refresh is requested (never a uri)
THREAD_THRESHOLD = 40_000  # characters; smaller documents are analysed inline (faster than a thread hop)
SETTINGS_WAIT_S = 2.0  # the first didOpen races the configuration request: wait this long for it
INDEX_WAIT_S = 3.0  # navigation right after start-up waits this long for the first index build


@dataclass
class Entry:
    version: int | None
    analysis: Analysis
    schema: CompiledSchema | None  # the schema of the first document, for completion and hover
    generation: int = -1  # the workspace index generation the cross-file findings were computed at
    policy: Any = None  # the policy it was checked with (to recompute cross-file findings)


class DiagnosticsStore:
    """Every diagnostic the server has computed, keyed by (source, uri).

    Sources: `ANALYSIS` for open documents (pulled by clients that pull, pushed to the others) and
    `WORKSPACE` for closed files checked by "validate workspace" (always pushed: this server offers no
    workspace pull). `pushed` holds the uris whose pushed diagnostics the client still shows, so they
    are cleared exactly when nothing is left to show."""

    ANALYSIS = "analysis"
    WORKSPACE = "workspace"

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[list[types.Diagnostic], str]] = {}
        self.pushed: set[str] = set()
        self._serial = 0

    def put(self, source: str, uri: str, diagnostics: list[types.Diagnostic], compare: bool = False) -> str:
        """Store them; returns their result id. With `compare` (for pull requests) the id stays the same
        when the diagnostics did; a push needs no id, so it skips the comparison (thousands of
        diagnostics in a big file)."""
        old = self._items.get((source, uri))
        if compare and old is not None and old[0] == diagnostics:
            return old[1]
        self._serial += 1
        self._items[(source, uri)] = (diagnostics, str(self._serial))
        return str(self._serial)

    def get(self, source: str, uri: str) -> tuple[list[types.Diagnostic], str] | None:
        return self._items.get((source, uri))

    def drop(self, source: str, uri: str) -> bool:
        return self._items.pop((source, uri), None) is not None

    def uris(self, source: str) -> set[str]:
        return {uri for s, uri in self._items if s == source}

    def to_push(self, uri: str, pull: bool) -> list[types.Diagnostic]:
        """What a push for `uri` carries: every source the client does not pull."""
        sources = (self.WORKSPACE,) if pull else (self.ANALYSIS, self.WORKSPACE)
        return [d for s in sources for d in self._items.get((s, uri), ([], ""))[0]]


class OssaLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ossa-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        # the client
        self._settings: Settings | None = None
        self._settings_problems: list[str] = []
        self.settings_ready = asyncio.Event()  # set once the client's settings have been read
        self.init_options: Any = None
        self.pull = False
        self.snippets = True
        self.markdown = True
        self.config_support = False
        self.shutdown_requested = False
        self.exit_status = 0  # of the process: 1 when `exit` came without `shutdown` (LSP spec)
        # documents and their analyses
        self._ossa_docs: weakref.WeakKeyDictionary[TextDocument, tuple[str, Settings, bool]] = \
            weakref.WeakKeyDictionary()
        self._lines: weakref.WeakKeyDictionary[TextDocument, tuple[str, Sequence[str]]] = weakref.WeakKeyDictionary()
        self._schema_errors_shown: set[str] = set()
        self.cache: dict[str, Entry] = {}
        self.inflight: dict[str, tuple[int | None, asyncio.Future[Entry]]] = {}  # big documents being analysed
        self.pending: dict[str, asyncio.Task[None]] = {}  # debounced publishes
        self.diagnostics = DiagnosticsStore()
        self.validating = asyncio.Lock()  # one "validate workspace" at a time (publishes never interleave)
        # closed manifests (features/pull.py): pulled once the client asks for the workspace, else pushed
        self.workspace_pull = False
        self.closed_files: Any = None
        self.closed_push_task: asyncio.Task[None] | None = None
        self.closed_changed: Callable[[], None] | None = None  # the workspace's files or agents changed
        self._hover_answers: AnswerCache | None = None
        # the workspace index and the cross-file refresh it triggers
        self._index: WorkspaceIndex | None = None
        self.index_task: asyncio.Task[int] | None = None
        self.refresh_wanted = asyncio.Event()
        self.refresh_skip: str | None = NO_REFRESH  # the document whose own edit caused the pending refresh
        self.refresh_task: asyncio.Task[None] | None = None
        self.closed_paths: set[str] = set()  # closed buffers whose file on disk is to be re-indexed
        self.closed_task: asyncio.Task[None] | None = None
        # the process
        self.main_loop: asyncio.AbstractEventLoop | None = None  # for work finished in threads
        self.last_activity = 0.0  # time.monotonic() of the last message (stdio transport), for idle-time GC
        self.gc_task: asyncio.Task[None] | None = None

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
        message = scrub(message)
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
        if settings != self._settings:  # analyses made before (e.g. for a request ahead of the settings) are stale
            self.cache.clear()
        self._settings = settings
        logging.getLogger("ossa_lsp").setLevel(settings.log_level.upper())
        if problems != self._settings_problems:  # tell once, not on every configuration refresh
            for p in problems:
                self.tell(p)
        self._settings_problems = problems

    async def settings_read(self) -> None:
        """Wait (briefly) until the client's settings are known."""
        if not self.settings_ready.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.settings_ready.wait(), timeout=SETTINGS_WAIT_S)

    # -- which documents are ours ------------------------------------------------------------------
    def lines(self, doc: TextDocument) -> Sequence[str]:
        """The document's lines as pygls splits them (for position conversion), split once per text:
        pygls' `doc.lines` re-splits the whole text on every access. Kept while the document lives."""
        source = doc.source
        hit = self._lines.get(doc)
        if hit is not None and hit[0] is source:
            return hit[1]
        lines = doc.lines
        self._lines[doc] = (source, lines)
        return lines

    @staticmethod
    def is_config(doc: TextDocument) -> bool:
        return PurePosixPath(doc.path or doc.uri).name in CONFIG_NAMES

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
        # one answer for the server and the start-up lane (runtime/boot.py)
        return settings.enable and is_editor_document(doc.path or doc.uri, doc.language_id, doc.source,
                                                      settings.extra_files)

    def open_document(self, uri: str) -> TextDocument | None:
        """The open document for `uri`, or None (never a document read from disk behind our back)."""
        return self.workspace.text_documents.get(unquote(uri))  # pygls keys documents by the unquoted URI

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

    @property
    def hover_answers(self) -> AnswerCache:
        """Hover markdown already built, for the server's lifetime (bounded)."""
        if self._hover_answers is None:
            from ossa_lsp.core.answers.hover import AnswerCache

            self._hover_answers = AnswerCache()
        return self._hover_answers

    # -- the workspace index ------------------------------------------------------------------------
    @property
    def index(self) -> WorkspaceIndex:
        """Every agent of every manifest in the workspace (open buffers win over files on disk)."""
        if self._index is None:
            from ossa_lsp.core.workspace.index import WorkspaceIndex

            self._index = WorkspaceIndex()
        return self._index

    async def index_ready(self) -> None:
        """Navigation right after start-up waits (briefly) for the first index build."""
        task = self.index_task
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(task), INDEX_WAIT_S)

    def request_refresh(self, changed_uri: str | None) -> None:
        """The workspace's agents changed: the other open manifests are to be re-checked (by the
        refresher in publish.py). Requests coalesce: only a uri every one of them skipped stays skipped."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # called from a worker thread: hop onto the server's loop
            if self.main_loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop already closed
                    self.main_loop.call_soon_threadsafe(self.request_refresh, changed_uri)
            return
        if self.refresh_skip == NO_REFRESH:
            self.refresh_skip = changed_uri
        elif self.refresh_skip != changed_uri:
            self.refresh_skip = None
        self.refresh_wanted.set()

    # -- analysis ----------------------------------------------------------------------------------
    def fresh(self, entry: Entry | None, doc: TextDocument) -> bool:
        """Current for this version; when only other manifests changed, just its cross-file findings
        are recomputed (index lookups: no parse, no schema validation)."""
        if entry is None or entry.version != doc.version:
            return False
        generation = self.index.mesh_generation
        if entry.generation != generation and entry.policy is not None:
            from ossa_lsp.core.workspace.recheck import recheck

            recheck(entry.analysis, entry.policy, self.index)
            entry.generation = generation
        return True

    def analysis_now(self, doc: TextDocument) -> Entry | None:
        """Cached analysis of the document's current version (computed inline when missing)."""
        entry = self.cache.get(doc.uri)
        if entry is not None and self.fresh(entry, doc):
            return entry
        if not self.is_ossa(doc):
            return None
        entry = self.analyse(doc.uri, doc.version, doc.source, doc.path or doc.uri, self.schema_override(doc))
        self.cache[doc.uri] = entry
        return entry

    async def analysis_async(self, doc: TextDocument) -> Entry | None:
        """As `analysis_now`, with big documents analysed in a thread (one run per version at a time)."""
        await self.settings_read()
        entry = self.cache.get(doc.uri)
        if entry is not None and self.fresh(entry, doc):
            return entry
        if not self.is_ossa(doc):
            return None
        version, text = doc.version, doc.source
        if len(text) > THREAD_THRESHOLD:
            entry = await self._analyse_in_thread(doc, version, text)
            self.fresh(entry, doc)  # other manifests may have changed while it ran
        else:
            entry = self.analyse(doc.uri, version, text, doc.path or doc.uri, self.schema_override(doc))
        current = self.open_document(doc.uri)
        if current is not None and current.version == version:
            self.cache[doc.uri] = entry
        return entry

    async def _analyse_in_thread(self, doc: TextDocument, version: int | None, text: str) -> Entry:
        running = self.inflight.get(doc.uri)
        if running is not None and running[0] == version:  # e.g. a cross-file refresh during the first run
            return await asyncio.shield(running[1])
        task = asyncio.ensure_future(asyncio.to_thread(self.analyse, doc.uri, version, text, doc.path or doc.uri,
                                                       self.schema_override(doc)))
        self.inflight[doc.uri] = (version, task)
        try:
            return await asyncio.shield(task)
        finally:
            if self.inflight.get(doc.uri, (None, None))[1] is task:
                del self.inflight[doc.uri]

    def analyse(self, uri: str, version: int | None, text: str, path: str, schema: CompiledSchema | None) -> Entry:
        """Analyse one text (any thread); the index is updated first, since cross-file rules read it."""
        from ossa_lsp.core.analyze import analyze
        from ossa_lsp.core.text.source import Limits, parse

        if PurePosixPath(path).name in CONFIG_NAMES:
            return self._analyse_config(version, text, path)
        limits = Limits(max_chars=self.settings.max_file_size)
        manifest = parse(text, path, limits)
        index = self.index
        changed = index.update_manifest(path, manifest, version)
        generation = index.mesh_generation
        policy = self.policy_for(path)
        analysis = analyze(text, path, schema=schema, limits=limits, policy=policy,
                           default_version=self.settings.default_version, workspace=index, manifest=manifest)
        first = analysis.schemas.get(0) or next(iter(analysis.schemas.values()), None)
        if changed:
            self.request_refresh(uri)
        return Entry(version, analysis, first, generation, policy)

    def _analyse_config(self, version: int | None, text: str, path: str) -> Entry:
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

    def forget(self, uri: str) -> None:
        self.cache.pop(uri, None)
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()


__all__ = ["DiagnosticsStore", "Entry", "OssaLanguageServer"]
