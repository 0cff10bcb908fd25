"""The pre-commit hooks (.pre-commit-hooks.yaml), through `pre-commit try-repo` against this checkout
in a temporary git repository, as a user tries them before adding them to their config.

pre-commit builds the hook's venv and pip-installs the checkout into it: that fetches the dependencies
from the package index, ~30 s per try-repo (it always starts from an empty store), so each test runs
both hooks in one try-repo."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT
from tests.packaging.conftest import clean_env

VALID = ("orchestrator.ossa.yaml", "invoice-worker.ossa.yaml", "fraud-worker.ossa.json")
GIT_ID = ["-c", "user.name=ossa-lsp tests", "-c", "user.email=tests@ossa-lsp.invalid", "-c", "commit.gpgsign=false"]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env=clean_env(GIT_CONFIG_NOSYSTEM="1"))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is now (tracked and untracked files, uncommitted edits too), committed once."""
    snap = tmp_path_factory.mktemp("hooks-repo")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (snap / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snap / name)
    git(snap, "init", "-q")
    git(snap, "add", "-A")
    git(snap, "commit", "-q", "-m", "snapshot")
    return snap


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "ci.yaml").write_text("jobs: {build: {runs-on: ubuntu-latest}}\n")  # YAML, not a manifest
    for name in VALID:
        shutil.copy(EXAMPLES / name, repo / name)
    return repo


def try_repo(hooks_repo: Path, repo: Path) -> dict[str, str]:
    """`pre-commit try-repo <checkout> --all-files`: every hook of the checkout (one environment for
    both, built by pre-commit in a fresh store) on every file of `repo`. Returns each hook's report."""
    git(repo, "add", "-A")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "--all-files",
                           "--color", "never"], cwd=repo, capture_output=True, text=True, timeout=600,
                          env=clean_env(GIT_CONFIG_NOSYSTEM="1"))
    assert "ossa-lsp check" in proc.stdout, proc.stdout + proc.stderr
    reports = {"exit": str(proc.returncode)}
    for part in proc.stdout.split("- hook id: ")[1:]:
        hook, _, report = part.partition("\n")
        reports[hook] = report
    status = re.findall(r"^(ossa-lsp (?:check|fix))\.+(Passed|Failed|\(no files to check\)Skipped)$", proc.stdout, re.M)
    reports.update({f"{name} status": result for name, result in status})
    return reports


def test_hooks_manifest_declares_check_and_fix():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"ossa-lsp-check", "ossa-lsp-fix"}
    assert hooks["ossa-lsp-check"]["entry"] == "ossa-lsp check"
    assert hooks["ossa-lsp-fix"]["entry"] == "ossa-lsp check --fix"
    assert {h["language"] for h in hooks.values()} == {"python"}
    readme = (ROOT / "README.md").read_text("utf-8")
    [config] = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "hooks:" in b]
    assert {h["id"] for repo in config["repos"] for h in repo["hooks"]} <= set(hooks)  # the README's set-up


def test_broken_manifest_fails_check_and_gets_its_safe_fixes(hooks_repo: Path, user_repo: Path):
    broken = user_repo / "billing.ossa.yaml"
    shutil.copy(EXAMPLES / "broken" / "agent-with-errors.ossa.yaml", broken)
    reports = try_repo(hooks_repo, user_repo)
    assert reports["exit"] == "1"
    assert reports["ossa-lsp check status"] == "Failed"
    errors = [line for line in reports["ossa-lsp-check"].splitlines() if ": error " in line]
    assert len(errors) == 6 and all(e.startswith("billing.ossa.yaml:") for e in errors)  # none in the valid ones
    assert "billing.ossa.yaml:25:15: error SCHEMA004" in reports["ossa-lsp-check"]
    assert "ci.yaml" not in reports["ossa-lsp-check"]  # not a manifest: not passed to the hook

    # then the fix hook: the safe fixes in place, the commit stopped, the rest reported
    assert reports["ossa-lsp fix status"] == "Failed"
    assert "files were modified by this hook" in reports["ossa-lsp-fix"]
    fixed = broken.read_text("utf-8")
    assert "provider: openai\n" in fixed and "currency: USD\n" in fixed
    assert "temprature" in fixed  # an unknown key is left for a person
    assert reports["ossa-lsp-fix"].count(": error ") == 4
    for name in VALID:
        assert (user_repo / name).read_bytes() == (EXAMPLES / name).read_bytes()


def test_valid_manifests_pass_both_hooks(hooks_repo: Path, user_repo: Path):
    reports = try_repo(hooks_repo, user_repo)
    assert reports["exit"] == "0", reports
    assert (reports["ossa-lsp check status"], reports["ossa-lsp fix status"]) == ("Passed", "Passed")
    for name in VALID:
        assert (user_repo / name).read_bytes() == (EXAMPLES / name).read_bytes()
