"""Every OSSA version over LSP: completion and hover for each minor line (0.2, 0.3, 0.4, 0.5, and the
kind-only v1) and each kind the line defines, plus the "Upgrade to OSSA vX" code actions.

Manifests are small and inline; markers show where to ask: `‸K` key completion, `‸V` value
completion, `‸H` hover on a metadata key, `‸S` hover on a spec (or top-level) key. The expected
items come from the bundled schema of that version, read for the document's kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from ossa_lsp.core.schema.navigate import SchemaNav, facts, properties
from ossa_lsp.core.schema.registry import REGISTRY
from ossa_lsp.core.text.source import parse
from tests.lsp.conftest import diagnostics, encoding_of, open_doc
from tests.lsp.test_code_actions import actions, apply
from tests.lsp.test_completion_hover import complete, hover

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "ossa-corpus" / "manifests"
MARKERS = ("‸K", "‸V", "‸H", "‸S")


@dataclass
class Case:
    version: str
    kind: str
    text: str
    key_path: list[str | int]  # where ‸K completes keys
    has: set[str]  # some keys that must be offered there
    lacks: set[str]  # keys of other kinds (or siblings) that must not be
    values: list[str]  # exactly the values ‸V offers, in order
    spec_key: list[str | int] = field(default_factory=list)  # the path ‸S hovers


def parse_markers(text: str) -> tuple[str, dict[str, types.Position]]:
    where: dict[str, types.Position] = {}
    lines = text.split("\n")
    for n, line in enumerate(lines):
        for m in MARKERS:
            if m in line:
                where[m] = types.Position(n, line.index(m))
                line = line.replace(m, "")
        lines[n] = line
    return "\n".join(lines), where


def schema_of(case: Case) -> SchemaNav:
    choice = REGISTRY.choose(f"ossa/{case.version}", case.kind)
    assert choice is not None
    return REGISTRY.get_file(choice.entry.version, choice.file).nav(case.kind)


def description(nav: SchemaNav, path: list[str | int]) -> str:
    f = facts(nav, nav.at(path))
    text = f.markdown or f.description
    assert text, path
    return text.split("\n\n")[0]


def agent(version: str, llm_provider: str = "‸V") -> str:
    return f"""apiVersion: ossa/{version}
kind: Agent
metadata:
  n‸Hame: triage
spec:
  r‸Sole: Sort tickets.
  llm:
    provider: {llm_provider}
    model: gpt-4o
  ‸K
"""


TASK = """apiVersion: ossa/{v}
kind: Task
metadata:
  n‸Hame: sort-tickets
spec:
  e‸Sxecution:
    type: ‸V
  ‸K
"""

WORKFLOW = """apiVersion: ossa/{v}
kind: Workflow
metadata:
  n‸Hame: triage-flow
spec:
  s‸Steps: []
  error_handling:
    on_failure: ‸V
  ‸K
"""

FLOW = """apiVersion: ossa/{v}
kind: Flow
metadata:
  n‸Hame: triage-graph
spec:
  n‸Sodes: []
  adaptors:
    n8n:
      format: ‸V
  ‸K
"""

VALIDATOR = """apiVersion: ossa/{v}
kind: Validator
metadata:
  n‸Hame: schema-check
  agentKind: ‸V
spec:
  r‸Sules: []
  ‸K
"""

SKILL = """apiVersion: ossa/{v}
kind: Skill
metadata:
  n‸Hame: pdf-extract
spec:
  i‸Snstructions: Run the script.
  governance:
    dataAccess:
      filesystem: ‸V
  ‸K
"""

MCP = """apiVersion: ossa/{v}
kind: MCPServer
metadata:
  n‸Hame: github
spec:
  c‸Sommand: npx
  transport: ‸V
  ‸K
"""

# From v0.4.6 the main schema accepts `spec` as written; completion offers the checked top-level sections.
UNCHECKED_SPEC = """apiVersion: ossa/{v}
kind: {kind}
metadata:
  n‸Hame: triage
  status: ‸V
spec:
  role: Sort tickets.
s‸Security:
  data_classification: internal
