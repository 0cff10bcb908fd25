"""Issue 15 through the real server: governance on a lowercase kind, a pasted snippet moved under `spec`
(and no "Add observability" beside it), and the quick fixes the messages name, byte for byte."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import diagnostics, open_doc
from tests.lsp.test_code_actions import actions, apply

KEY = "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"
PASTED = """apiVersion: ossa/v0.2.2
kind: agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  llm:
    provider: anthropic
    model: claude-sonet-4-5
    temperature: "0.3"
  tools:
    - type: http
      name: crm
      endpoint: htps://crm.example.com/api
      auth:
        type: bearer
        credentials: {KEY}
# from the guide
observability:
  tracing:
    enabled: true   # keep me
constraints:
  cost:
    maxTokensPerDay: 100000
  resources:
    cpu: 500mi
""".replace("{KEY}", KEY)


async def test_governance_on_a_lowercase_kind_and_the_pasted_blocks(client: LanguageClient):
    uri = open_doc(client, "pasted.ossa.yaml", PASTED)
    diags = await diagnostics(client, uri, lambda d: any(x.code == "SEC001" for x in d))
    codes = {(d.code, d.range.start.line) for d in diags}
    assert {("SCHEMA004", 1), ("LLM007", 8), ("SCHEMA003", 9), ("MESH006", 13), ("SEC001", 16),
            ("SCHEMA001", 18), ("SCHEMA001", 21)} <= codes
    assert not any(KEY in d.message for d in diags)
    obs = next(d for d in diags if d.code == "SCHEMA001" and d.range.start.line == 18)
    assert obs.message.startswith("`observability` belongs under `spec`")
    titles = [a.title for a in await actions(client, uri, 0) + await actions(client, uri, 18)]
    assert not any(t.startswith(("Add observability", "Add cost constraints")) for t in titles)

    [move] = [a for a in await actions(client, uri, 18, ["quickfix"]) if a.title.startswith("Move")]
    assert move.title == "Move `observability` under `spec` (review: changes behaviour)"
    assert apply(PASTED, move.edit) == PASTED.replace(
        "        credentials: " + KEY + "\n# from the guide\nobservability:\n  tracing:\n    enabled: true   # keep me\n",
        "        credentials: " + KEY + "\n  # from the guide\n  observability:\n    tracing:\n      enabled: true   # keep me\n")


async def test_quick_fixes_that_the_messages_name(client: LanguageClient):
    uri = open_doc(client, "named.ossa.yaml", PASTED)
    await diagnostics(client, uri, lambda d: any(x.code == "MESH006" for x in d))
    expected = {
        8: "    model: claude-sonnet-4-5",
        9: "    temperature: 0.3",
        13: "      endpoint: https://crm.example.com/api",
    }
    for line, after in expected.items():
        found = [a for a in await actions(client, uri, line, ["quickfix"]) if not a.title.startswith("Ignore")]
        assert found, line
        assert apply(PASTED, found[0].edit).splitlines()[line] == after
        assert apply(PASTED, found[0].edit).count("\n") == PASTED.count("\n")


async def test_cpu_typo_quick_fix(client: LanguageClient):
    text = PASTED.replace("constraints:\n  cost:\n    maxTokensPerDay: 100000\n  resources:\n    cpu: 500mi\n", "") \
        .replace("  tools:\n", "  constraints:\n    resources:\n      cpu: 500mi\n  tools:\n")
    uri = open_doc(client, "cpu.ossa.yaml", text)
    diags = await diagnostics(client, uri, lambda d: any(x.code == "RES001" for x in d))
    [cpu] = [d for d in diags if d.code == "RES001"]
    assert "did you mean 500m?" in cpu.message
    [fix] = [a for a in await actions(client, uri, cpu.range.start.line, ["quickfix"]) if a.title == "Change to 500m"]
    assert fix.is_preferred
    assert apply(text, fix.edit) == text.replace("cpu: 500mi", "cpu: 500m")
    assert isinstance(fix.edit, types.WorkspaceEdit)
