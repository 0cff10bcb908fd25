"""core/migrate.py: upgrading manifests step by step, as minimal text edits, and explaining what is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.migrate import (
    RENAMES,
    mainline,
    migrate,
    normalize_version,
    plan,
    removal_notes,
    upgrade_targets,
)
from ossa_lsp.core.schema.registry import REGISTRY
from ossa_lsp.core.text.source import parse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.ossa.*"))
NEWEST = REGISTRY.newest()
NEXT = mainline()[1]


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


# --- the mainline -----------------------------------------------------------------------------------

def test_mainline_skips_the_minor_level_and_kind_only_entries():
    line = mainline()
    assert line[0] == "v0.2.2" and line[-1] == NEWEST == "v0.5.0"
    assert "v0.3" not in line and "v1" not in line
    assert line.index("v0.3.6") + 1 == line.index("v0.4.5")
    assert normalize_version("0.5.0") == normalize_version("ossa/v0.5.0") == normalize_version("newest") == "v0.5.0"
    assert normalize_version("v0.3") is None and normalize_version("v0.2.7") is None


def test_upgrade_targets_are_the_next_and_the_newest_version_defining_the_kind():
    assert upgrade_targets("ossa/v0.2.2", "Agent") == ["v0.2.3", "v0.5.0"]
    assert upgrade_targets("ossa/v0.4.6", "Agent") == ["v0.4.7", "v0.5.0"]
    assert upgrade_targets("ossa/v0.4.7", "Agent") == ["v0.5.0"]
    assert upgrade_targets("ossa/v0.4.1", "Agent") == ["v0.5.0"]  # checked as v0.4.7: the next is v0.5.0
    assert upgrade_targets("ossa/v0.5.0", "Agent") == []
    assert upgrade_targets("ossa/v0.3", "Task") == ["v0.4.5", "v0.5.0"]  # the minor-level schema stands for v0.3.6
    assert upgrade_targets("ossa/v0.4.6", "Skill") == []  # no later mainline version defines Skill
    assert upgrade_targets("ossa/v1", "Agent") == []  # validated as v0.2.2, but v1 > v0.5.0: never "upgrade" it
    assert upgrade_targets("ossa/v9.9.9", "Agent") == []


# --- the examples -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [NEWEST, NEXT])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_migrates_keeping_everything_but_the_version(path: Path, target: str):
    before = path.read_text("utf-8")
    result = migrate(before, str(path), target)
    assert result.refused is None
    [doc] = result.documents
    assert (doc.status, doc.source, doc.steps[-1]) == ("migrate", "v0.2.2", target)
    after = result.new_text
    # only the apiVersion changed (it keeps its quoting: plain in YAML, double quotes in JSON)
    assert after == before.replace("ossa/v0.2.2", f"ossa/{target}", 1)
    assert len(result.edits) == 1
    assert comments(after) == comments(before)
    reparsed = parse(after, str(path))
    assert not reparsed.has_syntax_error
    assert reparsed.documents[0].data == {**parse(before, str(path)).documents[0].data, "apiVersion": f"ossa/{target}"}
    assert analyze(after, str(path)).documents[0].schema == f"ossa/{target}"
    again = migrate(after, str(path), target)
    assert not again.changed and again.edits == [] and again.documents[0].status == "current"


def test_the_support_triage_example_before_and_after_exactly():
    before = (ROOT / "examples" / "support-triage.ossa.yaml").read_text("utf-8")
    head = before.split("kind: Agent")[0]
    result = migrate(before, "support-triage.ossa.yaml", NEWEST)
    assert result.new_text.split("kind: Agent")[0] == head.replace("apiVersion: ossa/v0.2.2\n",
                                                                   "apiVersion: ossa/v0.5.0\n")
    assert result.new_text.split("kind: Agent")[1] == before.split("kind: Agent")[1]
    assert result.findings == [] and result.clean  # v0.5.0 no longer checks inside spec


def test_the_json_example_before_and_after_exactly():
    before = (ROOT / "examples" / "fraud-worker.ossa.json").read_text("utf-8")
    result = migrate(before, "fraud-worker.ossa.json", NEXT)
    assert result.new_text.splitlines()[:3] == ["{", '  "apiVersion": "ossa/v0.2.3",', '  "kind": "Agent",']
    assert result.new_text.splitlines()[3:] == before.splitlines()[3:]
    assert result.findings == []


def test_remaining_findings_of_the_examples_are_listed_and_explained():
    """Clean to the newest and to the next version; to the versions in between, what changed is named."""
    for path in EXAMPLES:
        text = path.read_text("utf-8")
        for target in (NEWEST, NEXT):
            found = [(f.code, f.pointer) for f in migrate(text, str(path), target).findings]
            if path.parent.name == "broken":  # its planted errors stay, and are said to be old
                assert found and all("already a problem in ossa/v0.2.2" in f.message or
                                     "ossa/v0.2.2 reported this" in f.message
                                     for f in migrate(text, str(path), target).findings)
            elif path.name == "orchestrator.ossa.yaml" and target == NEWEST:
                # free-form in v0.2.2, a list from v0.3.0: the v0.3.x schemas and, from v0.4.6, the vocabulary say so
                assert found == [("VOCAB002", "/spec/autonomy/escalation_policy/notify")]
            else:
                assert found == [], (path.name, target)
    invoice = (ROOT / "examples" / "invoice-worker.ossa.yaml").read_text("utf-8")
    result = migrate(invoice, "invoice-worker.ossa.yaml", "v0.3.6")
    assert [(f.code, f.pointer, f.data["since"]) for f in result.findings] == [
        ("SCHEMA004", "/spec/taxonomy/domain", "v0.3.2"),
        ("SCHEMA005", "/spec/taxonomy/capability", "v0.3.2"),
        ("SCHEMA003", "/spec/tools/0/capabilities/0", "v0.3.5"),
        ("SCHEMA003", "/spec/tools/1/capabilities/0", "v0.3.5"),
    ]
    first = result.findings[0].message
    assert "got 'finance'" in first and "accepted up to ossa/v0.3.1; the definition changed in v0.3.2" in first
    assert not result.clean


def test_every_mistake_of_the_examples_stays_visible_after_migrating_to_the_newest():
    """Whatever the source version's schema reported is still reported after `migrate --to newest`: by the
    target's schema, by a vocabulary warning that the editor and `check` show too, or by `migrate` itself as
    no longer checked (SCHEMA017). Never silently dropped."""
    from ossa_lsp.core.findings import Severity
    from ossa_lsp.core.rules.policy import Policy

    mistakes = 0
    for path in EXAMPLES:
        text = path.read_text("utf-8")
        before = {f.pointer for f in analyze(text, str(path)).findings
                  if f.source == "schema" and f.severity <= Severity.WARNING and f.pointer != "/apiVersion"}
        result = migrate(text, str(path), NEWEST)
        assert before <= {f.pointer for f in result.findings}, path.name
        shown = {f.pointer for f in analyze(result.new_text, str(path), policy=Policy.for_profile()).findings
                 if f.severity <= Severity.WARNING}
        assert {f.pointer for f in result.findings if f.code != "SCHEMA017"} <= shown, path.name
        mistakes += len(before)
    assert mistakes == 6  # the six planted in examples/broken


def test_the_broken_example_after_migrating_to_the_newest_exactly():
    text = (ROOT / "examples" / "broken" / "agent-with-errors.ossa.yaml").read_text("utf-8")
    result = migrate(text, "agent-with-errors.ossa.yaml", NEWEST)
    assert [(f.code, f.severity.label, f.pointer) for f in result.findings] == [
        ("SCHEMA005", "error", "/metadata/name"),  # metadata is still checked by the schema
        ("VOCAB003", "warning", "/spec/llm/provider"),
        ("VOCAB001", "warning", "/spec/llm/temprature"),
        ("VOCAB003", "warning", "/spec/tools/0/type"),
        ("SCHEMA017", "warning", "/spec/constraints/cost/currency"),  # a text form later versions dropped
        ("VOCAB003", "warning", "/spec/constraints/performance/maxConcurrentRequests"),
    ]
    by_code = {f.pointer: f for f in result.findings}
    assert by_code["/spec/llm/temprature"].message == (
        "Unknown key `temprature` in `spec.llm`; did you mean `temperature`? ossa/v0.2.2 reported this as "
        "SCHEMA001; the ossa/v0.5.0 schema no longer checks `spec`.")
    currency = by_code["/spec/constraints/cost/currency"]
    assert currency.message.endswith("got 'usd'. ossa/v0.2.2 reported this (SCHEMA005); the ossa/v0.5.0 schema no "
                                     "longer checks it.")
    assert result.new_text.splitlines()[currency.span.start.line].strip() == "currency: usd"
    assert not result.clean


# --- renames, quoting, line endings -----------------------------------------------------------------

MESH = """# Billing agent
apiVersion: 'ossa/v0.4.6'  # pinned on purpose
kind: Agent
metadata:
  name: billing
  mesh_bindings:
    source_project_id: "4711"   # the GitLab project
    execution_node_id: node-7
