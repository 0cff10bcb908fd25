"""Server-side commands (`workspace/executeCommand`): validate the whole workspace, rule documentation.

Command ids live under `ossa-lsp.`; the VS Code extension's own palette commands live under `ossa.`.
The split matters: vscode-languageclient registers every command a server advertises as a VS Code
command of the same id, so a server command named like an extension command would make the
extension fail to activate ("command already exists"). The extension (and any other client) calls
these ids with `workspace/executeCommand`.

- `ossa-lsp.validateWorkspace [{"workDoneToken"?, "folders"?: [uri]}]` analyses every manifest of the
  workspace folders (the same discovery as `ossa-lsp check`), publishes diagnostics for the files
  that are not open (open files keep their normal push/pull diagnostics), reports `$/progress`, and
  returns `{"files", "errors", "warnings", "infos", "filesWithProblems", "folders"}`.
- `ossa-lsp.ruleDocs [code]` returns `{"code", "name", "markdown", "url"}` for a policy rule, a schema
  or a syntax code; with no argument, `{"rules": [{"code", "name", "summary", "kind"}]}`.

The agent graph (`ossa-lsp.agentGraph`) belongs to the workspace issue; the extension already calls
that id and says "not available in this server version" until a server registers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.lsp.server import OssaLanguageServer

VALIDATE_WORKSPACE = "ossa-lsp.validateWorkspace"
RULE_DOCS = "ossa-lsp.ruleDocs"
AGENT_GRAPH = "ossa-lsp.agentGraph"  # reserved for the workspace issue; not registered here
REPORT_EVERY_S = 0.1  # at most ~10 progress reports a second


@dataclass
class CommandState:
    """Per-server state of the commands: which closed files got diagnostics from the last run."""

    published: set[str] = field(default_factory=set)
    running: asyncio.Lock = field(default_factory=asyncio.Lock)


def _options(args: tuple[Any, ...]) -> dict[str, Any]:
    first = args[0] if args else None
    return first if isinstance(first, dict) else {}


def _folders(ls: OssaLanguageServer, wanted: list[str] | None) -> list[Path]:
    uris = wanted or [f.uri for f in ls.workspace.folders.values()] or \
        ([ls.workspace.root_uri] if ls.workspace.root_uri else [])
    out: list[Path] = []
    for uri in uris:
        path = to_fs_path(uri) if isinstance(uri, str) and uri.startswith("file:") else uri
        if isinstance(path, str) and Path(path).is_dir() and Path(path).resolve() not in out:
            out.append(Path(path).resolve())
    return out


def _excluded(ls: OssaLanguageServer, path: Path) -> bool:
    """Whether the governing .ossa-lsp.yaml excludes the file (as `ossa-lsp check` does)."""
    try:
        from ossa_lsp.core.config import load as config

        s = ls.settings
        args = config.Args(profile=s.profile, select=tuple(s.select), ignore=tuple(s.ignore))
        return bool(config.excluded(path, args))
    except Exception:  # an older or changing config module: exclude nothing rather than fail
        return False


def manifests(ls: OssaLanguageServer, folders: list[Path]) -> list[Path]:
    """The manifests of the folders: discovery as in `ossa-lsp check`, plus the `ossa.extraFiles` globs."""
    from ossa_lsp.core.discover import DATA_SUFFIXES, walk

    seen: dict[Path, None] = {}
    for folder in folders:
        for p in walk(folder):
            seen.setdefault(p.resolve(), None)
        for glob in ls.settings.extra_files:
            with contextlib.suppress(ValueError, OSError):
                for p in folder.glob(glob):
                    if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES):
                        seen.setdefault(p.resolve(), None)
    return [p for p in sorted(seen) if not _excluded(ls, p)]


def _open_document(ls: OssaLanguageServer, uri: str) -> TextDocument | None:
    """The open document for `uri`. pygls keys open documents by the unquoted URI, so a path with a
    space (`%20`) is looked up both ways."""
    return ls.open_document(uri) or ls.open_document(unquote(uri))


def _read(path: Path) -> tuple[str | None, Any]:
    from ossa_lsp.core import files

    try:
        loaded = files.load(path)  # regular files only, bounded: a FIFO or /dev/zero cannot stall the pass
    except files.FileError as err:
        raise OSError(str(err)) from None
    return loaded.text, loaded.problem


class Progress:
    """Work-done progress on a client token, a server-created token, or nothing."""

    def __init__(self, ls: OssaLanguageServer, token: Any) -> None:
        self.ls, self.token, self.last = ls, token, 0.0

    @classmethod
    async def start(cls, ls: OssaLanguageServer, client_token: Any, title: str) -> Progress:
        token = client_token if isinstance(client_token, (str, int)) else None
        caps = ls.client_capabilities.window if ls.client_capabilities else None
        if token is None and caps is not None and caps.work_done_progress:
            token = f"ossa-validate-{uuid.uuid4()}"
            try:
                await asyncio.wait_for(ls.work_done_progress.create_async(token), timeout=5)
            except Exception:
                token = None
        self = cls(ls, token)
        if token is not None:
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title=title, cancellable=True, percentage=0))
        return self

    @property
    def cancelled(self) -> bool:
        future = self.ls.work_done_progress.tokens.get(self.token) if self.token is not None else None
        return bool(future is not None and future.cancelled())

    def report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if self.token is None or (now - self.last < REPORT_EVERY_S and done < total):
            return
        self.last = now
        pct = round(100 * done / total) if total else 100
        self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(
            message=message, percentage=pct, cancellable=True))

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)


async def validate_workspace(ls: OssaLanguageServer, state: CommandState, options: dict[str, Any]) -> dict[str, Any]:
    from ossa_lsp.core.findings import Severity
    from ossa_lsp.lsp.convert import diagnostic

    if not ls.settings_ready.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ls.settings_ready.wait(), timeout=2)
    folders = _folders(ls, options.get("folders") if isinstance(options.get("folders"), list) else None)
    summary: dict[str, Any] = {"files": 0, "errors": 0, "warnings": 0, "infos": 0, "filesWithProblems": 0,
                               "folders": [from_fs_path(str(f)) for f in folders], "cancelled": False}
    if not ls.settings.enable:
        summary["message"] = "ossa.enable is off"
        return summary
    progress = await Progress.start(ls, options.get("workDoneToken"), "Validating OSSA manifests")
    files = await asyncio.to_thread(manifests, ls, folders)
    published: set[str] = set()
    try:
        for n, path in enumerate(files, 1):
            if progress.cancelled:
                summary["cancelled"] = True
                break
            progress.report(n - 1, len(files), f"{n}/{len(files)} {path.name}")
            uri = from_fs_path(str(path)) or path.as_uri()
            doc = _open_document(ls, uri)
            if doc is not None:  # open: the editor already shows its own (pushed or pulled) diagnostics
                entry = await ls.analysis_async(doc)
                findings = entry.analysis.findings if entry is not None else []
                diags = None
            else:
                try:
                    text, problem = await asyncio.to_thread(_read, path)
                except OSError as err:
                    ls.log(f"validate workspace: cannot read {path}: {err}", types.MessageType.Warning)
                    continue
                snapshot = TextDocument(uri, source=text or "", language_id=None,
                                        position_codec=ls.workspace.position_codec)
                if text is None:
                    findings = [problem] if problem is not None else []
                else:
                    entry = await asyncio.to_thread(ls._run, uri, None, text, str(path), ls.schema_override(snapshot))
                    findings = entry.analysis.findings
                diags = [diagnostic(snapshot, f) for f in findings if f.suppressed is None]
            live = [f for f in findings if f.suppressed is None]
            counts = {sev: sum(1 for f in live if f.severity == sev) for sev in Severity}
            summary["files"] += 1
            summary["errors"] += counts[Severity.ERROR]
            summary["warnings"] += counts[Severity.WARNING]
            summary["infos"] += counts[Severity.INFO] + counts[Severity.HINT]
            summary["filesWithProblems"] += 1 if live else 0
            if diags is not None and (diags or uri in state.published):
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diags))
                if diags:
                    published.add(uri)
            await asyncio.sleep(0)  # let completion, hover and cancellation in between
        if not summary["cancelled"]:  # files that had problems last time and are gone or open now
            for uri in state.published - published:
                if _open_document(ls, uri) is None:
                    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            state.published = published
        else:
            state.published |= published
    finally:
        s = summary
        progress.end(f"{s['files']} files: {s['errors']} errors, {s['warnings']} warnings")
    return summary


def _code_markdown(code: str) -> dict[str, Any] | None:
    from ossa_lsp.core.findings import CODES, doc_url

    info = CODES.get(code.upper())
    if info is None:
        return None
    kind = {"yaml": "syntax", "schema": "schema", "config": "configuration"}.get(info.source, info.source)
    body = f"# {info.code} `{info.name}`\n\n{info.summary}\n\n"
    if info.doc:
        body += f"{info.doc}\n\n"
    body += f"Severity: {info.severity.label} · kind: {kind} finding.\n\nOnline: {doc_url(info.code)}\n"
    return {"code": info.code, "name": info.name, "markdown": body, "url": doc_url(info.code)}


def rule_docs(key: str | None) -> dict[str, Any]:
    from ossa_lsp.core.findings import CODES, DOCS_BASE, doc_url

    try:
        from ossa_lsp.core.rules import in_order, lookup
        from ossa_lsp.output import rule_docs as docs
    except ImportError:
        docs = in_order = lookup = None  # type: ignore[assignment]
    if not key:
        out = [{"code": c.code, "name": c.name, "summary": c.summary, "kind": c.source}
               for c in CODES.values() if c.source in ("yaml", "schema", "config")]
        if in_order is not None:
            out += [{"code": r.code, "name": r.name, "summary": r.summary, "kind": "policy"} for r in in_order()]
        return {"rules": out}
    key = key.strip()
    if lookup is not None:
        rule = lookup(key)
        if rule is not None:
            return {"code": rule.code, "name": rule.name, "markdown": docs.page(rule),
                    "url": f"{DOCS_BASE}/rules/{rule.code}.md"}
    found = _code_markdown(key)
    if found is not None:
        return found
    hint = "" if lookup is not None else " (this server version has no policy rules)"
    return {"code": key, "name": None, "url": doc_url(key),
            "markdown": f"# {key}\n\nNo rule or finding code `{key}`{hint}. `ossa-lsp rules` lists them all.\n"}


def register(ls: OssaLanguageServer) -> None:
    state = CommandState()

    @ls.command(VALIDATE_WORKSPACE)
    async def on_validate_workspace(ls: OssaLanguageServer, *args: Any) -> dict[str, Any]:
        async with state.running:  # a second request waits instead of interleaving publishes
            return await validate_workspace(ls, state, _options(args))

    @ls.command(RULE_DOCS)
    def on_rule_docs(ls: OssaLanguageServer, *args: Any) -> dict[str, Any]:
        first = args[0] if args else None
        if isinstance(first, dict):
            first = first.get("code")
        return rule_docs(first if isinstance(first, str) else None)


__all__ = ["AGENT_GRAPH", "RULE_DOCS", "VALIDATE_WORKSPACE", "manifests", "register", "rule_docs"]
