"""Scale benchmark: time and memory of `ossa-lsp check -q` and of the language server's workspace index
over generated repositories of N manifests (orchestrators calling workers, ~30 lines each). Goal
(issue 19): memory grows by at most 2 KB per manifest beyond the files being analysed (<= 150 MiB at
20,000 manifests, all processes together), throughput at least as before.

    python benchmarks/bench_scale.py                      # 2,000 and 20,000 manifests
    python benchmarks/bench_scale.py --sizes 2000 --huge  # adds 100,000
    python benchmarks/bench_scale.py --before /work/before  # another checkout (with its .venv) side by side

For each size and checkout it prints: wall time, peak RSS of the main process, peak PSS summed over the
process and its workers (sampled from /proc/<pid>/smaps_rollup of the process tree; shared pages counted
once), and that PSS per manifest. The server row starts `ossa-lsp` on stdio with the repository as its
workspace folder, waits for the end of the "Indexing OSSA agents" progress, and reads the same figures.
Linux only (reads /proc); standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, fmt_num, host_line, log, render, repo_state

WORKERS_PER_ORCHESTRATOR = 4
SAMPLE_EVERY_S = 0.05
SERVER_TIMEOUT_S = 1800
SERVER_PROGRESS_FROM = 200  # lsp/indexing.py: the server reports indexing progress above this many files

ORCHESTRATOR = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: {name}
  labels:
    namespace: team-{team}
    owner: team-{team}
spec:
  role: Orchestrator {i} of a generated mesh; it routes work to its workers.
  llm:
    provider: openai
    model: gpt-4o-mini
    maxTokens: 1024
  tools:
{tools}  constraints:
    cost:
      maxCostPerDay: 20
      currency: USD
    performance:
      timeoutSeconds: {timeout}
"""

TOOL = """    - type: http
      name: call_{w}
      endpoint: http://{w}.team-{team}:8080/api
      auth:
        type: mtls
"""

WORKER = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: {name}
  labels:
    namespace: team-{team}
    owner: team-{team}
spec:
  role: Worker {i} of a generated mesh; it extracts line items from documents.
  llm:
    provider: openai
    model: gpt-4o-mini
    maxTokens: 1024
    temperature: 0.2
  capabilities:
    - name: extract
      description: Extracts line items from one document.
  tools:
    - type: http
      name: lookup
      endpoint: https://api.example.com/lookup
      auth:
        type: bearer
        credentials: LOOKUP_API_KEY_SECRET
  constraints:
    cost:
      maxCostPerDay: 5
      currency: USD
    performance:
      timeoutSeconds: {timeout}
"""


def generate(root: Path, n: int) -> None:
    """n manifests: every fifth an orchestrator calling the four workers after it (same team). A few
    give cross-file findings: every 100th orchestrator also calls a worker nobody defines (MESH003) and
    waits no longer than its workers (MESH004), every 200th worker calls its orchestrator back (MESH005),
    and every 1,000th worker reuses the name of the worker before it (MESH002)."""
    group = WORKERS_PER_ORCHESTRATOR + 1
    for i in range(n):
        team = (i // group) % 50
        lead = i - i % group
        if i % group == 0:
            workers = [f"worker-{w}" for w in range(i + 1, min(n, i + group))]
            tools = "".join(TOOL.format(w=w, team=team) for w in workers)
            if i % 100 == 0:  # a single-label host: internal-looking, so MESH003 when nobody is called that
                tools += TOOL.format(w=f"worker-gone-{i}", team=team).replace(f".team-{team}:", ":")
            text = ORCHESTRATOR.format(name=f"orchestrator-{i}", team=team, i=i, tools=tools,
                                       timeout=60 if i % 100 == 0 else 120)
            name = f"orchestrator-{i}"
        else:
            agent = f"worker-{i - 1}" if i % 1000 == 999 and (i - 1) % group else f"worker-{i}"
            text = WORKER.format(name=agent, team=team, i=i, timeout=30 + i % 60)
            if i % 200 == 1:
                text = text.replace("  constraints:", TOOL.format(
                    w=f"orchestrator-{lead}", team=team) + "  constraints:")
            name = f"worker-{i}"
        folder = root / f"team-{team}" / f"group-{lead // (group * 50)}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.ossa.yaml").write_text(text)


# --------------------------------------------------------------------------- sampling a process tree


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rollup(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; zeros once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class Sampler(threading.Thread):
    """Peak RSS of the root process and peak PSS summed over the root and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss = pid, 0, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_EVERY_S)

    def sample(self) -> None:
        tree = _children()
        todo, pss_sum = [self.pid], 0
        while todo:
            pid = todo.pop()
            rss, pss = _rollup(pid)
            if pid == self.pid:
                self.peak_rss = max(self.peak_rss, rss)
            pss_sum += pss
            todo.extend(tree.get(pid, []))
        self.peak_pss = max(self.peak_pss, pss_sum)

    def finish(self) -> None:
        self.stop.set()
        self.join()


@dataclass
class Figures:
    wall_s: float
    rss_kib: int
    pss_kib: int
    note: str = ""


@dataclass
class Checkout:
    label: str
    python: str
    server: Path

    def command(self, *args: str) -> list[str]:
        return [self.python, "-m", "ossa_lsp", *args]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.server)}


