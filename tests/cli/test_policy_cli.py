"""`ossa-lsp check` with policy rules (profiles, selection, config files, suppressions, fail-on), the new
gitlab and junit formats, and `ossa-lsp rules`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

AGENT = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: ops-agent
spec:
  role: Operates things.
  llm:
    provider: anthropic
    model: claude-3-sonnet-20240229
    maxTokens: 2000
  tools:
    - type: http
      name: weather
      endpoint: http://api.weather.example.com/v1
      auth:
        type: apikey
        credentials: WEATHER_API_KEY
"""
# baseline: LLM005 (retired model, warning) and SEC003 (plain http to an external host, warning)


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def codes(out: str) -> list[str]:
    return sorted(f["code"] for f in json.loads(out)["files"][0]["findings"]
                  if "suppressed" not in f and f["severity"] != "hint")


def test_baseline_is_the_default_and_warnings_do_not_fail(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", AGENT)
    r = cli("check", "a.ossa.yaml")
    assert r.code == 0, r.out
    assert "a.ossa.yaml:9:12: warning LLM005 claude-3-sonnet-20240229 was retired" in r.out
    assert "a.ossa.yaml:14:17: warning SEC003 " in r.out
    assert r.out.splitlines()[-1] == "Checked 1 file: 0 errors, 2 warnings."


def test_profiles_select_ignore_and_fail_on(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", AGENT)
    assert codes(cli("check", "-f", "json", "a.ossa.yaml").out) == ["LLM005", "SEC003"]
    enterprise = cli("check", "-f", "json", "--profile", "enterprise", "a.ossa.yaml")
    assert {"COST001", "OBS001", "META002", "LLM005", "SEC003"} <= set(codes(enterprise.out))
    assert "META004" not in codes(enterprise.out)  # organisation-specific labels: strict only
    assert enterprise.code == 1  # LLM005 and SEC003 are errors in enterprise
    assert codes(cli("check", "-f", "json", "--select", "NONE", "a.ossa.yaml").out) == []
    assert codes(cli("check", "-f", "json", "--ignore", "model-retired", "a.ossa.yaml").out) == ["SEC003"]
    selected = cli("check", "-f", "json", "--select", "SEC,COST", "--select", "LLM005", "a.ossa.yaml")
    assert codes(selected.out) == ["COST001", "LLM005", "SEC003"]  # COST001 is off in baseline unless selected
    assert cli("check", "--fail-on", "warning", "a.ossa.yaml").code == 1
    assert cli("check", "--fail-on", "warning", "--ignore", "SEC003,LLM005", "a.ossa.yaml").code == 0


def test_unknown_rule_on_the_command_line_is_a_usage_error(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", AGENT)
    r = cli("check", "--select", "SEC999", "a.ossa.yaml")
    assert r.code == 2 and "SEC999" in r.err and "Traceback" not in r.err


def test_config_file_is_discovered_and_applies(cli, tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: baseline\nfail-on: warning\nrules:\n  SEC003:\n"
                                       "    internal-hosts: ['*.example.com']\n")
    write(tmp_path, "agents/a.ossa.yaml", AGENT)
    r = cli("check", "-f", "json", ".")
    data = json.loads(r.out)
    assert codes(r.out) == ["LLM005"] and r.code == 1
    assert data["files"][0]["profile"] == "baseline"
    assert data["files"][0]["config"].endswith(".ossa-lsp.yaml")
    assert cli("check", "--no-config", "agents/a.ossa.yaml").code == 0


def test_explicit_config_and_excludes(cli, tmp_path):
    write(tmp_path, "ci/policy.yaml", "extends: strict\nexclude: [legacy/]\n")
    write(tmp_path, ".ossa-lsp.yaml", "exclude: [legacy/]\n")
    write(tmp_path, "agents/a.ossa.yaml", AGENT)
    write(tmp_path, "legacy/old.ossa.yaml", AGENT)
    data = json.loads(cli("check", "-f", "json", ".").out)
    assert [f["path"] for f in data["files"]] == ["agents/a.ossa.yaml"]
    strict = json.loads(cli("check", "-f", "json", "--config", "ci/policy.yaml", "agents").out)
    assert strict["files"][0]["profile"] == "strict"
    named = json.loads(cli("check", "-f", "json", "legacy/old.ossa.yaml").out)  # named files are always checked
    assert [f["path"] for f in named["files"]] == ["legacy/old.ossa.yaml"]
    missing = cli("check", "--config", "nope.yaml", "agents")
    assert missing.code == 2 and "config file not found" in missing.err


def test_broken_config_is_reported_for_the_config_file_and_exits_2(cli, tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: strict\nselect: [SEC, BOGUS]\nfail_on: warning\n")
    write(tmp_path, "a.ossa.yaml", AGENT)
    r = cli("check", ".")
    assert r.code == 2, r.out
    assert ".ossa-lsp.yaml:2:15: error CFG004 `BOGUS` is not a rule code" in r.out
    assert ".ossa-lsp.yaml:3:1: error CFG002 Unknown setting `fail_on`" in r.out
    assert "a.ossa.yaml:14:17: error SEC003" in r.out  # the valid part (strict, SEC) still applied
    assert "Traceback" not in r.err


def test_suppressed_findings_are_hidden_counted_and_kept_in_sarif_and_json(cli, tmp_path):
    text = AGENT.replace("endpoint: http://api.weather.example.com/v1",
                         "endpoint: http://api.weather.example.com/v1  # ossa-lsp: ignore[SEC003] -- vendor, SEC-9")
    write(tmp_path, "a.ossa.yaml", text)
    r = cli("check", "a.ossa.yaml")
    assert "SEC003" not in r.out and r.out.splitlines()[-1] == "Checked 1 file: 0 errors, 1 warning, 1 suppressed."
    sarif = json.loads(cli("check", "-f", "sarif", "a.ossa.yaml").out)
    results = {res["ruleId"]: res for res in sarif["runs"][0]["results"]}
    assert results["SEC003"]["suppressions"] == [{"kind": "inSource", "justification": "vendor, SEC-9"}]
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["SEC003"]["helpUri"].endswith("/docs/rules/SEC003.md") and rules["SEC003"]["name"] == \
        "insecure-http-endpoint"
    findings = json.loads(cli("check", "-f", "json", "a.ossa.yaml").out)["files"][0]["findings"]
    assert [f["suppressed"] for f in findings if f["code"] == "SEC003"] == ["vendor, SEC-9"]


def test_gitlab_code_quality_report(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", AGENT)
    first = json.loads(cli("check", "-f", "gitlab", "a.ossa.yaml").out)
    again = json.loads(cli("check", "-f", "gitlab", "a.ossa.yaml").out)
    assert first == again  # fingerprints are stable
    by_check = {i["check_name"]: i for i in first}
    assert set(by_check) == {"LLM005", "SEC003"}
    issue = by_check["SEC003"]
    assert issue["severity"] == "major" and issue["location"] == {"path": "a.ossa.yaml",
                                                                   "lines": {"begin": 14, "end": 14}}
    assert issue["description"].startswith("SEC003 ") and len(issue["fingerprint"]) == 32
    assert len({i["fingerprint"] for i in first}) == len(first)


def test_junit_report(cli, tmp_path):
    write(tmp_path, "a.ossa.yaml", AGENT)
    write(tmp_path, "b.ossa.yaml", AGENT.replace("claude-3-sonnet-20240229", "claude-sonnet-4-5")
          .replace("http://", "https://").replace("name: ops-agent", "name: ops-agent-b"))
    root = ET.fromstring(cli("check", "-f", "junit", "--fail-on", "warning", ".").out)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"a.ossa.yaml", "b.ossa.yaml"}
    assert suites["a.ossa.yaml"].get("failures") == "2" and suites["a.ossa.yaml"].get("tests") == "2"
    assert suites["b.ossa.yaml"].get("failures") == "0" and suites["b.ossa.yaml"].get("tests") == "1"
    assert root.get("failures") == "2"
    lenient = ET.fromstring(cli("check", "-f", "junit", ".").out)
    assert lenient.get("failures") == "0" and lenient.get("tests") == "3"


def test_many_files_with_a_config_give_the_same_result_in_parallel(cli, tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: enterprise\n")
    for i in range(60):
        write(tmp_path, f"m/{i:02d}.ossa.yaml", AGENT.replace("ops-agent", f"ops-agent-{i}"))
    serial = json.loads(cli("check", "-f", "json", "-j", "1", "m").out)
    parallel = json.loads(cli("check", "-f", "json", "-j", "2", "m").out)
    assert serial == parallel and serial["summary"]["errors"] == 120


def test_stdin_uses_the_config_of_the_working_directory(cli, tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "rules:\n  SEC003: off\n")
    r = cli("check", "-", "--stdin-filename", "x.ossa.yaml", stdin=AGENT.encode())
    assert "SEC003" not in r.out and "LLM005" in r.out


def test_rules_command_lists_and_documents_rules(cli):
    listing = cli("rules")
    assert listing.code == 0 and listing.out.splitlines()[0].split()[:3] == ["CODE", "NAME", "FAMILY"]
    assert re.search(r"^SEC001 +secret-literal ", listing.out, re.M)
    data = json.loads(cli("rules", "-f", "json").out)
    assert len(data) >= 30 and {"code", "name", "severity", "fix", "options", "url"} <= set(data[0])
    baseline = json.loads(cli("rules", "-f", "json", "--profile", "baseline").out)
    assert all(r["severity"]["baseline"] for r in baseline) and len(baseline) < len(data)
    page = cli("rules", "secret-literal")
    assert page.out.startswith("# SEC001 `secret-literal`") and "ossa-lsp: ignore[SEC001]" in page.out
    assert cli("rules", "sec001").out == page.out
    one = json.loads(cli("rules", "SEC003", "-f", "json").out)
    assert one["options"][0]["name"] == "internal-hosts"
    missing = cli("rules", "NOPE001")
    assert missing.code == 2 and "no rule" in missing.err


def test_rules_command_writes_docs_and_schema(cli, tmp_path):
    r = cli("rules", "--write-docs", "out", "--write-schema", "cfg.json")
    assert r.code == 0
    assert (tmp_path / "out" / "README.md").is_file() and (tmp_path / "out" / "SEC001.md").is_file()
    assert json.loads((tmp_path / "cfg.json").read_text("utf-8"))["title"].startswith("ossa-lsp configuration")
