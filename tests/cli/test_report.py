"""`ossa-lsp report`: the fleet page, its markdown summary and its JSON agree on every number; hostile
names and hosts stay text in all three formats; secrets are masked; exit statuses are `check`'s; posture
per profile says what `check --profile P` would."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ossa_lsp.output.report.layout import knots, place

AGENT = """apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: {name}
  version: 1.0.0
  description: {name} agent
  labels:
    namespace: {ns}
    owner: team-{ns}
spec:
  role: Does the work of {name}.
  llm:
    provider: openai
    model: {model}
    maxTokens: 1024
  tools:
{tools}  constraints:
{cost}    performance:
      maxConcurrentRequests: {conc}
      timeoutSeconds: 30
  observability:
    tracing:
      enabled: true
      exporter: otlp
    metrics:
      enabled: {metrics}
    logging:
      level: info
      format: json
"""

TOOL = """    - type: http
      name: {name}
      endpoint: {url}
      auth:
        type: {auth}
"""


def agent(name: str, ns: str = "payments", model: str = "gpt-4o-mini", calls: tuple[str, ...] = (),
          cost: float | None = None, currency: str = "USD", tokens: int | None = None, conc: int = 4,
          metrics: bool = True) -> str:
    tools = "".join(TOOL.format(name=f"call-{i}", url=u, auth="mtls") for i, u in enumerate(calls)) or \
        TOOL.format(name="lookup", url="https://api.example.com/v1", auth="bearer")
    lines = []
    if cost is not None:
        lines += [f"      maxCostPerDay: {cost}", f"      currency: {currency}"]
    if tokens is not None:
        lines.append(f"      maxTokensPerDay: {tokens}")
    block = "".join(line + "\n" for line in ["    cost:", *lines]) if lines else ""
    return AGENT.format(name=name, ns=ns, model=model, tools=tools, cost=block, conc=conc,
                        metrics=str(metrics).lower())


def fleet(root: Path) -> Path:
    """Five agents in two namespaces: costs in USD and EUR, token caps at known prices, one with no limit
    at all, a cycle (a → b → a), an outside host and an endpoint that looks internal but names no agent."""
    files = {
        "a.ossa.yaml": agent("alpha", calls=("http://beta:8080/api",), cost=5, tokens=1_000_000),
        "b.ossa.yaml": agent("beta", calls=("http://alpha:8080/api", "http://ghost:8080/x"), cost=7.5,
                             tokens=2_000_000, model="gpt-4o"),
        "c.ossa.yaml": agent("gamma", ns="risk", calls=("http://beta.payments:8080/api",), cost=20,
                             currency="EUR", conc=16),
        "d.ossa.yaml": agent("delta", ns="risk", metrics=False),
        "e.ossa.yaml": agent("epsilon", ns="risk", model="no-such-model", tokens=500_000),
    }
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


class Page(HTMLParser):
    """What a reader of the page sees: elements with a data-key, table rows, the embedded JSON, scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.keyed: list[dict[str, Any]] = []
        self.rows: list[dict[str, Any]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.links: set[str] = set()
        self.columns: list[str] = []
        self._stack: list[dict[str, Any]] = []
        self._json: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self.scripts.append(a)
            if a.get("type") == "application/json":
                self._json = []
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.add(a["href"][1:])
        if tag == "tr" and (a.get("id") or "").startswith("agent-"):
            self.rows.append({"id": a["id"], "cells": {}})
        if tag == "th" and "data-col" in a:
            self.columns.append(a["data-col"] or "")
        if "data-key" in a or (tag == "td" and self.rows and len(self.rows[-1]["cells"]) < len(self.columns)):
            self._stack.append({"tag": tag, "attrs": a, "text": []})

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1]["tag"] == tag:
            item = self._stack.pop()
            item["text"] = "".join(item["text"]).strip()
            if "data-key" in item["attrs"]:
                self.keyed.append(item)
            else:  # a cell's sort key is its text unless it says otherwise
                item["value"] = item["attrs"].get("data-value", item["text"])
                self.rows[-1]["cells"][self.columns[len(self.rows[-1]["cells"])]] = item

    def handle_data(self, data: str) -> None:
        if self._json is not None and self.scripts and self.scripts[-1].get("type") == "application/json":
            self._json.append(data)
        for item in self._stack:
            item["text"].append(data)

    @property
    def data(self) -> Any:
        return json.loads("".join(self._json or []))


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def at(doc: Any, key: str) -> Any:
    for part in key.split("."):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def shown_number(text: str) -> float:
    return float(re.match(r"[\d,.]+", text).group().replace(",", ""))  # type: ignore[union-attr]


