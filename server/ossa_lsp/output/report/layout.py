"""Where each node of the call graph goes: a layered drawing, left to right (callers before callees), in
horizontal swimlanes, one per namespace (or grouping label), outside hosts and dangling endpoints in lanes
of their own at the bottom.

Sugiyama's steps, kept small: cycles are broken by dropping the edges a depth-first search finds going
back up its stack; layers come from the longest path to each node; nodes are ordered inside each (layer,
lane) cell by the barycentre of their neighbours' rows, sweeping down and up a few times. Every step
breaks ties by node id, so the same fleet always draws the same picture. Linear in nodes plus edges per
sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

NODE_W, NODE_H = 180, 36
GAP_X, GAP_Y = 80, 10
LANE_GAP, LANE_HEAD, PAD = 14, 22, 16
SWEEPS = 4
MIN_COLUMNS = 4  # columns standalone agents may fill, however shallow the call graph is
EXTERNAL_LANES = {"external": "hosts that are no agent", "dangling": "no such agent (dangling)"}


@dataclass
class Placed:
    width: int
    height: int
    pos: dict[str, tuple[int, int]] = field(default_factory=dict)  # node id → top-left corner
    layer: dict[str, int] = field(default_factory=dict)
    lanes: list[tuple[str, int, int]] = field(default_factory=list)  # (title, top, height)


def _acyclic(ids: list[str], succ: dict[str, list[str]]) -> dict[str, list[str]]:
    """The edges minus those that close a cycle (back edges of an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    keep: dict[str, list[str]] = {n: [] for n in ids}
    for root in ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ.get(root, ())))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) != 1:
                keep[node].append(nxt)
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ.get(nxt, ()))))
    return keep


