"""Cost rules: the guide's "Cost Controls: declarative cost limits" — limits declared, token budgets that
agree with each other, a real currency, and a daily cost cap that matches the token budget."""

from __future__ import annotations

from collections.abc import Iterator

from ossa_lsp.core.findings import Finding, Fix, Severity
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.data import TEMPLATE, currencies
from ossa_lsp.core.rules.registry import E, Levels, Option, W, agent, rule

COST = ("spec", "constraints", "cost")
LLM = ("spec", "llm")

_LLM = """  llm:
    provider: openai
    model: gpt-4o-mini
    maxTokens: 1024
"""


def _cost(body: str) -> str:
    return f"{_LLM}  constraints:\n    cost:\n{body}"


@rule(
    "COST001", "cost-limits-missing", "cost",
    "The agent declares no cost limit (constraints.cost with maxTokensPerDay or maxCostPerDay).",
    levels=Levels(None, W, W),
    why="The architects' guide lists cost controls first among what OSSA lets you govern: an agent without a "
        "declared daily token or cost limit has unbounded spend, and nothing for a platform to enforce.",
    details="Satisfied by `constraints.cost.maxTokensPerDay` or `constraints.cost.maxCostPerDay` (either one).",
    bad=agent(_LLM, spec_line="spec:  # <- COST001"),
    good=agent(_cost("      maxTokensPerDay: 200000\n      maxCostPerDay: 5\n      currency: USD\n")),
    expect="spec",
)
def cost_limits_missing(ctx: Context) -> Iterator[Finding]:
    cost = ctx.get(*COST)
    pasted = ctx.mapping("constraints")
    if cost is None and pasted is not None and "cost" in pasted:
        return  # constraints pasted at the top level: the schema's finding moves it under spec
    if cost is None:
        yield ctx.missing([*COST], "No cost limits: add constraints.cost with maxTokensPerDay and/or "
                                   "maxCostPerDay so the agent's daily spend is bounded")
    elif isinstance(cost, dict) and not any(k in cost for k in ("maxTokensPerDay", "maxCostPerDay")):
        yield ctx.report([*COST], "constraints.cost sets no daily limit: add maxTokensPerDay and/or maxCostPerDay",
                         on="key")


def _budget(n: float | None) -> float | None:
    return n if n is not None and n >= 0 else None  # a negative budget is a schema finding


def _count(tokens: float) -> str:
    """A token count as people write it: 1,000,000, not 1e+06."""
    return f"{int(tokens):,}" if float(tokens).is_integer() else f"{tokens:,g}"


@rule(
    "COST002", "token-budget-inconsistent", "cost",
    "Token limits contradict each other: llm.maxTokens <= maxTokensPerRequest <= maxTokensPerDay must hold.",
    levels=Levels(W, E, E),
    why="Cost limits are only enforceable when they agree. A response allowed to be longer than the per-request "
        "budget, or a request budget larger than the whole day's, means one of the limits is wrong and the "
        "enforcement point will reject work the manifest says is allowed.",
    bad=agent(_LLM.replace("1024", "4096  # <- COST002") + "  constraints:\n    cost:\n"
              "      maxTokensPerRequest: 2000\n      maxTokensPerDay: 100000\n"),
    good=agent(_cost("      maxTokensPerRequest: 6000\n      maxTokensPerDay: 100000\n")),
    expect="4096",
)
def token_budget(ctx: Context) -> Iterator[Finding]:
    max_tokens, per_req, per_day = (_budget(ctx.number(*p)) for p in ([*LLM, "maxTokens"],
                                    [*COST, "maxTokensPerRequest"], [*COST, "maxTokensPerDay"]))
    if max_tokens is not None and per_req is not None and max_tokens > per_req:
        yield ctx.report([*LLM, "maxTokens"], f"llm.maxTokens ({_count(max_tokens)}) is above "
                         f"constraints.cost.maxTokensPerRequest ({_count(per_req)}): one response may use more "
                         "tokens than a whole request is allowed", related=ctx.related([*COST, "maxTokensPerRequest"],
                                                                                "The per-request budget"))
    elif max_tokens is not None and per_req is None and per_day is not None and max_tokens > per_day:
        yield ctx.report([*LLM, "maxTokens"], f"llm.maxTokens ({_count(max_tokens)}) is above "
                         f"constraints.cost.maxTokensPerDay ({_count(per_day)}): one response may use more "
                         "than the whole day's budget", related=ctx.related([*COST, "maxTokensPerDay"], "The daily budget"))
    if per_req is not None and per_day is not None and per_req > per_day:
        yield ctx.report([*COST, "maxTokensPerRequest"], f"maxTokensPerRequest ({_count(per_req)}) is above "
                         f"maxTokensPerDay ({_count(per_day)}): one request may use more than the whole day's budget",
                         related=ctx.related([*COST, "maxTokensPerDay"], "The daily budget"))


