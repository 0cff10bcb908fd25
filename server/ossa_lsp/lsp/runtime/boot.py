"""The server's first second: the start-up lane, which answers from raw JSON while the framework loads.

Building the protocol framework (lsprotocol's ~570 attrs classes, pygls, cattrs) costs ~0.5 s of CPU
before it can read a single message; the engine (parser, schemas, rules) ~0.15 s. A user opening a
manifest waits for both before the first squiggle. So the process starts with the engine only (loaded in a
thread from the first instruction, while the client is still starting), and this lane handles what a
session's first messages need, directly from their JSON:

- `initialize`: answered from the disk cache (`diskcache.py`) — the answer pygls gave this same build for
  the same client capabilities and options. No cached answer: the framework is loaded at once and
  answers it (and its answer is cached for the next start).
- `initialized`, `workspace/didChangeConfiguration`: the settings (asked of the client as the server does).
- `textDocument/didOpen`: the manifest is analysed by the engine and its diagnostics pushed (clients that
  pull diagnostics ask through the framework) — exactly what the server would send, minus cross-file
  findings, which need the workspace index and follow once the framework is up.
- `shutdown` / `exit` before the framework is needed: answered here.

Everything else (any other request, an edit, a setting this lane cannot read with certainty) hands over:
the framework is loaded (it usually already is, in the background), the server is created, and every
message seen so far is replayed to it in order, so its state is exactly that of a server that saw them
itself. What this lane already sent is not sent twice: the replayed `initialize`/`shutdown` answers and
identical diagnostics are dropped on the way out (`HandoverWriter`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from ossa_lsp.core.constants import CONFIG_NAMES, PROFILES
from ossa_lsp.core.discover import is_editor_document

if TYPE_CHECKING:
    from ossa_lsp.core.findings import Finding

log = logging.getLogger("ossa_lsp")
CONFIG_ID = "ossa-lsp/boot/configuration"  # the id of this lane's own workspace/configuration request
SETTINGS_WAIT_S = 2.0  # as the server: a didOpen waits this long for the client's settings
LOAD_AFTER_S = 0.25  # the framework starts loading this long after `initialize` if nothing needs it sooner
PASSIVE = frozenset({"$/cancelRequest", "$/setTrace", "$/progress"})  # replayed, nothing to do here


# -- the engine, loaded while the client starts ------------------------------------------------------
def preload_engine() -> None:
    """Import the analysis engine and compile the newest schema (any thread)."""
    try:
        from ossa_lsp.core.analyze import analyze  # noqa: F401
        from ossa_lsp.core.config.load import resolve_policy  # noqa: F401
        from ossa_lsp.core.schema.registry import REGISTRY
        from ossa_lsp.core.text.source import parse  # noqa: F401

        REGISTRY.get(REGISTRY.supported()[-1]).validator  # noqa: B018
    except Exception:  # the server proper reports engine problems where they matter
        log.debug("engine preload failed", exc_info=True)


def framework_stamp() -> str:
    """The build the cached `initialize` answers belong to: ours, and the framework's files."""
    import importlib.util

    from ossa_lsp.lsp.runtime.diskcache import build_stamp

    files: list[str] = []
    pkg_files: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("lsprotocol", ("types.py",)), ("pygls", ("capabilities.py", "protocol/language_server.py")))
    for pkg, names in pkg_files:
        spec = importlib.util.find_spec(pkg)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            files += [os.path.join(folder, n) for n in names]
    lsp = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder, _dirs, found in sorted(os.walk(lsp)):
        files += [os.path.join(folder, n) for n in sorted(found) if n.endswith(".py")]
    return build_stamp(files)


def init_key(params: Any) -> str | None:
    """What the `initialize` answer depends on: the client's capabilities and initialization options."""
    from ossa_lsp.lsp.runtime.diskcache import key_of

    if not isinstance(params, dict) or not isinstance(params.get("capabilities"), dict):
        return None
    return key_of([params["capabilities"], params.get("initializationOptions")])


# -- settings, read without the framework ----------------------------------------------------------
@dataclass(frozen=True)
class BootSettings:
    """The settings that decide a document's diagnostics, read only when they are plainly valid (anything
    else is left to the server's own settings model: `read_settings` then returns None)."""

    enable: bool = True
    extra_files: tuple[str, ...] = ()
    max_file_size: int = 2_000_000
    profile: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    default_version: str | None = None
    schemas: dict[str, str] = field(default_factory=dict)


