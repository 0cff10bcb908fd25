"""The dated facts some rules need: model output limits, list prices, temperature ranges, retirements,
and ISO 4217 currency codes. Bundled as package data; a user override file is merged over the bundled
models. Nothing here ever touches the network: the files are only as current as their `as_of` date.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ossa_lsp.core import files

# Snapshot suffixes providers append to a model id: -20241022, -2024-08-06, -0613, -002, -latest, -preview
_SNAPSHOT = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2}|\d{4}|\d{3}|latest|preview|exp)\Z")
TEMPLATE = re.compile(r"\$\{|\{\{|^\$[A-Za-z_]")


class DataError(Exception):
    """A models override file that cannot be used."""


@dataclass(frozen=True)
class ModelInfo:
    provider: str
    id: str  # the registry id the name resolved to
    max_output: int | None
    price: tuple[float, float] | None  # USD per 1M tokens: input, output
    temperature: tuple[float, float] | None
    retired: date | bool
    as_of: date
    successor: str | None = None

    def retired_by(self, today: date) -> bool:
        return self.retired is True or (isinstance(self.retired, date) and self.retired <= today)


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    temperature: tuple[float, float] | None
    families: tuple[str, ...]
    open_weights: tuple[str, ...]
    models: dict[str, ModelInfo]
    aliases: dict[str, str]


class ModelRegistry:
    def __init__(self, providers: dict[str, ProviderInfo], as_of: date) -> None:
        self.providers = providers
        self.as_of = as_of

    def lookup(self, provider: str, model: str) -> ModelInfo | None:
        """The entry for a model id as written (snapshots and `-latest` resolve to their base model)."""
        p = self.providers.get(provider)
        if p is None:
            return None
        name = model.strip().lower()
        for _ in range(3):
            hit = p.models.get(name) or p.models.get(p.aliases.get(name, ""))
            if hit is not None:
                return hit
            shorter = _SNAPSHOT.sub("", name)
            if shorter == name:
                return None
            name = shorter
        return None

    def family(self, model: str) -> str | None:
        """The provider whose naming family a model id belongs to (`claude-…` → anthropic), or None;
        open-weight families (gpt-oss, gemma) return None since anyone may serve them."""
        name = model.strip().lower()
        for p in self.providers.values():
            if any(name.startswith(o) for o in p.open_weights):
                return None
        for p in self.providers.values():
            if any(name.startswith(f) for f in p.families):
                return p.name
        return None

    def temperature_range(self, provider: str, model: str) -> tuple[float, float] | None:
        info = self.lookup(provider, model)
        if info is not None and info.temperature is not None:
            return info.temperature
        p = self.providers.get(provider)
        return p.temperature if p is not None else None


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: expected a date such as 2025-10-15, got {value!r}") from None


def _pair(value: Any, where: str) -> tuple[float, float] | None:
    if value is None:
        return None
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                            for v in value)):
        return float(value[0]), float(value[1])
    raise DataError(f"{where}: expected [low, high] numbers, got {value!r}")


def _providers(raw: dict[str, Any], base: dict[str, ProviderInfo], as_of: date, src: str) -> dict[str, ProviderInfo]:
    out = dict(base)
    provs = raw.get("providers", {})
    if not isinstance(provs, dict):
        raise DataError(f"{src}: 'providers' must be a mapping")
    for pname, praw in provs.items():
        if not isinstance(praw, dict):
            raise DataError(f"{src}: providers.{pname} must be a mapping")
        old = base.get(pname)
        models = dict(old.models) if old else {}
        aliases = dict(old.aliases) if old else {}
        mraw = praw.get("models", {})
        if not isinstance(mraw, dict):
            raise DataError(f"{src}: providers.{pname}.models must be a mapping")
        for mid, m in mraw.items():
            where = f"{src}: providers.{pname}.models.{mid}"
            if not isinstance(m, dict):
                raise DataError(f"{where} must be a mapping")
            retired_raw = m.get("retired", False)
            retired: date | bool = retired_raw if isinstance(retired_raw, bool) else _date(retired_raw, where)
            max_out = m.get("max_output")
            if max_out is not None and (not isinstance(max_out, int) or isinstance(max_out, bool)):
                raise DataError(f"{where}.max_output must be a whole number")
            key = mid.lower()
            models[key] = ModelInfo(provider=pname, id=mid, max_output=max_out, price=_pair(m.get("price"), where),
                                    temperature=_pair(m.get("temperature"), where), retired=retired, as_of=as_of,
                                    successor=str(m["successor"]) if m.get("successor") else None)
            for alias in m.get("aliases", []):
                aliases[str(alias).lower()] = key
        temp = _pair(praw["temperature"], f"{src}: providers.{pname}") if "temperature" in praw else (
            old.temperature if old else None)
        fams = tuple(praw.get("families", old.families if old else ()))
        openw = tuple(praw.get("open_weights", old.open_weights if old else ()))
        out[pname] = ProviderInfo(pname, temp, fams, openw, models, aliases)
    return out


def _read(text: str, src: str, base: ModelRegistry | None) -> ModelRegistry:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"{src} is not JSON (line {err.lineno}, column {err.colno}): {err.msg}") from None
    if not isinstance(raw, dict) or "as_of" not in raw:
        raise DataError(f"{src}: expected an object with 'as_of' and 'providers'")
    as_of = _date(raw["as_of"], src)
    providers = _providers(raw, base.providers if base else {}, as_of, src)
    return ModelRegistry(providers, as_of)


@lru_cache(maxsize=1)
def bundled_models() -> ModelRegistry:
    text = resources.files("ossa_lsp.core.data").joinpath("models.json").read_text("utf-8")
    return _read(text, "models.json", None)


_override_lock = threading.Lock()
_overrides: dict[tuple[str, int, int], ModelRegistry] = {}


def load_models(override: Path | None = None) -> ModelRegistry:
    """The bundled registry, with a user file merged over it (cached by path and modification time)."""
    base = bundled_models()
    if override is None:
        return base
    try:
        st = override.stat()
        key = (str(override), st.st_mtime_ns, st.st_size)
        with _override_lock:
            hit = _overrides.get(key)
        if hit is not None:
            return hit
        text = files.read_bytes(override).decode("utf-8")  # bounded, regular files only: named by a repository
    except FileNotFoundError:
        raise DataError(f"models file not found: {override}") from None
    except (OSError, UnicodeDecodeError, files.FileError) as err:
        raise DataError(f"cannot read models file {override}: {err}") from None
    reg = _read(text, override.name, base)
    with _override_lock:
        _overrides[key] = reg
    return reg


@lru_cache(maxsize=1)
def currencies() -> tuple[frozenset[str], dict[str, str]]:
    raw = json.loads(resources.files("ossa_lsp.core.data").joinpath("currencies.json").read_text("utf-8"))
    return frozenset(raw["codes"]), dict(raw.get("hints", {}))
