"""Code lenses about the call graph: above each agent's `metadata.name` "called by N agents · calls M"
(a click shows the endpoints that call it), and above each tool that calls an agent of the workspace
"→ worker-a (timeout 60 s)" (a click shows that agent)."""

from __future__ import annotations

from dataclasses import dataclass

from ossa_lsp.core.text.spans import Span
from ossa_lsp.core.workspace.index import Agent, WorkspaceIndex


@dataclass(frozen=True)
class Lens:
    span: Span  # the line the lens sits above
    title: str
    targets: tuple[tuple[str, Span], ...]  # (path, span) the click shows


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def seconds(value: float) -> str:
    return f"{value:g} s"


def agent_lens(index: WorkspaceIndex, agent: Agent) -> Lens:
    callers = index.callers_of(agent)
    caller_ids = {(c.caller.path, c.caller.document, c.caller.name) for c in callers}
    callees = {(t.path, t.document, t.name) for t in (index.resolve(ep) for ep in agent.endpoints) if t is not None}
    title = f"called by {_plural(len(caller_ids), 'agent')} · calls {len(callees)}"
    targets = tuple(sorted(((c.caller.path, c.endpoint.span) for c in callers), key=lambda t: (t[0], t[1])))
    return Lens(agent.name_span, title, targets)


def lenses(index: WorkspaceIndex, path: str) -> list[Lens]:
    """The lenses of one file, in document order."""
    out: list[Lens] = []
    for agent in index.agents_in(path):
        out.append(agent_lens(index, agent))
        for ep in agent.endpoints:
            callee = index.resolve(ep)
            if callee is None:
                continue
            timeout = f" (timeout {seconds(callee.timeout_seconds)})" if callee.timeout_seconds is not None else ""
            out.append(Lens(ep.tool_span, f"→ {callee.name}{timeout}", ((callee.path, callee.name_span),)))
    out.sort(key=lambda lens: lens.span.start)
    return out
