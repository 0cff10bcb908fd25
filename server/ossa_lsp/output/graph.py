"""The agent call graph as Mermaid or Graphviz DOT: nodes labelled with name, model and cost cap,
edges with tool names; endpoints that resolve to no agent are dashed external nodes.

Both formats render one layout, so they always show the same graph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ossa_lsp.core.scrub import visible
from ossa_lsp.core.workspace.index import Agent, WorkspaceIndex


def _label(agent: Agent) -> list[str]:
    lines = [agent.name]
    if agent.model:
        lines.append(agent.model if not agent.provider else f"{agent.provider}/{agent.model}")
    if agent.max_cost_per_day is not None:
        amount = f"{agent.max_cost_per_day:g}"
        lines.append(f"≤ {amount} {agent.currency or 'USD'}/day")
    return lines


@dataclass
class Layout:
    nodes: list[tuple[str, list[str]]] = field(default_factory=list)  # (id, label lines), by name
    externals: list[tuple[str, str]] = field(default_factory=list)  # (id, host), by id
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (from, to, label, to external)


def layout(index: WorkspaceIndex) -> Layout:
    out = Layout()
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for a in sorted(index.agents(), key=lambda a: (a.name, a.path)):
        base = re.sub(r"[^A-Za-z0-9_]", "_", a.name) or "agent"
        ident, n = base, 2
        while ident in taken:  # two agents with one name (in different files) stay two nodes
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        ids[id(a)] = ident
        out.nodes.append((ident, _label(a)))
    externals: dict[str, str] = {}
    for call in index.calls():
        label = call.endpoint.tool_name or call.endpoint.url
        if call.callee is not None:
            out.edges.append((ids[id(call.caller)], ids[id(call.callee)], label, False))
            continue
        host = call.endpoint.host or call.endpoint.url
        ext = externals.setdefault(host, "ext_" + (re.sub(r"[^A-Za-z0-9_]", "_", host) or "unknown"))
        out.edges.append((ids[id(call.caller)], ext, label, True))
    out.externals = sorted(((ident, host) for host, ident in externals.items()))
    out.edges.sort()
    return out


def _esc_mermaid(text: str) -> str:
    # Names come from manifests: one line, and no quote or tag that ends the label or reaches the HTML.
    return visible(text).replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(index: WorkspaceIndex) -> str:
    g = layout(index)
    out = ["flowchart LR"]
    out += [f'    {ident}["{"<br/>".join(_esc_mermaid(x) for x in lines)}"]' for ident, lines in g.nodes]
    out += [f'    {ident}(["{_esc_mermaid(host)}"]):::external' for ident, host in g.externals]
    out += [f'    {src} {"-.->" if ext else "-->"}|"{_esc_mermaid(label)}"| {dst}' for src, dst, label, ext in g.edges]
    if g.externals:
        out.append("    classDef external stroke-dasharray: 5 5")
    return "\n".join(out) + "\n"


def _esc_dot(text: str) -> str:
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')


def dot(index: WorkspaceIndex) -> str:
    g = layout(index)
    out = ["digraph agents {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="Helvetica"];']
    newline = "\\n"  # DOT's own line break escape inside a label
    out += [f'  {ident} [label="{newline.join(_esc_dot(x) for x in lines)}"];' for ident, lines in g.nodes]
    out += [f'  {ident} [label="{_esc_dot(host)}", shape=ellipse, style=dashed];' for ident, host in g.externals]
    out += [f'  {src} -> {dst} [label="{_esc_dot(label)}"{", style=dashed" if ext else ""}];'
            for src, dst, label, ext in g.edges]
    out.append("}")
    return "\n".join(out) + "\n"
