"""The per-file version pin (core/schema/modeline.py) and what `analyze` does with it."""

from __future__ import annotations

import json

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.schema.modeline import MODELINE_LINES, find
from ossa_lsp.core.schema.registry import REGISTRY

BODY = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a\n  bogusKey: 1\nspec:\n  role: r\n"


def codes(text: str, path: str = "/tmp/a.ossa.yaml") -> list[str]:
    return [f.code for f in analyze(text, path).findings]


@pytest.mark.parametrize("written", ["0.4.7", "v0.4.7", "ossa/v0.4.7"])
def test_our_modeline_pins_a_bundled_version(written):
    pin = find(f"# ossa-lsp: version={written}\n" + BODY, "/tmp/a.yaml", REGISTRY)
    assert pin is not None and pin.version == "v0.4.7" and pin.problem is None
    assert (pin.span.start.line, pin.span.start.character) == (0, len("# ossa-lsp: version="))


def test_the_pin_decides_which_schema_validates():
    assert "SCHEMA001" in codes(BODY)  # v0.2.2 does not know metadata.bogusKey
    pinned = analyze("# ossa-lsp: version=0.4.7\n" + BODY, "/tmp/a.ossa.yaml")
    assert pinned.documents[0].schema == "ossa/v0.4.7"
    assert "SCHEMA001" not in [f.code for f in pinned.findings]


def test_a_conflict_with_api_version_is_one_clear_warning_on_api_version():
    found = analyze("# ossa-lsp: version=0.4.7\n" + BODY, "/tmp/a.ossa.yaml").findings
    conflict = [f for f in found if f.code == "SCHEMA019"]
    assert len(conflict) == 1 and conflict[0].pointer == "/apiVersion" and conflict[0].span.start.line == 1
    assert "ossa/v0.2.2" in conflict[0].message and "ossa/v0.4.7" in conflict[0].message
    assert not [f for f in found if f.pointer == "/apiVersion" and f.code not in ("SCHEMA019", "SCHEMA014")]


def test_a_pin_that_agrees_with_api_version_adds_nothing():
    assert codes("# ossa-lsp: version=0.2.2\n" + BODY) == codes(BODY)


def test_an_unknown_version_is_ignored_with_a_warning_on_the_pin():
    found = analyze("# ossa-lsp: version=9.9.9\n" + BODY, "/tmp/a.ossa.yaml").findings
    ignored = [f for f in found if f.code == "SCHEMA018"]
    assert len(ignored) == 1 and ignored[0].span.start.line == 0 and "supported" in ignored[0].message
    assert "SCHEMA001" in [f.code for f in found]  # checked as apiVersion says


def test_only_the_first_lines_count_and_only_whole_comment_lines():
    late = "\n" * MODELINE_LINES + "# ossa-lsp: version=0.4.7\n" + BODY
    assert find(late, "/tmp/a.yaml", REGISTRY) is None
    inline = "name: x  # ossa-lsp: version=0.4.7\n"
    assert find(inline, "/tmp/a.yaml", REGISTRY) is None
    assert find('{"a": 1}', "/tmp/a.json", REGISTRY) is None


@pytest.mark.parametrize("ref", [
    "https://ossa-lsp.dev/schemas/ossa-v0.4.7.schema.json",
    "https://json.schemastore.org/ossa-v0.4.7.schema.json",
    "https://openstandardagents.org/schemas/v0.4.7/agent.schema.json",
])
def test_yaml_language_server_modeline_naming_our_schema(ref):
    pin = find(f"# yaml-language-server: $schema={ref}\n" + BODY, "/tmp/a.yaml", REGISTRY)
    assert pin is not None and pin.version == "v0.4.7", ref


def test_yaml_language_server_modeline_naming_a_kind_file():
    pin = find("# yaml-language-server: $schema=https://x.example/ossa-v0.4.6-skill.schema.json\n", "/tmp/a.yaml",
               REGISTRY)
    assert pin is not None and (pin.version, pin.file) == ("v0.4.6", "ossa-v0.4.6-skill.schema.json")


def test_a_file_written_by_schema_show_is_recognised_by_its_id(tmp_path):
    from ossa_lsp.core.schema.bundle import bundle_file

    (tmp_path / "schemas").mkdir()
    shown = tmp_path / "schemas" / "agent.json"
    shown.write_text(json.dumps(bundle_file(REGISTRY.directory / "ossa-v0.4.7.schema.json", REGISTRY.directory)))
    manifest = tmp_path / "a.ossa.yaml"
    text = "# yaml-language-server: $schema=schemas/agent.json\n" + BODY
    assert find(text, str(manifest), REGISTRY).version == "v0.4.7"
    assert "SCHEMA001" not in codes(text, str(manifest))


def test_foreign_schemas_are_ignored_never_fetched(tmp_path):
    text = "# yaml-language-server: $schema=https://example.com/kubernetes.json\n" + BODY
    found = analyze(text, str(tmp_path / "a.yaml")).findings
    assert [f.code for f in found if f.code == "SCHEMA018"] == ["SCHEMA018"]
    other = tmp_path / "other.json"
    other.write_text('{"$id": "https://example.com/other.json"}')
    assert find("# yaml-language-server: $schema=other.json\n", str(tmp_path / "a.yaml"), REGISTRY).version is None


def test_a_fifo_named_as_schema_is_not_read(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.json")
    pin = find("# yaml-language-server: $schema=pipe.json\n", str(tmp_path / "a.yaml"), REGISTRY)
    assert pin is not None and pin.version is None and pin.problem


def test_our_modeline_wins_over_yaml_language_server():
    text = "# yaml-language-server: $schema=https://ossa-lsp.dev/schemas/ossa-v0.3.6.schema.json\n" \
           "# ossa-lsp: version=0.4.7\n" + BODY
    assert find(text, "/tmp/a.yaml", REGISTRY).version == "v0.4.7"


def test_the_pin_is_not_a_suppression_comment():
    assert "SUP003" not in codes("# ossa-lsp: version=0.2.2\n" + BODY)


def test_an_explicit_schema_wins_over_the_pin():
    schema = REGISTRY.get("v0.2.2")
    found = analyze("# ossa-lsp: version=0.4.7\n" + BODY, "/tmp/a.yaml", schema=schema).findings
    assert "SCHEMA001" in [f.code for f in found] and "SCHEMA019" not in [f.code for f in found]
