"""Inlay hints: what a number in a manifest means, shown after the value.

- `maxTokensPerDay` / `maxTokensPerRequest`: what the budget costs at the model's input list price, from
  the dated model table (core/data/models.json, or the `models-file` of .ossa-lsp.yaml); no hint when the
  document's model is not in the table.
- `cpu` (a Kubernetes quantity, `500m`) and `cpu_millicores`: in cores.
- `memory` (a Kubernetes quantity, `512Mi`) and `*memory_mb`: in the other family of units (MB ↔ MiB).
- durations whose unit the key names (`timeoutSeconds`, `timeout_ms`, `interval_minutes`, …) or whose
  text carries it (`idle_timeout: 90s`): in s / min / h once the value is past the next unit.

Units come from the key names, which is what every supported schema version does ("Duration, in
seconds" is `*Seconds` / `*_seconds`, milliseconds `*Ms` / `*_ms`); keys without a unit get no hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ossa_lsp.core.rules.data import ModelRegistry
from ossa_lsp.core.text.source import MAP, SCALAR, SEQ, Manifest, Node, key_text
from ossa_lsp.core.text.spans import Pos, Span

COST, CPU, MEMORY, DURATION = "cost", "cpu", "memory", "duration"
KINDS = (COST, CPU, MEMORY, DURATION)
MAX_VALUE_CHARS = 40  # longer scalars are not quantities: never handed to a pattern
MAX_AMOUNT = 1e15  # larger numbers are typos or placeholders, not budgets or sizes

_CPU = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(m?)\Z")
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?\Z")
_DURATION_TEXT = re.compile(r"([0-9]+(?:\.[0-9]*)?)(ms|s|m|h)\Z")
_BINARY = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50}
_DECIMAL = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15}
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_UNIT_WORDS = (("milliseconds", 0.001), ("millis", 0.001), ("ms", 0.001), ("seconds", 1.0), ("secs", 1.0),
               ("sec", 1.0), ("minutes", 60.0), ("mins", 60.0), ("hours", 3600.0))
_TEXT_DURATION_KEYS = ("timeout", "interval", "ttl", "delay", "duration", "period", "idle")


@dataclass(frozen=True)
class Hint:
    pos: Pos  # where the hint goes: just after the value
    label: str
    kind: str  # one of KINDS
    tooltip: str | None = None


@dataclass(frozen=True)
class Price:
    """The model a document uses and its registry entry (for cost hints)."""
    model: str
    input: float  # USD per 1M input tokens
    output: float
    as_of: str


def hints(manifest: Manifest, within: Span, kinds: frozenset[str] | set[str] = frozenset(KINDS),
          models: ModelRegistry | None = None) -> list[Hint]:
    """Every hint whose position lies in `within`, in document order."""
    out: list[Hint] = []
    for doc in manifest.documents:
        if doc.root is None or doc.span.end < within.start or doc.span.start > within.end:
            continue
        price = _price(doc.data, models) if COST in kinds and models is not None else None
        for key, value in _pairs(doc.root, within):
            hint = _hint(key, value, kinds, price)
            if hint is not None and within.start <= hint.pos <= within.end:
                out.append(hint)
    out.sort(key=lambda h: h.pos)
    return out


def _pairs(root: Node, within: Span) -> Iterator[tuple[str, Node]]:
    """(key, scalar value) of every mapping entry whose subtree meets `within` (aliases not followed:
    a hint belongs where the value is written)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.span.end < within.start or node.span.start > within.end:
            continue
        if node.kind == MAP:
            for k, v in reversed(node.items):
                if v.kind == SCALAR and isinstance(k.value, str):
                    yield key_text(k), v
                else:
                    stack.append(v)
        elif node.kind == SEQ:
            stack.extend(reversed(node.items))


def _hint(key: str, node: Node, kinds: frozenset[str] | set[str], price: Price | None) -> Hint | None:
    value = node.value
    if isinstance(value, bool) or node.style in ("|", ">"):
        return None
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return None
    label: tuple[str, str | None] | None = None
    kind = _kind_of(key)
    if kind is None or kind not in kinds:
        return None
    if kind == COST:
        label = _cost(key, value, price)
    elif kind == CPU:
        label = _cpu(key, value)
    elif kind == MEMORY:
        label = _memory(key, value)
    else:
        label = _duration(key, value)
    return Hint(node.span.end, label[0], kind, label[1]) if label is not None else None


def _amount(text: str) -> float | None:
    value = float(text)
    return value if value <= MAX_AMOUNT else None


def _kind_of(key: str) -> str | None:
    low = key.lower()
    if key in ("maxTokensPerDay", "maxTokensPerRequest"):
        return COST
    if low in ("cpu", "cpu_millicores", "cpumillicores"):
        return CPU
    if low in ("memory", "memory_mb", "max_memory_mb", "memorymb"):
        return MEMORY
    if _duration_unit(key) is not None or any(w in low for w in _TEXT_DURATION_KEYS):
        return DURATION
    return None


# -- cost ------------------------------------------------------------------------------------------

def _price(data: Any, models: ModelRegistry) -> Price | None:
    """The input/output list price of the document's `spec.llm` model (None when unknown)."""
    spec = data.get("spec") if isinstance(data, dict) else None
    llm = spec.get("llm") if isinstance(spec, dict) else None
    if not isinstance(llm, dict):
        return None
    model, provider = llm.get("model"), llm.get("provider")
    if not isinstance(model, str) or not model.strip():
        return None
    provider = provider.strip().lower() if isinstance(provider, str) else models.family(model)
    info = models.lookup(provider, model) if provider else None
    if info is None or info.price is None:
        return None
    return Price(model.strip(), info.price[0], info.price[1], info.as_of.isoformat())


