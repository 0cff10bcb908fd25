"""Completion and hover through the real server, including half-typed and broken text."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_doc

BASE = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: triage
spec:
  role: Classify tickets.
  llm:
    provider: openai
    model: gpt-4o
    temperature: 0.2
  tools:
    - type: http
      name: tickets
"""


async def complete(client: LanguageClient, uri: str, line: int, character: int) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character)))
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character)))
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_provider_values_after_colon(client: LanguageClient):
    uri = open_doc(client, "c1.ossa.yaml", BASE.replace("provider: openai", "provider: "))
    items = await complete(client, uri, 7, 14)
    assert [i.label for i in items] == ["openai", "anthropic", "google", "azure", "ollama", "custom"]
    assert all(i.documentation for i in items)


async def test_new_key_under_spec_offers_missing_keys_with_snippets(client: LanguageClient):
    text = BASE.replace("  role: Classify tickets.\n", "  role: Classify tickets.\n  \n")
    uri = open_doc(client, "c2.ossa.yaml", text)
    items = {i.label: i for i in await complete(client, uri, 6, 2)}
    assert {"taxonomy", "autonomy", "constraints", "observability"} <= set(items)
    assert "role" not in items and "llm" not in items and "tools" not in items
    taxonomy = items["taxonomy"]
    assert taxonomy.text_edit is not None and "domain:" in taxonomy.text_edit.new_text
    assert taxonomy.insert_text_format == types.InsertTextFormat.Snippet
    assert taxonomy.detail and "object" in taxonomy.detail


async def test_partial_key_is_completed_and_replaced(client: LanguageClient):
    text = BASE.replace("    temperature: 0.2\n", "    tem\n")
    uri = open_doc(client, "c3.ossa.yaml", text)
    items = {i.label: i for i in await complete(client, uri, 9, 7)}
    assert "temperature" in items and "provider" not in items
    edit = items["temperature"].text_edit
    assert isinstance(edit, types.TextEdit)
    assert (edit.range.start.character, edit.range.end.character) == (4, 7)


async def test_keys_inside_a_list_item(client: LanguageClient):
    text = BASE + "      \n"
    uri = open_doc(client, "c4.ossa.yaml", text)
    labels = {i.label for i in await complete(client, uri, 13, 6)}
    assert {"endpoint", "auth", "capabilities"} <= labels
    assert "type" not in labels and "name" not in labels


async def test_new_list_item_offers_typed_items(client: LanguageClient):
    text = BASE + "    \n"
    uri = open_doc(client, "c5.ossa.yaml", text)
    labels = [i.label for i in await complete(client, uri, 13, 4)]
    assert "- type: http" in labels and "- type: mcp" in labels


async def test_completion_in_a_broken_document(client: LanguageClient):
    text = BASE.replace("    model: gpt-4o\n", "    model: [gpt\n    provider: \n")
    uri = open_doc(client, "c6.ossa.yaml", text)
    items = await complete(client, uri, 9, 14)
    assert "anthropic" in [i.label for i in items]


async def test_json_key_and_value_completion(client: LanguageClient):
    text = '{\n  "apiVersion": "ossa/v0.2.2",\n  "kind": "Agent",\n  "spec": {"llm": {"provider": "", "m"}}\n}\n'
    uri = open_doc(client, "c7.ossa.json", text, language="json")
    values = [i.label for i in await complete(client, uri, 3, 32)]
    assert "openai" in values
    keys = {i.label: i for i in await complete(client, uri, 3, 37)}
    assert "model" in keys and "provider" not in keys
    assert keys["model"].text_edit.new_text.startswith('"model": ')


async def test_api_version_and_kind_values(client: LanguageClient):
    uri = open_doc(client, "c8.ossa.yaml", "apiVersion: \nkind: \n")
    assert "ossa/v0.2.2" in [i.label for i in await complete(client, uri, 0, 12)]
    assert "Agent" in [i.label for i in await complete(client, uri, 1, 6)]


async def test_hover_shows_type_range_and_docs(client: LanguageClient):
    uri = open_doc(client, "h1.ossa.yaml", BASE)
    text = await hover(client, uri, 9, 6)
    assert "`temperature`" in text and "number" in text
    assert "≥ 0" in text and "≤ 2" in text
    assert "Reference" in text


async def test_hover_on_enum_value_marks_the_current_one(client: LanguageClient):
    uri = open_doc(client, "h2.ossa.yaml", BASE)
    text = await hover(client, uri, 7, 16)
    assert "**`openai`** ← current" in text and "`anthropic`" in text


async def test_hover_on_api_version_names_the_schema(client: LanguageClient):
    uri = open_doc(client, "h3.ossa.yaml", BASE)
    text = await hover(client, uri, 0, 3)
    assert "OSSA v0.2.2" in text


async def test_hover_while_broken(client: LanguageClient):
    text = BASE.replace("    model: gpt-4o\n", "    model: [gpt\n")
    uri = open_doc(client, "h4.ossa.yaml", text)
    assert "provider" in await hover(client, uri, 7, 6)


async def test_each_yaml_document_completes_from_its_own_version(client: LanguageClient):
    second = "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: worker\n"
    text = BASE + "\n---\n" + second + "\n"
    uri = open_doc(client, "c-multi.ossa.yaml", text)
    last = text.count("\n")  # the empty line at the end of the v0.4.7 document
    top_second = {i.label for i in await complete(client, uri, last, 0)}
    assert {"governance", "security"} <= top_second
    first_text = BASE.replace("kind: Agent\n", "kind: Agent\n\n", 1) + "\n---\n" + second
    uri = open_doc(client, "c-multi2.ossa.yaml", first_text)
    top_first = {i.label for i in await complete(client, uri, 2, 0)}
    assert "extensions" in top_first and "governance" not in top_first