def _pick(raw: dict[str, Any], camel: str, snake: str) -> Any:
    return raw[camel] if camel in raw else raw.get(snake)


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def read_settings(raw: Any) -> BootSettings | None:
    """As `lsp.settings.parse_settings` for valid input; None for anything it would have to correct."""
    if raw is None:
        return BootSettings()
    if not isinstance(raw, dict):
        return None
    if isinstance(raw.get("ossa"), dict) and len(raw) == 1:
        raw = raw["ossa"]
    enable, size = _pick(raw, "enable", "enable"), _pick(raw, "maxFileSize", "max_file_size")
    profile, version = _pick(raw, "profile", "profile"), _pick(raw, "defaultVersion", "default_version")
    extra, select, ignore = (_strings(_pick(raw, c, s)) for c, s in (
        ("extraFiles", "extra_files"), ("select", "select"), ("ignore", "ignore")))
    schemas = _pick(raw, "schemas", "schemas")
    if (enable is not None and type(enable) is not bool) or extra is None or select is None or ignore is None:
        return None
    if size is not None and (type(size) is not int or not 10_000 <= size <= 50_000_000):
        return None
    if (profile is not None and profile not in PROFILES) or (version is not None and not isinstance(version, str)):
        return None
    if schemas is not None and not (isinstance(schemas, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in schemas.items())):
        return None
    return BootSettings(enable=enable is not False, extra_files=extra, max_file_size=size or 2_000_000,
                        profile=profile, select=select, ignore=ignore, default_version=version,
                        schemas=dict(schemas or {}))


# -- diagnostics as JSON -----------------------------------------------------------------------------
def _position(lines: list[str], line: int, character: int, encoding: str) -> dict[str, int]:
    from ossa_lsp.core.text.spans import to_units

    if line >= len(lines):  # past the end: where pygls' codec puts it (as lsp/convert.py)
        return {"line": len(lines), "character": 0}
    return {"line": line, "character": to_units(lines[line], character, encoding)}


def diagnostic_json(uri: str, f: Finding, lines: list[str], encoding: str) -> dict[str, Any] | None:
    """The LSP Diagnostic `lsp/convert.diagnostic` makes, as JSON; None when it would need the framework
    (related information in another file)."""
    from ossa_lsp.core.codes import doc_url

    def rng(span: Any) -> dict[str, Any]:
        return {"start": _position(lines, span.start.line, span.start.character, encoding),
                "end": _position(lines, span.end.line, span.end.character, encoding)}

    if any(r.path is not None for r in f.related):
        return None
    out: dict[str, Any] = {
        "range": rng(f.span), "message": f.message, "severity": int(f.severity),
        "code": f.code, "codeDescription": {"href": doc_url(f.code)}, "source": f"ossa-{f.source}",
        "data": {"pointer": f.pointer, "document": f.document, **({"fixes": len(f.fixes)} if f.fixes else {})},
    }
    if f.related:
        out["relatedInformation"] = [{"location": {"uri": uri, "range": rng(r.span)}, "message": r.message}
                                     for r in f.related]
    return out


def analyse_json(uri: str, path: str, version: Any, text: str, settings: BootSettings, encoding: str
                 ) -> list[dict[str, Any]] | None:
    """The diagnostics the server would push for a manifest (cross-file ones aside); None: not for this lane."""
    from ossa_lsp.core.analyze import analyze
    from ossa_lsp.core.config.load import resolve_policy
    from ossa_lsp.core.text.source import Limits, parse

    name = PurePosixPath(path).name
    if name in CONFIG_NAMES or any(fnmatchcase(path, g) or PurePosixPath(path).match(g) for g in settings.schemas):
        return None  # our config file and schema overrides: the server's own path
    limits = Limits(max_chars=settings.max_file_size)
    manifest = parse(text, path, limits)
    policy, _problems = resolve_policy(path if path.startswith("/") else None, profile=settings.profile,
                                       select=settings.select, ignore=settings.ignore)
    analysis = analyze(text, path, limits=limits, policy=policy, default_version=settings.default_version,
                       manifest=manifest)
    lines = text.splitlines(True)  # as pygls splits a document
    out = []
    for f in analysis.findings:
        if f.suppressed is None:
            d = diagnostic_json(uri, f, lines, encoding)
            if d is None:
                return None
            out.append(d)
    return out


def fs_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    return unquote(parsed.path)


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message)  # ASCII: its length in characters is its length in bytes
    return f"Content-Length: {len(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" \
           f"{body}".encode()


@dataclass
class _Doc:
    uri: str
    version: Any
    text: str
    language_id: str | None


