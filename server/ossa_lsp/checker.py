"""Headless checking of many files: read bytes safely, analyse, collect `FileReport`s (in parallel
when there are many files). Used by `ossa-lsp check`; knows nothing about output formats.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ossa_lsp.core.analyze import DocumentInfo, analyze
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.schemas import CompiledSchema
from ossa_lsp.core.spans import Pos, Span

PARALLEL_MIN_FILES = 48


@dataclass(slots=True)
class FileReport:
    path: str  # as shown to the user (relative to the working directory when below it)
    documents: list[DocumentInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # the file could not be read at all
    astral_lines: dict[int, str] = field(default_factory=dict)  # lines with non-BMP characters (UTF-16 columns)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR and f.suppressed is None)

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


def check_text(text: str, shown: str, schema: CompiledSchema | None = None) -> FileReport:
    result = analyze(text, shown, schema=schema)
    report = FileReport(path=shown, documents=result.documents, findings=result.findings)
    if any(ord(c) > 0xFFFF for c in text):
        lines = result.manifest.lines
        wanted = {f.span.start.line for f in result.findings} | {f.span.end.line for f in result.findings}
        report.astral_lines = {n: lines.line(n) for n in wanted if any(ord(c) > 0xFFFF for c in lines.line(n))}
    return report


def check_file(path: str, schema: CompiledSchema | None = None) -> FileReport:
    shown = display_path(path)
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
        return FileReport(path=shown, findings=[problem])
    return check_text(text, shown, schema)


_WORKER_SCHEMA: CompiledSchema | None = None


def _init_worker(schema: CompiledSchema | None) -> None:
    global _WORKER_SCHEMA
    _WORKER_SCHEMA = schema


def _work(path: str) -> FileReport:
    return check_file(path, _WORKER_SCHEMA)


def check_paths(files: Sequence[str], schema: CompiledSchema | None = None, jobs: int = 0) -> list[FileReport]:
    """Check files in order; a process pool shares the work when there are many and cores to spare."""
    workers = jobs or min(os.cpu_count() or 1, 4)
    if workers > 1 and len(files) >= PARALLEL_MIN_FILES and sys.platform != "win32":
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        chunk = max(1, len(files) // (workers * 4))
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(schema,)) as pool:
            return list(pool.map(_work, files, chunksize=chunk))
    return [check_file(f, schema) for f in files]


def expand(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> tuple[list[str], list[FileReport]]:
    """Files to check for the given paths (directories are walked), and reports for paths that don't exist."""
    from ossa_lsp.core.discover import walk

    files: list[str] = []
    missing: list[FileReport] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = [str(f) for f in walk(p, exclude)]
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
