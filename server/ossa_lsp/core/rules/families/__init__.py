"""The rule families, one module each; importing this package declares every rule in the registry."""

from ossa_lsp.core.rules.families import (
    compat,
    cost,
    hygiene,
    llm,
    mesh,
    metadata,
    observability,
    resources,
    security,
    tools,
    vocabulary,
)

__all__ = ["compat", "cost", "hygiene", "llm", "mesh", "metadata", "observability", "resources", "security", "tools",
           "vocabulary"]
