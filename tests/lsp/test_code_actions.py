"""Code actions through the real server: quick fixes per finding kind, fix-all via resolve, skeletons."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_doc, diagnostics, open_doc

BROKEN = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: Billing_Agent  # keep this comment
spec:
  role: Answers invoices.
  llm:
    provider: OpenAI
    model: gpt-4o
    temprature: 0.2
  constraints:
    cost:
      currency: usd
"""


async def actions(client: LanguageClient, uri: str, line: int, only: list[str] | None = None,
                  diags: list[types.Diagnostic] | None = None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line, 0), end=types.Position(line, 200)),
        context=types.CodeActionContext(diagnostics=diags or [], only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def apply(text: str, edit: types.WorkspaceEdit) -> str:
    [change] = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    result = text
    for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        assert isinstance(e, types.TextEdit)
        s = offsets[e.range.start.line] + e.range.start.character
        t = offsets[e.range.end.line] + e.range.end.character
        result = result[:s] + e.new_text + result[t:]
    return result


async def test_quick_fixes_for_each_kind_of_schema_finding(client: LanguageClient):
    uri = open_doc(client, "qf.ossa.yaml", BROKEN)
    diags = await diagnostics(client, uri, lambda d: len(d) >= 4)
    by_line = {d.range.start.line: d for d in diags}
    enum = await actions(client, uri, 7, ["quickfix"], [by_line[7]])
    assert enum[0].title == "Change `OpenAI` to `openai`" and enum[0].is_preferred
    assert enum[0].diagnostics and enum[0].diagnostics[0].code == "SCHEMA004"
    assert apply(BROKEN, enum[0].edit).splitlines()[7] == "    provider: openai"
    key = await actions(client, uri, 9, ["quickfix"])
    assert apply(BROKEN, key[0].edit).splitlines()[9] == "    temperature: 0.2"
    name = await actions(client, uri, 3, ["quickfix"])
    assert apply(BROKEN, name[0].edit).splitlines()[3] == "  name: billing-agent  # keep this comment"
    assert "review" in name[0].title  # renaming an agent changes its identity: not a safe fix


async def test_fix_all_applies_safe_fixes_only_via_resolve(client: LanguageClient):
    uri = open_doc(client, "fixall.ossa.yaml", BROKEN)
    await diagnostics(client, uri, lambda d: len(d) >= 4)
    [fix_all] = await actions(client, uri, 0, ["source.fixAll.ossa"])
    assert fix_all.edit is None  # computed lazily
    resolved = await client.code_action_resolve_async(fix_all)
    fixed = apply(BROKEN, resolved.edit)
    assert "provider: openai" in fixed and "currency: USD" in fixed
    assert "Billing_Agent" in fixed and "temprature" in fixed  # unsafe fixes are left for a person
    assert "# keep this comment" in fixed


async def test_resolving_a_stale_action_returns_no_edit(client: LanguageClient):
    uri = open_doc(client, "stale.ossa.yaml", BROKEN)
    await diagnostics(client, uri, lambda d: len(d) >= 4)
    [fix_all] = await actions(client, uri, 0, ["source.fixAll.ossa"])
    change_doc(client, uri, BROKEN.replace("usd", "eur"), 2)
    resolved = await client.code_action_resolve_async(fix_all)
    assert resolved.edit is None


async def test_skeleton_refactoring_inserts_observability(client: LanguageClient):
    uri = open_doc(client, "skel.ossa.yaml", BROKEN)
    refactors = await actions(client, uri, 0, ["refactor"])
    [obs] = [a for a in refactors if "observability" in a.title.lower()]
    resolved = await client.code_action_resolve_async(obs)
    fixed = apply(BROKEN, resolved.edit)
    assert "  observability:\n    tracing:\n      enabled: true" in fixed
    assert fixed.startswith(BROKEN.rstrip("\n"))
