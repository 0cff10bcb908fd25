"""Renaming an agent (core/answers/rename.py): the name and every endpoint host that calls it change,
across YAML and JSON files, quoted or not, keeping scheme, namespace, port and path; bad or taken names
are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossa_lsp.core.answers import rename
from ossa_lsp.core.text.spans import LineIndex, Pos
from ossa_lsp.core.workspace.index import WorkspaceIndex

WORKER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: "worker-a"  # quoted on purpose
  namespace: team
spec:
  role: Does the work.
  constraints:
    performance:
      timeoutSeconds: 60
"""
CALLER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: boss
spec:
  role: Delegates.
  tools:
    - type: http
      name: plain
      endpoint: http://worker-a:8080/run?x=1
    - type: http
      name: namespaced
      endpoint: 'https://user@worker-a.team.svc.cluster.local:8443/v1/score'
    - type: http
      name: outside
      endpoint: https://worker-a.example.com/api
    - type: http
      name: other
      endpoint: http://worker-b/run
"""
JSON_CALLER = """{
  "apiVersion": "ossa/v0.3.6",
  "kind": "Agent",
  "metadata": {"name": "json-boss"},
  "spec": {"role": "Delegates.", "tools": [{"type": "http", "name": "t", "endpoint": "http://worker-a.team/go"}]}
}
"""
OTHER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: worker-b
spec:
  role: Other work.
"""


@pytest.fixture
def ws(tmp_path: Path) -> dict[str, Path]:
    files = {"worker": ("worker.ossa.yaml", WORKER), "caller": ("caller.ossa.yaml", CALLER),
             "json": ("caller.ossa.json", JSON_CALLER), "other": ("other.ossa.yaml", OTHER)}
    out = {}
    for key, (name, text) in files.items():
        (tmp_path / name).write_text(text)
        out[key] = (tmp_path / name).resolve()
    return out


@pytest.fixture
def index(ws: dict[str, Path]) -> WorkspaceIndex:
    ix = WorkspaceIndex()
    ix.build(str(p) for p in ws.values())
    return ix


def apply(text: str, edits: list[rename.Edit]) -> str:
    lines = LineIndex(text)
    for e in sorted(edits, key=lambda e: e.span.start, reverse=True):
        text = text[:lines.offset(e.span.start)] + e.new_text + text[lines.offset(e.span.end):]
    return text


def renamed(index: WorkspaceIndex, ws: dict[str, Path], new: str) -> dict[str, str]:
    [agent] = index.named("worker-a")
    rename.check_name(index, agent, new, rename.schema_pattern(agent.api_version))
    plan = rename.plan(index, agent, new, lambda p: Path(p).read_text())
    return {key: apply(path.read_text(), plan.get(str(path), [])) for key, path in ws.items()}


def test_rename_changes_the_name_and_every_calling_host(index, ws):
    out = renamed(index, ws, "scorer")
    assert 'name: "scorer"  # quoted on purpose' in out["worker"]
    assert "endpoint: http://scorer:8080/run?x=1" in out["caller"]
    assert "endpoint: 'https://user@scorer.team.svc.cluster.local:8443/v1/score'" in out["caller"]
    assert "https://worker-a.example.com/api" in out["caller"]  # an outside host of the same first label
    assert '"endpoint": "http://scorer.team/go"' in out["json"]
    assert out["other"] == OTHER


def test_renamed_workspace_still_resolves_every_call(index, ws, tmp_path):
    out = renamed(index, ws, "scorer")
    for key, path in ws.items():
        path.write_text(out[key])
    after = WorkspaceIndex()
    after.build(str(p) for p in ws.values())
    [boss] = after.named("boss")
    assert [after.resolve(ep).name if after.resolve(ep) else None for ep in boss.endpoints] == \
        ["scorer", "scorer", None, "worker-b"]
    assert [after.resolve(ep).name for ep in after.named("json-boss")[0].endpoints] == ["scorer"]


def test_a_plain_name_that_would_read_as_a_number_is_quoted(index, ws):
    text = ws["worker"].read_text().replace('"worker-a"', "worker-a")
    ws["worker"].write_text(text)
    index.update_file(str(ws["worker"]))
    out = renamed(index, ws, "123")
    assert 'name: "123"' in out["worker"] and "http://123:8080/run" in out["caller"]


@pytest.mark.parametrize("bad", ["Worker", "worker_a", "-worker", "worker.a", "a" * 64, "", "wörker"])
def test_names_that_break_the_pattern_are_refused(index, bad):
    [agent] = index.named("worker-a")
    with pytest.raises(rename.RenameError, match="not a valid agent name"):
        rename.check_name(index, agent, bad, rename.schema_pattern(agent.api_version))


def test_a_name_taken_by_another_agent_is_refused(index):
    [agent] = index.named("worker-a")
    with pytest.raises(rename.RenameError, match=r"already exists.*other\.ossa\.yaml"):
        rename.check_name(index, agent, "worker-b", None)
    with pytest.raises(rename.RenameError, match="already exists"):
        rename.check_name(index, agent, "boss", None)


def test_prepare_on_the_name_and_on_a_calling_host(index, ws):
    text = ws["caller"].read_text()
    lines = LineIndex(text)
    line = next(i for i, s in enumerate(text.splitlines()) if "worker-a.team.svc" in s)
    col = text.splitlines()[line].index("worker-a")
    target = rename.prepare(index, str(ws["caller"]), lines, Pos(line, col + 3))
    assert target is not None and target.agent.name == "worker-a" and target.placeholder == "worker-a"
    assert lines.slice(target.span) == "worker-a" and target.span.start.character == col
    on_outside = next(i for i, s in enumerate(text.splitlines()) if "example.com" in s)
    assert rename.prepare(index, str(ws["caller"]), lines, Pos(on_outside, 20)) is None
    wtext = ws["worker"].read_text()
    named = rename.prepare(index, str(ws["worker"]), LineIndex(wtext), Pos(3, 10))
    assert named is not None and LineIndex(wtext).slice(named.span) == "worker-a"  # inside the quotes
    assert rename.prepare(index, str(ws["worker"]), LineIndex(wtext), Pos(6, 4)) is None


def test_files_changed_since_indexing_are_edited_from_their_current_text(index, ws):
    ws["caller"].write_text("# a new first line\n" + CALLER)  # not re-indexed: the index spans are stale
    out = renamed(index, ws, "scorer")
    assert "endpoint: http://scorer:8080/run?x=1" in out["caller"] and out["caller"].startswith("# a new")


def test_block_scalar_endpoints_are_renamed_and_unsafe_ones_refuse_the_whole_rename(index, ws):
    folded = CALLER.replace("      endpoint: http://worker-a:8080/run?x=1",
                            "      endpoint: >-\n        http://worker-a:8080/run?x=1")
    ws["caller"].write_text(folded)
    index.update_file(str(ws["caller"]))
    out = renamed(index, ws, "scorer")
    assert "endpoint: >-\n        http://scorer:8080/run?x=1" in out["caller"]
    escaped = JSON_CALLER.replace('"http://worker-a.team/go"', '"http:\\/\\/worker-a.team\\/go"')
    ws["json"].write_text(escaped)
    index.update_file(str(ws["json"]))
    [agent] = index.named("worker-a")
    assert [ep.host for ep in index.named("json-boss")[0].endpoints] == ["worker-a.team"]  # it does call it
    with pytest.raises(rename.RenameError, match=r"caller\.ossa\.json, line 5 .*nothing was renamed"):
        rename.plan(index, agent, "scorer", lambda p: Path(p).read_text())
