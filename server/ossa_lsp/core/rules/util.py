"""Small pure helpers the rule families share: URLs and hosts, Kubernetes quantities. Masking, entropy
and templates live in core/scrub.py (the scrubber every message passes) and are re-exported here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from urllib.parse import SplitResult, urlsplit

from ossa_lsp.core.scrub import entropy, has_template, mask

__all__ = ["entropy", "has_template", "is_internal_host", "mask", "quantity", "split_url"]


# --- URLs and hosts ---------------------------------------------------------------------------------

INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".svc", ".svc.cluster.local", ".cluster.local",
                     ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp")


def split_url(text: str) -> SplitResult | None:
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    return parts


def is_internal_host(host: str, extra: Iterable[str] = ()) -> bool:
    """Hosts that never leave the cluster or machine: single-label names (Kubernetes services, compose
    services), cluster and mDNS suffixes, loopback and private addresses, and configured patterns."""
    host = host.strip("[]").lower().rstrip(".")
    if not host:
        return False
    if any(fnmatchcase(host, p.lower()) for p in extra):
        return True
    try:
        import ipaddress  # on first use: many manifests have no endpoints

        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host == "localhost" or host.endswith(INTERNAL_SUFFIXES)
    return ip.is_private or ip.is_loopback or ip.is_link_local


# --- Kubernetes quantities --------------------------------------------------------------------------

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?\Z")
_FACTORS: dict[str, Decimal | int] = {"": 1, "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(10) ** 3,
            "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "P": Decimal(10) ** 15,
            "E": Decimal(10) ** 18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def quantity(text: str) -> tuple[Decimal, str] | None:
    """A Kubernetes resource quantity (`500m`, `1.5`, `128Mi`, `1e3`) as (value, suffix), or None."""
    m = _QUANTITY.match(text.strip())
    if m is None:
        return None
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return None
    suffix = m.group(2) or ""
    try:  # a huge exponent or digit string is not a quantity anyone meant (and must not raise)
        if suffix[:1] in ("e", "E"):
            return number * Decimal(10) ** int(suffix[1:]), suffix
        return number * Decimal(_FACTORS[suffix]), suffix
    except (ValueError, ArithmeticError):
        return None


# --- near misses -------------------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b, or limit + 1 once it is over
    `limit`: a banded computation, O(len × limit), so long user text cannot make it slow."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [over] * len(b)
        lo, hi = max(1, i - limit), min(len(b), i + limit)
        for j in range(lo, hi + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = min(best, over)
        if min(cur) > limit:
            return over
        prev2, prev = prev, cur
    return min(prev[len(b)], over)


def nearest(word: str, choices: Iterable[str], limit: int) -> list[str]:
    """The choices closest to `word` within `limit` edits (all ties, in the order given)."""
    scored = [(edit_distance(word, c, limit), c) for c in choices]
    best = min((d for d, _ in scored), default=limit + 1)
    return [c for d, c in scored if d == best] if best <= limit else []
