"""Inlay hints (core/answers/inlay.py): the cost of a token budget at the model's list price, CPU in
cores, memory in readable units, durations in s/min; each kind on its own switch, only inside the range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossa_lsp.core.answers import inlay
from ossa_lsp.core.rules.data import bundled_models, load_models
from ossa_lsp.core.text.source import parse
from ossa_lsp.core.text.spans import Pos, Span

EVERYWHERE = Span(Pos(0, 0), Pos(10_000, 0))
AGENT = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: a
spec:
  role: r
  llm:
    provider: {provider}
    model: {model}
  constraints:
    cost:
      maxTokensPerDay: 1800000
      maxTokensPerRequest: 6000
    resources:
      cpu: "500m"
      memory: 512Mi
    performance:
      timeoutSeconds: 300
      maxLatencySeconds: 45
  tools:
    - type: http
      name: t
      items: 5000
      retry:
        initial_delay_ms: 30000
      idle_timeout: 90s
"""


def hints(text: str, within: Span = EVERYWHERE, kinds: frozenset[str] = frozenset(inlay.KINDS),
          models=None) -> dict[str, str]:
    manifest = parse(text, "a.ossa.yaml")
    out = {}
    for h in inlay.hints(manifest, within, kinds, models or bundled_models()):
        line = text.splitlines()[h.pos.line]
        assert h.pos.character == len(line.split("  #")[0].rstrip())  # right after the value
        out[line.strip().split(":")[0]] = h.label
    return out


def test_each_kind_of_hint():
    got = hints(AGENT.format(provider="openai", model="gpt-4o"))
    assert got == {
        "maxTokensPerDay": "≈ $4.50/day at gpt-4o input price",
        "maxTokensPerRequest": "≈ $0.015/request at gpt-4o input price",
        "cpu": "0.5 core",
        "memory": "≈ 537 MB",
        "timeoutSeconds": "= 5 min",
        "initial_delay_ms": "= 30 s",
        "idle_timeout": "= 1.5 min",
    }  # maxLatencySeconds: 45 says it already; `items` is no unit of time


def test_a_snapshot_name_uses_its_base_models_price_and_no_provider_guesses_it_from_the_family():
    got = hints(AGENT.format(provider="openai", model="gpt-4o-mini-2024-07-18"))
    assert got["maxTokensPerDay"] == "≈ $0.27/day at gpt-4o-mini-2024-07-18 input price"
    no_provider = AGENT.format(provider="openai", model="gpt-4o").replace("    provider: openai\n", "")
    assert hints(no_provider)["maxTokensPerDay"] == "≈ $4.50/day at gpt-4o input price"


@pytest.mark.parametrize("model", ["my-private-model", "${LLM_MODEL}", "''"])
def test_an_unknown_model_gives_no_cost_hint(model):
    got = hints(AGENT.format(provider="openai", model=model))
    assert "maxTokensPerDay" not in got and "maxTokensPerRequest" not in got
    assert got["cpu"] == "0.5 core"


def test_a_models_file_prices_its_own_models(tmp_path: Path):
    table = tmp_path / "models.json"
    table.write_text(json.dumps({"as_of": "2026-01-01", "providers": {"acme": {"models": {
        "acme-large": {"price": [10.0, 20.0]}}}}}))
    got = hints(AGENT.format(provider="acme", model="acme-large"), models=load_models(table))
    assert got["maxTokensPerDay"] == "≈ $18.00/day at acme-large input price"


def test_each_kind_can_be_turned_off():
    text = AGENT.format(provider="openai", model="gpt-4o")
    only_cpu = hints(text, kinds=frozenset({inlay.CPU}))
    assert only_cpu == {"cpu": "0.5 core"}
    no_cost = hints(text, kinds=frozenset(inlay.KINDS) - {inlay.COST})
    assert "maxTokensPerDay" not in no_cost and no_cost["memory"] == "≈ 537 MB"


def test_only_hints_inside_the_requested_range():
    text = AGENT.format(provider="openai", model="gpt-4o")
    cpu_line = next(i for i, s in enumerate(text.splitlines()) if "cpu:" in s)
    got = hints(text, within=Span(Pos(cpu_line, 0), Pos(cpu_line + 1, 0)))
    assert set(got) == {"cpu"}


@pytest.mark.parametrize(("key", "value", "label"), [
    ("cpu", '"2"', "2 cores"), ("cpu", "1", "1 core"), ("cpu", "250m", "0.25 core"), ("cpu", '"1500m"', "1.5 cores"),
    ("cpu_millicores", "500", "0.5 core"), ("memory", "2Gi", "≈ 2.15 GB"), ("memory", "500M", "≈ 477 MiB"),
    ("memory", "1073741824", "≈ 1 GiB"), ("memory_mb", "2048", "≈ 1.91 GiB"), ("timeout_ms", "1500", "= 1.5 s"),
    ("timeoutSeconds", "100", "≈ 1.67 min"), ("ttl_seconds", "7200", "= 2 h"), ("turn_timeout", "120m", "= 2 h"),
    ("interval_minutes", "90", "= 1.5 h"),
])
def test_quantities_and_durations(key, value, label):
    assert hints(f"spec:\n  x:\n    {key}: {value}\n") == {key: label}


@pytest.mark.parametrize("line", ["cpu: lots", "memory: {type: buffer}", "memory: -1Gi", "cpu: true",
                                  "timeoutSeconds: soon", "timeout_ms: 0", "memory: |\n      512Mi",
                                  "cpu: " + "9" * 50])
def test_values_that_are_not_quantities_get_no_hint(line):
    assert hints(f"spec:\n  x:\n    {line}\n") == {}


def test_json_and_broken_documents():
    text = '{"spec": {"constraints": {"resources": {"cpu": "500m", "memory": "1Gi"}}}}'
    got = inlay.hints(parse(text, "a.json"), EVERYWHERE)
    assert [h.label for h in got] == ["0.5 core", "≈ 1.07 GB"]
    broken = "spec:\n  resources:\n    cpu: 500m\n  tools: [\n"
    assert [h.label for h in inlay.hints(parse(broken, "a.yaml"), EVERYWHERE)] == ["0.5 core"]


def test_the_docs_give_the_price_tables_date_and_its_examples_hold():
    from tests.conftest import ROOT

    page = (ROOT / "docs" / "editor-features.md").read_text("utf-8")
    assert f"**dated {bundled_models().as_of.isoformat()}**" in page
    text = AGENT.format(provider="openai", model="gpt-4o")
    for key, label in hints(text).items():
        if key in ("maxTokensPerDay", "maxTokensPerRequest", "cpu", "memory", "timeoutSeconds"):
            assert f"`{label}`" in page, label
