"""Fixtures for the packaging tests: the sdist and wheel built from this checkout, and the wheel
installed alone into a clean virtual environment by the GitHub Action's own install step.

Building uses `python -m build --no-isolation` (hatchling comes from the dev extra), so it needs no
network. Installing the wheel's dependencies into a clean venv does: pip fetches them from the
package index (its cache makes the second run quick)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout's sources on the path (PYTHONPATH, a venv's PATH)."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "COVERAGE_PROCESS_START"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def action_step(step_id: str) -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    [step] = [s for s in action["runs"]["steps"] if s.get("id") == step_id]
    return step


def run_action_step(step_id: str, env: dict[str, str], cwd: Path, github_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one `run:` step of action.yml with bash, as the runner does: the step's `env:` keys get
    the given values (each must be given), GITHUB_OUTPUT/GITHUB_PATH are files. Returns the process
    and the outputs it wrote."""
    step = action_step(step_id)
    assert set(step["env"]) == set(env), f"step {step_id} reads {sorted(step['env'])}; the test gives {sorted(env)}"
    github_dir.mkdir(parents=True, exist_ok=True)
    output, path = github_dir / "output", github_dir / "path"
    output.write_text("")
    path.write_text("")
    script = github_dir / f"{step_id}.sh"
    script.write_text(step["run"])
    # what the runner runs for `shell: bash`
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=clean_env(**env, GITHUB_OUTPUT=str(output), GITHUB_PATH=str(path),
                                        RUNNER_TEMP=str(github_dir)))
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m build` of this checkout: {"sdist": ..., "wheel": ...}."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300, env=clean_env())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="session")
def installed_wheel(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The action's install step with `version:` set to the built wheel: a fresh venv holding the
    wheel and its dependencies, nothing from this checkout. {"bin": Path, "proc", "outputs", "path_file"}."""
    work = tmp_path_factory.mktemp("action-install")
    base_python = getattr(sys, "_base_executable", sys.executable)
    proc, outputs = run_action_step("install", {
        "OSSA_ACTION_PATH": str(ROOT),
        "OSSA_VERSION": str(dists["wheel"]),
        "OSSA_PYTHON": base_python,
    }, cwd=work, github_dir=work / "runner")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return {"bin": Path(outputs["bin"]), "proc": proc, "outputs": outputs,
            "path_file": (work / "runner" / "path").read_text()}
