"""Mesh rules: what only the whole workspace can tell — agents calling agents (the guide's
orchestration and mesh patterns). They read the workspace index (core/workspace/index.py), so they run in
the editor and in `ossa-lsp check` over the paths given, and never on a lone file."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ossa_lsp.core.findings import Finding, Fix, Related
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import INFO, E, Levels, Option, W, rule
from ossa_lsp.core.workspace.index import Agent, Endpoint

_HEAD = "apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: {name}\n  labels:\n    namespace: agents\nspec:\n"


def _manifest(name: str, body: str) -> str:
    return _HEAD.format(name=name) + body


def _same_file(a: str, b: str | None) -> bool:
    if b is None:
        return False
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def _mine(ctx: Context) -> list[Agent]:
    """The agents this document defines, as the index knows them."""
    if ctx.workspace is None or ctx.path is None:
        return []
    return [a for a in ctx.workspace.agents_in(ctx.path) if a.document == ctx.doc.index]


def _show(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _at(ctx: Context, agent: Agent, ep: Endpoint, message: str, related: tuple[Related, ...] = ()) -> Finding:
    return ctx.report(["spec", "tools", ep.tool_index, "endpoint"], message, span=ep.span, related=related,
                      agent=agent.name, endpoint=ep.url)


WORKER = _manifest("invoice-worker", "  role: Extracts line items from invoices.\n"
                                     "  constraints:\n    performance:\n      timeoutSeconds: 20\n")


@rule("MESH002", "duplicate-agent-name", "mesh",
      "Two manifests in the workspace define an agent with the same name (and namespace).",
      levels=Levels(E, E, E), workspace=True,
      why="Agents are addressed by name: the guide's orchestrator calls `http://worker-agent:8080/api`, and "
          "Kubernetes allows one Service per name and namespace. Two teams that name their agents the same "
          "make every call to that name ambiguous, and one of the two deployments fails or replaces the other.",
      bad=_manifest("invoice-worker", "  role: Reconciles invoices for the finance team.\n"
                                      ).replace("  name: invoice-worker\n", "  name: invoice-worker  # <- MESH002\n"),
      good=_manifest("invoice-reconciler", "  role: Reconciles invoices for the finance team.\n"),
      expect="invoice-worker", peers=(WORKER,),
      details="Agents in different namespaces (`metadata.namespace`, a `namespace` label, or the kagent "
              "extension's namespace) may share a name. The finding links the other definition.")
def duplicate_name(ctx: Context) -> Iterator[Finding]:
    assert ctx.workspace is not None
    for agent in _mine(ctx):
        others = [a for a in ctx.workspace.named(agent.name)
                  if a.namespace == agent.namespace and not (_same_file(a.path, agent.path)
                                                             and a.document == agent.document)]
        if not others:
            continue
        where = ", ".join(_show(o.path) for o in others[:3])
        related = tuple(Related(f"{agent.name} is also defined here", o.name_span, o.path) for o in others[:5])
        ns = f" in namespace {agent.namespace}" if agent.namespace else ""
        yield ctx.report(["metadata", "name"], f"Another manifest also defines the agent `{agent.name}`{ns}: "
                         f"{where}. Calls to this name are ambiguous; rename one of them", related=related)


ORCH_CALLS = ("  role: Routes invoices.\n  tools:\n    - type: http\n      name: invoke_ledger\n"
              "      endpoint: {endpoint}  # <- MESH003\n      auth:\n        type: mtls\n")


@rule("MESH003", "endpoint-unresolved", "mesh",
      "An internal-looking endpoint (a cluster service name) matches no agent in the workspace.",
      levels=Levels(W, W, E), workspace=True,
      why="In the orchestration pattern a tool endpoint such as `http://worker-agent:8080/api` names another "
          "agent. When no manifest defines that agent, the call goes nowhere: a typo, a renamed worker, or a "
          "worker that was deleted while its callers were not updated.",
      bad=_manifest("orchestrator", ORCH_CALLS.format(endpoint="http://invoice-wroker:8080/api")),
      good=_manifest("orchestrator", ORCH_CALLS.format(endpoint="http://invoice-worker:8080/api")
                     .replace("  # <- MESH003", "")),
      expect="http://invoice-wroker:8080/api", peers=(WORKER,), fix="unsafe",
      options=(Option("services", "strings", [], "Host patterns (globs) of internal services that are not "
                      "agents (databases, feature stores, ...), e.g. `feature-store.*`."),),
      details="Internal-looking: a single-label host (a Kubernetes or Compose service), `*.svc`, "
              "`*.cluster.local`, `*.internal`, `*.local` or localhost. Public hosts are never reported. "
              "A host matches an agent when it is `name`, `name.namespace` or `name.namespace.svc[.cluster.local]`.")
def unresolved(ctx: Context) -> Iterator[Finding]:
    from fnmatch import fnmatchcase

    assert ctx.workspace is not None
    services = [str(p).lower() for p in ctx.options.get("services") or []]
    for agent in _mine(ctx):
        for ep in agent.endpoints:
            if any(fnmatchcase(ep.host, p) for p in services):
                continue
            if ep.internal and ep.host not in ("localhost",) and ctx.workspace.resolve(ep) is None:
                label = ep.host.split(".")[0]
                near = ctx.workspace.nearest_name(label)
                hint = f"; did you mean `{near}`?" if near and near != agent.name else ""
                fixes = _rename_host(ctx, ep, label, near) if hint and near else ()
                yield ctx.report(["spec", "tools", ep.tool_index, "endpoint"], f"No agent in the workspace is "
                                 f"called `{label}` (endpoint {ep.url}){hint}", span=ep.span, fixes=fixes,
                                 agent=agent.name, endpoint=ep.url)


def _rename_host(ctx: Context, ep: Endpoint, label: str, near: str) -> tuple[Fix, ...]:
    """The endpoint with the host's first label replaced by the agent name meant."""
    at = ep.url.find("://" + label)
    if at < 0:
        return ()
    at += 3
    url = ep.url[:at] + near + ep.url[at + len(label):]
    return ctx.replace(["spec", "tools", ep.tool_index, "endpoint"], url, f"Call {near} instead", safe=False)


