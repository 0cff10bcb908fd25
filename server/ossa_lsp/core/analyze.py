"""The engine's front door: text (+ path, schema choice) → parsed manifest, document facts, findings.

The LSP server and `ossa-lsp check` both call `analyze`, so the editor and CI report the same
findings, byte for byte.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ossa_lsp.core.constants import MAP, SCALAR, SEQ
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.fixes import schema_fixes
from ossa_lsp.core.schema.modeline import Pin
from ossa_lsp.core.schema.registry import (
    API_VERSION_SHAPE,
    REGISTRY,
    CompiledSchema,
    SchemaError,
    SchemaRegistry,
)
from ossa_lsp.core.schema.validate import pointer, show, validate_document
from ossa_lsp.core.scrub import scrub_findings, tree_secrets
from ossa_lsp.core.text.source import DEFAULT_LIMITS, Document, Limits, Manifest, Node, key_text, parse
from ossa_lsp.core.text.spans import Pos, Span


@dataclass(slots=True)
class DocumentInfo:
    index: int
    api_version: str | None
    kind: str | None
    schema: str | None  # label of the schema used (e.g. "ossa/v0.2.2" or a file path)
    valid: bool

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "apiVersion": self.api_version, "kind": self.kind,
                "schema": self.schema, "valid": self.valid}


@dataclass(slots=True)
class Analysis:
    path: str | None
    manifest: Manifest
    documents: list[DocumentInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    schemas: dict[int, CompiledSchema] = field(default_factory=dict)  # document index → schema used
    secrets: list[str] = field(default_factory=list)  # values to mask in every message (core/scrub.py)
    scanned: set[int] = field(default_factory=set)  # documents whose values the policy checked for secrets

    def schema_at(self, pos: Pos) -> CompiledSchema | None:
        """The schema of the YAML document holding `pos` (each `---` document has its own apiVersion);
        before the first document or between documents, the nearest one above, else the first."""
        chosen = None
        for doc in self.manifest.documents:
            if doc.index in self.schemas and doc.span.start <= pos:
                chosen = self.schemas[doc.index]
        return chosen or self.schemas.get(0) or next(iter(self.schemas.values()), None)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR and f.suppressed is None)


class PolicyLike(Protocol):
    """What `analyze` needs from the policy engine (core/rules): add policy findings to the analysis and
    mark suppressed findings (`Finding.suppressed`) of any source."""

    def apply(self, analysis: Analysis, workspace: Any = None) -> None: ...


def _is_empty(doc: Document) -> bool:
    root = doc.root
    return root is None or (root.kind == SCALAR and root.value is None and root.tag is None)


def _finding(code: str, message: str, span: Span, doc: int, ptr: str, sev: Severity = Severity.ERROR,
             **data: Any) -> Finding:
    return Finding(code=code, severity=sev, source="schema", message=message, span=span, pointer=ptr,
                   document=doc, data=data)


def _outdated(doc: Document, used: CompiledSchema, registry: SchemaRegistry) -> Finding | None:
    """A hint that a newer OSSA version exists (never a warning: old versions stay valid)."""
    newest = registry.newest()
    if used.version is None or used.version == newest or used.version not in registry.supported():
        return None
    entry = next((e for e in registry.catalog if e.version == newest), None)
    if entry is not None and doc.kind and entry.kinds and doc.kind not in entry.kinds:
        return None  # the newest version has no such kind: nothing to upgrade to
    root = doc.root.deref() if doc.root is not None else None
    pair = root.get("apiVersion") if root is not None and root.kind == MAP else None
    if pair is None:
        return None
    declared = f"ossa/{used.version}"
    if isinstance(doc.api_version, str) and doc.api_version != declared:  # a stand-in schema: name both
        declared = f"{doc.api_version}, checked as ossa/{used.version}"
    from ossa_lsp.core.schema.vocabulary import unchecked_note

    caveat = unchecked_note(used.version, newest, doc.kind)
    return Finding(code="SCHEMA014", severity=Severity.HINT, source="schema", document=doc.index,
                   span=pair[1].span, pointer="/apiVersion",
                   message=f"A newer OSSA version exists: ossa/{newest} (this manifest uses {declared}); "
                           "`ossa-lsp migrate` upgrades it" + (f". Note: {caveat}" if caveat else ""),
                   data={"newest": newest})


def _trust_before_break(doc: Document, found: list[Finding], syntax: list[Finding]) -> list[Finding]:
    """In a document cut short by a syntax error, findings from the error's line on are guesses
    about text the parser never read (e.g. a value that looks empty): drop them."""
    if doc.complete:
        return found
    breaks = [f.span.start.line for f in syntax if f.code == "YAML001" and f.document == doc.index]
    if not breaks:
        return found
    cut = min(breaks)
    return [f for f in found if f.span.start.line < cut]


def _set_aside_paths(doc: Document, set_aside: dict[int, str]) -> list[tuple[list[str | int], str | None, bool]]:
    """For each line set aside after a syntax error: (path of the object it sat in, the key it wrote or
    started to write, whether that object now reads as empty because of it)."""
    out: list[tuple[list[str | int], str | None, bool]] = []
    for line, text in set_aside.items():
        if not doc.span.start.line <= line <= max(doc.span.end.line, doc.span.start.line) + 1:
            continue
        visual = text.expandtabs(8)
        stripped = visual.lstrip(" -")
        if not stripped.strip():
            continue
        key, colon, _rest = stripped.partition(":")
        path, node = _parent_at(doc, line, len(visual) - len(stripped))
        empty = node is None or (node.kind == SCALAR and node.value is None)
        word = key.strip() if colon else stripped.split()[0]
        out.append((path, word.strip("'\""), empty))
    return out


def _parent_at(doc: Document, line: int, indent: int) -> tuple[list[str | int], Node | None]:
    """The path of the collection a line at `indent` belongs to: the deepest key (or list item) that starts
    before the line, further left."""
    path: list[str | int] = []
    node = doc.root.deref() if doc.root is not None else None
    while node is not None:
        if node.kind == MAP:
            before = [(k, v) for k, v in node.items if k.span.start.line < line and k.span.start.character < indent]
            if not before:
                break
            k, v = before[-1]
            path.append(key_text(k))
        elif node.kind == SEQ:
            items = [(i, v) for i, v in enumerate(node.items)
                     if v.span.start.line < line and v.span.start.character < indent]
            if not items:
                break
            i, v = items[-1]
            path.append(i)
        else:
            break
        node = v.deref()
    return path, node


def _caused_by_setting_aside(found: list[Finding], doc: Document, set_aside: dict[int, str]) -> list[Finding]:
    """Drop findings that only exist because broken lines were set aside: a key they wrote (or were typing)
    reported missing, the object they sat in reported empty or of the wrong shape. Findings elsewhere stay,
    so they do not vanish while someone types."""
    places = _set_aside_paths(doc, set_aside)
    if not places:
        return found
    caused_at: set[str] = set()  # pointers whose findings the setting aside causes
    missing: set[tuple[str, str]] = set()  # (object, key) reported missing because its line was set aside
    for path, key, empty in places:
        parent = pointer(path)
        if empty:
            caused_at.add(parent)
        for depth in range(len(path) + 1):
            ancestor = pointer(path[:depth])
            if key:
                caused_at.add(ancestor + pointer([key]))
                missing.add((ancestor, key))

    def caused(f: Finding) -> bool:
        if f.pointer in caused_at or any(f.pointer.startswith(p + "/") for p in caused_at if p):
            return True
        if (f.pointer, f.data.get("missing")) in missing:
            return True
        return f.code in ("SCHEMA003", "SCHEMA010") and any(f.pointer == pointer(p) for p, _k, _e in places)

    return [f for f in found if f.document != doc.index or f.source == "yaml" or not caused(f)]


def _api_version_words(f: Finding, doc: Document, used: CompiledSchema, registry: SchemaRegistry) -> Finding:
    """An `apiVersion` the schema's pattern rejects: name the versions to write instead of the pattern."""
    if f.code != "SCHEMA005" or f.pointer != "/apiVersion":
        return f
    pattern = re.compile(str(f.data.get("pattern") or "(?!)"))
    fits = [f"ossa/{v}" for v in registry.supported() if pattern.search(f"ossa/{v}")]
    declared = doc.api_version or ""
    near = [v for v in fits if v.startswith(declared + ".") or v.startswith(declared + "-")]
    own = f"ossa/{used.version}" if used.version else ""
    example = near[-1] if near else own if own in fits else fits[-1] if fits else f"ossa/{registry.newest()}"
    said = f"`apiVersion` {show(doc.api_version)} is not a version the {used.label} schema accepts: write the " \
           f"full version, such as {example} (`ossa-lsp schema list` shows every supported version)"
    f.message = said
    return f