@rule(
    "COST003", "currency-unknown", "cost",
    "constraints.cost.currency is not an ISO 4217 currency code.",
    levels=Levels(E, E, E),
    why="A cost cap is a number in a currency; billing and budget tools read the ISO 4217 code. The schema only "
        "checks for three capital letters, so `EUD` or `RMB` pass it and then match no budget.",
    details="Checks codes of three capital letters (other shapes are a schema finding). XXX (no currency) and XTS "
            "(testing) are rejected; the code list is package data dated by its `as_of`.",
    bad=agent(_cost("      maxCostPerDay: 20\n      currency: EUD  # <- COST003\n")),
    good=agent(_cost("      maxCostPerDay: 20\n      currency: EUR\n")),
    expect="EUD", fix="unsafe",
)
def currency(ctx: Context) -> Iterator[Finding]:
    code = ctx.text(*COST, "currency")
    if code is None or len(code) != 3 or not code.isalpha() or not code.isupper():
        return
    codes, hints = currencies()
    if code in codes:
        return
    hint = hints.get(code)
    msg = f"'{code}' is not an ISO 4217 currency code"
    fixes: tuple[Fix, ...] = ()
    if hint:
        msg += f"; did you mean {hint}?"
        fixes = ctx.replace([*COST, "currency"], hint[:3], f"Change the currency to {hint[:3]}", safe=False)
    yield ctx.report([*COST, "currency"], msg, fixes=fixes)


@rule(
    "COST004", "max-tokens-missing", "cost",
    "The llm block sets no maxTokens, so one response can run to the model's output limit.",
    levels=Levels(None, W, W),
    why="The guide's cost optimisation strategies start with token limits: \"Set maxTokens per request\". Without "
        "it every response may be as long (and as expensive) as the model allows.",
    bad=agent("  llm:  # <- COST004\n    provider: openai\n    model: gpt-4o-mini\n"),
    good=agent("  llm:\n    provider: openai\n    model: gpt-4o-mini\n    maxTokens: 1024\n"),
    expect="llm",
)
def max_tokens_missing(ctx: Context) -> Iterator[Finding]:
    llm = ctx.mapping(*LLM)
    if llm is None or "maxTokens" in llm:
        return
    provider, model = ctx.text(*LLM, "provider"), ctx.text(*LLM, "model")
    info = ctx.env.models.lookup(provider, model) if provider and model else None
    limit = f" ({info.max_output} tokens for {model})" if info is not None and info.max_output else ""
    yield ctx.missing([*LLM, "maxTokens"], f"llm has no maxTokens: a response may run to the model's output "
                                           f"limit{limit}; set maxTokens")


