"""Our OSSA schemas: the registry, version selection, the compiled validator, navigation."""