def measure_check(co: Checkout, root: Path) -> Figures:
    t0 = time.perf_counter()
    proc = subprocess.Popen(co.command("check", "-q", "--no-config", "."), cwd=root, env=co.env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.finish()
    note = "" if proc.returncode in (0, 1) else f"exit {proc.returncode}: {err.decode()[-200:]}"
    return Figures(wall, sampler.peak_rss, sampler.peak_pss, note)


# --------------------------------------------------------------------------- the server over stdio


class Client:
    """Just enough of an LSP client: answers the server's requests, records progress by token."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc, self.next_id = proc, 1
        self.titles: dict[object, str] = {}
        self.ended: dict[object, str] = {}
        self.replies: dict[int, object] = {}

    def send(self, msg: dict[str, object]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: object) -> int:
        rid, self.next_id = self.next_id, self.next_id + 1
        self.send({"id": rid, "method": method, "params": params})
        return rid

    def read(self) -> dict[str, Any] | None:
        out = self.proc.stdout
        assert out is not None
        length = 0
        while True:
            line = out.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        msg: dict[str, Any] = json.loads(out.read(length))
        return msg

    def pump_until(self, done: object) -> bool:
        """Handle messages until `done()` says so; False when the server went away."""
        while not done():  # type: ignore[operator]
            msg = self.read()
            if msg is None:
                return False
            self.handle(msg)
        return True

    def handle(self, msg: dict[str, Any]) -> None:
        method = msg.get("method")
        if "id" in msg and method is not None:  # a request from the server
            result: object = None
            if method == "workspace/configuration":
                result = [None] * len(msg.get("params", {}).get("items", []))
            self.send({"id": msg["id"], "result": result})
        elif method == "$/progress":
            value, token = msg["params"]["value"], msg["params"]["token"]
            if value.get("kind") == "begin":
                self.titles[token] = value.get("title", "")
            elif value.get("kind") == "end":
                self.ended[token] = value.get("message", "")
        elif "id" in msg:
            self.replies[msg["id"]] = msg.get("result")

    def index_end(self) -> str | None:
        for token, message in self.ended.items():
            if self.titles.get(token) == "Indexing OSSA agents":
                return message
        return None


def measure_server(co: Checkout, root: Path) -> Figures:
    t0 = time.perf_counter()
    proc = subprocess.Popen(co.command("serve"), cwd=root, env=co.env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sampler = Sampler(proc.pid)
    sampler.start()
    client = Client(proc)
    uri = root.as_uri()
    rid = client.request("initialize", {
        "processId": os.getpid(), "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
        "capabilities": {"window": {"workDoneProgress": True},
                         "workspace": {"configuration": True, "workspaceFolders": True}}})
    note = ""
    ok = client.pump_until(lambda: rid in client.replies)
    if ok:
        client.send({"method": "initialized", "params": {}})
        timer = threading.Timer(SERVER_TIMEOUT_S, proc.kill)
        timer.start()
        ok = client.pump_until(lambda: client.index_end() is not None)
        timer.cancel()
    wall = time.perf_counter() - t0
    sampler.sample()  # the index as built, after the last batch
    sampler.finish()
    if ok:
        note = client.index_end() or ""
        sid = client.request("shutdown", None)
        client.pump_until(lambda: sid in client.replies)
        client.send({"method": "exit"})
    else:
        note = "server went away before indexing ended"
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return Figures(wall, sampler.peak_rss, sampler.peak_pss, note)


# --------------------------------------------------------------------------- the table


def row(label: str, what: str, n: int, f: Figures, previous: tuple[int, Figures] | None) -> list[str]:
    """`growth`: PSS added per manifest since the previous size (what the goal bounds: <= 2 KiB)."""
    mib = lambda kib: f"{kib / 1024:.0f}"  # noqa: E731
    growth = f"{(f.pss_kib - previous[1].pss_kib) / (n - previous[0]):.2f}" if previous and n > previous[0] else "-"
    return [what, label, f"{n:,}", fmt_num(f.wall_s), f"{n / f.wall_s:.0f}", mib(f.rss_kib), mib(f.pss_kib),
            f"{f.pss_kib / n:.1f}", growth, f.note]


def checkouts(args: argparse.Namespace) -> list[Checkout]:
    here_py = args.python or str(REPO.parent / "main" / ".venv" / "bin" / "python")
    if not Path(here_py).exists():
        here_py = sys.executable
    out = []
    if args.before:
        before = Path(args.before).resolve()
        py = before / ".venv" / "bin" / "python"
        out.append(Checkout("before", str(py) if py.exists() else here_py, before / "server"))
    out.append(Checkout("this", here_py, REPO / "server"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000,20000", help="comma-separated manifest counts (default 2000,20000)")
    ap.add_argument("--huge", action="store_true", help="also 100,000 manifests (several minutes per row)")
    ap.add_argument("--before", metavar="CHECKOUT", help="another checkout (uses its .venv) measured alongside")
    ap.add_argument("--python", help="interpreter for this checkout (default: the main venv, else this one)")
    ap.add_argument("--no-server", action="store_true", help="only `check`")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] + ([100_000] if args.huge else [])
    rows = []
    seen: dict[tuple[str, str], tuple[int, Figures]] = {}

    def add(label: str, what: str, n: int, f: Figures) -> None:
        rows.append(row(label, what, n, f, seen.get((label, what))))
        seen[(label, what)] = (n, f)

    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="ossa-scale-bench-") as tmp:
            root = Path(tmp)
            log(f"generating {n} manifests")
            generate(root, n)
            for co in checkouts(args):
                log(f"{co.label}: check, {n} manifests")
                add(co.label, "check -q", n, measure_check(co, root))
                if not args.no_server and n > SERVER_PROGRESS_FROM:  # smaller: indexed without progress
                    log(f"{co.label}: server index, {n} manifests")
                    add(co.label, "server index", n, measure_server(co, root))
    print(repo_state())
    print(host_line())
    print(render(rows, ["what", "code", "manifests", "wall s", "files/s", "peak RSS main MiB",
                        "peak PSS all MiB", "PSS KiB/manifest", "growth KiB/manifest", "note"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
