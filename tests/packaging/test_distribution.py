"""The Python package as a user gets it from an index: `python -m build` makes an sdist and a wheel
that `twine check` accepts, with complete metadata and one version everywhere; the wheel carries the
schemas and the `ossa-lsp` command, and alone, in a clean venv, runs the README's main job."""

from __future__ import annotations

import email.parser
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

from ossa_lsp import __version__
from tests.conftest import EXAMPLES, ROOT
from tests.packaging.conftest import clean_env
from tools.bundle_server import TARGETS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def wheel_metadata(wheel: Path) -> Any:
    with zipfile.ZipFile(wheel) as zf:
        [name] = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(zf.read(name).decode("utf-8"))


def test_one_version_source_for_package_extension_and_lock_file():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "server/ossa_lsp/__init__.py"
    package = json.loads((ROOT / "vscode-extension" / "package.json").read_text("utf-8"))
    lock = json.loads((ROOT / "vscode-extension" / "package-lock.json").read_text("utf-8"))
    assert (package["version"], lock["version"], lock["packages"][""]["version"]) == (__version__,) * 3


def test_twine_check_accepts_both_distributions(dists: dict[str, Path]):
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dists["sdist"]), str(dists["wheel"])],
                          capture_output=True, text=True, timeout=120, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_wheel_metadata_is_complete(dists: dict[str, Path]):
    meta = wheel_metadata(dists["wheel"])
    assert dists["wheel"].name == f"ossa_lsp-{__version__}-py3-none-any.whl"
    assert (meta["Name"], meta["Version"]) == ("ossa-lsp", __version__)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.10"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(urls)
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert meta["Description-Content-Type"] == "text/markdown"
    readme = meta.get_payload()
    assert readme.startswith("# ossa-lsp")  # the README is the long description
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert "https://github.com/ossa-lsp/ossa-lsp/blob/main/docs/editors.md" in links
    assert all(link.startswith(("https://", "#")) for link in links), links  # PyPI has no repository to be relative to
    requires = {re.split(r"[\[<>=;! ]", r, maxsplit=1)[0].lower() for r in meta.get_all("Requires-Dist") if "extra ==" not in r}
    assert {"pygls", "lsprotocol", "pydantic", "pyyaml", "ruamel-yaml", "jsonschema", "referencing"} <= requires


def test_wheel_ships_every_schema_and_the_console_script(dists: dict[str, Path]):
    with zipfile.ZipFile(dists["wheel"]) as zf:
        names = set(zf.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = zf.read(entry_points).decode()
    shipped = {n.removeprefix("ossa_lsp/schemas/") for n in names if n.startswith("ossa_lsp/schemas/")}
    in_repo = {p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").rglob("*") if p.is_file()}
    assert in_repo and shipped == in_repo
    assert "[console_scripts]\nossa-lsp = ossa_lsp.cli:main" in scripts
    assert {"ossa_lsp/__init__.py", "ossa_lsp/__main__.py", "ossa_lsp/cli/__init__.py"} <= names
    # only the package: no tests, docs, caches or stray top-level modules
    assert {n.split("/")[0] for n in names} == {"ossa_lsp", f"ossa_lsp-{__version__}.dist-info"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_sdist_rebuilds_the_same_wheel(dists: dict[str, Path], tmp_path: Path):
    with tarfile.open(dists["sdist"]) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
        tf.extractall(tmp_path, filter="data")
    assert {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO", "examples/broken/agent-with-errors.ossa.yaml",
            "schemas/catalog.json"} <= members
    assert not [m for m in members if m.startswith(("vscode-extension/", "build/", ".venv/")) or "__pycache__" in m]
    [src] = tmp_path.iterdir()
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path / "out"), str(src)],
                          capture_output=True, text=True, timeout=300, env=clean_env())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [rebuilt] = (tmp_path / "out").glob("*.whl")
    with zipfile.ZipFile(rebuilt) as a, zipfile.ZipFile(dists["wheel"]) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())


def test_the_wheel_alone_in_a_clean_venv_runs_the_main_job(installed_wheel: dict[str, Any], tmp_path: Path):
    bin_dir: Path = installed_wheel["bin"]
    python = bin_dir / ("python.exe" if (bin_dir / "python.exe").exists() else "python")
    where = subprocess.run([str(python), "-c", "import ossa_lsp; print(ossa_lsp.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env=clean_env(), timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent), where  # not this checkout's sources
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    proc = subprocess.run([str(bin_dir / "ossa-lsp"), "check", "examples/"], cwd=tmp_path,
                          capture_output=True, text=True, env=clean_env(), timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if ": error " in line]
    assert len(errors) == 6 and all(e.startswith("examples/broken/agent-with-errors.ossa.yaml:") for e in errors), proc.stdout
    assert "Did you mean `openai`?" in proc.stdout


def test_release_workflow_runs_the_commands_tested_here():
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8")
    jobs = yaml.safe_load(workflow)["jobs"]
    scripts = json.loads((ROOT / "vscode-extension" / "package.json").read_text("utf-8"))["scripts"]
    assert {"package", "package:target", "check:package"} <= set(scripts)
    for command in ("python -m build", "twine check --strict", "npm run package:target", "npm run check:package"):
        assert command in workflow, command
    assert set(jobs["vsix"]["strategy"]["matrix"]["target"]) - {"universal"} == set(TARGETS)
