"""The fleet report as data: one JSON-able document that every format renders (`-f json` prints it, the
HTML page embeds it and draws its cells from it, the markdown summary quotes it), so the numbers agree
everywhere. Built from the run's file reports, the workspace index, the agents' facts and the dated price
table; every string that comes from a manifest is scrubbed here (secrets masked, invisible characters
shown) before any format escapes it by its own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ossa_lsp import __version__
from ossa_lsp.core.codes import doc_url
from ossa_lsp.core.codes import lookup as code_info
from ossa_lsp.core.constants import PROFILES
from ossa_lsp.core.findings import Severity
from ossa_lsp.core.rules.data import ModelRegistry, bundled_models
from ossa_lsp.core.rules.registry import FAMILIES, RULES
from ossa_lsp.core.scrub import scrub
from ossa_lsp.output import graph as graph_data
from ossa_lsp.output.report.facts import budget, finite, number
from ossa_lsp.output.report.layout import knots

if TYPE_CHECKING:
    from ossa_lsp.core.workspace.index import Agent, Call, WorkspaceIndex
    from ossa_lsp.headless.fleet import FleetReport

SEVERITIES = ("error", "warning", "info")
EXAMPLES_PER_CODE = 10  # occurrences listed under each finding code (`check` lists them all)
NO_GROUP = "(no namespace)"
GROUP_LABELS = ("team", "app.kubernetes.io/part-of", "app", "group")
SCHEMA_FAMILY = "schema"


def s(value: Any) -> str | None:
    """A manifest's text as the report may show it (None stays None)."""
    return None if value is None else _scrubbed(str(value))


@lru_cache(maxsize=8192)  # names of models, groups, versions and tools repeat across a fleet
def _scrubbed(text: str) -> str:
    return scrub(text)


def group_of(agent: Agent) -> str:
    """The swimlane an agent is drawn in: its namespace, else a grouping label."""
    if agent.namespace:
        return agent.namespace
    return next((agent.labels[k] for k in GROUP_LABELS if agent.labels.get(k)), NO_GROUP)


def _ids(index: WorkspaceIndex, layout: graph_data.Layout) -> dict[int, str]:
    """Agent → its node id in output/graph.py's layout (nodes are listed in (name, path) order)."""
    agents = sorted(index.agents(), key=lambda a: (a.name, a.path))
    return {id(a): node[0] for a, node in zip(agents, layout.nodes, strict=True)}


def _price(agent: Agent, models: ModelRegistry) -> tuple[float, float] | None:
    if not agent.model:
        return None
    provider = agent.provider or models.family(agent.model)
    info = models.lookup(provider.lower(), agent.model) if provider else None
    return info.price if info is not None else None


def _severities(findings: Any) -> dict[str, int]:
    out = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        if f.suppressed is None and f.severity <= Severity.INFO:
            out[f.severity.label] += 1
    return out


def _agent_row(a: Agent, ident: str, facts: dict[str, Any], shown: str, findings: dict[str, int],
               price: tuple[float, float] | None, on_cycle: bool) -> dict[str, Any]:
    per_day = facts.get("tokens_per_day")
    obs = facts.get("observability") or {}
    on = sum(1 for v in obs.values() if v)
    cost = budget(a.max_cost_per_day)
    return {
        "id": ident, "name": s(a.name), "group": s(group_of(a)), "namespace": s(a.namespace),
        "path": shown, "line": a.name_span.start.line + 1, "kind": s(facts.get("kind")),
        "version": s(a.api_version), "provider": s(a.provider), "model": s(a.model),
        "max_tokens": facts.get("max_tokens"), "tokens_per_request": facts.get("tokens_per_request"),
        "tokens_per_day": per_day, "cost_per_day": cost,
        "currency": s((a.currency or "USD").strip().upper()) if cost is not None else None,
        "concurrency": facts.get("concurrency"), "timeout": number(a.timeout_seconds),
        "tools": [{k: s(v) for k, v in t.items()} for t in facts.get("tools", [])],
        "observability": dict(obs), "observability_on": "on" if on == len(obs) and obs else "partial" if on else "off",
        "findings": findings,
        "price": {"input": price[0], "output": price[1]} if price else None,
        "list_price_per_day": _list_price(per_day, price),
        "on_cycle": on_cycle,
    }


