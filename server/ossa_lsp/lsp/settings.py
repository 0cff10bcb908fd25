"""Client settings: one typed, fully defaulted model (section `ossa`, camelCase on the wire).

Bad values never break the server: each invalid field falls back to its default and the user is
told which one and why.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ossa_lsp.core.constants import Profile
from ossa_lsp.core.schema.validate import dotted, show, type_word


class Settings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    enable: bool = Field(True, description="Check OSSA manifests and offer completion and hover.")
    debounce_ms: int = Field(75, ge=0, le=5000, description="Milliseconds to wait after an edit before re-checking.")
    schemas: dict[str, str] = Field(
        default_factory=dict,
        description="Validate files matching a glob with a JSON Schema file instead of the bundled one "
        "(e.g. {\"legacy/**/*.yaml\": \"schemas/ossa-0.1.schema.json\"}).",
    )
    extra_files: list[str] = Field(
        default_factory=list, description="Globs of further files to treat as OSSA manifests (e.g. agents/*.yaml)."
    )
    default_version: str | None = Field(
        None, description="OSSA version to use for loose apiVersions such as ossa/v0.3 (e.g. v0.3.6), and for "
        "completion in files without an apiVersion.")
    max_file_size: int = Field(2_000_000, ge=10_000, le=50_000_000,
                               description="Files larger than this many characters are not analysed.")
    profile: Profile | None = Field(
        None, description="Policy profile; overrides the one in .ossa-lsp.yaml.")
    select: list[str] = Field(default_factory=list, description="Policy rules to enable (codes, prefixes or names).")
    ignore: list[str] = Field(default_factory=list, description="Policy rules to disable (codes, prefixes or names).")
    workspace_diagnostics: bool = Field(
        True, description="Report problems in manifests that are not open (the Problems panel), within the "
        "workspace's file limits: pulled by clients that ask for workspace diagnostics, pushed to the others.")
    format_canonical_order: bool = Field(
        False, description="Formatting also orders keys: apiVersion, kind, metadata, spec, then the schema's order "
        "inside metadata and spec (comments travel with their keys).")
    inlay_hints_cost: bool = Field(
        True, description="Inlay hint after maxTokensPerDay / maxTokensPerRequest: what the budget costs at the "
        "model's input list price (from the dated model table, or the models-file of .ossa-lsp.yaml).")
    inlay_hints_cpu: bool = Field(True, description="Inlay hint after a CPU quantity: 500m → 0.5 core.")
    inlay_hints_memory: bool = Field(True, description="Inlay hint after a memory quantity: 512Mi → ≈ 537 MB.")
    inlay_hints_durations: bool = Field(
        True, description="Inlay hint after a duration whose key or text names its unit: timeout_ms: 30000 → "
        "= 30 s, timeoutSeconds: 300 → = 5 min.")
    code_lens: bool = Field(True, description="Code lenses: who calls each agent and whom it calls, and the agent "
                            "each tool calls.")
    log_level: Literal["error", "warning", "info", "debug"] = Field("info", description="Server log level.")


def _problem(err: Any) -> str:
    """One bad setting in words: what it must be, what it was, and that the default is used instead."""
    from ossa_lsp.core.config.load import expected_words

    got = err.get("input")
    shown = f"; got {show(got)}" if not isinstance(got, dict) else ""
    return f"Setting `ossa.{dotted(err['loc'])}` must be {expected_words(err)}{shown}; using the default"


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from whatever the client sent, plus a message per field that had to be defaulted."""
    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        return Settings(), [f"The ossa settings must be a mapping of setting names to values, not "
                            f"{type_word(raw)}; using the defaults"]
    if isinstance(raw.get("ossa"), dict) and len(raw) == 1:
        raw = raw["ossa"]
    try:
        return Settings.model_validate(raw), []
    except ValidationError as err:
        bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        problems = [_problem(e) for e in err.errors() if e["loc"]]
        clean = {k: v for k, v in raw.items() if k not in bad}
        try:
            return Settings.model_validate(clean), problems
        except ValidationError:
            return Settings(), [*problems, "ossa settings are invalid; using defaults"]
