"""The server's one diagnostics store: result ids for pulls, what a push carries, pull or push client."""

from __future__ import annotations

from lsprotocol import types

from ossa_lsp.lsp.server import DiagnosticsStore

A, W = DiagnosticsStore.ANALYSIS, DiagnosticsStore.WORKSPACE
URI = "file:///ws/a.ossa.yaml"


def _diag(message: str) -> types.Diagnostic:
    return types.Diagnostic(range=types.Range(start=types.Position(1, 2), end=types.Position(1, 5)), message=message)


def test_a_pull_result_id_changes_only_when_the_diagnostics_do():
    store = DiagnosticsStore()
    first = store.put(A, URI, [_diag("x")], compare=True)
    assert store.put(A, URI, [_diag("x")], compare=True) == first  # equal, not the same objects
    changed = store.put(A, URI, [_diag("y")], compare=True)
    assert changed != first
    assert store.put(A, "file:///ws/b.ossa.yaml", [_diag("y")], compare=True) not in (first, changed)


def test_a_push_client_gets_every_source_a_pull_client_only_what_it_cannot_pull():
    store = DiagnosticsStore()
    store.put(A, URI, [_diag("open buffer")])
    store.put(W, URI, [_diag("validated on disk")])
    assert [d.message for d in store.to_push(URI, pull=False)] == ["open buffer", "validated on disk"]
    assert [d.message for d in store.to_push(URI, pull=True)] == ["validated on disk"]
    assert store.get(A, URI) is not None and store.uris(W) == {URI}


def test_dropping_tells_whether_there_was_something():
    store = DiagnosticsStore()
    assert not store.drop(W, URI)
    store.put(W, URI, [_diag("x")])
    assert store.drop(W, URI) and store.to_push(URI, pull=True) == [] and store.uris(W) == set()
