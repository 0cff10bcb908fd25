"""What the report says about one agent beyond the workspace index (which keeps only what the editor
needs): budgets, concurrency, tools with their auth type, observability. Read from the parsed document's
plain data; a value of the wrong type reads as absent (the schema reports it), a number must be finite.
"""

from __future__ import annotations

import math
from typing import Any

OBSERVABILITY_PARTS = ("tracing", "metrics", "logging")


def _get(data: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def number(value: Any) -> float | int | None:
    """A finite number as written (a whole number stays one), or None: `.inf`, `.nan`, text, booleans and
    integers too large for a float are not budgets."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        as_float = float(value)
    except OverflowError:
        return None
    if not math.isfinite(as_float):
        return None
    return int(as_float) if as_float.is_integer() and abs(as_float) < 2**53 else as_float


def budget(value: Any) -> float | int | None:
    """A cap: a finite number, not negative (a negative cap is the schema's to report, not a saving)."""
    n = number(value)
    return n if n is not None and n >= 0 else None


def finite(value: float) -> float | None:
    """A computed total, or None when it overflowed (a fleet of absurd caps must not write `Infinity`)."""
    return value if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tools(spec: Any) -> list[dict[str, str | None]]:
    tools = _get(spec, "tools")
    if not isinstance(tools, list):
        return []
    out = []
    for t in tools:
        if isinstance(t, dict):
            auth = t.get("auth")
            out.append({"name": _text(t.get("name")), "type": _text(t.get("type")),
                        "auth": _text(auth.get("type")) if isinstance(auth, dict) else None})
    return out


def _observability(spec: Any) -> dict[str, bool]:
    """Each part on when declared and not `enabled: false` (logging has no `enabled` in most versions)."""
    obs = _get(spec, "observability")
    out = {}
    for part in OBSERVABILITY_PARTS:
        block = _get(obs, part)
        out[part] = isinstance(block, dict) and block.get("enabled") is not False
    return out


def document_facts(data: Any) -> dict[str, Any] | None:
    """The report's facts about an OSSA document (None for anything else)."""
    if not isinstance(data, dict) or not str(data.get("apiVersion", "")).startswith("ossa/"):
        return None
    spec = data.get("spec")
    cost = _get(spec, "constraints", "cost")
    return {
        "kind": _text(data.get("kind")),
        "max_tokens": budget(_get(spec, "llm", "maxTokens")),
        "tokens_per_request": budget(_get(cost, "maxTokensPerRequest")),
        "tokens_per_day": budget(_get(cost, "maxTokensPerDay")),
        "concurrency": budget(_get(spec, "constraints", "performance", "maxConcurrentRequests")),
        "tools": _tools(spec),
        "observability": _observability(spec),
    }
