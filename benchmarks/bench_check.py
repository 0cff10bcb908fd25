#!/usr/bin/env python3
"""`ossa-lsp check` vs `check-jsonschema`, side by side, in one run.

    python benchmarks/bench_check.py [-n 7] [--corpus DIR] [--schema FILE] [--json-out FILE]

Both tools get the same upstream OSSA v0.2.2 JSON Schema (`--schema FILE` for ossa-lsp,
`--schemafile FILE` for check-jsonschema). A third column runs ossa-lsp with its bundled schemas
(no `--schema`). Every measurement is a fresh process, as in CI, and the tools take turns
(round-robin, with the starting tool rotated every repetition) so background noise hits them alike.

Workloads: two typical manifests, a ~5,000-line manifest generated the way lspbench does (450
extra `spec.tools` entries, the last one with `type: bogus-tool-type`), and every manifest under the
corpus's `manifests/` and `mutants/` folders in one process. Then the findings each tool reports for
lspbench's invalid fixture (9 planted errors).

check-jsonschema is taken from `--check-jsonschema CMD`, this interpreter (`-m check_jsonschema`),
or PATH; otherwise it is pip-installed into a venv under the cache dir (see README.md). Not a test:
it prints numbers. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    REPO,
    SHARED,
    Series,
    cache_dir,
    fmt_num,
    host_line,
    log,
    ossa_lsp_command,
    pip_venv,
    render,
    repo_state,
    run_timed,
)

PEER_VERSION = "0.39.0"  # check-jsonschema release installed when none is found
GOAL_PER_FILE = 0.5  # the issue: ossa-lsp at least 2x faster per file

# check-jsonschema text output: "  <file>::$.path.to.value: message"
PEER_ERROR = re.compile(r"^  (?P<file>\S.*?)::(?P<path>\$\S*): (?P<msg>.*)$")
PEER_PARSE_FAIL = re.compile(r"^  Failed to parse (?P<file>.+)$")
OSSA_SUMMARY = re.compile(r"Checked (?P<files>\d+) files?.*?: (?P<errors>\d+) errors?.*?(?: in (?P<bad>\d+) files?)?\.")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("-n", "--reps", type=int, default=7, help="recorded repetitions per tool and workload")
    ap.add_argument("--warmup", type=int, default=1, help="unrecorded repetitions first (page cache, .pyc)")
    ap.add_argument("--corpus", default=str(SHARED / "ossa-corpus"), help="the OSSA reference corpus")
    ap.add_argument("--schema", default=None,
                    help="JSON Schema given to both tools (default: CORPUS/schemas/v0.2.2/ossa-0.2.2.schema.json)")
    ap.add_argument("--fixtures", default=str(SHARED / "tools" / "lspbench" / "fixtures"),
                    help="lspbench fixtures dir (agent.ossa.yaml, agent-invalid.ossa.yaml, expect.json)")
    ap.add_argument("--typical", default=str(REPO / "examples" / "support-triage.ossa.yaml"),
                    help="a typical manifest of this repository")
    ap.add_argument("--large-lines", type=int, default=5000, help="approximate size of the generated manifest")
    ap.add_argument("--ossa-lsp", default=None, help="command for ossa-lsp (default: <repo>/.venv/bin/ossa-lsp)")
    ap.add_argument("--check-jsonschema", default=None, help="command for check-jsonschema (default: find or install)")
    ap.add_argument("--peer-version", default=PEER_VERSION, help="check-jsonschema version to install if needed")
    ap.add_argument("--cache-dir", default=None, help="where peers are installed (default ~/.cache/ossa-lsp-bench)")
    ap.add_argument("--skip-corpus", action="store_true", help="only the per-file workloads and the findings")
    ap.add_argument("--json-out", default=None, help="also write every raw sample as JSON to this file")
    return ap.parse_args()


# --------------------------------------------------------------------------- peers and inputs


def peer_command(args: argparse.Namespace) -> list[str]:
    import importlib.util

    if args.check_jsonschema:
        return shlex.split(args.check_jsonschema)
    if importlib.util.find_spec("check_jsonschema"):
        return [sys.executable, "-m", "check_jsonschema"]
    if shutil.which("check-jsonschema"):
        return [shutil.which("check-jsonschema")]  # type: ignore[list-item]
    bindir = pip_venv(cache_dir(args.cache_dir), "check-jsonschema-venv",
                      [f"check-jsonschema=={args.peer_version}"])
    return [str(bindir / "check-jsonschema")]


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=60)
    except OSError as err:
        raise SystemExit(f"bench: cannot run {cmd}: {err}") from err
    if out.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} --version failed:\n{out.stderr[-2000:]}")
    return (out.stdout or out.stderr).strip().splitlines()[0]


def inflate(text: str, target: int) -> tuple[str, int]:
    """lspbench's large-file generator (Docs._inflate): 11-line http tool entries inserted at the top of
    `spec.tools` until the file has ~target lines; the last entry has `type: bogus-tool-type`.
    Returns the text and the 0-based line of that planted error."""
    vlines = text.split("\n")
    tl = next(i for i, ln in enumerate(vlines) if re.match(r"^\s*tools\s*:\s*$", ln))
    tind = re.match(r"^(\s*)", vlines[tl]).group(1)  # type: ignore[union-attr]
    m = re.match(r"^(\s*)- ", vlines[tl + 1]) if tl + 1 < len(vlines) else None
    ind = m.group(1) if m else tind + "  "
    n = max(1, math.ceil((target - len(vlines)) / 11))
    block: list[str] = []
    err_line = -1
    for k in range(n):
        typ = "http"
        if k == n - 1:
            typ = "bogus-tool-type"
            err_line = tl + 1 + len(block)
        block += [
            f"{ind}- type: {typ}",
            f"{ind}  name: tool-{k:05d}",
            f"{ind}  endpoint: https://tools.example.com/api/{k}",
            f"{ind}  capabilities:",
            f"{ind}    - read",
            f"{ind}    - write",
            f"{ind}  config:",
            f"{ind}    retries: 3",
            f"{ind}  auth:",
            f"{ind}    type: bearer",
            f"{ind}    credentials: secret/tool-{k:05d}",
        ]
    return "\n".join(vlines[: tl + 1] + block + vlines[tl + 1:]), err_line


def corpus_files(corpus: Path) -> list[Path]:
    files: list[Path] = []
    for sub in ("manifests", "mutants"):
        for p in sorted((corpus / sub).rglob("*")):
            if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json"):
                files.append(p)
    return files


# --------------------------------------------------------------------------- output parsing


def peer_counts(out: str) -> tuple[int, set[str]]:
    """Errors reported and files with an error (schema errors + files it could not parse)."""
    errors, bad = 0, set()
    for line in out.splitlines():
        m = PEER_ERROR.match(line)
        if m:
            errors += 1
            bad.add(m["file"])
            continue
        m = PEER_PARSE_FAIL.match(line)
        if m:
            errors += 1
            bad.add(m["file"])
    return errors, bad


def ossa_counts(out: str) -> tuple[int | None, int | None]:
    found = list(OSSA_SUMMARY.finditer(out))
    if not found:
        return None, None
    m = found[-1]
    return int(m["errors"]), int(m["bad"] or 0)


# --------------------------------------------------------------------------- main


def main() -> int:
    args = parse_args()
    t_start = time.time()
    corpus = Path(args.corpus).resolve()
    schema = Path(args.schema).resolve() if args.schema else corpus / "schemas" / "v0.2.2" / "ossa-0.2.2.schema.json"
    fixtures = Path(args.fixtures).resolve()
    for p in (schema, fixtures / "agent.ossa.yaml", fixtures / "agent-invalid.ossa.yaml", Path(args.typical)):
        if not p.exists():
            raise SystemExit(f"bench: missing input {p} (see --corpus / --schema / --fixtures / --typical)")

    ossa = ossa_lsp_command(args.ossa_lsp, cache_dir(args.cache_dir))
    peer = peer_command(args)
    ossa_v, peer_v = version_of(ossa), version_of(peer)

    tmp = Path(tempfile.mkdtemp(prefix="ossa-bench-check-"))
    try:
        return _run(args, tmp, corpus, schema, fixtures, ossa, peer, ossa_v, peer_v, t_start)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args, tmp: Path, corpus: Path, schema: Path, fixtures: Path, ossa: list[str], peer: list[str],
         ossa_v: str, peer_v: str, t_start: float) -> int:
    large_text, large_err = inflate((fixtures / "agent.ossa.yaml").read_text(encoding="utf-8"), args.large_lines)
    large = tmp / "large-agent.ossa.yaml"
    large.write_text(large_text, encoding="utf-8")
    n_large = large_text.count("\n") + 1
    typical = Path(args.typical).resolve()
    lines_of = lambda p: p.read_text(encoding="utf-8").count("\n")  # noqa: E731

    tools = {
        "ossa": lambda files: [*ossa, "check", "--schema", str(schema), *map(str, files)],
        "peer": lambda files: [*peer, "--schemafile", str(schema), *map(str, files)],
        "bundled": lambda files: [*ossa, "check", *map(str, files)],
    }
    workloads: list[tuple[str, str, list[Path], dict]] = [
        ("typical", f"{typical.name} ({lines_of(typical)} lines)", [typical], tools),
        ("fixture", f"lspbench agent.ossa.yaml ({lines_of(fixtures / 'agent.ossa.yaml')} lines)",
         [fixtures / "agent.ossa.yaml"], tools),
        ("large", f"generated {n_large:,}-line manifest", [large], tools),
    ]
    cfiles = [] if args.skip_corpus else corpus_files(corpus)
    if cfiles:
        corpus_tools = dict(tools)
        corpus_tools["ossa-j1"] = lambda files: [*ossa, "check", "-j", "1", "--schema", str(schema),
                                                 *map(str, files)]
        corpus_tools["bundled-j1"] = lambda files: [*ossa, "check", "-j", "1", *map(str, files)]
        workloads.append(("corpus", f"corpus: {len(cfiles)} files in one process", cfiles, corpus_tools))

    log(f"ossa-lsp: {' '.join(ossa)} ({ossa_v})")
    log(f"check-jsonschema: {' '.join(peer)} ({peer_v})")
    log(host_line())

    # ---- timing
    results: dict[str, dict[str, dict[str, Series]]] = {}
    outputs: dict[str, dict[str, list]] = {}
    raw: dict = {}
    for key, _title, files, wtools in workloads:
        names = list(wtools)
        results[key] = {t: {"wall": Series(), "cpu": Series(), "rss": Series()} for t in names}
        outputs[key] = {t: [] for t in names}
        raw[key] = {t: [] for t in names}
        total = args.warmup + args.reps
        for rep in range(total):
            order = names[rep % len(names):] + names[:rep % len(names)]
            log(f"{key}: rep {rep + 1}/{total}{' (warm-up)' if rep < args.warmup else ''}")
            for t in order:
                s = run_timed(wtools[t](files), cwd=tmp)
                bad_rc = s.rc not in (0, 1)
                if bad_rc:
                    sys.stderr.write(s.stdout[-1500:] + s.stderr[-1500:])
                    raise SystemExit(f"bench: {t} failed on {key} with exit status {s.rc}")
                if rep < args.warmup:
                    continue
                results[key][t]["wall"].add(s.wall_s)
                results[key][t]["cpu"].add(s.cpu_s)
                results[key][t]["rss"].add(s.maxrss_mib)
                outputs[key][t].append((s.rc, s.stdout))
                raw[key][t].append({"wall_s": s.wall_s, "cpu_s": s.cpu_s, "maxrss_mib": s.maxrss_mib, "rc": s.rc})

    # ---- findings on lspbench's invalid fixture
    invalid = fixtures / "agent-invalid.ossa.yaml"
    expect = json.loads((fixtures / "expect.json").read_text(encoding="utf-8")) if (
        fixtures / "expect.json").exists() else {}
    expected_lines = {int(e["line"]) for e in expect.get("invalid_errors", [])}
    quality = {}
    for t, cmd in (("ossa", [*ossa, "check", "-f", "json", "--schema", str(schema), str(invalid)]),
                   ("bundled", [*ossa, "check", "-f", "json", str(invalid)])):
        s = run_timed(cmd, cwd=tmp)
        rep = json.loads(s.stdout)
        finds = [f for fr in rep["files"] for f in fr["findings"] if f.get("severity") == "error"]
        lines = [f["range"]["start"]["line"] for f in finds
                 if isinstance(f.get("range", {}).get("start", {}).get("line"), int)]
        quality[t] = {"rc": s.rc, "errors": len(finds), "with_line": len(lines),
                      "expected_hit": len(expected_lines & set(lines)),
                      "extra_lines": len(set(lines) - expected_lines), "messages": [f["message"] for f in finds]}
    s = run_timed([*peer, "--schemafile", str(schema), str(invalid)], cwd=tmp)
    perr = [m for m in map(PEER_ERROR.match, s.stdout.splitlines()) if m]
    quality["peer"] = {"rc": s.rc, "errors": len(perr), "with_line": 0, "expected_hit": None,
                       "extra_lines": None, "messages": [f"{m['path']}: {m['msg']}" for m in perr]}

    # ---- table
    def cell(ser: Series, scale: float, digits: int = 3) -> str:
        return f"{fmt_num(ser.median * scale, digits)} ({fmt_num(ser.min * scale, digits)})"

    def ratio(a: Series, b: Series) -> str:
        return f"{a.median / b.median:.2f} ({a.min / b.min:.2f})"

    def goal(a: Series, b: Series) -> str:
        r = a.median / b.median
        return "met" if r <= GOAL_PER_FILE else f"NOT met (x{r / GOAL_PER_FILE:.2f} over)"

    rows: list[list[str]] = []
    checks: list[str] = []
    for key, title, files, _wtools in workloads:
        R = results[key]
        o, p, b = R["ossa"], R["peer"], R["bundled"]
        per = 1000 / len(files)
        unit = "ms/file" if len(files) > 1 else "ms"
        rows.append([f"{title}: wall {unit}", cell(o["wall"], per), cell(p["wall"], per),
                     ratio(o["wall"], p["wall"]), cell(b["wall"], per), ratio(b["wall"], p["wall"]),
                     goal(o["wall"], p["wall"])])
        rows.append([f"  CPU {unit} (user+sys)", cell(o["cpu"], per), cell(p["cpu"], per),
                     ratio(o["cpu"], p["cpu"]), cell(b["cpu"], per), ratio(b["cpu"], p["cpu"]), ""])
        rows.append(["  peak RSS MiB", cell(o["rss"], 1), cell(p["rss"], 1), ratio(o["rss"], p["rss"]),
                     cell(b["rss"], 1), ratio(b["rss"], p["rss"]), ""])
        if key == "corpus":
            nf = len(files)
            fps = lambda ser, nf=nf: nf / ser.median  # noqa: E731
            fps_max = lambda ser, nf=nf: nf / ser.min  # noqa: E731
            rows.append(["  files/s (median (best))", f"{fps(o['wall']):.0f} ({fps_max(o['wall']):.0f})",
                         f"{fps(p['wall']):.0f} ({fps_max(p['wall']):.0f})",
                         f"{fps(o['wall']) / fps(p['wall']):.2f}x the peer",
                         f"{fps(b['wall']):.0f} ({fps_max(b['wall']):.0f})",
                         f"{fps(b['wall']) / fps(p['wall']):.2f}x the peer", ""])
            oj, bj = R["ossa-j1"], R["bundled-j1"]
            rows.append(["  same, ossa-lsp -j 1: wall ms/file", cell(oj["wall"], per), cell(p["wall"], per),
                         ratio(oj["wall"], p["wall"]), cell(bj["wall"], per), ratio(bj["wall"], p["wall"]),
                         goal(oj["wall"], p["wall"])])
            rows.append(["  same, ossa-lsp -j 1: CPU ms/file", cell(oj["cpu"], per), cell(p["cpu"], per),
                         ratio(oj["cpu"], p["cpu"]), cell(bj["cpu"], per), ratio(bj["cpu"], p["cpu"]), ""])
            # what each tool found, from the last recorded run
            pe, pbad = peer_counts(outputs[key]["peer"][-1][1])
            oe, obad = ossa_counts(outputs[key]["ossa"][-1][1])
            be, bbad = ossa_counts(outputs[key]["bundled"][-1][1])
            rows.append(["  errors reported (see note)", str(oe), str(pe), "", str(be), "", ""])
            rows.append(["  files with errors", str(obad), str(len(pbad)), "", str(bbad), "", ""])
        # sanity: the planted error in the large file, exit codes
        for t in ("ossa", "peer", "bundled"):
            rcs = sorted({rc for rc, _ in outputs[key][t]})
            if key == "large" and rcs != [1]:
                checks.append(f"{key}/{t}: expected exit 1 (planted bogus-tool-type), got {rcs}")
            if key in ("typical", "fixture") and t != "bundled" and rcs != [0]:
                checks.append(f"{key}/{t}: exit statuses {rcs} (file not valid for this tool)")
        if key == "large":
            out_o = outputs[key]["ossa"][-1][1]
            if f":{large_err + 1}:" not in out_o:
                checks.append(f"large/ossa: no finding reported on line {large_err + 1}")
            if "bogus-tool-type" not in outputs[key]["peer"][-1][1]:
                checks.append("large/peer: the planted bogus-tool-type was not reported")

    q = quality
    rows.append([f"{invalid.name}: errors reported (9 planted)", str(q["ossa"]["errors"]), str(q["peer"]["errors"]),
                 "", str(q["bundled"]["errors"]), "", ""])
    rows.append(["  with a line number", f"{q['ossa']['with_line']}/{q['ossa']['errors']}",
                 f"{q['peer']['with_line']}/{q['peer']['errors']} (JSON paths only)", "",
                 f"{q['bundled']['with_line']}/{q['bundled']['errors']}", "", ""])
    rows.append(["  on the expected line (expect.json)",
                 f"{q['ossa']['expected_hit']}/{len(expected_lines)}, {q['ossa']['extra_lines']} extra", "n/a", "",
                 f"{q['bundled']['expected_hit']}/{len(expected_lines)}, {q['bundled']['extra_lines']} extra", "", ""])
    rows.append(["  exit status", str(q["ossa"]["rc"]), str(q["peer"]["rc"]), "", str(q["bundled"]["rc"]), "", ""])

    header = ["metric", "ossa-lsp --schema", "check-jsonschema", "ratio ossa/peer", "ossa-lsp bundled",
              "ratio bundled/peer", f"goal ratio <= {GOAL_PER_FILE}"]
    elapsed = time.time() - t_start
    print(f"ossa-lsp check vs check-jsonschema ({args.reps} reps + {args.warmup} warm-up, one process per run, "
          f"round-robin)")
    print(f"ossa-lsp: {ossa_v} [{' '.join(ossa)}]")
    print(f"check-jsonschema: {peer_v} [{' '.join(peer)}]")
    print(f"schema: {schema}")
    print(repo_state())
    print(host_line())
    print()
    print(render(rows, header))
    print()
    print("cells: median (min) over the reps; ratios: median/median (min/min), < 1 means ossa-lsp is faster "
          "or smaller. 'ossa-lsp bundled' = no --schema (its own v0.2.2 schema, apiVersion-mapped).")
    print("ossa-lsp check uses worker processes for >= 48 files (-j default: cores, at most 4); "
          "check-jsonschema is single-process; CPU sums every process.")
    print("findings: ossa-lsp `check -f json` (errors only), check-jsonschema's text output. Both check "
          "`format` (ossa-lsp reports format problems as warnings, not counted as errors).")
    if cfiles:
        print("corpus errors are not comparable 1:1: ossa-lsp reports each unknown key on its own line (SCHEMA001) "
              "where check-jsonschema reports one additionalProperties error per object, and it checks each "
              "document of a multi-document file where check-jsonschema reports one parse failure.")
    for c in checks:
        print(f"CHECK: {c}")
    print(f"total time: {elapsed:.0f} s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "ossa_lsp": {"command": ossa, "version": ossa_v}, "peer": {"command": peer, "version": peer_v},
            "schema": str(schema), "reps": args.reps, "warmup": args.warmup,
            "workloads": {k: {"title": t, "files": len(f)} for k, t, f, _ in workloads},
            "samples": raw, "findings": quality, "checks": checks, "duration_s": elapsed,
        }, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
