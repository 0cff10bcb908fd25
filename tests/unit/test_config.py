""".ossa-lsp.yaml: discovery, profiles, selection, per-rule settings, overrides, and broken configs
reported as findings at their position."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from ossa_lsp.core.config import load as config
from ossa_lsp.core.config.load import ConfigProblem, resolve_policy
from ossa_lsp.core.findings import Severity
from ossa_lsp.core.text.spans import LineIndex
from ossa_lsp.output.rule_docs import config_schema


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def problems_at(text: str, problems: list[ConfigProblem]) -> list[tuple[str, str]]:
    """(code, the text each problem underlines)."""
    lines = LineIndex(text)
    return [(p.finding.code, lines.slice(p.finding.span)) for p in problems]


@pytest.fixture(autouse=True)
def _fresh_cache():
    config.clear_cache()
    yield
    config.clear_cache()


def test_no_config_means_baseline(tmp_path):
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems == [] and policy.profile == "baseline" and policy.config is None
    assert "SEC001" in policy.rules and "COST001" not in policy.rules
    assert policy.fail_on == Severity.ERROR


def test_nearest_config_up_from_the_manifest_wins(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: strict\n")
    inner = write(tmp_path, "team/.ossa-lsp.yaml", "extends: enterprise\n")
    assert resolve_policy(tmp_path / "team/agents/a.ossa.yaml")[0].config == str(inner)
    assert resolve_policy(tmp_path / "team/agents/a.ossa.yaml")[0].profile == "enterprise"
    assert resolve_policy(tmp_path / "other/a.ossa.yaml")[0].profile == "strict"


def test_select_replaces_extend_select_adds_ignore_removes_by_code_name_or_prefix(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: enterprise\nselect: [SEC, cost-limits-missing]\n"
                                       "extend-select: META001\nignore: [SEC00, secret-literal]\n")
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems == []
    assert sorted(policy.rules) == ["COST001", "META001", "SEC010"]  # the SEC00 prefix stops at SEC009
    write(tmp_path, ".ossa-lsp.yaml", "extend-select: [OBS001]\nignore: [LLM]\n")
    policy, _ = resolve_policy(tmp_path / "a.ossa.yaml")
    assert "OBS001" in policy.rules and policy.rules["OBS001"].severity == Severity.WARNING
    assert not any(c.startswith("LLM") for c in policy.rules) and "SEC001" in policy.rules


def test_per_rule_severity_and_options(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "rules:\n  SEC001: warning\n  insecure-http-endpoint: off\n"
                                       "  COST006: {max-cost-per-day: 50, currency: EUR}\n"
                                       "  META004: {severity: error, required-labels: owner}\n")
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems == []
    assert policy.rules["SEC001"].severity == Severity.WARNING
    assert "SEC003" not in policy.rules
    assert policy.rules["COST006"].options["max-cost-per-day"] == 50
    assert policy.rules["COST006"].options["currency"] == "EUR"
    assert policy.rules["META004"].severity == Severity.ERROR  # a severity also turns a rule on
    assert policy.rules["META004"].options["required-labels"] == ["owner"]


def test_overrides_apply_by_path_glob_in_order(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", """extends: enterprise
fail-on: warning
overrides:
  - files: ["legacy/**"]
    ignore: [COST]
    fail-on: error
  - files: "*.draft.ossa.yaml"
    rules:
      META002: off
""")
    legacy, _ = resolve_policy(tmp_path / "legacy/old/a.ossa.yaml")
    assert not any(c.startswith("COST") for c in legacy.rules) and legacy.fail_on == Severity.ERROR
    draft, _ = resolve_policy(tmp_path / "agents/x.draft.ossa.yaml")
    assert "META002" not in draft.rules and "COST001" in draft.rules and draft.fail_on == Severity.WARNING
    plain, _ = resolve_policy(tmp_path / "agents/x.ossa.yaml")
    assert "META002" in plain.rules


def test_command_line_arguments_win_over_the_file(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "extends: strict\nfail-on: info\nrules:\n  SEC001: info\n")
    policy, _ = resolve_policy(tmp_path / "a.ossa.yaml", profile="baseline", select=["SEC"], ignore=["SEC002"],
                               fail_on="error")
    assert policy.profile == "baseline" and policy.fail_on == Severity.ERROR
    assert "SEC002" not in policy.rules and all(c.startswith("SEC") for c in policy.rules)
    assert policy.rules["SEC001"].severity == Severity.INFO  # the file's per-rule severity still applies
    assert resolve_policy(tmp_path / "a.ossa.yaml", select=["NONE"])[0].rules == {}
    assert resolve_policy(tmp_path / "a.ossa.yaml", no_config=True)[0].profile == "baseline"


def test_explicit_config_path_skips_discovery(tmp_path):
    cfg = write(tmp_path, "ci/policy.yaml", "extends: enterprise\n")
    write(tmp_path, ".ossa-lsp.yaml", "extends: strict\n")
    policy, _ = resolve_policy(tmp_path / "a.ossa.yaml", config_path=cfg)
    assert policy.profile == "enterprise" and policy.config == str(cfg.resolve())


BROKEN = """extends: corporate
select: [SEC, NOPE1]
rules:
  SEC003: {internal-hosts: ["*.corp"], bogus: 1}
  META004: {required-labels: 5}
  COST: off
  SEC001: loud