def _list_price(per_day: float | None, price: tuple[float, float] | None) -> dict[str, float] | None:
    """What a daily token cap costs at list price: all input (low) to all output (high), USD."""
    if per_day is None or price is None:
        return None
    low, high = finite(per_day * price[0] / 1e6), finite(per_day * price[1] / 1e6)
    return None if low is None or high is None else {"low": round(low, 4), "high": round(high, 4)}


def _agents(reports: Sequence[FleetReport], index: WorkspaceIndex, facts: dict[tuple[str, int], dict[str, Any]],
            ids: dict[int, str], knot: dict[str, int], models: ModelRegistry) -> list[dict[str, Any]]:
    by_key = {r.key: r for r in reports}
    rows = []
    for a in sorted(index.agents(), key=lambda a: (a.name, a.path)):
        report = by_key.get(a.path)
        found = _severities(f for f in report.findings if f.document == a.document) if report else _severities(())
        shown = s(report.path if report else a.path) or ""
        rows.append(_agent_row(a, ids[id(a)], facts.get((a.path, a.document), {}), shown, found,
                               _price(a, models), ids[id(a)] in knot))
    return rows


def _total(value: float, digits: int | None = None) -> float | None:
    """A sum as the report prints it: rounded (money), None when absurd caps made it overflow."""
    if isinstance(value, int):
        return value
    done = finite(value)
    return None if done is None else round(done, digits) if digits is not None else done


def _totals(reports: Sequence[FleetReport], agents: list[dict[str, Any]]) -> dict[str, Any]:
    spend: dict[str, list[float]] = {}
    for a in agents:
        if a["cost_per_day"] is not None:
            cell = spend.setdefault(a["currency"] or "USD", [0.0, 0])
            cell[0] += a["cost_per_day"]
            cell[1] += 1
    priced = [a for a in agents if a["list_price_per_day"] is not None]
    return {
        "files": len(reports), "agents": len(agents),
        "findings": _severities(f for r in reports for f in r.findings),
        "unreadable": sum(1 for r in reports if r.error),
        "spend_per_day": [{"currency": c, "amount": _total(v[0], 6), "agents": int(v[1])}
                          for c, v in sorted(spend.items())],
        "tokens_per_day": _total(sum(a["tokens_per_day"] for a in agents if a["tokens_per_day"] is not None)),
        "tokens_per_day_priced": _total(sum(a["tokens_per_day"] for a in priced)),
        "list_price_per_day_usd": {"low": _total(sum(a["list_price_per_day"]["low"] for a in priced), 4),
                                   "high": _total(sum(a["list_price_per_day"]["high"] for a in priced), 4)},
        "agents_priced": len(priced),
        "without_cost_limit": sum(1 for a in agents if a["cost_per_day"] is None),
        "without_token_limit": sum(1 for a in agents if a["tokens_per_day"] is None),
        "unlimited": sum(1 for a in agents if a["cost_per_day"] is None and a["tokens_per_day"] is None),
    }


def _posture(reports: Sequence[FleetReport]) -> dict[str, Any]:
    families = [SCHEMA_FAMILY, *FAMILIES]
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    for p in PROFILES:
        row = {fam: [0, 0, 0, 0] for fam in families}
        for r in reports:
            for fam, counts in r.posture.get(p, {}).items():
                row[fam] = [x + y for x, y in zip(row[fam], counts, strict=True)]
        cells[p] = {fam: {"errors": c[0], "warnings": c[1], "infos": c[2], "failing": c[3], "pass": c[3] == 0}
                    for fam, c in row.items()}
    return {"profiles": list(PROFILES), "families": families, "cells": cells,
            "pass": {p: all(c["pass"] for c in cells[p].values()) for p in PROFILES}}


