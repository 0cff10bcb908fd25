"""Diagnostics as a user sees them in VS Code (push, UTF-16) and Neovim (pull, UTF-8)."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_doc, covered_text, diagnostics, encoding_of, is_pull, open_doc, until

VALID = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-triage
  description: Tri des tickets — réponse rapide 🎫
spec:
  role: Classify tickets.
  llm:
    provider: openai
    model: gpt-4o
"""


async def test_valid_manifest_has_no_diagnostics(client: LanguageClient):
    uri = open_doc(client, "valid.ossa.yaml", VALID)
    assert await diagnostics(client, uri) == []


async def test_errors_carry_code_source_link_and_exact_range_after_non_ascii_text(client: LanguageClient):
    text = VALID.replace("    provider: openai", "    provider: open-ai") \
        .replace("  description: Tri des tickets — réponse rapide 🎫", "  description: 🎫 Tri — réponse\n  vrsion: 1.0.0")
    text = text.replace("Classify tickets.", "Classez 🎫 les tickets.\n  constraints: {cost: {currency: usd}}")
    uri = open_doc(client, "errors.ossa.yaml", text)
    diags = await diagnostics(client, uri, lambda d: len(d) >= 3)
    by_code = {d.code: d for d in diags}
    enc = encoding_of(client)
    assert covered_text(text, by_code["SCHEMA004"].range, enc) == "open-ai"
    assert covered_text(text, by_code["SCHEMA001"].range, enc) == "vrsion"
    assert covered_text(text, by_code["SCHEMA005"].range, enc) == "usd"
    enum = by_code["SCHEMA004"]
    assert "did you mean `openai`" in enum.message.lower()
    assert enum.severity == types.DiagnosticSeverity.Error
    assert enum.source == "ossa-schema"
    assert enum.code_description is not None and enum.code_description.href.endswith("#schema004")


async def test_duplicate_key_links_the_first_occurrence(client: LanguageClient):
    text = VALID.replace("  name: support-triage\n", "  name: support-triage\n  name: again\n")
    uri = open_doc(client, "dup.ossa.yaml", text)
    [d] = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert d.code == "YAML002" and d.range.start.line == 4
    assert d.related_information and d.related_information[0].location.range.start.line == 3


async def test_syntax_error_is_placed_where_it_occurs(client: LanguageClient):
    text = VALID.replace("    model: gpt-4o", "    model: @gpt")
    uri = open_doc(client, "syntax.ossa.yaml", text)
    diags = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert [(d.code, d.range.start.line) for d in diags] == [("YAML001", 9)]


async def test_other_yaml_files_get_nothing(client: LanguageClient):
    uri = open_doc(client, "docker-compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [80]\n")
    if is_pull(client):
        assert await diagnostics(client, uri) == []
    else:
        await asyncio.sleep(0.3)
        assert list(client.diagnostics.get(uri, [])) == []


async def test_agent_yaml_without_ossa_suffix_is_recognised_by_content(client: LanguageClient):
    uri = open_doc(client, "agent.yaml", VALID.replace("provider: openai", "provider: nope"))
    diags = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert [d.code for d in diags] == ["SCHEMA004"]


async def test_json_manifest(client: LanguageClient):
    text = '{\n  "apiVersion": "ossa/v0.2.2",\n  "kind": "Agent",\n  "metadata": {"name": "j"},\n' \
           '  "spec": {"role": "r", "llm": {"provider": "openai", "model": "gpt-4o", "temperature": 9}}\n}\n'
    uri = open_doc(client, "agent.ossa.json", text, language="json")
    [d] = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert d.code == "SCHEMA006" and covered_text(text, d.range, encoding_of(client)) == "9"


async def test_multi_document_file_checks_each_document(client: LanguageClient):
    second = VALID.replace("support-triage", "second").replace("provider: openai", "provider: bogus")
    uri = open_doc(client, "multi.ossa.yaml", VALID + "---\n" + second)
    diags = await diagnostics(client, uri, lambda d: len(d) > 1)
    # each document on its own, and one info that upstream tooling reads one document per file
    assert [(d.code, d.range.start.line) for d in diags] == [("COMPAT001", 10), ("SCHEMA004", 19)]


async def test_older_version_gets_a_hint_pointing_to_the_newest(client: LanguageClient):
    uri = open_doc(client, "older.ossa.yaml", VALID)
    diags = await diagnostics(client, uri, lambda d: len(d) > 0, hints=True)
    [hint] = [d for d in diags if d.code == "SCHEMA014"]
    assert hint.severity == types.DiagnosticSeverity.Hint and hint.range.start == types.Position(0, 12)
    assert "migrate" in hint.message


async def test_unsupported_api_version_names_the_supported_ones(client: LanguageClient):
    uri = open_doc(client, "old.ossa.yaml", VALID.replace("ossa/v0.2.2", "ossa/v0.1.8"))  # older than any bundled
    [d] = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert d.code == "SCHEMA011" and "ossa/v0.2.2" in d.message
    assert d.range.start == types.Position(0, 12)


async def test_typing_through_broken_states_ends_in_the_right_state(client: LanguageClient):
    uri = open_doc(client, "typing.ossa.yaml", VALID)
    await diagnostics(client, uri)
    states = ["    provider: ", "    provider: a", "    provider: az", "    provider: azu", "    provider: [",
              "    provider: azur", "    provider: azure"]
    for version, line in enumerate(states, start=2):
        change_doc(client, uri, VALID.replace("    provider: openai", line), version)
    assert await diagnostics(client, uri, lambda d: len(d) == 0) == []
    change_doc(client, uri, VALID.replace("    provider: openai", "    provider: azuer"), 99)
    [d] = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert "did you mean `azure`" in d.message.lower()


async def test_edit_storm_ends_in_the_final_state(vscode: LanguageClient):
    uri = open_doc(vscode, "storm.ossa.yaml", VALID)
    await diagnostics(vscode, uri)
    for version in range(2, 500):
        change_doc(vscode, uri, VALID.replace("    provider: openai", f"    provider: gen{version}"), version)

    def final(d) -> bool:
        d = [x for x in d if x.severity != types.DiagnosticSeverity.Hint]
        return len(d) == 1 and "gen499" in d[0].message

    await until(lambda: final(vscode.diagnostics.get(uri, [])), timeout=15)
    await asyncio.sleep(0.3)  # nothing older may arrive after the final state
    assert final(vscode.diagnostics[uri])


async def test_close_clears_pushed_diagnostics(vscode: LanguageClient):
    uri = open_doc(vscode, "close.ossa.yaml", VALID.replace("provider: openai", "provider: x"))
    await diagnostics(vscode, uri, lambda d: len(d) == 1)
    vscode.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await until(lambda: list(vscode.diagnostics[uri]) == [])