def _timeout_body(timeout: int, marked: bool) -> str:
    mark = "  # <- MESH004" if marked else ""
    return ("  role: Routes invoices.\n  tools:\n    - type: http\n      name: invoke_worker\n"
            f"      endpoint: http://invoice-worker:8080/api{mark}\n      auth:\n        type: mtls\n"
            f"  constraints:\n    performance:\n      timeoutSeconds: {timeout}\n")


@rule("MESH004", "caller-timeout-not-greater", "mesh",
      "A caller's timeoutSeconds is not greater than the timeoutSeconds of the agent it calls.",
      levels=Levels(W, E, E), workspace=True,
      why="A caller that gives up no later than its callee may itself time out: the orchestrator abandons "
          "requests its worker would still have answered, and the work (and its cost) is wasted. Timeouts "
          "must shrink along a call chain.",
      bad=_manifest("orchestrator", _timeout_body(15, True)),
      good=_manifest("orchestrator", _timeout_body(45, False)),
      expect="http://invoice-worker:8080/api", peers=(WORKER,))
def caller_timeout(ctx: Context) -> Iterator[Finding]:
    assert ctx.workspace is not None
    for agent in _mine(ctx):
        if agent.timeout_seconds is None:
            continue
        for ep in agent.endpoints:
            callee = ctx.workspace.resolve(ep)
            if callee is None or callee.timeout_seconds is None or callee is agent:
                continue
            if agent.timeout_seconds <= callee.timeout_seconds:
                related = (Related(f"{callee.name}'s timeoutSeconds", callee.name_span, callee.path),)
                yield _at(ctx, agent, ep, f"This agent times out after {agent.timeout_seconds:g}s but calls "
                          f"`{callee.name}`, which may take {callee.timeout_seconds:g}s: give the caller the longer "
                          "timeout", related)


CYCLE_PEER = _manifest("invoice-worker", "  role: Extracts line items.\n  tools:\n    - type: http\n"
                                         "      name: ask_orchestrator\n"
                                         "      endpoint: http://orchestrator:8080/ask\n"
                                         "      auth:\n        type: mtls\n")


@rule("MESH005", "call-cycle", "mesh",
      "Agents call each other in a cycle (A calls B, which calls A, directly or through others).",
      levels=Levels(INFO, W, E), workspace=True,
      why="The guide recommends stateless agents and a clear choice between orchestration and choreography. "
          "A cycle makes request loops possible: each hop spends tokens and money, and nothing in the manifests "
          "bounds the depth. Break the cycle or document the termination rule.",
      bad=_manifest("orchestrator", _timeout_body(60, False).replace(
          "api\n", "api  # <- MESH005\n", 1)),
      good=_manifest("orchestrator", _timeout_body(60, False).replace(
          "http://invoice-worker:8080/api", "https://tickets.example.com/api")),
      expect="http://invoice-worker:8080/api", peers=(CYCLE_PEER,),
      details="Reported once per agent on the cycle, at the call that continues it.")
def call_cycle(ctx: Context) -> Iterator[Finding]:
    assert ctx.workspace is not None
    for agent in _mine(ctx):
        cycle = ctx.workspace.cycle_through(agent)
        if not cycle:
            continue
        names = " → ".join([c.caller.name for c in cycle] + [agent.name])
        size = ctx.workspace.cycle_size(agent)
        more = f" ({size} agents call each other in loops)" if size > len(cycle) else ""
        yield _at(ctx, agent, cycle[0].endpoint, f"Call cycle: {names}{more}")
