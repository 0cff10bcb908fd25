"""The server on hostile documents: a document whose long line once took minutes to analyse (super-linear
secret patterns) does not hold up answers about another document, and what the server says about user
values (diagnostics, messages) masks secrets and shows control characters."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import diagnostics, open_doc, until
from tests.lsp.test_completion_hover import BASE, hover

KEY = "sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"


async def test_hover_in_one_document_is_answered_while_another_with_a_huge_line_is_analysed(vscode: LanguageClient):
    # ~1.8 MB in one value: JWT-shaped runs, quadratic for the old secret pattern (hours), linear now.
    heavy = BASE + '  description: "' + "eyJ-" * 450_000 + '"\n'
    heavy_uri = open_doc(vscode, "heavy.ossa.yaml", heavy)
    light_uri = open_doc(vscode, "light.ossa.yaml", BASE)
    assert "temperature" in await hover(vscode, light_uri, 9, 6)
    # Answered before the heavy document's analysis (seconds, in a worker thread) published anything.
    assert heavy_uri not in vscode.diagnostics
    await until(lambda: heavy_uri in vscode.diagnostics, timeout=120)


async def test_diagnostics_mask_a_pasted_key_and_show_control_characters(client: LanguageClient):
    text = BASE.replace("provider: openai", f'provider: "{KEY}"').replace("name: triage", 'name: "a\\n::error::b\\x1b"')
    uri = open_doc(client, "secret.ossa.yaml", text)
    found = await diagnostics(client, uri, lambda d: len(d) >= 2)
    messages = " ".join(d.message for d in found)
    assert "sk-p…(44 chars)" in messages and KEY[8:] not in messages
    assert "a\\n::error::b\\x1b" in messages and "\x1b" not in messages and "\n" not in messages


async def test_messages_shown_to_the_user_are_one_escaped_line(client: LanguageClient):
    client.set_configuration({"schemas": {"**/*.yaml": "no\n::error::such\x1b[2J.json"}}, section="ossa")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await diagnostics(client, open_doc(client, "schema.ossa.yaml", BASE))  # analysed: the schema is looked up

    def shown() -> list[str]:  # window/showMessage and window/logMessage alike
        return [m.message for m in [*client.messages, *client.log_messages] if "ossa.schemas" in m.message]

    await until(lambda: bool(shown()))
    shown = shown()
    assert all("\n" not in m and "\x1b" not in m for m in shown)
    assert any("no\\n::error::such\\x1b[2J.json" in m for m in shown)
