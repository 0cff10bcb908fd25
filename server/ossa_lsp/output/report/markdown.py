"""The report as a short markdown summary (a GitHub step summary or a pull-request comment): totals,
posture per profile and the top findings, in at most `MAX_LINES` lines.

Markdown renders inline HTML, so text from manifests has `&`, `<` and `>` as entities, and markdown's
own punctuation backslash-escaped (a name cannot become a link, an image, emphasis or a table cell).
"""

from __future__ import annotations

import re
from typing import Any

from ossa_lsp.core.words import noun
from ossa_lsp.output.report.html import num

MAX_LINES = 60
TOP_FINDINGS = 10
MAX_CURRENCIES = 4
MAX_NAMED = 5
_PUNCT = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md(value: Any) -> str:
    """Text from a manifest as literal markdown (one line: messages are already scrubbed to one line)."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCT.sub(r"\\\1", text)


def _totals(doc: dict[str, Any]) -> list[str]:
    t = doc["totals"]
    out = ["| fleet | |", "|---|---|"]
    spend = t["spend_per_day"]
    for sp in spend[:MAX_CURRENCIES]:
        out.append(f"| Max spend per day, {md(sp['currency'])} | {num(sp['amount'], money=True)} "
                   f"({num(sp['agents'])} {noun(sp['agents'], 'agent')} capped) |")
    if len(spend) > MAX_CURRENCIES:
        out.append(f"| Other currencies | {len(spend) - MAX_CURRENCIES} more (see the HTML report) |")
    price = t["list_price_per_day_usd"]
    out += [f"| Tokens per day, at most | {num(t['tokens_per_day'])} |",
            f"| Token caps at list price, USD/day | {num(price['low'], money=True)} – {num(price['high'], money=True)} "
            f"({num(t['agents_priced'])} {noun(t['agents_priced'], 'agent')} with a known model; prices as of {md(doc['prices_as_of'])}) |",
            f"| Agents without a cost cap | {num(t['without_cost_limit'])} |"]
    names = {a["id"]: a["name"] for a in doc["agents"]}
    unlimited = doc["unlimited_agents"]
    shown = ", ".join(md(names[i]) for i in unlimited[:MAX_NAMED])
    more = f" and {len(unlimited) - MAX_NAMED} more" if len(unlimited) > MAX_NAMED else ""
    out.append(f"| Agents with no limit at all | {num(t['unlimited'])}{': ' + shown + more if unlimited else ''} |")
    return out


def _posture(doc: dict[str, Any]) -> list[str]:
    p = doc["posture"]
    out = ["| family | " + " | ".join(p["profiles"]) + " |", "|---|" + "---|" * len(p["profiles"])]
    for fam in p["families"]:
        cells = []
        for pr in p["profiles"]:
            c = p["cells"][pr][fam]
            cells.append("pass" if c["pass"] else f"**fail** ({c['failing']} failing)")
        out.append(f"| {fam} | " + " | ".join(cells) + " |")
    out.append("| **all** | " + " | ".join("pass" if p["pass"][pr] else "**fail**" for pr in p["profiles"]) + " |")
    return out


def _findings(doc: dict[str, Any]) -> list[str]:
    found = doc["findings"]
    if not found:
        return ["No findings."]
    out = ["| severity | rule | count | what |", "|---|---|---|---|"]
    for f in found[:TOP_FINDINGS]:
        out.append(f"| {f['severity']} | [{f['code']}]({f['url']}) | {num(f['count'])} | {md(f['summary'])} |")
    if len(found) > TOP_FINDINGS:
        out.append(f"\n…and {len(found) - TOP_FINDINGS} more rules with findings (see the HTML report).")
    return out


def render(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    f = t["findings"]
    cycles = len(doc["graph"]["cycles"])

    def count(n: int, word: str) -> str:
        return f"{num(n)} {noun(n, word)}"

    lines = [f"## OSSA fleet report: {count(t['agents'], 'agent')}", "",
             f"{count(t['files'], 'file')} · {count(f['error'], 'error')} · {count(f['warning'], 'warning')} · "
             f"{num(f['info'])} info · {count(cycles, 'call cycle')}" +
             (f" · {count(t['unreadable'], 'file')} not read" if t["unreadable"] else ""), ""]
    lines += [*_totals(doc), "", "### Posture per profile", "", *_posture(doc)]
    lines += ["", "### Top findings", "", *_findings(doc)]
    text = "\n".join(lines)
    out = text.split("\n")
    if len(out) > MAX_LINES:  # cannot happen with the caps above; the promise holds whatever changes
        out = [*out[:MAX_LINES - 1], "…"]
    return "\n".join(out) + "\n"
