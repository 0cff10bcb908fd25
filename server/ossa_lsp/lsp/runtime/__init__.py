"""What keeps the server process fast: the stdio transport and the idle-time GC policy."""