def _cost(key: str, value: Any, price: Price | None) -> tuple[str, str | None] | None:
    tokens = _number(value)
    if price is None or tokens is None or tokens <= 0:
        return None
    per = "day" if key == "maxTokensPerDay" else "request"
    usd = tokens * price.input / 1e6
    high = tokens * price.output / 1e6
    tip = (f"{tokens:,.0f} tokens at {price.model}'s list price of {money(price.input)} per million input "
           f"tokens ({money(high)}/{per} if they were all output tokens at {money(price.output)} per million). "
           f"Prices as of {price.as_of} from the model table (core/data/models.json or your models-file).")
    return f"≈ {money(usd)}/{per} at {price.model} input price", tip


def money(usd: float) -> str:
    """US dollars for a hint: cents from $1 up, two significant digits below, thousands separated."""
    if usd >= 100:
        return f"${usd:,.0f}"
    if usd >= 1:
        return f"${usd:,.2f}"
    if usd == 0:
        return "$0"
    return f"${float(f'{usd:.2g}'):f}".rstrip("0")


# -- cpu and memory --------------------------------------------------------------------------------

def _cpu(key: str, value: Any) -> tuple[str, str | None] | None:
    if key.lower() != "cpu":  # cpu_millicores
        n = _number(value)
        return (_cores(n / 1000), None) if n is not None and n >= 0 else None
    cores: float | None = None
    if isinstance(value, (int, float)):
        cores = _number(value)
    elif isinstance(value, str) and (m := _CPU.match(value.strip())):
        cores = _amount(m.group(1))
        cores = cores / 1000 if cores is not None and m.group(2) else cores
    return (_cores(cores), None) if cores is not None and cores >= 0 else None


def _cores(cores: float) -> str:
    text = _sig(cores, 3)
    return f"{text} core" if cores <= 1 else f"{text} cores"


def _memory(key: str, value: Any) -> tuple[str, str | None] | None:
    if key.lower() != "memory":  # memory_mb: megabytes
        n = _number(value)
        return (f"≈ {readable(n * 10**6, binary=True)}", None) if n is not None and n > 0 else None
    size: float | None = None
    if isinstance(value, (int, float)):
        size, binary = _number(value), True  # plain bytes: show them in the units people read
    elif isinstance(value, str) and (m := _MEMORY.match(value.strip())):
        unit = m.group(2) or ""
        amount = _amount(m.group(1))
        size = amount * _BINARY.get(unit, _DECIMAL.get(unit, 1)) if amount is not None else None
        binary = unit not in _BINARY  # the other family: 512Mi → MB, 500M → MiB
    if size is None or size <= 0:
        return None
    return f"≈ {readable(size, binary)}", f"{_sig(size, 12)} bytes"


def readable(size: float, binary: bool) -> str:
    """A byte count in the largest unit that keeps it at 1 or more (three significant digits)."""
    step, units = (1024.0, ("B", "KiB", "MiB", "GiB", "TiB", "PiB")) if binary else \
        (1000.0, ("B", "kB", "MB", "GB", "TB", "PB"))
    i = 0
    while size >= step and i < len(units) - 1:
        size /= step
        i += 1
    return f"{_sig(size, 3)} {units[i]}"


# -- durations -------------------------------------------------------------------------------------

def _duration_unit(key: str) -> float | None:
    """Seconds per unit when the key names its unit after a word boundary: `timeoutSeconds`,
    `timeout_ms`, `interval_minutes` (but not `items`, whose "ms" is no unit)."""
    low = key.lower()
    for word, seconds in _UNIT_WORDS:
        if len(key) > len(word) and low.endswith(word):
            first, before = key[-len(word)], key[-len(word) - 1]
            if first.isupper() or before in "_-":
                return seconds
    return None


def _duration(key: str, value: Any) -> tuple[str, str | None] | None:
    unit = _duration_unit(key)
    if unit is not None:
        n = _number(value)
        seconds = n * unit if n is not None else None
        unit_seconds = unit
    elif isinstance(value, str) and (m := _DURATION_TEXT.match(value.strip())):
        unit_seconds = _UNIT_SECONDS[m.group(2)]
        amount = _amount(m.group(1))
        seconds = amount * unit_seconds if amount is not None else None
    else:
        return None
    # only when the next unit up says it better: 30000 ms → 30 s, 300 s → 5 min, but not 45 s → 45 s
    if seconds is None or seconds <= 0 or (unit_seconds >= 1 and seconds < unit_seconds * 60):
        return None
    return duration(seconds), None


def duration(seconds: float) -> str:
    """`= 30 s`, `= 5 min`, `≈ 1.67 min`, `= 2 h`, `= 3 days` (exact or rounded to three digits)."""
    if seconds >= 2 * 86400:
        size, name = 86400.0, "days"
    elif seconds >= 3600:
        size, name = 3600.0, "h"
    elif seconds >= 60:
        size, name = 60.0, "min"
    else:
        size, name = 1.0, "s"
    amount = seconds / size
    text = _sig(amount, 3 if amount < 100 else 6)
    return f"{'=' if float(text) == amount else '≈'} {text} {name}"


# -- numbers ---------------------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -MAX_AMOUNT <= value <= MAX_AMOUNT:
        return None
    return float(value)


def _sig(x: float, digits: int) -> str:
    """`x` with at most `digits` significant digits, no exponent, no trailing zeros (0.5, 537, 1.5)."""
    if x == 0:
        return "0"
    text = f"{float(f'{x:.{digits}g}'):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
