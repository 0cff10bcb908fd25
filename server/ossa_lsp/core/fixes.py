"""Fixes as minimal text edits: they touch only the bytes they must, so comments, key order,
indentation, quoting, flow/block style and line endings all survive.

Schema findings get their fixes here (policy rules attach their own). `fix_text` applies the fixes
of one safety class repeatedly until nothing is left to fix, refusing text with syntax errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ossa_lsp.core.constants import MAP, SCALAR
from ossa_lsp.core.findings import Finding, Fix, Severity, TextEdit
from ossa_lsp.core.text.source import Document, Manifest, Node, resolve_plain
from ossa_lsp.core.text.spans import LineIndex, Pos, Span

if TYPE_CHECKING:
    from ossa_lsp.core.schema.navigate import SchemaNav
    from ossa_lsp.core.schema.registry import CompiledSchema

MAX_ROUNDS = 8


# --- applying edits -------------------------------------------------------------------------------


class EditConflict(ValueError):
    pass


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (code-point positions) to text."""
    lines = LineIndex(text)
    spans = sorted(((lines.offset(e.span.start), lines.offset(e.span.end), e.new_text) for e in edits),
                   key=lambda t: (t[0], t[1]))
    out: list[str] = []
    pos = 0
    for start, end, new in spans:
        if start < pos:
            raise EditConflict("overlapping edits")
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _overlaps(a: Fix, taken: list[tuple[int, int]], lines: LineIndex) -> bool:
    for e in a.edits:
        s, t = lines.offset(e.span.start), lines.offset(e.span.end)
        for x, y in taken:
            if (s < y and x < t) or (s == t == x == y):
                return True
    return False


def choose(findings: Sequence[Finding], text: str, unsafe: bool) -> list[tuple[Finding, Fix]]:
    """One fix per finding (the preferred one), of the allowed safety, with no two fixes overlapping."""
    lines = LineIndex(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[Finding, Fix]] = []
    for f in sorted(findings, key=Finding.sort_key):
        if f.suppressed is not None:
            continue
        options = [x for x in f.fixes if x.safe or unsafe]
        if not options:
            continue
        fix = next((x for x in options if x.preferred), options[0])
        if _overlaps(fix, taken, lines):
            continue
        taken.extend((lines.offset(e.span.start), lines.offset(e.span.end)) for e in fix.edits)
        chosen.append((f, fix))
    return chosen


@dataclass
class FixResult:
    text: str
    applied: list[tuple[str, str, str]]  # (code, pointer, title) per applied fix
    refused: str | None = None  # why nothing was done (e.g. syntax errors)


def fix_text(text: str, analyse: Callable[[str], Sequence[Finding]], unsafe: bool = False) -> FixResult:
    """Apply fixes until none is left (a second run is then a no-op)."""
    applied: list[tuple[str, str, str]] = []
    current = text
    for _ in range(MAX_ROUNDS):
        findings = analyse(current)
        if any(f.source == "yaml" and f.severity == Severity.ERROR for f in findings):
            if current is text:
                return FixResult(text, [], "the file has syntax errors; fix those first (nothing was changed)")
            break
        chosen = choose(findings, current, unsafe)
        if not chosen:
            break
        new = apply_edits(current, [e for _, fix in chosen for e in fix.edits])
        if new == current:
            break
        applied.extend((f.code, f.pointer, fix.title) for f, fix in chosen)
        current = new
    return FixResult(current, applied)


# --- building edits that keep the file's style -----------------------------------------------------


