"""Generated docs are committed and must match what the code and schemas generate today."""

from __future__ import annotations

from ossa_lsp.core.answers.hover import reference_url
from ossa_lsp.output.docgen import render_all
from tests.conftest import ROOT


def test_generated_docs_are_up_to_date():
    stale = [rel for rel, text in render_all().items()
             if not (ROOT / "docs" / rel).is_file() or (ROOT / "docs" / rel).read_text("utf-8") != text]
    assert stale == [], "run `python -m ossa_lsp.output.docgen docs` and commit the result"


def test_hover_reference_links_point_at_existing_anchors():
    page = (ROOT / "docs" / "reference" / "v0.2.2.md").read_text("utf-8")
    for path in (["spec", "llm", "provider"], ["metadata", "name"], ["spec", "tools", 0, "auth", "type"]):
        anchor = reference_url("v0.2.2", path).rsplit("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in page
