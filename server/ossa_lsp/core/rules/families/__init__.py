"""The rule families, one module each; importing this package declares every rule in the registry."""

from ossa_lsp.core.rules.families import (
    cost,
    hygiene,
    llm,
    mesh,
    metadata,
    observability,
    resources,
    security,
    tools,
)

__all__ = ["cost", "hygiene", "llm", "mesh", "metadata", "observability", "resources", "security", "tools"]
