"""The outline of a manifest (symbols, folding, selection ranges), computed without the server."""

from __future__ import annotations

from itertools import pairwise

from ossa_lsp.core.answers import outline
from ossa_lsp.core.text.source import parse
from ossa_lsp.core.text.spans import Pos, Span

AGENT = """\
apiVersion: ossa/v0.3.6
kind: Agent
metadata:
  name: triage
  description: Sorts incoming support tickets by urgency and routes them to the right team, every hour of the day
spec:
  role: Sort tickets
  llm:
    provider: openai
    temperature: 0.2
    streaming: true
  tools:
    - type: http
      name: tickets
    - type: mcp
    - just-a-name
    - [nested]
"""


def _by_name(symbols: list[outline.Symbol] | tuple[outline.Symbol, ...]) -> dict[str, outline.Symbol]:
    return {s.name: s for s in symbols}


def test_top_level_keys_are_the_outline_with_sections_as_namespaces():
    top = _by_name(outline.symbols(parse(AGENT, "a.ossa.yaml")))
    assert list(top) == ["apiVersion", "kind", "metadata", "spec"]
    assert (top["metadata"].kind, top["spec"].kind, top["kind"].kind) == ("namespace", "namespace", "string")
    assert top["spec"].span == Span(Pos(5, 0), Pos(16, 14))  # from the key to the end of its value
    assert top["spec"].selection == Span(Pos(5, 0), Pos(5, 4))  # the key


def test_value_kinds_and_details():
    spec = _by_name(_by_name(outline.symbols(parse(AGENT, "a.ossa.yaml")))["spec"].children)
    llm = _by_name(spec["llm"].children)
    assert (llm["provider"].kind, llm["temperature"].kind, llm["streaming"].kind) == ("string", "number", "boolean")
    assert spec["role"].kind == "key" and spec["role"].detail == "Sort tickets"
    assert spec["llm"].kind == "object" and spec["llm"].detail is None


def test_long_values_are_shortened_in_the_detail():
    metadata = _by_name(_by_name(outline.symbols(parse(AGENT, "a.ossa.yaml")))["metadata"].children)
    detail = metadata["description"].detail
    assert detail is not None and len(detail) == outline.MAX_DETAIL and detail.endswith("…")


def test_list_items_are_named_by_name_and_type_then_type_then_value_then_position():
    spec = _by_name(_by_name(outline.symbols(parse(AGENT, "a.ossa.yaml")))["spec"].children)
    assert spec["tools"].kind == "array"
    items = spec["tools"].children
    assert [i.name for i in items] == ["tickets (http)", "mcp", "just-a-name", "[3]"]
    assert [i.kind for i in items] == ["object", "object", "string", "string"]
    assert items[0].selection == items[0].span == Span(Pos(12, 6), Pos(13, 19))


def test_each_document_of_a_multi_document_file_is_one_entry():
    text = AGENT + "---\napiVersion: ossa/v0.3.6\nkind: Agent\nmetadata: {name: second}\n---\n- a list\n"
    docs = outline.symbols(parse(text, "a.ossa.yaml"))
    assert [(d.name, d.kind) for d in docs] == [("Agent triage", "module"), ("Agent second", "module"),
                                                 ("document 3", "module")]
    assert [c.name for c in docs[1].children] == ["apiVersion", "kind", "metadata"]


def test_metadata_that_is_not_a_mapping_does_not_break_the_label():
    text = "apiVersion: ossa/v0.3.6\nkind: Agent\nmetadata: just text\n---\nkind: Agent\nmetadata: [1]\n"
    assert [d.name for d in outline.symbols(parse(text, "a.ossa.yaml"))] == ["document 1", "document 2"]


def test_deep_nesting_stops_at_the_depth_limit():
    depth = outline.MAX_SYMBOL_DEPTH + 4
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}leaf: 1\n"
    node = outline.symbols(parse(text, "deep.ossa.yaml"))[0]
    levels = 1
    while node.children:
        node = node.children[0]
        levels += 1
    assert levels == outline.MAX_SYMBOL_DEPTH + 1


def test_json_manifest_has_the_same_outline():
    text = '{"apiVersion": "ossa/v0.3.6", "kind": "Agent", "spec": {"tools": [{"name": "t", "type": "http"}]}}'
    top = _by_name(outline.symbols(parse(text, "a.ossa.json")))
    assert list(top) == ["apiVersion", "kind", "spec"]
    assert [t.name for t in _by_name(top["spec"].children)["tools"].children] == ["t (http)"]


def test_folds_cover_every_block_of_more_than_one_line():
    folds = set(outline.folds(parse(AGENT, "a.ossa.yaml")))
    assert {(2, 4), (5, 16), (7, 10), (11, 16), (12, 13)} <= folds
    assert all(end > start for start, end in folds)
    assert (0, 0) not in folds and (14, 14) not in folds  # one-line entries do not fold


def test_an_alias_folds_only_where_its_anchor_is():
    text = "a: &x\n  b: 1\n  c: 2\nd: *x\n"
    assert outline.folds(parse(text, "a.ossa.yaml")) == [(0, 2)]


def test_selection_grows_from_the_value_to_the_document():
    manifest = parse(AGENT, "a.ossa.yaml")
    chain = outline.selection(manifest, Pos(8, 16))  # inside `openai`
    assert chain[-1] == Span(Pos(8, 14), Pos(8, 20))  # the value
    assert chain[-2] == Span(Pos(8, 4), Pos(8, 20))  # provider: openai
    assert chain[0].start == Pos(0, 0)  # the whole document
    assert len(chain) == len(set(chain))
    assert all(outer.start <= inner.start and inner.end <= outer.end for outer, inner in pairwise(chain))


def test_selection_on_a_key_ends_at_the_key():
    chain = outline.selection(parse(AGENT, "a.ossa.yaml"), Pos(9, 6))  # inside `temperature`
    assert chain[-1] == Span(Pos(9, 4), Pos(9, 15))


def test_selection_inside_a_list_item():
    chain = outline.selection(parse(AGENT, "a.ossa.yaml"), Pos(13, 14))  # `tickets`
    assert chain[-1] == Span(Pos(13, 12), Pos(13, 19))
    assert Span(Pos(12, 6), Pos(13, 19)) in chain  # the item


def test_selection_outside_every_document_is_empty():
    assert outline.selection(parse("", "a.ossa.yaml"), Pos(3, 0)) == []


def test_broken_yaml_still_has_an_outline_of_what_parsed():
    text = "apiVersion: ossa/v0.3.6\nkind: Agent\nmetadata:\n  name: x\nspec: [unclosed\n"
    names = [s.name for s in outline.symbols(parse(text, "a.ossa.yaml"))]
    assert names[:3] == ["apiVersion", "kind", "metadata"]
