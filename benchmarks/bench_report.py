#!/usr/bin/env python3
"""`ossa-lsp report` on a generated fleet: time and size of each format, against the issue's goals
(2,000 manifests → the HTML report in under 10 s and under 5 MB).

    python benchmarks/bench_report.py [--agents 2000] [-n 3] [--keep DIR]

The fleet looks like a real one: 40 namespaces of agents in tiers (front agents call workers, workers call
tools), models from the price table, daily cost caps in USD and EUR (some agents with none), a few call
cycles, outside hosts and endpoints that name no agent. Every measurement is a fresh process, as in CI
(wall time, and the CPU time of the process and its workers, which a loaded machine disturbs less);
`ossa-lsp check -f json` on the same files is printed beside it (the report is a check plus the page), as
there is no other tool that writes such a report. Standard library only; not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Series, fmt_num, host_line, log, ossa_lsp_command, render, repo_state, run_timed

GOAL_SECONDS, GOAL_MIB = 10.0, 5.0
NAMESPACES = 40
MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4.1"), ("anthropic", "claude-sonnet-4-5"),
          ("anthropic", "claude-haiku-4-5"), ("google", "gemini-2.5-flash"), ("acme", "house-model")]

TEMPLATE = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: {name}
  version: 1.{i}.0
  description: Generated agent {i} of tier {tier} in {ns}.
  labels:
    namespace: {ns}
    owner: {ns}-owners
spec:
  role: Handles step {tier} of the {ns} workflow for generated case {i}.
  llm:
    provider: {provider}
    model: {model}
    maxTokens: 2048
  tools:
{tools}  constraints:
{cost}    performance:
      maxConcurrentRequests: {conc}
      timeoutSeconds: {timeout}
  observability:
    tracing:
      enabled: true
      exporter: otlp
    metrics:
      enabled: {metrics}
    logging:
      level: info
      format: json
"""

TOOL = """    - type: http
      name: {name}
      endpoint: {url}
      auth:
        type: {auth}
"""


def _calls(i: int, n: int, per_ns: int, tier: int, ns: str) -> list[str]:
    """Tier 0 calls two agents of its namespace, tier 1 one, tier 2 an outside API; every 97th agent calls
    the first of its namespace (a cycle, often) and every 131st an agent that does not exist."""
    base = (i // per_ns) * per_ns
    out = []
    if tier == 0:
        out += [f"http://agent-{min(n - 1, base + 1 + (i + k) % (per_ns - 1))}.{ns}:8080/run" for k in (0, 7)]
    elif tier == 1:
        out.append(f"http://agent-{min(n - 1, base + (i * 3) % per_ns)}.{ns}:8080/run")
    else:
        out.append(f"https://api.vendor{i % 9}.example.com/v1")
    if i % 97 == 0:
        out.append(f"http://agent-{base}.{ns}:8080/run")
    if i % 131 == 0:
        out.append(f"http://retired-{i}:8080/run")
    return out


def generate(root: Path, n: int) -> None:
    per_ns = max(n // NAMESPACES, 4)
    for i in range(n):
        ns, tier = f"team-{(i // per_ns) % NAMESPACES:02d}", min(2, (i % per_ns) % 3)
        provider, model = MODELS[i % len(MODELS)]
        tools = "".join(TOOL.format(name=f"call-{k}", url=u, auth=("mtls", "bearer", "oauth2")[(i + k) % 3])
                        for k, u in enumerate(_calls(i, n, per_ns, tier, ns)))
        cost = "" if i % 11 == 0 else (f"    cost:\n      maxCostPerDay: {5 + i % 20}\n      currency: "
                                       f"{'EUR' if i % 4 == 0 else 'USD'}\n      maxTokensPerDay: {100000 * (1 + i % 9)}\n")
        text = TEMPLATE.format(name=f"agent-{i}", i=i, tier=tier, ns=ns, provider=provider, model=model, tools=tools,
                               cost=cost, conc=1 + i % 16, timeout=30 + i % 90, metrics=str(i % 5 != 0).lower())
        folder = root / ns
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"agent-{i}.ossa.yaml").write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=2000, help="manifests to generate")
    ap.add_argument("-n", "--reps", type=int, default=3, help="repetitions per command (the median is shown)")
    ap.add_argument("--keep", default=None, help="generate into DIR and keep it (default: a temporary folder)")
    ap.add_argument("--ossa-lsp", default=None, help="command for ossa-lsp (default: <repo>/.venv/bin/ossa-lsp)")
    args = ap.parse_args()
    cmd = ossa_lsp_command(args.ossa_lsp, None)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "fleet"
        log(f"generating {args.agents} manifests in {root}")
        generate(root, args.agents)
        out = Path(tmp) / "out"
        out.mkdir()
        runs = {"report -o report.html": ["report", str(root), "-o", str(out / "report.html")],
                "report -f json": ["report", str(root), "-f", "json", "-o", str(out / "report.json")],
                "report -f markdown": ["report", str(root), "-f", "markdown", "-o", str(out / "summary.md")],
                "check -f json (same files)": ["check", str(root), "-f", "json", "-o", str(out / "check.json")]}
        outputs = {"report -o report.html": "report.html", "report -f json": "report.json",
                   "report -f markdown": "summary.md", "check -f json (same files)": "check.json"}
        times = {k: Series() for k in runs}
        cpus = {k: Series() for k in runs}
        for rep in range(args.reps):
            for label, argv in runs.items():
                sample = run_timed([*cmd, *argv])
                if sample.rc not in (0, 1):
                    raise SystemExit(f"bench: {label} exited {sample.rc}: {sample.stderr[-2000:]}")
                times[label].add(sample.wall_s)
                cpus[label].add(sample.cpu_s)
            log(f"repetition {rep + 1}/{args.reps} done")
        rows = []
        for label in runs:
            size = (out / outputs[label]).stat().st_size / 2**20
            rows.append([label, fmt_num(times[label].median), f"{fmt_num(times[label].min)}–{fmt_num(times[label].max)}",
                         fmt_num(cpus[label].median), f"{size:.2f}"])
        html_s, html_mib = times["report -o report.html"].median, (out / "report.html").stat().st_size / 2**20
        lines = len((out / "summary.md").read_text().splitlines())
    print(f"ossa-lsp report on {args.agents} generated manifests ({args.reps} runs each, median wall time)")
    print(repo_state())
    print(host_line())
    print()
    print(render(rows, ["command", "wall s (median)", "min–max s", "CPU s (median)", "output MiB"]))
    print()
    print(f"goal: HTML report < {GOAL_SECONDS:g} s and < {GOAL_MIB:g} MB -> {html_s:.2f} s "
          f"({'met' if html_s < GOAL_SECONDS else 'NOT met'}), {html_mib:.2f} MiB "
          f"({'met' if html_mib < GOAL_MIB else 'NOT met'}); markdown summary {lines} lines (goal <= 60)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
