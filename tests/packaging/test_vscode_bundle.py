"""The server bundled into a platform .vsix (tools/bundle_server.py + vscode-extension/bundled/launch.py):
built for this machine's platform and Python from the wheel of this checkout, then run the way the
extension runs it, `python -I bundled/launch.py`, by an interpreter that has no ossa-lsp of its own.
(tests/editors/run.sh proves the whole .vsix in VS Code on a clean machine without network.)"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from ossa_lsp import __version__
from tests.conftest import EXAMPLES, ROOT
from tests.packaging.conftest import clean_env

LAUNCHER = ROOT / "vscode-extension" / "bundled" / "launch.py"
PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"
TARGETS = {("linux", "x86_64"): "linux-x64", ("linux", "aarch64"): "linux-arm64", ("darwin", "arm64"): "darwin-arm64",
           ("darwin", "x86_64"): "darwin-x64", ("win32", "AMD64"): "win32-x64"}
TARGET = TARGETS.get((sys.platform, platform.machine()))
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)  # the interpreter under the dev venv


@pytest.fixture(scope="module")
def bundle(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An extension folder's bundled/: launch.py and libs/ for this platform and Python only."""
    if TARGET is None:
        pytest.skip(f"no vsce target for {sys.platform}/{platform.machine()}")
    root = tmp_path_factory.mktemp("extension") / "bundled"
    root.mkdir()
    shutil.copy(LAUNCHER, root / "launch.py")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "bundle_server.py"), "--target", TARGET, "--python", PY,
                           "--wheel", str(dists["wheel"]), "--out", str(root / "libs")],
                          capture_output=True, text=True, timeout=600, env=clean_env())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return root


def launch(bundle: Path, *args: str, cwd: Path, python: str = BASE_PYTHON, **env: str) -> subprocess.CompletedProcess[str]:
    """What the extension runs (it appends --stdio to serve; here other commands show the same start)."""
    return subprocess.run([python, "-I", str(bundle / "launch.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=clean_env(**env))


def test_layout_pure_once_compiled_per_python(bundle: Path):
    libs = bundle / "libs"
    manifest = json.loads((libs / "BUNDLE.json").read_text("utf-8"))
    assert manifest["target"] == TARGET and manifest["pythons"] == [PY]
    assert manifest["packages"]["common"]["ossa-lsp"] == __version__
    assert {"pydantic", "pygls", "lsprotocol", "jsonschema", "referencing", "ruamel-yaml"} <= set(manifest["packages"]["common"])
    assert {"pydantic-core", "rpds-py", "pyyaml"} <= set(manifest["packages"][TAG])
    assert "websockets" not in json.dumps(manifest)  # only for --ws; the extension talks over stdio
    assert (libs / "ossa_lsp" / "schemas" / "catalog.json").is_file()
    # the compiled module this very interpreter loads (e.g. .cpython-311-x86_64-linux-gnu.so)
    assert (libs / TAG / "pydantic_core" / f"_pydantic_core{EXTENSION_SUFFIXES[0]}").is_file()
    assert not (libs / "pydantic_core").exists()  # compiled packages never in the shared folder
    assert not [p for p in libs.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc" or ".data" in p.parts[-2:]]


def test_runs_with_a_python_that_has_no_ossa_lsp(bundle: Path, tmp_path: Path):
    has_own = subprocess.run([BASE_PYTHON, "-I", "-c", "import ossa_lsp"], capture_output=True, env=clean_env())
    assert has_own.returncode != 0  # the precondition: this interpreter alone has no server
    version = launch(bundle, "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"ossa-lsp {__version__}"), version.stderr
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    check = launch(bundle, "check", "examples/", cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    errors = [line for line in check.stdout.splitlines() if ": error " in line]
    assert len(errors) == 6 and all(e.startswith("examples/broken/agent-with-errors.ossa.yaml:") for e in errors)


def test_the_bundle_wins_over_anything_the_environment_or_workspace_has(bundle: Path, tmp_path: Path):
    """An `ossa_lsp` in the working directory (a hostile workspace), on PYTHONPATH, in user
    site-packages or installed in the interpreter's own environment is never the one that runs: -I
    keeps the first three off sys.path, and the bundle comes before site-packages."""
    fake = 'def main(argv=None):\n    print("FAKE " + __file__)\n    return 0\n'
    home = tmp_path / "home"
    venv = tmp_path / "venv"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True, env=clean_env())
    [venv_site] = venv.glob("lib/python*/site-packages") or venv.glob("Lib/site-packages")
    user_site = home / ".local" / "lib" / f"python{PY}" / "site-packages"
    for where in (tmp_path / "ws", tmp_path / "pythonpath", user_site, venv_site):
        (where / "ossa_lsp" / "cli").mkdir(parents=True)
        (where / "ossa_lsp" / "__init__.py").write_text("")
        (where / "ossa_lsp" / "cli" / "__init__.py").write_text(fake)
    python = next(p for p in (venv / "bin" / "python", venv / "Scripts" / "python.exe") if p.exists())
    proc = launch(bundle, "--version", cwd=tmp_path / "ws", python=str(python),
                  PYTHONPATH=str(tmp_path / "pythonpath"), HOME=str(home))
    assert proc.stdout.strip() == f"ossa-lsp {__version__}", proc.stdout + proc.stderr
    # the same interpreter without the bundle imports the fake: the set-up above is not vacuous
    plain = subprocess.run([str(python), "-c", "from ossa_lsp.cli import main; main()"], capture_output=True, text=True,
                           env=clean_env(), cwd=tmp_path)
    assert plain.stdout.startswith("FAKE "), plain.stdout + plain.stderr


def test_an_interpreter_without_its_libraries_is_told_which_ones_work(tmp_path: Path):
    root = tmp_path / "bundled"
    (root / "libs").mkdir(parents=True)
    shutil.copy(LAUNCHER, root / "launch.py")
    (root / "libs" / "BUNDLE.json").write_text(json.dumps({"target": "linux-x64", "pythons": ["3.98", "3.99"]}))
    proc = launch(root, "--version", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr == (f"ossa-lsp bundle: {BASE_PYTHON} is cpython {PY}; the server bundled with this extension "
                           "runs on CPython 3.98, 3.99 on linux-x64\n")


def test_the_universal_package_has_no_bundle(tmp_path: Path):
    root = tmp_path / "bundled"
    root.mkdir()
    shutil.copy(LAUNCHER, root / "launch.py")
    proc = launch(root, "--version", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.startswith("ossa-lsp bundle: ") and "the bundle is missing (a universal .vsix)" in proc.stderr
