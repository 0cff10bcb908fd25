"""What a rule sees: one manifest document (data and tree with spans), its options, and helpers that put
a finding on the tightest span for a JSON path. Rules read data through the typed getters, which return
None for anything of the wrong type: a schema finding already reports those, so rules skip silently.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ossa_lsp.core.constants import MAP, SCALAR, SEQ
from ossa_lsp.core.findings import Finding, Fix, Related, Severity, TextEdit
from ossa_lsp.core.rules.data import ModelRegistry, bundled_models
from ossa_lsp.core.schema.validate import pointer
from ossa_lsp.core.text.anchor import On, anchor_span, missing_in
from ossa_lsp.core.text.source import Document, Node, key_text
from ossa_lsp.core.text.spans import LineIndex, Span

if TYPE_CHECKING:
    from ossa_lsp.core.workspace.index import WorkspaceIndex

Path = Sequence[str | int]
Trail = tuple[Any, str | int] | None  # (parent trail, key or index): a path built only when reported


@dataclass
class Env:
    """Shared by every rule of one Policy: the check date and the model registry."""

    today: date = field(default_factory=date.today)
    models: ModelRegistry = field(default_factory=bundled_models)


class Context:
    def __init__(self, doc: Document, rule_code: str, rule_name: str, severity: Severity, options: dict[str, Any], env: Env,
                 lines: LineIndex | None = None, shared: dict[str, Any] | None = None,
                 workspace: WorkspaceIndex | None = None, path: str | None = None, source: str = "policy") -> None:
        self.doc = doc
        self.source = source  # the findings' source: "policy", or a rule family's own (e.g. "vocabulary")
        self.workspace = workspace  # every manifest's agents (cross-file rules); None for a lone file
        self.path = path
        self.lines = lines
        self.secrets: list[str] = []  # secret values found, so the policy can mask them in other messages
        self.shared = shared if shared is not None else {}  # per-document work shared by the rules
        self.data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        self.rule_code = rule_code  # the rule's code and kebab name, for its findings
        self.rule_name = rule_name
        self.severity = severity
        self.options = options
        self.env = env

    # --- typed reads (None when absent or of the wrong type) -------------------------------------

    def get(self, *path: str | int) -> Any:
        cur: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(cur, list) or not 0 <= part < len(cur):
                    return None
                cur = cur[part]
            else:
                if not isinstance(cur, dict):
                    return None
                cur = cur.get(part)
        return cur

    def mapping(self, *path: str | int) -> dict[str, Any] | None:
        v = self.get(*path)
        return v if isinstance(v, dict) else None

    def sequence(self, *path: str | int) -> list[Any] | None:
        v = self.get(*path)
        return v if isinstance(v, list) else None

    def text(self, *path: str | int) -> str | None:
        v = self.get(*path)
        return v if isinstance(v, str) else None

    def number(self, *path: str | int) -> float | None:
        v = self.get(*path)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    def has(self, *path: str | int) -> bool:
        parent = self.get(*path[:-1]) if len(path) > 1 else self.data
        return isinstance(parent, dict) and path[-1] in parent

    def tools(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for i, t in enumerate(self.sequence("spec", "tools") or []):
            if isinstance(t, dict):
                yield i, t

    def strings(self) -> list[tuple[Trail, Node]]:
        """Every text value in the document, with its trail (see `path_of`); walked once per document and
        shared by the rules that scan all values."""
        found = self.shared.get("strings")
        if found is None:
            found = self.shared["strings"] = _strings(self.doc.root)
        return found

    @staticmethod
    def path_of(trail: Trail) -> list[str | int]:
        out: list[str | int] = []
        while trail is not None:
            trail, part = trail
            out.append(part)
        out.reverse()
        return out

    @property
    def labels(self) -> dict[str, Any]:
        return self.mapping("metadata", "labels") or {}

    # --- spans ---------------------------------------------------------------------------------

    def nodes(self, path: Path) -> tuple[Node | None, Node | None]:
        """(key node, value node) at the path, or (None, None) when the path does not exist."""
        key, value, depth = self.doc.locate(path)
        if depth < len(path):
            return None, None
        return key, value.deref() if value is not None else None

    def span(self, path: Path, on: On = "value") -> Span:
        """Where a finding about `path` goes (`core/text/anchor.py`)."""
        return anchor_span(self.doc, path, on)

    def anchor(self, parent: Path) -> Span:
        """Where a finding about something missing in the object at `parent` goes."""
        return missing_in(self.doc, parent)

    # --- findings --------------------------------------------------------------------------------

    def report(self, path: Path, message: str, *, on: On = "value", severity: Severity | None = None,
               fixes: tuple[Fix, ...] = (), span: Span | None = None, related: tuple[Related, ...] = (),
               **data: Any) -> Finding:
        return Finding(code=self.rule_code, severity=severity or self.severity, source=self.source, message=message,
                       span=span or self.span(path, on), pointer=pointer(path), document=self.doc.index,
                       fixes=fixes, related=related, data={"rule": self.rule_name, **data})

    def related(self, path: Path, message: str) -> tuple[Related, ...]:
        return (Related(message, self.span(path)),)

    def missing(self, path: Path, message: str, *, severity: Severity | None = None,
                fixes: tuple[Fix, ...] = ()) -> Finding:
        """A finding about something absent at `path`, placed on its parent's key."""
        return self.report(path, message, severity=severity, fixes=fixes, span=self.span(path, "missing"))

    def replace(self, path: Path, new_text: str, title: str, *, safe: bool) -> tuple[Fix, ...]:
        """A fix that replaces the scalar value at the path (keeping everything around it)."""
        _key, value = self.nodes(path)
        if value is None or value.kind != SCALAR or value.span.start.line != value.span.end.line:
            return ()
        if value.style in ('"', "'"):
            new_text = f"{value.style}{new_text}{value.style}"
        return (Fix(title=title, edits=(TextEdit(value.span, new_text),), safe=safe, preferred=True),)


def _strings(root: Node | None) -> list[tuple[Trail, Node]]:
    out: list[tuple[Trail, Node]] = []
    if root is None:
        return out
    stack: list[tuple[Trail, Node]] = [(None, root)]
    while stack:
        trail, node = stack.pop()
        kind = node.kind
        if kind == SCALAR:  # aliases are skipped: the anchored value is visited where it is defined
            if isinstance(node.value, str):
                out.append((trail, node))
        elif kind == MAP:
            for k, v in node.items:
                stack.append(((trail, key_text(k)), v))
        elif kind == SEQ:
            for i, v in enumerate(node.items):
                stack.append(((trail, i), v))
    return out
