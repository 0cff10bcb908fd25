"""`python -m ossa_lsp` is the same as the `ossa-lsp` command."""

import sys

from ossa_lsp.cli import main

if __name__ == "__main__":
    sys.exit(main())