def _version_fix(value: str, registry: SchemaRegistry) -> str:
    """How to write an apiVersion that is not in the `ossa/vX.Y.Z` form: the likely intended one if clear."""
    bare = value.removeprefix("ossa/").strip()
    if re.fullmatch(r"v?[0-9]+(\.[0-9]+)*", bare):
        return f"write it as `ossa/{'' if bare.startswith('v') else 'v'}{bare}`"
    return f"OSSA manifests use `ossa/v` and a version number, such as `ossa/{registry.newest()}`"


def select_schema(doc: Document, registry: SchemaRegistry,
                  default_version: str | None = None) -> tuple[CompiledSchema | None, Finding | None]:
    """The bundled schema for this document's apiVersion, or one finding on `/apiVersion` saying why not."""
    root = doc.root.deref() if doc.root is not None else None
    pair = root.get("apiVersion") if root is not None and root.kind == MAP else None
    supported = registry.supported_text()
    if pair is None:
        anchor = root.items[0][0].span if root is not None and root.kind == MAP and root.items else doc.span
        msg = f"The manifest has no `apiVersion`; add one, e.g. `apiVersion: ossa/{registry.supported()[-1]}` " \
              f"(supported: {supported})"
        return None, _finding("SCHEMA011", msg, anchor, doc.index, "/apiVersion", supported=registry.supported())
    value_node = pair[1].deref()
    value = value_node.value if value_node.kind == SCALAR else None
    span = value_node.span if value_node.span.start != value_node.span.end else pair[0].span
    if not isinstance(value, str):
        msg = f"`apiVersion` must be text such as `ossa/{registry.supported()[-1]}`; got {show(value)}"
        return None, _finding("SCHEMA011", msg, span, doc.index, "/apiVersion", supported=registry.supported())
    if not value.startswith("ossa/"):
        msg = f"`apiVersion` {show(value)} is not an OSSA version: {_version_fix(value, registry)} " \
              f"(supported: {supported})"
        return None, _finding("SCHEMA011", msg, span, doc.index, "/apiVersion", supported=registry.supported())
    choice = registry.choose(value, doc.kind, default_version)
    if choice is None:
        shape = f"is not written like an OSSA version: {_version_fix(value, registry)}" \
            if not API_VERSION_SHAPE.match(value) else "is not a version this ossa-lsp bundles"
        msg = f"`apiVersion` {show(value)} {shape}; supported: {supported}. " \
              "To validate against another schema, use --schema FILE (or the `schemas` setting)"
        return None, _finding("SCHEMA011", msg, span, doc.index, "/apiVersion", supported=registry.supported())
    try:
        compiled = registry.get_file(choice.entry.version, choice.file)
    except (SchemaError, OSError, ValueError) as err:
        return None, _finding("SCHEMA013", f"Cannot load the bundled schema for {value}: {err}", span, doc.index,
                              "/apiVersion")
    from ossa_lsp.core.schema.versions import note

    said = note(choice)  # the declared version has no schema of its own: say which one is used
    if said is None:
        return compiled, None
    sev = Severity.WARNING if said[0] == "SCHEMA016" else Severity.HINT
    return compiled, _finding(said[0], said[1], span, doc.index, "/apiVersion", sev, used=choice.entry.version,
                              rule=choice.rule)


