"""Headless checking of many files: one `CheckRun` holds what every file is checked with (schema,
command-line policy, default version) and the workspace index of all the run's manifests (their
agents' summaries, not their trees). Files are analysed with their own policy (nearest `.ossa-lsp.yaml` plus the
command line), in parallel when there are many. Knows nothing about output formats.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from ossa_lsp.core import files as user_files
from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.config import load as config
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.policy import Policy
from ossa_lsp.core.schema.registry import CompiledSchema
from ossa_lsp.core.text.source import Manifest, parse
from ossa_lsp.core.text.spans import wide_lines
from ossa_lsp.core.workspace.index import Agent, Shared, WorkspaceIndex, agents_in_text
from ossa_lsp.headless.report import FileReport, display_path, io_warning

__all__ = ["CheckRun", "FileReport", "check_text", "config_reports", "display_path", "expand"]

if TYPE_CHECKING:
    from ossa_lsp.core.discover import Walk

T = TypeVar("T")

PARALLEL_MIN_FILES = 48
KEEP_TREES = 48  # a run this small keeps each file's tree from indexing to checking (parsed once)
CHUNK = 32  # files per task handed to a worker
IN_FLIGHT = 4  # tasks per worker queued or running at once: results stream back, nothing piles up


@dataclass(slots=True)
class _Read:
    """One file as read: its text and tree, or why there is none (a finding, or an I/O error message)."""

    text: str | None = None
    manifest: Manifest | None = None
    problem: Finding | None = None
    error: str | None = None


@dataclass
class CheckRun:
    """One `check` over many files. `named` are the files the user named: one of them that cannot be read
    is an error (exit 2); a file found by walking that cannot be read is a warning.

    Memory does not grow with the parsed trees: indexing keeps each file's agents only as the index's
    summary (name, namespace, endpoints, a few limits and spans), made in the workers when there are
    many files, and checking reads and parses each file again and streams its report back. Only a small
    run (`KEEP_TREES`) keeps its trees between the two passes, so one file is parsed once."""

    schema: CompiledSchema | None = None
    args: config.Args | None = None
    default_version: str | None = None
    named: frozenset[str] = frozenset()
    workspace: WorkspaceIndex | None = None
    hints: bool = True  # keep unsuppressed hints in reports (formats that never show them: False)
    keep_trees: ClassVar[bool] = False  # a run that reads the trees itself after indexing keeps them all
    _reads: dict[str, _Read] = field(default_factory=dict, repr=False)
    _shared: Shared = field(default_factory=Shared, repr=False)

    def index(self, files: Sequence[str], jobs: int = 0) -> WorkspaceIndex:
        """Every file's agents in one index (cross-file rules see the whole run); the files are read and
        parsed once for it, in parallel when there are many, and only their agents are kept."""
        index = WorkspaceIndex()
        keep = self.keep_trees or len(files) <= KEEP_TREES
        if keep or _workers(jobs, len(files)) <= 1:
            for path in files:
                read = self._read(path, keep=keep, parse_it=True)
                if read.manifest is not None:
                    index.update_manifest(path, read.manifest)
        else:
            for summary in _parallel(files, _workers(jobs, len(files)), _Worker.summarise):
                if summary is not None:  # None: unreadable, reported when it is checked
                    index.update_agents(*summary)
        index.prepare()  # answers over the whole index are built once here, not again in every worker
        self.workspace = index
        return index

    def check_file(self, path: str) -> FileReport:
        shown = display_path(path)
        policy = config.resolve(path, self.args)[0] if self.args is not None else None
        read = self._reads.pop(path, None) or self._read(path, keep=False)
        if read.text is not None:
            checked = check_text(read.text, shown, self.schema, policy, self.default_version, self.workspace,
                                 read.manifest)
            if not self.hints and checked.fail_on != Severity.HINT:
                checked.findings = [f for f in checked.findings if f.severity != Severity.HINT or f.suppressed is not None]
            return checked
        if read.error is not None and path in self.named:
            return FileReport(path=shown, error=read.error)
        problem = read.problem or io_warning(read.error or "cannot read")
        report = FileReport(path=shown, findings=[problem])
        if policy is not None:
            report.profile, report.config, report.fail_on = policy.profile, policy.config, policy.fail_on
        return report

    def check_all(self, files: Sequence[str], jobs: int = 0) -> list[FileReport]:
        """Check files in order; a process pool shares the work when there are many and cores to spare."""
        return list(self.check_iter(files, jobs))

    def check_iter(self, files: Sequence[str], jobs: int = 0) -> Iterator[FileReport]:
        """Each file's report in order, as soon as it and those before it are checked; nothing of a file
        but its report outlives its check."""
        workers = _workers(jobs, len(files))
        if workers > 1:
            # fork: the workers inherit this run (schema, index) instead of receiving it pickled; the
            # collector leaves the inherited objects alone, so their pages stay shared with this process.
            gc.freeze()
            try:
                for report in _parallel(files, workers, _Worker.check, self):
                    yield self._compact(report)
            finally:
                gc.unfreeze()
                self._reads.clear()
            return
        for f in files:
            yield self.check_file(f)

    def _compact(self, report: FileReport) -> FileReport:
        """A report from a worker holds its own copy of every string and span; the run keeps one of each
        that many reports repeat (the same hint on every file, the same document kind and schema)."""
        shared = self._shared
        for f in report.findings:
            f.code, f.source, f.message = sys.intern(f.code), sys.intern(f.source), shared.text(f.message)
            f.pointer, f.span = shared.text(f.pointer), shared.span(f.span)
            f.data = {sys.intern(k): shared.text(v) if isinstance(v, str) else v for k, v in f.data.items()}
        for d in report.documents:
            d.api_version, d.kind = _maybe(shared, d.api_version), _maybe(shared, d.kind)
            d.schema = _maybe(shared, d.schema)
        report.profile, report.config = _maybe(shared, report.profile), _maybe(shared, report.config)
        return report

    def _read(self, path: str, keep: bool = True, parse_it: bool = False) -> _Read:
        try:
            loaded = user_files.load(path)
        except user_files.FileError as err:
            read = _Read(error=str(err))
        else:
            read = _Read(text=loaded.text, problem=loaded.problem)
            if loaded.text is not None and (keep or parse_it):
                read.manifest = parse(loaded.text, path)
        if keep:
            self._reads[path] = read
        return read


def _maybe(shared: Shared, text: str | None) -> str | None:
    return None if text is None else shared.text(text)


def _workers(jobs: int, files: int) -> int:
    workers = jobs or min(os.cpu_count() or 1, 4)
    return workers if files >= PARALLEL_MIN_FILES and sys.platform != "win32" else 1


def _parallel(files: Sequence[str], workers: int, task: Callable[[list[str]], list[T]],
              run: CheckRun | None = None) -> Iterator[T]:
    """`task` over the files in chunks on a pool of forked workers; results in the files' order, with at
    most `IN_FLIGHT` chunks per worker submitted and not yet consumed."""
    import multiprocessing  # imported here: a one-file run should not pay ~15 ms for the pool machinery
    from concurrent.futures import Future, ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    chunk = max(1, min(CHUNK, len(files) // (workers * IN_FLIGHT)))
    chunks = (list(files[i:i + chunk]) for i in range(0, len(files), chunk))
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_Worker.start, initargs=(run,)) as pool:
        pending: deque[Future[list[T]]] = deque()
        for part in chunks:
            pending.append(pool.submit(task, part))
            if len(pending) >= workers * IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


class _Worker:
    """The pool workers' side: each worker process receives the run once, through the pool initializer
    (inherited by fork, not pickled), and checks the files it is handed with it."""

    run: CheckRun | None = None

    @staticmethod
    def start(run: CheckRun | None) -> None:
        _Worker.run = run

    @staticmethod
    def check(paths: list[str]) -> list[FileReport]:
        # Policies are resolved here, in the worker: they hold rule functions and caches, not worth pickling.
        assert _Worker.run is not None, "the pool initializer sets the run"
        return [_Worker.run.check_file(p) for p in paths]

    @staticmethod
    def summarise(paths: list[str]) -> list[tuple[str, list[Agent]] | None]:
        """Each file's index key and agents (what the index keeps), not its tree: a few hundred bytes to
        pickle. None for a file that cannot be read."""
        out: list[tuple[str, list[Agent]] | None] = []
        for path in paths:
            try:
                loaded = user_files.load(path)
            except user_files.FileError:
                out.append(None)
                continue
            out.append(agents_in_text(path, loaded.text) if loaded.text is not None else None)
        return out


def check_text(text: str, shown: str, schema: CompiledSchema | None = None, policy: Policy | None = None,
               default_version: str | None = None, workspace: WorkspaceIndex | None = None,
               manifest: Manifest | None = None) -> FileReport:
    result = analyze(text, shown, schema=schema, policy=policy, default_version=default_version, workspace=workspace,
                     manifest=manifest)
    report = FileReport(path=shown, documents=result.documents, findings=result.findings)
    if policy is not None:
        report.profile, report.config, report.fail_on = policy.profile, policy.config, policy.fail_on
    report.astral_lines = wide_lines(result.manifest.lines, (n for f in result.findings
                                                             for n in (f.span.start.line, f.span.end.line)))
    return report


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
            out.append(FileReport(path=shown, findings=[io_warning(note.message)]))
    if walker.stopped:
        out.append(FileReport(path=display_path(walker.root), findings=[io_warning(walker.stopped)]))
    return out


def named_files(paths: Iterable[str]) -> frozenset[str]:
    """The paths as `expand` lists them when they name a file rather than a folder."""
    return frozenset(str(Path(raw)) for raw in paths)