def reports(cli, root: Path, *extra: str) -> tuple[dict[str, Any], str, str]:
    j = cli("report", str(root), "-f", "json", *extra)
    h = cli("report", str(root), "-o", str(root.parent / "report.html"), *extra)
    m = cli("report", str(root), "-f", "markdown", *extra)
    assert j.code == h.code == m.code, (j.err, h.err, m.err)
    return json.loads(j.out), (root.parent / "report.html").read_text("utf-8"), m.out


def test_every_number_on_the_page_is_the_json_number(cli, tmp_path: Path) -> None:
    doc, html, _ = reports(cli, fleet(tmp_path / "fleet"))
    page = parse(html)
    assert page.data == doc  # the page embeds the very document -f json prints
    keys = {k["attrs"]["data-key"] for k in page.keyed}
    assert {"totals.agents", "totals.tokens_per_day", "totals.spend_per_day.0.amount",
            "totals.list_price_per_day_usd.high", "posture.pass.strict"} <= keys
    for item in page.keyed:
        key, value = item["attrs"]["data-key"], item["attrs"]["data-value"]
        if key.startswith("findings."):
            code = key.split(".")[1]
            want = next(f["count"] for f in doc["findings"] if f["code"] == code)
        elif key == "graph.dangling":
            want = sum(1 for n in doc["graph"]["nodes"] if n["kind"] == "dangling")
        elif key == "graph.cycles":
            want = len(doc["graph"]["cycles"])
        else:
            want = at(doc, key)
        assert json.loads(value) == want, key
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            assert shown_number(item["text"]) == pytest.approx(want, abs=0.005), key
    assert [r["id"] for r in page.rows] == [f"agent-{a['id']}" for a in doc["agents"]]
    for row, a in zip(page.rows, doc["agents"], strict=True):
        cells = row["cells"]
        for col in ("cost_per_day", "tokens_per_day", "concurrency", "timeout", "max_tokens"):
            want = a[col]
            got = cells[col]["value"]
            assert (json.loads(got) if got else None) == want, (a["name"], col)
        assert cells["name"]["text"].startswith(a["name"])
        assert int(cells["errors"]["text"]) == a["findings"]["error"]


def test_fleet_totals_are_what_the_budgets_add_up_to(cli, tmp_path: Path) -> None:
    doc, _, md = reports(cli, fleet(tmp_path / "fleet"))
    t = doc["totals"]
    assert t["agents"] == 5 and t["files"] == 5
    assert {s["currency"]: (s["amount"], s["agents"]) for s in t["spend_per_day"]} == {"USD": (12.5, 2), "EUR": (20, 1)}
    assert t["tokens_per_day"] == 3_500_000
    # gpt-4o-mini (0.15 / 0.6 per 1M) for alpha's 1M, gpt-4o (2.5 / 10) for beta's 2M; epsilon's model is unknown
    assert t["list_price_per_day_usd"] == {"low": pytest.approx(0.15 + 5.0), "high": pytest.approx(0.6 + 20.0)}
    assert t["agents_priced"] == 2 and t["tokens_per_day_priced"] == 3_000_000
    names = {a["id"]: a["name"] for a in doc["agents"]}
    assert [names[i] for i in doc["unlimited_agents"]] == ["delta"]
    assert "| Max spend per day, USD | 12.50 (2 agents capped) |" in md
    assert "| Agents with no limit at all | 1: delta |" in md
    rows = {a["name"]: a for a in doc["agents"]}
    assert rows["delta"]["observability_on"] == "partial" and rows["alpha"]["observability_on"] == "on"
    assert rows["gamma"]["concurrency"] == 16 and rows["alpha"]["tools"] == [
        {"name": "call-0", "type": "http", "auth": "mtls"}]


