"""`ossa-lsp schema list|show` and `ossa-lsp migrate`, through the real command line."""

from __future__ import annotations

import json
import stat
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ossa_lsp.core.schema import versions
from ossa_lsp.core.schema.bundle import bundle_file
from ossa_lsp.core.schema.registry import REGISTRY
from ossa_lsp.core.schema.validate import pointer
from ossa_lsp.core.text.source import parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "ossa-corpus" / "manifests"
EXAMPLES = ROOT / "examples"


# --- schema list ------------------------------------------------------------------------------------

def test_schema_list_text_shows_versions_oldest_first_the_newest_and_the_rules(cli):
    r = cli("schema", "list")
    assert r.code == 0, r.err
    rows = [line.split() for line in r.out.splitlines() if line.startswith("  v")]
    assert [row[0] for row in rows] == [e.version for e in REGISTRY.catalog]
    assert rows[0][:2] == ["v0.2.2", "Agent"]
    newest = next(line for line in r.out.splitlines() if line.startswith("  v0.5.0"))
    assert newest.rstrip().endswith("newest") and "Agent, Task, Workflow, Flow" in newest
    assert "minor-level schema" in next(line for line in r.out.splitlines() if line.startswith("  v0.3 "))
    assert "MCPServer, Skill" in next(line for line in r.out.splitlines() if line.startswith("  v1 "))
    assert (versions.__doc__ or "").strip() in r.out


def test_schema_list_json(cli):
    r = cli("schema", "list", "-f", "json")
    data = json.loads(r.out)
    assert [v["version"] for v in data["versions"]] == [e.version for e in REGISTRY.catalog]
    assert data["newest"] == "v0.5.0" and [v["version"] for v in data["versions"] if v["newest"]] == ["v0.5.0"]
    v046 = next(v for v in data["versions"] if v["version"] == "v0.4.6")
    assert v046["kind_files"]["Skill"] == "ossa-v0.4.6-skill.schema.json" and v046["mainline"]
    assert data["migration_path"][0] == "v0.2.2" and "v0.3" not in data["migration_path"]
    assert data["selection_rules"] == (versions.__doc__ or "").strip()


# --- schema show ------------------------------------------------------------------------------------

def external_refs(schema: Any) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                out.append(ref)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return out


def test_schema_show_prints_a_bundled_self_contained_draft7_schema(cli, tmp_path):
    from jsonschema import Draft7Validator

    r = cli("schema", "show", "v0.3.6")
    assert r.code == 0, r.err
    schema = json.loads(r.out)
    Draft7Validator.check_schema(schema)
    assert external_refs(schema) == []
    assert "common.LLMConfig.v0.3.3" in schema["definitions"]  # shared definitions under stable names
    original = json.loads((REGISTRY.directory / "ossa-v0.3.6.schema.json").read_text("utf-8"))
    assert external_refs(original)  # ... which the shipped file reaches in schemas/common/
    assert set(original["definitions"]) <= set(schema["definitions"])
    assert cli("schema", "show", "ossa/v0.3.6").out == r.out == cli("schema", "show", "0.3.6").out
    # stable: the same bytes every time, and written to a file on request
    assert cli("schema", "show", "v0.3.6", "-o", str(tmp_path / "s.json")).code == 0
    assert (tmp_path / "s.json").read_text("utf-8") == r.out


def test_schema_show_no_bundle_prints_the_shipped_file(cli):
    r = cli("schema", "show", "v0.5.0", "--no-bundle")
    assert r.out == (REGISTRY.directory / "ossa-v0.5.0.schema.json").read_text("utf-8")


def test_schema_show_kinds(cli):
    skill = json.loads(cli("schema", "show", "v1", "Skill").out)
    assert skill["x-ossa-kinds"] == ["Skill"]
    assert json.loads(cli("schema", "show", "v0.4.6", "mcpserver").out)["x-ossa-kinds"] == ["MCPServer"]
    task = json.loads(cli("schema", "show", "v0.3.6", "Task").out)  # Task lives in the main schema
    assert task["x-ossa-version"] == "v0.3.6"
    no_kind = cli("schema", "show", "v1")
    assert no_kind.code == 2 and "name a kind: MCPServer, Skill" in no_kind.err
    bad_kind = cli("schema", "show", "v0.2.2", "Flow")
    assert bad_kind.code == 2 and "has no kind 'Flow'" in bad_kind.err and "Agent" in bad_kind.err


def test_schema_show_unknown_version_names_the_supported_ones(cli):
    r = cli("schema", "show", "v0.2.7")
    assert r.code == 2 and r.out == ""
    assert "no bundled schema for 'v0.2.7'" in r.err and "v0.2.2" in r.err and "v0.5.0" in r.err


# The bundled documents must validate exactly like the registry's schemas (same errors: pointer, keyword).

