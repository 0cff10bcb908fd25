"""`ossa-lsp check`: what CI pipelines see — formats, exit codes, discovery and hostile files."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

GOOD = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: good-agent
spec:
  role: Helps.
"""
BAD = GOOD.replace("  role: Helps.\n", "  role: Helps.\n  llm:\n    provider: open-ai\n    model: gpt-4o\n") \
    .replace("name: good-agent", "name: bad-agent")


def no_hints(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["severity"] != "hint"]


def write(root: Path, name: str, text: str | bytes) -> Path:
    p = root / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def test_text_output_has_path_line_col_code_and_summary(cli, tmp_path):
    write(tmp_path, "bad.ossa.yaml", BAD)
    r = cli("check", "bad.ossa.yaml")
    assert r.code == 1
    first, summary = r.out.splitlines()
    assert first.startswith("bad.ossa.yaml:8:15: error SCHEMA004 ")
    assert "did you mean `openai`" in first.lower()
    assert summary == "Checked 1 file: 1 error, 0 warnings in 1 file."


def test_clean_files_exit_zero(cli, tmp_path):
    write(tmp_path, "good.ossa.yaml", GOOD)
    r = cli("check", ".")
    assert r.code == 0, r.out
    assert r.out.strip() == "Checked 1 file: 0 errors, 0 warnings."


def test_json_format_is_the_documented_contract(cli, tmp_path):
    write(tmp_path, "bad.ossa.yaml", BAD)
    write(tmp_path, "good.ossa.yaml", GOOD)
    r = cli("check", "-f", "json", ".")
    data = json.loads(r.out)
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {"bad.ossa.yaml", "good.ossa.yaml"}
    bad = files["bad.ossa.yaml"]
    assert bad["documents"] == [{"index": 0, "apiVersion": "ossa/v0.2.2", "kind": "Agent", "schema": "ossa/v0.2.2",
                                 "valid": False}]
    [f] = no_hints(bad["findings"])
    assert f["code"] == "SCHEMA004" and f["severity"] == "error" and f["source"] == "schema"
    assert f["pointer"] == "/spec/llm/provider" and f["document"] == 0
    assert f["range"] == {"start": {"line": 7, "character": 14}, "end": {"line": 7, "character": 21}}
    assert files["good.ossa.yaml"]["documents"][0]["valid"] is True
    assert data["summary"]["errors"] == 1 and data["summary"]["files"] == 2


def test_json_pointer_escapes_slash_and_tilde(cli, tmp_path):
    text = GOOD.replace("  name: good-agent\n", "  name: good-agent\n  labels:\n    team/a~b: 5\n")
    write(tmp_path, "p.ossa.yaml", text)
    data = json.loads(cli("check", "-f", "json", "p.ossa.yaml").out)
    assert no_hints(data["files"][0]["findings"])[0]["pointer"] == "/metadata/labels/team~1a~0b"


def test_json_ranges_are_utf16_like_lsp(cli, tmp_path):
    text = GOOD.replace("  role: Helps.\n", "  role: Helps.\n  llm: {model: 🎉🎉, provider: x}\n")
    write(tmp_path, "u.ossa.yaml", text)
    [f] = no_hints(json.loads(cli("check", "-f", "json", "u.ossa.yaml").out)["files"][0]["findings"])
    assert f["range"]["start"] == {"line": 6, "character": 31}  # code point 29; the 2 emoji are 4 UTF-16 units


def test_sarif_has_rules_regions_and_help(cli, tmp_path):
    write(tmp_path, "bad.ossa.yaml", BAD)
    sarif = json.loads(cli("check", "-f", "sarif", "bad.ossa.yaml").out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    [rule] = [x for x in run["tool"]["driver"]["rules"] if x["id"] == "SCHEMA004"]
    assert rule["id"] == "SCHEMA004" and rule["helpUri"].startswith("https://") and rule["shortDescription"]["text"]
    [res] = [x for x in run["results"] if x["level"] != "note"]
    assert res["ruleId"] == "SCHEMA004" and res["level"] == "error"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 8, "startColumn": 15, "endLine": 8, "endColumn": 22}
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.ossa.yaml"


def test_github_annotations(cli, tmp_path):
    write(tmp_path, "bad.ossa.yaml", BAD)
    out = cli("check", "-f", "github", "bad.ossa.yaml").out.splitlines()
    assert out[0].startswith("::error file=bad.ossa.yaml,line=8,col=15,endColumn=22,title=SCHEMA004::")