def _findings(reports: Sequence[FleetReport]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for r in reports:
        for f in r.findings:
            if f.suppressed is not None or f.severity > Severity.INFO:
                continue
            g = groups.get(f.code)
            if g is None:
                info, rule = code_info(f.code), RULES.get(f.code)
                g = groups[f.code] = {"code": f.code, "severity": f.severity.label, "count": 0,
                                      "family": rule.family if rule else SCHEMA_FAMILY,
                                      "summary": info.summary if info else "", "url": doc_url(f.code), "examples": []}
            g["count"] += 1
            if Severity.parse(g["severity"]) > f.severity:
                g["severity"] = f.severity.label
            if len(g["examples"]) < EXAMPLES_PER_CODE:
                g["examples"].append({"path": s(r.path), "line": f.span.start.line + 1, "message": s(f.message)})
    order = {label: i for i, label in enumerate(SEVERITIES)}
    return sorted(groups.values(), key=lambda g: (order[g["severity"]], -g["count"], g["code"]))


def _dangling(call: Call, services: dict[str, tuple[str, ...]]) -> bool:
    """A call that looks internal, names no agent, and is not to a host the caller's configuration declares
    a service (as MESH003 judges it)."""
    ep = call.endpoint
    if call.callee is not None or not ep.internal or ep.host == "localhost":
        return False
    return not any(fnmatchcase(ep.host, p) for p in services.get(call.caller.path, ()))


def _graph(index: WorkspaceIndex, layout: graph_data.Layout, ids: dict[int, str], agents: list[dict[str, Any]],
           knot: dict[str, int], services: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Nodes (agents, outside hosts, and hosts that look internal but name no agent: dangling), edges
    (a call is on a cycle when both ends are in one knot of agents that call each other round), and one
    shortest cycle per knot."""
    cycles = [[ids[id(c.caller)] for c in cycle] for cycle in index.cycles()]
    internal = {(c.endpoint.host or c.endpoint.url) for c in index.calls() if _dangling(c, services)}
    nodes = [{"id": a["id"], "kind": "agent", "label": a["name"], "group": a["group"]} for a in agents]
    kinds = {}
    for ident, host in layout.externals:
        kinds[ident] = "dangling" if host in internal else "external"
        nodes.append({"id": ident, "kind": kinds[ident], "label": s(host), "group": None})
    edges = [{"from": src, "to": dst, "label": s(label), "kind": kinds.get(dst, "call"),
              "cycle": src in knot and knot.get(dst) == knot[src]} for src, dst, label, _ext in layout.edges]
    return {"nodes": nodes, "edges": edges, "cycles": cycles}


def build(reports: Sequence[FleetReport], index: WorkspaceIndex, facts: dict[tuple[str, int], dict[str, Any]],
          models: ModelRegistry | None = None) -> dict[str, Any]:
    """The report document."""
    models = models or bundled_models()
    layout = graph_data.layout(index)
    ids = _ids(index, layout)
    knot = knots([(src, dst) for src, dst, _, ext in layout.edges if not ext])
    agents = _agents(reports, index, facts, ids, knot, models)
    graph = _graph(index, layout, ids, agents, knot, {r.key: r.services for r in reports})
    return {
        "version": 1, "tool": {"name": "ossa-lsp", "version": __version__},
        "prices_as_of": models.as_of.isoformat(),
        "totals": _totals(reports, agents),
        "unlimited_agents": [a["id"] for a in agents if a["cost_per_day"] is None and a["tokens_per_day"] is None],
        "posture": _posture(reports),
        "agents": agents,
        "graph": graph,
        "findings": _findings(reports),
        "unreadable": [{"path": s(r.path), "error": s(r.error)} for r in reports if r.error],
    }
