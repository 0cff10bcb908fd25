from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(tmp_path: Path):
    """Run the real `python -m ossa_lsp` in a subprocess, as a CI job would."""

    def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 120) -> Run:
        env = {**os.environ, "NO_COLOR": "1"}
        proc = subprocess.run([sys.executable, "-m", "ossa_lsp", *args], input=stdin, capture_output=True,
                              cwd=cwd or tmp_path, env=env, timeout=timeout)
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))

    return run