class Boot:
    """The start-up lane's state: what the client told it, what it answered, what to replay."""

    def __init__(self, write: Callable[[bytes], None], engine: threading.Thread | None = None,
                 cache: Any = None) -> None:
        self.write = write
        self.engine = engine
        self.cache = cache  # DiskCache of `initialize` answers (None: made on first use)
        self.replay: list[bytes] = []
        self.blocked = False  # the framework is needed: messages only queue up for the replay
        self.answered: dict[Any, str] = {}  # ids of requests answered here → method
        self.init_key: str | None = None
        self.init_id: Any = None
        self.encoding = "utf-16"
        self.pull = self.config_support = False
        self.settings: BootSettings | None = BootSettings()
        self.settings_known = False
        self.waiting: list[_Doc] = []  # opened before the settings were known
        self.published: dict[str, dict[str, Any]] = {}  # uri → the publishDiagnostics params sent
        self.shutdown = False
        self.exit_status: int | None = None  # set by `exit`: the process ends
        self.want_framework: Callable[[], None] = lambda: None  # start loading the framework (set by _Session)
        self.on_exit: Callable[[], Any] = lambda: None  # end the process (set by _Session)
        self.timer: asyncio.TimerHandle | None = None
        self.started = time.perf_counter()
        self.stamps: list[tuple[str, float, float]] = []  # (what, ms since start, process CPU s), for the log

    def stamp(self, what: str) -> None:
        self.stamps.append((what, (time.perf_counter() - self.started) * 1000, time.process_time()))

    # -- messages --------------------------------------------------------------------------------------
    def accept(self, body: bytes) -> None:
        """One message from the client, in order."""
        if self.blocked:
            self.replay.append(body)
            return
        try:
            msg = json.loads(body)
            method = msg.get("method") if isinstance(msg, dict) else None
        except ValueError:
            msg, method = None, None
        if isinstance(msg, dict) and method is None and msg.get("id") == CONFIG_ID:
            self._on_settings(msg.get("result"))  # our own request's answer: not the server's to see
            return
        self.replay.append(body)
        handler = self._handlers().get(method) if isinstance(method, str) else None
        if method in PASSIVE:
            return
        handled = False
        try:
            handled = handler is not None and handler(msg.get("params"), msg.get("id")) is not False
        except Exception:
            log.debug("start-up lane: %s left to the server", method, exc_info=True)
        if not handled:
            self.block()

    @staticmethod
    def late_answer(body: bytes) -> bool:
        """The client's answer to the lane's settings request, arriving after the hand-over: dropped (the
        server asked for the settings itself)."""
        try:
            msg = json.loads(body)
        except ValueError:
            return False
        return isinstance(msg, dict) and "method" not in msg and msg.get("id") == CONFIG_ID

    def block(self) -> None:
        if not self.blocked:
            self.blocked = True
            self.want_framework()

    def _handlers(self) -> dict[str, Callable[[Any, Any], bool | None]]:
        return {"initialize": self._on_initialize, "initialized": self._on_initialized,
                "workspace/didChangeConfiguration": self._on_config, "textDocument/didOpen": self._on_open,
                "shutdown": self._on_shutdown, "exit": self._on_exit}

    # -- the session's first messages ------------------------------------------------------------------
    def _on_initialize(self, params: Any, msg_id: Any) -> bool:
        key = init_key(params)
        if self.init_id is not None or key is None or not isinstance(msg_id, (int, str)):
            return False
        self.init_id, self.init_key = msg_id, key
        caps = params["capabilities"]
        td, ws = caps.get("textDocument") or {}, caps.get("workspace") or {}
        self.pull = bool(isinstance(td, dict) and td.get("diagnostic"))
        self.config_support = bool(isinstance(ws, dict) and ws.get("configuration"))
        self.settings = read_settings(params.get("initializationOptions"))
        result = self._cache().get(key)
        if not isinstance(result, dict) or not isinstance(result.get("capabilities"), dict):
            return False  # first start of this build for this client: the framework answers (and is cached)
        if self.engine is not None:
            self.engine.join()  # the answer waits for the engine, so the first didOpen does not
        self.encoding = str(result["capabilities"].get("positionEncoding") or "utf-16")
        self.write(frame({"jsonrpc": "2.0", "id": msg_id, "result": result}))
        self.answered[msg_id] = "initialize"
        self.stamp("initialize answered")
        with contextlib.suppress(RuntimeError):
            self.timer = asyncio.get_running_loop().call_later(LOAD_AFTER_S, self.want_framework)
        return True

    def _on_initialized(self, params: Any, msg_id: Any) -> bool:
        if self.init_id is None:
            return False
        if not self.config_support:
            self._settings_read()
            return True
        self.write(frame({"jsonrpc": "2.0", "id": CONFIG_ID, "method": "workspace/configuration",
                          "params": {"items": [{"section": "ossa"}]}}))
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(SETTINGS_WAIT_S, self._settings_read)
        return True

    def _on_config(self, params: Any, msg_id: Any) -> bool:
        if not self.config_support and isinstance(params, dict) and params.get("settings") is not None:
            self.settings = read_settings(params["settings"])
        return True

    def _on_settings(self, result: Any) -> None:
        if isinstance(result, list) and result:
            self.settings = read_settings(result[0])
        self._settings_read()

    def _settings_read(self) -> None:
        if self.settings_known or self.blocked:
            return
        self.settings_known = True
        waiting, self.waiting = self.waiting, []
        for doc in waiting:
            if not self._publish(doc):
                self.block()
                return

    def _on_open(self, params: Any, msg_id: Any) -> bool:
        item = params.get("textDocument") if isinstance(params, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("uri"), str) or not isinstance(item.get("text"), str):
            return False
        if self.pull:
            return True  # the client asks for diagnostics (through the framework)
        doc = _Doc(item["uri"], item.get("version"), item["text"], item.get("languageId"))
        if not self.settings_known:
            self.waiting.append(doc)
            return True
        return self._publish(doc)

    def _publish(self, doc: _Doc) -> bool:
        settings, path = self.settings, fs_path(doc.uri)
        if settings is None or path is None or doc.uri in self.published:
            return False
        if not (settings.enable and is_editor_document(path, doc.language_id, doc.text, settings.extra_files)):
            return True
        diagnostics = analyse_json(doc.uri, path, doc.version, doc.text, settings, self.encoding)
        if diagnostics is None:
            return False
        params: dict[str, Any] = {"uri": doc.uri, "diagnostics": diagnostics}
        if doc.version is not None:
            params = {"uri": doc.uri, "version": doc.version, "diagnostics": diagnostics}
        self.write(frame({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}))
        self.published[doc.uri] = params
        self.stamp("first diagnostics" if len(self.published) == 1 else "diagnostics")
        self.want_framework()  # the first squiggle is out: now the rest of the server
        return True

    def _on_shutdown(self, params: Any, msg_id: Any) -> bool:
        if not isinstance(msg_id, (int, str)) or msg_id in self.answered:
            return False
        self.shutdown = True
        self.write(frame({"jsonrpc": "2.0", "id": msg_id, "result": None}))
        self.answered[msg_id] = "shutdown"
        return True

    def _on_exit(self, params: Any, msg_id: Any) -> bool:
        self.exit_status = 0 if self.shutdown else 1  # LSP: `exit` without `shutdown` ends with 1
        self.on_exit()
        return True

    # -- the disk cache --------------------------------------------------------------------------------
    def _cache(self) -> Any:
        if self.cache is None:
            from ossa_lsp.lsp.runtime.diskcache import DiskCache

            self.cache = DiskCache("initialize", framework_stamp())
        return self.cache

    def framework_answered(self, result: Any) -> None:
        """pygls' own answer to the replayed `initialize`: kept for the next start."""
        if self.init_key is None or not isinstance(result, dict):
            return
        cache = self._cache()
        if self.init_id in self.answered and cache.get(self.init_key) != result:
            log.warning("the cached initialize answer differed from the server's; cache updated")
        if cache.get(self.init_key) != result:
            cache.put(self.init_key, result)