def test_stdin_with_filename(cli):
    r = cli("check", "-", "--stdin-filename", "agent.ossa.yaml", stdin=BAD.encode())
    assert r.code == 1 and r.out.startswith("agent.ossa.yaml:8:15:")
    rj = cli("check", "-", "--stdin-filename", "agent.ossa.json", stdin=b'{"apiVersion": "ossa/v0.2.2",}')
    assert rj.code == 1 and "YAML001" in rj.out


def test_directory_discovery_finds_manifests_by_name_and_content_and_skips_the_rest(cli, tmp_path):
    write(tmp_path, "agents/a.ossa.yaml", GOOD)
    write(tmp_path, "agents/b.yaml", BAD)  # found by its apiVersion
    write(tmp_path, "agents/c.json", json.dumps({"apiVersion": "ossa/v0.2.2", "kind": "Agent"}))
    write(tmp_path, "deploy/k8s.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    write(tmp_path, "deploy/notes.json", '{"versions": {"apiVersion": "ossa/v0.2.2"}}')
    write(tmp_path, "ignored/x.ossa.yaml", BAD)
    write(tmp_path, "node_modules/y.ossa.yaml", BAD)
    write(tmp_path, ".gitignore", "ignored/\n")
    (tmp_path / ".git").mkdir()
    data = json.loads(cli("check", "-f", "json", ".").out)
    assert sorted(f["path"] for f in data["files"]) == ["agents/a.ossa.yaml", "agents/b.yaml", "agents/c.json"]


def test_schema_option_validates_with_any_schema(cli, tmp_path):
    schema = {"type": "object", "properties": {"kind": {"enum": ["Robot"]}}}
    write(tmp_path, "s.json", json.dumps(schema))
    write(tmp_path, "a.ossa.yaml", GOOD)
    r = cli("check", "--schema", "s.json", "a.ossa.yaml")
    assert r.code == 1 and "a.ossa.yaml:2:7: error SCHEMA004" in r.out


@pytest.mark.parametrize(("content", "message"), [("{not json", "not JSON"), ('{"type": 12}', "not a valid JSON Schema")])
def test_broken_schema_file_is_a_usage_error(cli, tmp_path, content, message):
    write(tmp_path, "s.json", content)
    write(tmp_path, "a.ossa.yaml", GOOD)
    r = cli("check", "--schema", "s.json", "a.ossa.yaml")
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


def test_missing_path_is_reported_and_other_files_still_checked(cli, tmp_path):
    write(tmp_path, "bad.ossa.yaml", BAD)
    r = cli("check", "nope.ossa.yaml", "bad.ossa.yaml")
    assert r.code == 2
    assert "nope.ossa.yaml: error IO no such file or directory" in r.out
    assert "bad.ossa.yaml:8:15" in r.out


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.ossa.yaml", b"", "YAML008"),
        ("comments.ossa.yaml", b"# nothing here\n", "YAML008"),
        ("list.ossa.yaml", b"- a\n- b\n", "YAML004"),
        ("scalar.ossa.json", b'"just text"', "YAML004"),
        ("binary.ossa.yaml", b"\x7fELF\x00\x00\x01\x02", "YAML005"),
        ("latin1.ossa.yaml", "apiVersion: ossa/v0.2.2\nname: caf\xe9\n".encode("latin-1"), "YAML005"),
        ("tabs.ossa.yaml", b"apiVersion: ossa/v0.2.2\nspec:\n\trole: x\n", "YAML001"),
    ],
)
def test_hostile_files_get_a_clear_finding(cli, tmp_path, name, content, code):
    write(tmp_path, name, content)
    r = cli("check", "-f", "json", name)
    assert "Traceback" not in r.err
    findings = json.loads(r.out)["files"][0]["findings"]
    assert code in [f["code"] for f in findings]


def test_invalid_utf8_is_located(cli, tmp_path):
    write(tmp_path, "l.ossa.yaml", "apiVersion: ossa/v0.2.2\nname: caf\xe9\n".encode("latin-1"))
    [f] = json.loads(cli("check", "-f", "json", "l.ossa.yaml").out)["files"][0]["findings"]
    assert f["range"]["start"] == {"line": 1, "character": 9}


