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
    if suffix[:1] in ("e", "E"):
        return number * Decimal(10) ** int(suffix[1:]), suffix
    return number * Decimal(_FACTORS[suffix]), suffix
