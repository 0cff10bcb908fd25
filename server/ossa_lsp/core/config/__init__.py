"""`.ossa-lsp.yaml`: loading and discovery (load.py) and its pydantic model (model.py)."""