def test_bom_and_crlf_are_fine(cli, tmp_path):
    write(tmp_path, "w.ossa.yaml", ("\ufeff" + BAD).replace("\n", "\r\n").encode("utf-8"))
    r = cli("check", "w.ossa.yaml")
    assert r.code == 1 and "w.ossa.yaml:8:15: error SCHEMA004" in r.out


def test_fifty_megabyte_file_is_refused_quickly_and_others_still_checked(cli, tmp_path):
    big = tmp_path / "big.ossa.yaml"
    with big.open("w") as fh:
        fh.write(GOOD)
        line = "# " + "x" * 98 + "\n"
        fh.write(line * 520_000)
    write(tmp_path, "bad.ossa.yaml", BAD)
    r = cli("check", "-f", "json", "big.ossa.yaml", "bad.ossa.yaml", timeout=60)
    files = {f["path"]: f for f in json.loads(r.out)["files"]}
    assert [f["code"] for f in files["big.ossa.yaml"]["findings"]] == ["YAML006"]
    assert no_hints(files["bad.ossa.yaml"]["findings"])[0]["code"] == "SCHEMA004"


def test_alias_bomb_and_deep_nesting_finish(cli, tmp_path):
    bomb = "apiVersion: ossa/v0.2.2\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for i in range(1, 12):
        bomb += f"l{i}: &l{i} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = f"l{i}"
    write(tmp_path, "bomb.ossa.yaml", bomb)
    write(tmp_path, "deep.ossa.yaml", "apiVersion: ossa/v0.2.2\nspec: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n")
    r = cli("check", "-f", "json", "bomb.ossa.yaml", "deep.ossa.yaml", timeout=60)
    codes = {f["path"]: [x["code"] for x in f["findings"]] for f in json.loads(r.out)["files"]}
    assert "YAML003" in codes["bomb.ossa.yaml"]
    assert "YAML006" in codes["deep.ossa.yaml"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_unreadable_file_is_an_io_problem(cli, tmp_path):
    p = write(tmp_path, "secret.ossa.yaml", GOOD)
    p.chmod(0)
    try:
        r = cli("check", "secret.ossa.yaml", unprivileged=True)
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert r.code == 2 and "cannot read" in r.out


def test_many_files_are_checked_in_parallel_with_the_same_result(cli, tmp_path):
    for i in range(60):
        text = BAD if i % 3 == 0 else GOOD
        write(tmp_path, f"m/{i:02d}.ossa.yaml", text.replace("-agent\n", f"-agent-{i}\n"))
    serial = json.loads(cli("check", "-f", "json", "-j", "1", "m").out)
    parallel = json.loads(cli("check", "-f", "json", "-j", "2", "m").out)
    assert serial == parallel
    assert serial["summary"]["errors"] == 20


def test_examples_folder_gives_the_documented_result(cli):
    r = cli("check", "-f", "json", str(EXAMPLES))
    files = {Path(f["path"]).name: f for f in json.loads(r.out)["files"]}
    assert {n for n, f in files.items() if all(d["valid"] for d in f["documents"])} == {
        "support-triage.ossa.yaml", "orchestrator.ossa.yaml", "invoice-worker.ossa.yaml", "fraud-worker.ossa.json"}
    broken = files["agent-with-errors.ossa.yaml"]
    assert sorted(f["code"] for f in broken["findings"] if f["severity"] == "error") == sorted(
        ["SCHEMA005", "SCHEMA004", "SCHEMA001", "SCHEMA004", "SCHEMA005", "SCHEMA006"])
    assert r.code == 1


def test_no_traceback_for_usage_errors(cli):
    r = cli("check", "-f", "nope")
    assert r.code == 2 and "invalid choice" in r.err


def test_version_flag(cli):
    r = cli("--version")
    assert r.code == 0 and r.out.startswith("ossa-lsp ")


def test_graph_command_writes_mermaid_and_dot(cli):
    from tests.conftest import ROOT

    ws = str(ROOT / "tests" / "fixtures" / "workspace")
    r = cli("graph", ws)
    assert r.code == 0 and r.out.startswith("flowchart LR\n")
    assert 'orchestrator -->|"invoke_fraud_worker"| fraud_worker' in r.out
    d = cli("graph", "-f", "dot", ws)
    assert d.out.startswith("digraph agents {") and "ext_ledger_agent" in d.out
    assert cli("graph", "nowhere").code == 2
