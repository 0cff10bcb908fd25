"""Headless checking of many files: read bytes safely, analyse with each file's policy (its nearest
`.ossa-lsp.yaml` plus the command line), collect `FileReport`s (in parallel when there are many files).
Used by `ossa-lsp check`; knows nothing about output formats.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ossa_lsp.core.analyze import DocumentInfo, analyze
from ossa_lsp.core.config import load as config
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.policy import Policy
from ossa_lsp.core.schema.registry import CompiledSchema
from ossa_lsp.core.text.source import Manifest, parse
from ossa_lsp.core.text.spans import ZERO, Pos, Span
from ossa_lsp.core.workspace.index import WorkspaceIndex

if TYPE_CHECKING:
    from ossa_lsp.core.discover import Walk

PARALLEL_MIN_FILES = 48
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@dataclass(slots=True)
class FileReport:
    path: str  # as shown to the user (relative to the working directory when below it)
    documents: list[DocumentInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # the file could not be read at all
    astral_lines: dict[int, str] = field(default_factory=dict)  # lines with non-BMP characters (UTF-16 columns)
    profile: str | None = None  # the policy profile this file was checked with
    config: str | None = None  # the .ossa-lsp.yaml that applied, if any
    fail_on: Severity = Severity.ERROR  # findings at least this severe fail the check

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR and f.suppressed is None)

    @property
    def failed(self) -> bool:
        """An unsuppressed finding at or above `fail_on` (or the file could not be read)."""
        return self.error is not None or any(f.severity <= self.fail_on and f.suppressed is None
                                             for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.error is None and all(d.valid for d in self.documents)


def display_path(path: Path | str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.as_posix()


def decode(data: bytes) -> tuple[str | None, Finding | None]:
    """UTF-8 (with or without BOM) text, or a finding that says where the bytes stop being text."""
    if b"\x00" in data[:8192]:
        return None, Finding(code="YAML005", severity=Severity.ERROR, source="yaml",
                             message="This is a binary file, not a text manifest",
                             span=Span(Pos(0, 0), Pos(0, 0)))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        good = data[: err.start].decode("utf-8", "replace")
        line = good.count("\n")
        col = len(good) - (good.rfind("\n") + 1)
        return None, Finding(code="YAML005", severity=Severity.ERROR, source="yaml",
                             message=f"Invalid UTF-8 byte 0x{data[err.start]:02x}: manifests must be UTF-8 text",
                             span=Span(Pos(line, col), Pos(line, col + 1)))


def check_text(text: str, shown: str, schema: CompiledSchema | None = None, policy: Policy | None = None,
               default_version: str | None = None, workspace: WorkspaceIndex | None = None,
               manifest: Manifest | None = None) -> FileReport:
    result = analyze(text, shown, schema=schema, policy=policy, default_version=default_version, workspace=workspace,
                     manifest=manifest)
    report = FileReport(path=shown, documents=result.documents, findings=result.findings)
    if policy is not None:
        report.profile, report.config, report.fail_on = policy.profile, policy.config, policy.fail_on
    if _ASTRAL.search(text):
        lines = result.manifest.lines
        wanted = {f.span.start.line for f in result.findings} | {f.span.end.line for f in result.findings}
        report.astral_lines = {n: lines.line(n) for n in wanted if any(ord(c) > 0xFFFF for c in lines.line(n))}
    return report


def check_file(path: str, schema: CompiledSchema | None = None, args: config.Args | None = None,
               default_version: str | None = None) -> FileReport:
    shown = display_path(path)
    policy = config.resolve(path, args)[0] if args is not None else None
    pre = _PARSED.get(path)
    if pre is not None:
        return check_text(pre[0], shown, schema, policy, default_version, _WORKSPACE, pre[1])
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return FileReport(path=shown, error="file not found (it may have been deleted)")
    except IsADirectoryError:
        return FileReport(path=shown, error="is a directory")
    except OSError as err:
        return FileReport(path=shown, error=f"cannot read: {err.strerror or err}")
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        report = FileReport(path=shown, findings=[problem])
        if policy is not None:
            report.profile, report.config, report.fail_on = policy.profile, policy.config, policy.fail_on
        return report
    return check_text(text, shown, schema, policy, default_version, _WORKSPACE)


_WORKER: tuple[CompiledSchema | None, config.Args | None, str | None] = (None, None, None)
_WORKSPACE: WorkspaceIndex | None = None  # set before the pool forks, so workers share it without pickling
_PARSED: dict[str, tuple[str, Manifest]] = {}  # path → (text, parsed): files parsed once for the index


def index_files(files: Sequence[str]) -> WorkspaceIndex:
    """Parse every readable file once, index its agents, and keep the trees for the checks."""
    index = WorkspaceIndex()
    for path in files:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        text, _problem = decode(data)
        if text is None:
            continue
        manifest = parse(text, path)
        _PARSED[path] = (text, manifest)
        index.update_manifest(path, manifest)
    gc.freeze()  # the trees live until the end of the run: keep the collector from rescanning them
    return index


def _init_worker(schema: CompiledSchema | None, args: config.Args | None, default_version: str | None) -> None:
    global _WORKER
    _WORKER = (schema, args, default_version)


def _work(path: str) -> FileReport:
    # Policies are resolved here, in the worker: they hold rule functions and caches, not worth pickling.
    return check_file(path, *_WORKER)


def check_paths(files: Sequence[str], schema: CompiledSchema | None = None, jobs: int = 0,
                args: config.Args | None = None, default_version: str | None = None,
                workspace: WorkspaceIndex | None = None) -> list[FileReport]:
    """Check files in order; a process pool shares the work when there are many and cores to spare.
    With a workspace index, cross-file rules see every manifest of the run."""
    global _WORKSPACE
    _WORKSPACE = workspace
    workers = jobs or min(os.cpu_count() or 1, 4)
    if workers > 1 and len(files) >= PARALLEL_MIN_FILES and sys.platform != "win32":
        import multiprocessing  # imported here: a one-file run should not pay ~15 ms for the pool machinery
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        chunk = max(1, len(files) // (workers * 4))
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(schema, args, default_version)) as pool:
            return list(pool.map(_work, files, chunksize=chunk))
    return [check_file(f, schema, args, default_version) for f in files]


def config_reports(reports: Sequence[FileReport], args: config.Args | None) -> list[FileReport]:
    """One report per configuration file that has problems (each file once, however many manifests used it)."""
    paths: list[str] = []
    if args is not None and args.config_path:
        paths.append(str(Path(args.config_path).resolve()))
    paths += [r.config for r in reports if r.config]
    out: list[FileReport] = []
    for p in dict.fromkeys(paths):
        problems = config.load_config(Path(p)).problems
        if problems:
            out.append(FileReport(path=display_path(p), findings=sorted((c.finding for c in problems),
                                                                        key=Finding.sort_key)))
    return out


def expand(paths: Iterable[str], exclude: tuple[str, ...] = (), args: config.Args | None = None
           ) -> tuple[list[str], list[FileReport]]:
    """Files to check for the given paths (directories are walked, skipping what `--exclude` and the
    configs' `exclude` name), and reports for paths that don't exist or cannot be read (errors), and for
    folders met while walking that cannot be read or a walk that hit its limits (warnings)."""
    from ossa_lsp.core.discover import Walk

    files: list[str] = []
    missing: list[FileReport] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            walker = Walk(p, exclude)
            found = [str(f) for f in walker if args is None or not config.excluded(f, args)]
            missing.extend(_walk_reports(walker))
        elif p.exists():
            found = [str(p)]
        else:
            missing.append(FileReport(path=display_path(p), error="no such file or directory"))
            continue
        for f in found:
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files, missing


def _walk_reports(walker: Walk) -> list[FileReport]:
    """The walk's notes: the folder the user named is an error (exit 2), one met inside it a warning,
    and so is a walk that stopped at its limits."""
    out: list[FileReport] = []
    for note in walker.notes:
        shown = display_path(note.path)
        if note.path == walker.root:
            out.append(FileReport(path=shown, error=note.message))
        else:
            out.append(FileReport(path=shown, findings=[_io_warning(note.message)]))
    if walker.stopped:
        out.append(FileReport(path=display_path(walker.root), findings=[_io_warning(walker.stopped)]))
    return out


def _io_warning(message: str) -> Finding:
    return Finding(code="IO", severity=Severity.WARNING, source="io", message=message, span=ZERO)
