"""Code lenses (core/answers/lens.py): callers and callees counted per agent, the callee and its timeout
per calling tool."""

from __future__ import annotations

from pathlib import Path

from ossa_lsp.core.answers import lens
from ossa_lsp.core.workspace.index import WorkspaceIndex
from tests.lsp import mesh


def _index(tmp_path: Path) -> tuple[WorkspaceIndex, dict[str, Path]]:
    files = mesh.make(tmp_path / "ws")
    ix = WorkspaceIndex()
    ix.build(str(p) for p in files.values())
    return ix, {k: p.resolve() for k, p in files.items()}


def test_counts_distinct_calling_agents_and_callees(tmp_path: Path):
    ix, files = _index(tmp_path)
    [worker] = lens.lenses(ix, str(files["worker"]))
    assert worker.title == "called by 3 agents · calls 0"  # boss calls it twice: one agent
    assert len(worker.targets) == 4 and {Path(p).name for p, _ in worker.targets} == {
        "caller.ossa.yaml", "json-caller.ossa.json", "other.ossa.yaml"}
    titles = [x.title for x in lens.lenses(ix, str(files["caller"]))]
    assert titles == ["called by 0 agents · calls 2", "→ worker-a (timeout 60 s)", "→ worker-a (timeout 60 s)",
                      "→ worker-b"]
    assert [x.title for x in lens.lenses(ix, str(files["other"]))] == ["called by 1 agent · calls 1",
                                                                      "→ worker-a (timeout 60 s)"]


def test_one_caller_is_singular_and_a_self_call_counts(tmp_path: Path):
    ix, files = _index(tmp_path)
    text = mesh.OTHER.replace("worker-a/callback", "worker-b/self")
    files["other"].write_text(text)
    ix.update_file(str(files["other"]))
    assert lens.lenses(ix, str(files["other"]))[0].title == "called by 2 agents · calls 1"
    files["caller"].write_text(mesh.CALLER.replace("http://worker-b/run", "http://nowhere/run"))
    ix.update_file(str(files["caller"]))
    assert lens.lenses(ix, str(files["other"]))[0].title == "called by 1 agent · calls 1"
