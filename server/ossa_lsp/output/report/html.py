"""The report as one self-contained HTML page: inline CSS, inline SVG, a few lines of script for sorting
and filtering the agents table, and the report document itself embedded as JSON (for tools, and so a
test can hold every visible number against it). No request leaves the page: a Content-Security-Policy
forbids any load, and there is nothing to load.

Everything from a manifest is HTML-escaped (names, groups, hosts, tool names, messages, paths); the
embedded JSON additionally escapes `<`, `>`, `&` and U+2028/2029, so no value can close the script
element or start markup inside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from typing import Any

from ossa_lsp.core.words import noun
from ossa_lsp.output.report.svg import render as draw_graph

MAX_LISTED = 50  # agents named in the "without limits" list before "and N more"
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def embed_json(doc: Any) -> str:
    """JSON that is inert inside `<script type="application/json">`."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(_JSON_ESCAPES)


def e(value: Any) -> str:
    return "" if value is None else escape(str(value), quote=True)


def num(value: float | int | None, money: bool = False) -> str:
    """A number as shown in a cell: thousands separated; money with two decimals; absent as a dash."""
    if value is None:
        return "—"
    if money:
        return f"{value:,.2f}"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _data(value: Any) -> str:
    """A cell's sort key (numbers as JSON writes them, so a test can compare them exactly)."""
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (int, float)) else e(value)


def _stat(key: str, value: Any, label: str, money: bool = False, extra: str = "") -> str:
    return (f'<div class="stat"><span class="value" data-key="{e(key)}" data-value="{_data(value)}">'
            f'{num(value, money)}{extra}</span><span class="label">{label}</span></div>')