‸K
"""

AGENT_ONLY = {"role", "llm", "tools", "autonomy"}
TASK_ONLY = {"execution", "input", "output", "preconditions"}
WORKFLOW_ONLY = {"steps", "triggers"}
FLOW_ONLY = {"nodes", "edges", "transitions"}
EXECUTION_TYPES = ["deterministic", "idempotent", "transactional"]
ON_FAILURE = ["halt", "continue", "rollback", "notify", "compensate", "compensation"]
FILESYSTEM = ["none", "read-only", "read-write", "scoped"]
TRANSPORTS = ["stdio", "sse", "streamable-http"]
STATUS = ["active", "deprecated", "revoked"]
VALIDATOR_KINDS = ["schema", "semantic", "platform", "runtime", "security", "performance"]
PROVIDERS_02 = ["openai", "anthropic", "google", "azure", "ollama", "custom"]


def cases_for(line: str) -> list[Case]:
    if line == "0.2":
        return [Case("v0.2.2", "Agent", agent("v0.2.2"), ["spec"], {"tools", "autonomy", "constraints", "taxonomy"},
                     {"role", "llm"}, PROVIDERS_02, ["spec", "role"]),
                Case("v0.2.9", "Agent", agent("v0.2.9"), ["spec"], {"tools", "prompts", "constraints"},
                     {"role", "llm"}, PROVIDERS_02, ["spec", "role"])]
    if line == "0.3":
        v = "v0.3.6"
        return [Case(v, "Agent", agent(v, "openai\n    retry_config:\n      backoff_strategy: ‸V"), ["spec"],
                     {"tools", "autonomy", "taxonomy"}, TASK_ONLY | FLOW_ONLY | {"role", "llm"},
                     ["none", "linear", "exponential"], ["spec", "role"]),
                Case(v, "Task", TASK.format(v=v), ["spec"], TASK_ONLY - {"execution"},
                     AGENT_ONLY | WORKFLOW_ONLY | FLOW_ONLY | {"execution"}, EXECUTION_TYPES, ["spec", "execution"]),
                Case(v, "Workflow", WORKFLOW.format(v=v), ["spec"], {"triggers", "inputs", "outputs"},
                     AGENT_ONLY | TASK_ONLY | FLOW_ONLY | {"steps"}, ON_FAILURE, ["spec", "steps"]),
                Case(v, "Flow", FLOW.format(v=v), ["spec"], {"edges", "transitions"},
                     AGENT_ONLY | TASK_ONLY | WORKFLOW_ONLY | {"nodes"}, ["json", "yaml"], ["spec", "nodes"])]
    if line == "0.4":
        return [Case("v0.4.5", "Agent", agent("v0.4.5", "openai\n    profile: ‸V"), ["spec"], {"tools", "team"},
                     TASK_ONLY | FLOW_ONLY | {"role", "llm"}, ["fast", "balanced", "deep", "safe"], ["spec", "role"]),
                Case("v0.4.5", "Task", TASK.format(v="v0.4.5"), ["spec"], TASK_ONLY - {"execution"},
                     AGENT_ONLY | FLOW_ONLY, EXECUTION_TYPES, ["spec", "execution"]),
                Case("v0.4.5", "Workflow", WORKFLOW.format(v="v0.4.5"), ["spec"], {"triggers"},
                     AGENT_ONLY | TASK_ONLY | {"steps"}, ON_FAILURE, ["spec", "steps"]),
                Case("v0.4.5", "Flow", FLOW.format(v="v0.4.5"), ["spec"], {"edges"}, AGENT_ONLY | TASK_ONLY,
                     ["json", "yaml"], ["spec", "nodes"]),
                Case("v0.4.5", "Validator", VALIDATOR.format(v="v0.4.5"), ["spec"], {"validates", "coordination"},
                     AGENT_ONLY | {"rules"}, VALIDATOR_KINDS, ["spec", "rules"]),
                Case("v0.4.6", "Agent", UNCHECKED_SPEC.format(v="v0.4.6", kind="Agent"), [],
                     {"protocols", "token_efficiency", "extensions"}, {"security", "spec", "metadata"}, STATUS,
                     ["security"]),
                Case("v0.4.6", "Skill", SKILL.format(v="v0.4.6"), ["spec"], {"description", "scripts", "resources"},
                     {"instructions", "governance", "transport", "role"}, FILESYSTEM, ["spec", "instructions"]),
                Case("v0.4.6", "MCPServer", MCP.format(v="v0.4.6"), ["spec"], {"tools", "args", "governance"},
                     {"command", "transport", "instructions", "role"}, TRANSPORTS, ["spec", "command"])]
    if line == "0.5":
        return [Case("v0.5.0", kind, UNCHECKED_SPEC.format(v="v0.5.0", kind=kind), [],
                     {"protocols", "token_efficiency", "composition"}, {"security", "spec", "kind"}, STATUS,
                     ["security"]) for kind in ("Agent", "Task", "Workflow", "Flow")]
    assert line == "1"
    return [Case("v1", "Skill", SKILL.format(v="v1"), ["spec"], {"description", "scripts"}, {"instructions", "governance"},
                 FILESYSTEM, ["spec", "instructions"]),
            Case("v1", "MCPServer", MCP.format(v="v1"), ["spec"], {"tools", "governance"}, {"command", "transport"},
                 TRANSPORTS, ["spec", "command"])]


@pytest.mark.parametrize("line", ["0.2", "0.3", "0.4", "0.5", "1"])
async def test_completion_and_hover_for_every_kind_of_the_line(client: LanguageClient, line: str):
    for i, case in enumerate(cases_for(line)):
        text, at = parse_markers(case.text)
        uri = open_doc(client, f"v{line}-{i}-{case.kind.lower()}.ossa.yaml", text)
        label = f"{case.version} {case.kind}"
        nav = schema_of(case)
        # the server validates with the schema the catalog names for this version and kind
        hover_api = await hover(client, uri, 0, 2)
        assert f"OSSA {case.version}" in hover_api, label

        keys = {it.label for it in await complete(client, uri, at["‸K"].line, at["‸K"].character)}
        assert case.has <= keys, (label, case.has - keys)
        assert not (case.lacks & keys), (label, case.lacks & keys)
        present = parse(text).documents[0].data
        for part in case.key_path:
            present = present[part]
        expected = set(properties(nav, nav.at(case.key_path))) - set(present)
        assert keys == expected, (label, keys ^ expected)  # every key of this kind and version, none other

        values = [it.label for it in await complete(client, uri, at["‸V"].line, at["‸V"].character)]
        assert values == case.values, label

        meta = await hover(client, uri, at["‸H"].line, at["‸H"].character)
        assert description(nav, ["metadata", "name"]) in meta, label
        assert "`metadata.name`" in meta
        spec = await hover(client, uri, at["‸S"].line, at["‸S"].character)
        assert description(nav, case.spec_key) in spec, label
        if case.kind in ("Task", "Workflow", "Flow") and case.spec_key[:1] == ["spec"]:
            agent_role = description(SchemaNav(nav.root, "Agent", nav.docs), ["spec", "role"])
            assert agent_role not in spec, label  # not the Agent's description of another key


@pytest.mark.parametrize("folder", ["v0.2.3", "v0.3.6", "v0.4.5", "v0.5.0"])
async def test_hover_on_real_corpus_manifests(client: LanguageClient, folder: str):
    files = sorted((CORPUS / folder).glob("*.ossa.yaml")) if (CORPUS / folder).is_dir() else []
    if not files:
        pytest.skip(f"no corpus manifests in {CORPUS / folder}")
    text = files[0].read_bytes().decode("utf-8-sig")
    lines = text.split("\n")
    row = next(n for n, line in enumerate(lines) if line.startswith("metadata:"))
    uri = open_doc(client, f"corpus-{folder}.ossa.yaml", text)
    shown = await hover(client, uri, row, 2)
    nav = REGISTRY.get(folder).nav()
    assert description(nav, ["metadata"]) in shown
    assert f"OSSA {folder}" in await hover(client, uri, next(n for n, x in enumerate(lines)
                                                              if x.startswith("apiVersion")), 2)


# --- "Upgrade to OSSA vX" ----------------------------------------------------------------------------

OLD = """# Ticket triage
apiVersion: "ossa/v0.2.2"  # keep me
kind: Agent
metadata:
  name: triage
