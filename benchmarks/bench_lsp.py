#!/usr/bin/env python3
"""ossa-lsp vs yaml-language-server 2.0.0, side by side in ONE lspbench run, scored against the issue's goals.

    python benchmarks/bench_lsp.py [--reps 5] [--lspbench PATH] [--json-out FILE]

Runs the shared LSP harness (`../shared/tools/lspbench/lspbench.py`) with two `--server`s:
yaml-language-server 2.0.0 on Node 22 (the npm `node@22` package), configured by lspbench with the
OSSA v0.2.2 JSON Schema, and this checkout's `ossa-lsp` (LSP on stdio). It prints lspbench's own
table, then reads lspbench's JSON and prints ossa-lsp / yaml-language-server for each goal.

The peers are found in the cache dir (default ~/.cache/ossa-lsp-bench) or in /tmp/lspbench-peers
(where lspbench's README installs them), else npm-installed into the cache dir. Never into the repo.
Not a test: it prints numbers. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    SHARED,
    cache_dir,
    fmt_num,
    host_line,
    locked,
    log,
    ossa_lsp_command,
    render,
    repo_state,
    run_logged,
)

YLS_VERSION = "2.0.0"
NODE_SPEC = "node@22"
LEGACY_PEERS = Path("/tmp/lspbench-peers")  # lspbench README's install location

# (group, label, phase, metric, target): ratio ossa-lsp / yaml-language-server must be <= target
GOALS = [
    ("didOpen -> diagnostics", "didOpen(valid) -> diags", "workload", "open_valid_ms", 0.25),
    ("didOpen -> diagnostics", "didOpen(invalid) -> diags", "workload", "open_invalid_ms", 0.25),
    ("didChange -> diagnostics", "didChange bad enum -> diag", "workload", "change_invalid_ms", 0.75),
    ("didChange -> diagnostics", "didChange fixed -> cleared", "workload", "change_fix_ms", 0.75),
    ("5,000-line file", "large didOpen -> diags", "workload", "large_open_ms", 0.5),
    ("5,000-line file", "large didOpen -> error-line diag", "workload", "large_open_error_ms", 0.5),
    ("5,000-line file", "large didChange -> diags", "workload", "large_change_ms", 0.5),
    ("completion", "completion: key in spec", "workload", "completion_spec_key_ms", 1.0),
    ("completion", "completion: provider value", "workload", "completion_provider_value_ms", 1.0),
    ("completion", "completion: top level", "workload", "completion_top_level_ms", 1.0),
    ("hover", "hover `temperature`", "workload", "hover_ms", 1.0),
    ("memory", "RSS after workload (MiB)", "after_workload", "rss_mib", 0.5),
    ("initialize CPU", "server CPU by initialize result (s)", "startup", "cpu_at_init_s", 1.0),
    ("first squiggle", "spawn -> first diags (ms)", "startup", "spawn_to_diag_ms", 0.5),
    ("first squiggle", "cold didOpen(invalid) -> diags (ms)", "startup", "cold_open_to_diag_ms", 0.5),
]
# shown for context, no goal
INFO = [
    ("spawn -> initialize result (ms)", "startup", "initialize_ms"),
    ("RSS after initialize (MiB)", "startup", "rss_after_init_mib"),
    ("shutdown+exit (ms)", "startup", "shutdown_ms"),
    ("peak RSS, workload proc (MiB)", "after_workload", "hwm_mib"),
    ("server CPU, workload proc (s)", "after_workload", "cpu_s"),
]
# quality next to speed: (label, metric, total metric or fixed total)
QUALITY = [
    ("invalid manifest: expected error lines hit", "invalid_expected_hit", "invalid_expected_total"),
    ("invalid manifest: extra diagnostic lines", "invalid_unexpected_lines", None),
    ("invalid manifest: diagnostics", "open_invalid_count", None),
    ("completion provider value: enum values offered", "completion_provider_value_expected_found",
     "completion_provider_value_expected_total"),
    ("completion key in spec: expected keys offered", "completion_spec_key_expected_found",
     "completion_spec_key_expected_total"),
    ("completion top level: expected keys offered", "completion_top_level_expected_found",
     "completion_top_level_expected_total"),
    ("hover has content", "hover_has_content", None),
    ("hover mentions the description", "hover_expected_text", None),
    ("bad enum reported on its line", "change_invalid_detected", None),
]


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--lspbench", default=str(SHARED / "tools" / "lspbench" / "lspbench.py"))
    ap.add_argument("--reps", type=int, default=5, help="lspbench --reps")
    ap.add_argument("--warmup", type=int, default=1, help="lspbench --warmup")
    ap.add_argument("--ossa-lsp", default=None,
                    help="command for ossa-lsp (default: <repo>/.venv/bin/ossa-lsp, else python -m ossa_lsp)")
    ap.add_argument("--yls", default=None, help="full yaml-language-server command (default: find or install)")
    ap.add_argument("--node", default=None, help="node binary for yaml-language-server (default: npm node@22)")
    ap.add_argument("--cache-dir", default=None, help="where peers are installed (default ~/.cache/ossa-lsp-bench)")
    ap.add_argument("--json-out", default=None, help="keep lspbench's JSON here (default: a temp file)")
    ap.add_argument("--from-json", default=None, help="do not run lspbench; score an existing lspbench JSON")
    ap.add_argument("lspbench_args", nargs="*", help="extra lspbench arguments (after --)")
    return ap.parse_args()


# --------------------------------------------------------------------------- peers


def _node_ok(node: Path) -> str | None:
    if not node.exists():
        return None
    try:
        v = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return None
    return v if v.startswith("v22.") else None


def _yls_ok(prefix: Path) -> Path | None:
    pkg = prefix / "node_modules" / "yaml-language-server"
    try:
        if json.loads((pkg / "package.json").read_text())["version"] == YLS_VERSION:
            return pkg / "bin" / "yaml-language-server"
    except (OSError, ValueError, KeyError):
        pass
    return None


def _npm(prefix: Path, spec: str) -> None:
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("bench: npm is needed to install yaml-language-server / node@22 (or pass --yls)")
    run_logged([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", spec])


def yls_command(args: argparse.Namespace) -> tuple[list[str], str]:
    if args.yls:
        return shlex.split(args.yls), "given"
    cache = cache_dir(args.cache_dir)
    # node 22
    if args.node:
        node, node_v = Path(args.node), _node_ok(Path(args.node)) or "?"
    else:
        node, node_v = None, None
        for cand in (cache / "node22" / "node_modules" / ".bin" / "node",
                     LEGACY_PEERS / "node22" / "node_modules" / ".bin" / "node"):
            node_v = _node_ok(cand)
            if node_v:
                node = cand
                break
        if node is None:
            with locked(cache / ".node22.lock"):
                cand = cache / "node22" / "node_modules" / ".bin" / "node"
                if not _node_ok(cand):
                    _npm(cache / "node22", NODE_SPEC)
                node_v = _node_ok(cand)
                if not node_v:
                    raise SystemExit(f"bench: npm {NODE_SPEC} did not give a Node 22 binary at {cand}")
                node = cand
    # yaml-language-server 2.0.0
    script = _yls_ok(cache / "yls") or _yls_ok(LEGACY_PEERS)
    if script is None:
        with locked(cache / ".yls.lock"):
            script = _yls_ok(cache / "yls")
            if script is None:
                _npm(cache / "yls", f"yaml-language-server@{YLS_VERSION}")
                script = _yls_ok(cache / "yls")
        if script is None:
            raise SystemExit("bench: yaml-language-server install failed")
    return [str(node), str(script), "--stdio"], f"yaml-language-server {YLS_VERSION} on node {node_v}"


# --------------------------------------------------------------------------- scoring


def metric(server: dict, phase: str, key: str, stat: str = "median") -> float | None:
    if phase == "after_workload":
        v = server.get("after_workload", {}).get(key)
        return float(v) if isinstance(v, (int, float)) else None
    st = server.get(phase, {}).get("summary", {}).get(key)
    if not st:
        return None
    if "true" in st:
        return st["true"] / st["n"] if st["n"] else None
    return st.get(stat)


def cell(server: dict, phase: str, key: str) -> str:
    med = metric(server, phase, key)
    if med is None:
        return "-"
    if phase == "after_workload":
        return fmt_num(med)
    lo, hi = metric(server, phase, key, "min"), metric(server, phase, key, "max")
    return f"{fmt_num(med)} ({fmt_num(lo)}-{fmt_num(hi)})"


def quality_cell(server: dict, key: str, total_key: str | None) -> str:
    st = server.get("workload", {}).get("summary", {}).get(key)
    if not st:
        return "-"
    if "true" in st:
        return f"{st['true']}/{st['n']} iters"
    def n(x) -> str:
        return "-" if x is None else (f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}")
    rng = "" if st["min"] == st["max"] else f" ({n(st['min'])}-{n(st['max'])})"
    if total_key:
        tot = server["workload"]["summary"].get(total_key) or {}
        return f"{n(st['median'])}/{n(tot.get('median'))}{rng}"
    return n(st["median"]) + rng


def score(data: dict, peer_label: str, ours_label: str) -> tuple[str, list[str]]:
    servers = {s["label"]: s for s in data["servers"]}
    peer, ours = servers[peer_label], servers[ours_label]
    rows, missed = [], []
    for group, label, phase, key, target in GOALS:
        a, b = metric(ours, phase, key), metric(peer, phase, key)
        if a is None or b is None or b == 0:
            ratio, verdict = "-", "no data"
            missed.append(f"{label}: no data")
        else:
            r = a / b
            ratio = f"{r:.3f}"
            if r <= target:
                verdict = "met"
            else:
                verdict = f"NOT met ({r / target:.2f}x the target)"
                missed.append(f"{group} / {label}: ratio {r:.3f} vs target <= {target} "
                              f"(ossa-lsp {fmt_num(a)}, yls {fmt_num(b)}; {r / target:.2f}x the target; "
                              f"would need <= {fmt_num(b * target)})")
        rows.append([group, label, cell(peer, phase, key), cell(ours, phase, key), ratio, f"<= {target}", verdict])
    for label, phase, key in INFO:
        a, b = metric(ours, phase, key), metric(peer, phase, key)
        ratio = f"{a / b:.3f}" if a is not None and b else "-"
        rows.append(["(info)", label, cell(peer, phase, key), cell(ours, phase, key), ratio, "", ""])
    for label, key, total in QUALITY:
        rows.append(["(quality)", label, quality_cell(peer, key, total), quality_cell(ours, key, total), "", "", ""])
    rows.append(["(quality)", "validating (lspbench check)", "yes" if peer["validating"] else "NO",
                 "yes" if ours["validating"] else "NO", "", "", ""])
    header = ["goal", "metric", f"{peer_label} (yaml-language-server)", ours_label, "ratio ossa/yls",
              "target", "verdict"]
    return render(rows, header), missed


# --------------------------------------------------------------------------- main


def main() -> int:
    args = parse_args()
    t0 = time.time()
    tmpdir = Path(tempfile.mkdtemp(prefix="ossa-bench-lsp-"))
    json_out = Path(args.json_out).resolve() if args.json_out else tmpdir / "lspbench.json"
    try:
        if args.from_json:
            data = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
            table, yls_desc, ossa = "", "(from JSON)", []
        else:
            lspbench = Path(args.lspbench).resolve()
            if not lspbench.exists():
                raise SystemExit(f"bench: lspbench not found at {lspbench} (use --lspbench PATH)")
            if sys.version_info < (3, 11):
                raise SystemExit("bench: lspbench needs Python >= 3.11; run this script with one")
            ossa = ossa_lsp_command(args.ossa_lsp, cache_dir(args.cache_dir))
            # ossa-lsp's own start-up cache (lsp/runtime/diskcache.py) lives in this run's temp dir: the first
            # start of this build (lspbench's unrecorded --warmup rep) fills it, as a user's first start does
            os.environ["OSSA_LSP_CACHE_DIR"] = str(tmpdir / "ossa-lsp-cache")
            yls, yls_desc = yls_command(args)
            cmd = [sys.executable, str(lspbench),
                   "--server", shlex.join(yls), "--label", "yls",
                   "--server", shlex.join(ossa), "--label", "ossa-lsp",
                   "--reps", str(args.reps), "--warmup", str(args.warmup),
                   "--workdir", str(tmpdir / "work"), "--json-out", str(json_out), "--no-json",
                   *args.lspbench_args]
            log(f"yls: {yls_desc}: {shlex.join(yls)}")
            log(f"ossa-lsp: {shlex.join(ossa)}")
            log(host_line())
            log("$ " + shlex.join(cmd))
            # lspbench's progress goes to our stderr as it happens; its table (stdout) is printed below
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=lspbench.parent)
            table = proc.stdout.strip("\n")
            if proc.returncode not in (0, 2) or not json_out.exists():
                print(table)
                raise SystemExit(f"bench: lspbench failed with exit status {proc.returncode}")
            data = json.loads(json_out.read_text(encoding="utf-8"))
        goals, missed = score(data, "yls", "ossa-lsp")
        elapsed = time.time() - t0
        print(f"ossa-lsp vs yaml-language-server: one lspbench run, --reps {data['inputs']['reps']} "
              f"--warmup {data['inputs']['warmup']}, large file {data['inputs']['large_lines']} lines, "
              f"lspbench took {data['duration_s']} s")
        print(f"yls: {yls_desc}; ossa-lsp: {shlex.join(ossa) if ossa else '-'}")
        if not args.from_json:
            print(repo_state())
        h = data.get("host", {})
        print(f"host: {h.get('cpus')} CPUs, load avg at start {fmt_load(h.get('loadavg_start'))}, "
              f"at end {fmt_load(h.get('loadavg_end'))}; lspbench on Python {h.get('python')}")
        if table:
            print()
            print("== lspbench's table ==")
            print(table)
        print()
        print("== goals: ratio = ossa-lsp / yaml-language-server of the medians (lower is better) ==")
        print(goals)
        print("cells: median (min-max) over the reps; RSS/CPU after workload are single end-of-run readings.")
        print("note: yaml-language-server waits a hard-coded 200 ms (validationDelayMs) before every validation.")
        print("note: ossa-lsp answers `initialize` from its start-up cache, filled by the first start of a build "
              "(the unrecorded warm-up rep); see lsp/runtime/boot.py.")
        for s in data["servers"]:
            for e in s.get("errors", [])[:8]:
                print(f"[{s['label']}] lspbench error: {e}")
        print()
        if missed:
            print(f"goals NOT met ({len(missed)}):")
            for m in missed:
                print(f"  - {m}")
        else:
            print("all goals met")
        if args.json_out:
            print(f"lspbench JSON: {json_out}")
        print(f"total time: {elapsed:.0f} s")
        return 0
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def fmt_load(v) -> str:
    return " ".join(f"{x:.2f}" for x in v) if v else "?"


if __name__ == "__main__":
    sys.exit(main())
