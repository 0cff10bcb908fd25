"""A small multi-agent workspace for the rename / code lens / inlay hint tests over LSP, and helpers to
read what the server answered (edits applied, positions in the client's encoding)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import accept_registrations

WORKER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: "worker-a"
  namespace: team
spec:
  role: Scores things.
  llm:
    provider: openai
    model: gpt-4o
  constraints:
    cost:
      maxTokensPerDay: 1800000
    resources:
      cpu: "500m"
      memory: 512Mi
    performance:
      timeoutSeconds: 60
"""
CALLER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: boss
spec:
  role: Delegates.
  tools:
    - type: http
      name: plain
      endpoint: http://worker-a:8080/run?x=1
    - type: http
      name: namespaced
      endpoint: 'https://worker-a.team.svc.cluster.local:8443/v1/score'
    - type: http
      name: other
      endpoint: http://worker-b/run
    - type: http
      name: outside
      endpoint: https://api.example.com/v1
"""
JSON_CALLER = """{
  "apiVersion": "ossa/v0.3.6", "kind": "Agent", "metadata": {"name": "json-boss"},
  "spec": {"role": "Delegates.", "tools": [
    {"type": "http", "description": "caf\u00e9 \U0001d11e", "name": "t", "endpoint": "http://worker-a.team/go"}]}
}
"""
OTHER = """apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: worker-b
spec:
  role: Other work.
  tools:
    - type: http
      name: back
      endpoint: http://worker-a/callback
"""
FILES = {"worker": "worker.ossa.yaml", "caller": "caller.ossa.yaml", "json": "json-caller.ossa.json",
         "other": "other.ossa.yaml"}
TEXTS = {"worker": WORKER, "caller": CALLER, "json": JSON_CALLER, "other": OTHER}


def make(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    out = {}
    for key, name in FILES.items():
        (root / name).write_text(TEXTS[key], "utf-8")
        out[key] = root / name
    return out


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


def column(line: str, character: int, encoding: str) -> int:
    """Code points of `line` before a client column (UTF-16 or UTF-8 units)."""
    units = 0
    for i, ch in enumerate(line):
        if units >= character:
            return i
        units += len(ch.encode("utf-8")) if encoding == "utf-8" else (2 if ord(ch) > 0xFFFF else 1)
    return len(line)


def units(line: str, code_points: int, encoding: str) -> int:
    head = line[:code_points]
    return len(head.encode("utf-8")) if encoding == "utf-8" else len(head.encode("utf-16-le")) // 2


def position(text: str, needle: str, encoding: str, offset: int = 0) -> types.Position:
    n = line_of(text, needle)
    line = text.split("\n")[n]
    return types.Position(n, units(line, line.index(needle) + offset, encoding))


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    lines = text.split("\n")

    def offset(p: types.Position) -> int:
        return sum(len(s) + 1 for s in lines[:p.line]) + column(lines[p.line], p.character, encoding)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


def edits_by_uri(edit: types.WorkspaceEdit) -> dict[str, tuple[int | None, list[types.TextEdit]]]:
    """uri → (version, edits), from documentChanges or changes."""
    if edit.document_changes:
        out = {}
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            out[change.text_document.uri] = (change.text_document.version,
                                             [e for e in change.edits if isinstance(e, types.TextEdit)])
        return out
    return {uri: (None, list(edits)) for uri, edits in (edit.changes or {}).items()}


async def start(client: LanguageClient, profile: str, root: Path) -> None:
    """Write the mesh under `root` and open a session on it as the `profile` client (VS Code, Neovim)."""
    client.files = make(root)  # type: ignore[attr-defined]
    client.set_configuration({"debounceMs": 10}, section="ossa")
    accept_registrations(client)
    result = await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(profile), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    client.position_encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
