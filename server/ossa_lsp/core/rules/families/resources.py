"""Resource and performance rules: the guide's resource planning (`cpu: "500m"`, `memory: "1Gi"`,
Kubernetes quantities) and performance constraints (`maxConcurrentRequests`, latency and timeouts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import E, Levels, W, agent, rule
from ossa_lsp.core.rules.util import has_template, quantity

RES = ("spec", "constraints", "resources")
PERF = ("spec", "constraints", "performance")
MIB = Decimal(2**20)


def _res(body: str) -> str:
    return f"  constraints:\n    resources:\n{body}"


# Spellings whose meaning is not in doubt: millicores written `500mi`, `500 m`, `500 millicores`, and
# cores written `2 cores`, `1 vCPU`. (`500Mi` is left alone: memory units on a CPU may be a pasted memory line.)
_CPU_MILLI = re.compile(r"\s*([0-9]{1,9})\s*(?:mi|m|milli|millicores?|mcpu)\s*\Z")
_CPU_CORES = re.compile(r"\s*([0-9]{1,6}(?:\.[0-9]{1,3})?)\s*(?:cores?|v?cpus?)\s*\Z", re.I)


def _cpu_fix(text: str) -> str | None:
    m = _CPU_MILLI.match(text)
    if m is not None:
        return f"{int(m.group(1))}m"
    m = _CPU_CORES.match(text)
    return m.group(1) if m is not None else None


@rule(
    "RES001", "cpu-quantity-invalid", "resources",
    "constraints.resources.cpu is not a Kubernetes CPU quantity (cores or millicores).",
    levels=Levels(E, E, E),
    why="The guide's resource planning writes CPU as Kubernetes quantities (`500m`, `2`). Anything else is "
        "rejected when the agent is deployed, or silently means something else.",
    details="Accepted: a decimal number of cores (`1`, `2.5`) or millicores (`500m`). Memory units on a CPU "
            "(`1Gi`) and spellings such as `2 cores` are reported. Spellings whose meaning is clear (`500mi`, "
            "`500 millicores`, `2 cores`) come with a fix.",
    bad=agent(_res('      cpu: "2 cores"  # <- RES001\n      memory: 1Gi\n')),
    good=agent(_res('      cpu: "2"\n      memory: 1Gi\n')),
    expect='"2 cores"', fix="safe",
)
def cpu_quantity(ctx: Context) -> Iterator[Finding]:
    text = ctx.text(*RES, "cpu")
    if text is None or has_template(text):
        return
    path = [*RES, "cpu"]
    q = quantity(text)
    if q is None:
        fix = _cpu_fix(text)
        if fix is not None:
            yield ctx.report(path, f"cpu '{text}' is not a Kubernetes quantity; did you mean {fix}?",
                             fixes=ctx.replace(path, fix, f"Change to {fix}", safe=True))
        else:
            yield ctx.report(path, f"cpu '{text}' is not a Kubernetes quantity: write cores (2, 0.5) or "
                             "millicores (500m)")
        return
    value, suffix = q
    if suffix.endswith("i") or suffix in ("k", "M", "G", "T", "P", "E", "n", "u"):
        yield ctx.report(path, f"cpu '{text}' uses the unit '{suffix}', which CPU is not counted in: write cores "
                         "(2) or millicores (500m)")
    elif value <= 0:
        yield ctx.report(path, f"cpu '{text}' is not a positive amount")
    elif value < Decimal("0.001"):
        yield ctx.report(path, f"cpu '{text}' is below 1m, the smallest CPU amount Kubernetes can grant")


_MEM_TYPO = re.compile(r"\s*([0-9.]+)\s*([KMGTPE])(?:i?B|b|ib|I)\s*\Z", re.I)


def _memory_fix(text: str) -> str | None:
    m = _MEM_TYPO.match(text)
    if m is None:
        return None
    return f"{m.group(1)}{m.group(2).upper()}i"


@rule(
    "RES002", "memory-quantity-invalid", "resources",
    "constraints.resources.memory is not a sensible Kubernetes memory quantity.",
    levels=Levels(E, E, E),
    why="Memory quantities follow Kubernetes syntax, and its traps are real: `512m` is 0.512 bytes (m is milli), "
        "`1GB` is not a quantity at all. A wrong unit either fails the deployment or starves the agent.",
    details="Reported: text that is not a quantity (`1GB`, `512 MB`), the milli suffix (`512m`), and amounts "
            "under 1Mi, which no agent runs in (usually a missing unit).",
    bad=agent(_res("      cpu: 500m\n      memory: 512m  # <- RES002\n")),
    good=agent(_res("      cpu: 500m\n      memory: 512Mi\n")),
    expect="512m", fix="unsafe",
)
def memory_quantity(ctx: Context) -> Iterator[Finding]:
    text = ctx.text(*RES, "memory")
    if text is None or has_template(text):
        return
    path = [*RES, "memory"]
    q = quantity(text)
    if q is None:
        fix = _memory_fix(text)
        hint = f"; did you mean {fix}?" if fix else " such as 512Mi or 2Gi"
        yield ctx.report(path, f"memory '{text}' is not a Kubernetes quantity{hint}",
                         fixes=ctx.replace(path, fix, f"Change to {fix}", safe=False) if fix else ())
        return
    value, suffix = q
    if suffix == "m":
        number = text.strip()[:-1]
        yield ctx.report(path, f"memory '{text}' is {value.normalize():f} bytes: 'm' means milli; "
                         f"write {number}Mi for mebibytes",
                         fixes=ctx.replace(path, f"{number}Mi", f"Change to {number}Mi", safe=False))
    elif value < MIB:
        yield ctx.report(path, f"memory '{text}' is only {value.normalize():f} bytes; add a unit such as Mi or Gi")


@rule(
    "RES003", "resource-limits-missing", "resources",
    "constraints.resources does not set both cpu and memory.",
    levels=Levels(None, W, W),
    why="The guide's infrastructure planning sizes every agent (`cpu`, `memory`); without limits one agent can "
        "starve its neighbours and capacity cannot be planned.",
    bad=agent("  constraints:  # <- RES003\n    performance:\n      maxConcurrentRequests: 10\n"),
    good=agent("  constraints:\n    performance:\n      maxConcurrentRequests: 10\n"
               "    resources:\n      cpu: 500m\n      memory: 1Gi\n"),
    expect="constraints",
)
def resource_limits(ctx: Context) -> Iterator[Finding]:
    if not isinstance(ctx.get("spec"), dict):
        return
    res = ctx.get(*RES)
    if res is None:
        yield ctx.missing([*RES], "No resource limits: add constraints.resources with cpu and memory")
    elif isinstance(res, dict):
        lacking = [k for k in ("cpu", "memory") if k not in res]
        if lacking:
            yield ctx.missing([*RES, lacking[0]], f"constraints.resources sets no {' and no '.join(lacking)}")


@rule(
    "PERF001", "concurrency-limit-missing", "performance",
    "constraints.performance.maxConcurrentRequests is not set.",
    levels=Levels(None, W, W),
    why="The guide's resource planning pairs resources with `maxConcurrentRequests`: without it a burst of traffic "
        "turns into as many simultaneous model calls (and bills) as callers can open.",
    bad=agent("  constraints:\n    performance:  # <- PERF001\n      timeoutSeconds: 30\n"),
    good=agent("  constraints:\n    performance:\n      timeoutSeconds: 30\n      maxConcurrentRequests: 10\n"),
    expect="performance",
)
def concurrency(ctx: Context) -> Iterator[Finding]:
    if not isinstance(ctx.get("spec"), dict):
        return
    perf = ctx.get(*PERF)
    if perf is None or (isinstance(perf, dict) and "maxConcurrentRequests" not in perf):
        yield ctx.missing([*PERF, "maxConcurrentRequests"], "No concurrency limit: set "
                          "constraints.performance.maxConcurrentRequests")


@rule(
    "PERF002", "timeout-below-latency", "performance",
    "timeoutSeconds is shorter than maxLatencySeconds.",
    levels=Levels(W, E, E),
    why="A contradiction in the performance contract: requests are cut off before the latency the agent is "
        "allowed, so the latency budget can never be used and slow-but-valid answers fail.",
    bad=agent("  constraints:\n    performance:\n      maxLatencySeconds: 60\n      timeoutSeconds: 30  # <- PERF002\n"),
    good=agent("  constraints:\n    performance:\n      maxLatencySeconds: 60\n      timeoutSeconds: 90\n"),
    expect="30",
)
def timeout_latency(ctx: Context) -> Iterator[Finding]:
    latency = ctx.number(*PERF, "maxLatencySeconds")
    timeout = ctx.number(*PERF, "timeoutSeconds")
    if latency is not None and timeout is not None and timeout < latency:
        yield ctx.report([*PERF, "timeoutSeconds"], f"timeoutSeconds ({timeout:g}) is shorter than "
                         f"maxLatencySeconds ({latency:g}): requests time out before the latency budget is used",
                         related=ctx.related([*PERF, "maxLatencySeconds"], "The latency budget"))

