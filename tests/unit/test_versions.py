"""Version selection rules (core/schema/versions.py) on a catalog shaped like the released OSSA versions,
and the findings on `apiVersion` that say which schema was used."""

from __future__ import annotations

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.findings import Severity
from ossa_lsp.core.schema import versions as rules
from ossa_lsp.core.schema.registry import REGISTRY, VersionEntry
from ossa_lsp.core.schema.versions import choose


def entry(version: str, accepts: str = r"(?!)", kinds: tuple[str, ...] = ("Agent",), file: str | None = "main",
          kind_files: dict[str, str] | None = None) -> VersionEntry:
    return VersionEntry(version=version, file=None if file is None else f"{version}.json", kinds=kinds,
                        accepts=accepts, kind_files=kind_files or {})


EVERYTHING = r"^ossa/v[0-9].*$"  # an over-broad apiVersion pattern must never pull a version into an old line
CATALOG = [
    entry("v0.2.2", r"^ossa/v(0\.2\.2|1)(\.[0-9]+)?(-[a-zA-Z0-9]+)?$"),
    entry("v0.2.3"), entry("v0.2.4"), entry("v0.2.6"), entry("v0.2.8"), entry("v0.2.9", EVERYTHING),
    entry("v0.3.0"), entry("v0.3.2"), entry("v0.3.6"), entry("v0.3"),
    entry("v0.4.5", kind_files={"Validator": "v0.4.5-validator.json"}),
    entry("v0.4.6", kind_files={"Skill": "v0.4.6-skill.json", "Validator": "v0.4.6-validator.json"}),
    entry("v0.4.7"), entry("v0.5.0"),
    entry("v1", file=None, kinds=("Skill", "MCPServer"), kind_files={"Skill": "v1-skill.json", "MCPServer": "v1-mcp.json"}),
]


def picked(api: str, kind: str | None = "Agent", default: str | None = None) -> tuple[str, str]:
    choice = choose(CATALOG, api, kind, default)
    assert choice is not None, api
    return choice.entry.version, choice.rule


@pytest.mark.parametrize(("api", "version"), [
    ("ossa/v0.3.6", "v0.3.6"), ("ossa/v0.4.7", "v0.4.7"), ("ossa/v0.3", "v0.3"), ("ossa/v0.2.2", "v0.2.2"),
    ("ossa/v1", "v1"),
])
def test_exact_versions_use_their_own_schema(api, version):
    kind = "Skill" if api == "ossa/v1" else "Agent"
    assert picked(api, kind) == (version, rules.EXACT)
    choice = choose(CATALOG, api, kind)
    assert choice is not None and choice.own and rules.note(choice) is None


@pytest.mark.parametrize(("api", "version"), [
    ("ossa/v0.4.1", "v0.4.7"), ("ossa/v0.4.4", "v0.4.7"), ("ossa/v0.4.8", "v0.4.7"), ("ossa/v0.4.0", "v0.4.7"),
    ("ossa/v0.2.7", "v0.2.9"), ("ossa/v0.3.7", "v0.3.6"), ("ossa/v0.5.1", "v0.5.0"),
])
def test_an_unknown_patch_uses_the_newest_bundled_patch_of_its_minor(api, version):
    assert picked(api) == (version, rules.NEWEST_OF_MINOR)


def test_loose_forms_use_the_minor_level_schema_else_the_newest_patch():
    assert picked("ossa/v0.3.x") == ("v0.3", rules.MINOR_LEVEL)
    assert picked("ossa/v0.4") == ("v0.4.7", rules.NEWEST_OF_MINOR)
    assert picked("ossa/v0.4.x", "Task") == ("v0.4.7", rules.NEWEST_OF_MINOR)
    assert picked("ossa/v0.2") == ("v0.2.9", rules.NEWEST_OF_MINOR)


