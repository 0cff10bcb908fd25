"""The language server: pygls adapters over the protocol-free core."""
