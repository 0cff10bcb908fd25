"""textDocument/codeAction (+ resolve): quick fixes for findings, fix-all, suppressions, skeletons,
and upgrades to a newer OSSA version.

Quick fixes carry their (small, precomputed) edits. `source.fixAll.ossa`, section skeletons and
upgrades ("Upgrade to OSSA v0.5.0", offered on `apiVersion` where the outdated-version hint
SCHEMA014 is) are resolved lazily when the client supports `codeAction/resolve`, since they
re-analyse or re-plan the file.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.lsp.convert import to_range
from ossa_lsp.lsp.server import Entry, OssaLanguageServer

FIX_ALL = "source.fixAll.ossa"

SKELETONS: dict[str, tuple[list[str], str, list[str]]] = {
    # name: (path of the parent mapping, key to add, body lines relative to the new key)
    "cost": (["spec", "constraints"], "cost",
             ["maxTokensPerDay: 100000", "maxTokensPerRequest: 4000", "maxCostPerDay: 10.00", "currency: USD"]),
    "observability": (["spec"], "observability",
                      ["tracing:", "  enabled: true", "  exporter: otlp", "  endpoint: http://otel-collector:4318",
                       "metrics:", "  enabled: true", "  exporter: prometheus", "logging:", "  level: info",
                       "  format: json"]),
}
TITLES = {"cost": "Add cost constraints", "observability": "Add observability (tracing, metrics, logging)"}


def _edit(ls: OssaLanguageServer, doc: TextDocument, edits: list[Any]) -> types.WorkspaceEdit:
    lines = ls.lines(doc)
    text_edits = [types.TextEdit(range=to_range(doc, e.span, lines), new_text=e.new_text) for e in edits]
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
        edits=text_edits)])


def _matches(diag: types.Diagnostic, code: str, rng: types.Range) -> bool:
    return diag.code == code and diag.range == rng


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return not (a.end.line < b.start.line or (a.end.line == b.start.line and a.end.character < b.start.character)
                or b.end.line < a.start.line or (b.end.line == a.start.line and b.end.character < a.start.character))


def quick_fixes(ls: OssaLanguageServer, doc: TextDocument, entry: Entry, params: types.CodeActionParams) -> list[types.CodeAction]:
    from ossa_lsp.core.fixes import suppression_fix

    out: list[types.CodeAction] = []
    lines = ls.lines(doc)
    manifest = entry.analysis.manifest
    for f in entry.analysis.findings:
        if f.suppressed is not None:
            continue
        rng = to_range(doc, f.span, lines)
        if not _overlaps(rng, params.range):
            continue
        diags = [d for d in params.context.diagnostics if _matches(d, f.code, rng)]
        for fix in f.fixes:
            title = fix.title if fix.safe else f"{fix.title} (review: changes behaviour)"
            out.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=diags or None,
                                        is_preferred=(fix.preferred and fix.safe) or None,
                                        edit=_edit(ls, doc, list(fix.edits))))
        sup = suppression_fix(f, manifest)
        if sup is not None:
            out.append(types.CodeAction(title=sup.title, kind=types.CodeActionKind.QuickFix, diagnostics=diags or None,
                                        edit=_edit(ls, doc, list(sup.edits))))
    return out


def _missing_sections(entry: Entry) -> list[str]:
    out = []
    for doc in entry.analysis.manifest.documents:
        data = doc.data if isinstance(doc.data, dict) else None
        spec = data.get("spec") if data else None
        if not isinstance(spec, dict):
            continue
        constraints = spec.get("constraints")
        pasted = data.get("constraints") if data else None  # a block at the wrong level: SCHEMA001 moves it
        if (not isinstance(constraints, dict) or "cost" not in constraints) and not (
                isinstance(pasted, dict) and "cost" in pasted):
            out.append("cost")
        if "observability" not in spec and data is not None and "observability" not in data:
            out.append("observability")
        break
    return out


def upgrade_actions(ls: OssaLanguageServer, doc: TextDocument, entry: Entry, params: types.CodeActionParams,
                    data: dict[str, Any]) -> list[types.CodeAction]:
    """"Upgrade to OSSA <newest>" and "Upgrade to the next version (<next>)" on an outdated apiVersion."""
    from ossa_lsp.core.migrate import upgrade_caveat, upgrade_targets

    out: list[types.CodeAction] = []
    manifest = entry.analysis.manifest
    for f in entry.analysis.findings:
        if f.code != "SCHEMA014" or f.suppressed is not None or f.document >= len(manifest.documents):
            continue
        rng = to_range(doc, f.span, ls.lines(doc))
        if rng.start.line > params.range.end.line or rng.end.line < params.range.start.line:
            continue
        mdoc = manifest.documents[f.document]
        targets = upgrade_targets(mdoc.api_version, mdoc.kind, default_version=ls.settings.default_version)
        if not targets:
            continue
        diags = [d for d in params.context.diagnostics if _matches(d, f.code, rng)] or None
        newest, following = targets[-1], targets[0]
        # e.g. from v0.4.6 the schema no longer checks `spec`: the title says so before anyone picks it
        caveat = {t: " (its schema no longer checks spec; ossa-lsp warns instead)" for t in targets
                  if upgrade_caveat(mdoc.api_version, mdoc.kind, t, default_version=ls.settings.default_version)}
        titled = [(newest, f"Upgrade to OSSA {newest}{caveat.get(newest, '')}")]
        if following != newest:
            titled.append((following, f"Upgrade to the next version ({following}){caveat.get(following, '')}"))
        for target, title in titled:
            out.append(types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite, diagnostics=diags,
                                        data={**data, "action": "upgrade", "target": target,
                                              "document": f.document}))
    return out


OPTIONS = types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL, types.CodeActionKind.RefactorRewrite],
    resolve_provider=True)


def on_code_action(ls: OssaLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    doc = ls.open_document(params.text_document.uri)
    entry = ls.analysis_now(doc) if doc is not None else None
    if doc is None or entry is None:
        return None
    only = params.context.only
    wanted = (lambda kind: True) if not only else (lambda kind: any(kind.startswith(o) for o in only))
    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix):
        actions.extend(quick_fixes(ls, doc, entry, params))
    data = {"uri": doc.uri, "version": doc.version}
    if wanted(FIX_ALL) and any(fx.safe for f in entry.analysis.findings for fx in f.fixes):
        actions.append(types.CodeAction(title="Fix all safely fixable OSSA problems",
                                        kind=FIX_ALL, data={**data, "action": "fixAll"}))
    if wanted(types.CodeActionKind.RefactorRewrite) and not entry.analysis.manifest.has_syntax_error:
        actions.extend(upgrade_actions(ls, doc, entry, params, data))
        for name in _missing_sections(entry):
            actions.append(types.CodeAction(title=TITLES[name], kind=types.CodeActionKind.RefactorRewrite,
                                            data={**data, "action": "skeleton", "section": name}))
    return actions


def on_resolve(ls: OssaLanguageServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    doc = ls.open_document(str(data.get("uri", "")))
    if doc is None or doc.version != data.get("version"):
        return action  # stale: the client asks again with the new version
    if data.get("action") == "fixAll":
        action.edit = fix_all_edit(ls, doc)
    elif data.get("action") == "skeleton":
        action.edit = skeleton_edit(ls, doc, str(data.get("section")))
    elif data.get("action") == "upgrade":
        document = data.get("document")
        action.edit = upgrade_edit(ls, doc, str(data.get("target")), document if isinstance(document, int) else 0)
    return action


def fix_all_edit(ls: OssaLanguageServer, doc: TextDocument) -> types.WorkspaceEdit | None:
    from ossa_lsp.core.analyze import analyze
    from ossa_lsp.core.fixes import fix_text, text_edits_between

    path = doc.path or doc.uri
    policy = ls.policy_for(path)
    result = fix_text(doc.source, lambda text: analyze(text, path, policy=policy).findings, unsafe=False)
    if result.refused or result.text == doc.source:
        return None
    return _edit(ls, doc, text_edits_between(doc.source, result.text))


def skeleton_edit(ls: OssaLanguageServer, doc: TextDocument, section: str) -> types.WorkspaceEdit | None:
    from ossa_lsp.core.fixes import insert_block

    entry = ls.analysis_now(doc)
    if entry is None or section not in SKELETONS or not entry.analysis.manifest.documents:
        return None
    parent_path, key, body = SKELETONS[section]
    mdoc = entry.analysis.manifest.documents[0]
    lines = entry.analysis.manifest.lines
    _, parent, depth = mdoc.locate(parent_path)
    if depth != len(parent_path) and parent_path[-1] == "constraints":  # no constraints: add it with cost
        _, parent, depth = mdoc.locate(parent_path[:-1])
        if depth != len(parent_path) - 1 or parent is None:
            return None
        edit = insert_block(parent, "constraints", ["cost:", *("  " + b for b in body)], lines)
    elif parent is None:
        return None
    else:
        edit = insert_block(parent, key, body, lines)
    return _edit(ls, doc, [edit]) if edit is not None else None


def upgrade_edit(ls: OssaLanguageServer, doc: TextDocument, target: str, document: int) -> types.WorkspaceEdit | None:
    """The migrate edits (apiVersion and renamed keys, nothing else) for one document of the file."""
    from ossa_lsp.core.migrate import mainline, plan

    if target not in mainline():
        return None
    result = plan(doc.source, doc.path or doc.uri, target, default_version=ls.settings.default_version,
                  documents={document})
    if result.refused is not None or not result.edits:
        return None
    return _edit(ls, doc, result.edits)


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, OPTIONS)(on_code_action)
    ls.feature(types.CODE_ACTION_RESOLVE)(on_resolve)
