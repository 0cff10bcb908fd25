"""Upgrading manifests to a newer OSSA version, as minimal text edits.

A document moves step by step through the adjacent **mainline** versions of the catalog
(v0.2.2 → v0.2.3 → … → the target); the minor-level schema `v0.3` and the kind-only `v1` are not
steps. Only what is mechanical is changed:

- `apiVersion` becomes `ossa/<target>`, written with the quoting it had;
- keys that a version renamed (`RENAMES`, taken from the "replaced by" notes that
  tools/schemagen found in the schemas) get their new name, comments and values untouched.

Fields that keep their name and meaning need nothing. Everything else (a field removed or reshaped,
a newly required one) is left for a person: after migrating, the text is validated against the
target schema (plus the vocabulary checks where the target no longer checks `spec`) and each
remaining finding is explained from the version history (which version stopped accepting it, what
replaced it). No finding disappears silently: a mistake the source version's schema reported that
nothing reports after migrating is listed as SCHEMA017 "no longer checked". Downgrades are refused;
text with syntax errors is never changed. `plan` is the cheap part (edits only; what the editor's
code action needs), `migrate` adds validation and explanations (what `ossa-lsp migrate` prints).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ossa_lsp.core.findings import Finding, Severity, TextEdit
from ossa_lsp.core.fixes import apply_edits, replace_value
from ossa_lsp.core.schema.registry import REGISTRY, SchemaError, SchemaRegistry
from ossa_lsp.core.schema.validate import dotted, pointer
from ossa_lsp.core.text.source import MAP, SCALAR, SEQ, Document, Manifest, Node, key_text, parse
from ossa_lsp.core.text.spans import Span

if TYPE_CHECKING:
    from ossa_lsp.core.analyze import Analysis
    from ossa_lsp.core.schema.navigate import SchemaNav

_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)\Z")
_DECLARED = re.compile(r"ossa/v(\d+(?:\.\d+)*)")
_REMOVED_NOTE = re.compile(r"Removed in (v[0-9.]+): (.*?)\.?$", re.M)
_NOTE_ITEM = re.compile(r"`([^`]+)`(?: \(replaced by `([^`]+)`\))?")


@dataclass(frozen=True)
class Rename:
    """A key renamed in `version` (stepping into it from the version before)."""

    version: str
    path: tuple[str, ...]  # the mapping holding the key; "*" matches every list item or map value
    old: str
    new: str


# From the schemas' version notes ("Removed in v0.5.0: `source_project_id` (replaced by
# `gitlab_project_id`)"), which tools/schemagen/generate.py computes by comparing adjacent versions:
# same object, same type, similar name. tests/unit/test_migrate.py checks that this table and the
# notes agree, so a regenerated schema with a new rename fails until it is listed here.
RENAMES: tuple[Rename, ...] = (
    Rename("v0.5.0", ("metadata", "mesh_bindings"), "source_project_id", "gitlab_project_id"),
    Rename("v0.5.0", ("metadata", "mesh_bindings"), "execution_node_id", "drupal_canvas_node_id"),
)


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def mainline(registry: SchemaRegistry = REGISTRY) -> list[str]:
    """The versions a migration steps through, oldest first: released X.Y.Z versions with a main schema."""
    return [e.version for e in registry.catalog if e.file and _VERSION.fullmatch(e.version)]


def normalize_version(text: str, registry: SchemaRegistry = REGISTRY) -> str | None:
    """`v0.5.0`, `0.5.0`, `ossa/v0.5.0`, `newest`/`latest` → a mainline version, or None."""
    t = text.strip()
    if t.lower() in ("newest", "latest"):
        return mainline(registry)[-1]
    t = t.removeprefix("ossa/")
    t = t if t.startswith("v") else f"v{t}"
    return t if t in mainline(registry) else None


def kinds_of(version: str, registry: SchemaRegistry = REGISTRY) -> tuple[str, ...]:
    entry = next((e for e in registry.catalog if e.version == version), None)
    return entry.kinds if entry is not None else ()


def position(version: str, registry: SchemaRegistry = REGISTRY) -> str | None:
    """The mainline version a bundled schema version stands for: itself, or for a minor-level schema
    (v0.3) the newest X.Y.Z of its line; None for the kind-only v1."""
    line = mainline(registry)
    if version in line:
        return version
    asked = _parts(version)
    same = [v for v in line if _parts(v)[: len(asked)] == asked]
    return same[-1] if same and len(asked) == 2 else None


@dataclass
class DocPlan:
    """What migrating one document of the file does."""

    index: int
    declared: str | None  # the apiVersion as written
    kind: str | None = None
    source: str | None = None  # the mainline version it is at
    steps: list[str] = field(default_factory=list)  # versions passed through, ending with the target
    status: str = "skip"  # migrate | current | refused | skip (not an OSSA document: empty, a list, ...)
    reason: str | None = None  # why it was refused
    downgrade: bool = False
    renamed: list[tuple[str, str, str, str]] = field(default_factory=list)  # (pointer, old, new, version)
    # internals for explanations: the renamed key nodes and the apiVersion value node
    _keys: list[tuple[str, Node, str]] = field(default_factory=list, repr=False)  # (version, key node, new)
    _api: Node | None = field(default=None, repr=False)


@dataclass
class Migration:
    path: str | None
    target: str
    text: str
    new_text: str
    edits: list[TextEdit] = field(default_factory=list)
    documents: list[DocPlan] = field(default_factory=list)
    refused: str | None = None  # the whole file was left alone (syntax errors)
    findings: list[Finding] = field(default_factory=list)  # what still fails after migrating (by `migrate`)
    manifest: Manifest | None = field(default=None, repr=False)  # the parsed original

    @property
    def changed(self) -> bool:
        return self.new_text != self.text

    @property
    def downgrade(self) -> bool:
        return any(d.downgrade for d in self.documents)

    @property
    def clean(self) -> bool:
        return self.refused is None and not self.findings and not any(d.status == "refused" for d in self.documents)


def upgrade_caveat(api_version: str | None, kind: str | None, target: str, registry: SchemaRegistry = REGISTRY,
                   default_version: str | None = None) -> str | None:
    """What upgrading to `target` stops the schema checking (for the editor's upgrade action), or None."""
    from ossa_lsp.core.schema.vocabulary import unchecked_note

    choice = registry.choose(api_version, kind, default_version) if isinstance(api_version, str) else None
    return unchecked_note(choice.entry.version, target, kind) if choice is not None else None


def upgrade_targets(api_version: str | None, kind: str | None, registry: SchemaRegistry = REGISTRY,
                    default_version: str | None = None) -> list[str]:
    """The versions a document may be upgraded to in one action: the next mainline version and the
    newest one (one entry when they are the same; none when nothing newer defines its kind)."""
    if not isinstance(api_version, str):
        return []
    choice = registry.choose(api_version, kind, default_version)
    src = position(choice.entry.version, registry) if choice is not None else None
    if src is None:
        return []
    line = mainline(registry)
    declared = _DECLARED.match(api_version)
    newer = [v for v in line[line.index(src) + 1:]
             if (not kind or kind in kinds_of(v, registry))
             and (declared is None or _parts(declared.group(1)) < _parts(v))]
    return list(dict.fromkeys([newer[0], newer[-1]])) if newer else []


# --- planning the edits ---------------------------------------------------------------------------


def _mappings_at(node: Node | None, path: Sequence[str], names: dict[int, str],
                 at: tuple[str | int, ...] = ()) -> Iterator[tuple[Node, tuple[str | int, ...]]]:
    """Every mapping at `path` (keys by their current, possibly already renamed, names)."""
    if node is None:
        return
    node = node.deref()
    if not path:
        if node.kind == MAP:
            yield node, at
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if node.kind == SEQ:
            for i, item in enumerate(node.items):
                yield from _mappings_at(item, rest, names, (*at, i))
        elif node.kind == MAP:
            for k, v in node.items:
                yield from _mappings_at(v, rest, names, (*at, names.get(id(k), key_text(k))))
    elif node.kind == MAP:
        for k, v in node.items:
            if names.get(id(k), key_text(k)) == head:
                yield from _mappings_at(v, rest, names, (*at, head))


def _plan_document(doc: Document, target: str, registry: SchemaRegistry, default_version: str | None) -> DocPlan:
    root = doc.root.deref() if doc.root is not None else None
    plan = DocPlan(index=doc.index, declared=doc.api_version, kind=doc.kind)
    if root is None or root.kind != MAP:
        return plan
    pair = root.get("apiVersion")
    if pair is None or not isinstance(doc.api_version, str):
        plan.status, plan.reason = "refused", "it has no apiVersion to upgrade from"
        return plan
    api = doc.api_version
    kind = doc.kind
    choice = registry.choose(api, kind, default_version)
    declared = _DECLARED.match(api)
    if choice is None or declared is None:
        plan.status, plan.reason = "refused", f"its apiVersion `{api}` is not a supported OSSA version"
        return plan
    line = mainline(registry)
    src = position(choice.entry.version, registry)
    if src == target:  # already there (`ossa/v0.3`, `ossa/v0.4.7` and pre-releases are left as written)
        plan.source, plan.status = src, "current"
        return plan
    if _parts(declared.group(1)) > _parts(target) or (src is not None and line.index(src) > line.index(target)):
        plan.status, plan.downgrade = "refused", True
        plan.reason = f"`{api}` is newer than ossa/{target}; migrate only upgrades (downgrades are not supported)"
        return plan
    if src is None:
        plan.status, plan.reason = "refused", f"`{api}` ({kind or 'this kind'}) has no mainline version to upgrade to"
        return plan
    plan.source = src
    if kind and kind not in kinds_of(target, registry):
        defined = [e.version for e in registry.catalog if kind in e.kinds]
        plan.status = "refused"
        plan.reason = f"OSSA {target} has no kind {kind} (it is defined in {', '.join(defined) or 'no version'})"
        return plan
    value = pair[1]
    if value.kind != SCALAR:
        plan.status, plan.reason = "refused", "its apiVersion is not plain text (an alias or a tag)"
        return plan
    plan.status, plan._api = "migrate", value
    plan.steps = line[line.index(src) + 1: line.index(target) + 1]
    names: dict[int, str] = {}
    for step in plan.steps:
        for r in RENAMES:
            if r.version != step:
                continue
            for mapping, at in list(_mappings_at(doc.root, r.path, names)):
                current = {names.get(id(k), key_text(k)): k for k, _ in mapping.items}
                old = current.get(r.old)
                if old is None or r.new in current or old.deref().kind != SCALAR:
                    continue
                names[id(old)] = r.new
                plan.renamed.append((pointer([*at, r.old]), r.old, r.new, step))
                plan._keys.append((step, old, r.new))
    return plan


def _edits(manifest: Manifest, plans: Sequence[DocPlan], order: Sequence[str],
           stop_at: dict[int, str] | None = None) -> list[TextEdit]:
    """The edits of the planned documents; `stop_at` (document → version) migrates only those
    documents, and only up to that version (for explanations)."""
    lines = manifest.lines
    out: list[TextEdit] = []
    for p in plans:
        if p.status != "migrate" or p._api is None or not p.steps:
            continue
        if stop_at is not None and p.index not in stop_at:
            continue
        stop = stop_at[p.index] if stop_at is not None else p.steps[-1]
        if stop == p.source:
            continue
        out.extend(replace_value(p._api, f"ossa/{stop}", lines, "", True).edits)
        final: dict[int, tuple[Node, str]] = {}
        for version, node, new in p._keys:
            if order.index(version) <= order.index(stop):
                final[id(node)] = (node, new)
        for node, new in final.values():
            out.extend(replace_value(node, new, lines, "", True).edits)
    return out


def plan(text: str, path: str | None, target: str, *, registry: SchemaRegistry = REGISTRY,
         default_version: str | None = None, documents: Collection[int] | None = None,
         manifest: Manifest | None = None) -> Migration:
    """The edits that upgrade `text` to `target` (a mainline version), without validating the result.
    `documents` limits the migration to those document indexes."""
    if target not in mainline(registry):
        raise ValueError(f"{target} is not a version migrations can target ({', '.join(mainline(registry))})")
    manifest = manifest or parse(text, path)
    result = Migration(path=path, target=target, text=text, new_text=text, manifest=manifest)
    if manifest.has_syntax_error:
        result.refused = "the file has syntax errors; fix those first (nothing was changed)"
        result.findings = [f for f in manifest.findings if f.severity == Severity.ERROR]
        return result
    for doc in manifest.documents:
        if documents is not None and doc.index not in documents:
            continue
        result.documents.append(_plan_document(doc, target, registry, default_version))
    result.edits = _edits(manifest, result.documents, mainline(registry))
    result.new_text = apply_edits(text, result.edits) if result.edits else text
    return result


# --- validating and explaining --------------------------------------------------------------------


def _vocabulary_policy() -> Any:
    """Only the vocabulary rules: what checks `spec` once a version's schema no longer does."""
    import ossa_lsp.core.rules  # noqa: F401 - declares the rules
    from ossa_lsp.core.rules.policy import Enabled, Policy
    from ossa_lsp.core.rules.registry import RULES

    return Policy(rules={r.code: Enabled(r, r.levels.strongest, r.defaults())
                         for r in RULES.values() if r.family == "vocabulary"})


def migrate(text: str, path: str | None, target: str, *, registry: SchemaRegistry = REGISTRY,
            default_version: str | None = None) -> Migration:
    """`plan`, then validate the result against the target and explain each finding that remains, and list
    each mistake of the source version that nothing reports any more (never silently dropped)."""
    from ossa_lsp.core.analyze import analyze

    result = plan(text, path, target, registry=registry, default_version=default_version)
    if result.refused is not None:
        return result
    after = analyze(result.new_text, path, registry=registry, default_version=default_version,
                    policy=_vocabulary_policy())
    by_doc = {d.index: d for d in result.documents}
    remaining = [f for f in after.findings
                 if f.severity <= Severity.WARNING and f.source in ("yaml", "schema", "vocabulary")
                 and (by_doc.get(f.document) is None or by_doc[f.document].status in ("migrate", "current"))]
    moved = [d for d in result.documents if d.status == "migrate"]
    before = analyze(text, path, registry=registry, default_version=default_version) if moved else None
    dropped = _no_longer_checked(before, after, remaining, moved, target) if before is not None else []
    if not remaining and not dropped:
        return result
    history = _History(result, path, registry, default_version, before)
    result.findings = sorted([history.explain(f, by_doc.get(f.document)) for f in remaining] + dropped,
                             key=Finding.sort_key)
    return result


def _related(a: str, b: str) -> bool:
    """Whether two findings' pointers are about the same place (one at or inside the other)."""
    return a == b or (a != "" and b.startswith(a + "/")) or (b != "" and a.startswith(b + "/"))


def _no_longer_checked(before: Analysis, after: Analysis, remaining: Sequence[Finding], moved: Sequence[DocPlan],
                       target: str) -> list[Finding]:
    """SCHEMA017 for each mistake the source version's schema reported that nothing reports after migrating
    (the target's schema no longer checks it, e.g. `spec` from v0.4.6, and no vocabulary check covers it)."""
    out: list[Finding] = []
    docs = {d.index: d for d in after.manifest.documents}
    for plan_ in moved:
        doc = docs.get(plan_.index)
        if doc is None:
            continue
        for f in before.findings:
            if f.document != plan_.index or f.source != "schema" or f.severity > Severity.WARNING or \
                    f.pointer == "/apiVersion":
                continue
            if any(g.document == f.document and _related(f.pointer, g.pointer) for g in remaining):
                continue
            why = f"ossa/{plan_.source} reported this ({f.code}); the ossa/{target} schema no longer checks it"
            out.append(Finding(code="SCHEMA017", severity=Severity.WARNING, source="schema",
                               message=f"{_sentence(f.message)} {why}.", span=_span_at(doc, _path(f.pointer)),
                               pointer=f.pointer, document=f.document,
                               data={"was": f.code, "since": None, "explanation": why}))
    return out


def _span_at(doc: Document, path: Sequence[str | int]) -> Span:
    """The value (a scalar) or key at a path, else its deepest existing ancestor's key, else the document."""
    key, value, depth = doc.locate(path)
    if depth == len(path) and value is not None:
        value = value.deref()
        if value.kind == SCALAR and value.span.start != value.span.end:
            return value.span
    if key is not None:
        return key.span
    return doc.span


class _History:
    """Which findings each document has at each step of its migration (computed on demand)."""

    def __init__(self, m: Migration, path: str | None, registry: SchemaRegistry, default_version: str | None,
                 before: Analysis | None = None) -> None:
        self.m = m
        self.before = before  # the source text's findings
        self.path = path
        self.registry = registry
        self.default_version = default_version
        self._fails: dict[tuple[int, str], set[tuple[str, str]]] = {}

    def fails(self, doc: DocPlan, version: str) -> set[tuple[str, str]]:
        from ossa_lsp.core.analyze import analyze

        key = (doc.index, version)
        hit = self._fails.get(key)
        if hit is None:
            assert self.m.manifest is not None
            text = self.m.text if version == doc.source else apply_edits(
                self.m.text, _edits(self.m.manifest, self.m.documents, mainline(self.registry), {doc.index: version}))
            result: Analysis = analyze(text, self.path, registry=self.registry, default_version=self.default_version)
            hit = {(f.code, f.pointer) for f in result.findings
                   if f.document == doc.index and f.severity <= Severity.WARNING}
            self._fails[key] = hit
        return hit

    def nav_for(self, version: str, kind: str | None) -> SchemaNav | None:
        choice = self.registry.choose(f"ossa/{version}", kind)
        if choice is None:
            return None
        try:
            return self.registry.get_file(choice.entry.version, choice.file).nav()
        except (SchemaError, OSError, ValueError):
            return None

    def explain(self, f: Finding, doc: DocPlan | None) -> Finding:
        if doc is None or doc.status != "migrate" or doc.source is None:
            return f
        if f.source == "vocabulary":
            return self.explain_vocabulary(f, doc)
        chain = [doc.source, *doc.steps]
        mark = (f.code, f.pointer)
        start = len(chain) - 1
        while start > 0 and mark in self.fails(doc, chain[start - 1]):
            start -= 1
        target = chain[-1]
        kind = doc.kind
        path = _path(f.pointer)
        if start == 0:
            why = f"This was already a problem in ossa/{doc.source}, before migrating."
            return replace(f, message=f"{_sentence(f.message)} {why}", data={**f.data, "since": None,
                                                                             "explanation": why})
        since, before = chain[start], chain[start - 1]
        if f.code == "SCHEMA001" and path:
            parent, key = path[:-1], str(path[-1])
            note, repl = self.removal_note(target, kind, parent, key)
            was_known = self.declares(before, kind, parent, key)
            gone = note or since
            if was_known or note:
                why = f"it was removed in {gone}" + (f" (replaced by `{repl}`)" if repl else "")
            else:
                why = f"unknown keys are not accepted here from {since} on"
            message = f"`{dotted(path)}` is not part of OSSA {target}: {why}"
            if repl:
                message += f"; move its value to `{repl}` if it means the same"
            return replace(f, message=message, data={**f.data, "since": gone, "replacement": repl,
                                                     "explanation": why})
        if f.code == "SCHEMA002":
            why = f"OSSA {since} made it required (it was optional up to {before})"
        else:
            why = f"accepted up to ossa/{before}; the definition changed in {since}"
        return replace(f, message=f"{_sentence(f.message)} Not valid in OSSA {target}: {why}.",
                       data={**f.data, "since": since, "explanation": why})

    def explain_vocabulary(self, f: Finding, doc: DocPlan) -> Finding:
        """A vocabulary warning stands for a schema error of the source version: say so."""
        was = next((g for g in (self.before.findings if self.before is not None else ())
                    if g.document == f.document and g.source == "schema" and _related(g.pointer, f.pointer)), None)
        if was is None:
            return f
        why = f"ossa/{doc.source} reported this as {was.code}; the ossa/{doc.steps[-1]} schema no longer checks " \
              "`spec`"
        return replace(f, message=f"{_sentence(f.message)} {why}.", data={**f.data, "was": was.code,
                                                                          "explanation": why})

    def declares(self, version: str, kind: str | None, parent: Sequence[str | int], key: str) -> bool:
        from ossa_lsp.core.schema.navigate import properties

        nav = self.nav_for(version, kind)
        if nav is None:
            return False
        return key in properties(nav, nav.at(list(parent)))

    def removal_note(self, version: str, kind: str | None, parent: Sequence[str | int],
                     key: str) -> tuple[str | None, str | None]:
        """("v0.4.6", "bar") from a note "Removed in v0.4.6: `key` (replaced by `bar`)" on the parent object."""
        nav = self.nav_for(version, kind)
        if nav is None:
            return None, None
        for s in nav.at(list(parent)):
            for alt in nav.alternatives(s):
                for note in _REMOVED_NOTE.finditer(str(alt.get("description") or "")):
                    for name, repl in _NOTE_ITEM.findall(note.group(2)):
                        if name == key:
                            return note.group(1), repl or None
        return None, None


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _path(pointer: str) -> list[str | int]:
    out: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        out.append(int(part) if part.isdigit() else part)
    return out


def removal_notes(schema: dict[str, Any]) -> Iterator[tuple[str, str, str | None, str]]:
    """(version, old, replacement, description) for every "Removed in" note of a schema document."""
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            desc = node.get("description")
            if isinstance(desc, str):
                for note in _REMOVED_NOTE.finditer(desc):
                    for name, repl in _NOTE_ITEM.findall(note.group(2)):
                        yield note.group(1), name, repl or None, desc
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
