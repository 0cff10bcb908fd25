"""Code lenses (textDocument/codeLens): a thin handler over core/answers/lens.py.

A click runs `ossa.showReferences` with (uri, position, locations) in LSP terms. The VS Code extension
registers that command itself and hands it to `editor.action.showReferences` (which wants VS Code objects,
not JSON); for every other client the server offers the same command, which opens the first location
(`window/showDocument`) and returns them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.workspace import TextDocument

from ossa_lsp.lsp import indexing
from ossa_lsp.lsp.convert import range_in, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

if TYPE_CHECKING:
    from ossa_lsp.core.answers.lens import Lens
    from ossa_lsp.core.text.spans import Span

SHOW_REFERENCES = "ossa.showReferences"  # a client-side command (vscode-extension/src/commandIds.ts)
MAX_READS = 50  # files read per request to place columns exactly; beyond, columns stay code points


class _Lines:
    """Line lists of the files the locations point into (open buffers, else the file read once)."""

    def __init__(self, ls: OssaLanguageServer) -> None:
        self.ls = ls
        self.files: dict[str, Sequence[str]] = {}

    def location(self, path: str, span: Span) -> types.Location:
        from ossa_lsp.core import files

        uri = indexing.uri_of(path)
        doc = self.ls.open_document(uri)
        if doc is not None:
            return types.Location(uri=uri, range=to_range(doc, span, self.ls.lines(doc)))
        if path not in self.files and len(self.files) >= MAX_READS:  # exact for ASCII lines
            return types.Location(uri=uri, range=types.Range(
                start=types.Position(span.start.line, span.start.character),
                end=types.Position(span.end.line, span.end.character)))
        if path not in self.files:
            try:
                self.files[path] = (files.load(path).text or "").split("\n")
            except files.FileError:
                self.files[path] = []
        encoding = str(self.ls.workspace.position_encoding or types.PositionEncodingKind.Utf16)
        return types.Location(uri=uri, range=range_in(self.files[path], span, encoding))


async def code_lens(ls: OssaLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    from ossa_lsp.core.answers import lens

    doc = ls.open_document(params.text_document.uri)
    if doc is None or not ls.settings.code_lens or ls.is_config(doc):
        return None
    await ls.index_ready()
    if await ls.analysis_async(doc) is None:  # the index now holds this buffer's agents
        return None
    return [_lens(ls, doc, item, _Lines(ls)) for item in lens.lenses(ls.index, doc.path or doc.uri)]


def _lens(ls: OssaLanguageServer, doc: TextDocument, item: Lens, where: _Lines) -> types.CodeLens:
    rng = to_range(doc, item.span, ls.lines(doc))
    rng = types.Range(start=rng.start, end=rng.start if item.span.start.line != item.span.end.line else rng.end)
    locations = [where.location(path, span) for path, span in item.targets]
    command = types.Command(title=item.title, command=SHOW_REFERENCES,
                            arguments=[doc.uri, _position(rng.start), [_json(loc) for loc in locations]])
    return types.CodeLens(range=rng, command=command)


def _position(p: types.Position) -> dict[str, int]:
    return {"line": p.line, "character": p.character}


def _json(loc: types.Location) -> dict[str, Any]:
    return {"uri": loc.uri, "range": {"start": _position(loc.range.start), "end": _position(loc.range.end)}}


async def show_references(ls: OssaLanguageServer, *args: Any) -> list[dict[str, Any]]:
    """`ossa.showReferences` for clients without their own: open the first location, return them all."""
    locations = [loc for loc in (args[2] if len(args) > 2 and isinstance(args[2], list) else [])
                 if _is_location(loc)]
    caps = ls.client_capabilities.window if ls.client_capabilities else None
    if locations and caps is not None and caps.show_document is not None and caps.show_document.support:
        first = locations[0]
        start, end = first["range"]["start"], first["range"]["end"]
        try:
            await ls.window_show_document_async(types.ShowDocumentParams(
                uri=first["uri"], take_focus=True, selection=types.Range(
                    start=types.Position(start["line"], start["character"]),
                    end=types.Position(end["line"], end["character"]))))
        except Exception as err:  # the client may refuse: the locations are still the answer
            ls.log(f"showDocument failed: {err}", types.MessageType.Info)
    return locations


def _is_location(loc: Any) -> bool:
    def position(p: Any) -> bool:
        return isinstance(p, dict) and all(isinstance(p.get(k), int) and p[k] >= 0 for k in ("line", "character"))

    rng = loc.get("range") if isinstance(loc, dict) else None
    return isinstance(loc, dict) and isinstance(loc.get("uri"), str) and isinstance(rng, dict) \
        and position(rng.get("start")) and position(rng.get("end"))


def register(ls: OssaLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_CODE_LENS)(code_lens)
    ls.command(SHOW_REFERENCES)(show_references)
