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

The agent graph (`ossa-lsp.agentGraph`) is registered by features/workspace.py.

Diagnostics of closed files go to the server's one store under the `workspace` source, so a file
fixed, deleted or opened since the last run is cleared exactly once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.words import plural
from ossa_lsp.lsp.convert import diagnostic
from ossa_lsp.lsp.progress import Progress
from ossa_lsp.lsp.publish import WORKSPACE, push
from ossa_lsp.lsp.server import OssaLanguageServer

VALIDATE_WORKSPACE = "ossa-lsp.validateWorkspace"
RULE_DOCS = "ossa-lsp.ruleDocs"


@dataclass
class Summary:
    """What "validate workspace" returns (camelCase on the wire)."""

    folders: list[str | None]
    files: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"errors": 0, "warnings": 0, "infos": 0})
    with_problems: int = 0
    cancelled: bool = False
    message: str | None = None

    def add(self, findings: list[Finding]) -> None:
        from ossa_lsp.core.findings import Severity

        live = [f for f in findings if f.suppressed is None]
        self.files += 1
        self.counts["errors"] += sum(1 for f in live if f.severity == Severity.ERROR)
        self.counts["warnings"] += sum(1 for f in live if f.severity == Severity.WARNING)
        self.counts["infos"] += sum(1 for f in live if f.severity in (Severity.INFO, Severity.HINT))
        self.with_problems += 1 if live else 0

    def to_json(self) -> dict[str, Any]:
        out = {"files": self.files, **self.counts, "filesWithProblems": self.with_problems,
               "folders": self.folders, "cancelled": self.cancelled}
        return {**out, "message": self.message} if self.message is not None else out

    def line(self) -> str:
        return f"{plural(self.files, 'file')}: {plural(self.counts['errors'], 'error')}, " \
               f"{plural(self.counts['warnings'], 'warning')}"


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


async def manifests(ls: OssaLanguageServer, folders: list[Path], progress: Progress | None = None) -> list[Path]:
    """The manifests of the folders: discovery as in `ossa-lsp check` (with the editor's limits), plus the
    data files that match the `ossa.extraFiles` globs (relative to each folder)."""
    from ossa_lsp.lsp.runtime.folders import walk_folders

    found = await walk_folders(ls, folders, include=tuple(ls.settings.extra_files), progress=progress)

    def unique_not_excluded() -> list[Path]:
        return [p for p in sorted(dict.fromkeys(p.resolve() for p in found)) if not _excluded(ls, p)]

    return await asyncio.to_thread(unique_not_excluded)


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


async def _check_closed(ls: OssaLanguageServer, uri: str, path: Path) -> list[Finding] | None:
    """Analyse a file that is not open and push its diagnostics; None when it cannot be read."""
    try:
        text, problem = await asyncio.to_thread(_read, path)
    except OSError as err:
        ls.log(f"validate workspace: cannot read {path}: {err}", types.MessageType.Warning)
        return None
    snapshot = TextDocument(uri, source=text or "", language_id=None, position_codec=ls.workspace.position_codec)
    if text is None:
        findings = [problem] if problem is not None else []
    else:
        entry = await asyncio.to_thread(ls.analyse, uri, None, text, str(path), ls.schema_override(snapshot))
        findings = entry.analysis.findings
    lines = snapshot.lines
    diags = [diagnostic(snapshot, f, lines) for f in findings if f.suppressed is None]
    if diags:
        ls.diagnostics.put(WORKSPACE, uri, diags)
        push(ls, uri)
    elif ls.diagnostics.drop(WORKSPACE, uri):
        push(ls, uri)  # fixed since the last run
    return findings


async def _check(ls: OssaLanguageServer, uri: str, path: Path) -> list[Finding] | None:
    doc = _open_document(ls, uri)
    if doc is None:
        return await _check_closed(ls, uri, path)
    entry = await ls.analysis_async(doc)  # open: the editor shows its own (pushed or pulled) diagnostics
    return entry.analysis.findings if entry is not None else []


def _clear_gone(ls: OssaLanguageServer, checked: set[str]) -> None:
    """Closed files that had problems last time and were not checked now (deleted, excluded)."""
    for uri in ls.diagnostics.uris(WORKSPACE) - checked:
        if _open_document(ls, uri) is None:
            ls.diagnostics.drop(WORKSPACE, uri)
            push(ls, uri)


async def validate_workspace(ls: OssaLanguageServer, options: dict[str, Any]) -> dict[str, Any]:
    await ls.settings_read()
    folders = _folders(ls, options.get("folders") if isinstance(options.get("folders"), list) else None)
    summary = Summary([from_fs_path(str(f)) for f in folders])
    if not ls.settings.enable:
        summary.message = "ossa.enable is off"
        return summary.to_json()
    progress = await Progress.start(ls, options.get("workDoneToken"), "Validating OSSA manifests")
    files = await manifests(ls, folders, progress)
    checked: set[str] = set()
    try:
        for n, path in enumerate(files, 1):
            if progress.cancelled:
                summary.cancelled = True
                break
            progress.report(n - 1, len(files), f"{n}/{len(files)} {path.name}")
            uri = from_fs_path(str(path)) or path.as_uri()
            findings = await _check(ls, uri, path)
            if findings is not None:
                checked.add(uri)
                summary.add(findings)
            await asyncio.sleep(0)  # let completion, hover and cancellation in between
        if not summary.cancelled:
            _clear_gone(ls, checked)
    finally:
        progress.end(summary.line())
    return summary.to_json()


def rule_docs(key: str | None) -> dict[str, Any]:
    """Every code (no key), or the documentation of one code or rule name."""
    from ossa_lsp.core.codes import doc_url
    from ossa_lsp.output import docgen

    if not key:
        return {"rules": docgen.code_listing()}
    key = key.strip()
    return docgen.code_docs(key) or {
        "code": key, "name": None, "url": doc_url(key),
        "markdown": f"# {key}\n\nNo rule or finding code `{key}`. `ossa-lsp rules` lists them all.\n"}


async def on_validate_workspace(ls: OssaLanguageServer, *args: Any) -> dict[str, Any]:
    async with ls.validating:  # a second request waits instead of interleaving publishes
        return await validate_workspace(ls, _options(args))


def on_rule_docs(ls: OssaLanguageServer, *args: Any) -> dict[str, Any]:
    first = args[0] if args else None
    if isinstance(first, dict):
        first = first.get("code")
    return rule_docs(first if isinstance(first, str) else None)


def register(ls: OssaLanguageServer) -> None:
    ls.command(VALIDATE_WORKSPACE)(on_validate_workspace)
    ls.command(RULE_DOCS)(on_rule_docs)


__all__ = ["RULE_DOCS", "VALIDATE_WORKSPACE", "manifests", "register", "rule_docs"]
