"""Hover answers: markdown for the key or value under the cursor, from the schema.

Type, allowed values (the current one marked), default, range, pattern in words, an example and a
link to the reference docs — what people need without leaving the editor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ossa_lsp.core.constants import DOCS_BASE, MAP, SEQ
from ossa_lsp.core.schema.navigate import SchemaNav, facts, kind_in_text
from ossa_lsp.core.schema.registry import REGISTRY, CompiledSchema
from ossa_lsp.core.schema.validate import dotted
from ossa_lsp.core.scrub import mask_secrets
from ossa_lsp.core.text.cursor import KEY, VALUE, cursor_context
from ossa_lsp.core.text.source import Document, Node
from ossa_lsp.core.text.spans import LineIndex, Pos, Span
from ossa_lsp.core.words import plural

if TYPE_CHECKING:
    from ossa_lsp.core.analyze import Analysis

_TYPE = {"string": "text", "integer": "integer", "number": "number", "boolean": "boolean", "object": "mapping",
         "array": "list", "null": "null"}


@dataclass
class HoverTarget:
    path: list[str | int]
    span: Span
    on_key: bool
    value: Any = None
    has_value: bool = False


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def reference_url(version: str | None, path: list[str | int]) -> str:
    anchor = ".".join(str(p) for p in path if not isinstance(p, int)).lower().replace(".", "-")
    page = f"reference/{version}.md" if version else "reference/README.md"
    return f"{DOCS_BASE}/{page}#{anchor}" if anchor else f"{DOCS_BASE}/{page}"


def describe(nav: SchemaNav, schemas: list[dict[str, Any]], name: str, current: Any = None, has_current: bool = False,
             path: list[str | int] | None = None, version: str | None = None) -> str:
    f = facts(nav, schemas)
    types = " | ".join(_TYPE.get(t, t) for t in f.types) or "any"
    head = f"**`{name}`** · {types}"
    if path:
        head += f" · `{dotted(path)}`"
    parts = [head]
    if f.deprecated:
        parts.append(f"⚠️ **Deprecated**: {f.deprecated}")
    body = f.markdown or f.description or f.title
    if body:
        parts.append(body)
    facts_lines: list[str] = []
    if f.enum:
        shown = []
        for v in f.enum:
            text = _fmt(v)
            mark = f"**`{text}`** ← current" if has_current and v == current else f"`{text}`"
            doc = f.enum_docs.get(text)
            shown.append(f"- {mark}" + (f" — {doc}" if doc else ""))
        facts_lines.append("Allowed values:\n" + "\n".join(shown))
    rng = []
    if f.minimum is not None:
        rng.append(f"≥ {_fmt(f.minimum)}")
    if f.maximum is not None:
        rng.append(f"≤ {_fmt(f.maximum)}")
    if rng:
        facts_lines.append("Range: " + " and ".join(rng))
    if f.min_length is not None or f.max_length is not None:
        lo = f.min_length or 0
        facts_lines.append(f"Length: {lo}–{plural(f.max_length, 'character')}" if f.max_length is not None else
                           f"Length: at least {plural(lo, 'character')}")
    if f.pattern_words:
        facts_lines.append(f"Form: {f.pattern_words}")
    if f.format:
        facts_lines.append(f"Format: {f.format}")
    if f.has_default:
        facts_lines.append(f"Default: `{_fmt(f.default)}`")
    if f.examples and not f.enum:
        facts_lines.append("Example: " + ", ".join(f"`{_fmt(e)}`" for e in f.examples[:3]))
    if facts_lines:
        parts.append("\n\n".join(facts_lines))
    if path is not None:
        parts.append(f"[Reference]({reference_url(version, path)})")
    return "\n\n".join(parts)


def target_at(doc: Document, pos: Pos) -> HoverTarget | None:
    """The key or scalar value under `pos` in a parsed document, with its path."""
    node = doc.root
    path: list[str | int] = []
    while node is not None:
        node = node.deref()
        if node.kind == MAP:
            nxt: Node | None = None
            for key, value in node.items:
                if key.span.contains(pos):
                    kt = key.deref()
                    return HoverTarget([*path, str(kt.value)], key.span, True)
                if value.span.contains(pos) and value.span.start != value.span.end:
                    path.append(str(key.deref().value))
                    nxt = value
                    break
            node = nxt
        elif node.kind == SEQ:
            nxt = None
            for i, item in enumerate(node.items):
                if item.span.contains(pos):
                    path.append(i)
                    nxt = item
                    break
            node = nxt
        else:
            return HoverTarget(path, node.span, False, node.value, True)
    return None


class AnswerCache:
    """Hover markdown by (schema, kind, path, value, ...): the same key is hovered again and again while
    a document is edited, and building the markdown is most of a hover's cost. Owned by whoever answers
    hovers (the language server keeps one for its lifetime); bounded."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: dict[tuple[Any, ...], tuple[CompiledSchema, str | None]] = {}

    def answer(self, schema: CompiledSchema, kind: str | None, target: HoverTarget, version: str | None,
               schema_label: str | None) -> str | None:
        value = target.value if isinstance(target.value, (str, int, float, bool, type(None))) else repr(target.value)
        key = (id(schema), kind, tuple(target.path), target.has_value, type(value), value, version, schema_label)
        hit = self._items.get(key)
        if hit is not None and hit[0] is schema:  # the entry keeps its schema alive, so the id is still its own
            return hit[1]
        text_md = _answer(schema.nav(kind), target, version, schema_label)
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[key] = (schema, text_md)
        return text_md