def test_the_graph_shows_cycles_outside_hosts_and_dangling_endpoints(cli, tmp_path: Path) -> None:
    doc, html, _ = reports(cli, fleet(tmp_path / "fleet"))
    ids = {a["name"]: a["id"] for a in doc["agents"]}
    kinds = {n["label"]: n["kind"] for n in doc["graph"]["nodes"]}
    assert kinds["ghost"] == "dangling" and kinds["api.example.com"] == "external"
    assert [sorted(c) for c in doc["graph"]["cycles"]] == [sorted([ids["alpha"], ids["beta"]])]
    cycle_edges = {(e["from"], e["to"]) for e in doc["graph"]["edges"] if e["cycle"]}
    assert cycle_edges == {(ids["alpha"], ids["beta"]), (ids["beta"], ids["alpha"])}
    page = parse(html)
    assert {f"agent-{i}" for i in ids.values()} <= page.links  # every node links to its row
    assert {r["id"] for r in page.rows} == {f"agent-{i}" for i in ids.values()}
    assert 'class="node dangling"' in html and 'class="edge call cycle"' in html


def test_markdown_summary_fits_in_60_lines_whatever_the_fleet(cli, tmp_path: Path) -> None:
    root = tmp_path / "big"
    root.mkdir()
    currencies = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK"]
    mistakes = [("kind: Agent", "kind: Agent\nbogus: 1"), ("maxTokens: 1024", "maxTokens: many"),
                ("version: 1.0.0", "version: one"), ("timeoutSeconds: 30", "timeoutSeconds: -5"),
                ("provider: openai", "provider: openai\n    temperature: 7"), ("type: mtls", "type: none"),
                ("format: json", "format: yaml"), ("enabled: true", "enabled: false"), ("level: info", "level: loud"),
                ("http://agent", "ftp://agent"), ("maxConcurrentRequests: 4", "maxConcurrentRequests: 0")]
    for i in range(40):
        text = agent(f"agent-{i}", ns=f"ns-{i % 7}", cost=i + 1, currency=currencies[i % 8],
                     calls=(f"http://agent-{(i + 1) % 40}:8080/a", f"http://missing-{i}:80/x"), metrics=i % 2 == 0)
        old, new = mistakes[i % len(mistakes)]
        (root / f"a{i}.ossa.yaml").write_text(text.replace(old, new, 1))
    doc, _, md = reports(cli, root, "--profile", "strict")
    assert len(md.splitlines()) <= 60
    assert len(doc["findings"]) > 10 and len(doc["totals"]["spend_per_day"]) == 8  # more than the summary lists
    assert sum(1 for line in md.splitlines() if line.startswith(("| error |", "| warning |", "| info |"))) == 10
    t = doc["totals"]
    assert f"{t['findings']['error']:,} errors" in md and f"{t['findings']['warning']:,} warnings" in md



def test_counts_of_one_read_in_the_singular(cli, tmp_path: Path) -> None:
    root = tmp_path / "one"
    root.mkdir()
    (root / "a.ossa.yaml").write_text(agent("solo", calls=("http://nobody:8080/x",), cost=5, tokens=1_000_000))
    doc, html, md = reports(cli, root)
    assert doc["totals"]["agents"] == 1
    assert md.startswith("## OSSA fleet report: 1 agent\n") and "1 file ·" in md
    text = re.sub(r"<[^>]+>", "", html)
    assert "1 dangling endpoint." in text and "(1 agent with a cap)" in text
    for page in (text, md):
        assert not re.search(r"\b1 (agents|files|cycles|endpoints|errors|warnings)\b", page)

HOSTILE = '<script>alert(1)</script>"onmouseover="x'


