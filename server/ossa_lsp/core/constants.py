"""The words every layer shares: profiles, fail-on levels, rule severity words, config file names and the
kinds of tree nodes. Written once here so the CLI parser, the config model, the editor settings and the
docs agree; this module imports nothing of the package (only `typing`), so any layer can read it without
paying for the engine (yaml, pydantic, jsonschema) at start-up.
"""

from __future__ import annotations

from typing import Literal, get_args

# Rule profiles, from lenient to strict; a config file `extends` one of them.
Profile = Literal["baseline", "enterprise", "strict"]
PROFILES: tuple[Profile, ...] = get_args(Profile)
DEFAULT_PROFILE: Profile = "baseline"

# `fail-on`: findings at least this severe fail a check.
FailOn = Literal["error", "warning", "info"]
FAIL_ON_LEVELS: tuple[FailOn, ...] = get_args(FailOn)
DEFAULT_FAIL_ON: FailOn = "error"

# What a rule's severity may be set to in `.ossa-lsp.yaml`.
SEVERITY_WORDS: tuple[str, ...] = (*FAIL_ON_LEVELS, "off")

# The configuration file's names; the first is the one documentation and `init` use.
CONFIG_NAMES: tuple[str, ...] = (".ossa-lsp.yaml", ".ossa-lsp.yml")

# Kinds of the nodes of a parsed manifest (`core.text.source.Node.kind`).
MAP, SEQ, SCALAR, ALIAS = "map", "seq", "scalar", "alias"
