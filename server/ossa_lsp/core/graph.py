"""The agent call graph as Mermaid or Graphviz DOT: nodes labelled with name, model and cost cap,
edges with tool names; endpoints that resolve to no agent are dashed external nodes."""

from __future__ import annotations

import re

from ossa_lsp.core.workspace import Agent, WorkspaceIndex


def _node_id(agent: Agent, ids: dict[int, str]) -> str:
    if id(agent) not in ids:
        base = re.sub(r"[^A-Za-z0-9_]", "_", agent.name) or "agent"
        ident = base
        n = 2
        while ident in ids.values():
            ident = f"{base}_{n}"
            n += 1
        ids[id(agent)] = ident
    return ids[id(agent)]


def _label(agent: Agent) -> list[str]:
    lines = [agent.name]
    if agent.model:
        lines.append(agent.model if not agent.provider else f"{agent.provider}/{agent.model}")
    if agent.max_cost_per_day is not None:
        amount = f"{agent.max_cost_per_day:g}"
        lines.append(f"≤ {amount} {agent.currency or 'USD'}/day")
    return lines


def _external_id(host: str, externals: dict[str, str]) -> str:
    if host not in externals:
        externals[host] = "ext_" + (re.sub(r"[^A-Za-z0-9_]", "_", host) or "unknown")
    return externals[host]


def _esc_mermaid(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(index: WorkspaceIndex) -> str:
    ids: dict[int, str] = {}
    externals: dict[str, str] = {}
    out = ["flowchart LR"]
    agents = sorted(index.agents(), key=lambda a: (a.name, a.path))
    for a in agents:
        out.append(f'    {_node_id(a, ids)}["{_esc_mermaid("<br/>".join(_label(a)))}"]')
    edges = []
    for call in index.calls():
        src = _node_id(call.caller, ids)
        label = _esc_mermaid(call.endpoint.tool_name or call.endpoint.url)
        if call.callee is not None:
            edges.append(f'    {src} -->|"{label}"| {_node_id(call.callee, ids)}')
        else:
            ext = _external_id(call.endpoint.host or call.endpoint.url, externals)
            edges.append(f'    {src} -.->|"{label}"| {ext}')
    for host, ident in sorted(externals.items(), key=lambda kv: kv[1]):
        out.append(f'    {ident}(["{_esc_mermaid(host)}"]):::external')
    out.extend(sorted(edges))
    if externals:
        out.append("    classDef external stroke-dasharray: 5 5")
    return "\n".join(out) + "\n"


def _esc_dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(index: WorkspaceIndex) -> str:
    ids: dict[int, str] = {}
    externals: dict[str, str] = {}
    out = ["digraph agents {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="Helvetica"];']
    for a in sorted(index.agents(), key=lambda a: (a.name, a.path)):
        label = "\\n".join(_esc_dot(line) for line in _label(a))  # DOT's own line break escape
        out.append(f'  {_node_id(a, ids)} [label="{label}"];')
    edges = []
    for call in index.calls():
        src = _node_id(call.caller, ids)
        label = _esc_dot(call.endpoint.tool_name or call.endpoint.url)
        if call.callee is not None:
            edges.append(f'  {src} -> {_node_id(call.callee, ids)} [label="{label}"];')
        else:
            ext = _external_id(call.endpoint.host or call.endpoint.url, externals)
            edges.append(f'  {src} -> {ext} [label="{label}", style=dashed];')
    for host, ident in sorted(externals.items(), key=lambda kv: kv[1]):
        out.append(f'  {ident} [label="{_esc_dot(host)}", shape=ellipse, style=dashed];')
    out.extend(sorted(edges))
    out.append("}")
    return "\n".join(out) + "\n"
