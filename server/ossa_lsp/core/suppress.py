"""Suppressions written in YAML comments, and marking the findings they cover.

    key: value  # ossa-lsp: ignore[SEC003] -- reason      covers that node and everything below it
    # ossa-lsp: ignore[SEC003,COST001] -- reason          on its own line: covers the next key's node
    # ossa-lsp: file-ignore[COST005] -- reason            in the first comment block: the whole file

Selectors are codes, kebab names or code prefixes (`SEC`), like everywhere else. A suppression marks
findings of any source (`Finding.suppressed = reason`); they stay in the output (SARIF shows them as
suppressed) but no longer count. JSON has no comments, so JSON manifests have no suppressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ossa_lsp.core.codes import known_selector, matches
from ossa_lsp.core.constants import MAP, SCALAR, SEQ
from ossa_lsp.core.findings import Finding
from ossa_lsp.core.text.source import Document, Manifest, Node
from ossa_lsp.core.text.spans import Pos, Span

MARK = "ossa-lsp"
_DIRECTIVE = re.compile(r"#\s*ossa-lsp\s*:\s*(?P<kind>[A-Za-z-]*)(?P<rest>.*)\Z")
_BRACKETS = re.compile(r"\s*\[(?P<sel>[^\]]*)\](?P<tail>.*)\Z")


@dataclass
class Suppression:
    kind: str  # "line" | "file"
    selectors: list[tuple[str, Span]]  # as written, with the span of each in the comment
    reason: str | None
    span: Span  # the comment, from '#' to the end of the line
    own_line: bool  # the comment is alone on its line (it covers the next key)
    document: int = 0
    region: Span | None = None  # what a line suppression covers
    problem: str | None = None  # why it is malformed (then it suppresses nothing)
    used: set[int] = field(default_factory=set)  # indexes of selectors that matched a finding

    def covers(self, f: Finding) -> int | None:
        """Index of the first selector that suppresses this finding, if any."""
        if self.problem is not None:
            return None
        if self.kind == "line":
            if self.region is None or f.document != self.document:
                return None
            if not self.region.start <= f.span.start <= self.region.end:
                return None
        for i, (sel, _span) in enumerate(self.selectors):
            if matches(sel, f.code):
                return i
        return None

    def unknown_selectors(self) -> list[tuple[str, Span]]:
        """Selectors that name no code (NONE counts: it suppresses nothing)."""
        return [(s, sp) for s, sp in self.selectors if not known_selector(s) or s.strip().upper() == "NONE"]


def _comment_start(line: str) -> int:
    """Index of the '#' that starts a YAML comment on this line (outside quotes), or -1."""
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'" and (i == 0 or line[i - 1] in " \t[{,:-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return -1


def _first_block_end(lines: list[str]) -> int:
    """Number of leading lines that are blank, comments, directives or document markers."""
    for n, text in enumerate(lines):
        s = text.strip()
        if s and not s.startswith(("#", "%")) and s != "---":
            return n
    return len(lines)


def _multiline_scalars(doc: Document) -> list[Span]:
    out: list[Span] = []
    stack = [doc.root] if doc.root is not None else []
    while stack:
        node = stack.pop()
        if node.kind == SCALAR:
            if node.span.end.line > node.span.start.line:
                out.append(node.span)
        elif node.kind == MAP:
            stack.extend(v for _k, v in node.items)
        elif node.kind == SEQ:
            stack.extend(node.items)
    return out


def _regions(doc: Document) -> dict[int, Span]:
    """For each line, the outermost node that starts on it: a key with its value, or a list item."""
    out: dict[int, Span] = {}

    def visit(node: Node) -> None:
        if node.kind == MAP:
            for k, v in node.items:
                end = max(k.span.end, v.span.end)
                out.setdefault(k.span.start.line, Span(k.span.start, end))
                visit(v)
        elif node.kind == SEQ:
            for item in node.items:
                out.setdefault(item.span.start.line, item.span)
                visit(item)

    if doc.root is not None:
        visit(doc.root)
    return out


def _doc_for(manifest: Manifest, line: int) -> Document | None:
    for doc in manifest.documents:
        if doc.span.start.line <= line <= doc.span.end.line:
            return doc
    return next((d for d in manifest.documents if d.span.start.line > line), None)


def parse(manifest: Manifest) -> list[Suppression]:
    """Every `# ossa-lsp:` directive in the manifest's comments."""
    text = manifest.text
    if MARK not in text or manifest.format != "yaml":
        return []
    lines = text.split("\n")
    first_block = _first_block_end(lines)
    scalars: dict[int, list[Span]] = {}
    regions: dict[int, dict[int, Span]] = {}
    out: list[Suppression] = []
    for n, line in enumerate(lines):
        if MARK not in line:
            continue
        col = _comment_start(line)
        m = _DIRECTIVE.match(line, col) if col >= 0 else None
        if m is None or (m.group("kind") == "version" and m.group("rest").lstrip().startswith("=")):
            continue  # not a suppression (`version=` is the version pin: core/schema/modeline.py)
        doc = _doc_for(manifest, n)
        if doc is not None:
            if doc.index not in scalars:
                scalars[doc.index] = _multiline_scalars(doc)
            if any(s.start < Pos(n, col) < s.end for s in scalars[doc.index]):
                continue  # inside a block of text, not a comment
        out.append(_directive(m, n, col, line, first_block, lines, manifest, regions))
    return out


