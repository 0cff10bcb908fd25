"""The rule engine around the rules: profiles, which documents rules read, robustness against wrong types
and rule bugs, secret masking, and the dated model data."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal

import pytest
import yaml

from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.codes import CODES, doc_url
from ossa_lsp.core.constants import PROFILES
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.data import bundled_models
from ossa_lsp.core.rules.policy import Enabled, Policy
from ossa_lsp.core.rules.registry import RULES, Levels, Rule, in_order
from ossa_lsp.core.rules.util import is_internal_host, mask, quantity

TODAY = date(2026, 6, 1)
AGENT = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: ops-agent
spec:
  role: Operates things.
  llm:
    provider: anthropic
    model: claude-3-5-sonnet-20241022
    temperature: 0.5
    maxTokens: 9000
  autonomy:
    level: autonomous
"""


def run(text: str, profile: str = "strict", path: str = "a.ossa.yaml", today: date = TODAY) -> Analysis:
    return analyze(text, path, policy=Policy.for_profile(profile, env=Env(today=today)))


def found(result: Analysis) -> dict[str, Severity]:
    return {f.code: f.severity for f in result.findings if f.source == "policy"}


def test_profiles_turn_on_more_rules_and_raise_severities():
    baseline, enterprise, strict = (found(run(AGENT, p)) for p in ("baseline", "enterprise", "strict"))
    assert baseline == {"LLM002": Severity.ERROR, "LLM005": Severity.WARNING}
    assert set(baseline) < set(enterprise) <= set(strict)
    assert enterprise["LLM005"] == Severity.ERROR and enterprise["SEC008"] == Severity.WARNING
    assert "COST001" in enterprise and "OBS001" in enterprise


def test_every_profile_has_rules_and_baseline_is_the_smallest():
    sets = {p: {r.code for r in in_order() if r.levels.get(p)} for p in PROFILES}
    assert sets["baseline"] < sets["enterprise"] < sets["strict"] == set(RULES)


def test_rule_codes_are_registered_for_every_front_door():
    for r in in_order():
        info = CODES[r.code]
        assert info.name == r.name and info.source == "policy"
        assert doc_url(r.code).endswith(f"/rules/{r.code}.md")


@pytest.mark.parametrize("text", [
    AGENT.replace("apiVersion: ossa/v0.2.2", "apiVersion: apps/v1"),
    AGENT.replace("kind: Agent", "kind: Workflow"),
    "- just\n- a list\n",
])
def test_rules_skip_documents_that_are_not_complete_ossa_agents(text):
    assert found(run(text)) == {}


def test_multi_document_findings_carry_their_document_index():
    r = run(AGENT + "---\n" + AGENT.replace("maxTokens: 9000", "maxTokens: 100"), "baseline")
    assert sorted((f.document, f.code) for f in r.findings if f.source == "policy") == [
        (0, "COMPAT001"), (0, "LLM002"), (0, "LLM005"), (1, "LLM005")]


def _mutations(text: str):
    """The example with each scalar replaced by values of other types."""
    data = next(yaml.safe_load_all(text))  # the first manifest of a multi-document example
    paths: list[list] = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])
        elif path:
            paths.append(path)

    walk(data, [])
    for path in paths:
        for wrong in (None, 7, -1.5, True, "x", [1, {"a": None}], {"k": [None]}):
            copy = json.loads(json.dumps(data))
            cur = copy
            for p in path[:-1]:
                cur = cur[p]
            cur[path[-1]] = wrong
            yield json.dumps(copy)


def test_no_rule_crashes_on_wrong_types(caplog):
    caplog.set_level(logging.ERROR, logger="ossa_lsp.rules")
    for r in in_order():
        for text in _mutations(r.bad):
            analyze(text, "m.ossa.json", policy=Policy.for_profile("strict", env=Env(today=TODAY)))
    assert [rec.getMessage() for rec in caplog.records] == []


def test_a_rule_bug_is_one_log_line_and_the_other_findings_survive(caplog):
    def broken(ctx):
        raise KeyError("boom")
        yield

    bad = Rule(code="ZZZ001", name="always-broken", family="cost", summary="x.", levels=Levels(None, None, None),
               why="x", bad="", good="", expect="", check=broken)
    policy = Policy.for_profile("baseline", env=Env(today=TODAY))
    policy.rules = {"ZZZ001": Enabled(bad, Severity.ERROR, {}), **policy.rules}
    with caplog.at_level(logging.ERROR, logger="ossa_lsp.rules"):
        result = analyze(AGENT, "a.ossa.yaml", policy=policy)
    assert "LLM002" in found(result)
    [rec] = caplog.records
    assert "ZZZ001" in rec.getMessage() and "KeyError" in rec.getMessage() and rec.exc_info is None


SECRET = "sk-ant-api03-Zq8xV2mN4bK7pR1tY6wE3sD9fG0hJ5kL"


