"""One small module per LSP feature; each `register(ls)` adds thin handlers over the core."""