@pytest.mark.parametrize(("api", "version"), [
    ("ossa/v0.3.2-alpha.1", "v0.3.2"), ("ossa/v0.2.8-rc.2", "v0.2.8"), ("ossa/v0.4.7-beta", "v0.4.7"),
])
def test_a_prerelease_uses_its_release(api, version):
    assert picked(api) == (version, rules.PRERELEASE)


def test_a_prerelease_of_an_unknown_patch_uses_the_newest_patch_of_its_minor():
    assert picked("ossa/v0.4.8-rc.1") == ("v0.4.7", rules.NEWEST_OF_MINOR)


@pytest.mark.parametrize("api", ["ossa/v0.6.0", "ossa/v0.6", "ossa/v1.0", "ossa/v1.2.3", "ossa/v2"])
def test_a_version_newer_than_everything_bundled_uses_the_newest_never_an_older_line(api):
    # v0.2.9's pattern accepts ossa/v0.6.0 (and the v0.2.2 schema ossa/v1.x): neither may be picked
    assert picked(api) == ("v0.5.0", rules.NEWER)
    assert picked(api, "Flow") == ("v0.5.0", rules.NEWER)


def test_the_ossa_v1_alias_stays_v0_2_2_for_agents_only():
    assert picked("ossa/v1") == ("v0.2.2", rules.V1_ALIAS)
    assert picked("ossa/v1", "Skill") == ("v1", rules.EXACT)
    assert picked("ossa/v1.0", "Skill") == ("v1", rules.KIND)


def test_kind_files_come_from_the_declared_version_else_the_newest_of_its_line():
    choice = choose(CATALOG, "ossa/v0.4.6", "Skill")
    assert choice is not None and (choice.file, choice.rule) == ("v0.4.6-skill.json", rules.EXACT)
    choice = choose(CATALOG, "ossa/v0.4.7", "Validator")  # v0.4.7 has no Validator file: v0.4.6's, not the main one
    assert choice is not None and (choice.entry.version, choice.file) == ("v0.4.6", "v0.4.6-validator.json")
    choice = choose(CATALOG, "ossa/v1", "MCPServer")
    assert choice is not None and choice.file == "v1-mcp.json"


def test_the_pinned_default_wins_for_loose_forms_and_unknown_patches_of_its_line_only():
    assert picked("ossa/v0.3", default="v0.3.2") == ("v0.3.2", rules.PINNED)
    assert picked("ossa/v0.3.x", default="v0.3.2") == ("v0.3.2", rules.PINNED)
    assert picked("ossa/v0.4.1", default="v0.4.5") == ("v0.4.5", rules.PINNED)
    assert picked("ossa/v0.3.6", default="v0.3.2") == ("v0.3.6", rules.EXACT)  # an exact version keeps its own
    assert picked("ossa/v0.4", default="v0.3.2") == ("v0.4.7", rules.NEWEST_OF_MINOR)  # another line: no effect
    assert picked("ossa/v0.3.2-alpha.1", default="v0.3.6") == ("v0.3.2", rules.PRERELEASE)
    assert picked("ossa/v0.6.0", default="v0.4.5") == ("v0.5.0", rules.NEWER)


def test_a_fourth_version_part_is_ignored():
    assert picked("ossa/v0.4.6.0") == ("v0.4.6", rules.BUILD)


@pytest.mark.parametrize("api", ["ossa/v0.1.8", "ossa/vnext", "apps/v1", "ossa/v0.0.1"])
def test_versions_older_than_every_bundled_line_or_malformed_select_nothing(api):
    assert choose(CATALOG, api, "Agent") is None


# --- what the manifest is told ---------------------------------------------------------------------

AGENT = "apiVersion: {api}\nkind: Agent\nmetadata:\n  name: triage\n  version: 1.0.0\nspec:\n  role: Sorts tickets.\n"


