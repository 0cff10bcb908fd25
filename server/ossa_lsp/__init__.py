"""ossa-lsp: language server and CI checker for OSSA agent manifests."""

__version__ = "0.1.0"
