"""Every policy fix, byte for byte: the exact text after the fix, and the finding gone."""

from __future__ import annotations

import pytest

from ossa_lsp.core.fixes import apply_edits
from ossa_lsp.core.rules.registry import RULES
from tests.unit.test_rules_examples import run

# rule code → (the bad example's line before, the same line after the rule's fix)
EXPECTED = {
    "COST003": ("      currency: EUD  # <- COST003", "      currency: EUR  # <- COST003"),
    "SEC003": ("      endpoint: http://api.weather.example.com/v1  # <- SEC003",
               "      endpoint: https://api.weather.example.com/v1  # <- SEC003"),
    "OBS007": ("      endpoint: otel-collector:4318  # <- OBS007", "      endpoint: http://otel-collector:4318  # <- OBS007"),
    "OBS005": ("      format: text  # <- OBS005", "      format: json  # <- OBS005"),
    "OBS006": ("      level: debug  # <- OBS006", "      level: info  # <- OBS006"),
    "RES001": ('      cpu: "2 cores"  # <- RES001', '      cpu: "2"  # <- RES001'),
    "RES002": ("      memory: 512m  # <- RES002", "      memory: 512Mi  # <- RES002"),
    "LLM007": ("    model: claude-sonet-4-5  # <- LLM007", "    model: claude-sonnet-4-5  # <- LLM007"),
    "MESH003": ("      endpoint: http://invoice-wroker:8080/api  # <- MESH003",
                "      endpoint: http://invoice-worker:8080/api  # <- MESH003"),
    "MESH006": ("      endpoint: htps://crm.example.com/api  # <- MESH006",
                "      endpoint: https://crm.example.com/api  # <- MESH006"),
    "LLM005": ("    model: claude-2.1  # <- LLM005", "    model: claude-sonnet-4-5  # <- LLM005"),
    "VOCAB001": ("    temprature: 0.2  # <- VOCAB001", "    temperature: 0.2  # <- VOCAB001"),
    "VOCAB003": ("      type: rest  # <- VOCAB003", "      type: http  # <- VOCAB003"),
    "SUP001": ("      endpoint: https://api.search.example.com/v1  # ossa-lsp: ignore[SEC003] -- legacy proxy",
               "      endpoint: https://api.search.example.com/v1"),
}


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.fix != "none"))
def test_policy_fix_exact_bytes(code: str) -> None:
    rule = RULES[code]
    [finding] = [f for f in run(rule, rule.bad).findings if f.code == code]
    fixed = apply_edits(rule.bad, finding.fixes[0].edits)
    before, after = EXPECTED.get(code, (None, None))
    changed = [(a, b) for a, b in zip(rule.bad.splitlines(), fixed.splitlines(), strict=False) if a != b]
    if before is None:  # a rule that gained a fix: name its exact before/after line here
        pytest.fail(f"{code} has a fix but no exact expectation in EXPECTED")
    assert changed == [(before, after)]
    assert len(fixed.splitlines()) == len(rule.bad.splitlines())
    assert not [f for f in run(rule, fixed).findings if f.code == code]
