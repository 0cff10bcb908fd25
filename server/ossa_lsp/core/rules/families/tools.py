"""Tool rules: what each entry of `spec.tools` must get right to be callable at all — a name the model can
tell apart from the others, an endpoint that is a URL, and authentication when it leaves the cluster."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import INFO, E, Levels, W, agent, rule
from ossa_lsp.core.rules.util import has_template, is_internal_host, nearest, split_url

# Schemes a tool endpoint may use; only the web ones are guessed as the intent of a misspelt scheme.
_WEB = ("http", "https", "ws", "wss", "grpc", "grpcs")
_OTHER = ("mcp", "sse", "stdio", "unix", "tcp", "udp", "redis", "rediss", "amqp", "amqps", "nats", "kafka",
          "mqtt", "mqtts", "postgres", "postgresql", "mysql", "mongodb", "mongodb+srv", "file", "s3", "gs",
          "ftp", "sftp", "ssh", "git", "jdbc")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,30})(:/{0,2})")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-_]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-_]*[A-Za-z0-9])?)*\.?\Z")


def _tool_name(tool: dict[str, object], i: int) -> str:
    name = tool.get("name")
    return name if isinstance(name, str) and name else f"#{i + 1}"


def _endpoints(ctx: Context) -> Iterator[tuple[int, dict[str, object], str]]:
    for i, tool in ctx.tools():
        url = tool.get("endpoint")
        if isinstance(url, str) and url.strip() and not has_template(url):
            yield i, tool, url.strip()


def endpoint_problem(url: str) -> tuple[str, str | None] | None:
    """What is wrong with an absolute endpoint URL (None when nothing is), and the corrected URL when the
    mistake is a misspelt scheme or a lost slash. Relative paths (`/health`) and `host:port` are left alone."""
    if url.startswith("/"):
        return None
    m = _SCHEME.match(url)
    if m is None or (m.group(2) == ":" and m.group(1).lower() not in _WEB):
        return None  # host:port, or an opaque scheme such as mailto:
    scheme, sep = m.group(1), m.group(2)
    low = scheme.lower()
    rest = url[m.end():]
    if low not in _WEB and low not in _OTHER:
        near = nearest(low, _WEB, 1 if len(low) < 4 else 2)
        if len(near) == 1:
            return (f"the scheme `{scheme}` is not a known one; did you mean `{near[0]}://`?",
                    f"{near[0]}://{rest}")
        return f"the scheme `{scheme}` is not a known one (http, https, ws, wss, grpc or grpcs)", None
    if low not in _WEB:
        return None
    if sep != "://" and rest and not rest.startswith("/"):
        return f"`{scheme}{sep}` needs two slashes: write `{scheme}://`", f"{scheme}://{rest}"
    if any(c.isspace() for c in url):
        return "a URL cannot contain spaces (write them as %20)", None
    parts = split_url(url)
    if parts is None:
        return "the port is not a number from 0 to 65535 (or the address is malformed)", None
    host = parts.hostname or ""
    if not host:
        return "it names no host", None
    if not host.startswith("[") and ":" not in host and not _HOST.match(host):
        return f"`{host}` is not a valid host name", None
    return None


@rule(
    "MESH006", "tool-endpoint-malformed", "mesh",
    "A tool's endpoint is not a usable URL (misspelt scheme, missing slash, bad port, no host).",
    levels=Levels(E, E, E),
    why="A tool is how the agent acts on the world; an endpoint the runtime cannot parse or connect to turns "
        "every call into an error at run time, long after review. The schema only checks that it is text.",
    details="Absolute URLs are checked: the scheme (http, https, ws, wss, grpc, grpcs, or a known non-web one "
            "such as mcp or redis), `://`, the host and the port. A scheme one or two letters from a web scheme "
            "(`htps`, `htttp`) or with a lost slash (`https:/api…`) comes with a fix. Relative paths (`/health`), "
            "`host:port` and templated values (`${API_URL}/v1`) are not checked.",
    bad=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: htps://crm.example.com/api  # <- MESH006\n"
              "      auth:\n        type: bearer\n        credentials: CRM_TOKEN_SECRET\n"),
    good=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: https://crm.example.com/api\n"
               "      auth:\n        type: bearer\n        credentials: CRM_TOKEN_SECRET\n"),
    expect="htps://crm.example.com/api", fix="safe",
)
def endpoint_malformed(ctx: Context) -> Iterator[Finding]:
    for i, tool, url in _endpoints(ctx):
        problem = endpoint_problem(url)
        if problem is None:
            continue
        message, fixed = problem
        path: list[str | int] = ["spec", "tools", i, "endpoint"]
        fixes = ctx.replace(path, fixed, f"Change to {fixed}", safe=True) if fixed else ()
        yield ctx.report(path, f"The endpoint of tool {_tool_name(tool, i)} is not a usable URL: {message}",
                         fixes=fixes)


@rule(
    "MESH007", "tool-name-duplicate", "mesh",
    "Two tools of one agent have the same name.",
    levels=Levels(E, E, E),
    why="The model picks a tool by its name: with two tools called the same, model providers reject the "
        "request, or one tool silently shadows the other, so the agent calls an endpoint nobody reviewed for "
        "that purpose.",
    bad=agent("  tools:\n    - type: http\n      name: orders\n      endpoint: https://orders.example.com/api\n"
              "      auth:\n        type: bearer\n        credentials: ORDERS_TOKEN_SECRET\n"
              "    - type: http\n      name: orders  # <- MESH007\n      endpoint: https://refunds.example.com/api\n"
              "      auth:\n        type: bearer\n        credentials: REFUNDS_TOKEN_SECRET\n"),
    good=agent("  tools:\n    - type: http\n      name: orders\n      endpoint: https://orders.example.com/api\n"
               "      auth:\n        type: bearer\n        credentials: ORDERS_TOKEN_SECRET\n"
               "    - type: http\n      name: refunds\n      endpoint: https://refunds.example.com/api\n"
               "      auth:\n        type: bearer\n        credentials: REFUNDS_TOKEN_SECRET\n"),
    expect="orders",
)
def duplicate_name(ctx: Context) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, tool in ctx.tools():
        name = tool.get("name")
        if not isinstance(name, str) or not name:
            continue
        if name not in first:
            first[name] = i
            continue
        yield ctx.report(["spec", "tools", i, "name"], f"Another tool is already called {name} (tool "
                         f"#{first[name] + 1}); give each tool its own name",
                         related=ctx.related(["spec", "tools", first[name], "name"], f"The first tool called {name}"))


@rule(
    "SEC010", "tool-auth-none-external", "security",
    "A tool calls a host outside the cluster with `auth: {type: none}`.",
    levels=Levels(INFO, W, E),
    why="The guide's authentication pattern gives every network tool an `auth` block so that a reviewer can see "
        "how each call proves who the agent is. `type: none` to a host outside the cluster means anonymous calls "
        "to a third party: fine for a truly public API, a gap anywhere else. Say which it is.",
    details="A note in the baseline profile (public APIs such as a web search are called this way), a warning "
            "in enterprise, an error in strict. Reported for http, https, ws, wss, grpc and grpcs endpoints whose host is not internal (single-label "
            "service names, `*.svc`, `*.cluster.local`, `*.internal`, `*.local`, localhost, private addresses, or "
            "an agent of the workspace). For a deliberately public API, suppress it with the reason: "
            "`# ossa-lsp: ignore[SEC010] -- public weather API`.",
    bad=agent("  tools:\n    - type: http\n      name: payments\n      endpoint: https://api.payments.example.com/v1\n"
              "      auth:\n        type: none  # <- SEC010\n"),
    good=agent("  tools:\n    - type: http\n      name: payments\n      endpoint: https://api.payments.example.com/v1\n"
               "      auth:\n        type: bearer\n        credentials: PAYMENTS_TOKEN_SECRET\n"),
    expect="none",
)
def auth_none_external(ctx: Context) -> Iterator[Finding]:
    for i, tool, url in _endpoints(ctx):
        auth = tool.get("auth")
        kind = auth.get("type") if isinstance(auth, dict) else None
        if not isinstance(kind, str) or kind.strip().lower() != "none":
            continue
        parts = split_url(url)
        if parts is None or parts.scheme.lower() not in _WEB:
            continue
        host = parts.hostname or ""
        if not host or is_internal_host(host) or (ctx.workspace is not None and ctx.workspace.resolves_host(host)):
            continue
        yield ctx.report(["spec", "tools", i, "auth", "type"], f"Tool {_tool_name(tool, i)} calls {host}, outside "
                         "the cluster, with no authentication: declare how it authenticates (bearer, apikey, "
                         "oauth2, mtls), or suppress this with the reason the API is public")