def version_findings(api: str) -> list[tuple[str, Severity, str]]:
    result = analyze(AGENT.format(api=api), "triage.ossa.yaml")
    return [(f.code, f.severity, f.message) for f in result.findings if f.pointer == "/apiVersion"]


def test_an_unknown_patch_gets_a_hint_naming_the_schema_used():
    found = version_findings("ossa/v0.4.1")
    hint = [m for c, s, m in found if c == "SCHEMA015"]
    assert hint == ["`ossa/v0.4.1` has no schema of its own; it is checked with ossa/v0.4.7, the newest bundled "
                    "patch of its minor line (as upstream's CLI does)."]
    assert all(s == Severity.HINT for c, s, _ in found)
    upgrade = [m for c, _, m in found if c == "SCHEMA014"]
    assert upgrade and "(this manifest uses ossa/v0.4.1, checked as ossa/v0.4.7)" in upgrade[0]


def test_a_loose_form_and_the_v1_alias_get_a_hint_too():
    [loose] = [m for c, _, m in version_findings("ossa/v0.4") if c == "SCHEMA015"]
    assert loose == "`ossa/v0.4` names a minor line, not one version; it is checked with ossa/v0.4.7, the newest " \
                    "bundled patch of that line."
    [alias] = [m for c, _, m in version_findings("ossa/v1") if c == "SCHEMA015"]
    assert "checked with ossa/v0.2.2" in alias


def test_a_version_newer_than_everything_bundled_gets_a_warning_instead_of_an_apiversion_error():
    found = version_findings("ossa/v0.6.0")
    assert found == [("SCHEMA016", Severity.WARNING,
                      f"`ossa/v0.6.0` is newer than every OSSA version this ossa-lsp bundles; it is checked with the "
                      f"newest one, ossa/{REGISTRY.newest()}. A newer ossa-lsp may know ossa/v0.6.0.")]
    result = analyze(AGENT.format(api="ossa/v0.6.0"), "triage.ossa.yaml")
    assert result.documents[0].valid and result.documents[0].schema == f"ossa/{REGISTRY.newest()}"


def test_an_exact_version_gets_no_version_finding_but_the_upgrade_hint():
    assert [c for c, _, _ in version_findings("ossa/v0.4.7")] == ["SCHEMA014"]
    assert version_findings(f"ossa/{REGISTRY.newest()}") == []


# --- the real catalog against upstream's mapping -----------------------------------------------------

TAG_ERA_GUESSES = ("nearest-higher-in-minor", "nearest-lower-in-minor", "latest-in-minor")


def test_corpus_mapping_agrees_with_upstream_where_we_bundle_the_version(corpus_index):
    """For every corpus manifest, the rules pick the schema version upstream's own mapping picks. The corpus
    was built from tags, so it guessed a tag for patches without one (`ossa/v0.4.1` → v0.4.5); upstream's CLI
    loads its one current v0.4 schema (v0.4.7, supplement/) instead, and so do we."""
    bundled = set(REGISTRY.supported()) | {e.version for e in REGISTRY.catalog if e.kind_files}
    checked = relined = 0
    for e in corpus_index["entries"]:
        if e["origin"] != "upstream" or not e["schema_version"] or e["schema_version"] not in bundled:
            continue
        if e["schema_match"].startswith("override") or not isinstance(e["apiVersion"], str):
            continue
        choice = REGISTRY.choose(e["apiVersion"], e["kind"])
        assert choice is not None, e["file"]
        if e["schema_match"] in TAG_ERA_GUESSES and e["apiVersion"].startswith("ossa/v0.4"):
            newest_of_line = "v0.4.6" if e["kind"] == "Validator" else "v0.4.7"  # v0.4.7 ships no Validator file
            assert choice.entry.version == newest_of_line, (e["file"], e["apiVersion"])
            relined += 1
        else:
            assert choice.entry.version == e["schema_version"], (e["file"], e["apiVersion"])
        checked += 1
    assert checked > 200 and relined > 30