def knots(edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Node → its strongly connected component, for the nodes on a cycle only (Tarjan's algorithm,
    iterative: a chain of thousands of calls cannot exhaust the stack). Two calls are on a cycle when
    both ends are in the same component."""
    succ: dict[str, list[str]] = {}
    for a, b in sorted(set(edges)):
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comp: dict[str, int] = {}
    for root in succ:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                members: list[str] = []
                while not members or members[-1] != node:
                    members.append(stack.pop())
                    on_stack.discard(members[-1])
                if len(members) > 1 or node in succ[node]:
                    comp.update((m, index[node]) for m in members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return comp


def _layers(ids: list[str], dag: dict[str, list[str]]) -> dict[str, int]:
    """Longest path from a source (Kahn's topological order)."""
    indeg = dict.fromkeys(ids, 0)
    for n in ids:
        for m in dag[n]:
            indeg[m] += 1
    layer = dict.fromkeys(ids, 0)
    queue = [n for n in ids if indeg[n] == 0]
    for n in queue:
        for m in dag[n]:
            layer[m] = max(layer[m], layer[n] + 1)
            indeg[m] -= 1
            if indeg[m] == 0:
                queue.append(m)
    return layer


def _order(cells: dict[tuple[int, str], list[str]], lanes: list[str], rows_before: dict[str, int],
           pred: dict[str, list[str]], succ: dict[str, list[str]], layers: int) -> dict[str, int]:
    """Row of each node (global, counting the lanes above); cells reordered by barycentre in sweeps."""
    row: dict[str, int] = {}
    for (_, lane), cell in cells.items():
        row.update((n, rows_before[lane] + i) for i, n in enumerate(cell))
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        nbrs = pred if down else succ
        for layer in (range(layers) if down else range(layers - 1, -1, -1)):
            for lane in lanes:
                cell = cells.get((layer, lane)) or []
                if len(cell) < 2:
                    continue
                near = {n: [row[m] for m in nbrs.get(n, ()) if m in row] for n in cell}
                cell.sort(key=lambda n: (sum(near[n]) / len(near[n]) if near[n] else float(row[n]), n))
                row.update((n, rows_before[lane] + i) for i, n in enumerate(cell))
    return row


def _pack(alone: list[str], lane_of: dict[str, str], cells: dict[tuple[int, str], list[str]], layers: int,
          layer: dict[str, int]) -> None:
    """Agents that call nobody and that nobody calls: spread over the columns of their lane (fewest first),
    so a fleet of mostly standalone agents is a compact grid rather than one very tall column."""
    cols = max(layers, MIN_COLUMNS)
    for n in alone:
        lane = lane_of[n]
        col = min(range(cols), key=lambda c: (len(cells.get((c, lane), ())), c))
        layer[n] = col
        cells.setdefault((col, lane), []).append(n)


def place(nodes: Sequence[tuple[str, str, str]], edges: Sequence[tuple[str, str]]) -> Placed:
    """`nodes`: (id, lane, kind) with kind agent, external or dangling; `edges`: (from, to)."""
    ids = sorted(n for n, _, _ in nodes)
    agents = [n for n, _, k in sorted(nodes) if k not in EXTERNAL_LANES]
    succ: dict[str, list[str]] = {n: [] for n in ids}
    pred: dict[str, list[str]] = {n: [] for n in ids}
    for a, b in sorted(set(edges)):
        if a in succ and b in succ:
            succ[a].append(b)
            pred[b].append(a)
    # Lane keys sort agents' lanes first, then the shared outside hosts; a group named like those stays apart.
    # A host that callers of one lane only call is drawn in that lane (short edges); shared ones at the bottom.
    lane_of = {n: "a" + lane for n, lane, k in nodes if k not in EXTERNAL_LANES}
    for n, _, k in nodes:
        if k in EXTERNAL_LANES:
            callers = {lane_of[p] for p in pred[n] if p in lane_of}
            lane_of[n] = callers.pop() if len(callers) == 1 else f"x{sorted(EXTERNAL_LANES).index(k)}"
    agent_set = set(agents)
    alone = [n for n in agents if not succ[n] and not pred[n]]
    linked = [n for n in agents if succ[n] or pred[n]]
    layer = _layers(linked, _acyclic(linked, {n: [m for m in succ[n] if m in agent_set] for n in linked}))
    for n in ids:
        if n not in layer and n not in agent_set:  # an outside host: just right of its rightmost caller
            layer[n] = max((layer[p] + 1 for p in pred[n] if p in agent_set), default=0)
    lanes = sorted(set(lane_of.values()))
    cells: dict[tuple[int, str], list[str]] = {}
    for n in ids:
        if n in layer:
            cells.setdefault((layer[n], lane_of[n]), []).append(n)
    _pack(alone, lane_of, cells, max(layer.values(), default=-1) + 1, layer)
    height_of = {lane: max(len(c) for (_, ln), c in cells.items() if ln == lane) for lane in lanes}
    rows_before, total = {}, 0
    for lane in lanes:
        rows_before[lane], total = total, total + height_of[lane]
    layers = max(layer.values(), default=-1) + 1
    row = _order(cells, lanes, rows_before, pred, succ, layers)
    return _coordinates(ids, layer, row, lane_of, lanes, rows_before, height_of, layers)


def _coordinates(ids: list[str], layer: dict[str, int], row: dict[str, int], lane_of: dict[str, str],
                 lanes: list[str], rows_before: dict[str, int], height_of: dict[str, int], layers: int) -> Placed:
    lane_index = {lane: i for i, lane in enumerate(lanes)}

    def top(lane: str, rows: int) -> int:
        return PAD + rows * (NODE_H + GAP_Y) + lane_index[lane] * (LANE_GAP + LANE_HEAD) + LANE_HEAD

    out = Placed(width=PAD * 2 + max(layers, 1) * (NODE_W + GAP_X) - GAP_X, height=0)
    for n in ids:
        out.pos[n] = (PAD + layer[n] * (NODE_W + GAP_X), top(lane_of[n], row[n]))
    out.layer = dict(layer)
    for lane in lanes:
        first = top(lane, rows_before[lane])
        h = height_of[lane] * (NODE_H + GAP_Y) - GAP_Y
        title = lane[1:] if lane.startswith("a") else EXTERNAL_LANES[sorted(EXTERNAL_LANES)[int(lane[1:])]]
        out.lanes.append((title, first - LANE_HEAD, h + LANE_HEAD))
    out.height = (out.lanes[-1][1] + out.lanes[-1][2] + PAD) if out.lanes else PAD * 2
    return out