def test_hostile_names_hosts_and_values_stay_text_in_every_format(cli, tmp_path: Path) -> None:
    root = tmp_path / "evil"
    root.mkdir()
    text = agent("x", calls=("http://h/x",), cost=3, currency="'<i>u&d</i>'")
    text = text.replace("name: x\n", "name: '" + HOSTILE + "'\n", 1)
    text = text.replace("name: call-0", "name: '</script><img src=x onerror=alert(2)>'")
    text = text.replace("http://h/x", "http://<b>host</b>.example.com/</script>")
    text = text.replace("namespace: payments", "namespace: '<svg onload=alert(3)>|[x](javascript:alert(4))'")
    (root / "evil.ossa.yaml").write_text(text)
    link = "[x](javascript:alert(4))<img src=x onerror=alert(5)>|*b*"
    (root / "nolimit.ossa.yaml").write_text(agent("n").replace("name: n\n", f"name: '{link}'\n", 1))
    doc, html, md = reports(cli, root)
    assert any(a["name"] == HOSTILE for a in doc["agents"])  # JSON keeps the value, as data
    page = parse(html)
    assert [s.get("type") for s in page.scripts] == ["application/json", None]  # only our two script elements
    assert not [t for t, _ in page.tags if t in ("img", "b", "i", "iframe")]
    assert not [k for _, attrs in page.tags for k in attrs if k.startswith("on")]
    assert page.data == doc  # `</script>` inside the embedded JSON did not end it
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # markdown: the unlimited agent's name and the currency are shown, as literal text
    assert "\\[x\\]\\(javascript:alert\\(4\\)\\)&lt;img src=x onerror=alert\\(5\\)&gt;\\|\\*b\\*" in md
    assert "&lt;I&gt;U&amp;D&lt;/I&gt;" in md  # currency codes are upper case
    assert "<img" not in md and "<I>" not in md and "](javascript" not in md


def test_secrets_never_reach_the_report(cli, tmp_path: Path) -> None:
    root = tmp_path / "s"
    root.mkdir()
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
    text = agent("keyholder").replace("role: Does the work of keyholder.", f"role: 'use {key} to call'")
    text = text.replace("name: lookup", f"name: 'tool-{key}'")
    (root / "k.ossa.yaml").write_text(text)
    doc, html, md = reports(cli, root)
    for out in (json.dumps(doc), html, md):
        assert key not in out and key[:16] not in out
    assert any(f["code"] == "SEC001" for f in doc["findings"])


