"""The pydantic model of `.ossa-lsp.yaml` (imported only when a config file is actually read)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ossa_lsp.core.constants import DEFAULT_PROFILE, FailOn, Profile
from ossa_lsp.core.rules.registry import split_selectors


def _selectors(value: Any) -> Any:
    return split_selectors(value) if isinstance(value, str) else value


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    rules: dict[str, Any] = Field(default_factory=dict)

    _split = field_validator("select", "extend_select", "ignore", mode="before")(_selectors)


class Override(_Base):
    files: list[str]
    fail_on: FailOn | None = Field(None, alias="fail-on")

    @field_validator("files", mode="before")
    @classmethod
    def _one(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class ConfigModel(_Base):
    extends: Profile = DEFAULT_PROFILE
    overrides: list[Any] = Field(default_factory=list)  # each item is validated on its own (see Override)
    exclude: list[str] = Field(default_factory=list)
    fail_on: FailOn | None = Field(None, alias="fail-on")
    models_file: str | None = Field(None, alias="models-file")

    @field_validator("exclude", mode="before")
    @classmethod
    def _one(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v