spec:
  role: Answers invoices.
security:
  tier: high
  data_classification: internal
"""


def test_renamed_keys_follow_the_schemas_and_keep_values_comments_and_quotes():
    result = migrate(MESH, "billing.ossa.yaml", "v0.5.0")
    assert result.new_text == """# Billing agent
apiVersion: 'ossa/v0.5.0'  # pinned on purpose
kind: Agent
metadata:
  name: billing
  mesh_bindings:
    gitlab_project_id: "4711"   # the GitLab project
    drupal_canvas_node_id: node-7
spec:
  role: Answers invoices.
security:
  tier: high
  data_classification: internal
"""
    assert [r[:3] for r in result.documents[0].renamed] == [
        ("/metadata/mesh_bindings/source_project_id", "source_project_id", "gitlab_project_id"),
        ("/metadata/mesh_bindings/execution_node_id", "execution_node_id", "drupal_canvas_node_id")]
    [tier] = result.findings  # security.tier was dropped in v0.5.0: left for a person
    assert (tier.code, tier.pointer) == ("SCHEMA001", "/security/tier")
    assert tier.message == "`security.tier` is not part of OSSA v0.5.0: it was removed in v0.5.0"
    assert tier.span.start.line == 11  # in the migrated text
    assert migrate(result.new_text, "billing.ossa.yaml", "v0.5.0").changed is False


def test_a_rename_whose_new_key_exists_already_is_left_and_explained_with_its_replacement():
    text = MESH.replace('    execution_node_id: node-7\n', '    gitlab_project_id: "9"\n')
    result = migrate(text, "billing.ossa.yaml", "v0.5.0")
    assert "source_project_id" in result.new_text  # not renamed over the existing key
    old = next(f for f in result.findings if f.pointer == "/metadata/mesh_bindings/source_project_id")
    assert old.message.startswith("`metadata.mesh_bindings.source_project_id` is not part of OSSA v0.5.0: it was "
                                  "removed in v0.5.0 (replaced by `gitlab_project_id`)")
    assert old.data["replacement"] == "gitlab_project_id"


def test_json_flow_and_crlf_documents_keep_their_style():
    crlf = MESH.replace("\n", "\r\n")
    out = migrate(crlf, "a.ossa.yaml", "v0.5.0").new_text
    assert out == migrate(MESH, "a.ossa.yaml", "v0.5.0").new_text.replace("\n", "\r\n")
    flow = '{apiVersion: "ossa/v0.2.2", kind: Agent, metadata: {name: a}, spec: {role: r}}\n'
    assert migrate(flow, "a.ossa.yaml", NEWEST).new_text == flow.replace("v0.2.2", "v0.5.0")
    plain_json = '{"apiVersion":"ossa/v0.4.6","kind":"Agent","metadata":{"name":"a","mesh_bindings":' \
                 '{"source_project_id":"1"}},"spec":{}}'
    assert migrate(plain_json, "a.ossa.json", NEWEST).new_text == plain_json.replace(
        "v0.4.6", "v0.5.0").replace("source_project_id", "gitlab_project_id")


def test_multi_document_files_migrate_each_document_and_plan_can_pick_one():
    text = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata: {name: a}\nspec: {role: r}\n---\n" \
           "apiVersion: ossa/v0.3.6\nkind: Task\nmetadata: {name: t}\nspec: {}\n"
    both = migrate(text, "a.ossa.yaml", "v0.4.5")
    assert [d.status for d in both.documents] == ["migrate", "migrate"]
    assert both.new_text.count("ossa/v0.4.5") == 2
    second = plan(text, "a.ossa.yaml", "v0.4.5", documents={1})
    assert second.new_text == text.replace("ossa/v0.3.6", "ossa/v0.4.5")


# --- refusals -----------------------------------------------------------------------------------------

def test_text_with_syntax_errors_is_never_touched():
    text = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: [unclosed\nspec:\n  role: x\n"
    result = migrate(text, "broken.ossa.yaml", NEWEST)
    assert result.refused is not None and "syntax errors" in result.refused
    assert result.new_text == text and result.edits == []
    assert result.findings and all(f.source == "yaml" for f in result.findings)


def test_downgrades_and_kinds_the_target_lacks_are_refused():
    newer = migrate("apiVersion: ossa/v0.5.0\nkind: Agent\nmetadata: {name: a}\n", "a.ossa.yaml", "v0.3.6")
    [doc] = newer.documents
    assert doc.status == "refused" and doc.downgrade and "migrate only upgrades" in (doc.reason or "")
    assert not newer.changed and newer.downgrade
    skill = migrate("apiVersion: ossa/v0.4.6\nkind: Skill\nmetadata: {name: s}\nspec: {}\n", "s.ossa.yaml", NEWEST)
    assert skill.documents[0].status == "refused" and "has no kind Skill" in (skill.documents[0].reason or "")
    assert not skill.changed and not skill.clean
    v1_agent = migrate("apiVersion: ossa/v1\nkind: Agent\nmetadata: {name: a}\nspec: {role: r}\n", "a.yaml", NEWEST)
    assert v1_agent.documents[0].downgrade
    with pytest.raises(ValueError):
        plan("apiVersion: ossa/v0.2.2\n", "a.yaml", "v0.3")


def test_loose_and_unknown_patch_versions_count_as_the_version_they_select():
    text = "apiVersion: ossa/v0.4.1\nkind: Agent\nmetadata: {name: a}\nspec: {}\n"
    assert migrate(text, "a.yaml", "v0.4.7").documents[0].status == "current"  # v0.4.1 selects v0.4.7
    up = migrate(text, "a.yaml", NEWEST)
    assert (up.documents[0].source, up.documents[0].steps, up.clean) == ("v0.4.7", ["v0.5.0"], True)
    loose = "apiVersion: ossa/v0.3\nkind: Task\nmetadata: {name: t}\nspec: {}\n"
    assert migrate(loose, "t.yaml", "v0.3.6").documents[0].status == "current"
    assert migrate(loose, "t.yaml", "v0.4.5").new_text == loose.replace("ossa/v0.3", "ossa/v0.4.5")


# --- the rename table and the schemas agree -------------------------------------------------------------

def test_rename_table_matches_the_replaced_by_notes_of_the_schemas():
    import json

    from ossa_lsp.core.schema.bundle import bundle_file

    noted = set()
    for p in [*REGISTRY.directory.glob("ossa-v*.schema.json"), *(REGISTRY.directory / "common").glob("*.json")]:
        for version, old, new, _ in removal_notes(json.loads(p.read_text("utf-8"))):
            if new:
                noted.add((version, old, new))
    assert noted == {(r.version, r.old, r.new) for r in RENAMES}
    for r in RENAMES:  # the old name exists in the version before, the new one in the rename's version
        before = mainline()[mainline().index(r.version) - 1]
        old_schema = json.dumps(bundle_file(REGISTRY.directory / str(REGISTRY.get(before).path.name)))
        new_schema = json.dumps(bundle_file(REGISTRY.directory / str(REGISTRY.get(r.version).path.name)))
        assert f'"{r.old}"' in old_schema and f'"{r.new}"' in new_schema
