"""Policy rules: the built-in OSSA rule catalog, one module per family. Importing this package declares
every rule (and registers its code in `findings.CODES`); `policy.Policy` runs them."""

from __future__ import annotations

# Imported for its side effect: each family module declares its rules in the registry.
import ossa_lsp.core.rules.families  # noqa: F401
from ossa_lsp.core.constants import PROFILES
from ossa_lsp.core.rules.registry import (
    FAMILIES,
    RULES,
    Levels,
    Option,
    Rule,
    in_order,
    lookup,
    select,
)

__all__ = ["FAMILIES", "PROFILES", "RULES", "Levels", "Option", "Rule", "in_order", "lookup", "select"]
