"""The workspace index and the call graph on a small fixture workspace."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ossa_lsp.core.discover import walk
from ossa_lsp.core.workspace.index import WorkspaceIndex
from ossa_lsp.output.graph import dot, mermaid
from tests.conftest import ROOT

WS = ROOT / "tests" / "fixtures" / "workspace"


@pytest.fixture
def index() -> WorkspaceIndex:
    ix = WorkspaceIndex()
    ix.build(str(p) for p in walk(WS))
    return ix


def test_agents_and_their_endpoints_are_indexed(index):
    names = sorted(a.name for a in index.agents())
    assert names == ["fraud-worker", "invoice-worker", "invoice-worker", "orchestrator"]
    [orch] = index.named("orchestrator")
    assert orch.namespace == "agents" and orch.model == "gpt-4o" and orch.max_cost_per_day == 25
    assert [e.tool_name for e in orch.endpoints] == ["invoke_invoice_worker", "invoke_fraud_worker", "invoke_ledger",
                                                    "exchange_rates"]


@pytest.mark.parametrize(("host_url", "target"), [
    ("http://fraud-worker:80/x", "fraud-worker"),
    ("http://fraud-worker.agents:80/x", "fraud-worker"),
    ("http://fraud-worker.agents.svc/x", "fraud-worker"),
    ("https://fraud-worker.agents.svc.cluster.local:8443/score", "fraud-worker"),
    ("http://fraud-worker.other-namespace/x", None),
    ("https://fraud-worker.example.com/x", None),
])
def test_endpoint_resolution(index, host_url, target):
    from urllib.parse import urlsplit

    from ossa_lsp.core.text.spans import ZERO
    from ossa_lsp.core.workspace.index import Endpoint

    parts = urlsplit(host_url)
    ep = Endpoint(0, None, host_url, parts.scheme, parts.hostname or "", parts.port, parts.path, ZERO, None, ZERO)
    hit = index.resolve(ep)
    assert (hit.name if hit else None) == target


def test_duplicates_dangling_and_cycles(index):
    assert list(index.duplicates()) == [("invoice-worker", "agents")]
    dangling = [c.endpoint.host for c in index.calls() if c.callee is None and c.endpoint.internal]
    assert dangling == ["ledger-agent"]
    [cycle] = index.cycles()
    assert sorted(c.caller.name for c in cycle) == ["fraud-worker", "orchestrator"]


def test_updates_and_removal_change_the_answers(index, tmp_path):
    fraud = next(a for a in index.agents() if a.name == "fraud-worker")
    text = Path(fraud.path).read_text().replace("name: fraud-worker", "name: risk-worker")
    assert index.update_text(fraud.path, text)
    assert not index.update_text(fraud.path, text)  # unchanged: no new generation
    calls = {c.endpoint.tool_name: c.callee for c in index.calls()}
    assert calls["invoke_fraud_worker"] is None
    assert index.remove(fraud.path) and not index.named("risk-worker")


def test_mermaid_graph_structure(index):
    text = mermaid(index)
    assert text.startswith("flowchart LR\n")
    nodes = dict(re.findall(r'^    (\w+)\["([^"]*)"\]$', text, re.M))
    assert nodes["orchestrator"] == "orchestrator<br/>openai/gpt-4o<br/>≤ 25 USD/day"
    edges = re.findall(r'^    (\w+) (-->|-\.->)\|"([^"]+)"\| (\w+)$', text, re.M)
    assert ("orchestrator", "-->", "invoke_fraud_worker", "fraud_worker") in edges
    assert ("orchestrator", "-.->", "invoke_ledger", "ext_ledger_agent") in edges
    assert ("fraud_worker", "-->", "escalate_to_orchestrator", "orchestrator") in edges
    assert 'ext_ledger_agent(["ledger-agent"]):::external' in text


def test_dot_graph_renders_with_graphviz_when_available(index, tmp_path):
    text = dot(index)
    assert text.startswith("digraph agents {") and 'style=dashed' in text
    assert re.search(r'orchestrator -> fraud_worker \[label="invoke_fraud_worker"\];', text)
    if shutil.which("dot") is None:
        pytest.skip("graphviz `dot` is not installed")
    import subprocess

    out = tmp_path / "graph.png"
    subprocess.run(["dot", "-Tpng", "-o", str(out)], input=text.encode(), check=True, timeout=30)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _ring(n: int, extra: int = 0) -> WorkspaceIndex:
    ix = WorkspaceIndex()
    for i in range(n):
        targets = [(i + 1) % n] + [(i * 7 + 3) % n for _ in range(extra)]
        tools = "".join(f"    - type: http\n      name: t{j}\n      endpoint: http://a{t}:80/x\n"
                        for j, t in enumerate(targets))
        ix.update_text(f"/virtual/a{i}.ossa.yaml", f"apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a{i}\n"
                                                    f"spec:\n  role: r\n  tools:\n{tools}")
    return ix


def test_shortest_cycle_through_each_agent():
    ix = _ring(5)
    [a0] = ix.named("a0")
    cycle = ix.cycle_through(a0)
    assert [c.caller.name for c in cycle] == ["a0", "a1", "a2", "a3", "a4"]
    assert ix.cycle_size(a0) == 5 and len(ix.cycles()) == 1


def test_cycles_stay_fast_on_a_dense_mesh():
    import time

    ix = _ring(1500, extra=2)  # every agent on many cycles: enumerating them all would never finish
    start = time.perf_counter()
    agents = ix.agents()
    found = [ix.cycle_through(a) for a in agents[:50]]
    assert all(found) and time.perf_counter() - start < 5