def _directive(m: re.Match[str], n: int, col: int, line: str, first_block: int, lines: list[str],
               manifest: Manifest, regions: dict[int, dict[int, Span]]) -> Suppression:
    end = len(line.rstrip("\r"))
    span = Span(Pos(n, col), Pos(n, end))
    own_line = not line[:col].strip()
    kind_word = m.group("kind")
    sup = Suppression(kind="file" if kind_word == "file-ignore" else "line", selectors=[], reason=None, span=span,
                      own_line=own_line)
    if kind_word not in ("ignore", "file-ignore"):
        sup.problem = f"unknown directive '{kind_word}': use 'ignore[CODE] -- reason' or 'file-ignore[CODE] -- reason'"
        return sup
    rest_start = m.start("rest")
    b = _BRACKETS.match(line, rest_start)
    if b is None:
        sup.problem = f"'{kind_word}' needs the codes in brackets, e.g. {kind_word}[SEC003] -- reason"
        return sup
    sel_start = b.start("sel")
    pos = 0
    for part in b.group("sel").split(","):
        word = part.strip()
        if word:
            at = sel_start + pos + part.index(word)
            sup.selectors.append((word, Span(Pos(n, at), Pos(n, at + len(word)))))
        pos += len(part) + 1
    reason = b.group("tail").strip().lstrip("-:").strip().rstrip("\r")
    sup.reason = reason or None
    if not sup.selectors:
        sup.problem = "no codes between the brackets"
    elif sup.kind == "file" and n >= first_block:
        sup.problem = "file-ignore only works in the first comment block of the file, before any content"
    if sup.kind == "line":
        target = n
        if own_line:
            target = n + 1
            while target < len(lines) and (not lines[target].strip() or lines[target].lstrip().startswith("#")):
                target += 1
        doc = _doc_for(manifest, target)
        if doc is not None:
            sup.document = doc.index
            if doc.index not in regions:
                regions[doc.index] = _regions(doc)
            sup.region = regions[doc.index].get(target)
        if sup.region is None:
            width = len(lines[target]) if target < len(lines) else 0
            sup.region = Span(Pos(target, 0), Pos(target, width))
    return sup


def apply(sups: list[Suppression], findings: Iterable[Finding]) -> None:
    """Mark each covered finding as suppressed (with the reason; '' when none was given)."""
    if not sups:
        return
    for f in findings:
        if f.suppressed is not None:
            continue
        for sup in sups:
            i = sup.covers(f)
            if i is not None:
                sup.used.add(i)
                f.suppressed = sup.reason or ""
                break
