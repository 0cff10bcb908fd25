"""Security rules: the guide's "Security Policies" — credentials are references to secrets, never the
secret; tools authenticate; traffic leaving the cluster is encrypted; autonomy has guard rails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import E, Levels, Option, W, agent, rule
from ossa_lsp.core.rules.util import is_internal_host, split_url
from ossa_lsp.core.schema.validate import dotted
from ossa_lsp.core.scrub import (
    REFERENCE,
    entropy,
    find_secrets,
    has_marker,
    has_template,
    is_credential_key,
    mask,
)
from ossa_lsp.core.text.source import Manifest, Node
from ossa_lsp.core.text.spans import Pos, Span

AUTONOMY = ("spec", "autonomy")

_SPACE = re.compile(r"\s")
_DIGEST = re.compile(r"\A(?:sha\d+[-:]|md5[-:])", re.I)


def _source_span(ctx: Context, node: Node, text: str) -> Span:
    """The span of `text` inside a one-line scalar, or the whole value."""
    s = node.span
    if ctx.lines is None or s.start.line != s.end.line:
        return s
    at = ctx.lines.slice(s).find(text)
    if at < 0:
        return s
    return Span(Pos(s.start.line, s.start.character + at), Pos(s.start.line, s.start.character + at + len(text)))


@rule(
    "SEC001", "secret-literal", "security",
    "A value contains a literal secret (API key, token, private key, JWT, password in a URL).",
    levels=Levels(E, E, E),
    why="The guide's security architecture puts a reference in `credentials` (`credentials: API_KEY_SECRET`), "
        "and the schema describes it as a \"reference to secret/credential (not the actual secret)\". A literal "
        "key in a manifest is in every clone, build log and review forever; rotate it.",
    details="Recognises OpenAI (`sk-`, `sk-proj-`), Anthropic (`sk-ant-`), AWS (`AKIA`/`ASIA`), GitHub (`ghp_`, "
            "`github_pat_`, ...), Slack (`xox?-`), Google (`AIza`) keys, PEM private keys, JSON Web Tokens and "
            "passwords in URLs, anywhere in the document. Messages show at most the first four characters.",
    bad=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: https://crm.example.com/api\n"
              "      auth:\n        type: bearer\n        credentials: sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd  # <- SEC001\n"),
    good=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: https://crm.example.com/api\n"
               "      auth:\n        type: bearer\n        credentials: CRM_API_KEY_SECRET\n"),
    expect="sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd",
)
def secret_literal(ctx: Context) -> Iterator[Finding]:
    text = ctx.shared.get("text")
    if isinstance(text, str) and "\\" not in text and not has_marker(text):
        return  # substring checks on the raw text rule out most files (only escapes could hide a key)
    for trail, node in ctx.strings():
        value: str = node.value
        if len(value) < 16 or not has_marker(value):
            continue
        path = ctx.path_of(trail)
        for hit in find_secrets(value):
            ctx.secrets.append(hit.secret)
            yield ctx.report(path, f"{hit.kind[0].upper()}{hit.kind[1:]} ({mask(hit.secret)}) is written into "
                             f"{dotted(path)}; store it in a secret manager, put a reference here "
                             "(e.g. API_KEY_SECRET, ${VAR} or secret://name) and rotate the exposed key",
                             span=_source_span(ctx, node, hit.secret))


@rule(
    "SEC002", "secret-high-entropy", "security",
    "A credential-like value is a random-looking string rather than a reference to a secret.",
    levels=Levels(W, E, E),
    why="Secrets without a well-known prefix are still secrets. The guide's form is a reference to a secret "
        "(`credentials: API_KEY_SECRET`); a long random string where a reference belongs is almost always the key.",
    details="Under keys that name credentials (credentials, token, secret, password, apiKey, ...): text of "
            "`min-length` or more characters, with letters and digits, entropy of at least `threshold` bits per "
            "character, that is not a reference (`API_KEY_SECRET`, `${VAR}`, `secret://…`, `vault:…`, `env:…`), "
            "a path or a URL. Elsewhere only very random text (4.5 bits per character, 32+ characters) counts.",
    options=(Option("threshold", "number", 3.5, "Minimum Shannon entropy (bits per character) under credential keys."),
             Option("min-length", "int", 16, "Shortest value considered under credential keys.")),
    bad=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: https://crm.example.com/api\n"
              "      auth:\n        type: apikey\n        credentials: 9f8Kq2LmZx7RtV4wPb6Yn3Hc  # <- SEC002\n"),
    good=agent("  tools:\n    - type: http\n      name: crm\n      endpoint: https://crm.example.com/api\n"
               "      auth:\n        type: apikey\n        credentials: secret://crm/api-key\n"),
    expect="9f8Kq2LmZx7RtV4wPb6Yn3Hc",
)
def secret_entropy(ctx: Context) -> Iterator[Finding]:
    threshold = float(ctx.options.get("threshold") or 3.5)
    min_len = int(ctx.options.get("min-length") or 16)
    for trail, node in ctx.strings():
        value: str = node.value
        if len(value) < min_len:
            continue
        value = value.strip()
        last = trail[1] if trail is not None else ""
        cred = isinstance(last, str) and is_credential_key(last)
        if len(value) < (min_len if cred else 32) or _SPACE.search(value):
            continue
        if REFERENCE.match(value) or has_template(value) or value.startswith(("/", "./", "~", "../")):
            continue
        if "://" in value or _DIGEST.match(value) or next(find_secrets(value), None) is not None:
            continue  # URLs, digests, and known formats (SEC001 reports those)
        if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
            continue
        bits = entropy(value)
        if cred and bits < threshold:
            continue
        if not cred and (bits < 4.5 or not (any(c.islower() for c in value) and any(c.isupper() for c in value))):
            continue
        ctx.secrets.append(value)
        path = ctx.path_of(trail)
        yield ctx.report(path, f"{dotted(path)} looks like a literal secret ({mask(value)}, {bits:.1f} bits of "
                         "entropy per character); put a reference to a secret here (e.g. API_KEY_SECRET or "
                         "secret://name)")


def _endpoints(ctx: Context) -> Iterator[tuple[list[str | int], str]]:
    for i, tool in ctx.tools():
        if isinstance(tool.get("endpoint"), str):
            yield ["spec", "tools", i, "endpoint"], tool["endpoint"]
    for part in ("tracing", "metrics"):
        v = ctx.text("spec", "observability", part, "endpoint")
        if v is not None:
            yield ["spec", "observability", part, "endpoint"], v


@rule(
    "SEC003", "insecure-http-endpoint", "security",
    "An endpoint outside the cluster is reached over plain http:// (or ws://).",
    levels=Levels(W, E, E),
    why="The guide's network security calls for encrypted, authenticated traffic (service mesh, mTLS, API "
        "gateways). Plain HTTP to a host outside the cluster sends prompts, data and bearer tokens in clear text.",
    details="Checks tool endpoints and tracing/metrics endpoints. Internal hosts are allowed: single-label names "
            "(Kubernetes or Compose services such as `http://jaeger:4318`), `*.svc`, `*.cluster.local`, "
            "`*.internal`, `*.local`, localhost, private and loopback addresses, and the `internal-hosts` patterns.",
    options=(Option("internal-hosts", "strings", [], "Extra host patterns (globs) that never leave your network."),),
    bad=agent("  tools:\n    - type: http\n      name: weather\n      endpoint: http://api.weather.example.com/v1  # <- SEC003\n"
              "      auth:\n        type: apikey\n        credentials: WEATHER_API_KEY\n"),
    good=agent("  tools:\n    - type: http\n      name: weather\n      endpoint: https://api.weather.example.com/v1\n"
               "      auth:\n        type: apikey\n        credentials: WEATHER_API_KEY\n"),
    expect="http://api.weather.example.com/v1", fix="unsafe",
)
def insecure_http(ctx: Context) -> Iterator[Finding]:
    extra = [str(p) for p in ctx.options.get("internal-hosts") or []]
    for path, url in _endpoints(ctx):
        low = url.strip().lower()
        if not low.startswith(("http://", "ws://")) or has_template(url):
            continue
        parts = split_url(url)
        host = parts.hostname if parts is not None else None
        if not host or is_internal_host(host, extra) or (ctx.workspace is not None and ctx.workspace.resolves_host(host)):
            continue
        secure = "https://" if low.startswith("http://") else "wss://"
        fixed = secure + url.strip().split("://", 1)[1]
        yield ctx.report(path, f"{url.strip()} is plain {low.split(':', 1)[0].upper()} to {host}, outside the "
                         f"cluster: use {secure[:-3]} (or add the host to `internal-hosts` if it is internal)",
                         fixes=ctx.replace(path, fixed, f"Use {secure[:-3]}", safe=False))


def _network_tools(ctx: Context) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, tool in ctx.tools():
        if tool.get("type") in ("http", "grpc"):
            yield i, tool


@rule(
    "SEC004", "tool-auth-missing", "security",
    "An http or grpc tool declares no auth.",
    levels=Levels(None, W, E),
    why="The guide's authentication pattern gives every network tool an `auth` block. Without one, nothing says "
        "how the agent proves who it is, and reviewers cannot tell a public API from a forgotten credential. "
        "Write `auth: {type: none}` for a deliberately public endpoint.",
    bad=agent("  tools:\n    - type: http  # <- SEC004\n      name: inventory\n"
              "      endpoint: https://inventory.example.com/api\n"),
    good=agent("  tools:\n    - type: http\n      name: inventory\n      endpoint: https://inventory.example.com/api\n"
               "      auth:\n        type: bearer\n        credentials: INVENTORY_TOKEN_SECRET\n"),
    expect="type",
)
def tool_auth_missing(ctx: Context) -> Iterator[Finding]:
    for i, tool in _network_tools(ctx):
        if "auth" not in tool:
            name = tool.get("name") if isinstance(tool.get("name"), str) else f"#{i + 1}"
            yield ctx.missing(["spec", "tools", i, "auth"], f"The {tool['type']} tool {name} has no auth: declare how "
                              "it authenticates (bearer, apikey, oauth2, mtls), or `type: none` if it is public")


_CRED_FIELD = re.compile(r"cred|token|secret|key|cert|passw|path|ref|file", re.I)


@rule(
    "SEC005", "auth-credentials-missing", "security",
    "A bearer, apikey or oauth2 auth block names no credential.",
    levels=Levels(W, W, E),
    why="`auth.type: bearer` without `credentials` cannot work: the runtime has no secret to send. The guide's "
        "pattern names the secret reference next to the type (`credentials: API_KEY_SECRET`).",
    details="Any field that names a credential source counts (credentials, tokenPath, secretRef, ...).",
    bad=agent("  tools:\n    - type: http\n      name: scanner\n      endpoint: http://trivy:8080\n"
              "      auth:  # <- SEC005\n        type: bearer\n"),
    good=agent("  tools:\n    - type: http\n      name: scanner\n      endpoint: http://trivy:8080\n"
               "      auth:\n        type: bearer\n        credentials: TRIVY_TOKEN_SECRET\n"),
    expect="auth",
)
def auth_credentials_missing(ctx: Context) -> Iterator[Finding]:
    for i, tool in ctx.tools():
        auth = tool.get("auth")
        if not isinstance(auth, dict) or auth.get("type") not in ("bearer", "apikey", "oauth2"):
            continue
        if any(_CRED_FIELD.search(k) for k in auth if k != "type"):
            continue
        yield ctx.missing(["spec", "tools", i, "auth", "credentials"],
                          f"auth type {auth['type']} names no credential: add `credentials:` with a reference to "
                          "the secret (e.g. API_KEY_SECRET)")


_WILD = {"*", "**", "all", "any", "*:*"}


def _wildcards(ctx: Context) -> Iterator[tuple[int, str]]:
    for i, a in enumerate(ctx.sequence(*AUTONOMY, "allowed_actions") or []):
        if isinstance(a, str) and (a.strip().lower() in _WILD or "*" in a):
            yield i, a


@rule(
    "SEC006", "allowed-actions-wildcard", "security",
    "autonomy.allowed_actions contains a wildcard.",
    levels=Levels(None, W, W),
    why="allowed_actions is a whitelist; a wildcard turns it into \"anything\", so the policy no longer says what "
        "the agent may do and cannot be audited. List the actions.",
    details="`*`, `**`, `all`, `any`, and patterns containing `*` (such as `delete_*`). With "
            "`level: fully_autonomous`, SEC007 reports it instead.",
    bad=agent("  autonomy:\n    level: autonomous\n    approval_required: true\n    allowed_actions:\n"
              "      - \"*\"  # <- SEC006\n"),
    good=agent("  autonomy:\n    level: autonomous\n    approval_required: true\n    allowed_actions:\n"
               "      - read_orders\n      - draft_reply\n"),
    expect='"*"',
)
def allowed_wildcard(ctx: Context) -> Iterator[Finding]:
    if ctx.get(*AUTONOMY, "level") == "fully_autonomous":
        return
    for i, a in _wildcards(ctx):
        yield ctx.report([*AUTONOMY, "allowed_actions", i], f"'{a}' in allowed_actions allows every action: "
                         "list the actions the agent needs")


@rule(
    "SEC007", "fully-autonomous-wildcard", "security",
    "A fully_autonomous agent may take any action (wildcard in allowed_actions).",
    levels=Levels(W, E, E),
    why="This is the one combination with no human and no limit: no approval by definition, and a whitelist "
        "that allows everything. The guide's governance model (policy enforcement, compliance checking) has "
        "nothing left to enforce.",
    bad=agent("  autonomy:\n    level: fully_autonomous\n    allowed_actions:\n      - \"*\"  # <- SEC007\n"),
    good=agent("  autonomy:\n    level: fully_autonomous\n    allowed_actions:\n      - read_metrics\n"
               "      - open_ticket\n    blocked_actions:\n      - delete_resources\n"),
    expect='"*"',
)
def fully_autonomous_wildcard(ctx: Context) -> Iterator[Finding]:
    if ctx.get(*AUTONOMY, "level") != "fully_autonomous":
        return
    for i, a in _wildcards(ctx):
        yield ctx.report([*AUTONOMY, "allowed_actions", i], f"A fully_autonomous agent with '{a}' in "
                         "allowed_actions may do anything without a human: list the allowed actions")


@rule(
    "SEC008", "autonomy-unguarded", "security",
    "An autonomous agent has neither approval_required nor any blocked_actions.",
    levels=Levels(None, W, W),
    why="Autonomy is governed by two controls in OSSA: human approval and a blacklist of forbidden actions. "
        "An autonomous agent with neither has no guard rail a reviewer can point to.",
    bad=agent("  autonomy:\n    level: autonomous  # <- SEC008\n    allowed_actions:\n      - restart_pod\n"),
    good=agent("  autonomy:\n    level: autonomous\n    allowed_actions:\n      - restart_pod\n"
               "    blocked_actions:\n      - delete_namespace\n"),
    expect="autonomous",
)
def autonomy_unguarded(ctx: Context) -> Iterator[Finding]:
    level = ctx.get(*AUTONOMY, "level")
    if level not in ("autonomous", "fully_autonomous"):
        return
    if ctx.get(*AUTONOMY, "approval_required") is True or ctx.sequence(*AUTONOMY, "blocked_actions"):
        return
    yield ctx.report([*AUTONOMY, "level"], f"This {level} agent has neither approval_required nor any "
                     "blocked_actions: block the actions it must never take, or require approval")


@rule(
    "SEC009", "action-allowed-and-blocked", "security",
    "The same action is both in allowed_actions and in blocked_actions.",
    levels=Levels(E, E, E),
    why="A contradiction in the policy itself: runtimes differ on which list wins, so the manifest does not say "
        "whether the agent may take the action.",
    bad=agent("  autonomy:\n    level: supervised\n    allowed_actions:\n      - refund_order  # <- SEC009\n"
              "    blocked_actions:\n      - refund_order\n"),
    good=agent("  autonomy:\n    level: supervised\n    allowed_actions:\n      - draft_refund\n"
               "    blocked_actions:\n      - refund_order\n"),
    expect="refund_order",
)
def allowed_and_blocked(ctx: Context) -> Iterator[Finding]:
    blocked = ctx.sequence(*AUTONOMY, "blocked_actions") or []
    where = {b: j for j, b in reversed(list(enumerate(blocked))) if isinstance(b, str)}
    for i, a in enumerate(ctx.sequence(*AUTONOMY, "allowed_actions") or []):
        if isinstance(a, str) and a in where:
            yield ctx.report([*AUTONOMY, "allowed_actions", i], f"'{a}' is both allowed and blocked: remove it "
                             "from one of the lists",
                             related=ctx.related([*AUTONOMY, "blocked_actions", where[a]], f"'{a}' is blocked here"))


# --- agent mesh ----------------------------------------------------------------------------------

_AGENT_LABEL = re.compile(r"(?:^|[-_])agent(?:[-_]?\d+)?$")


@rule(
    "MESH001", "agent-call-without-mtls", "mesh",
    "A tool that calls another agent does not use mutual TLS.",
    levels=Levels(None, W, W),
    why="The guide's network security for agent meshes is \"mTLS between agents\": both sides prove who they "
        "are, so one compromised agent cannot impersonate another.",
    details="A tool counts as an agent call when its endpoint's host (first label) or its name ends in `agent`, "
            "its path has an `/a2a` segment, or its host matches `agent-hosts`, or (with a workspace) when the host names an agent defined in another manifest. "
            "It passes with `auth.type: mtls`.",
    options=(Option("agent-hosts", "strings", [], "Host patterns (globs) of other agents, e.g. `*.agents.svc`."),),
    bad=agent("  tools:\n    - type: http\n      name: invoke_worker_agent\n      endpoint: http://worker-agent:8080/api\n"
              "      auth:\n        type: bearer  # <- MESH001\n        credentials: ORCHESTRATOR_TOKEN\n"),
    good=agent("  tools:\n    - type: http\n      name: invoke_worker_agent\n      endpoint: http://worker-agent:8080/api\n"
               "      auth:\n        type: mtls\n        credentials: orchestrator-client-tls\n"),
    expect="bearer",
)
def agent_mtls(ctx: Context) -> Iterator[Finding]:
    from fnmatch import fnmatchcase

    patterns = [str(p).lower() for p in ctx.options.get("agent-hosts") or []]
    for i, tool in _network_tools(ctx):
        endpoint = tool.get("endpoint")
        parts = split_url(endpoint) if isinstance(endpoint, str) else None
        host = (parts.hostname or "") if parts is not None else ""
        name = tool.get("name") if isinstance(tool.get("name"), str) else ""
        is_agent = bool(_AGENT_LABEL.search(host.split(".")[0]) or _AGENT_LABEL.search(str(name).lower())
                        or (parts is not None and "/a2a" in (parts.path or "").lower())
                        or any(fnmatchcase(host, p) for p in patterns)
                        or (ctx.workspace is not None and host and ctx.workspace.resolves_host(host)))
        if not is_agent:
            continue
        auth = tool.get("auth")
        kind = auth.get("type") if isinstance(auth, dict) else None
        if kind == "mtls":
            continue
        base: list[str | int] = ["spec", "tools", i, "auth"]
        msg = f"Tool {name or '#' + str(i + 1)} calls another agent ({host or endpoint}) without mutual TLS"
        if isinstance(kind, str):
            yield ctx.report([*base, "type"], f"{msg}: use auth type mtls")
        else:
            yield ctx.missing([*base, "type"], f"{msg}: add auth with type mtls")


# --- past a syntax error ---------------------------------------------------------------------------

_RAW_LINE_LIMIT = 4096  # characters of one raw line scanned; a key is far shorter, and it keeps the scan linear


def unparsed_secrets(manifest: Manifest, severity: Severity, secrets: list[str],
                     known: list[Finding]) -> list[Finding]:
    """SEC001 on the raw lines a syntax error kept the parser from reading: a key written below a typo is
    still a leaked key. Secrets the tree already reported (same line and column) are not repeated."""
    breaks = [f for f in manifest.findings if f.code == "YAML001"]
    if not breaks:
        return []
    first = min(breaks, key=Finding.sort_key)
    lines = manifest.lines
    out: list[Finding] = []
    for n in range(first.span.start.line, lines.line_count):
        line = lines.line(n)[:_RAW_LINE_LIMIT]
        if len(line) < 16 or not has_marker(line) or line.lstrip().startswith("#"):
            continue
        for hit in find_secrets(line):
            secret, at = hit.secret, hit.start
            if any(f.code == "SEC001" and f.span.start == (n, at) for f in known):
                continue
            secrets.append(secret)
            kind = hit.kind
            out.append(Finding(
                code="SEC001", severity=severity, source="policy", document=first.document,
                span=Span(Pos(n, at), Pos(n, at + len(secret))), data={"rule": "secret-literal"},
                message=f"{kind[0].upper()}{kind[1:]} ({mask(secret)}) is written on line {n + 1} (below a syntax "
                        "error, so it was read as raw text); store it in a secret manager, put a reference here "
                        "(e.g. API_KEY_SECRET, ${VAR} or secret://name) and rotate the exposed key"))
    return out
