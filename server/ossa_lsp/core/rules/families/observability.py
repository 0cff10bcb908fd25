"""Observability rules: the guide's observability strategy (distributed tracing, metrics collection,
structured logging) and its "Audit Logging: standard observability"."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import Levels, Option, W, agent, rule
from ossa_lsp.core.rules.util import has_template, split_url

OBS = ("spec", "observability")

_FULL = """  observability:
    tracing:
      enabled: true
      exporter: otlp
      endpoint: http://otel-collector:4318
    metrics:
      enabled: true
      exporter: prometheus
    logging:
      level: info
      format: json
"""


@rule(
    "OBS001", "observability-missing", "observability",
    "The agent declares no observability (tracing, metrics, logging).",
    levels=Levels(None, W, W),
    why="OSSA's promise to architects is consistent monitoring across agents, and audit logging comes from the "
        "standard observability block. An agent without one is invisible to both.",
    bad=agent("  llm:\n    provider: openai\n    model: gpt-4o-mini\n", spec_line="spec:  # <- OBS001"),
    good=agent("  llm:\n    provider: openai\n    model: gpt-4o-mini\n" + _FULL),
    expect="spec",
)
def observability_missing(ctx: Context) -> Iterator[Finding]:
    if isinstance(ctx.get("spec"), dict) and not ctx.has(*OBS) and "observability" not in ctx.data:
        # (a block pasted at the top level is the schema's finding, with the fix that moves it)
        yield ctx.missing([*OBS], "No observability: add spec.observability with tracing, metrics and logging")


def _part(ctx: Context, part: str, what: str) -> Iterator[Finding]:
    obs = ctx.mapping(*OBS)
    if obs is None:
        return  # OBS001's finding
    if part not in obs:
        yield ctx.missing([*OBS, part], f"observability has no {part}, so {what}: add {part} with enabled: true")
    elif ctx.get(*OBS, part, "enabled") is False:
        yield ctx.report([*OBS, part, "enabled"], f"{part.capitalize()} is disabled, so {what}")


@rule(
    "OBS002", "tracing-disabled", "observability",
    "Tracing is missing or disabled.",
    levels=Levels(None, W, W),
    why="The guide's observability strategy starts with distributed tracing: without it a request through an "
        "orchestrator and its workers cannot be followed, audited or costed end to end.",
    bad=agent(_FULL.replace("      enabled: true\n      exporter: otlp", "      enabled: false  # <- OBS002\n      exporter: otlp")),
    good=agent(_FULL),
    expect="false",
)
def tracing_disabled(ctx: Context) -> Iterator[Finding]:
    yield from _part(ctx, "tracing", "requests through this agent cannot be traced")


@rule(
    "OBS003", "metrics-disabled", "observability",
    "Metrics are missing or disabled.",
    levels=Levels(None, W, W),
    why="Metrics collection is the second pillar of the guide's observability strategy, and what auto-scaling "
        "and cost dashboards read.",
    bad=agent(_FULL.replace("      enabled: true\n      exporter: prometheus", "      enabled: false  # <- OBS003\n      exporter: prometheus")),
    good=agent(_FULL),
    expect="false",
)
def metrics_disabled(ctx: Context) -> Iterator[Finding]:
    yield from _part(ctx, "metrics", "the agent's load, errors and cost are not measured")


@rule(
    "OBS004", "logging-missing", "observability",
    "Logging is missing or disabled.",
    levels=Levels(None, W, W),
    why="Audit logging is one of the four things the guide says OSSA governance gives you; it starts with a "
        "declared logging block.",
    bad=agent(_FULL.replace("  observability:\n", "  observability:  # <- OBS004\n").split("    logging:")[0]),
    good=agent(_FULL),
    expect="observability",
)
def logging_missing(ctx: Context) -> Iterator[Finding]:
    yield from _part(ctx, "logging", "there is no audit trail of what the agent did")


@rule(
    "OBS005", "logging-not-structured", "observability",
    "Logs are plain text instead of structured JSON.",
    levels=Levels(None, W, W),
    why="Every logging example in the guide uses `format: json`: audit and compliance tooling needs fields it "
        "can query, not lines it has to parse.",
    bad=agent(_FULL.replace("format: json", "format: text  # <- OBS005")),
    good=agent(_FULL),
    expect="text", fix="unsafe",
)
def logging_structured(ctx: Context) -> Iterator[Finding]:
    if ctx.get(*OBS, "logging", "format") == "text":
        path = [*OBS, "logging", "format"]
        yield ctx.report(path, "Logs are plain text: use format: json so audit tools can query them",
                         fixes=ctx.replace(path, "json", "Log as JSON", safe=False))


def _production(ctx: Context) -> str | None:
    for pattern in ctx.options.get("production-labels") or []:
        key, _, value = str(pattern).partition("=")
        v = ctx.labels.get(key)
        if isinstance(v, str) and fnmatchcase(v.lower(), value.lower() or "*"):
            return f"{key}: {v}"
    return None


@rule(
    "OBS006", "debug-logging-in-production", "observability",
    "A production-labelled agent logs at debug level.",
    levels=Levels(W, W, W),
    why="Debug logs of an LLM agent carry full prompts, tool payloads and often personal data; in production "
        "they break the data-handling promises audit logging exists to prove, and multiply log costs. The guide's "
        "production examples log at `info`.",
    details="An agent is production-labelled when one of `production-labels` (`key=glob`) matches "
            "metadata.labels.",
    options=(Option("production-labels", "strings", ["environment=prod*", "env=prod*", "stage=prod*"],
                    "metadata.labels that mark a production agent, as key=glob."),),
    bad=agent(_FULL.replace("level: info", "level: debug  # <- OBS006"),
              metadata="  labels:\n    environment: production\n"),
    good=agent(_FULL, metadata="  labels:\n    environment: production\n"),
    expect="debug", fix="unsafe",
)
def debug_in_production(ctx: Context) -> Iterator[Finding]:
    level = ctx.get(*OBS, "logging", "level")
    if level not in ("debug", "trace"):
        return
    label = _production(ctx)
    if label is None:
        return
    path = [*OBS, "logging", "level"]
    yield ctx.report(path, f"Debug logging on a production agent ({label}): debug logs carry prompts and "
                     "payloads; log at info", fixes=ctx.replace(path, "info", "Log at info", safe=False))


_SCHEMES = ("http", "https", "grpc", "grpcs")


def _telemetry(ctx: Context) -> Iterator[tuple[str, str, str | None]]:
    for part in ("tracing", "metrics"):
        url = ctx.text(*OBS, part, "endpoint")
        if url is not None and not has_template(url):
            exporter = ctx.get(*OBS, part, "exporter")
            yield part, url, exporter if isinstance(exporter, str) else None


@rule(
    "OBS007", "telemetry-endpoint-malformed", "observability",
    "A tracing or metrics endpoint is not a usable URL.",
    levels=Levels(W, W, W),
    why="Telemetry that never arrives fails silently: the agent runs, and the traces and metrics the guide's "
        "observability strategy relies on are simply missing.",
    details="The endpoint needs a scheme (http, https, grpc, grpcs), a host and a valid port: `jaeger:4317` is "
            "read as scheme `jaeger` with no host. A missing `http://` or a misspelt scheme (`htps://`) comes "
            "with a fix.",
    bad=agent(_FULL.replace("endpoint: http://otel-collector:4318", "endpoint: otel-collector:4318  # <- OBS007")),
    good=agent(_FULL),
    expect="otel-collector:4318", fix="unsafe",
)
def telemetry_malformed(ctx: Context) -> Iterator[Finding]:
    from ossa_lsp.core.rules.families.tools import endpoint_problem

    for part, url, _exporter in _telemetry(ctx):
        path: list[str | int] = [*OBS, part, "endpoint"]
        text = url.strip()
        parts = split_url(text)
        typo = endpoint_problem(text) if "://" in text or text[:6].lower().startswith(("http:", "https:")) else None
        if typo is not None:
            message, fixed = typo
            yield ctx.report(path, f"'{text}' is not a usable URL: {message}",
                             fixes=ctx.replace(path, fixed, f"Change to {fixed}", safe=False) if fixed else ())
        elif parts is None or any(c.isspace() for c in text):
            yield ctx.report(path, f"'{text}' is not a valid URL (check the port and spaces)")
        elif parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            fixed = f"http://{text}" if "://" not in text else None
            hint = f"; write {fixed}" if fixed else ""
            yield ctx.report(path, f"'{text}' has no usable scheme and host (http, https, grpc or grpcs){hint}",
                             fixes=ctx.replace(path, fixed, f"Change to {fixed}", safe=False) if fixed else ())


_FOREIGN_PORTS = {9411: "Zipkin's", 14250: "Jaeger's gRPC", 14268: "Jaeger's Thrift", 6831: "the Jaeger agent's",
                  6832: "the Jaeger agent's", 9090: "Prometheus'", 9091: "the Prometheus Pushgateway's"}
_OTLP_PORTS = {4317: "OTLP/gRPC", 4318: "OTLP/HTTP"}


def _mismatch(exporter: str | None, scheme: str, port: int | None, path: str) -> str | None:
    if port is None:
        return None
    if exporter == "otlp" and port in _FOREIGN_PORTS:
        return f"port {port} is {_FOREIGN_PORTS[port]} port, not OTLP (4317 for gRPC, 4318 for HTTP)"
    if exporter in ("prometheus", "zipkin", "jaeger") and port in _OTLP_PORTS:
        return f"port {port} is the {_OTLP_PORTS[port]} port but the exporter is {exporter}: use exporter: otlp"
    if exporter in ("otlp", None) and port == 4317 and path.rstrip("/") not in ("",):
        return f"port 4317 is OTLP/gRPC, which takes no URL path ('{path}'): use 4318 for OTLP/HTTP paths"
    if exporter in ("otlp", None) and port == 4318 and scheme in ("grpc", "grpcs"):
        return "port 4318 is OTLP/HTTP but the scheme is gRPC: use 4317 for gRPC"
    return None


@rule(
    "OBS008", "telemetry-port-mismatch", "observability",
    "A telemetry endpoint's port belongs to another protocol than its exporter.",
    levels=Levels(W, W, W),
    why="OTLP listens on 4317 (gRPC) and 4318 (HTTP); Prometheus, Zipkin and Jaeger have their own ports. An "
        "exporter pointed at another protocol's port sends nothing usable, so the observability the guide asks "
        "for is lost without an error.",
    bad=agent(_FULL.replace("endpoint: http://otel-collector:4318", "endpoint: http://jaeger:14268  # <- OBS008")),
    good=agent(_FULL),
    expect="http://jaeger:14268",
)
def telemetry_port(ctx: Context) -> Iterator[Finding]:
    for part, url, exporter in _telemetry(ctx):
        parts = split_url(url)
        if parts is None or not parts.hostname:
            continue
        problem = _mismatch(exporter, parts.scheme.lower(), parts.port, parts.path or "")
        if problem:
            yield ctx.report([*OBS, part, "endpoint"], f"{part.capitalize()} endpoint {url.strip()}: {problem}")
