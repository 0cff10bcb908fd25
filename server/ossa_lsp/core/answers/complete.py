"""Completion answers from the schema at the cursor: keys, values, list items, with snippets and docs.

Pure data: the LSP layer turns `Item`s into CompletionItems. Works on broken text (see text/cursor.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ossa_lsp.core.answers.hover import describe
from ossa_lsp.core.schema.navigate import SchemaNav, facts, kind_in_text, properties
from ossa_lsp.core.text.cursor import ITEM, KEY, VALUE, CursorContext, cursor_context
from ossa_lsp.core.text.spans import LineIndex, Pos, Span

PROPERTY, VALUE_KIND, SNIPPET, ENUM = "property", "value", "snippet", "enum"


@dataclass
class Item:
    label: str
    kind: str
    insert: str  # snippet syntax when `snippet` is True
    replace: Span
    detail: str = ""
    documentation: str = ""
    sort: str = ""
    snippet: bool = False
    preselect: bool = False
    filter_text: str | None = None


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _needs_quotes(text: str) -> bool:
    from ossa_lsp.core.text.source import resolve_plain

    return not isinstance(resolve_plain(text), str) or text != text.strip() or any(c in text for c in ":#{}[],&*!|>'\"%@`")


def _esc(text: str) -> str:
    """Escape snippet metacharacters."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _choice(values: list[Any]) -> str:
    parts = [_scalar_text(v).replace(",", "\\,").replace("|", "\\|") for v in values]
    return "${%d|" + ",".join(parts) + "|}"


class _Snippets:
    """Builds the text a key inserts: `llm:` + its required children, with placeholders."""

    def __init__(self, nav: SchemaNav, is_json: bool, indent_unit: int = 2) -> None:
        self.nav = nav
        self.json = is_json
        self.unit = indent_unit
        self.n = 0

    def tab(self) -> int:
        self.n += 1
        return self.n

    def placeholder(self, schemas: list[dict[str, Any]]) -> str:
        f = facts(self.nav, schemas)
        if f.enum:
            return _choice(f.enum) % self.tab()
        if f.types == ["boolean"]:
            return "${%d|true,false|}" % self.tab()
        if f.has_default and not isinstance(f.default, (dict, list)):
            return "${%d:%s}" % (self.tab(), _esc(_scalar_text(f.default)))
        return "$%d" % self.tab()

    def yaml_value(self, schemas: list[dict[str, Any]], col: int, depth: int) -> str:
        """Text after `key:` (including the leading space or newline)."""
        f = facts(self.nav, schemas)
        pad = " " * (col + self.unit)
        if "object" in f.types and not f.enum:
            props = properties(self.nav, schemas)
            req = [p for p in props.values() if p.required]
            if not req or depth > 2:
                return "\n" + pad + "$%d" % self.tab()
            return "".join("\n" + pad + f"{p.name}:" + self.yaml_value(p.schemas, col + self.unit, depth + 1)
                           for p in req)
        if "array" in f.types and not f.enum:
            items = self.nav.child(schemas, 0)
            fi = facts(self.nav, items)
            if "object" in fi.types:
                props = properties(self.nav, items)
                req = [p for p in props.values() if p.required]
                if req:
                    first, rest = req[0], req[1:]
                    text = "\n" + pad + f"- {first.name}:" + self.yaml_value(first.schemas, col + self.unit + 2, depth + 1)
                    for p in rest:
                        text += "\n" + pad + "  " + f"{p.name}:" + self.yaml_value(p.schemas, col + self.unit + 2,
                                                                                    depth + 1)
                    return text
            return "\n" + pad + "- " + self.placeholder(items)
        return " " + self.placeholder(schemas)

    def flow_value(self, schemas: list[dict[str, Any]]) -> str:
        """Text after `key: ` inside a YAML flow collection: one line, nested collections in flow style."""
        f = facts(self.nav, schemas)
        if "object" in f.types and not f.enum:
            return "{$%d}" % self.tab()
        if "array" in f.types and not f.enum:
            return "[$%d]" % self.tab()
        return self.placeholder(schemas)

    def json_value(self, schemas: list[dict[str, Any]]) -> str:
        f = facts(self.nav, schemas)
        if "object" in f.types and not f.enum:
            return "{$%d}" % self.tab()
        if "array" in f.types and not f.enum:
            return "[$%d]" % self.tab()
        if f.enum and all(isinstance(v, str) for v in f.enum):
            return '"' + _choice(f.enum) % self.tab() + '"'
        if "string" in f.types:
            return '"$%d"' % self.tab()
        return self.placeholder(schemas)