def test_secrets_are_masked_in_every_message_and_output():
    text = AGENT.replace("  autonomy:", f"  tools:\n    - type: http\n      endpoint: {SECRET}\n"
                         f"      auth: {{type: bearer, credentials: {SECRET}}}\n  autonomy:")
    result = run(text)
    secret_findings = [f for f in result.findings if f.code == "SEC001"]
    assert len(secret_findings) == 2
    assert "sk-a…(" in secret_findings[0].message
    blob = json.dumps([f.to_json() for f in result.findings] + [str(f.data) for f in result.findings])
    assert SECRET not in blob and SECRET[:12] not in blob
    schema_uri = [f for f in result.findings if f.source == "schema"]
    assert all(SECRET[:8] not in f.message for f in schema_uri)


def test_mask_never_shows_more_than_four_leading_characters():
    assert mask("sk-abcdefghijklmnopqrstuvwxyz") == "sk-a…(29 chars)"
    assert mask("abc") == "…(3 chars)"
    assert mask("abcdefgh") == "ab…(8 chars)"


@pytest.mark.parametrize(("value", "hit"), [
    ("API_KEY_SECRET", False), ("${OPENAI_API_KEY}", False), ("secret://crm/api-key", False), ("vault:kv/crm#key", False),
    ("ap-orchestrator-client-tls", False), ("/var/secrets/token", False), ("sk-assessment-framework-version", False),
    ("9f8Kq2LmZx7RtV4wPb6Yn3Hc", True), ("AKIAIOSFODNN7EXAMPLE", True), (SECRET, True),
    ("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", True),
    ("https://user:hunter2pass@db.example.com/x", True), ("https://user:${DB_PASSWORD}@db.example.com/x", False),
])
def test_credential_values(value, hit):
    text = AGENT.replace("  autonomy:", f"  tools:\n    - type: http\n      auth:\n        type: bearer\n"
                         f"        credentials: '{value}'\n  autonomy:")
    codes = set(found(run(text))) & {"SEC001", "SEC002"}
    assert bool(codes) == hit, codes


def test_price_based_rule_downgrades_to_info_when_the_data_is_stale():
    text = AGENT.replace("  autonomy:", "  constraints:\n    cost:\n      maxTokensPerDay: 1000000\n"
                         "      maxCostPerDay: 0.5\n  autonomy:")
    fresh = [f for f in run(text, today=date(2025, 12, 1)).findings if f.code == "COST005"]
    stale = [f for f in run(text, today=date(2027, 1, 1)).findings if f.code == "COST005"]
    assert fresh[0].severity == Severity.WARNING and stale[0].severity == Severity.INFO
    assert "may be out of date" in stale[0].message


def test_retirement_dates_are_compared_with_the_check_date():
    text = AGENT.replace("claude-3-5-sonnet-20241022", "claude-3-opus-20240229").replace("9000", "4000")
    assert "LLM005" not in found(run(text, today=date(2025, 12, 31)))
    assert "LLM005" in found(run(text, today=date(2026, 1, 5)))


@pytest.mark.parametrize(("provider", "model", "resolved"), [
    ("openai", "gpt-4o-2024-08-06", "gpt-4o"), ("openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("openai", "gpt-4-0613", "gpt-4"), ("openai", "gpt-4-1106-preview", "gpt-4-turbo"),
    ("openai", "gpt-4o-mini", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"), ("google", "gemini-1.5-pro-002", "gemini-1.5-pro"),
    ("google", "gemini-pro", "gemini-1.0-pro"), ("openai", "gpt-4o-mini-fast", None), ("azure", "my-deployment", None),
])
def test_model_ids_resolve_through_snapshots_and_aliases(provider, model, resolved):
    info = bundled_models().lookup(provider, model)
    assert (info.id if info else None) == resolved


def test_bundled_model_data_is_dated_and_complete():
    reg = bundled_models()
    assert reg.as_of.year >= 2025
    for p in ("openai", "anthropic", "google"):
        for m in reg.providers[p].models.values():
            assert m.max_output and m.price and m.price[0] <= m.price[1] * 4, m
            assert m.successor is None or reg.lookup(p, m.successor) is not None, m


@pytest.mark.parametrize(("text", "value"), [("500m", Decimal("0.5")), ("2", Decimal(2)), ("1Gi", Decimal(2**30)),
                                             ("1e3", Decimal(1000)), ("1.5k", Decimal(1500)), ("2 cores", None),
                                             ("1GB", None), ("", None)])
def test_kubernetes_quantities(text, value):
    q = quantity(text)
    assert (q[0] if q else None) == value


@pytest.mark.parametrize(("host", "internal"), [
    ("jaeger", True), ("fraud-worker.agents.svc.cluster.local", True), ("10.1.2.3", True), ("localhost", True),
    ("db.internal", True), ("api.example.com", False), ("8.8.8.8", False), ("svc.example.com", False),
])
def test_internal_hosts(host, internal):
    assert is_internal_host(host) is internal


def test_findings_point_at_the_tightest_span_with_a_pointer():
    r = run(AGENT, "baseline")
    [f] = [f for f in r.findings if f.code == "LLM002"]
    assert f.pointer == "/spec/llm/maxTokens" and (f.span.start.line, f.span.start.character) == (10, 15)
    assert isinstance(f, Finding) and f.data == {"rule": "max-tokens-over-model-limit"}
