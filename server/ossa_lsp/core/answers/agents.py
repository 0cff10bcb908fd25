"""Answers about the agents of the workspace: which agent name or tool endpoint is at a position, and
what to say about the agent an endpoint calls (shown above the schema docs in a hover)."""

from __future__ import annotations

from pathlib import Path

from ossa_lsp.core.text.spans import Pos
from ossa_lsp.core.workspace.index import Agent, Endpoint, WorkspaceIndex

MAX_ROLE = 300  # characters of the callee's role quoted in a hover


def at(index: WorkspaceIndex, path: str, pos: Pos) -> tuple[Agent | None, Endpoint | None]:
    """(agent, None) on an agent's name, (its agent, endpoint) on a tool endpoint, else (None, None)."""
    for agent in index.agents_in(path):
        if agent.name_span.contains(pos):
            return agent, None
        for ep in agent.endpoints:
            if ep.span.contains(pos):
                return agent, ep
    return None, None


def endpoint_markdown(index: WorkspaceIndex, endpoint: Endpoint) -> str | None:
    """Markdown about the agent an endpoint calls: its role, model and limits (None for an outside host)."""
    target = index.resolve(endpoint)
    if target is None:
        if endpoint.internal:
            return f"**No agent called `{endpoint.host.split('.')[0]}`** is defined in this workspace."
        return None
    parts = [f"**Calls agent `{target.name}`**" + (f" (namespace `{target.namespace}`)" if target.namespace else "")]
    if target.role:
        parts.append(target.role if len(target.role) <= MAX_ROLE else target.role[:MAX_ROLE - 1] + "…")
    facts = []
    if target.model:
        facts.append(f"- Model: `{target.provider + '/' if target.provider else ''}{target.model}`")
    if target.max_cost_per_day is not None:
        facts.append(f"- Cost cap: {target.max_cost_per_day:g} {target.currency or 'USD'} per day")
    if target.timeout_seconds is not None:
        facts.append(f"- Timeout: {target.timeout_seconds:g} s")
    facts.append(f"- Defined in `{Path(target.path).name}`")
    parts.append("\n".join(facts))
    return "\n\n".join(parts)
