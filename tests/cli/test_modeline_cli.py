"""`ossa-lsp check` honours the per-file version pin (and `--schema` wins over it)."""

from __future__ import annotations

import json

BODY = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a\n  uuid: \"1234\"\nspec:\n  role: r\n"


def test_check_validates_with_the_pinned_version(cli, tmp_path):
    (tmp_path / "a.ossa.yaml").write_text("# ossa-lsp: version=0.4.7\n" + BODY)
    r = cli("check", "-f", "json", "a.ossa.yaml")
    report = json.loads(r.out)["files"][0]
    assert report["documents"][0]["schema"] == "ossa/v0.4.7"
    found = {f["code"] for f in report["findings"]}
    assert "SCHEMA019" in found and "SCHEMA001" not in found
    assert r.code == 0  # the conflict is a warning


def test_check_reports_an_ignored_pin_and_checks_as_api_version_says(cli, tmp_path):
    (tmp_path / "a.ossa.yaml").write_text("# ossa-lsp: version=0.0.1\n" + BODY)
    r = cli("check", "a.ossa.yaml")
    assert "a.ossa.yaml:1:21: warning SCHEMA018" in r.out and "SCHEMA001" in r.out and r.code == 1


def test_schema_option_wins_over_the_pin(cli, tmp_path):
    (tmp_path / "a.ossa.yaml").write_text("# ossa-lsp: version=0.4.7\n" + BODY)
    (tmp_path / "s.json").write_text(cli("schema", "show", "v0.2.2").out)
    r = cli("check", "--schema", "s.json", "a.ossa.yaml")
    assert "SCHEMA001" in r.out and "SCHEMA019" not in r.out
