"""Every registered rule's documented examples run as tests: the bad example gives exactly one finding of
that rule, on the span the docs mark; the good example gives none. A new rule without working examples
fails here automatically."""

from __future__ import annotations

from datetime import date

import pytest

import ossa_lsp.core.rules  # noqa: F401 - declares the rules
from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.findings import Severity
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.policy import Enabled, Policy
from ossa_lsp.core.rules.registry import RULES, Rule, in_order
from ossa_lsp.core.text.spans import LineIndex

TODAY = date(2026, 6, 1)
ALL = in_order()


def example_policy(rule: Rule) -> Policy:
    enabled = {}
    for code in (rule.code, *rule.example_with):
        r = RULES[code]
        opts = {**r.defaults(), **(rule.example_options if code == rule.code else {})}
        enabled[code] = Enabled(r, r.levels.strongest, opts)
    return Policy(profile="strict", rules=enabled, env=Env(today=TODAY))


def run(rule: Rule, text: str) -> Analysis:
    workspace = None
    if rule.workspace:  # cross-file rules: the example plus its peer manifests form the workspace
        from ossa_lsp.core.workspace.index import WorkspaceIndex

        workspace = WorkspaceIndex()
        workspace.update_text("example.ossa.yaml", text)
        for i, peer in enumerate(rule.peers):
            workspace.update_text(f"peer-{i}.ossa.yaml", peer)
    return analyze(text, "example.ossa.yaml", policy=example_policy(rule), workspace=workspace)


def expected_offset(rule: Rule, text: str) -> int:
    """Where the docs say the finding is: the first occurrence of `expect` on or after the marked line."""
    start = 0
    marker = text.find(f"# <- {rule.code}")
    if marker >= 0:
        start = text.rfind("\n", 0, marker) + 1
    at = text.find(rule.expect, start)
    assert at >= 0, f"{rule.code}: expected text {rule.expect!r} is not in the bad example"
    return at


@pytest.mark.parametrize("rule", ALL, ids=[r.code for r in ALL])
def test_bad_example_gives_exactly_that_finding_on_the_marked_span(rule: Rule) -> None:
    result = run(rule, rule.bad)
    mine = [f for f in result.findings if f.code == rule.code]
    assert len(mine) == 1, [f"{f.code} {f.message}" for f in mine]
    f = mine[0]
    lines = LineIndex(rule.bad)
    start, end = lines.offset(f.span.start), lines.offset(f.span.end)
    assert rule.bad[start:end] == rule.expect
    assert start == expected_offset(rule, rule.bad)
    assert f.source == rule.source and f.suppressed is None and f.data["rule"] == rule.name


@pytest.mark.parametrize("rule", ALL, ids=[r.code for r in ALL])
def test_good_example_gives_no_finding(rule: Rule) -> None:
    result = run(rule, rule.good)
    assert [f.message for f in result.findings if f.code == rule.code] == []


@pytest.mark.parametrize("rule", ALL, ids=[r.code for r in ALL])
def test_examples_are_valid_manifests(rule: Rule) -> None:
    for text in (rule.bad, rule.good):
        result = analyze(text, "example.ossa.yaml")
        errors = [f"{f.code} {f.message}" for f in result.findings if f.severity == Severity.ERROR]
        assert errors == [], text


@pytest.mark.parametrize("rule", ALL, ids=[r.code for r in ALL])
def test_declaration_is_complete(rule: Rule) -> None:
    assert rule.summary.endswith(".") and rule.why and rule.bad != rule.good
    assert any(s is not None for s in rule.levels)
    assert rule.fix in ("none", "safe", "unsafe")
    assert (rule.check is None) == (rule.family == "hygiene")
    if rule.fix != "none":
        f = next(f for f in run(rule, rule.bad).findings if f.code == rule.code)
        assert f.fixes and all(fix.safe == (rule.fix == "safe") for fix in f.fixes)


def test_catalog_has_thirty_rules_across_all_families() -> None:
    assert len(RULES) >= 30
    assert {r.family for r in ALL} == {"cost", "security", "mesh", "observability", "resources", "performance",
                                       "llm", "metadata", "vocabulary", "compat", "hygiene"}


FIXABLE = [r for r in ALL if r.fix != "none"]


@pytest.mark.parametrize("rule", FIXABLE, ids=[r.code for r in FIXABLE])
def test_the_fix_resolves_the_bad_example(rule: Rule) -> None:
    from ossa_lsp.core.fixes import apply_edits

    [f] = [f for f in run(rule, rule.bad).findings if f.code == rule.code]
    fixed = apply_edits(rule.bad, f.fixes[0].edits)
    result = run(rule, fixed)
    assert [x.message for x in result.findings if x.code == rule.code] == []
    assert not [x for x in result.findings if x.source == "yaml"], fixed