overrides:
  - nofiles: 1
fail-on: warning
colour: red
"""


def test_broken_config_gives_findings_at_their_positions_and_the_rest_applies(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", BROKEN)
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert sorted(problems_at(BROKEN, problems)) == sorted([
        ("CFG003", "corporate"),
        ("CFG004", "NOPE1"),
        ("CFG002", "bogus"),
        ("CFG003", "5"),
        ("CFG004", "COST"),
        ("CFG003", "loud"),
        ("CFG003", "nofiles"),  # the override item lacks `files`
        ("CFG002", "nofiles"),
        ("CFG002", "colour"),
    ])
    assert all(p.finding.source == "config" and p.finding.severity == Severity.ERROR for p in problems)
    assert all(p.path == str((tmp_path / ".ossa-lsp.yaml").resolve()) for p in problems)
    # what was valid still applies
    assert policy.fail_on == Severity.WARNING and policy.profile == "baseline"
    assert all(c.startswith("SEC") for c in policy.rules)
    assert policy.rules["SEC003"].options["internal-hosts"] == ["*.corp"]


@pytest.mark.parametrize(("text", "code", "underlined"), [
    ("extends: [baseline\n", "CFG001", ""),
    ("- a\n- b\n", "CFG001", "- a\n- b"),
    ("select: 12\n", "CFG003", "12"),
    ("rules: [SEC001]\n", "CFG003", "[SEC001]"),
])
def test_unusable_config_text(tmp_path, text, code, underlined):
    write(tmp_path, ".ossa-lsp.yaml", text)
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert [p.finding.code for p in problems][:1] == [code]
    if underlined:
        assert LineIndex(text).slice(problems[0].finding.span) == underlined
    assert policy.profile == "baseline"  # falls back to the defaults, never raises


def test_config_is_parsed_once_per_modification(tmp_path):
    cfg = write(tmp_path, ".ossa-lsp.yaml", "extends: enterprise\n")
    first = config.load_config(cfg)
    assert config.load_config(cfg) is first
    cfg.write_text("extends: strict\n", encoding="utf-8")
    os.utime(cfg, ns=(cfg.stat().st_atime_ns, cfg.stat().st_mtime_ns + 1_000_000))
    assert config.load_config(cfg).model.extends == "strict"
    assert resolve_policy(tmp_path / "a.ossa.yaml")[0].profile == "strict"


def test_exclude_globs_are_relative_to_the_config(tmp_path):
    write(tmp_path, ".ossa-lsp.yaml", "exclude: [vendor/, '**/*.generated.ossa.yaml']\n")
    args = config.Args()
    assert config.excluded(tmp_path / "vendor/x/a.ossa.yaml", args)
    assert config.excluded(tmp_path / "a/b/c.generated.ossa.yaml", args)
    assert not config.excluded(tmp_path / "agents/a.ossa.yaml", args)
    assert not config.excluded(tmp_path / "vendor/a.ossa.yaml", config.Args(no_config=True))


def test_models_file_is_merged_over_the_bundled_data(tmp_path):
    models = {"as_of": "2026-11-01", "providers": {"openai": {"models": {
        "gpt-9": {"max_output": 1000, "price": [1, 2]}}}}}
    write(tmp_path, "models.json", json.dumps(models))
    write(tmp_path, ".ossa-lsp.yaml", "models-file: models.json\n")
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems == []
    reg = policy.env.models
    assert reg.lookup("openai", "gpt-9") is not None and reg.lookup("openai", "gpt-9").as_of == date(2026, 11, 1)
    assert reg.lookup("openai", "gpt-4o") is not None  # the bundled entries stay


def test_broken_models_file_is_a_config_finding(tmp_path):
    write(tmp_path, "models.json", "{not json")
    text = "models-file: models.json\n"
    write(tmp_path, ".ossa-lsp.yaml", text)
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems_at(text, problems) == [("CFG005", "models.json")]
    assert policy.env.models.lookup("openai", "gpt-4o") is not None


def test_unknown_command_line_selectors_are_named():
    assert config.unknown_selectors(["SEC", "secret-literal", "ALL", "NONE", "XYZ", "SEC999"]) == ["XYZ", "SEC999"]


def test_config_schema_accepts_a_full_config_and_rejects_typos():
    schema = config_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    good = {"extends": "enterprise", "select": ["SEC", "COST001"], "ignore": "OBS", "fail-on": "warning",
            "rules": {"COST006": {"max-cost-per-day": 100}, "secret-literal": "off"},
            "overrides": [{"files": ["legacy/**"], "ignore": ["COST"]}], "exclude": ["vendor/**"],
            "models-file": "models.json"}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(good)) == []
    for bad in ({"extend": "strict"}, {"rules": {"COST006": {"max-cost": 1}}}, {"rules": {"SEC999": "off"}},
                {"overrides": [{"ignore": ["SEC"]}]}):
        assert list(jsonschema.Draft7Validator(schema).iter_errors(bad)), bad


def test_the_documented_example_config_is_valid():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text("utf-8")
    example = doc.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = config.load_config_text(example, None)
    assert [p.finding.message for p in loaded.problems if p.finding.code != "CFG005"] == []
    assert loaded.model.extends == "enterprise" and len(loaded.overrides) == 2


# --- the pydantic-free fast path must agree with the pydantic model -------------------------------------

_VALUES: dict[str, list[object]] = {
    "extends": ["baseline", "enterprise", "strict", "Strict", "", None, 1, ["strict"]],
    "select": ["SEC, COST001", "SEC", " , ", ["SEC", "COST"], [], None, ["SEC", 1], 5, {"a": 1}],
    "extend-select": ["META001", ["META001"], [], None, [None], True],
    "ignore": ["SEC001,SEC002", ["x"], None, 3.5],
    "rules": [{}, {"SEC001": "off"}, {"cost-limits-missing": {"severity": "info"}}, {1: "off"}, None, [], "off"],
    "overrides": [[], [{"files": "a/*"}], [{"files": ["a", "b"], "select": "SEC"}], [{}], [5], None, {"files": "x"}],
    "exclude": ["vendor/**", ["a", "b"], [], None, [1], {}],
    "fail-on": ["error", "warning", "info", "hint", None, 0, ["error"]],
    "models-file": ["models.json", None, 7, ["m"]],
    "extend_select": [["SEC"]],  # the field name is not an accepted key: only the dashed alias is
    "unknown": ["x"],
}
_OVERRIDE_VALUES: dict[str, list[object]] = {
    "files": ["a/**", ["a", "b"], [], None, 3, [1]],
    "select": ["SEC, COST", ["SEC"], None, 1],
    "rules": [{"SEC001": "error"}, {2: "off"}, None],
    "fail-on": ["warning", None, "nope"],
    "exclude": ["x"],
}


def _cases(values: dict[str, list[object]], required: str | None = None) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = [{}]
    for key, options in values.items():
        cases += [{key: v} for v in options]
    if required:
        cases = [{required: "a/*", **c} if required not in c else c for c in cases]
    keys = list(values)
    cases += [{k: values[k][0] for k in keys[:n]} for n in range(2, len(keys) + 1)]  # plain combinations
    return cases


@pytest.mark.parametrize(("plain", "model_name", "values", "required"), [
    (config._plain_config, "ConfigModel", _VALUES, None),
    (config._plain_override, "Override", _OVERRIDE_VALUES, "files"),
])
def test_fast_path_accepts_only_what_pydantic_accepts_and_gives_the_same_values(plain, model_name, values,
                                                                                 required):
    import pydantic

    from ossa_lsp.core.config import model as config_model

    model = getattr(config_model, model_name)
    fast_taken = 0
    for data in _cases(values, required):
        fast = plain(dict(data))
        try:
            slow = model.model_validate(dict(data))
        except pydantic.ValidationError:
            slow = None
        if fast is not None:
            fast_taken += 1
            assert slow is not None, f"fast path accepted what pydantic rejects: {data!r}"
            assert vars(fast) == slow.model_dump(), data
        else:
            # declining is safe (pydantic then decides), but these are all shapes YAML produces: every
            # config pydantic accepts here must take the fast path.
            assert slow is None, f"fast path declined a valid config: {data!r}"
    assert fast_taken >= 10


def test_a_typical_config_file_is_read_without_importing_pydantic(tmp_path):
    import subprocess
    import sys

    write(tmp_path, ".ossa-lsp.yaml", "extends: enterprise\nselect: SEC, COST\nexclude: vendor/**\n"
                                      "rules:\n  secret-literal: {severity: warning}\n"
                                      "overrides:\n  - files: legacy/**\n    ignore: [SEC]\n")
    code = ("import sys; from ossa_lsp.core.config import load as config; c = config.load_config(config.Path(sys.argv[1]));"
            "print(c.model.extends, c.model.select, len(c.overrides), not c.problems, 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / ".ossa-lsp.yaml")], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["enterprise", "['SEC',", "'COST']", "1", "True", "False"]