def hover(text: str, pos: Pos, doc: Document | None, schema: CompiledSchema | None, *, is_json: bool = False,
          version: str | None = None, schema_label: str | None = None,
          cache: AnswerCache | None = None) -> tuple[str, Span] | None:
    if schema is None:
        return None
    target = target_at(doc, pos) if doc is not None else None
    if target is None:  # broken text: fall back to the key on this line
        ctx = cursor_context(LineIndex(text), pos, is_json)
        line = LineIndex(text).line(pos.line)
        if ctx is None or ctx.role not in (KEY, VALUE):
            return None
        if ctx.role == KEY:
            word_end = pos.character
            while word_end < len(line) and (line[word_end].isalnum() or line[word_end] in "_-"):
                word_end += 1
            word = line[ctx.replace.start.character:word_end].strip("\"'")
            if not word:
                return None
            target = HoverTarget([*ctx.path, word], Span(ctx.replace.start, Pos(pos.line, word_end)), True)
        else:
            target = HoverTarget(ctx.path, ctx.replace, False)
    kind = doc.kind if doc is not None and doc.kind else kind_in_text(text, LineIndex(text).offset(pos), is_json)
    text_md = cache.answer(schema, kind, target, version, schema_label) if cache is not None else \
        _answer(schema.nav(kind), target, version, schema_label)
    return (text_md, target.span) if text_md is not None else None


def hover_in(analysis: Analysis, fallback: CompiledSchema, text: str, pos: Pos, *, is_json: bool = False,
             default_version: str | None = None, cache: AnswerCache | None = None) -> tuple[str, Span] | None:
    """The hover at `pos` in an analysed file (`text`: the file as the editor has it): the schema of the
    document under the cursor (`fallback` where none was chosen); on an `apiVersion` line, which schema
    file was chosen and why."""
    manifest = analysis.manifest
    parsed = next((d for d in manifest.documents if d.span.start <= pos <= d.span.end), None)
    schema = analysis.schemas.get(parsed.index, fallback) if parsed is not None else fallback
    label = schema.label
    stand_in = ""  # when the declared version has no schema of its own: which one checks it, and why
    if parsed is not None and parsed.api_version and schema.version is not None and \
            manifest.lines.line(pos.line).lstrip().startswith(("apiVersion", '"apiVersion"')):
        choice = REGISTRY.choose(parsed.api_version, parsed.kind, default_version)
        if schema.version != (choice.entry.version if choice is not None else None):  # the file's version pin
            choice = None
            label = f"{schema.label}, chosen by the version pin in the file's first lines (it wins over apiVersion)"
        if choice is not None:
            label = f"`{choice.file}`, chosen for `{parsed.api_version}` by the rule: {choice.rule}"
            stand_in = "" if choice.own else choice.explain()
    found = hover(text, pos, parsed, schema, is_json=is_json, version=schema.version,
                  schema_label=label, cache=cache)
    if found is not None and stand_in:
        return f"{found[0]}\n\n{stand_in}", found[1]
    return found


def _answer(nav: SchemaNav, target: HoverTarget, version: str | None, schema_label: str | None) -> str | None:
    schemas = nav.at(target.path)
    if not schemas:
        return None
    name = str(target.path[-1]) if target.path else "manifest"
    if isinstance(target.path[-1] if target.path else None, int):
        name = f"{target.path[-2] if len(target.path) > 1 else 'list'} item"
    # Keys are echoed (the name, the dotted path): a key that is a pasted secret is masked here too.
    text_md = mask_secrets(describe(nav, schemas, name, target.value, target.has_value, target.path, version))
    if target.path == ["apiVersion"]:
        spec = f"OSSA {version}" if version else "a custom schema"
        text_md += f"\n\n---\nValidating with **{spec}** ({schema_label or 'bundled schema'})."
    return text_md
