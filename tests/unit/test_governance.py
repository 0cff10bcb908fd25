"""Governance that never switches off (a wrong or missing kind/apiVersion, a syntax error further down), the
tool and model mistakes people make, and fixes wherever the message already knows the answer (issue 15, 1-4)."""

from __future__ import annotations

from datetime import date

import pytest

import ossa_lsp.core.rules  # noqa: F401 - declares the rules
from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.findings import Finding
from ossa_lsp.core.fixes import apply_edits, fix_text
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.policy import Policy

KEY = "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"
AGENT = f"""apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  constraints:
    resources:
      cpu: 500mi
  tools:
    - type: http
      name: crm
      endpoint: https://crm.example.com/api
      auth:
        type: bearer
        credentials: {KEY}
"""


def check(text: str, profile: str = "baseline") -> Analysis:
    return analyze(text, "agent.ossa.yaml", policy=Policy.for_profile(profile, env=Env(today=date(2026, 6, 1))))


def of(result: Analysis, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


def fixed(text: str, finding: Finding) -> str:
    return apply_edits(text, finding.fixes[0].edits)


# --- 1. policy and secrets whatever the kind and apiVersion ------------------------------------------


@pytest.mark.parametrize("text", [
    AGENT.replace("kind: Agent", "kind: agent"),
    AGENT.replace("kind: Agent\n", ""),
    AGENT.replace("apiVersion: ossa/v0.2.2", "apiVersion: ossa/v9.9"),
    AGENT.replace("apiVersion: ossa/v0.2.2\n", ""),
    AGENT.replace("apiVersion: ossa/v0.2.2", "apiVersion: v0.2.2").replace("kind: Agent", "kind: AGENT"),
], ids=["kind-lowercase", "kind-missing", "api-unknown", "api-missing", "api-no-prefix-kind-upper"])
def test_a_wrong_or_missing_kind_or_version_keeps_secrets_and_policy_on(text):
    r = check(text)
    [secret] = of(r, "SEC001")
    assert secret.span.start.line == line_of(text, "credentials:")
    assert KEY not in secret.message and "sk-p…(44 chars)" in secret.message
    [cpu] = of(r, "RES001")
    assert cpu.span.start.line == line_of(text, "cpu: 500mi")


def test_another_kind_or_api_group_gets_secret_scanning_only():
    workflow = AGENT.replace("kind: Agent", "kind: Workflow")
    foreign = AGENT.replace("apiVersion: ossa/v0.2.2", "apiVersion: kagent.dev/v1alpha1")
    for text in (workflow, foreign):
        r = check(text)
        assert {f.code for f in r.findings if f.source == "policy"} == {"SEC001"}


def test_a_secret_above_a_syntax_error_is_reported():
    text = AGENT + "  llm: [\n    provider: openai\n bad: : : [\n"
    r = check(text)
    assert r.manifest.has_syntax_error
    [secret] = of(r, "SEC001")
    assert secret.span.start.line == line_of(text, "credentials:")
    # the broken lines are set aside and the rest is checked: the bad cpu above the error is still reported
    [cpu] = of(r, "RES001")
    assert cpu.span.start.line == line_of(text, "cpu: 500mi")


def test_a_secret_below_a_syntax_error_is_found_in_the_raw_text_and_masked():
    other = "sk-ant-api03-Zq8XwV2bN5mK7pL9rT4yH6jD3fG1sA0cE"
    text = AGENT.replace(f"credentials: {KEY}", "credentials: SECRET_REF") + \
        f"  llm: [\n    provider: x\n bad: : : [\n    key: {other}\n"
    r = check(text)
    [secret] = of(r, "SEC001")
    line = line_of(text, other)
    col = text.splitlines()[line].index(other)
    assert (secret.span.start.line, secret.span.start.character, secret.span.end.character) == \
        (line, col, col + len(other))
    assert other not in secret.message and f"line {line + 1}" in secret.message


def test_a_secret_is_not_reported_twice_when_the_tree_and_the_raw_scan_both_see_it():
    text = AGENT + "  oops: [unclosed\n"
    assert len(of(check(text), "SEC001")) == 1


# --- 2. the misses ---------------------------------------------------------------------------------

TOOLS = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  tools:
"""


def tool(name: str, endpoint: str, auth: str = "{type: bearer, credentials: TOKEN_SECRET}") -> str:
    return f"    - type: http\n      name: {name}\n      endpoint: {endpoint}\n      auth: {auth}\n"


def test_auth_none_to_an_external_host_is_noted_in_baseline_and_an_error_in_strict():
    text = TOOLS + tool("weather", "https://api.weather.example.com/v1", "{type: none}")
    [base] = of(check(text), "SEC010")
    assert base.severity.label == "info" and "api.weather.example.com" in base.message
    assert text.splitlines()[base.span.start.line][base.span.start.character:base.span.end.character] == "none"
    [strict] = of(check(text, "strict"), "SEC010")
    assert strict.severity.label == "error"


@pytest.mark.parametrize("endpoint", ["http://weather:8080/v1", "https://weather.agents.svc.cluster.local/v1",
                                      "https://10.0.0.7/v1", "${WEATHER_URL}/v1"])
def test_auth_none_inside_the_cluster_is_fine(endpoint):
    assert not of(check(TOOLS + tool("weather", endpoint, "{type: none}"), "strict"), "SEC010")


def test_two_tools_with_one_name_are_reported_on_the_second_with_the_first_related():
    text = TOOLS + tool("orders", "https://orders.example.com") + tool("orders", "https://refunds.example.com")
    [dup] = of(check(text), "MESH007")
    lines = [i for i, line in enumerate(text.splitlines()) if "name: orders" in line]
    assert dup.span.start.line == lines[1]
    assert dup.related[0].span.start.line == lines[0]
    assert dup.severity.label == "error"


@pytest.mark.parametrize(("endpoint", "after", "words"), [
    ("htps://crm.example.com/api", "https://crm.example.com/api", "did you mean `https://`"),
    ("htttp://crm.example.com/api", "http://crm.example.com/api", "did you mean `http://`"),
    ("https:/crm.example.com/api", "https://crm.example.com/api", "needs two slashes"),
    ("https://crm.example.com:80a/api", None, "port"),
    ("https:///api", None, "names no host"),
    ("https://crm example.com/api", None, "spaces"),
    ("https://crm..example.com/api", None, "not a valid host name"),
    ("xyzzy://crm.example.com/api", None, "not a known one"),
])
def test_a_malformed_tool_endpoint_is_reported_with_the_fix_when_it_is_clear(endpoint, after, words):
    text = TOOLS + tool("crm", endpoint)
    [f] = of(check(text), "MESH006")
    assert words in f.message
    assert f.span.start.line == line_of(text, "endpoint:")
    if after is None:
        assert f.fixes == ()
    else:
        assert f.fixes[0].safe
        assert fixed(text, f) == text.replace(endpoint, after)


@pytest.mark.parametrize("endpoint", ["/health", "mesh.example.com:3005", "mcp://tools.internal:8080/finance",
                                      "redis://localhost:6379", "${API_URL}/v1", "https://[::1]:8443/api",
                                      "grpc://orchestrator.example.com:9443/Workflow"])
def test_usable_endpoints_are_not_reported(endpoint):
    assert not of(check(TOOLS + tool("crm", endpoint), "strict"), "MESH006")


LLM = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  llm:
    provider: {provider}
    model: {model}  # chosen by the platform team
"""


@pytest.mark.parametrize(("provider", "typo", "meant"), [
    ("anthropic", "claude-sonet-4-5", "claude-sonnet-4-5"),
    ("openai", "gpt-4o-mnii", "gpt-4o-mini"),
    ("openai", "gpt4o", "gpt-4o"),
])
def test_a_misspelt_model_is_reported_in_baseline_with_a_did_you_mean_and_its_fix(provider, typo, meant):
    text = LLM.format(provider=provider, model=typo)
    r = check(text)
    [f] = of(r, "LLM007")
    assert f.severity.label == "warning" and f"did you mean {meant}?" in f.message
    assert not f.fixes[0].safe
    assert fixed(text, f) == LLM.format(provider=provider, model=meant)
    assert not of(check(fixed(text, f)), "LLM007")


@pytest.mark.parametrize("model", ["gpt-5.9", "gpt-4o-mini-fast", "my-finetune"])
def test_other_digits_or_far_names_are_unknown_models_not_typos(model):
    r = check(LLM.format(provider="openai", model=model), "strict")
    assert not of(r, "LLM007")
    assert len(of(r, "LLM004")) == 1


def test_the_strict_profile_reports_a_typo_once():
    r = check(LLM.format(provider="openai", model="gpt-4o-mnii"), "strict")
    assert [f.code for f in r.findings if f.code in ("LLM004", "LLM007")] == ["LLM007"]


# --- 4. fixes the message knows ---------------------------------------------------------------------

NUMBERS = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-agent
spec:
  role: Answers questions.
  llm:
    provider: openai
    model: gpt-4o
    temperature: "0.3"   # tuned
    maxTokens: '10'
"""


def test_quoted_numbers_where_the_schema_wants_numbers_are_unquoted_by_a_safe_fix():
    r = check(NUMBERS)
    fixes = {f.pointer: f.fixes[0] for f in r.findings if f.code == "SCHEMA003"}
    assert fixes["/spec/llm/temperature"].safe and fixes["/spec/llm/maxTokens"].safe
    assert fixes["/spec/llm/temperature"].title == 'Write "0.3" as the number 0.3'
    out = fix_text(NUMBERS, lambda t: check(t).findings)
    assert out.text == NUMBERS.replace('"0.3"', "0.3").replace("'10'", "10")


def test_a_quoted_fraction_where_a_whole_number_is_wanted_gets_no_unquote_fix():
    text = NUMBERS.replace("'10'", '"10.5"')
    [f] = [f for f in check(text).findings if f.pointer == "/spec/llm/maxTokens"]
    assert not any("as the number" in x.title for x in f.fixes)


@pytest.mark.parametrize(("cpu", "after"), [("500mi", "500m"), ("250 m", "250m"), ('"2 cores"', '"2"'),
                                            ("100 millicores", "100m"), ("1 vCPU", "1")])
def test_cpu_spellings_with_one_meaning_get_a_safe_fix(cpu, after):
    text = AGENT.replace("cpu: 500mi", f"cpu: {cpu}").replace(f"credentials: {KEY}", "credentials: REF")
    [f] = of(check(text), "RES001")
    assert f.fixes[0].safe and "did you mean" in f.message
    assert fixed(text, f) == text.replace(f"cpu: {cpu}", f"cpu: {after}")


def test_cpu_in_memory_units_gets_no_guess():
    text = AGENT.replace("cpu: 500mi", "cpu: 500Mi")
    [f] = of(check(text), "RES001")
    assert f.fixes == ()


# --- 3. snippets pasted at the wrong level -----------------------------------------------------------

HEAD = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a\n"


def moved(text: str, key: str) -> tuple[Finding, str | None]:
    [f] = [f for f in check(text).findings if f.code == "SCHEMA001" and f.data.get("key") == key]
    return f, (fixed(text, f) if f.fixes else None)


def test_a_block_right_below_spec_is_indented_in_place():
    text = HEAD + "spec:\n  role: r\n\nobservability:   # pasted\n  tracing:\n    enabled: true\n"
    f, after = moved(text, "observability")
    assert f.message == "`observability` belongs under `spec`, not at the top level: indent the block under `spec:`"
    assert f.fixes[0].title == "Move `observability` under `spec`" and not f.fixes[0].safe
    assert all(e.new_text == "  " for e in f.fixes[0].edits)  # the smallest edit: indentation only
    assert after == HEAD + "spec:\n  role: r\n\n  observability:   # pasted\n    tracing:\n      enabled: true\n"


def test_a_block_above_spec_moves_into_it_with_its_comment_and_spec_indentation():
    text = HEAD + "# Guide snippet\nconstraints:\n  cost:\n    maxTokensPerDay: 1000  # daily\nspec:\n" \
        "    role: r\n    llm:\n      provider: openai\n      model: gpt-4o\n"
    _, after = moved(text, "constraints")
    assert after == HEAD + "spec:\n    role: r\n    llm:\n      provider: openai\n      model: gpt-4o\n" \
        "    # Guide snippet\n    constraints:\n      cost:\n        maxTokensPerDay: 1000  # daily\n"


def test_a_block_ending_the_file_without_a_line_break_and_crlf_files():
    text = HEAD + "spec:\n  role: r\nextensions: {}\nobservability:\n  tracing:\n    enabled: true"
    _, after = moved(text, "observability")
    assert after == HEAD + "spec:\n  role: r\n  observability:\n    tracing:\n      enabled: true\nextensions: {}"
    crlf = (HEAD + "spec:\n  role: r\nextensions: {}\nobservability:\n  tracing:\n    enabled: true\n").replace("\n", "\r\n")
    _, after = moved(crlf, "observability")
    assert after == (HEAD + "spec:\n  role: r\n  observability:\n    tracing:\n      enabled: true\n"
                     "extensions: {}\n").replace("\n", "\r\n")


def test_without_spec_the_fix_writes_one_and_metadata_keys_go_under_metadata():
    _, after = moved(HEAD + "observability:\n  tracing:\n    enabled: true\n", "observability")
    assert after == HEAD + "spec:\n  observability:\n    tracing:\n      enabled: true\n"
    f, after = moved(HEAD + "labels:\n  team: support\nspec:\n  role: r\n", "labels")
    assert f.message.startswith("`labels` belongs under `metadata`")
    assert after == HEAD + "  labels:\n    team: support\nspec:\n  role: r\n"


def test_a_key_spec_already_has_is_not_moved_over_it():
    text = HEAD + "spec:\n  role: r\n  observability:\n    tracing: {enabled: true}\nobservability:\n  metrics: {}\n"
    f, after = moved(text, "observability")
    assert "already has one" in f.message and after is None


def test_json_gets_the_message_without_a_text_move():
    text = ('{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "a"}, '
            '"spec": {"role": "r"}, "observability": {"tracing": {"enabled": true}}}')
    r = analyze(text, "a.ossa.json")
    [f] = [f for f in r.findings if f.code == "SCHEMA001"]
    assert f.message.startswith("`observability` belongs under `spec`") and f.fixes == ()


def test_missing_section_rules_do_not_ask_to_add_what_was_pasted_at_the_top_level():
    text = HEAD + "spec:\n  role: r\nobservability:\n  tracing:\n    enabled: true\nconstraints:\n  cost:\n" \
        "    maxTokensPerDay: 1000\n"
    codes = {f.code for f in check(text, "enterprise").findings}
    assert "OBS001" not in codes and "COST001" not in codes
    assert "OBS001" in {f.code for f in check(HEAD + "spec:\n  role: r\n", "enterprise").findings}


@pytest.mark.parametrize(("endpoint", "after"), [("htps://otel.example.com:4318", "https://otel.example.com:4318"),
                                                 ("otel-collector:4318", "http://otel-collector:4318")])
def test_telemetry_endpoints_get_the_fix_their_message_names(endpoint, after):
    text = HEAD + f"spec:\n  role: r\n  observability:\n    tracing:\n      enabled: true\n      endpoint: {endpoint}\n"
    [f] = of(check(text), "OBS007")
    assert after in f.message or "did you mean `https://`" in f.message
    assert fixed(text, f) == text.replace(endpoint, after)
