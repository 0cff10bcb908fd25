"""The call graph as inline SVG, from the report document's graph and `layout.place`. Agents link to
their row in the table; outside hosts are dashed pills, dangling endpoints red dashed pills; calls on a
cycle are drawn red. Every text is HTML-escaped (the SVG sits inside the HTML page)."""

from __future__ import annotations

from html import escape
from typing import Any

from ossa_lsp.output.report.layout import NODE_H, NODE_W, place

MAX_LABEL = 24  # characters of a name on a node (the full name is in its tooltip and its row)


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _node(node: dict[str, Any], xy: tuple[int, int], agent: dict[str, Any] | None) -> str:
    x, y = xy
    label = node["label"] or ""
    kind = node["kind"]
    classes = f"node {kind}" + (" cycle" if agent and agent["on_cycle"] else "")
    sub = ""
    if agent is not None:
        model = "/".join(p for p in (agent["provider"], agent["model"]) if p) or "no model"
        sub = f'<text class="sub" x="8" y="29">{escape(_short(model))}</text>'
    tip = escape(label if agent is None else f"{label} ({agent['group']})")
    body = (f'<g class="{classes}" transform="translate({x},{y})"><title>{tip}</title>'
            f'<rect width="{NODE_W}" height="{NODE_H}" rx="{NODE_H // 2 if agent is None else 6}"/>'
            f'<text x="8" y="{15 if agent else 22}">{escape(_short(label))}</text>{sub}</g>')
    if agent is None:
        return body
    return f'<a href="#agent-{escape(node["id"])}">{body}</a>'


def _edge(edge: dict[str, Any], a: tuple[int, int], b: tuple[int, int]) -> str:
    """Forward calls run right to the callee's left side; a call back to an earlier or the same column
    runs under the nodes, bottom to bottom; a call to itself is a small loop on the node's top."""
    x1, y1 = a[0] + NODE_W, a[1] + NODE_H // 2
    x2, y2 = b[0], b[1] + NODE_H // 2
    if a == b:
        d = f"M{a[0] + NODE_W - 16},{a[1]} C{a[0] + NODE_W + 14},{a[1] - 26} {a[0] + NODE_W - 66},{a[1] - 26} " \
            f"{a[0] + NODE_W - 40},{a[1]}"
    elif x2 <= x1:
        sx, sy, tx, ty = a[0] + NODE_W // 2, a[1] + NODE_H, b[0] + NODE_W // 2, b[1] + NODE_H
        dip = max(sy, ty) + 24
        d = f"M{sx},{sy} C{sx},{dip} {tx},{dip} {tx},{ty}"
    else:
        bend = max(40, (x2 - x1) // 2)
        d = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
    classes = f"edge {edge['kind']}" + (" cycle" if edge["cycle"] else "")
    marker = "arrow-cycle" if edge["cycle"] else "arrow"
    tip = escape(f"{edge['from']} → {edge['to']}: {edge['label'] or ''}")
    return f'<path class="{classes}" d="{d}" marker-end="url(#{marker})"><title>{tip}</title></path>'


def render(doc: dict[str, Any]) -> str:
    g = doc["graph"]
    agents = {a["id"]: a for a in doc["agents"]}
    placed = place([(n["id"], n["group"] or "", n["kind"]) for n in g["nodes"]],
                   [(e["from"], e["to"]) for e in g["edges"]])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="graph" width="{placed.width}" height="{placed.height}" '
           f'viewBox="0 0 {placed.width} {placed.height}" role="img" aria-label="Agent call graph">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0L10,5L0,10z" class="head"/></marker>'
           '<marker id="arrow-cycle" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0L10,5L0,10z" class="head cycle"/></marker></defs>']
    for i, (title, top, height) in enumerate(placed.lanes):
        out.append(f'<g class="lane"><rect class="lane{i % 2}" x="4" y="{top}" width="{placed.width - 8}" '
                   f'height="{height + 6}" rx="8"/><text x="12" y="{top + 15}">{escape(title)}</text></g>')
    out += [_edge(e, placed.pos[e["from"]], placed.pos[e["to"]]) for e in g["edges"]]
    out += [_node(n, placed.pos[n["id"]], agents.get(n["id"]) if n["kind"] == "agent" else None) for n in g["nodes"]]
    out.append("</svg>")
    return "\n".join(out)
