"""The VS Code extension's settings are generated from the server's settings model and never drift:
the committed package.json must equal what `python -m ossa_lsp.output.settings_export` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossa_lsp.lsp.settings import Settings, parse_settings
from ossa_lsp.output import settings_export

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "vscode-extension" / "package.json"
FIX = f"python -m ossa_lsp.output.settings_export {PACKAGE_JSON.relative_to(PACKAGE_JSON.parents[1])}"


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads(PACKAGE_JSON.read_text("utf-8"))


def test_package_json_configuration_is_generated(package: dict):
    assert package["contributes"]["configuration"] == settings_export.configuration(), \
        f"vscode-extension/package.json is out of date: run `{FIX}`"


def test_package_json_is_exactly_what_the_generator_writes():
    text = PACKAGE_JSON.read_text("utf-8")
    assert settings_export.dumps(settings_export.render(json.loads(text))) == text, f"run `{FIX}`"


def test_every_server_setting_is_contributed_with_its_default():
    props = settings_export.properties()
    defaults = Settings().model_dump(mode="json", by_alias=True)
    for key, default in defaults.items():
        assert props[f"ossa.{key}"]["default"] == default, key


def test_contributed_defaults_are_valid_settings():
    props = settings_export.properties()
    raw = {key.removeprefix("ossa."): p["default"] for key, p in props.items()
           if not key.startswith(("ossa.server.", "ossa.trace."))}
    settings, problems = parse_settings(raw)
    assert problems == []
    assert settings == Settings()


def test_types_bounds_and_enums_come_from_the_model():
    props = settings_export.properties()
    assert props["ossa.debounceMs"]["type"] == "integer"
    assert (props["ossa.debounceMs"]["minimum"], props["ossa.debounceMs"]["maximum"]) == (0, 5000)
    assert props["ossa.logLevel"]["enum"] == ["error", "warning", "info", "debug"]
    assert props["ossa.profile"]["type"] == ["string", "null"]
    assert props["ossa.profile"]["enum"] == ["baseline", "enterprise", "strict", None]
    assert props["ossa.extraFiles"] == {**props["ossa.extraFiles"], "type": "array", "items": {"type": "string"}}
    assert props["ossa.schemas"]["additionalProperties"] == {"type": "string"}
    assert props["ossa.enable"]["description"] == Settings.model_fields["enable"].description


def test_extension_only_settings_are_added():
    props = settings_export.properties()
    assert props["ossa.server.python"]["type"] == "string"
    assert props["ossa.server.command"]["items"] == {"type": "string"}
    assert props["ossa.trace.server"]["enum"] == ["off", "messages", "verbose"]
    orders = [p["order"] for p in props.values()]
    assert orders == sorted(orders) == list(range(len(props)))


def test_check_mode_reports_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    stale = json.loads(PACKAGE_JSON.read_text("utf-8"))
    stale["contributes"]["configuration"]["properties"].pop("ossa.enable")
    target = tmp_path / "package.json"
    target.write_text(json.dumps(stale, indent=2) + "\n", "utf-8")
    assert settings_export.main(["--check", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert settings_export.main([str(target)]) == 0
    assert settings_export.main(["--check", str(target)]) == 0
    assert json.loads(target.read_text("utf-8")) == json.loads(PACKAGE_JSON.read_text("utf-8"))