def scalar_text(node: Node, value: Any, lines: LineIndex) -> str:
    """`value` written the way `node` is written: same quote style, plain when that stays a string."""
    raw = lines.slice(node.span)
    quote = raw[:1] if raw[:1] in ("'", '"') else ""
    if not isinstance(value, str):
        return json.dumps(value) if not isinstance(value, bool) else ("true" if value else "false")
    if quote == '"':
        return json.dumps(value, ensure_ascii=False)
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    if plain_safe(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def plain_safe(value: str) -> bool:
    """True when `value` can be written unquoted in YAML and still read back as this string."""
    if not value or value != value.strip() or not isinstance(resolve_plain(value), str):
        return False
    if value[0] in "!&*{}[]|>'\"%@`#,?:-" or re.search(r": |#|\t", value) or value.endswith(":"):
        return value[0] == "-" and len(value) > 1 and value[1] not in " " and not re.search(r": |#", value)
    return True


def replace_value(node: Node, value: Any, lines: LineIndex, title: str, safe: bool) -> Fix:
    return Fix(title=title, edits=(TextEdit(node.span, scalar_text(node, value, lines)),), safe=safe, preferred=True)


def _line_indent(lines: LineIndex, line: int) -> int:
    text = lines.line(line)
    return len(text) - len(text.lstrip(" "))


def insert_key(mapping: Node, key: str, value_text: str, lines: LineIndex) -> TextEdit | None:
    """An edit adding `key: value` to a mapping, at the end, matching its indentation and style."""
    m = mapping.deref()
    if m.kind != MAP:
        return None
    newline = "\r\n" if "\r\n" in lines.text[:2000] else "\n"
    if m.style == "flow":
        end = m.span.end  # just after '}'
        close = Pos(end.line, max(end.character - 1, 0))
        sep = ", " if m.items else ""
        return TextEdit(Span(close, close), f"{sep}{key}: {value_text}")
    if not m.items:
        return None
    first_key = m.items[0][0]
    col = first_key.span.start.character
    last_value = m.items[-1][1]
    end = last_value.span.end
    # insert after the last line of the mapping's last entry (keeps trailing comments on that line)
    line_text = lines.line(end.line)
    at = Pos(end.line, len(line_text))
    indent = " " * col
    return TextEdit(Span(at, at), f"{newline}{indent}{key}: {value_text}")


def insert_block(mapping: Node, key: str, body: Sequence[str], lines: LineIndex) -> TextEdit | None:
    """Add `key:` with an indented block (`body` lines, relative indentation) to a block mapping."""
    m = mapping.deref()
    if m.kind != MAP or m.style == "flow" or not m.items:
        return None
    col = m.items[0][0].span.start.character
    newline = "\r\n" if "\r\n" in lines.text[:2000] else "\n"
    pad = " " * (col + 2)
    block = newline.join(pad + b for b in body)
    edit = insert_key(mapping, key, "", lines)
    if edit is None:
        return None
    return TextEdit(edit.span, edit.new_text.rstrip() + newline + block)


def text_edits_between(old: str, new: str) -> list[TextEdit]:
    """Line-level edits turning `old` into `new` (for sending a whole-file fix as small edits)."""
    import difflib

    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        edits.append(TextEdit(Span(Pos(i1, 0), Pos(i2, 0)), "".join(b[j1:j2])))
    return edits


# --- fixes for schema findings ---------------------------------------------------------------------

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


def _dns1123(name: str) -> str | None:
    out = re.sub(r"[^a-z0-9-]+", "-", name.strip().lower())
    out = re.sub(r"-{2,}", "-", out).strip("-")[:253].strip("-")
    return out or None


def _semver(text: str) -> str | None:
    m = _SEMVER.match(text.strip())
    if not m:
        return None
    return ".".join(g if g is not None else "0" for g in m.groups())


def _same_but_case_or_separators(a: str, b: str) -> bool:
    return re.sub(r"[-_ ]", "", a.lower()) == re.sub(r"[-_ ]", "", b.lower())


def _placeholder(schema_props: dict[str, Any], name: str) -> str:
    """A documented default for a missing required key (CLI, unsafe): default, example, or a TODO."""
    sub = schema_props.get(name, {}) if isinstance(schema_props, dict) else {}
    for source in ("default",):
        if source in sub and not isinstance(sub[source], (dict, list)):
            return _yaml_scalar(sub[source])
    if sub.get("enum"):
        return _yaml_scalar(sub["enum"][0])
    if sub.get("examples") and not isinstance(sub["examples"][0], (dict, list)):
        return _yaml_scalar(sub["examples"][0])
    t = sub.get("type")
    if t == "object":
        return "{}"
    if t == "array":
        return "[]"
    if t in ("integer", "number"):
        return "0"
    if t == "boolean":
        return "false"
    return '"TODO"'


def _yaml_scalar(v: Any) -> str:
    if isinstance(v, str):
        return v if plain_safe(v) else json.dumps(v, ensure_ascii=False)
    return json.dumps(v)


def schema_fixes(doc: Document, findings: list[Finding], lines: LineIndex, is_json: bool,
                 supported: Sequence[str], schema: CompiledSchema | None) -> list[Finding]:
    """The same findings, with fixes attached where we know a fix."""
    out = []
    nav = schema.nav() if schema is not None else None
    for f in findings:
        if f.code == "SCHEMA001" and schema is not None:
            f = _misplaced(doc, f, lines, is_json, schema.nav(doc.kind)) or f
            if f.data.get("belongs"):
                out.append(f)
                continue
        fixes = _fixes_for(doc, f, lines, is_json, supported, nav)
        out.append(replace(f, fixes=f.fixes + tuple(fixes)) if fixes else f)
    return out


def _node_at(doc: Document, pointer: str) -> tuple[Node | None, Node | None]:
    parts: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    key, value, depth = doc.locate(parts)
    if depth != len(parts):
        return None, None
    return key, value


def _fixes_for(doc: Document, f: Finding, lines: LineIndex, is_json: bool, supported: Sequence[str],
               nav: SchemaNav | None) -> list[Fix]:
    key, value = _node_at(doc, f.pointer)
    if f.code == "SCHEMA001" and key is not None:
        hint = f.data.get("suggestion")
        if isinstance(hint, str):
            safe = _same_but_case_or_separators(str(f.data.get("key", "")), hint)
            return [replace_value(key, hint, lines, f"Rename `{f.data.get('key')}` to `{hint}`", safe)]
        return []
    if f.code == "SCHEMA002":
        return _missing_fix(doc, f, lines, is_json, nav)
    if value is None:
        return []
    node = value.deref()
    if node.kind != SCALAR:
        return []
    current = node.value
    if f.code == "SCHEMA004" and isinstance(current, str):
        hint = f.data.get("suggestion")
        if isinstance(hint, str):
            safe = _same_but_case_or_separators(current, hint)
            return [replace_value(node, hint, lines, f"Change `{current}` to `{hint}`", safe)]
    if f.code == "SCHEMA005" and isinstance(current, str):
        return _format_fixes(f.pointer, node, current, lines)
    if f.code == "SCHEMA006" and isinstance(current, (int, float)) and not isinstance(current, bool):
        lo, hi = f.data.get("minimum"), f.data.get("maximum")
        bound = lo if lo is not None and current < lo else hi if hi is not None and current > hi else None
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            return [replace_value(node, bound, lines, f"Use the nearest allowed value, {bound}", False)]
    if f.code == "SCHEMA003":
        return _type_fixes(f, node, current, lines)
    if f.code == "SCHEMA011" and f.pointer == "/apiVersion" and supported and isinstance(current, str):
        target = f"ossa/{supported[-1]}"
        if current != target and current.startswith("ossa/"):
            return [replace_value(node, target, lines, f"Use `{target}`", False)]
    return []


def _format_fixes(pointer: str, node: Node, current: str, lines: LineIndex) -> list[Fix]:
    """SCHEMA005 (a value of the wrong format) where the right spelling is unambiguous."""
    if pointer == "/metadata/name":
        new = _dns1123(current)
        if new and new != current:
            return [replace_value(node, new, lines, f"Rename the agent to `{new}` (DNS-1123)", False)]
    elif pointer == "/metadata/version":
        sv = _semver(current)
        if sv and sv != current:
            return [replace_value(node, sv, lines, f"Write the version as `{sv}`", True)]
    elif pointer.endswith("/currency") and re.fullmatch(r"[A-Za-z]{3}", current.strip()):
        up = current.strip().upper()
        return [replace_value(node, up, lines, f"Write the currency as `{up}`", True)]
    return []


def _type_fixes(f: Finding, node: Node, current: Any, lines: LineIndex) -> list[Fix]:
    """SCHEMA003 (a value of the wrong type) where the message already names the right one."""
    expected = f.data.get("expected") or []
    if f.pointer == "/metadata/version" and isinstance(current, (int, float)) and not isinstance(current, bool):
        raw = lines.slice(node.span)
        sv = _semver(raw)
        if sv:
            return [Fix(f"Write the version as the text `{sv}`", (TextEdit(node.span, json.dumps(sv)),),
                        safe=True, preferred=True)]
    if "string" in expected and current is not None and not isinstance(current, str):
        raw = lines.slice(node.span)
        return [Fix(f"Quote `{raw}` so it stays text", (TextEdit(node.span, json.dumps(raw)),), safe=True,
                    preferred=True)]
    number = _quoted_number(current, expected)
    if number is not None:
        return [Fix(f"Write {lines.slice(node.span)} as the number {number}", (TextEdit(node.span, number),),
                    safe=True, preferred=True)]
    if "boolean" in expected and isinstance(current, str) and current.lower() in ("yes", "no", "on", "off", "y", "n"):
        b = current.lower() in ("yes", "on", "y")
        return [replace_value(node, b, lines, f"Write `{current}` as `{'true' if b else 'false'}`", True)]
    return []


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")


def _quoted_number(current: Any, expected: Sequence[str]) -> str | None:
    """The number a quoted value spells (`"0.3"` → `0.3`, `"10"` → `10`) when the schema wants a number or
    an integer; only plain decimal spellings, which YAML and JSON read alike."""
    if not isinstance(current, str) or not ({"number", "integer"} & set(expected)):
        return None
    text = current.strip()
    if not _JSON_NUMBER.match(text):
        return None
    if "number" not in expected and not isinstance(resolve_plain(text), int):
        return None  # "0.5" where a whole number is wanted: unquoting would not fix it
    return text


def _missing_fix(doc: Document, f: Finding, lines: LineIndex, is_json: bool, nav: SchemaNav | None) -> list[Fix]:
    missing = f.data.get("missing")
    if not isinstance(missing, str) or is_json:
        return []
    _, container = _node_at(doc, f.pointer) if f.pointer else (None, doc.root)
    if container is None:
        return []
    props: dict[str, Any] = {}
    if nav is not None:
        parts = [int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
                 for p in f.pointer.split("/")[1:]] if f.pointer else []
        for alt in nav.at(parts):
            for name, sub in alt.get("properties", {}).items():
                props.setdefault(name, nav.resolve(sub))
    edit = insert_key(container, missing, _placeholder(props, missing), lines)
    if edit is None:
        return []
    return [Fix(f"Add `{missing}`", (edit,), safe=False, preferred=True)]


# --- a block pasted at the wrong level ---------------------------------------------------------------

HOMES = ("spec", "metadata")  # where top-level keys pasted from a guide's snippet usually belong


def _misplaced(doc: Document, f: Finding, lines: LineIndex, is_json: bool, nav: SchemaNav) -> Finding | None:
    """An unknown top-level key that the schema of this version allows under `spec` (or `metadata`): say so,
    and offer to move the block there."""
    key = f.data.get("key")
    if not isinstance(key, str) or f.pointer != "/" + key.replace("~", "~0").replace("/", "~1"):
        return None
    from ossa_lsp.core.schema.navigate import properties

    homes = [h for h in HOMES if key in properties(nav, nav.at([h]))]
    if not homes:
        return None
    if len(homes) > 1:
        msg = f"`{key}` belongs under {' or '.join(f'`{h}`' for h in homes)}, not at the top level"
        return replace(f, message=msg, data={**f.data, "belongs": homes[0], "suggestion": None})
    home = homes[0]
    root = doc.root.deref() if doc.root is not None else None
    target = root.get(home) if root is not None and root.kind == MAP else None
    parent = target[1].deref() if target is not None else None
    if parent is not None and parent.kind == MAP and parent.get(key) is not None:
        msg = f"`{key}` belongs under `{home}`, which already has one: merge this block into `{home}.{key}`"
        return replace(f, message=msg, data={**f.data, "belongs": home, "suggestion": None})
    msg = f"`{key}` belongs under `{home}`, not at the top level: indent the block under `{home}:`" if target \
        else f"`{key}` belongs under `{home}`, not at the top level: write `{home}:` above it and indent the block"
    fix = None if is_json or root is None else _move_under(root, key, home, lines)
    return replace(f, message=msg, data={**f.data, "belongs": home, "suggestion": None},
                   fixes=f.fixes + ((fix,) if fix is not None else ()))


def _last_line(node: Node) -> int:
    end = node.deref().span.end
    return end.line if end.character > 0 or end.line == node.span.start.line else end.line - 1


def _wrap_in(key: str, pair: tuple[Node, Node], home: str, lines: LineIndex) -> Fix | None:
    """No `home:` block yet: write `home:` above the key and indent the block under it."""
    key_node, value = pair
    if key_node.span.start.character != 0:
        return None
    first, last = key_node.span.start.line, _last_line(value)
    newline = "\r\n" if "\r\n" in lines.text[:2000] else "\n"
    edits = [TextEdit(Span(Pos(first, 0), Pos(first, 0)), f"{home}:{newline}  ")]
    edits += [TextEdit(Span(Pos(n, 0), Pos(n, 0)), "  ") for n in range(first + 1, last + 1) if lines.line(n).strip()]
    return Fix(f"Put `{key}` in a new `{home}` block", tuple(edits), safe=False, preferred=True)


def _move_under(root: Node, key: str, home: str, lines: LineIndex) -> Fix | None:
    """Move the top-level block `key:` into the block mapping `home:` as its last entry, re-indented. A block
    right below `home` is indented in place (the smallest edit); comments directly above it move with it."""
    pair, target = root.get(key), root.get(home)
    if pair is None:
        return None
    if target is None:
        return _wrap_in(key, pair, home, lines)
    home_key, parent = target[0], target[1].deref()
    key_node, value = pair
    if parent.kind != MAP or parent.style == "flow" or not parent.items or key_node.span.start.character != 0:
        return None
    indent = " " * parent.items[0][0].span.start.character
    first, last = key_node.span.start.line, _last_line(value)
    while first > 0 and lines.line(first - 1).startswith("#"):
        first -= 1  # a comment written for the block travels with it
    home_last = _last_line(parent)
    title = f"Move `{key}` under `{home}`"
    between = range(home_last + 1, first)
    if home_key.span.start.line < first and all(not lines.line(n).strip() for n in between):
        edits = tuple(TextEdit(Span(Pos(n, 0), Pos(n, 0)), indent) for n in range(first, last + 1)
                      if lines.line(n).strip())
        return Fix(title, edits, safe=False, preferred=True)
    if first <= home_last and last >= home_key.span.start.line:
        return None  # interleaved with the target block
    newline = "\r\n" if "\r\n" in lines.text[:2000] else "\n"
    block = newline.join(indent + lines.line(n) if lines.line(n).strip() else "" for n in range(first, last + 1))
    if last + 1 < lines.line_count:
        cut = TextEdit(Span(Pos(first, 0), Pos(last + 1, 0)), "")
    else:  # the block ends the file: take the line break before it instead
        prev = first - 1
        cut = TextEdit(Span(Pos(prev, len(lines.line(prev))) if prev >= 0 else Pos(first, 0),
                            Pos(last, len(lines.line(last)))), "")
    if home_last + 1 < lines.line_count and home_last + 1 != first:
        put = TextEdit(Span(Pos(home_last + 1, 0), Pos(home_last + 1, 0)), block + newline)
    else:
        end = Pos(home_last, len(lines.line(home_last)))
        put = TextEdit(Span(end, end), newline + block)
    return Fix(title, (put, cut) if home_last < first else (cut, put), safe=False, preferred=True)


# --- suppression comments -------------------------------------------------------------------------


def suppression_fix(f: Finding, manifest: Manifest) -> Fix | None:
    """'Ignore CODE for this node': a comment on the line above the finding, with a reason placeholder."""
    if manifest.format == "json" or f.source not in ("policy", "vocabulary"):  # rule findings (any family)
        return None
    lines = manifest.lines
    line = f.span.start.line
    indent = _line_indent(lines, line)
    newline = "\r\n" if "\r\n" in lines.text[:2000] else "\n"
    at = Pos(line, 0)
    comment = f"{' ' * indent}# ossa-lsp: ignore[{f.code}] -- reason{newline}"
    return Fix(f"Ignore {f.code} for this node", (TextEdit(Span(at, at), comment),), safe=False)
