"""Helpers shared by the benchmark scripts (standard library only).

Not a test module and not part of the package: `python benchmarks/bench_*.py` puts this folder on
`sys.path`, which is how the scripts import it.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- cache and installs


def cache_dir(override: str | None = None) -> Path:
    """`--cache-dir`, else $OSSA_LSP_BENCH_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/ossa-lsp-bench.

    Peers are installed here, never into the repository."""
    if override:
        d = Path(override)
    elif os.environ.get("OSSA_LSP_BENCH_CACHE"):
        d = Path(os.environ["OSSA_LSP_BENCH_CACHE"])
    else:
        d = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ossa-lsp-bench"
    d = d.expanduser().resolve()
    try:
        d.relative_to(REPO)
    except ValueError:
        pass
    else:
        raise SystemExit(f"bench: the cache dir {d} is inside the repository; pick one outside it")
    d.mkdir(parents=True, exist_ok=True)
    return d


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise installs into the same cache dir between concurrent benchmark runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_logged(cmd: Sequence[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    proc = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit(f"bench: install step failed ({proc.returncode}): {' '.join(map(str, cmd))}")


def pip_venv(root: Path, name: str, requirements: Sequence[str], base_python: str | None = None) -> Path:
    """A venv at root/name with `requirements` pip-installed; reused when its marker says so.

    Returns the venv's bin directory."""
    venv = root / name
    marker = venv / ".bench-installed.json"
    want = {"requirements": list(requirements)}
    with locked(root / f".{name}.lock"):
        if marker.exists():
            try:
                if json.loads(marker.read_text()) == want:
                    return venv / "bin"
            except ValueError:
                pass
        if venv.exists():
            shutil.rmtree(venv)
        py = base_python or getattr(sys, "_base_executable", None) or sys.executable
        run_logged([py, "-m", "venv", str(venv)])
        run_logged([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements])
        marker.write_text(json.dumps(want))
    return venv / "bin"


def ossa_lsp_command(override: str | None, cache: Path | None) -> list[str]:
    """How to run this checkout's ossa-lsp.

    `--ossa-lsp CMD`, else <repo>/.venv/bin/ossa-lsp, else `sys.executable -m ossa_lsp` when this
    interpreter imports ossa_lsp from this checkout, else an editable install of the checkout into a
    venv under the cache dir. The repository is only read, apart from Python's bytecode cache (see
    `precompile`)."""
    import shlex

    if override:
        return shlex.split(override)
    exe = REPO / ".venv" / "bin" / "ossa-lsp"
    if exe.exists():
        precompile(REPO / ".venv" / "bin" / "python")
        return [str(exe)]
    spec = importlib.util.find_spec("ossa_lsp")
    if spec and spec.origin and Path(spec.origin).resolve().is_relative_to(REPO):
        precompile(Path(sys.executable))
        return [sys.executable, "-m", "ossa_lsp"]
    if cache is None:
        raise SystemExit("bench: ossa-lsp not found; create <repo>/.venv or pass --ossa-lsp")
    log("ossa-lsp is not installed: installing this checkout (editable) into the cache dir")
    bindir = pip_venv(cache, "ossa-lsp-venv", ["-e", str(REPO)])
    precompile(bindir / "python")
    return [str(bindir / "ossa-lsp")]


def precompile(python: Path) -> None:
    """Write the checkout's bytecode (`__pycache__`, git-ignored) before measuring.

    pip compiles every package it installs, peers included, but an editable install leaves ossa-lsp's
    own modules as source. With PYTHONDONTWRITEBYTECODE set (as on some CI images) every run would then
    recompile ~9,000 lines (~100 ms), which is not what an installed ossa-lsp does."""
    run_logged([str(python), "-m", "compileall", "-q", str(REPO / "server" / "ossa_lsp")])


# --------------------------------------------------------------------------- measuring processes


@dataclass
class Sample:
    wall_s: float
    cpu_s: float  # user + system of the child and every descendant it waited for
    maxrss_mib: float  # peak RSS of the largest process in the tree
    rc: int
    stdout: str = ""
    stderr: str = ""


def run_timed(cmd: Sequence[str], cwd: Path | None = None, env: dict | None = None) -> Sample:
    """One process: wall time from just before spawn to reaped, plus its own rusage (os.wait4)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        t1 = time.perf_counter()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(wall_s=t1 - t0, cpu_s=ru.ru_utime + ru.ru_stime, maxrss_mib=ru.ru_maxrss / 1024,
                      rc=proc.returncode, stdout=out.read().decode("utf-8", "replace"),
                      stderr=err.read().decode("utf-8", "replace"))


@dataclass
class Series:
    values: list[float] = field(default_factory=list)

    def add(self, v: float) -> None:
        self.values.append(v)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)


def fmt_num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "-"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:.0f}"
    if ax >= 100:
        return f"{x:.0f}" if digits <= 3 else f"{x:.1f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def render(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A plain text table with `|` separators (also valid Markdown)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def repo_state() -> str:
    """Which ossa-lsp code was measured: commit and whether the working tree had changes (read-only git)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "server", "schemas"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "repo: (git unavailable)"
    if not head:
        return "repo: (not a git checkout)"
    n = len(dirty.splitlines())
    return f"repo: {REPO} at {head}" + (f" + {n} uncommitted change(s) under server/ schemas/" if n else " (clean)")


def host_line() -> str:
    import platform

    load = os.getloadavg()
    return (f"host: {os.cpu_count()} CPUs, load avg {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
            f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})")
