"""Checking many manifests in bounded memory: the index keeps agents' summaries (never trees), the
summaries made in worker processes give the same cross-file findings as trees, and reports stream back
one file at a time."""

from __future__ import annotations

import gc
import pickle
import shutil
import tracemalloc
from pathlib import Path

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.config.load import Args, resolve_policy
from ossa_lsp.core.discover import walk
from ossa_lsp.core.text.source import Manifest, parse
from ossa_lsp.core.workspace.index import WorkspaceIndex, agents_in_text
from ossa_lsp.headless import check as checker
from tests.conftest import ROOT

WS = ROOT / "tests" / "fixtures" / "workspace"

AGENT = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: {name}
  labels:
    namespace: team-{team}
spec:
  role: Agent {i} of a generated mesh.
  tools:
    - type: http
      name: call_next
      endpoint: http://{callee}.team-{team}:8080/api
      auth:
        type: mtls
  constraints:
    performance:
      timeoutSeconds: {timeout}
"""


def mesh(root: Path, n: int) -> list[str]:
    """n agents in rings of five (call cycles), each calling the next; every seventh calls an agent nobody
    defines, every eleventh reuses the name of the agent before it, timeouts that do not shrink."""
    paths = []
    for i in range(n):
        team, ring = i % 3, i - i % 5
        callee = f"agent-{ring + (i + 1) % 5}" if i % 7 else f"agent-gone-{i}"
        name = f"agent-{i - 1}" if i % 11 == 10 else f"agent-{i}"
        text = AGENT.format(name=name, team=team, i=i, callee=callee, timeout=30 + i % 4 * 10)
        p = root / f"team-{team}" / f"agent-{i}.ossa.yaml"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    return paths


@pytest.fixture
def workspace(tmp_path: Path) -> list[str]:
    shutil.copytree(WS, tmp_path / "fixture")
    mesh(tmp_path / "mesh", 60)
    return [str(p) for p in walk(tmp_path)]


def _cross_file(index: WorkspaceIndex, paths: list[str]) -> list[tuple[str, str, object, str, object]]:
    policy, _ = resolve_policy(paths[0], no_config=True)
    out = []
    for p in paths:
        text = Path(p).read_text()
        for f in analyze(text, p, policy=policy, workspace=index).findings:
            if f.code.startswith("MESH") or f.code in ("SEC003", "TOOL004"):
                out.append((p, f.code, f.span, f.message, f.related))
    return out


def test_summaries_from_another_process_give_the_same_cross_file_findings(workspace):
    from_trees = WorkspaceIndex()
    for p in workspace:
        from_trees.update_manifest(p, parse(Path(p).read_text(), p))
    from_summaries = WorkspaceIndex()
    for p in workspace:  # what a worker sends back: pickled, not the tree
        from_summaries.update_agents(*pickle.loads(pickle.dumps(agents_in_text(p, Path(p).read_text()))))
    expected = _cross_file(from_trees, workspace)
    assert {code for _, code, *_ in expected} >= {"MESH002", "MESH003", "MESH004", "MESH005"}
    assert _cross_file(from_summaries, workspace) == expected


def test_a_parallel_run_reports_what_a_serial_one_does(workspace):
    def reports(jobs: int) -> list[tuple[str, list[dict[str, object]]]]:
        run = checker.CheckRun(args=Args(no_config=True))
        run.index(workspace, jobs)
        return [(r.path, [f.to_json() for f in r.findings]) for r in run.check_all(workspace, jobs)]

    assert len(workspace) >= checker.PARALLEL_MIN_FILES
    serial = reports(1)
    assert any(f["code"] == "MESH005" for _, fs in serial for f in fs)
    assert reports(2) == serial


def _manifests() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, Manifest))


def test_indexing_a_large_run_keeps_no_trees(workspace):
    assert len(workspace) > checker.KEEP_TREES
    gc.collect()
    before = _manifests()
    for jobs in (1, 2):
        run = checker.CheckRun(args=Args(no_config=True))
        index = run.index(workspace, jobs)
        gc.collect()
        assert _manifests() == before
        assert len(index.agents()) == 64


def test_the_index_costs_less_than_two_kilobytes_per_manifest(tmp_path):
    paths = mesh(tmp_path, 400)
    texts = [(p, Path(p).read_text()) for p in paths]
    gc.collect()
    tracemalloc.start()
    try:
        index = WorkspaceIndex()
        for p, text in texts:
            index.update_text(p, text)
        index.prepare()
        gc.collect()
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(index.agents()) == 400
    assert used / 400 < 2048


def test_reports_stream_back_before_later_files_are_read(workspace, monkeypatch):
    """The first report arrives while the last file has not been read yet: changing that file after the
    first report shows in its report (nothing is read ahead beyond a few files in flight)."""
    monkeypatch.setattr(checker, "CHUNK", 1)
    monkeypatch.setattr(checker, "IN_FLIGHT", 1)
    for jobs in (1, 2):
        run = checker.CheckRun(args=Args(no_config=True))
        run.index(workspace, jobs)
        last = Path(workspace[-1])
        original = last.read_text()
        reports = run.check_iter(workspace, jobs)
        first = next(reports)
        assert first.path == checker.display_path(workspace[0])
        last.write_text("apiVersion: [unclosed\n")
        rest = list(reports)
        last.write_text(original)
        assert [r.path for r in rest] == [checker.display_path(p) for p in workspace[1:]]
        assert any(f.code.startswith("YAML") for f in rest[-1].findings)
