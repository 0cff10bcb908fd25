"""Format checks for JSON Schema `format`, with no optional dependencies.

jsonschema only checks `uri` when rfc3987 is installed; we want the same answer everywhere, so
these small, conservative checks are ours. Formats are annotations in the OSSA spec: findings from
them are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\Z")
_URI_REF = re.compile(r"[^\s]*\Z")
_HOST = re.compile(r"(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\Z")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")

FORMATS: dict[str, Callable[[object], bool]] = {}


def _checks(name: str) -> Callable[[Callable[[object], bool]], Callable[[object], bool]]:
    def register(fn: Callable[[object], bool]) -> Callable[[object], bool]:
        FORMATS[name] = fn
        return fn
    return register


@cache
def jsonschema_checker() -> Any:
    """The same checks as a jsonschema FormatChecker, for schemas our own validator can't run."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, fn in FORMATS.items():
        checker.checks(name)(fn)
    return checker


@_checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or (bool(_URI.match(value)) and "${" not in value.split(":", 1)[0])


@_checks("uri-reference")
def _uri_ref(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_REF.match(value))


@_checks("email")
def _email(value: object) -> bool:
    # `[^@\s]+@[^@\s]+\.[^@\s]+` in words: the regex was quadratic on `a@a.a.a.…` (every dot a try).
    if not isinstance(value, str):
        return True
    local, at, domain = value.partition("@")
    return (bool(at and local) and "@" not in domain and "." in domain[1:-1]
            and not any(c.isspace() for c in value))


@_checks("hostname")
def _hostname(value: object) -> bool:
    return not isinstance(value, str) or bool(_HOST.match(value))


@_checks("ipv4")
def _ipv4(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        import ipaddress  # imported when a schema asks for this format: most runs never do

        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


@_checks("ipv6")
def _ipv6(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        import ipaddress

        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


@_checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper() or " " in value


@_checks("date")
def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@_checks("time")
def _time(value: object) -> bool:
    return not isinstance(value, str) or bool(_TIME.match(value))


@_checks("uuid")
def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        import uuid  # (uuid imports platform: ~3 ms)

        uuid.UUID(value)
    except ValueError:
        return False
    return True


@_checks("regex")
def _regex(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) > 10_000:
        return True  # not compiled: compiling is not linear in the pattern (and may recurse); a warning only
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError):
        return False
    return True
