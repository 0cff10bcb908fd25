"""Put ossa-lsp and every dependency into the VS Code extension, for one platform, so the .vsix
needs nothing but a CPython on the user's machine (no pip, no network).

    python tools/bundle_server.py --target linux-x64            # -> vscode-extension/bundled/libs/
    python tools/bundle_server.py --target darwin-arm64 --python 3.12 --python 3.13
    python tools/bundle_server.py --clean                       # no bundle: the universal .vsix

Wheels come from the package index with `pip download --only-binary=:all: --platform ...
--python-version ...` (pip's HTTP cache makes repeats quick), resolved once per CPython version because
pydantic-core, rpds-py, PyYAML and websockets are compiled per version and platform. Pure-Python
wheels that every version resolves to the same file go once into libs/; the rest into libs/cpXY/.
vscode-extension/bundled/launch.py picks libs/cpXY/ for the interpreter that runs it. libs/BUNDLE.json
records the target, the versions and each package's version. A version whose wheels do not exist for
the target (e.g. no CPython 3.10 builds for win32-arm64) is left out and listed as "unavailable".

Why libraries per platform rather than the alternatives: a wheelhouse installed on first start needs
pip and venv in the user's Python (Debian's python3 has neither by default), takes seconds to minutes
and leaves state to repair; a frozen executable (PyInstaller) is ~3x larger, must be built on each
platform, and is flagged by some virus scanners. Plain libraries start at once, offline, with the
Python the user already has, like Microsoft's Python tools extension template (`bundled/libs`); the
price is one .vsix per platform (vsce --target), which VS Code picks automatically.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "vscode-extension" / "bundled" / "libs"
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
# pygls's `ws` extra serves `--ws`; the extension talks over stdio (saves ~1 MB per CPython version).
LEFT_OUT = {"websockets"}

# vsce's --target names → the wheel platform tags a Python on that platform installs. VS Code itself
# needs glibc 2.28+ on Linux and macOS 11+, so wheels up to those are fine.
TARGETS: dict[str, tuple[str, ...]] = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
                  "manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64"),
    "linux-arm64": ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"),
    "alpine-x64": ("musllinux_1_2_x86_64", "musllinux_1_1_x86_64"),
    "alpine-arm64": ("musllinux_1_2_aarch64", "musllinux_1_1_aarch64"),
    "darwin-x64": ("macosx_11_0_x86_64",),  # pip adds the older macOS versions and universal2
    "darwin-arm64": ("macosx_11_0_arm64",),
    "win32-x64": ("win_amd64",),
    "win32-arm64": ("win_arm64",),
}


def build_wheel(dest: Path) -> Path:
    """This checkout's wheel (hatchling from the dev extra, no build isolation: no network)."""
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dest), str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)
    [wheel] = dest.glob("ossa_lsp-*.whl")
    return wheel


def download(wheel: Path, target: str, python: str, dest: Path) -> list[Path] | str:
    """The wheel and all its dependencies as wheels for `python` on `target`, or why not."""
    dest.mkdir(parents=True, exist_ok=True)
    platforms = [arg for tag in TARGETS[target] for arg in ("--platform", tag)]
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                           "--only-binary=:all:", "--implementation", "cp", "--python-version", python, *platforms,
                           "--dest", str(dest), str(wheel)], capture_output=True, text=True)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        return errors[0] if errors else proc.stderr.strip()[-300:]
    return sorted(w for w in dest.glob("*.whl") if project_of(w)[0] not in LEFT_OUT)


def project_of(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return name.lower().replace("_", "-"), version


def extract(wheel: Path, dest: Path) -> None:
    """Unpack a wheel as pip would place its purelib/platlib files (no scripts, no data)."""
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or parts[0].endswith(".data") or "__pycache__" in parts:
                continue
            if PurePosixPath(info.filename).is_absolute() or ".." in parts:
                raise SystemExit(f"{wheel.name}: unsafe path {info.filename!r}")
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def bundle(target: str, pythons: list[str], out: Path, wheel: Path | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ossa-bundle-") as tmp:
        wheel = wheel or build_wheel(Path(tmp))
        per_version: dict[str, list[Path]] = {}
        unavailable: dict[str, str] = {}
        for py in pythons:
            got = download(wheel, target, py, Path(tmp) / py)
            if isinstance(got, str):
                unavailable[py] = got
                print(f"{target}: no CPython {py}: {got}", file=sys.stderr)
            else:
                per_version[py] = got
        if not per_version:
            raise SystemExit(f"{target}: no wheels for any of CPython {', '.join(pythons)}")
        pythons = list(per_version)
        names = {py: {w.name for w in wheels} for py, wheels in per_version.items()}
        shared = set.intersection(*names.values())
        shared = {n for n in shared if n.endswith("-none-any.whl")}
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        packages: dict[str, dict[str, str]] = {"common": {}}
        for whl in per_version[pythons[0]]:
            if whl.name in shared:
                extract(whl, out)
                name, version = project_of(whl)
                packages["common"][name] = version
        for py, wheels in per_version.items():
            tag = "cp" + py.replace(".", "")
            packages[tag] = {}
            for whl in wheels:
                if whl.name not in shared:
                    extract(whl, out / tag)
                    name, version = project_of(whl)
                    packages[tag][name] = version
    manifest: dict[str, object] = {"target": target, "pythons": pythons, "unavailable": unavailable, "packages": packages}
    (out / "BUNDLE.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=sorted(TARGETS), help="vsce target platform")
    parser.add_argument("--python", action="append", dest="pythons", metavar="X.Y",
                        help=f"CPython version to bundle for (repeatable; default: {', '.join(PYTHONS)})")
    parser.add_argument("--wheel", type=Path, help="the ossa-lsp wheel to bundle (default: build this checkout)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: vscode-extension/bundled/libs")
    parser.add_argument("--clean", action="store_true", help="remove the bundle (for the universal .vsix)")
    args = parser.parse_args(argv)
    if args.clean:
        shutil.rmtree(args.out, ignore_errors=True)
        print(f"removed {args.out}")
        return 0
    if not args.target:
        parser.error("--target is required (or --clean)")
    pythons = sorted(set(args.pythons or PYTHONS), key=lambda v: tuple(int(p) for p in v.split(".")))
    manifest = bundle(args.target, pythons, args.out, args.wheel)
    packages, bundled = manifest["packages"], manifest["pythons"]
    assert isinstance(packages, dict) and isinstance(bundled, list)
    print(f"{args.out}: {args.target}, CPython {', '.join(bundled)}, {size_of(args.out) / 1e6:.1f} MB unpacked; "
          f"shared: {', '.join(f'{k} {v}' for k, v in sorted(packages['common'].items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
