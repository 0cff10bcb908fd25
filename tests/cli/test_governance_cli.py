"""`ossa-lsp check` on the manifests of issue 15: governance with a wrong kind, secrets past a syntax error,
the new tool and model rules, and `--fix` writing exactly the fixes the messages name."""

from __future__ import annotations

import json
from pathlib import Path

KEY = "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"
MANIFEST = f"""# Support agent, from the architects' guide.
apiVersion: ossa/v0.2.2
kind: agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  llm:
    provider: openai
    model: gpt-4o-mnii
    temperature: "0.3"   # tuned by hand
    maxTokens: "10"
  constraints:
    resources:
      cpu: 500mi
      memory: 1Gi
  tools:
    - type: http
      name: crm
      endpoint: htps://crm.example.com/api
      auth:
        type: bearer
        credentials: {KEY}
    - type: http
      name: crm
      endpoint: https://weather.example.com/api
      auth:
        type: none
"""


def test_check_reports_governance_on_a_lowercase_kind_and_never_prints_the_key(cli, tmp_path: Path):
    (tmp_path / "agent.ossa.yaml").write_text(MANIFEST, "utf-8")
    r = cli("check", "-f", "json", "agent.ossa.yaml")
    assert r.code == 1
    report = json.loads(r.out)
    found = {(f["code"], f["range"]["start"]["line"] + 1) for f in report["files"][0]["findings"]}
    assert {("SCHEMA004", 3), ("LLM007", 10), ("RES001", 15), ("MESH006", 20), ("SEC001", 23), ("MESH007", 25),
            ("SEC010", 28)} <= found
    assert KEY not in r.out and KEY not in r.err


def test_check_fix_applies_the_safe_fixes_the_messages_name_byte_for_byte(cli, tmp_path: Path):
    path = tmp_path / "agent.ossa.yaml"
    path.write_text(MANIFEST, "utf-8")
    r = cli("check", "--fix", "agent.ossa.yaml")
    assert r.code == 1  # the literal key and the duplicate name are left for a person
    assert path.read_text("utf-8") == (MANIFEST.replace("kind: agent", "kind: Agent")
                                       .replace('"0.3"', "0.3").replace('"10"', "10")
                                       .replace("cpu: 500mi", "cpu: 500m")
                                       .replace("htps://", "https://"))
    again = cli("check", "--fix", "agent.ossa.yaml")
    assert "Fixed 0 problems" in again.err


def test_check_unsafe_fixes_also_correct_the_model(cli, tmp_path: Path):
    path = tmp_path / "agent.ossa.yaml"
    path.write_text(MANIFEST, "utf-8")
    cli("check", "--fix", "--unsafe-fixes", "agent.ossa.yaml")
    assert "    model: gpt-4o-mini\n" in path.read_text("utf-8")


def test_a_secret_above_a_syntax_error_is_reported_masked(cli, tmp_path: Path):
    text = MANIFEST.replace("kind: agent\n", "") + "  llm: [\n bad: : : [\n"
    (tmp_path / "agent.ossa.yaml").write_text(text, "utf-8")
    r = cli("check", "agent.ossa.yaml")
    assert r.code == 1
    assert "YAML001" in r.out and "SEC001" in r.out and "sk-p…(44 chars)" in r.out
    assert KEY not in r.out
