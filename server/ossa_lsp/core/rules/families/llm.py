"""LLM rules: the guide's "Model Selection: use appropriate model for task" — settings the provider's API
accepts, a model that exists at that provider and is still served, and the organisation's allow-list.
Model facts come from the dated model registry (package data, overridable with `models-file`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase

from ossa_lsp.core.findings import Finding, Fix
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.data import TEMPLATE, ModelInfo
from ossa_lsp.core.rules.registry import E, Levels, Option, W, agent, rule
from ossa_lsp.core.rules.util import nearest

LLM = ("spec", "llm")
HOSTED = ("openai", "anthropic", "google")


def _llm(provider: str, model: str, extra: str = "") -> str:
    return f"  llm:\n    provider: {provider}\n    model: {model}\n{extra}"


def _model(ctx: Context) -> tuple[str, str] | None:
    provider, model = ctx.text(*LLM, "provider"), ctx.text(*LLM, "model")
    if not provider or not model or TEMPLATE.search(model) or TEMPLATE.search(provider):
        return None
    return provider, model


def _info(ctx: Context) -> ModelInfo | None:
    pm = _model(ctx)
    return ctx.env.models.lookup(*pm) if pm else None


@rule(
    "LLM001", "temperature-out-of-range", "llm",
    "llm.temperature is outside what the provider (or model) accepts.",
    levels=Levels(E, E, E),
    why="The schema allows 0 to 2 for every provider, but Anthropic accepts 0 to 1 and reasoning models such as "
        "o1 or gpt-5 only the default 1: the manifest validates and every request then fails.",
    details="Ranges come from the model registry: per provider, with per-model exceptions. Providers without a "
            "documented range (ollama, custom) are not checked.",
    bad=agent(_llm("anthropic", "claude-sonnet-4-5", "    temperature: 1.5  # <- LLM001\n    maxTokens: 2048\n")),
    good=agent(_llm("anthropic", "claude-sonnet-4-5", "    temperature: 0.7\n    maxTokens: 2048\n")),
    expect="1.5",
)
def temperature(ctx: Context) -> Iterator[Finding]:
    t = ctx.number(*LLM, "temperature")
    pm = _model(ctx)
    if t is None or pm is None or not 0 <= t <= 2:
        return  # outside 0..2 the schema already reports it
    rng = ctx.env.models.temperature_range(*pm)
    if rng is None or rng[0] <= t <= rng[1]:
        return
    provider, model = pm
    if rng[0] == rng[1]:
        msg = f"{model} only accepts the default temperature {rng[0]:g}; remove temperature or set it to {rng[0]:g}"
    else:
        msg = f"temperature {t:g} is outside {provider}'s range {rng[0]:g} to {rng[1]:g}; the API rejects the request"
    yield ctx.report([*LLM, "temperature"], msg)


@rule(
    "LLM002", "max-tokens-over-model-limit", "llm",
    "llm.maxTokens is above the most the model can generate in one response.",
    levels=Levels(E, E, E),
    why="Providers reject a request whose max tokens exceed the model's output limit, so the cost limit the "
        "guide asks for (\"Set maxTokens per request\") must fit the model chosen.",
    bad=agent(_llm("openai", "gpt-4-turbo", "    maxTokens: 8000  # <- LLM002\n")),
    good=agent(_llm("openai", "gpt-4-turbo", "    maxTokens: 4096\n")),
    expect="8000",
)
def max_tokens_limit(ctx: Context) -> Iterator[Finding]:
    n = ctx.number(*LLM, "maxTokens")
    info = _info(ctx)
    if n is None or info is None or info.max_output is None or n <= info.max_output:
        return
    yield ctx.report([*LLM, "maxTokens"], f"maxTokens {n:g} is above {info.id}'s output limit of "
                     f"{info.max_output} tokens (model data as of {info.as_of.isoformat()}); the API rejects it")


@rule(
    "LLM003", "provider-model-mismatch", "llm",
    "The model belongs to another provider than llm.provider (e.g. openai with claude-…).",
    levels=Levels(E, E, E),
    why="A contradiction that only shows up at run time: the provider's API does not know the other vendor's "
        "model. Model selection is the first cost and quality decision the guide asks architects to make "
        "explicitly; the manifest must say which one it is.",
    details="Naming families: `gpt-`/`o1`/`o3`/`o4` are OpenAI, `claude` is Anthropic, `gemini` is Google. "
            "Open-weight families (gpt-oss, gemma) may be served by anyone. `azure` and `custom` are not checked; "
            "`ollama` with a hosted-only model is reported.",
    bad=agent(_llm("openai", "claude-sonnet-4-5  # <- LLM003")),
    good=agent(_llm("anthropic", "claude-sonnet-4-5")),
    expect="claude-sonnet-4-5",
)
def provider_mismatch(ctx: Context) -> Iterator[Finding]:
    pm = _model(ctx)
    if pm is None:
        return
    provider, model = pm
    family = ctx.env.models.family(model)
    if family is None or family == provider:
        return
    if provider in HOSTED:
        msg = f"{model} is a {family} model, but provider is {provider}: use provider: {family}, or a {provider} model"
    elif provider == "ollama":
        msg = f"{model} is a hosted {family} model; Ollama serves open-weight models (llama3, mistral, gemma, ...)"
    else:
        return
    yield ctx.report([*LLM, "model"], msg, related=ctx.related([*LLM, "provider"], "The provider"))


@rule(
    "LLM004", "model-unknown", "llm",
    "The model is not in the model registry for its provider (a typo, or newer than the data).",
    levels=Levels(None, None, W),
    why="Model selection is a governance decision; a misspelt model id passes the schema and fails at run time. "
        "If the model is simply newer than the bundled data, add it to your `models-file`.",
    bad=agent(_llm("openai", "gpt-4o-mini-fast  # <- LLM004")),
    good=agent(_llm("openai", "gpt-4o-mini")),
    expect="gpt-4o-mini-fast",
)
def model_unknown(ctx: Context) -> Iterator[Finding]:
    pm = _model(ctx)
    if pm is None or pm[0] not in HOSTED:
        return
    provider, model = pm
    family = ctx.env.models.family(model)
    if family not in (None, provider) or ctx.env.models.lookup(provider, model) is not None:
        return  # LLM003 reports other vendors' models
    if _near_models(ctx, provider, model):
        return  # LLM007 reports it as a misspelling, with the model meant
    yield ctx.report([*LLM, "model"], f"{model} is not a known {provider} model (model data as of "
                     f"{ctx.env.models.as_of.isoformat()}); check the spelling, or add it to your models-file")


@rule(
    "LLM005", "model-retired", "llm",
    "The model has been retired by its provider (or its announced retirement date has passed).",
    levels=Levels(W, E, E),
    why="Requests to a retired model fail. A manifest is a contract for how the agent runs; pinning a model the "
        "provider no longer serves breaks it on a known date.",
    details="Retirement dates are those the providers announced, in the dated model registry; the check compares "
            "them with today's date. The fix replaces the model with the provider's suggested successor.",
    bad=agent(_llm("anthropic", "claude-2.1  # <- LLM005", "    maxTokens: 1024\n")),
    good=agent(_llm("anthropic", "claude-sonnet-4-5", "    maxTokens: 1024\n")),
    expect="claude-2.1", fix="unsafe",
)
def model_retired(ctx: Context) -> Iterator[Finding]:
    info = _info(ctx)
    if info is None or not info.retired_by(ctx.env.today):
        return
    model = str(ctx.get(*LLM, "model"))
    when = f" on {info.retired.isoformat()}" if not isinstance(info.retired, bool) else ""
    msg = f"{model} was retired by {info.provider}{when}; requests to it fail"
    fixes: tuple[Fix, ...] = ()
    if info.successor:
        msg += f" (successor: {info.successor})"
        fixes = ctx.replace([*LLM, "model"], info.successor, f"Use {info.successor}", safe=False)
    yield ctx.report([*LLM, "model"], msg, fixes=fixes)


@rule(
    "LLM006", "model-not-allowed", "llm",
    "The provider or model is not on the organisation's allow-list.",
    levels=Levels(E, E, E),
    why="Policy enforcement is what OSSA's standard format enables: an organisation that has approved certain "
        "providers and models (for data residency, contracts or cost) can check every manifest against the "
        "list. Does nothing until `allowed-providers` or `allowed-models` is set.",
    options=(Option("allowed-providers", "strings", [], "Providers agents may use (any when empty)."),
             Option("allowed-models", "strings", [], "Model id patterns (globs) agents may use (any when empty).")),
    example_options={"allowed-providers": ["openai", "azure"], "allowed-models": ["gpt-4o*", "gpt-4.1*"]},
    bad=agent(_llm("openai", "o1  # <- LLM006")),
    good=agent(_llm("openai", "gpt-4o-mini")),
    expect="o1",
)
def model_allowed(ctx: Context) -> Iterator[Finding]:
    pm = _model(ctx)
    if pm is None:
        return
    provider, model = pm
    providers = [str(p) for p in ctx.options.get("allowed-providers") or []]
    models = [str(m) for m in ctx.options.get("allowed-models") or []]
    if providers and provider not in providers:
        yield ctx.report([*LLM, "provider"], f"Provider {provider} is not allowed here (allowed: "
                         f"{', '.join(providers)})")
    elif models and not any(fnmatchcase(model.lower(), m.lower()) for m in models):
        yield ctx.report([*LLM, "model"], f"Model {model} is not allowed here (allowed: {', '.join(models)})")



_DIGITS = re.compile(r"[^0-9]")


def _near_models(ctx: Context, provider: str, model: str) -> list[str]:
    """Registry models of the provider one or two edits away from `model`, with the same digits: `gpt-4o-mnii`
    is a typo of gpt-4o-mini, while `gpt-5.2` (other digits) is more likely a model newer than the data."""
    p = ctx.env.models.providers.get(provider)
    if p is None:
        return []
    name = model.strip().lower()
    digits = _DIGITS.sub("", name)
    names = sorted({*p.models, *p.aliases})
    choices = [c for c in names if _DIGITS.sub("", c) == digits]
    limit = 1 if len(name) < 8 else 2
    shown = []
    for c in nearest(name, choices, limit):
        info = p.models.get(c) or p.models.get(p.aliases.get(c, ""))
        label = c if info is None or c in p.aliases else info.id
        if label not in shown:
            shown.append(label)
    return shown


@rule(
    "LLM007", "model-misspelt", "llm",
    "The model is not in the model registry, and is a letter or two away from one that is (a typo).",
    levels=Levels(W, W, E),
    why="Model selection is a governance decision, and a misspelt model id passes the schema and fails on the "
        "first request. When the registry has a model of the same provider one or two letters away, the "
        "manifest almost certainly means that one.",
    details="Compares with the provider's models in the model registry (Damerau-Levenshtein distance of at most "
            "2, 1 for short ids), only when the numbers in the id are the same: `gpt-4o-mnii` is reported, while "
            "`gpt-5.9` (perhaps newer than the data) is left to LLM004. The fix, when one model is nearest, "
            "writes that model.",
    bad=agent(_llm("anthropic", "claude-sonet-4-5  # <- LLM007")),
    good=agent(_llm("anthropic", "claude-sonnet-4-5")),
    expect="claude-sonet-4-5", fix="unsafe",
)
def model_misspelt(ctx: Context) -> Iterator[Finding]:
    pm = _model(ctx)
    if pm is None or pm[0] not in HOSTED:
        return
    provider, model = pm
    family = ctx.env.models.family(model)
    if family not in (None, provider) or ctx.env.models.lookup(provider, model) is not None:
        return
    near = _near_models(ctx, provider, model)
    if not near:
        return
    path = [*LLM, "model"]
    if len(near) == 1:
        yield ctx.report(path, f"{model} is not a known {provider} model; did you mean {near[0]}?",
                         fixes=ctx.replace(path, near[0], f"Change the model to {near[0]}", safe=False))
    else:
        yield ctx.report(path, f"{model} is not a known {provider} model; did you mean one of "
                         f"{', '.join(near)}?")
