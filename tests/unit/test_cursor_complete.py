"""Where the cursor is, and what completion offers there, from text alone: one row per editing situation.

Each row is a document with `‸` where the cursor is, the JSON path and role the cursor must resolve to
(core/text/cursor.py), and what completion (core/answers/complete.py) must and must not offer there.
The expected keys and values are read from the bundled schemas (`schemas/ossa-*.schema.json`): e.g.
v0.2.2 `spec.llm` requires `provider` and `model`, and its provider enum has no `mistral` (added in v0.3).
Positions are code points, as everywhere in the engine; the LSP layer converts to UTF-16/UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from ossa_lsp.core.answers.complete import Item, complete, context_at
from ossa_lsp.core.answers.hover import hover
from ossa_lsp.core.schema.registry import REGISTRY
from ossa_lsp.core.text.cursor import ITEM, KEY, VALUE
from ossa_lsp.core.text.source import parse
from ossa_lsp.core.text.spans import LineIndex, Pos

CURSOR = "‸"
NONE = "none"  # role: no cursor context at all (nothing may be offered)
SKIP = "skip"  # role: the cursor's answer is not what the row is about

V022 = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: triage\nspec:\n"
V036 = "apiVersion: ossa/v0.3.6\nkind: Agent\nmetadata:\n  name: triage\nspec:\n  role: Sort tickets.\n"
V045 = "apiVersion: ossa/v0.4.5\nkind: Agent\nmetadata:\n  name: triage\n"
V050 = "apiVersion: ossa/v0.5.0\nkind: Agent\nmetadata:\n  name: triage\n"
PROVIDERS_022 = ("openai", "anthropic", "google", "azure", "ollama", "custom")
TOOL_TYPES_022 = ("mcp", "kubernetes", "http", "grpc", "function", "custom")


@dataclass(frozen=True)
class Case:
    id: str
    text: str  # the document, with CURSOR where the cursor is
    role: str  # KEY, VALUE, ITEM, NONE or SKIP
    path: tuple[str | int, ...] = ()
    present: tuple[str, ...] = ()  # labels that must be offered
    absent: tuple[str, ...] = ()  # labels that must not be
    version: str = "v0.2.2"
    json: bool = False
    snippets: bool = True
    replaced: str | None = None  # the text every item overwrites
    inserts: dict[str, str] = field(default_factory=dict)  # label → exact insert text
    applied: dict[str, str] = field(default_factory=dict)  # label → the cursor's line once the item is accepted
    empty: bool = False  # nothing may be offered


CASES = [
    # --- typing a key -----------------------------------------------------------------------------
    Case("key-half-typed-at-end-of-file", V022 + "  role: Sort tickets.\n  ll" + CURSOR, KEY, ("spec",),
         present=("llm", "tools", "taxonomy", "autonomy"), absent=("role",), replaced="ll",
         inserts={"llm": "llm:\n    provider: ${1|openai,anthropic,google,azure,ollama,custom|}\n    model: $2"}),
    Case("key-half-typed-without-snippet-support", V022 + "  ll" + CURSOR + "\n", KEY, ("spec",),
         snippets=False, inserts={"llm": "llm: ", "tools": "tools: "}),
    Case("key-empty-line-siblings-above-and-below", V022 + "  role: x\n  " + CURSOR + "\n  tools: []\n", KEY,
         ("spec",), present=("llm", "autonomy", "constraints"), absent=("role", "tools")),
    Case("key-cursor-inside-a-word-replaces-all-of-it", V022 + "  llm:\n    provider: openai\n    tem" + CURSOR
         + "pr\n", KEY, ("spec", "llm"), present=("temperature", "model"), absent=("provider",), replaced="tempr"),
    Case("key-auto-closed-quote-is-replaced", V022 + '  llm:\n    model: x\n    "pro' + CURSOR + '"\n', KEY,
         ("spec", "llm"), present=("provider",), absent=("model",), replaced='"pro"'),
    Case("key-commented-out-key-is-not-a-sibling", V022 + "  # llm: later\n  " + CURSOR + "\n", KEY, ("spec",),
         present=("llm", "role")),
    Case("key-root-of-empty-document", CURSOR, KEY, (), present=("apiVersion", "kind", "metadata", "spec"),
         inserts={"kind": "kind: ${1|Agent|}", "metadata": "metadata:\n  name: $1"}),
    Case("key-root-after-header", "apiVersion: ossa/v0.2.2\nkind: Agent\n" + CURSOR, KEY, (),
         present=("metadata", "spec"), absent=("apiVersion", "kind")),
    Case("key-metadata-after-non-ascii-key", V022.replace("  name: triage\n", "  名前🎉: x\n  " + CURSOR + "\n"),
         KEY, ("metadata",), present=("name", "labels", "description")),
    # --- a value after `key: ` --------------------------------------------------------------------
    Case("value-enum", V022 + "  llm:\n    provider: " + CURSOR + "\n    model: gpt-4o\n", VALUE,
         ("spec", "llm", "provider"), present=PROVIDERS_022, absent=("mistral", "deepseek", "model")),
    Case("value-enum-half-typed-at-end-of-file", V022 + "  llm:\n    provider: an" + CURSOR, VALUE,
         ("spec", "llm", "provider"), replaced="an", applied={"anthropic": "    provider: anthropic"}),
    Case("value-cursor-inside-a-word-replaces-all-of-it", V022 + "  llm:\n    provider: op" + CURSOR + "enai\n",
         VALUE, ("spec", "llm", "provider"), replaced="openai", applied={"ollama": "    provider: ollama"}),
    Case("value-comment-after-it-is-kept", V022 + "  llm:\n    provider: op" + CURSOR + "enai  # who serves\n",
         VALUE, ("spec", "llm", "provider"), replaced="openai",
         applied={"anthropic": "    provider: anthropic  # who serves"}),
    Case("value-right-after-colon-gets-a-space", V022 + "  llm:\n    provider:" + CURSOR + "\n", VALUE,
         ("spec", "llm", "provider"), applied={"anthropic": "    provider: anthropic"}),
    Case("value-after-tab-separator", V022 + "  llm:\n    provider:\t" + CURSOR, VALUE, ("spec", "llm", "provider"),
         applied={"google": "    provider:\tgoogle"}),
    Case("value-double-quoted-stays-quoted", V022 + '  llm:\n    provider: "an' + CURSOR + '"\n', VALUE,
         ("spec", "llm", "provider"), replaced="an", applied={"anthropic": '    provider: "anthropic"'}),
    Case("value-single-quoted-unclosed", V022 + "  llm:\n    provider: 'goo" + CURSOR, VALUE,
         ("spec", "llm", "provider"), present=("google",), replaced="goo"),
    Case("value-boolean", V022 + "  autonomy:\n    approval_required: " + CURSOR + "\n", VALUE,
         ("spec", "autonomy", "approval_required"), present=("true", "false"), absent=("yes", "supervised")),
    Case("value-number-looking-example-of-a-string-is-quoted",
         V022 + "  constraints:\n    resources:\n      cpu: " + CURSOR + "\n", VALUE,
         ("spec", "constraints", "resources", "cpu"), present=("250m",), applied={"1": '      cpu: "1"'}),
    Case("value-api-version-lists-bundled-versions", "apiVersion: " + CURSOR + "\n", VALUE, ("apiVersion",),
         present=("ossa/v0.2.2", "ossa/v0.3.6", "ossa/v0.4.5", "ossa/v0.5.0")),
    Case("value-kind-v0.2.2-only-agent", "apiVersion: ossa/v0.2.2\nkind: " + CURSOR, VALUE, ("kind",),
         present=("Agent",), absent=("Task", "Workflow")),
    Case("value-kind-v0.4.5", "apiVersion: ossa/v0.4.5\nkind: " + CURSOR, VALUE, ("kind",), version="v0.4.5",
         present=("Agent", "Task", "Workflow")),
    Case("value-inside-block-scalar-offers-nothing", V022 + "  role: |\n    Sort tickets.\n    " + CURSOR + "\n",
         SKIP, empty=True),
    # --- list items -------------------------------------------------------------------------------
    Case("item-first-key-after-dash", V022 + "  tools:\n    - " + CURSOR + "\n", KEY, ("spec", "tools", 0),
         present=("type", "name", "endpoint", "auth"),
         inserts={"type": "type: ${1|mcp,kubernetes,http,grpc,function,custom|}"}),
    Case("item-new-dash-after-an-item-offers-all-its-keys",
         V022 + "  tools:\n    - type: http\n      name: a\n    - " + CURSOR + "\n", KEY, ("spec", "tools", 1),
         present=("type", "name", "endpoint")),
    Case("item-new-dash-in-unindented-sequence", V022 + "  tools:\n  - type: http\n  - " + CURSOR, KEY,
         ("spec", "tools", 1), present=("type", "name")),
    Case("item-second-key", V022 + "  tools:\n    - type: http\n      " + CURSOR + "\n", KEY, ("spec", "tools", 0),
         present=("name", "endpoint", "auth"), absent=("type",)),
    Case("item-type-value", V022 + "  tools:\n    - type: " + CURSOR, VALUE, ("spec", "tools", 0, "type"),
         present=TOOL_TYPES_022, absent=("a2a", "browser", "rest")),
    Case("item-at-dash-column-is-a-new-item", V022 + "  tools:\n    - type: http\n    " + CURSOR + "\n", ITEM,
         ("spec", "tools"), present=("- type: http", "- type: mcp"),
         applied={"- type: grpc": "    - type: grpc"}),
    Case("item-key-on-continuation-line-of-second-item",
         V022 + "  tools:\n    - type: http\n    - name: b\n      ty" + CURSOR + "\n", KEY, ("spec", "tools", 1),
         present=("type", "endpoint"), absent=("name",), replaced="ty"),
    Case("item-nested-mapping", V022 + "  tools:\n    - type: http\n      auth:\n        " + CURSOR + "\n", KEY,
         ("spec", "tools", 0, "auth"), present=("type", "credentials"), absent=("endpoint",)),
    Case("item-nested-enum", V022 + "  tools:\n    - type: http\n      auth:\n        type: " + CURSOR, VALUE,
         ("spec", "tools", 0, "auth", "type"), present=("bearer", "oauth2", "mtls", "apikey", "none"),
         absent=TOOL_TYPES_022),
    Case("item-in-list-of-enum-strings", V050 + "security:\n  network_access:\n    protocols:\n      - " + CURSOR,
         KEY, ("security", "network_access", "protocols", 0), version="v0.5.0",
         present=("https", "grpc", "ssh"), applied={"wss": "      - wss"}),
    Case("item-in-list-of-enum-strings-mid-word",
         V050 + "security:\n  network_access:\n    protocols:\n      - https\n      - ht" + CURSOR + "tp\n", KEY,
         ("security", "network_access", "protocols", 1), version="v0.5.0", present=("http",), replaced="http"),
    # --- flow style -------------------------------------------------------------------------------
    Case("flow-mapping-new-key", V022 + "  llm: {provider: openai, " + CURSOR + "}\n", KEY, ("spec", "llm"),
         present=("model", "temperature"), absent=("provider",), inserts={"model": "model: $1"}),
    Case("flow-mapping-value", V022 + "  llm: {provider: " + CURSOR + ", model: x}\n", VALUE,
         ("spec", "llm", "provider"), present=PROVIDERS_022),
    Case("flow-mapping-value-mid-word", V022 + "  llm: {provider: op" + CURSOR + "enai, model: x}\n", VALUE,
         ("spec", "llm", "provider"), replaced="openai",
         applied={"anthropic": "  llm: {provider: anthropic, model: x}"}),
    Case("flow-sequence-of-mappings", V022 + "  tools: [{type: http}, {type: " + CURSOR + "}]\n", VALUE,
         ("spec", "tools", 1, "type"), present=TOOL_TYPES_022),
    Case("flow-mapping-as-block-item", V022 + "  tools:\n    - {type: mcp, " + CURSOR + "}\n", KEY,
         ("spec", "tools", 0), present=("server", "name"), absent=("type",),
         inserts={"auth": "auth: {$1}", "capabilities": "capabilities: [$1]"}),
    Case("flow-url-and-quoted-punctuation-before-cursor",
         V022 + '  tools: [{type: http, endpoint: http://x.example/api, name: "a, b: {c}", ' + CURSOR + "}]\n",
         KEY, ("spec", "tools", 0), present=("auth", "server"), absent=("type", "endpoint", "name")),
    Case("flow-sequence-of-enum-strings", V050 + "security:\n  network_access:\n    protocols: [https, " + CURSOR
         + "]\n", VALUE, ("security", "network_access", "protocols", 1), version="v0.5.0", present=("http", "wss")),
    Case("flow-closed-before-cursor", V022 + "  llm: {provider: openai} " + CURSOR + "\n", NONE),
    # --- JSON -------------------------------------------------------------------------------------
    Case("json-after-opening-brace", "{" + CURSOR, KEY, (), json=True, present=("apiVersion", "kind", "spec"),
         inserts={"kind": '"kind": "${1|Agent|}"', "spec": '"spec": {$1}'}),
    Case("json-after-comma", '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "spec": {"role": "x", ' + CURSOR + "}}",
         KEY, ("spec",), json=True, present=("llm", "tools"), absent=("role",),
         inserts={"llm": '"llm": {$1}', "tools": '"tools": [$1]'}),
    Case("json-key-inside-string", '{"kind": "Agent", "spec": {"ll' + CURSOR + '"}}', KEY, ("spec",), json=True,
         present=("llm",), replaced='"ll"'),
    Case("json-value-inside-string", '{"kind": "Agent", "spec": {"llm": {"provider": "op' + CURSOR + '"}}}', VALUE,
         ("spec", "llm", "provider"), json=True, present=PROVIDERS_022, replaced='"op"',
         applied={"anthropic": '{"kind": "Agent", "spec": {"llm": {"provider": "anthropic"}}}'}),
    Case("json-value-without-quotes-yet", '{"spec": {"llm": {"provider": ' + CURSOR, VALUE,
         ("spec", "llm", "provider"), json=True, inserts={"openai": '"openai"'}),
    Case("json-trailing-comma-multiline",
         '{\n  "apiVersion": "ossa/v0.2.2",\n  "kind": "Agent",\n  "spec": {\n    "role": "x",\n    ' + CURSOR
         + "\n  }\n}\n", KEY, ("spec",), json=True, present=("llm",), absent=("role",)),
    Case("json-array-of-objects", '{"spec": {"tools": [{"type": "http"}, {' + CURSOR + "}]}}", KEY,
         ("spec", "tools", 1), json=True, present=("type", "endpoint")),
    Case("json-punctuation-and-escapes-inside-strings",
         '{"spec": {"role": "say \\"a: {b}, [c]\\"", ' + CURSOR, KEY, ("spec",), json=True, present=("llm",),
         absent=("role",)),
    Case("json-value-then-no-comma-offers-nothing", '{"spec": {"role": "x" ' + CURSOR, NONE, json=True),
    # --- several documents in one file ------------------------------------------------------------
    Case("multidoc-second-document-is-a-task",
         V036 + "---\napiVersion: ossa/v0.3.6\nkind: Task\nmetadata:\n  name: t\nspec:\n  " + CURSOR + "\n", KEY,
         ("spec",), version="v0.3.6", present=("execution", "input", "output"), absent=("role", "llm")),
    Case("multidoc-workflow-key-half-typed", V036 + "---\napiVersion: ossa/v0.3.6\nkind: Workflow\nspec:\n  st"
         + CURSOR, KEY, ("spec",), version="v0.3.6", present=("steps", "triggers"), absent=("execution", "role")),
    Case("multidoc-new-document-starts-empty", V036 + "---\n" + CURSOR, KEY, (), version="v0.3.6",
         present=("apiVersion", "kind", "metadata", "spec")),
    Case("multidoc-later-document-keys-are-not-siblings",
         "apiVersion: ossa/v0.3.6\nkind: Agent\n" + CURSOR + "\n---\napiVersion: ossa/v0.3.6\nkind: Task\n"
         "metadata:\n  name: t\n", KEY, (), version="v0.3.6", present=("metadata", "spec"),
         absent=("apiVersion", "kind")),
    Case("multidoc-marker-with-comment", V036 + "--- # the task\nkind: Task\nspec:\n  " + CURSOR, KEY, ("spec",),
         version="v0.3.6", present=("execution",), absent=("role",)),
    # --- non-ASCII text before the cursor ---------------------------------------------------------
    Case("non-ascii-cjk-and-emoji-on-earlier-lines-and-same-line",
         V022.replace("  name: triage\n", "  name: triage\n  description: 日本語のエージェント 🎉🎉\n")
         + '  llm: {model: "模型🎉", provider: an' + CURSOR + "}\n", VALUE, ("spec", "llm", "provider"),
         replaced="an", applied={"anthropic": '  llm: {model: "模型🎉", provider: anthropic}'}),
    Case("non-ascii-key-after-emoji-value", V022 + "  role: 説明🎉\n  ll" + CURSOR, KEY, ("spec",), present=("llm",),
         absent=("role",), replaced="ll"),
    Case("non-ascii-comment-after-value", V022 + "  llm:\n    provider: op" + CURSOR + "enai  # 🎉 供应商\n", VALUE,
         ("spec", "llm", "provider"), replaced="openai", applied={"google": "    provider: google  # 🎉 供应商"}),
    Case("non-ascii-json", '{"metadata": {"description": "日本語🎉"}, "spec": {"llm": {"provider": "an' + CURSOR
         + '"}}}', VALUE, ("spec", "llm", "provider"), json=True, replaced='"an"', present=("anthropic",)),
    # --- tabs, comments, broken indentation, broken YAML ------------------------------------------
    Case("tab-indentation-is-not-guessed", V022 + "  llm:\n\tprovider: " + CURSOR + "\n", NONE),
    Case("cursor-in-trailing-comment", V022 + "  llm:\n    provider: openai  # op" + CURSOR + "\n", NONE),
    Case("cursor-in-full-line-comment", V022 + "  # ll" + CURSOR + "\n", NONE),
    Case("misindented-key-between-levels", V022 + "  llm:\n    provider: openai\n   mo" + CURSOR + "\n", KEY,
         ("spec", "llm"), present=("model",)),
    Case("broken-flow-sequence-on-earlier-line", V022 + "  llm:\n    model: [gpt\n    provider: " + CURSOR + "\n",
         VALUE, ("spec", "llm", "provider"), present=("anthropic",)),
    Case("unterminated-quote-on-earlier-line", V022 + '  role: "unterminated\n  llm:\n    provider: ' + CURSOR,
         VALUE, ("spec", "llm", "provider"), present=("anthropic",)),
    # --- OSSA versions differ ---------------------------------------------------------------------
    Case("version-v0.2.2-top-level", V022.replace("spec:\n", CURSOR), KEY, (), present=("spec", "extensions"),
         absent=("runtime", "security", "protocols")),
    Case("version-v0.4.5-top-level", V045 + CURSOR, KEY, (), version="v0.4.5", present=("spec", "runtime"),
         absent=("security", "protocols")),
    Case("version-v0.5.0-top-level", V050 + CURSOR, KEY, (), version="v0.5.0",
         present=("spec", "security", "protocols", "runtime"), absent=("kind",)),
    Case("version-v0.5.0-spec-is-unchecked", V050 + "spec:\n  " + CURSOR, KEY, ("spec",), version="v0.5.0",
         empty=True),
    Case("version-v0.4.5-provider-enum", V045 + "spec:\n  llm:\n    provider: " + CURSOR, VALUE,
         ("spec", "llm", "provider"), version="v0.4.5", present=(*PROVIDERS_022, "mistral", "deepseek")),
    Case("version-v0.4.5-tool-types", V045 + "spec:\n  tools:\n    - type: " + CURSOR, VALUE,
         ("spec", "tools", 0, "type"), version="v0.4.5", present=("mcp", "a2a", "browser")),
]


def _at(marked: str) -> tuple[str, Pos]:
    assert marked.count(CURSOR) == 1
    offset = marked.index(CURSOR)
    text = marked.replace(CURSOR, "")
    return text, LineIndex(text).pos(offset)


def _complete(case: Case) -> tuple[str, Pos, list[Item]]:
    text, pos = _at(case.text)
    items = complete(text, pos, REGISTRY.get(case.version).schema, is_json=case.json, snippets=case.snippets,
                     versions=REGISTRY.supported())
    return text, pos, items


def _apply(text: str, item: Item) -> str:
    lines = LineIndex(text)
    return text[: lines.offset(item.replace.start)] + item.insert + text[lines.offset(item.replace.end) :]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cursor(case: Case) -> None:
    text, pos = _at(case.text)
    ctx = context_at(text, pos, case.json)
    if case.role == SKIP:
        return
    if case.role == NONE:
        assert ctx is None
        return
    assert ctx is not None
    assert (ctx.role, ctx.path) == (case.role, list(case.path))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_completion(case: Case) -> None:
    text, pos, items = _complete(case)
    by_label = {i.label: i for i in items}
    if case.role == NONE or case.empty:
        assert items == []
        return
    assert set(case.present) <= set(by_label), sorted(by_label)
    assert not set(case.absent) & set(by_label)
    lines = LineIndex(text)
    if case.replaced is not None:
        assert {lines.slice(i.replace) for i in items} == {case.replaced}
    for label, insert in case.inserts.items():
        assert by_label[label].insert == insert
    for label, line in case.applied.items():
        assert not by_label[label].snippet or "$" not in by_label[label].insert
        assert LineIndex(_apply(text, by_label[label])).line(pos.line) == line


def test_enough_cases() -> None:
    assert len(CASES) >= 40


def test_api_versions_newest_first() -> None:
    _, _, items = _complete(CASES[[c.id for c in CASES].index("value-api-version-lists-bundled-versions")])
    assert items[0].label == f"ossa/{REGISTRY.newest()}"


def test_quoted_json_items_filter_on_the_quoted_text() -> None:
    """Editors filter items against the replaced text up to the cursor (`"op`), so the filter text is quoted too."""
    for case_id, label, expected in (("json-value-inside-string", "openai", '"openai"'),
                                     ("json-key-inside-string", "llm", '"llm"')):
        _, _, items = _complete(CASES[[c.id for c in CASES].index(case_id)])
        assert next(i for i in items if i.label == label).filter_text == expected


# --- hover ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoverCase:
    id: str
    text: str
    span: str | None  # the exact text the hover is about; None: no hover
    must: tuple[str, ...] = ()
    version: str = "v0.2.2"
    json: bool = False


HOVERS = [
    HoverCase("enum-value-marks-current", V022 + "  llm:\n    provider: open" + CURSOR + "ai\n    model: x\n",
              "openai", ("**`openai`** ← current", "`anthropic`", "`spec.llm.provider`")),
    HoverCase("key-range", V022 + "  llm:\n    tempe" + CURSOR + "rature: 0.2\n", "temperature",
              ("**`temperature`**", "≥ 0", "≤ 2")),
    HoverCase("flow-value-after-emoji", V022 + '  llm: {model: "🎉模型", provider: anth' + CURSOR + "ropic}\n",
              "anthropic", ("**`anthropic`** ← current",)),
    HoverCase("list-item-key", V022 + "  tools:\n    - ty" + CURSOR + "pe: http\n", "type",
              ("`spec.tools[0].type`", "`mcp`")),
    HoverCase("json-value", '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "spec": {"llm": {"provider": "op'
              + CURSOR + 'enai"}}}', '"openai"', ("**`openai`** ← current",), json=True),
    HoverCase("unknown-key", V022 + "  nope" + CURSOR + ": 1\n", None),
    HoverCase("key-above-broken-line", V022 + "  llm:\n    provi" + CURSOR + "der: openai\n    model: [gpt\n",
              "provider", ("**`provider`**",)),
    HoverCase("second-document-task-key", V036 + "---\napiVersion: ossa/v0.3.6\nkind: Task\nspec:\n  exec"
              + CURSOR + "ution:\n    type: idempotent\n", "execution", ("**`execution`**",), version="v0.3.6"),
]


@pytest.mark.parametrize("case", HOVERS, ids=[c.id for c in HOVERS])
def test_hover(case: HoverCase) -> None:
    text, pos = _at(case.text)
    manifest = parse(text, "h.ossa.json" if case.json else "h.ossa.yaml")
    doc = next((d for d in manifest.documents if d.span.start <= pos <= d.span.end), None)
    found: Any = hover(text, pos, doc, REGISTRY.get(case.version).schema, is_json=case.json, version=case.version)
    if case.span is None:
        assert found is None
        return
    assert found is not None
    markdown, span = found
    assert LineIndex(text).slice(span) == case.span
    for part in case.must:
        assert part in markdown