def _totals(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    cells = [_stat("totals.agents", t["agents"], noun(t["agents"], "agent")),
             _stat("totals.files", t["files"], noun(t["files"], "file"))]
    for i, sp in enumerate(t["spend_per_day"]):
        cells.append(_stat(f"totals.spend_per_day.{i}.amount", sp["amount"],
                           f"{e(sp['currency'])} per day at most ({num(sp['agents'])} {noun(sp['agents'], 'agent')} with a cap)", money=True))
    cells.append(_stat("totals.tokens_per_day", t["tokens_per_day"], "tokens per day at most"))
    price = t["list_price_per_day_usd"]
    cells.append(_stat("totals.list_price_per_day_usd.high", price["high"],
                       f"USD per day at list price, if all output ({num(t['agents_priced'])} {noun(t['agents_priced'], 'agent')} with a known "
                       f"model and a token cap; prices as of {e(doc['prices_as_of'])})", money=True))
    cells.append(_stat("totals.list_price_per_day_usd.low", price["low"], "USD per day at list price, if all input",
                       money=True))
    cells.append(_stat("totals.without_cost_limit", t["without_cost_limit"],
                       f"{noun(t['without_cost_limit'], 'agent')} without a cost cap"))
    cells.append(_stat("totals.unlimited", t["unlimited"],
                       f"{noun(t['unlimited'], 'agent')} with neither a cost nor a token cap"))
    for sev in ("error", "warning", "info"):
        cells.append(_stat(f"totals.findings.{sev}", t["findings"][sev], f"{sev} {noun(t['findings'][sev], 'finding')}"))
    return '<section id="totals"><h2>Fleet totals</h2><div class="stats">' + "".join(cells) + "</div>" + \
        _unlimited(doc) + "</section>"


def _unlimited(doc: dict[str, Any]) -> str:
    names = {a["id"]: a["name"] for a in doc["agents"]}
    ids = doc["unlimited_agents"]
    if not ids:
        return '<p class="ok">Every agent has a cost or token cap.</p>'
    links = ", ".join(f'<a href="#agent-{e(i)}">{e(names[i])}</a>' for i in ids[:MAX_LISTED])
    more = f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
    return f'<p class="warn" id="unlimited">Without any limit: {links}{more}.</p>'


def _posture(doc: dict[str, Any]) -> str:
    p = doc["posture"]
    head = "".join(f'<th>{e(pr)} <span class="{"pass" if p["pass"][pr] else "fail"}" data-key="posture.pass.{e(pr)}" '
                   f'data-value="{json.dumps(p["pass"][pr])}">{"pass" if p["pass"][pr] else "fail"}</span></th>'
                   for pr in p["profiles"])
    rows = []
    for fam in p["families"]:
        cells = []
        for pr in p["profiles"]:
            c = p["cells"][pr][fam]
            word = "pass" if c["pass"] else "fail"
            cells.append(f'<td class="{word}">{word}<small> <span data-key="posture.cells.{e(pr)}.{e(fam)}.errors" '
                         f'data-value="{c["errors"]}">{c["errors"]}</span> E · {c["warnings"]} W · {c["infos"]} I'
                         '</small></td>')
        rows.append(f"<tr><th>{e(fam)}</th>{''.join(cells)}</tr>")
    return ('<section id="posture"><h2>Posture per profile</h2><p>Each profile\'s rules, at the profile\'s '
            'severities, over the whole fleet, as <code>check --profile</code> would rate it with your configuration: '
            'a family fails on any finding at the fail-on level (an error, unless configured).</p><table class="posture"><thead><tr>'
            f'<th>family</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


COLUMNS: list[tuple[str, str, bool]] = [  # (key, heading, numeric)
    ("name", "agent", False), ("group", "namespace / group", False), ("kind", "kind", False),
    ("version", "version", False), ("model", "provider / model", False), ("max_tokens", "max tokens", True),
    ("tokens_per_day", "tokens / day", True), ("cost_per_day", "cost / day", True),
    ("concurrency", "concurrency", True), ("timeout", "timeout s", True), ("tools", "tools (auth)", False),
    ("observability_on", "observability", False), ("errors", "E", True), ("warnings", "W", True),
    ("infos", "I", True), ("path", "file", False),
]


def _cell(a: dict[str, Any], key: str) -> tuple[Any, str]:
    """(sort value, cell HTML) of one column."""
    if key == "model":
        text = "/".join(x for x in (a["provider"], a["model"]) if x) or None
        return text, e(text) if text else "—"
    if key == "cost_per_day":
        v = a["cost_per_day"]
        return v, "—" if v is None else f"{num(v, money=True)} {e(a['currency'])}"
    if key in ("errors", "warnings", "infos"):
        v = a["findings"][{"errors": "error", "warnings": "warning", "infos": "info"}[key]]
        return v, f'<span class="sev-{key}">{v}</span>' if v else "0"
    if key == "tools":
        text = ", ".join(f"{t['name'] or t['type'] or '?'} ({t['auth'] or 'no auth'})" for t in a["tools"])
        return text, e(text) or "—"
    if key == "observability_on":
        parts = " ".join(p for p, on in a["observability"].items() if on)
        return a[key], f'<span class="obs-{a[key]}">{a[key]}</span>' + (f" <small>{e(parts)}</small>" if parts else "")
    if key == "name":
        flag = ' <span class="fail" title="on a call cycle">cycle</span>' if a["on_cycle"] else ""
        return a["name"], f"<strong>{e(a['name'])}</strong>{flag}"
    if key == "path":
        return a["path"], f"{e(a['path'])}:{a['line']}"
    v = a[key]
    if isinstance(v, (int, float)) or (v is None and key in ("max_tokens", "tokens_per_day", "concurrency", "timeout")):
        return v, num(v)
    return v, e(v) if v else "—"


def _agents(doc: dict[str, Any]) -> str:
    """The table; a cell carries its sort key (`data-value`) only when it differs from its text."""
    head = "".join(f'<th data-col="{k}"{" data-type=num" if n else ""} tabindex="0">{e(h)}</th>' for k, h, n in COLUMNS)
    rows = []
    for a in doc["agents"]:
        cells = []
        for key, _, _ in COLUMNS:
            value, html = _cell(a, key)
            sort = _data(value)
            cells.append(f"<td>{html}</td>" if sort == html else f'<td data-value="{sort}">{html}</td>')
        rows.append(f'<tr id="agent-{e(a["id"])}">{"".join(cells)}</tr>')
    total = len(doc["agents"])
    return ('<section id="agents-section"><h2>Agents</h2><p class="tools"><label>Filter <input id="filter" '
            'type="search" placeholder="name, model, namespace, host…" autocomplete="off"></label> '
            f'<span id="shown">{total}</span> of {total} shown; click a heading to sort.</p>'
            f'<div class="scroll"><table id="agents"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            '</table></div></section>')


def _findings(doc: dict[str, Any]) -> str:
    if not doc["findings"]:
        return '<section id="findings"><h2>Findings</h2><p class="ok">No findings.</p></section>'
    rows = []
    for f in doc["findings"]:
        ex = "".join(f"<li>{e(x['path'])}:{x['line']}: {e(x['message'])}</li>" for x in f["examples"])
        shown = f"{len(f['examples'])} of {f['count']}" if f["count"] > len(f["examples"]) else "where"
        rows.append(f'<tr class="sev-{e(f["severity"])}"><td>{e(f["severity"])}</td><td><a href="{e(f["url"])}" '
                    f'rel="noopener noreferrer">{e(f["code"])}</a></td><td>{e(f["family"])}</td>'
                    f'<td data-key="findings.{e(f["code"])}.count" data-value="{f["count"]}">{f["count"]}</td>'
                    f'<td>{e(f["summary"])}<details><summary>{shown}</summary><ul>{ex}</ul></details></td></tr>')
    return ('<section id="findings"><h2>Findings</h2><table class="findings"><thead><tr><th>severity</th><th>rule'
            '</th><th>family</th><th>count</th><th>what</th></tr></thead><tbody>' + "".join(rows) +
            "</tbody></table></section>")


def _graph(doc: dict[str, Any]) -> str:
    g = doc["graph"]
    if not g["nodes"]:
        return '<section id="graph-section"><h2>Call graph</h2><p>No agents.</p></section>'
    cycles = len(g["cycles"])
    dangling = sum(1 for n in g["nodes"] if n["kind"] == "dangling")
    return ('<section id="graph-section"><h2>Call graph</h2><p class="legend"><span class="key agent">agent</span> '
            '<span class="key external">host that is no agent</span> <span class="key dangling">no such agent</span> '
            f'<span class="key cycle">call cycle</span> — <span data-key="graph.cycles" data-value="{cycles}">{cycles}'
            f'</span> {noun(cycles, "cycle")}, <span data-key="graph.dangling" data-value="{dangling}">{dangling}'
            f'</span> dangling {noun(dangling, "endpoint")}. Lanes are namespaces (or team/app labels); callers are left of callees; click an agent '
            f'for its row.</p><div class="scroll graph">{draw_graph(doc)}</div></section>')


def _unreadable(doc: dict[str, Any]) -> str:
    if not doc["unreadable"]:
        return ""
    items = "".join(f"<li>{e(u['path'])}: {e(u['error'])}</li>" for u in doc["unreadable"])
    return f'<section id="unreadable"><h2>Not read</h2><ul>{items}</ul></section>'


STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--alt:#f6f8fa;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);
background:var(--bg);margin:0;padding:16px 24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;
margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}small,.muted{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:8px}.stat{border:1px solid var(--line);border-radius:8px;padding:8px 12px;
min-width:150px;max-width:260px}.stat .value{display:block;font-size:20px;font-weight:600}
.stat .label{display:block;font-size:12px;color:var(--muted)}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
#agents th{cursor:pointer;position:sticky;top:0;background:var(--alt);white-space:nowrap;user-select:none}
#agents th[aria-sort=ascending]::after{content:" ▲"}#agents th[aria-sort=descending]::after{content:" ▼"}
#agents td:nth-child(11){font-size:12px;min-width:200px;max-width:320px;overflow-wrap:anywhere}
#agents td:nth-child(16){font-size:12px;white-space:nowrap}#agents td:nth-child(12){min-width:150px}
#agents tr:target{background:#fff8c5}.scroll{overflow:auto;max-height:80vh;border:1px solid var(--line);
border-radius:8px}.pass{color:var(--good);font-weight:600}.fail{color:var(--bad);font-weight:600}
.warn{color:var(--warn)}.ok{color:var(--good)}.sev-errors,.sev-error td:first-child{color:var(--bad);font-weight:600}
.sev-warnings,.sev-warning td:first-child{color:var(--warn)}.obs-off{color:var(--bad)}.obs-partial{color:var(--warn)}
.obs-on{color:var(--good)}input[type=search]{font:inherit;padding:4px 8px;width:280px}
.posture td small{color:var(--muted)}details summary{cursor:pointer;color:var(--muted);font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg .sub{fill:var(--muted);font-size:11px}
svg .lane0{fill:#f6f8fa}svg .lane1{fill:#eef3fb}svg .lane text{font-weight:600;fill:var(--muted)}
svg .node rect{fill:#fff;stroke:#57606a;stroke-width:1.2}svg a:hover rect,svg a:focus rect{stroke:#0969da;stroke-width:2.5}
svg .node.external rect{fill:#f6f8fa;stroke-dasharray:5 4}svg .node.dangling rect{fill:#ffebe9;stroke:var(--bad);
stroke-dasharray:5 4}svg .node.cycle rect{stroke:var(--bad);stroke-width:2}svg .edge{fill:none;stroke:#8c959f;
stroke-width:1.2}svg .edge.external,svg .edge.dangling{stroke-dasharray:5 4}svg .edge.dangling{stroke:var(--bad)}
svg .edge.cycle{stroke:var(--bad);stroke-width:2}svg .head{fill:#8c959f}svg .head.cycle{fill:var(--bad)}
.key{display:inline-block;padding:0 8px;border:1px solid #57606a;border-radius:4px;font-size:12px}
.key.external{border-style:dashed;border-radius:10px}.key.dangling{border:1px dashed var(--bad);background:#ffebe9;
border-radius:10px}.key.cycle{border:2px solid var(--bad)}
"""

SCRIPT = """
(function () {
  var table = document.getElementById('agents');
  if (!table) { return; }
  var body = table.tBodies[0], heads = table.tHead.rows[0].cells;
  var filter = document.getElementById('filter'), shown = document.getElementById('shown');
  function key(td, numeric) {
    var v = td.hasAttribute('data-value') ? td.getAttribute('data-value') : td.textContent;
    if (numeric) { return v === '' ? null : parseFloat(v); }
    return v === '' || v === '—' ? null : v.toLowerCase();
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    function sort() {
      var numeric = th.getAttribute('data-type') === 'num';
      var up = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
        if (x === y) { return 0; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        return (x < y ? -1 : 1) * (up ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { sort(); } });
  });
  filter.addEventListener('input', function () {
    var q = filter.value.trim().toLowerCase(), n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) { n += 1; }
    });
    shown.textContent = String(n);
  });
})();
"""


# Only our own script may run (by its hash): even a value that escaped its escaping could not execute.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-"
       + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode() + "'")


def render(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>OSSA fleet report: {t['agents']} {noun(t['agents'], 'agent')}</title><style>{STYLE}</style>",
        f'</head><body><h1>OSSA fleet report</h1><p class="muted">{num(t["agents"])} {noun(t["agents"], "agent")} '
        f'in {num(t["files"])} {noun(t["files"], "file")} · '
        f'ossa-lsp {e(doc["tool"]["version"])} · model prices as of {e(doc["prices_as_of"])}</p>',
        _totals(doc), _posture(doc), _graph(doc), _agents(doc), _findings(doc), _unreadable(doc),
        f'<script type="application/json" id="report-data">{embed_json(doc)}</script>',
        f"<script>{SCRIPT}</script></body></html>\n",
    ])