def analyze(text: str, path: str | None = None, **kw: Any) -> Analysis:
    """Analyse one file. The tree holds no reference cycles, so the cyclic GC is paused while it is
    built: on a 5,000-line file the collector otherwise takes about half the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyze(text, path, **kw)
    finally:
        if enabled:
            gc.enable()


def _not_a_mapping(doc: Document) -> Finding:
    root = doc.root.deref() if doc.root is not None else None
    return Finding(code="YAML004", severity=Severity.ERROR, source="yaml", document=doc.index,
                   span=root.span if root is not None else doc.span,
                   message="A manifest must be a mapping of keys (apiVersion, kind, metadata, spec), "
                           f"not {'a list' if isinstance(doc.data, list) else 'a single value'}")


def _pin(manifest: Manifest, path: str | None, registry: SchemaRegistry, findings: list[Finding]) -> Pin | None:
    """The file's version pin (core/schema/modeline.py) when it names a bundled schema; else a finding
    saying it was ignored."""
    if manifest.format != "yaml" or "#" not in manifest.text[:4096]:  # a modeline is a comment near the top
        return None
    from ossa_lsp.core.schema.modeline import find

    pin = find(manifest.text, path, registry)
    if pin is not None and pin.problem is not None:
        findings.append(Finding(code="SCHEMA018", severity=Severity.WARNING, source="schema", span=pin.span,
                                message=f"Version pin {pin.label} ignored: {pin.problem}", document=0))
    return pin if pin is not None and pin.version is not None else None


def _pinned(doc: Document, pin: Pin, registry: SchemaRegistry,
            default_version: str | None) -> tuple[CompiledSchema | None, Finding | None]:
    """The pinned version's schema, and a finding when the document's apiVersion selects another one."""
    version = pin.version or ""
    try:
        used = registry.get_file(version, pin.file) if pin.file else registry.get(version, doc.kind)
    except (SchemaError, OSError, ValueError) as err:
        return None, _finding("SCHEMA013", f"Cannot load the pinned schema ossa/{version}: {err}", pin.span,
                              doc.index, "")
    api = doc.api_version
    if api is None:
        return used, None  # the schema reports a missing apiVersion itself
    choice = registry.choose(api, doc.kind, default_version) if api.startswith("ossa/") else None
    if choice is not None and choice.entry.version == version:
        return used, None
    root = doc.root.deref() if doc.root is not None else None
    pair = root.get("apiVersion") if root is not None and root.kind == MAP else None
    span = pair[1].span if pair is not None else doc.span
    msg = f"`apiVersion` {show(api)} does not match the version pin {pin.label}; the file is checked with " \
          f"ossa/{version}, as the pin says"
    return used, _finding("SCHEMA019", msg, span, doc.index, "/apiVersion", Severity.WARNING, pinned=version)


def _validate(doc: Document, manifest: Manifest, schema: CompiledSchema | None, registry: SchemaRegistry,
              default_version: str | None, pin: Pin | None = None) -> tuple[list[Finding], CompiledSchema | None]:
    """Schema findings (with their fixes) for one document that is a mapping, and the schema they come
    from: `schema` when given, else the one its apiVersion selects (None when none can be used)."""
    out: list[Finding] = []
    is_json = manifest.format == "json"
    used, problem = schema, None
    if used is None:
        used, problem = _pinned(doc, pin, registry, default_version) if pin is not None else \
            select_schema(doc, registry, default_version)
        if problem is not None:
            out.extend(schema_fixes(doc, [problem], manifest.lines, is_json, registry.supported(), None))
    if used is None:
        return out, None
    try:
        found = _trust_before_break(doc, validate_document(doc, used.validator), manifest.findings)
        if problem is not None and problem.code in ("SCHEMA016", "SCHEMA019"):  # it stands for the mismatch
            found = [f for f in found if f.pointer != "/apiVersion"]
        found = [_api_version_words(f, doc, used, registry) for f in found]
        if found:
            found = schema_fixes(doc, found, manifest.lines, is_json, registry.supported(), used)
        out.extend(found)
    except SchemaError as err:
        out.append(_finding("SCHEMA013", f"Cannot use schema {used.label}: {err}", doc.span, doc.index, ""))
        return out, None
    except RecursionError:
        out.append(Finding(code="YAML006", severity=Severity.WARNING, source="yaml", document=doc.index,
                           span=doc.span, message="The document is nested too deeply to validate"))
    except Exception as err:  # e.g. a --schema whose $ref points off-line: a finding, not a traceback
        if used.trusted:
            raise  # our bundled schemas are tested: a failure there is a bug to see
        out.append(_finding("SCHEMA013", f"Cannot use schema {used.label}: {type(err).__name__}: {err}", doc.span,
                            doc.index, ""))
        return out, None
    return out, used


def _analyze(
    text: str,
    path: str | None = None,
    *,
    schema: CompiledSchema | None = None,
    registry: SchemaRegistry = REGISTRY,
    limits: Limits = DEFAULT_LIMITS,
    policy: PolicyLike | None = None,
    default_version: str | None = None,
    workspace: Any = None,
    manifest: Manifest | None = None,
) -> Analysis:
    """`manifest`: the text already parsed (the CLI parses once for the workspace index and the checks)."""
    if manifest is None:
        manifest = parse(text, path, limits)
    result = Analysis(path=path, manifest=manifest)
    findings = result.findings
    findings.extend(manifest.findings)
    pin = _pin(manifest, path, registry, findings) if schema is None else None
    bad_docs = {f.document for f in manifest.findings if f.severity == Severity.ERROR}
    multi = len(manifest.documents) > 1
    for doc in manifest.documents:
        if _is_empty(doc):
            if not multi and not manifest.findings:
                findings.append(Finding(code="YAML008", severity=Severity.WARNING, source="yaml",
                                        message="The document is empty", span=doc.span, document=doc.index))
            continue
        if isinstance(doc.data, dict):
            doc_findings, used = _validate(doc, manifest, schema, registry, default_version, pin)
        else:
            doc_findings, used = [_not_a_mapping(doc)], None
        if used is not None:
            result.schemas[doc.index] = used
            outdated = _outdated(doc, used, registry) if schema is None else None
            if outdated is not None:
                doc_findings.append(outdated)
        findings.extend(doc_findings)
        valid = doc.index not in bad_docs and not any(
            f.severity == Severity.ERROR for f in doc_findings) and used is not None
        result.documents.append(DocumentInfo(index=doc.index, api_version=doc.api_version, kind=doc.kind,
                                             schema=used.label if used is not None else None, valid=valid))
    if policy is not None:
        policy.apply(result, workspace)
    if manifest.set_aside:
        for doc in manifest.documents:
            findings[:] = _caused_by_setting_aside(findings, doc, manifest.set_aside)
    # Masking is a property of the output: every message is scrubbed, whatever rules ran or broke.
    if findings:
        result.secrets.extend(tree_secrets(d.root for d in manifest.documents if d.index not in result.scanned))
        scrub_findings(findings, result.secrets, manifest.text)
    findings.sort(key=Finding.sort_key)
    return result
