"""The vocabulary checks (VOCAB…) for the `spec` that OSSA v0.4.6+ schemas leave unchecked, on every such
version and kind; the multi-document info (COMPAT001); and policy rules giving the same findings whatever
version a manifest declares."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import ossa_lsp.core.rules  # noqa: F401 - declares the rules
from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.config.load import resolve_policy
from ossa_lsp.core.findings import Severity
from ossa_lsp.core.migrate import mainline
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.policy import Enabled, Policy
from ossa_lsp.core.rules.registry import RULES, Rule, in_order
from ossa_lsp.core.schema import vocabulary
from ossa_lsp.core.schema.registry import REGISTRY

VOCAB = vocabulary.load()
assert VOCAB is not None
LOOSE = sorted(VOCAB.loose)  # the versions whose schema leaves `spec` unchecked
CHECKED = [v for v in mainline() if v not in VOCAB.loose]


def only(*codes: str) -> Policy:
    return Policy(rules={c: Enabled(RULES[c], RULES[c].levels.strongest, RULES[c].defaults()) for c in codes})


def run(text: str, *codes: str) -> Analysis:
    return analyze(text, "m.ossa.yaml", policy=only(*(codes or ("VOCAB001", "VOCAB002", "VOCAB003"))))


def vocab(result: Analysis) -> list[tuple[str, str]]:
    return [(f.code, f.pointer) for f in result.findings if f.source == "vocabulary"]


def at(text: str, result: Analysis, pointer: str) -> str:
    """The text a finding at `pointer` underlines."""
    [f] = [f for f in result.findings if f.pointer == pointer and f.source == "vocabulary"]
    line = text.split("\n")[f.span.start.line]
    return line[f.span.start.character:f.span.end.character]


HEAD = "apiVersion: ossa/{v}\nkind: {kind}\nmetadata:\n  name: example\n  version: 1.0.0\nspec:\n"

CASES = {  # per kind: a spec with one mistake of each sort its earlier definitions can tell
    "Agent": ("  role: Sorts tickets.\n  llm:\n    provider: open-ai\n    model: gpt-4o\n    temprature: 0.2\n"
              "  tools:\n    - type: rest\n      name: tickets\n  constraints:\n    performance:\n"
              "      maxConcurrentRequests: 0\n  autonomy:\n    allowed_actions: read\n",
              [("VOCAB003", "/spec/llm/provider"), ("VOCAB001", "/spec/llm/temprature"),
               ("VOCAB003", "/spec/tools/0/type"), ("VOCAB003", "/spec/constraints/performance/maxConcurrentRequests"),
               ("VOCAB002", "/spec/autonomy/allowed_actions")]),
    "Task": ("  exection:\n    type: deterministic\n  capabilities: send-email\n  batch:\n    parallelism: 0\n"
             "  error_handling:\n    on_error: explode\n",
             [("VOCAB001", "/spec/exection"), ("VOCAB002", "/spec/capabilities"),
              ("VOCAB003", "/spec/batch/parallelism"), ("VOCAB003", "/spec/error_handling/on_error")]),
    "Workflow": ("  steps:\n    - id: fetch\n      kind: Tsk\n  concurrency:\n    cancel_in_progres: true\n"
                 "  timeout_seconds: '30'\n",
                 [("VOCAB003", "/spec/steps/0/kind"), ("VOCAB001", "/spec/concurrency/cancel_in_progres"),
                  ("VOCAB002", "/spec/timeout_seconds")]),
    "Flow": ("  nodes:\n    - id: start\n      type: agnet\n  transitions: {}\n",
             [("VOCAB003", "/spec/nodes/0/type"), ("VOCAB002", "/spec/transitions")]),
}


def test_the_loose_versions_are_the_ones_whose_schema_does_not_check_spec():
    assert LOOSE == ["v0.4.6", "v0.4.7", "v0.5.0"]
    for v in LOOSE:
        assert set(VOCAB.loose[v]) == {"Agent", "Task", "Workflow", "Flow"}
    assert VOCAB.sources["Agent"][0] == "v0.2.2" and VOCAB.sources["Agent"][-1] == "v0.4.5"


@pytest.mark.parametrize("version", LOOSE)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_mistakes_in_a_loose_spec_are_warnings_and_the_document_stays_valid(version: str, kind: str):
    spec, expected = CASES[kind]
    text = HEAD.format(v=version, kind=kind) + spec
    result = run(text)
    assert sorted(vocab(result)) == sorted(expected)
    assert all(f.severity == Severity.WARNING for f in result.findings if f.source == "vocabulary")
    assert result.documents[0].valid, [f.message for f in result.findings if f.severity == Severity.ERROR]


@pytest.mark.parametrize("version", ["v0.4.5", "v0.3.6", "v0.2.2"])
def test_versions_that_check_spec_report_schema_errors_not_vocabulary(version: str):
    spec, _ = CASES["Agent"]
    result = run(HEAD.format(v=version, kind="Agent") + spec)
    assert vocab(result) == []
    assert not result.documents[0].valid


def test_messages_spans_and_fixes():
    spec, _ = CASES["Agent"]
    text = HEAD.format(v="v0.5.0", kind="Agent") + spec
    result = run(text)
    by = {f.pointer: f for f in result.findings if f.source == "vocabulary"}
    typo = by["/spec/llm/temprature"]
    assert typo.message == "Unknown key `temprature` in `spec.llm`; did you mean `temperature`?"
    assert at(text, result, "/spec/llm/temprature") == "temprature"  # the key, not the value
    assert [e.new_text for fix in typo.fixes for e in fix.edits] == ["temperature"]
    assert not typo.fixes[0].safe  # a rename changes what a runtime reads: offered, never applied by --fix
    tool = by["/spec/tools/0/type"]
    assert tool.message.startswith("`type` is 'rest', which no OSSA version allows here (known: 'mcp', ")
    assert tool.message.endswith("did you mean `http`?") and at(text, result, "/spec/tools/0/type") == "rest"
    provider = by["/spec/llm/provider"]  # later versions take any provider: only the near miss is reported
    assert provider.message.startswith("`provider` is 'open-ai'; did you mean `openai`?")
    assert by["/spec/constraints/performance/maxConcurrentRequests"].message == (
        "`maxConcurrentRequests` must be at least 1, as earlier OSSA versions require; got 0")
    assert by["/spec/autonomy/allowed_actions"].message == (
        "`allowed_actions` should be a list, as earlier OSSA versions define it; got text")


def test_only_near_misses_are_reported_where_a_later_version_freed_the_field():
    spec = ("  role: Sorts tickets.\n  llm:\n    provider: groq\n    model: llama-3.3-70b\n"
            "    reasoning_effort: high\n    max_tokens: 800\n")
    result = run(HEAD.format(v="v0.4.7", kind="Agent") + spec)
    # any provider and any extra llm key were accepted by v0.3.0+; max_tokens is a slip of maxTokens
    assert vocab(result) == [("VOCAB001", "/spec/llm/max_tokens")]


def test_a_list_of_wrongly_typed_items_is_one_finding():
    spec = "  role: Sorts tickets.\n  tools:\n    - type: http\n  autonomy:\n    allowed_actions: [{a: 1}, {b: 2}, read]\n"
    result = run(HEAD.format(v="v0.5.0", kind="Agent") + spec)
    [f] = [f for f in result.findings if f.source == "vocabulary"]
    assert f.pointer == "/spec/autonomy/allowed_actions/0"
    assert f.message == "Items of `spec.autonomy.allowed_actions` should be text, as earlier OSSA versions define " \
                        "them; got a mapping (2 items)"


def test_vocabulary_warnings_follow_select_ignore_and_suppressions(tmp_path: Path):
    spec, _ = CASES["Agent"]
    text = HEAD.format(v="v0.5.0", kind="Agent") + spec
    (tmp_path / ".ossa-lsp.yaml").write_text("ignore: [VOCAB003]\n", "utf-8")
    policy, problems = resolve_policy(tmp_path / "a.ossa.yaml")
    assert problems == []
    codes = {f.code for f in analyze(text, str(tmp_path / "a.ossa.yaml"), policy=policy).findings}
    assert {"VOCAB001", "VOCAB002"} <= codes and "VOCAB003" not in codes
    quiet = text.replace("    temprature: 0.2\n", "    temprature: 0.2  # ossa-lsp: ignore[VOCAB001] -- legacy\n")
    [typo] = [f for f in run(quiet).findings if f.code == "VOCAB001"]
    assert typo.suppressed == "legacy"


def test_no_vocabulary_findings_on_the_valid_corpus_spec_examples_of_v0_4_5(corpus_index):
    """Manifests that v0.4.5's schema (the last one checking `spec`) accepts stay quiet when declared as a
    loose version: the vocabulary is at least as lenient as every version it comes from, near misses aside."""
    from tests.conftest import CORPUS

    checked = 0
    for e in corpus_index["entries"]:
        if e["schema_version"] != "v0.4.5" or e["verdict"] != "valid" or e["kind"] not in CASES:
            continue
        text = (CORPUS / e["file"]).read_bytes().decode("utf-8-sig").replace(str(e["apiVersion"]), "ossa/v0.5.0", 1)
        found = [f for f in run(text).findings if f.source == "vocabulary" and f.code != "VOCAB001"]
        assert found == [], (e["file"], [f.message for f in found])
        checked += 1
    assert checked >= 3


def test_a_huge_or_deep_spec_is_bounded():
    items = "".join(f"    - type: rest{i}\n      name: t{i}\n" for i in range(1000))
    result = run(HEAD.format(v="v0.5.0", kind="Agent") + "  role: x\n  tools:\n" + items)
    assert len(vocab(result)) == vocabulary.MAX_PROBLEMS
    deep = "  role: x\n  llm:\n" + "".join("  " * (i + 2) + f"k{i}:\n" for i in range(300)) + "  " * 302 + "v: 1\n"
    run(HEAD.format(v="v0.5.0", kind="Agent") + deep)  # no recursion error, no hang


# --- COMPAT001: several documents in one file ---------------------------------------------------------------

TWO = HEAD.format(v="v0.5.0", kind="Agent") + "  role: Sorts tickets.\n---\n" + \
    HEAD.format(v="v0.5.0", kind="Agent").replace("example", "second") + "  role: Replies.\n"


def test_a_multi_document_file_gets_one_info_that_select_and_ignore_control(tmp_path: Path):
    [f] = [f for f in run(TWO, "COMPAT001").findings if f.code == "COMPAT001"]
    assert f.severity == Severity.INFO and f.span.start.line == TWO.split("\n").index("---")
    assert f.message.startswith("This file holds 2 YAML documents. ossa-lsp checks each on its own, but upstream "
                                "OSSA tooling reads one document per file")
    assert all(d.valid for d in run(TWO, "COMPAT001").documents)  # each document is still valid on its own
    path = tmp_path / "two.ossa.yaml"
    baseline, _ = resolve_policy(path)
    assert "COMPAT001" in {x.code for x in analyze(TWO, str(path), policy=baseline).findings}
    for config in ("ignore: [COMPAT001]\n", "ignore: [multi-document-file]\n", "select: [SEC, LLM]\n"):
        (tmp_path / ".ossa-lsp.yaml").write_text(config, "utf-8")
        policy, problems = resolve_policy(path)
        assert problems == [], config
        assert "COMPAT001" not in {x.code for x in analyze(TWO, str(path), policy=policy).findings}, config
    one = TWO.split("---\n")[0]
    assert [x for x in run(one, "COMPAT001").findings if x.code == "COMPAT001"] == []


# --- policy rules do not depend on the declared version ----------------------------------------------------

TODAY = date(2026, 6, 1)
AGENT_RULES = [r for r in in_order() if r.check is not None and r.kinds == ("Agent",) and not r.workspace]


def example_policy(rule: Rule) -> Policy:
    enabled = {}
    for code in (rule.code, *rule.example_with):
        r = RULES[code]
        opts = {**r.defaults(), **(rule.example_options if code == rule.code else {})}
        enabled[code] = Enabled(r, r.levels.strongest, opts)
    return Policy(profile="strict", rules=enabled, env=Env(today=TODAY))


@pytest.mark.parametrize("rule", AGENT_RULES, ids=[r.code for r in AGENT_RULES])
def test_policy_rules_find_the_same_on_every_version(rule: Rule):
    assert "apiVersion: ossa/v0.2.2\n" in rule.bad
    found = {}
    for version in [*mainline(), "v0.4.1", "v0.6.0"]:
        text = rule.bad.replace("apiVersion: ossa/v0.2.2\n", f"apiVersion: ossa/{version}\n")
        result = analyze(text, "example.ossa.yaml", policy=example_policy(rule))
        found[version] = sorted((f.code, f.pointer, f.message) for f in result.findings if f.code == rule.code)
    assert found["v0.2.2"], rule.code
    assert {v: f for v, f in found.items() if f != found["v0.2.2"]} == {}


def test_every_bundled_version_has_its_place_in_the_vocabulary():
    """Each bundled version either checks `spec` itself (and feeds the vocabulary) or is a loose one."""
    for v in mainline():
        kinds = set(next(e.kinds for e in REGISTRY.catalog if e.version == v)) & set(CASES)
        for kind in kinds:
            assert (v in VOCAB.sources.get(kind, ())) != (kind in VOCAB.loose.get(v, ())), (v, kind)


def test_vocabulary_findings_offer_the_suppression_comment_quick_fix():
    from ossa_lsp.core.fixes import apply_edits, suppression_fix

    spec, _ = CASES["Agent"]
    text = HEAD.format(v="v0.5.0", kind="Agent") + spec
    result = run(text)
    [typo] = [f for f in result.findings if f.code == "VOCAB001"]
    fix = suppression_fix(typo, result.manifest)
    assert fix is not None
    assert "    # ossa-lsp: ignore[VOCAB001] -- reason\n    temprature: 0.2\n" in apply_edits(text, fix.edits)
