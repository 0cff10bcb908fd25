"""`ossa-lsp report`: the fleet of agents as one offline HTML page, a markdown summary or JSON.

`model.build` turns a run into one document (facts.py reads what the index does not keep); html.py,
markdown.py and `render` below print it; layout.py and svg.py draw its call graph.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("html", "markdown", "json")


def render(doc: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        from ossa_lsp.output.escape import dumps

        return dumps(doc)
    if fmt == "markdown":
        from ossa_lsp.output.report import markdown

        return markdown.render(doc)
    from ossa_lsp.output.report import html

    return html.render(doc)