class HandoverWriter:
    """pygls' writer after the hand-over: drops what the start-up lane already sent (its answers to the
    replayed requests; the same diagnostics again), then passes everything through untouched."""

    WATCH = 1000  # messages: after this many the filter stands down whatever it still expected

    def __init__(self, inner: Any, boot: Boot) -> None:
        self.inner = inner
        self.boot = boot
        self.capture = boot.init_id is not None
        self.left = self.WATCH

    def close(self) -> None:
        self.inner.close()

    def write(self, data: bytes) -> None:
        if self.left and (self.capture or self.boot.answered or self.boot.published):
            self.left -= 1
            if self._swallow(data):
                return
        self.inner.write(data)

    def _swallow(self, data: bytes) -> bool:
        try:
            msg = json.loads(data[data.index(b"\r\n\r\n") + 4:])
        except ValueError:
            return False
        if not isinstance(msg, dict):
            return False
        boot = self.boot
        if "method" not in msg:
            msg_id = msg.get("id")
            if self.capture and msg_id == boot.init_id:
                self.capture = False
                boot.framework_answered(msg.get("result"))
            return boot.answered.pop(msg_id, None) is not None
        if msg.get("method") == "textDocument/publishDiagnostics" and isinstance(msg.get("params"), dict):
            sent = boot.published.pop(msg["params"].get("uri"), None)
            return sent is not None and sent == msg["params"]
        return False


