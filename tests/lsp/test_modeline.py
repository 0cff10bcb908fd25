"""The per-file version pin over LSP: which schema checks the open document, what completion offers,
and the findings for a conflicting or unknown pin — for both clients (push and pull)."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_doc, diagnostics, open_doc
from tests.lsp.test_completion_hover import complete

BODY = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: pinned\n  uuid: \"1234\"\nspec:\n  role: r\n"


def codes(items: list) -> set[str]:  # type: ignore[type-arg]
    return {str(d.code) for d in items}


@pytest.mark.asyncio
async def test_the_pin_selects_the_schema_and_a_conflict_is_reported(client: LanguageClient):
    uri = open_doc(client, "pin-a.ossa.yaml", BODY)
    plain = await diagnostics(client, uri, lambda d: "SCHEMA001" in codes(d))  # v0.2.2 has no metadata.uuid
    assert "SCHEMA019" not in codes(plain)
    change_doc(client, uri, "# ossa-lsp: version=0.4.7\n" + BODY, 2)
    pinned = await diagnostics(client, uri, lambda d: "SCHEMA019" in codes(d))
    assert "SCHEMA001" not in codes(pinned)
    conflict = next(d for d in pinned if d.code == "SCHEMA019")
    assert conflict.range.start.line == 1 and "ossa/v0.4.7" in conflict.message


@pytest.mark.asyncio
async def test_completion_offers_the_pinned_versions_keys(client: LanguageClient):
    text = "# yaml-language-server: $schema=https://ossa-lsp.dev/schemas/ossa-v0.4.7.schema.json\n" \
           "apiVersion: ossa/v0.4.7\nkind: Agent\nmetadata:\n  name: a\n  \nspec:\n  role: r\n"
    uri = open_doc(client, "pin-b.ossa.yaml", text)
    labels = {i.label for i in await complete(client, uri, 5, 2)}
    assert {"namespace", "uuid"} <= labels  # v0.4.7's metadata keys
    old = text.replace("ossa-v0.4.7", "ossa-v0.2.2").replace("ossa/v0.4.7", "ossa/v0.2.2")
    uri2 = open_doc(client, "pin-c.ossa.yaml", old)
    labels2 = {i.label for i in await complete(client, uri2, 5, 2)}
    assert "uuid" not in labels2 and "description" in labels2


@pytest.mark.asyncio
async def test_an_unknown_pin_is_ignored_with_a_warning(client: LanguageClient):
    uri = open_doc(client, "pin-d.ossa.yaml", "# yaml-language-server: $schema=https://example.com/x.json\n" + BODY)
    found = await diagnostics(client, uri, lambda d: "SCHEMA018" in codes(d))
    ignored = next(d for d in found if d.code == "SCHEMA018")
    assert ignored.range.start.line == 0 and "SCHEMA001" in codes(found)  # checked as apiVersion says


@pytest.mark.asyncio
async def test_hover_on_api_version_names_the_pinned_schema(client: LanguageClient):
    from tests.lsp.test_completion_hover import hover

    uri = open_doc(client, "pin-e.ossa.yaml", "# ossa-lsp: version=0.4.7\n" + BODY)
    text = await hover(client, uri, 1, 2)
    assert "OSSA v0.4.7" in text and "version pin" in text