def _errors(validator: Any, data: Any) -> list[tuple[str, str]]:
    return sorted((pointer(e.absolute_path), e.validator) for e in validator.iter_errors(data))


KIND_SPECS = {
    "MCPServer": {"transport": "stdio", "command": "npx", "args": ["-y", "server-github"],
                  "tools": [{"name": "search_issues", "inputSchema": {"type": "object"}}],
                  "governance": {"dataAccess": {"filesystem": "none", "network": "allowlist"}}},
    "Skill": {"description": "Extracts tables from PDFs.", "instructions": "Run the script.",
              "governance": {"maxAutonomy": 2, "dataAccess": {"filesystem": "read-only"}}},
}


@cache
def _samples(version: str, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """A few manifests of this version: corpus ones when the corpus is there, plus small inline ones
    (valid and broken) so the comparison never depends on the corpus alone."""
    out: list[dict[str, Any]] = []
    folder = CORPUS / version
    if folder.is_dir():
        for p in sorted(folder.iterdir())[:6]:
            for doc in parse(p.read_bytes().decode("utf-8-sig"), p.name).documents:
                if isinstance(doc.data, dict):
                    out.append(doc.data)
    for kind in kinds:
        base: dict[str, Any] = {"apiVersion": f"ossa/{version}", "kind": kind,
                                "metadata": {"name": "triage", "version": "1.0.0"},
                                "spec": {"role": "Sort tickets.", "llm": {"provider": "openai", "model": "gpt-4o"},
                                         "tools": [{"type": "http", "name": "tickets"}]}}
        if kind in KIND_SPECS:
            base = {**base, "metadata": {"name": "github", "version": "1.0.0", "author": {"name": "Example"}},
                    "spec": KIND_SPECS[kind]}
        out += [base,
                {**base, "metadata": {"name": "Bad_Name"}, "zz_unknown": 1},
                {**base, "spec": {**base["spec"], "llm": {"provider": 7}, "tools": "none"}},
                {"kind": kind, "spec": []}]
    for p in EXAMPLES.rglob("*.ossa.*"):
        data = parse(p.read_text("utf-8"), p.name).documents[0].data
        out.append({**data, "apiVersion": f"ossa/{version}"})
    return out


def _bundled_files() -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for e in REGISTRY.catalog:
        if e.file:
            out.append((e.version, e.file, tuple(k for k in e.kinds if k not in e.kind_files)))
        for kind, file in e.kind_files.items():
            out.append((e.version, file, (kind,)))
    return out


@pytest.mark.parametrize(("version", "file", "kinds"), _bundled_files(), ids=lambda x: x if isinstance(x, str) else "")
def test_bundled_schema_validates_like_ours(version: str, file: str, kinds: tuple[str, ...]):
    from jsonschema import Draft7Validator

    from ossa_lsp.core.schema.formats import jsonschema_checker

    bundled = bundle_file(REGISTRY.directory / file, REGISTRY.directory)
    Draft7Validator.check_schema(bundled)
    assert external_refs(bundled) == []
    theirs = Draft7Validator(bundled, format_checker=jsonschema_checker())
    ours = REGISTRY.get_file(version, file).validator
    samples = _samples(version, kinds)
    verdicts = set()
    for data in samples:
        mine = _errors(ours, data)
        assert _errors(theirs, data) == mine, (file, data.get("metadata"))
        verdicts.add(not mine)
    assert False in verdicts, f"{file}: no sample was rejected"
    if "validator" not in file:  # the Validator schemas want apiVersion ossa/v0.4.4 exactly
        assert True in verdicts, f"{file}: no sample was accepted"


# --- migrate -----------------------------------------------------------------------------------------

def copy_examples(tmp_path: Path) -> Path:
    out = tmp_path / "examples"
    for p in EXAMPLES.glob("*.ossa.*"):
        out.mkdir(exist_ok=True)
        (out / p.name).write_bytes(p.read_bytes())
    return out


def test_migrate_writes_in_place_keeping_permissions_and_is_idempotent(cli, tmp_path):
    folder = copy_examples(tmp_path)
    before = {p.name: p.read_text("utf-8") for p in folder.iterdir()}
    (folder / "invoice-worker.ossa.yaml").chmod(0o640)
    r = cli("migrate", "--to", "v0.5.0", "examples")
    # the orchestrator's free-form `notify` text: a list from v0.3.0 on, so still reported after migrating
    assert r.code == 1 and r.out.startswith("examples/orchestrator.ossa.yaml:89:15: warning VOCAB002 `notify` "
                                            "should be a list"), r.out + r.err
    assert "examples/invoice-worker.ossa.yaml: migrated ossa/v0.2.2 → ossa/v0.5.0 (17 steps)" in r.err
    assert "Migrated 4 documents to ossa/v0.5.0; 1 finding remains; 1 file needs a look." in r.err
    for p in folder.iterdir():
        assert p.read_text("utf-8") == before[p.name].replace("ossa/v0.2.2", "ossa/v0.5.0", 1)
    assert stat.S_IMODE((folder / "invoice-worker.ossa.yaml").stat().st_mode) == 0o640
    assert not [p for p in folder.iterdir() if p.name.endswith(".ossa-lsp-tmp")]
    again = cli("migrate", "--to", "newest", "examples")
    assert again.code == 1 and "Migrated 0 documents to ossa/v0.5.0 (4 already there)" in again.err
    assert {p.name: p.read_text("utf-8") for p in folder.iterdir()} == {
        n: t.replace("ossa/v0.2.2", "ossa/v0.5.0", 1) for n, t in before.items()}


def test_migrate_diff_and_dry_run_write_nothing(cli, tmp_path):
    folder = copy_examples(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    diff = cli("migrate", "--to", "v0.2.3", "--diff", "examples/support-triage.ossa.yaml")
    assert diff.code == 0
    assert diff.out.startswith("--- a/examples/support-triage.ossa.yaml\n+++ b/examples/support-triage.ossa.yaml\n")
    assert "-apiVersion: ossa/v0.2.2\n+apiVersion: ossa/v0.2.3\n" in diff.out
    assert "would migrate ossa/v0.2.2 → ossa/v0.2.3 (1 step)" in diff.err
    dry = cli("migrate", "--to", "v0.3.6", "--dry-run", "examples")
    assert dry.code == 1  # findings remain at v0.3.6
    assert "Would migrate 4 documents" in dry.err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_migrate_reports_what_still_fails_with_exit_1(cli, tmp_path):
    folder = copy_examples(tmp_path)
    r = cli("migrate", "--to", "v0.3.6", "examples/orchestrator.ossa.yaml")
    assert r.code == 1
    lines = r.out.splitlines()
    assert "examples/orchestrator.ossa.yaml:25:13: error SCHEMA004 `domain` must be one of" in lines[0]
    assert lines[0].endswith("Not valid in OSSA v0.3.6: accepted up to ossa/v0.3.1; the definition changed in v0.3.2.")
    assert any("`notify` must be a list" in line and "changed in v0.3.0" in line for line in lines)
    assert "ossa/v0.3.6" in (folder / "orchestrator.ossa.yaml").read_text("utf-8")  # migrated all the same
    data = json.loads(cli("migrate", "--to", "v0.3.6", "-f", "json", "examples/orchestrator.ossa.yaml").out)
    [entry] = data["files"]
    assert entry["documents"][0]["status"] == "current"  # the first run migrated it
    assert {f["code"] for f in entry["findings"]} == {"SCHEMA003", "SCHEMA004"}


def test_migrate_refuses_syntax_errors_downgrades_and_unknown_targets(cli, tmp_path):
    broken = tmp_path / "broken.ossa.yaml"
    text = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: [oops\n"
    broken.write_text(text)
    r = cli("migrate", "--to", "v0.5.0", "broken.ossa.yaml")
    assert r.code == 1 and broken.read_text() == text
    assert "not migrated: the file has syntax errors" in r.err and "YAML001" in r.out
    newer = tmp_path / "new.ossa.yaml"
    newer.write_text("apiVersion: ossa/v0.5.0\nkind: Agent\nmetadata: {name: a}\nspec: {}\n")
    down = cli("migrate", "--to", "v0.3.6", "new.ossa.yaml")
    assert down.code == 2 and "migrate only upgrades" in down.err
    assert "ossa/v0.5.0" in newer.read_text()
    bad = cli("migrate", "--to", "v0.3", "new.ossa.yaml")
    assert bad.code == 2 and "targets: v0.2.3" in bad.err
    missing = cli("migrate", "--to", "v0.5.0", "nope.ossa.yaml")
    assert missing.code == 2 and "no such file" in missing.err


def test_migrate_renames_in_json_and_keeps_the_bom(cli, tmp_path):
    p = tmp_path / "mesh.ossa.json"
    body = '{\n  "apiVersion": "ossa/v0.4.6",\n  "kind": "Agent",\n  "metadata": {"name": "a", ' \
           '"mesh_bindings": {"source_project_id": "1"}},\n  "spec": {}\n}\n'
    p.write_bytes(b"\xef\xbb\xbf" + body.encode())
    r = cli("migrate", "--to", "v0.5.0", "mesh.ossa.json")
    assert r.code == 0, r.out + r.err
    assert "renamed metadata.mesh_bindings.source_project_id to `gitlab_project_id` (v0.5.0)" in r.err
    assert p.read_bytes() == b"\xef\xbb\xbf" + body.replace("v0.4.6", "v0.5.0").replace(
        "source_project_id", "gitlab_project_id").encode()
