"""Version selection rules (core/schema/versions.py) on a catalog shaped like the released OSSA versions."""

from __future__ import annotations

import pytest

from ossa_lsp.core.schema.registry import VersionEntry
from ossa_lsp.core.schema.versions import choose


def entry(version: str, accepts: str = r"(?!)", kinds: tuple[str, ...] = ("Agent",), file: str | None = "main",
          kind_files: dict[str, str] | None = None) -> VersionEntry:
    return VersionEntry(version=version, file=None if file is None else f"{version}.json", kinds=kinds,
                        accepts=accepts, kind_files=kind_files or {})


CATALOG = [
    entry("v0.2.2", r"^ossa/v(0\.2\.2|1)(\.[0-9]+)?(-[a-zA-Z0-9]+)?$"),
    entry("v0.2.3"), entry("v0.2.4"), entry("v0.2.6"), entry("v0.2.8"), entry("v0.2.9"),
    entry("v0.3.0"), entry("v0.3.2"), entry("v0.3.6"), entry("v0.3"),
    entry("v0.4.5"), entry("v0.4.6", kind_files={"Skill": "v0.4.6-skill.json"}), entry("v0.5.0"),
    entry("v1", file=None, kinds=("Skill", "MCPServer"), kind_files={"Skill": "v1-skill.json", "MCPServer": "v1-mcp.json"}),
]


@pytest.mark.parametrize(
    ("api", "kind", "version", "rule"),
    [
        ("ossa/v0.3.6", "Agent", "v0.3.6", "exact"),
        ("ossa/v0.3", "Agent", "v0.3", "exact"),
        ("ossa/v0.3.x", "Agent", "v0.3", "minor-level schema"),
        ("ossa/v0.4", "Agent", "v0.4.6", "newest of the minor line"),
        ("ossa/v0.4.1", "Agent", "v0.4.5", "nearest higher patch"),
        ("ossa/v0.4.7", "Agent", "v0.4.6", "nearest lower patch"),
        ("ossa/v0.2.7", "Agent", "v0.2.6", "nearest lower patch"),
        ("ossa/v0.3.2-alpha.1", "Agent", "v0.3.2", "prerelease"),
        ("ossa/v1", "Agent", "v0.2.2", "accepted by the schema's own apiVersion pattern"),
        ("ossa/v1", "Skill", "v1", "exact"),
        ("ossa/v1.0", "Skill", "v1", "kind"),
        ("ossa/v0.4.6", "Skill", "v0.4.6", "exact"),
    ],
)
def test_selection_rules(api, kind, version, rule):
    choice = choose(CATALOG, api, kind)
    assert choice is not None
    assert (choice.entry.version, choice.rule) == (version, rule)


def test_kind_files_are_used_for_their_kind():
    choice = choose(CATALOG, "ossa/v0.4.6", "Skill")
    assert choice is not None and choice.file == "v0.4.6-skill.json"
    assert choose(CATALOG, "ossa/v1", "MCPServer").file == "v1-mcp.json"  # type: ignore[union-attr]


def test_pinned_default_wins_for_loose_forms_only():
    assert choose(CATALOG, "ossa/v0.3", "Agent", default="v0.3.2").entry.version == "v0.3.2"  # type: ignore[union-attr]
    assert choose(CATALOG, "ossa/v0.3.6", "Agent", default="v0.3.2").entry.version == "v0.3.6"  # type: ignore[union-attr]


@pytest.mark.parametrize("api", ["ossa/v9.9.9", "ossa/vnext", "ossa/v0.9", "apps/v1"])
def test_unknown_versions_select_nothing(api):
    assert choose(CATALOG, api, "Agent") is None


def test_corpus_mapping_agrees_with_upstream_where_we_bundle_the_version(corpus_index):
    """For every corpus manifest, the rules pick the schema version upstream's own mapping picks."""
    from ossa_lsp.core.schema.registry import REGISTRY

    bundled = set(REGISTRY.supported()) | {e.version for e in REGISTRY.catalog if e.kind_files}
    checked = 0
    for e in corpus_index["entries"]:
        if e["origin"] != "upstream" or not e["schema_version"] or e["schema_version"] not in bundled:
            continue
        if e["schema_match"].startswith("override") or not isinstance(e["apiVersion"], str):
            continue
        choice = REGISTRY.choose(e["apiVersion"], e["kind"])
        assert choice is not None and choice.entry.version == e["schema_version"], (e["file"], e["apiVersion"])
        checked += 1
    assert checked > 0