def _value_items(nav: SchemaNav, schemas: list[dict[str, Any]], ctx: CursorContext, registry_versions: list[str]) -> list[Item]:
    f = facts(nav, schemas)
    out: list[Item] = []
    seen: set[str] = set()
    values: list[tuple[Any, str]] = [(v, ENUM) for v in f.enum]
    if ctx.path == ["apiVersion"] and not values:
        values = [(f"ossa/{v}", ENUM) for v in reversed(registry_versions)]
    if "boolean" in f.types and not f.enum:
        values += [(True, VALUE_KIND), (False, VALUE_KIND)]
    if f.has_default and not isinstance(f.default, (dict, list)):
        values.append((f.default, VALUE_KIND))
    values += [(e, VALUE_KIND) for e in f.examples if not isinstance(e, (dict, list))]
    for i, (v, kind) in enumerate(values):
        label = _scalar_text(v)
        if label in seen:
            continue
        seen.add(label)
        if ctx.json:
            text = json.dumps(v)
        elif ctx.quoted:
            text = label
        else:
            text = ctx.lead + (f'"{label}"' if isinstance(v, str) and _needs_quotes(label) else label)
        detail = "default" if f.has_default and v == f.default else ("example" if kind == VALUE_KIND and v in
                                                                    f.examples else "allowed value")
        doc = f.enum_docs.get(label, "")
        out.append(Item(label=label, kind=kind, insert=text, replace=ctx.replace, detail=detail,
                        documentation=doc, sort=f"{i:03d}", preselect=bool(f.has_default and v == f.default),
                        filter_text=text if ctx.json and ctx.quoted else None))
    return out


def _key_items(nav: SchemaNav, schemas: list[dict[str, Any]], ctx: CursorContext, snippets: bool) -> list[Item]:
    props = properties(nav, schemas)
    out: list[Item] = []
    for name, info in props.items():
        if name in ctx.siblings:
            continue
        s = _Snippets(nav, ctx.json)
        if ctx.json:
            insert = f'"{name}": ' + (s.json_value(info.schemas) if snippets else "")
        elif ctx.flow:
            insert = f"{name}: " + (s.flow_value(info.schemas) if snippets else "")
        else:
            body = s.yaml_value(info.schemas, ctx.indent, 0) if snippets else " "
            insert = f"{name}:{body}"
        f = facts(nav, info.schemas)
        kind_word = "/".join(f.types) or "any"
        out.append(Item(
            label=name, kind=PROPERTY, insert=insert,
            replace=ctx.replace, detail=("required · " if info.required else "") + kind_word,
            documentation=describe(nav, info.schemas, name),
            sort=("0" if info.required else "1") + name, snippet=snippets,
            filter_text=f"{ctx.quoted}{name}{ctx.quoted}" if ctx.quoted else name))
    return out


def _item_items(nav: SchemaNav, seq_path: list[str | int], ctx: CursorContext, snippets: bool) -> list[Item]:
    """A new list item: `- type: http` and friends, one per value of the item's discriminating enum."""
    items = nav.child(nav.at(seq_path), 0)
    props = properties(nav, items)
    req = [p for p in props.values() if p.required]
    out: list[Item] = []
    if not req:
        return out
    first = req[0]
    f = facts(nav, first.schemas)
    col = ctx.indent
    for i, value in enumerate(f.enum or [None]):
        s = _Snippets(nav, False)
        head = f"- {first.name}: " + (_scalar_text(value) if value is not None else s.placeholder(first.schemas))
        rest = "".join("\n" + " " * (col + 2) + f"{p.name}:" + s.yaml_value(p.schemas, col + 2, 1) for p in req[1:])
        label = head if value is not None else f"- {first.name}"
        out.append(Item(label=label, kind=SNIPPET, insert=(head + rest) if snippets else head,
                        replace=ctx.replace, detail=f"new {seq_path[-1] if seq_path else 'list'} item",
                        documentation=f.enum_docs.get(_scalar_text(value), ""), sort=f"{i:03d}", snippet=snippets,
                        filter_text=ctx.prefix or label))
    return out


def complete(text: str, pos: Pos, schema: dict[str, Any] | None, *, is_json: bool = False, snippets: bool = True,
             versions: list[str] | None = None) -> list[Item]:
    if schema is None:
        return []
    lines = LineIndex(text)
    ctx = cursor_context(lines, pos, is_json)
    if ctx is None:
        return []
    nav = SchemaNav(schema, kind_in_text(text, lines.offset(pos), is_json))
    if ctx.role == VALUE:
        return _value_items(nav, nav.at(ctx.path), ctx, versions or [])
    if ctx.role == ITEM:
        return _item_items(nav, ctx.path, ctx, snippets)
    if ctx.role == KEY:
        schemas = nav.at(ctx.path)
        if ctx.first_in_item and not properties(nav, schemas):  # `- |` in a list of plain values
            return _value_items(nav, schemas, ctx, versions or [])
        return _key_items(nav, schemas, ctx, snippets)
    return []


def context_at(text: str, pos: Pos, is_json: bool = False) -> CursorContext | None:
    return cursor_context(LineIndex(text), pos, is_json)
