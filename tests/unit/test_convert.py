"""The engine's position codec (core/text/spans.py, with its ASCII fast path) must give exactly what pygls'
codec gives, in every position encoding, on ASCII and non-ASCII lines, in range and beyond; the server
splits each document's text into lines once per text."""

from __future__ import annotations

import gc
import weakref

import pytest
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from ossa_lsp.core.text.spans import Pos, Span
from ossa_lsp.lsp.convert import from_position, to_range
from ossa_lsp.lsp.server import OssaLanguageServer

TEXT = "apiVersion: ossa/v0.2.2\r\nkind: Agent\n\nmetadata:\n  name: café-😋-agent\n  x: y\n\n  last"
ENCODINGS = [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf32]


def _doc(encoding: types.PositionEncodingKind) -> TextDocument:
    return TextDocument("file:///t/a.ossa.yaml", TEXT, version=1, position_codec=PositionCodec(encoding))


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_from_position_matches_pygls(encoding):
    doc = _doc(encoding)
    lines = doc.lines
    for line in range(len(lines)):
        for character in range(0, 40):
            ours = from_position(doc, types.Position(line, character), lines)
            theirs = doc.position_codec.position_from_client_units(lines, types.Position(line, character))
            assert ours == Pos(theirs.line, theirs.character), (line, character)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_to_range_matches_pygls(encoding):
    doc = _doc(encoding)
    lines = doc.lines
    for line in range(len(lines) + 2):
        for character in range(0, 40):
            ours = to_range(doc, Span(Pos(line, character), Pos(line, character)), lines)
            theirs = doc.position_codec.position_to_client_units(lines, types.Position(line, character))
            assert ours.start == theirs, (line, character)


def test_lines_are_split_once_per_text_and_follow_edits():
    ls = OssaLanguageServer()
    doc = _doc(types.PositionEncodingKind.Utf16)
    first = ls.lines(doc)
    assert ls.lines(doc) is first and list(first) == list(doc.lines)
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="a: 1\nb: 2\n"))
    assert list(ls.lines(doc)) == ["a: 1\n", "b: 2\n"]


def test_the_lines_cache_does_not_keep_a_closed_document_alive():
    ls = OssaLanguageServer()
    doc = _doc(types.PositionEncodingKind.Utf16)
    ls.lines(doc)
    gone = weakref.ref(doc)
    del doc
    gc.collect()
    assert gone() is None
