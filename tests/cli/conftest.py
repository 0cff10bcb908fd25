from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


@dataclass
class Run:
    code: int
    out: str
    err: str


def _obey_permission_bits() -> None:
    """Run in the child before exec: without these two capabilities even root is refused by mode 000,
    so "unreadable file/folder" behaviour can be tested in a root container (setuid to `nobody` would
    not do: the interpreter lives under /root)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def cli(tmp_path: Path):
    """Run the real `python -m ossa_lsp` in a subprocess, as a CI job would. `unprivileged=True`: as a
    process that permission bits stop, even when the tests run as root."""

    def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 120,
            unprivileged: bool = False) -> Run:
        env = {**os.environ, "NO_COLOR": "1"}
        drop = _obey_permission_bits if unprivileged and sys.platform == "linux" and os.geteuid() == 0 else None
        proc = subprocess.run([sys.executable, "-m", "ossa_lsp", *args], input=stdin, capture_output=True,
                              cwd=cwd or tmp_path, env=env, timeout=timeout, preexec_fn=drop)
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))

    return run
