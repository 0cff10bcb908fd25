"""The composite GitHub Action (action.yml): its shell steps, run as the runner runs them (bash,
inputs through `env:`, GITHUB_OUTPUT/GITHUB_PATH files): install the package, check, write SARIF for
code scanning and workflow annotations, and exit with `check`'s status."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ossa_lsp import __version__
from tests.conftest import EXAMPLES, ROOT
from tests.packaging.conftest import run_action_step

BROKEN = "examples/broken/agent-with-errors.ossa.yaml"


@pytest.fixture
def shim_bin(tmp_path: Path) -> Path:
    """A bin folder whose `ossa-lsp` runs this checkout's server (what the install step provides)."""
    bin_dir = tmp_path / "tool-bin"
    bin_dir.mkdir()
    shim = bin_dir / "ossa-lsp"
    server = ROOT / "server"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{server}" exec "{sys.executable}" -m ossa_lsp "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "repo"
    shutil.copytree(EXAMPLES, ws / "examples")
    return ws


def check(bin_dir: Path, ws: Path, paths: str, args: str = "", sarif: str = "ossa-lsp.sarif") -> tuple[Any, dict[str, str]]:
    return run_action_step("check", {"OSSA_BIN": str(bin_dir), "OSSA_PATHS": paths, "OSSA_ARGS": args,
                                     "OSSA_SARIF_FILE": sarif}, cwd=ws, github_dir=ws.parent / "runner")


def test_scripts_read_inputs_only_from_env():
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    scripts = [s for s in action["runs"]["steps"] if "run" in s]
    assert [s["id"] for s in scripts] == ["install", "check"]
    for step in scripts:
        assert "${{" not in step["run"], f"step {step['id']}: an expression inside a script is a shell injection"
        assert step["shell"] == "bash"
    upload = action["runs"]["steps"][-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "!cancelled()" in upload["if"]  # the report is uploaded even when the check failed


def test_errors_fail_the_step_with_annotations_and_a_sarif_report(shim_bin: Path, workspace: Path):
    proc, outputs = check(shim_bin, workspace, "examples")
    assert proc.returncode == 1, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 6
    assert annotations[0].startswith(f"::error file={BROKEN},line=11,col=9,")
    assert outputs == {"sarif-file": "ossa-lsp.sarif", "exit-code": "1"}
    sarif = json.loads((workspace / "ossa-lsp.sarif").read_text("utf-8"))
    [run] = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "ossa-lsp" and run["tool"]["driver"]["version"] == __version__
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert len(errors) == 6
    location = errors[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == BROKEN  # relative to the repository: code scanning maps it
    assert location["region"]["startLine"] >= 1


def test_valid_manifests_pass(shim_bin: Path, workspace: Path):
    proc, outputs = check(shim_bin, workspace, "examples/orchestrator.ossa.yaml examples/invoice-worker.ossa.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert outputs["exit-code"] == "0"
    sarif = json.loads((workspace / "ossa-lsp.sarif").read_text("utf-8"))
    assert not [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]


def test_args_reach_check(shim_bin: Path, workspace: Path):
    proc, outputs = check(shim_bin, workspace, "examples/orchestrator.ossa.yaml", args="--fail-on warning --select MESH")
    assert proc.returncode == 1  # its MESH warnings now fail the job
    assert "::warning " in proc.stdout and "MESH" in proc.stdout
    assert outputs["exit-code"] == "1"


def test_a_missing_path_is_exit_2(shim_bin: Path, workspace: Path):
    proc, outputs = check(shim_bin, workspace, "no-such-dir")
    assert proc.returncode == 2
    assert outputs["exit-code"] == "2"


def test_inputs_are_never_shell_code(shim_bin: Path, workspace: Path):
    marker = workspace / "pwned"
    proc, _ = check(shim_bin, workspace, f"examples/*.yaml $(touch {marker}) `touch {marker}`", args=f"; touch {marker}")
    assert not marker.exists()
    assert proc.returncode == 2  # the words are passed to ossa-lsp as they are (and `;` is no option)


def test_install_step_installs_the_requested_package(installed_wheel: dict[str, Any]):
    bin_dir: Path = installed_wheel["bin"]
    assert installed_wheel["proc"].stdout.strip() == f"ossa-lsp {__version__}"
    assert installed_wheel["path_file"].strip() == str(bin_dir)  # later steps of the job find ossa-lsp
    assert (bin_dir / "ossa-lsp").is_file() and os.access(bin_dir / "ossa-lsp", os.X_OK)


def test_installed_tool_runs_the_check_step(installed_wheel: dict[str, Any], workspace: Path):
    proc, outputs = check(installed_wheel["bin"], workspace, ".")
    assert proc.returncode == 1
    assert sum(line.startswith("::error ") for line in proc.stdout.splitlines()) == 6
    assert (workspace / outputs["sarif-file"]).is_file()


def test_readme_workflow_uses_declared_inputs():
    readme = (ROOT / "README.md").read_text("utf-8")
    [workflow] = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "uses: ossa-lsp/ossa-lsp@" in b]
    inputs = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))["inputs"]
    [step] = [s for s in workflow["steps"] if s.get("uses", "").startswith("ossa-lsp/ossa-lsp@")]
    assert set(step["with"]) <= set(inputs)
    assert workflow["permissions"]["security-events"] == "write"  # what the SARIF upload needs