def test_exit_statuses_are_checks(cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = cli("report", "empty", "-o", "r.html")
    assert r.code == 3 and "no manifests found" in r.err
    assert cli("report", "empty", "-o", "r.html", "--allow-no-manifests").code == 0
    assert cli("report", "nowhere", "-f", "json").code == 2
    assert cli("report", "-", "-f", "json").code == 2
    fleet(tmp_path / "fleet")
    for extra in ((), ("--profile", "strict"), ("--fail-on", "warning"), ("--select", "NONE")):
        assert cli("report", "fleet", "-f", "json", *extra).code == cli("check", "fleet", *extra).code, extra
    assert cli("report", "fleet", "-o", str(tmp_path / "no-dir" / "r.html")).code == 2


def test_findings_are_checks_findings(cli, tmp_path: Path) -> None:
    root = fleet(tmp_path / "fleet")
    (root / "broken.ossa.yaml").write_text("apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata: [\n")
    doc = json.loads(cli("report", "fleet", "-f", "json", "--profile", "enterprise").out)
    check = json.loads(cli("check", "fleet", "-f", "json", "--profile", "enterprise").out)["summary"]
    assert doc["totals"]["findings"] == {"error": check["errors"], "warning": check["warnings"], "info": check["info"]}
    assert sum(f["count"] for f in doc["findings"]) == check["errors"] + check["warnings"] + check["info"]
    assert all(f["url"].endswith((f"{f['code']}.md", f"#{f['code'].lower()}")) for f in doc["findings"])


CONFIGS = {
    "none": None,
    "tuned": "extends: enterprise\nfail-on: warning\nignore: [OBS]\nrules:\n  SEC005: error\n"
             "overrides:\n  - files: ['c.ossa.yaml']\n    fail-on: error\n",
}


@pytest.mark.parametrize("setup", sorted(CONFIGS))
@pytest.mark.parametrize("profile", ["baseline", "enterprise", "strict"])
def test_posture_per_profile_is_what_check_with_that_profile_says(cli, tmp_path: Path, profile: str,
                                                                   setup: str) -> None:
    root = fleet(tmp_path / "fleet")
    if CONFIGS[setup]:
        (root / ".ossa-lsp.yaml").write_text(CONFIGS[setup])
    doc = json.loads(cli("report", "fleet", "-f", "json").out)  # with the configured (or default) profile
    check = cli("check", "fleet", "-f", "json", "--profile", profile)
    summary = json.loads(check.out)["summary"]
    cells = doc["posture"]["cells"][profile]
    assert sum(c["errors"] for c in cells.values()) == summary["errors"]
    assert sum(c["warnings"] for c in cells.values()) == summary["warnings"]
    assert doc["posture"]["pass"][profile] == (check.code == 0)


def test_layout_is_deterministic_and_callers_are_left_of_callees() -> None:
    nodes = [(f"n{i}", f"g{i % 3}", "agent") for i in range(60)] + [("ext", "", "external")]
    edges = [(f"n{i}", f"n{(i * 7 + 3) % 60}") for i in range(60) if i % 4] + [("n1", "ext")]
    first, second = place(nodes, edges), place(list(reversed(nodes)), list(reversed(edges)))
    assert first.pos == second.pos
    kept = [(a, b) for a, b in edges if first.layer[a] < first.layer[b]]
    assert len(kept) >= len(edges) - 20  # only edges closing a cycle may point back
    boxes = set(first.pos.values())
    assert len(boxes) == len(nodes)  # no two nodes on top of each other


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_absurd_budgets_never_break_a_format(cli, tmp_path: Path) -> None:
    root = tmp_path / "absurd"
    root.mkdir()
    swaps = [("maxCostPerDay: 1", "maxCostPerDay: 1.0e308"), ("maxTokensPerDay: 1", "maxTokensPerDay: 1" + "0" * 400),
             ("timeoutSeconds: 30", "timeoutSeconds: .inf"), ("maxConcurrentRequests: 4", "maxConcurrentRequests: -3"),
             ("currency: USD", "currency: .nan")]
    for i in range(3):
        text = agent(f"a{i}", cost=1, tokens=1, calls=("http://a0:1/x",))
        for old, new in swaps:
            text = text.replace(old, new)
        (root / f"a{i}.ossa.yaml").write_text(text.replace("name: a1\n", "name: \"a\\u2028b\"\n"))
    doc, html, md = reports(cli, root)
    assert _strict_json(json.dumps(doc)) == doc and parse(html).data == doc
    t = doc["totals"]
    assert t["spend_per_day"][0]["amount"] is None  # 3 × 1e308 overflows: shown as unknown, never Infinity
    # a cap too large for a float is no cap (the schema reports it): nothing to add up or price
    assert {a["tokens_per_day"] for a in doc["agents"]} == {None} and t["tokens_per_day"] == 0
    assert {a["timeout"] for a in doc["agents"]} == {None} and {a["concurrency"] for a in doc["agents"]} == {None}
    assert "\u2028" not in html and "\u2028" not in md and "Infinity" not in html + md


def test_every_call_inside_a_knot_of_agents_is_on_a_cycle() -> None:
    # a → b → a is the shortest cycle, but c (b → c → a) and d's call to itself are on cycles too
    comp = knots([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("d", "d"), ("e", "a"), ("c", "f")])
    assert set(comp) == {"a", "b", "c", "d"} and comp["a"] == comp["b"] == comp["c"] != comp["d"]
    chain = [(f"n{i}", f"n{i + 1}") for i in range(20000)]
    assert knots(chain) == {} and len(knots([*chain, ("n20000", "n0")])) == 20001  # no recursion limit


def test_progress_goes_to_a_terminal_only(cli, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    root = tmp_path / "many"
    root.mkdir()
    for i in range(200):  # the size from which a run says what it is doing
        (root / f"a{i}.ossa.yaml").write_text(f"apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: a{i}\n")
    quiet = cli("report", "many", "-o", "quiet.html")
    assert quiet.err == "" and (tmp_path / "quiet.html").exists()
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "ossa_lsp", "report", "many", "-o", "tty.html"], cwd=tmp_path,
                          stdout=subprocess.DEVNULL, stderr=follower, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    os.close(follower)
    said = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end is closed: everything has been read
            break
        if not chunk:
            break
        said += chunk
    os.close(leader)
    assert proc.returncode == quiet.code
    assert b"checking 200 files" in said and b"tty.html" in said


def test_a_host_the_config_declares_a_service_is_not_dangling(cli, tmp_path: Path) -> None:
    root = fleet(tmp_path / "fleet")
    (root / ".ossa-lsp.yaml").write_text("rules:\n  endpoint-unresolved:\n    services: ['ghost*']\n")
    doc = json.loads(cli("report", "fleet", "-f", "json").out)
    kinds = {n["label"]: n["kind"] for n in doc["graph"]["nodes"]}
    assert kinds["ghost"] == "external"  # as MESH003 judges it: a service, not a missing agent
    assert not any(f["code"] == "MESH003" for f in doc["findings"])
