"""The workspace index: every agent of every OSSA manifest in the workspace, and who calls whom.

Each agent records its name, namespace, labels, where it is defined, its model and limits, and its
tool endpoints. An endpoint resolves to an agent when its host is the agent's name, `name.namespace`,
or `name.namespace.svc[.cluster.local]` (the port and path are kept). The index is updated per file
(from open documents or file events) and answers definition, references, symbols and the call graph.
It only parses (no schema validation), so indexing thousands of files stays fast.

What it keeps per agent is a summary (slotted objects, the strings many agents share interned), never a
tree or a text: memory grows by about a kilobyte per manifest however large the workspace.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from ossa_lsp.core import files
from ossa_lsp.core.text.source import MAP, SCALAR, SEQ, Document, Manifest, Node, parse
from ossa_lsp.core.text.spans import Pos, Span

INTERNAL_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".internal", ".local")


@dataclass(frozen=True, slots=True)
class Endpoint:
    tool_index: int
    tool_name: str | None
    url: str
    scheme: str
    host: str
    port: int | None
    path: str
    span: Span  # the endpoint value
    auth_type: str | None
    tool_span: Span  # the tool item

    @property
    def internal(self) -> bool:
        """Looks like a call inside the cluster or network (not the public internet)."""
        h = self.host
        if not h:
            return False
        return "." not in h or h == "localhost" or h.endswith(INTERNAL_SUFFIXES)


@dataclass(slots=True)
class Agent:
    name: str
    path: str  # file path (as given to the index)
    document: int
    name_span: Span
    key_span: Span
    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    role: str | None = None
    provider: str | None = None
    model: str | None = None
    max_cost_per_day: float | None = None
    currency: str | None = None
    timeout_seconds: float | None = None
    endpoints: list[Endpoint] = field(default_factory=list)
    api_version: str | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.name, self.namespace)

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        name = self.name.lower()
        if host == name:
            return True
        if not host.startswith(name + "."):
            return False
        rest = host[len(name) + 1:]
        ns, _, tail = rest.partition(".")
        if tail not in ("", "svc", "svc.cluster.local"):
            return False
        return self.namespace is None or ns == self.namespace.lower()


def _scalar(node: Node | None) -> Any:
    if node is None:
        return None
    n = node.deref()
    return n.value if n.kind == SCALAR else None


def _get(node: Node | None, *path: str | int) -> Node | None:
    for part in path:
        if node is None:
            return None
        node = node.deref()
        if node.kind == MAP and isinstance(part, str):
            pair = node.get(part)
            node = pair[1] if pair is not None else None
        elif node.kind == SEQ and isinstance(part, int) and 0 <= part < len(node.items):
            node = node.items[part]
        else:
            return None
    return node


def _number(node: Node | None) -> float | None:
    v = _scalar(node)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _text(node: Node | None) -> str | None:
    v = _scalar(node)
    return v if isinstance(v, str) else None


def agents_of(doc: Document, path: str) -> list[Agent]:
    """The agent a parsed document defines (zero or one; a list for multi-document files)."""
    root = doc.root
    api = doc.api_version
    if root is None or api is None or not api.startswith("ossa/") or doc.kind not in (None, "Agent"):
        return []
    meta = _get(root, "metadata")
    m = meta.deref() if meta is not None else None
    pair = m.get("name") if m is not None and m.kind == MAP else None
    if pair is None or not isinstance(_scalar(pair[1]), str):
        return []
    labels_node = _get(meta, "labels")
    labels: dict[str, str] = {}
    if labels_node is not None and labels_node.deref().kind == MAP:
        for k, v in labels_node.deref().items:
            if isinstance(_scalar(k), str) and _scalar(v) is not None:
                labels[str(_scalar(k))] = str(_scalar(v))
    namespace = (_text(_get(meta, "namespace")) or labels.get("namespace")
                 or _text(_get(root, "extensions", "kagent", "kubernetes", "namespace")))
    spec = _get(root, "spec")
    agent = Agent(
        name=str(_scalar(pair[1])), path=path, document=doc.index, name_span=pair[1].span, key_span=pair[0].span,
        namespace=namespace, labels=labels, role=_text(_get(spec, "role")),
        provider=_text(_get(spec, "llm", "provider")), model=_text(_get(spec, "llm", "model")),
        max_cost_per_day=_number(_get(spec, "constraints", "cost", "maxCostPerDay")),
        currency=_text(_get(spec, "constraints", "cost", "currency")),
        timeout_seconds=_number(_get(spec, "constraints", "performance", "timeoutSeconds")),
        api_version=api,
    )
    tools = _get(spec, "tools")
    if tools is not None and tools.deref().kind == SEQ:
        for i, tool in enumerate(tools.deref().items):
            ep_node = _get(tool, "endpoint")
            url = _text(ep_node)
            if not url or ep_node is None:
                continue
            try:
                parts = urlsplit(url)
                port = parts.port
            except ValueError:
                continue
            agent.endpoints.append(Endpoint(
                tool_index=i, tool_name=_text(_get(tool, "name")), url=url, scheme=parts.scheme.lower(),
                host=(parts.hostname or "").lower(), port=port, path=parts.path, span=ep_node.span,
                auth_type=_text(_get(tool, "auth", "type")), tool_span=tool.span))
    return [agent]


def agents_in_text(path: str, text: str) -> tuple[str, list[Agent]]:
    """The index's key for a file and the agents its text defines (what a worker process sends back
    instead of the tree)."""
    key = norm(path)
    return key, [a for d in parse(text, path).documents for a in agents_of(d, key)]


@dataclass(slots=True)
class FileEntry:
    path: str
    agents: list[Agent]
    stamp: Any  # version (open documents) or mtime (files on disk)


@dataclass(frozen=True, slots=True)
class Call:
    caller: Agent
    endpoint: Endpoint
    callee: Agent | None


class WorkspaceIndex:
    """Thread-safe index of agents by file and by name."""

    def __init__(self) -> None:
        self._files: dict[str, FileEntry] = {}
        self._by_name: dict[str, tuple[Agent, ...]] = {}
        self._lock = threading.RLock()
        self.generation = 0  # bumps on every change of any agent fact (graph, hover, caches)
        self.mesh_generation = 0  # bumps only when what cross-file rules read changes
        self._memo: dict[str, Any] = {}
        self._memo_generation = -1
        self._shared = Shared()

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """Answers that depend on the whole index are computed once per generation."""
        with self._lock:
            if self._memo_generation != self.generation:
                self._memo = {}
                self._memo_generation = self.generation
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    # -- updates -----------------------------------------------------------------------------------
    def update_text(self, path: str, text: str, stamp: Any = None) -> bool:
        """(Re)index one file from its text; True when its agents changed."""
        return self.update_manifest(path, parse(text, path), stamp)

    def update_manifest(self, path: str, manifest: Manifest, stamp: Any = None) -> bool:
        path = norm(path)
        return self.update_agents(path, [a for d in manifest.documents for a in agents_of(d, path)], stamp)

    def update_agents(self, key: str, agents: list[Agent], stamp: Any = None) -> bool:
        """(Re)index one file from its agents, made elsewhere (`agents_in_text`, in another process);
        `key` is the file's `norm` path. True when what cross-file rules read changed."""
        path = key
        agents = [self._shared.agent(a) for a in agents]
        with self._lock:
            old = self._files.get(path)
            if old is not None and _same(old.agents, agents):
                old.stamp = stamp
                return False
            mesh_changed = old is None or _mesh(old.agents) != _mesh(agents)
            self._remove(path)
            self._files[path] = FileEntry(path, agents, stamp)
            for a in agents:
                low = _lower(a.name)
                self._by_name[low] = (*self._by_name.get(low, ()), a)
            self.generation += 1
            if mesh_changed:
                self.mesh_generation += 1
            return mesh_changed

    def update_file(self, path: str) -> bool:
        path = norm(path)
        try:
            stat = os.stat(path)
            with self._lock:
                old = self._files.get(path)
            if old is not None and old.stamp == stat.st_mtime_ns:
                return False
        except OSError:
            return self.remove(path)
        try:  # regular files only, bounded: a FIFO or a link to /dev/zero cannot stall the index
            data = files.read_bytes(path)
        except files.FileError:
            return self.remove(path)
        if b"\x00" in data[:8192]:
            return self.remove(path)
        return self.update_text(path, data.decode("utf-8-sig", "replace"), stat.st_mtime_ns)

    def remove(self, path: str) -> bool:
        path = norm(path)
        with self._lock:
            if path not in self._files:
                return False
            self._remove(path)
            self.generation += 1
            self.mesh_generation += 1
            return True

    def _remove(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        for a in old.agents:
            low = _lower(a.name)
            rest = tuple(x for x in self._by_name.get(low, ()) if x.path != path)
            if rest:
                self._by_name[low] = rest
            else:
                self._by_name.pop(low, None)

    def prepare(self) -> None:
        """Build now what queries over the whole index compute lazily (the agent list, the call graph and
        its cycles, the sorted names): before forking workers, so each inherits them instead of building
        its own copy."""
        self.agents()
        self._components()
        self._names()

    def build(self, paths: Iterable[str], progress: Callable[[int, int], None] | None = None) -> int:
        files = list(paths)
        for n, p in enumerate(files, 1):
            self.update_file(p)
            if progress is not None and (n % 100 == 0 or n == len(files)):
                progress(n, len(files))
        return len(files)

    # -- queries -----------------------------------------------------------------------------------
    def agents(self) -> list[Agent]:
        return list(self._cached("agents", lambda: [a for f in self._files.values() for a in f.agents]))

    def files(self) -> list[str]:
        with self._lock:
            return list(self._files)

    def agents_in(self, path: str) -> list[Agent]:
        with self._lock:
            entry = self._files.get(norm(path))
            return list(entry.agents) if entry else []

    def named(self, name: str) -> list[Agent]:
        with self._lock:
            return list(self._by_name.get(name.lower(), []))

    def resolve(self, endpoint: Endpoint) -> Agent | None:
        """The agent an endpoint calls, if its host names one of ours."""
        if not endpoint.host:
            return None
        first = endpoint.host.split(".", 1)[0]
        candidates = [a for a in self.named(first) if a.matches_host(endpoint.host)]
        if not candidates:
            return None
        return sorted(candidates, key=lambda a: (a.path, a.document))[0]

    def resolves_host(self, host: str) -> bool:
        first = host.lower().split(".", 1)[0]
        return any(a.matches_host(host) for a in self.named(first))

    def calls(self) -> Iterator[Call]:
        for a in self.agents():
            for ep in a.endpoints:
                yield Call(a, ep, self.resolve(ep))

    def callers_of(self, agent: Agent) -> list[Call]:
        return [c for c in self.calls() if c.callee is not None and c.callee.key == agent.key
                and c.callee.path == agent.path]

    def search(self, query: str, limit: int = 200) -> list[Agent]:
        q = query.lower()
        hits = [a for a in self.agents() if q in a.name.lower()] if q else self.agents()
        hits.sort(key=lambda a: (not a.name.lower().startswith(q), a.name, a.path))
        return hits[:limit]

    def nearest_name(self, word: str) -> str | None:
        """An agent name close to `word` (for "did you mean"), once per generation and word."""
        import difflib

        def build() -> str | None:
            hit = difflib.get_close_matches(word, self._names(), n=1, cutoff=0.75)
            return hit[0] if hit else None

        return self._cached(f"near:{word}", build)

    def _names(self) -> list[str]:
        """Every agent name, sorted, kept as one string and split when asked: a forked worker that looks
        for a suggestion reads its own copy instead of touching every agent's name string, which would
        copy every page of the index it shares with its parent."""
        blob: str = self._cached("names", lambda: "\x00".join(sorted({a.name for a in self.agents()
                                                                      if "\x00" not in a.name})))
        return blob.split("\x00") if blob else []

    def duplicates(self) -> dict[tuple[str, str | None], list[Agent]]:
        groups: dict[tuple[str, str | None], list[Agent]] = {}
        for a in self.agents():
            groups.setdefault((a.name.lower(), a.namespace), []).append(a)
        return {k: v for k, v in groups.items() if len(v) > 1}

    def _graph(self) -> dict[int, list[Call]]:
        """Resolved calls by caller (once per generation)."""
        def build() -> dict[int, list[Call]]:
            graph: dict[int, list[Call]] = {}
            for c in self.calls():
                if c.callee is not None:
                    graph.setdefault(id(c.caller), []).append(c)
            return graph
        return dict(self._cached("graph", build))

    def _components(self) -> dict[int, int]:
        """Agent → its strongly connected component (Tarjan, iterative; once per generation).
        Only agents on a cycle get an entry."""
        def build() -> dict[int, int]:
            graph = self._graph()
            index: dict[int, int] = {}
            low: dict[int, int] = {}
            on_stack: set[int] = set()
            stack: list[int] = []
            comp: dict[int, int] = {}
            counter = 0
            for root in graph:
                if root in index:
                    continue
                work: list[tuple[int, int]] = [(root, 0)]
                while work:
                    node, i = work.pop()
                    if i == 0:
                        index[node] = low[node] = counter
                        counter += 1
                        stack.append(node)
                        on_stack.add(node)
                    edges = graph.get(node, [])
                    if i < len(edges):
                        work.append((node, i + 1))
                        nxt = id(edges[i].callee)
                        if nxt not in index:
                            work.append((nxt, 0))
                        elif nxt in on_stack:
                            low[node] = min(low[node], index[nxt])
                        continue
                    if low[node] == index[node]:
                        members = []
                        while True:
                            m = stack.pop()
                            on_stack.discard(m)
                            members.append(m)
                            if m == node:
                                break
                        self_loop = any(id(c.callee) == node for c in graph.get(node, []))
                        if len(members) > 1 or self_loop:
                            for m in members:
                                comp[m] = node
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
            return comp
        return dict(self._cached("components", build))

    def cycle_through(self, agent: Agent) -> list[Call] | None:
        """The shortest call cycle that starts and ends at `agent`, if it is on one (BFS inside its
        strongly connected component: linear in the component's size)."""
        comps = self._components()
        me = id(agent)
        if me not in comps:
            return None
        key = f"cycle:{me}"

        def build() -> list[Call] | None:
            graph = self._graph()
            mine = comps[me]
            parent: dict[int, Call] = {}
            queue = [me]
            for node in queue:
                for call in graph.get(node, []):
                    nxt = id(call.callee)
                    if comps.get(nxt) != mine:
                        continue
                    if nxt == me:
                        path = [call]
                        while path[0].caller is not agent:
                            path.insert(0, parent[id(path[0].caller)])
                        return path
                    if nxt not in parent:
                        parent[nxt] = call
                        queue.append(nxt)
            return None

        return self._cached(key, build)

    def cycle_size(self, agent: Agent) -> int:
        comps = self._components()
        mine = comps.get(id(agent))
        return 0 if mine is None else sum(1 for v in comps.values() if v == mine)

    def cycles(self) -> list[list[Call]]:
        """One shortest cycle per strongly connected component (for reports and tests)."""
        agents = {id(a): a for a in self.agents()}
        seen: set[int] = set()
        out = []
        for key, comp in sorted(self._components().items(), key=lambda kv: (agents[kv[0]].name, agents[kv[0]].path)):
            if comp in seen:
                continue
            seen.add(comp)
            cycle = self.cycle_through(agents[key])
            if cycle:
                out.append(cycle)
        return out


MAX_SHARED = 1 << 16  # distinct spans / label sets / positions remembered for sharing (bounded tables)


class Shared:
    """One copy of what many agents hold alike: positions and spans (similar manifests put their names and
    endpoints at the same places), label sets, and short strings (namespaces, hosts, models; interned).
    Agents that come from another process arrive with copies of everything; this makes the index's
    memory per agent about its name, path and endpoints' URLs. The tables are bounded: past
    `MAX_SHARED` entries new values are kept as they are. Label dicts are shared: read-only."""

    def __init__(self) -> None:
        self.spans: dict[Span, Span] = {}
        self.positions: dict[Pos, Pos] = {}
        self.labels: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self.texts: dict[str, str] = {}

    def text(self, t: str) -> str:
        """One copy of a string that many objects repeat (messages, pointers), short or long."""
        hit = self.texts.get(t)
        if hit is None:
            hit = t
            if len(self.texts) < MAX_SHARED:
                self.texts[t] = t
        return hit

    def agent(self, a: Agent) -> Agent:
        a.name_span, a.key_span = self.span(a.name_span), self.span(a.key_span)
        a.namespace, a.role = _word(a.namespace), _word(a.role)
        a.provider, a.model, a.currency = _word(a.provider), _word(a.model), _word(a.currency)
        a.api_version = _word(a.api_version)
        a.labels = self.label_set(a.labels)
        a.endpoints = [replace(e, scheme=_intern(e.scheme), host=_intern(e.host), path=_intern(e.path),
                               auth_type=_word(e.auth_type), span=self.span(e.span), tool_span=self.span(e.tool_span))
                       for e in a.endpoints]
        return a

    def span(self, s: Span) -> Span:
        hit = self.spans.get(s)
        if hit is None:
            hit = Span(self.pos(s.start), self.pos(s.end))
            if len(self.spans) < MAX_SHARED:
                self.spans[hit] = hit
        return hit

    def pos(self, p: Pos) -> Pos:
        hit = self.positions.get(p)
        if hit is None:
            hit = p
            if len(self.positions) < MAX_SHARED:
                self.positions[p] = p
        return hit

    def label_set(self, labels: dict[str, str]) -> dict[str, str]:
        key = tuple((_intern(k), _intern(v)) for k, v in labels.items())
        hit = self.labels.get(key)
        if hit is None:
            hit = dict(key)
            if len(self.labels) < MAX_SHARED:
                self.labels[key] = hit
        return hit


def _intern(text: str) -> str:
    """Short strings that many agents share, once (sys.intern: the copy goes when the last user does)."""
    return sys.intern(text) if len(text) <= 64 else text


def _word(text: str | None) -> str | None:
    return None if text is None else _intern(text)


def _lower(name: str) -> str:
    low = name.lower()
    return name if low == name else low  # the name's own string, not a second copy, when already lower-case


def norm(path: str) -> str:
    """One key per file, however it was named (relative, absolute, through links)."""
    return path if "://" in path or path.startswith("untitled:") else os.path.realpath(path)


def _mesh(agents: list[Agent]) -> list[Any]:
    """What other files' cross-file findings can depend on: names, where they are, namespaces, endpoints
    (not where they are) and timeouts."""
    return [(a.name, a.namespace, a.name_span, a.timeout_seconds, [(e.url, e.auth_type) for e in a.endpoints])
            for a in agents]


def _same(a: list[Agent], b: list[Agent]) -> bool:
    return [(x.name, x.namespace, x.name_span, x.endpoints, x.timeout_seconds, x.role, x.model, x.provider,
             x.max_cost_per_day, x.currency) for x in a] == \
        [(x.name, x.namespace, x.name_span, x.endpoints, x.timeout_seconds, x.role, x.model, x.provider,
          x.max_cost_per_day, x.currency) for x in b]