# -- the process ---------------------------------------------------------------------------------------
def serve(log_file: str | None = None, verbosity: int = 0) -> int:
    """The language server on stdin/stdout, starting with the start-up lane; the process exit status."""
    import stat
    import sys

    from ossa_lsp.lsp.runtime.logsetup import setup_logging

    setup_logging(log_file, verbosity)
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
        piped = stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
    except (OSError, ValueError):
        piped = False
    if not piped:  # a file or device on stdin: pygls' own reader, no lane
        from ossa_lsp.lsp.app import run

        return run(log_file=log_file, verbosity=verbosity, logging_ready=True)
    engine = threading.Thread(target=preload_engine, name="ossa-engine", daemon=True)
    engine.start()
    out = sys.stdout.buffer

    def write(data: bytes) -> None:
        out.write(data)
        out.flush()

    return _Session(Boot(write, engine)).run()


class _Session:
    """The event loop, the stdin reader, and the hand-over from the lane to the server."""

    def __init__(self, boot: Boot) -> None:
        self.boot = boot
        self.ls: Any = None
        self.loading: threading.Thread | None = None
        self.reader: Any = None

    def run(self) -> int:
        from ossa_lsp.lsp.runtime import transport

        try:
            asyncio.run(self._serve(transport))
        except BrokenPipeError:
            log.error("the client closed the connection; shutting down")
        except (KeyboardInterrupt, SystemExit):  # SystemExit: pygls' `exit` handler
            pass
        finally:
            if self.ls is not None:
                self.ls.shutdown()
        if self.ls is not None and self.boot.exit_status is None:
            return int(self.ls.exit_status)
        return self.boot.exit_status or 0

    async def _serve(self, transport: Any) -> None:
        import sys

        loop = asyncio.get_running_loop()
        loop.set_exception_handler(transport._quiet_cancellation)
        done: asyncio.Future[None] = loop.create_future()
        self.boot.want_framework = lambda: self._load(loop)

        def end() -> None:
            if not done.done():
                done.set_result(None)

        self.boot.on_exit = end
        self.reader = transport._StdinProtocol(None, done, None, boot=self.boot)
        await loop.connect_read_pipe(lambda: self.reader, sys.stdin.buffer)
        await done

    def _load(self, loop: asyncio.AbstractEventLoop) -> None:
        """Load the framework in a thread (once); the hand-over follows on the loop."""
        if self.loading is not None:
            return
        if self.boot.timer is not None:
            self.boot.timer.cancel()

        def work() -> None:
            try:
                import ossa_lsp.lsp.app  # noqa: F401  (lsprotocol, pygls, the features)
            except BaseException:
                log.exception("loading the language server failed")
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(self._handover)

        self.loading = threading.Thread(target=work, name="ossa-framework", daemon=True)
        self.loading.start()

    def _handover(self) -> None:
        if self.boot.exit_status is not None:
            return
        try:
            self._take_over()
        except Exception:  # no server to hand over to: end, rather than leave the client waiting
            log.exception("the language server could not start")
            self.boot.exit_status = 1
            self.boot.on_exit()

    def _take_over(self) -> None:
        import sys

        from pygls.io_ import StdoutWriter

        from ossa_lsp.lsp.app import FAST_HOVER, create_server
        from ossa_lsp.lsp.runtime import transport

        ls = create_server()
        transport.attach(ls, HandoverWriter(StdoutWriter(sys.stdout.buffer), self.boot))
        ls.diagnostics.pushed.update(self.boot.published)  # so a close or a fix clears what the lane showed
        self.ls = ls
        self.reader.handover(ls, FAST_HOVER)
        self.boot.stamp("server took over")
        log.info("start-up, ms since the lane started (CPU s): %s",
                 ", ".join(f"{what} {ms:.0f} ({cpu:.2f})" for what, ms, cpu in self.boot.stamps))


__all__ = ["Boot", "BootSettings", "HandoverWriter", "analyse_json", "diagnostic_json", "preload_engine",
           "read_settings", "serve"]