@rule(
    "COST005", "daily-cost-inconsistent", "cost",
    "maxCostPerDay is far from what maxTokensPerDay can cost at the model's list price.",
    levels=Levels(None, W, W),
    why="The guide pairs maxTokensPerDay with maxCostPerDay; the two only govern spend if they describe the same "
        "budget. A cap below the cost of the token budget makes the token budget unreachable; a cap far above it "
        "is never the limit, so it is not really a control.",
    details="The token budget's cost is bounded by the model's input and output list prices (USD per million "
            "tokens, from the bundled model data or your `models-file`). Checked only when the currency is USD. "
            "Prices are never fetched: when the data is older than `stale-after-days` the finding is downgraded "
            "to info, since prices may have moved.",
    options=(Option("stale-after-days", "int", 365, "Model price data older than this many days only gives info."),
             Option("max-ratio", "number", 10, "Report a cap more than this many times the most the token budget "
                                                 "can cost.")),
    bad=agent(_cost("      maxTokensPerDay: 1000000\n      maxCostPerDay: 0.05  # <- COST005\n"
                    "      currency: USD\n")),
    good=agent(_cost("      maxTokensPerDay: 1000000\n      maxCostPerDay: 0.6\n      currency: USD\n")),
    expect="0.05",
)
def daily_cost(ctx: Context) -> Iterator[Finding]:
    tokens = ctx.number(*COST, "maxTokensPerDay")
    cap = ctx.number(*COST, "maxCostPerDay")
    provider, model = ctx.text(*LLM, "provider"), ctx.text(*LLM, "model")
    cur = ctx.get(*COST, "currency")
    if tokens is None or cap is None or not provider or not model or cur not in (None, "USD"):
        return
    info = ctx.env.models.lookup(provider, model)
    if info is None or info.price is None:
        return
    if tokens <= 0:
        return  # a budget below zero is the schema's finding; a price for it would read "-0.00 USD"
    low = tokens * min(info.price) / 1e6
    high = tokens * max(info.price) / 1e6
    ratio = float(ctx.options.get("max-ratio") or 10)
    age = (ctx.env.today - info.as_of).days
    stale = age > int(ctx.options.get("stale-after-days") or 365)
    note = f" at {model} list prices (${info.price[0]:g}/${info.price[1]:g} per 1M input/output tokens, as of " \
           f"{info.as_of.isoformat()}{', which may be out of date' if stale else ''})"
    sev = Severity.INFO if stale else None
    path = [*COST, "maxCostPerDay"]
    if cap < low:
        yield ctx.report(path, f"maxCostPerDay ({cap:g} USD) runs out before maxTokensPerDay "
                         f"({_count(tokens)}): that many tokens cost at least {low:.2f} USD{note}", severity=sev)
    elif cap > high * ratio:
        yield ctx.report(path, f"maxCostPerDay ({cap:g} USD) is more than {ratio:g}x what maxTokensPerDay "
                         f"({_count(tokens)}) can cost (at most {high:.2f} USD{note}); the cap never limits anything",
                         severity=sev)


@rule(
    "COST006", "daily-cost-over-ceiling", "cost",
    "maxCostPerDay is above the organisation's ceiling (the `max-cost-per-day` option).",
    levels=Levels(E, E, E),
    why="Cost controls are declarative so a platform team can set a ceiling once and check every agent against "
        "it in CI. Does nothing until you set `max-cost-per-day`.",
    details="An agent with a cost cap in another currency than the ceiling's is reported too, since it cannot be "
            "compared.",
    options=(Option("max-cost-per-day", "number", None, "The highest maxCostPerDay allowed (no ceiling when unset)."),
             Option("currency", "string", "USD", "The currency of the ceiling.")),
    example_options={"max-cost-per-day": 100},
    bad=agent(_cost("      maxCostPerDay: 250  # <- COST006\n      currency: USD\n")),
    good=agent(_cost("      maxCostPerDay: 80\n      currency: USD\n")),
    expect="250",
)
def cost_ceiling(ctx: Context) -> Iterator[Finding]:
    ceiling = ctx.options.get("max-cost-per-day")
    cap = ctx.number(*COST, "maxCostPerDay")
    if ceiling is None or cap is None:
        return
    want = str(ctx.options.get("currency") or "USD")
    cur = ctx.text(*COST, "currency") or "USD"
    path = [*COST, "maxCostPerDay"]
    if TEMPLATE.search(cur):
        return
    if cur != want:
        yield ctx.report(path, f"maxCostPerDay is in {cur} but the ceiling ({ceiling:g} {want}) is in {want}; "
                               "state the cap in the ceiling's currency")
    elif cap > float(ceiling):
        yield ctx.report(path, f"maxCostPerDay ({cap:g} {cur}) is above the allowed ceiling of {ceiling:g} {want}")

