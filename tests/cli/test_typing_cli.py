"""`check` shows what the editor shows while a key is half typed: the earlier findings, and the syntax error
on the line being typed."""

from __future__ import annotations

from tests.lsp.test_typing import KEY, TEXT


def where(text: str, part: str) -> str:
    """line:column (1-based, as `check` prints them) of the first `part` in `text`."""
    before = text[: text.index(part)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def test_check_keeps_findings_around_a_half_typed_key(cli, tmp_path):
    text = TEXT.replace("  llm:\n", "  descr\n  llm:\n", 1)
    (tmp_path / "agent.ossa.yaml").write_text(text, "utf-8")
    r = cli("check", "agent.ossa.yaml")
    lines = r.out.splitlines()
    assert r.code == 1
    assert any(line.startswith("agent.ossa.yaml:7:3: error YAML001 `descr` has no ':' after it") for line in lines), \
        r.out
    for part, code in (("Support_Agent", "SCHEMA005"), ("opnai", "SCHEMA004"), ('"0.3"', "SCHEMA003"),
                       (KEY, "SEC001")):
        at = where(text, part)
        assert any(line.startswith(f"agent.ossa.yaml:{at}: error {code}") for line in lines), (code, r.out)


def test_check_names_a_json_trailing_comma_and_checks_the_rest(cli, tmp_path):
    text = '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "Bad_Name",},\n' \
           ' "spec": {"role": "r", "llm": {"provider": "opnai", "model": "gpt-4o"}}}\n'
    (tmp_path / "agent.ossa.json").write_text(text, "utf-8")
    r = cli("check", "agent.ossa.json")
    at = where(text, ",}")
    assert f"agent.ossa.json:{at}: error YAML001 Trailing comma after the last item; remove it" in r.out, r.out
    assert "error SCHEMA005" in r.out and "error SCHEMA004" in r.out  # what comes after the comma is checked