spec:
  role: Sort tickets.
"""

MESH = """apiVersion: ossa/v0.4.6
kind: Agent
metadata:
  name: billing
  mesh_bindings:
    source_project_id: "4711"  # GitLab
spec: {}
"""


async def test_upgrade_actions_on_an_outdated_api_version(client: LanguageClient):
    uri = open_doc(client, "upgrade.ossa.yaml", OLD)
    diags = await diagnostics(client, uri, lambda d: any(x.code == "SCHEMA014" for x in d), hints=True)
    [hint] = [d for d in diags if d.code == "SCHEMA014"]
    assert hint.severity == types.DiagnosticSeverity.Hint
    found = await actions(client, uri, 1, ["refactor.rewrite"], [hint])
    upgrades = [a for a in found if a.title.startswith("Upgrade")]
    # the newest version's schema no longer checks `spec`: the action says so before anyone picks it
    assert [a.title for a in upgrades] == ["Upgrade to OSSA v0.5.0 (its schema no longer checks spec; ossa-lsp warns "
                                           "instead)", "Upgrade to the next version (v0.2.3)"]
    assert all(a.kind == types.CodeActionKind.RefactorRewrite and a.edit is None for a in upgrades)
    assert upgrades[0].diagnostics and upgrades[0].diagnostics[0].code == "SCHEMA014"
    newest = await client.code_action_resolve_async(upgrades[0])
    assert apply(OLD, newest.edit) == OLD.replace('"ossa/v0.2.2"', '"ossa/v0.5.0"')
    following = await client.code_action_resolve_async(upgrades[1])
    assert apply(OLD, following.edit) == OLD.replace('"ossa/v0.2.2"', '"ossa/v0.2.3"')
    elsewhere = await actions(client, uri, 6, ["refactor.rewrite"])
    assert not [a for a in elsewhere if a.title.startswith("Upgrade")]  # only on the apiVersion line


async def test_upgrade_renames_keys_and_is_not_offered_on_the_newest(client: LanguageClient):
    uri = open_doc(client, "upgrade-mesh.ossa.yaml", MESH)
    await diagnostics(client, uri, lambda d: any(x.code == "SCHEMA014" for x in d), hints=True)
    found = [a for a in await actions(client, uri, 0, ["refactor"]) if a.title.startswith("Upgrade")]
    assert [a.title for a in found] == ["Upgrade to OSSA v0.5.0", "Upgrade to the next version (v0.4.7)"]
    resolved = await client.code_action_resolve_async(found[0])
    assert resolved.edit is not None
    [change] = resolved.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and len(change.edits) == 2  # two small edits, not a rewrite
    upgraded = apply(MESH, resolved.edit)
    assert upgraded == MESH.replace("v0.4.6", "v0.5.0").replace("source_project_id", "gitlab_project_id")
    current = open_doc(client, "current.ossa.yaml", upgraded)
    await diagnostics(client, current)
    assert not [a for a in await actions(client, current, 0, ["refactor"]) if a.title.startswith("Upgrade")]
    assert encoding_of(client) in ("utf-8", "utf-16")


# --- versions people write today: stand-in schemas, versions newer than bundled, the loose spec ------------

TODAY = """apiVersion: ossa/{v}
kind: Agent
metadata:
  name: triage
  version: 1.0.0
