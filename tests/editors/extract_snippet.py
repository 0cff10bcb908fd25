"""Print the code block that follows `<!-- snippet: NAME ... -->` in a markdown file, verbatim.

The editor tests run the set-up snippets of docs/editors.md exactly as users copy them.
Usage: python extract_snippet.py docs/editors.md neovim > ossa.lua
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def snippet(markdown: str, name: str) -> str:
    marker = re.search(rf"<!--\s*snippet:\s*{re.escape(name)}\b[^>]*-->\s*\n```[\w-]*\n(.*?)\n```", markdown, re.S)
    if marker is None:
        raise SystemExit(f"no `<!-- snippet: {name} -->` followed by a code block")
    return marker.group(1) + "\n"


if __name__ == "__main__":
    sys.stdout.write(snippet(Path(sys.argv[1]).read_text("utf-8"), sys.argv[2]))