spec:
  role: Sort tickets.
  llm:
    provider: anthropic
    model: claude-sonnet-4-5
    temprature: 0.2
"""


async def test_an_unknown_patch_says_which_schema_checks_it(client: LanguageClient):
    uri = open_doc(client, "patch.ossa.yaml", TODAY.format(v="v0.4.1"))
    diags = await diagnostics(client, uri, lambda d: any(x.code == "SCHEMA015" for x in d), hints=True)
    [hint] = [d for d in diags if d.code == "SCHEMA015"]
    assert hint.severity == types.DiagnosticSeverity.Hint and hint.range.start == types.Position(0, 12)
    assert "checked with ossa/v0.4.7" in hint.message
    shown = await hover(client, uri, 0, 2)
    assert "Validating with **OSSA v0.4.7**" in shown and "chosen for `ossa/v0.4.1`" in shown
    assert "`ossa/v0.4.1` has no schema of its own; it is checked with ossa/v0.4.7" in shown


async def test_a_version_newer_than_bundled_is_a_warning_naming_both(client: LanguageClient):
    uri = open_doc(client, "newer.ossa.yaml", TODAY.format(v="v0.6.0"))
    diags = await diagnostics(client, uri, lambda d: any(x.code == "SCHEMA016" for x in d))
    [warning] = [d for d in diags if d.code == "SCHEMA016"]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert "ossa/v0.6.0" in warning.message and f"ossa/{REGISTRY.newest()}" in warning.message
    assert not [d for d in diags if d.severity == types.DiagnosticSeverity.Error]  # no apiVersion error on top
    assert f"OSSA {REGISTRY.newest()}" in await hover(client, uri, 0, 2)


async def test_typos_in_the_loose_spec_are_vocabulary_warnings(client: LanguageClient):
    uri = open_doc(client, "loose.ossa.yaml", TODAY.format(v="v0.4.7"))
    diags = await diagnostics(client, uri, lambda d: any(x.code == "VOCAB001" for x in d))
    [typo] = [d for d in diags if d.code == "VOCAB001"]
    assert (typo.severity, typo.source) == (types.DiagnosticSeverity.Warning, "ossa-vocabulary")
    assert typo.range == types.Range(types.Position(10, 4), types.Position(10, 14))
    assert "did you mean `temperature`?" in typo.message
    assert not [d for d in diags if d.severity == types.DiagnosticSeverity.Error]


async def test_a_multi_document_file_gets_one_info_on_its_separator(client: LanguageClient):
    first = TODAY.format(v="v0.5.0").replace("    temprature: 0.2\n", "")
    text = first + "---\n" + first.replace("name: triage", "name: reply")
    uri = open_doc(client, "two.ossa.yaml", text)
    diags = await diagnostics(client, uri, lambda d: any(x.code == "COMPAT001" for x in d), hints=True)
    [info] = [d for d in diags if d.code == "COMPAT001"]
    row = text.split("\n").index("---")
    assert info.severity == types.DiagnosticSeverity.Information
    assert info.range == types.Range(types.Position(row, 0), types.Position(row, 3))
    assert "2 YAML documents" in info.message and "one document per file" in info.message
