"""The manifest model: YAML 1.2 values, exact spans, syntax findings, multi-document, bounds."""

from __future__ import annotations

import time

import pytest

from ossa_lsp.core.text.source import Limits, parse


def data(text: str, path: str | None = None):
    m = parse(text, path)
    assert not m.findings, m.findings
    return m.documents[0].data


def test_yaml_1_2_core_schema_keeps_yaml_1_1_traps_as_strings():
    d = data("a: yes\nb: on\nc: off\nd: 2025-11-06\ne: 0755\nf: 0o17\ng: 0x1F\nh: no\ni: ~\nj: true\nk: 1.5e3\n")
    assert d == {"a": "yes", "b": "on", "c": "off", "d": "2025-11-06", "e": 755, "f": 15, "g": 31,
                 "h": "no", "i": None, "j": True, "k": 1500.0}


def test_merge_key_is_an_ordinary_key():
    d = data("base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n")
    assert d["child"] == {"<<": {"x": 1}, "y": 2}


def test_quoted_and_tagged_scalars_stay_text():
    assert data("a: '1'\nb: \"true\"\nc: !!str 12\nd: !!int '7'\n") == {"a": "1", "b": "true", "c": "12", "d": 7}


def test_duplicate_key_is_an_error_at_the_second_key_with_the_first_linked():
    m = parse("metadata:\n  name: a\n  name: b\n")
    [f] = m.findings
    assert f.code == "YAML002"
    assert (f.span.start.line, f.span.start.character, f.span.end.character) == (2, 2, 6)
    assert f.related[0].span.start.line == 1
    assert m.documents[0].data == {"metadata": {"name": "a"}}


def test_syntax_error_has_a_real_position_and_the_partial_tree_survives():
    m = parse("apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: x\n  bad: @oops\n")
    [f] = m.findings
    assert f.code == "YAML001" and f.source == "yaml"
    assert (f.span.start.line, f.span.start.character) == (4, 7)
    doc = m.documents[0]
    assert set(m.set_aside) == {4}  # the broken line is set aside; everything else is read
    assert doc.data["metadata"]["name"] == "x"
    assert doc.data["kind"] == "Agent"


def test_unclosed_flow_sequence_points_back_at_the_bracket():
    m = parse("tools: [a, b\nspec: x\n")
    [f] = m.findings
    assert f.span.start == (0, 7) and "'['" in f.message and "']'" in f.message
    assert m.documents[0].data == {"spec": "x"}  # the list's line is set aside, the rest is read


def test_multi_document_files_give_one_document_each():
    m = parse("a: 1\n---\nb: 2\n---\n- x\n")
    assert [d.data for d in m.documents] == [{"a": 1}, {"b": 2}, ["x"]]
    assert [d.span.start.line for d in m.documents] == [0, 1, 3]


def test_alias_bomb_is_bounded_and_reported():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for i in range(1, 12):
        name = f"l{i}"
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = name
    start = time.perf_counter()
    m = parse(bomb, limits=Limits(max_nodes=100_000))
    assert time.perf_counter() - start < 5
    assert any(f.code == "YAML003" for f in m.findings)


def test_nesting_ten_thousand_deep_is_bounded():
    text = "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
    m = parse(text)
    assert any(f.code == "YAML006" for f in m.findings)
    deep_json = '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}"
    mj = parse(deep_json, "x.json")
    assert any(f.code == "YAML006" for f in mj.findings)


def test_spans_count_code_points_after_non_ascii_text():
    m = parse("description: héllo wörld 🎉\nname: x\n")
    node = m.documents[0].root.get("description")[1]
    assert node.span.start == (0, 13)
    assert node.span.end == (0, 26)
    assert m.lines.slice(node.span) == "héllo wörld 🎉"


def test_bom_and_crlf_are_accepted():
    m = parse("\ufeffa: 1\r\nb: x\r\n")
    assert m.documents[0].data == {"a": 1, "b": "x"}
    assert m.documents[0].root.get("b")[1].span.start == (1, 3)


def test_tab_indentation_is_a_syntax_error_on_its_line():
    m = parse("a:\n\tb: 1\n")
    [f] = m.findings
    assert f.code == "YAML001" and f.span.start.line == 1


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_files_say_so(text):
    m = parse(text)
    assert [f.code for f in m.findings] == ["YAML008"]


def test_json_model_matches_yaml_model():
    text = '{\n  "apiVersion": "ossa/v0.2.2",\n  "n": [1, 2.5, true, null, "\\u00e9"]\n}\n'
    m = parse(text, "agent.ossa.json")
    assert m.format == "json" and not m.findings
    assert m.documents[0].data == {"apiVersion": "ossa/v0.2.2", "n": [1, 2.5, True, None, "é"]}
    node = m.documents[0].root.get("apiVersion")[1]
    assert m.lines.slice(node.span) == '"ossa/v0.2.2"'


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [('{"a": 1,}', 0, 7), ('{"a" 1}', 0, 5), ('{\n  "a": [1, 2\n}', 2, 0), ('{"a": tru}', 0, 6), ("[1] x", 0, 4)],
)
def test_json_syntax_errors_are_located(text, line, col):
    m = parse(text, "x.json")
    [f] = m.findings
    assert f.code == "YAML001"
    assert (f.span.start.line, f.span.start.character) == (line, col)


def test_json_duplicate_key():
    m = parse('{"a": 1, "a": 2}', "x.json")
    assert [f.code for f in m.findings] == ["YAML002"]
    assert m.findings[0].span.start.character == 9


def test_huge_text_is_refused_quickly_with_a_finding():
    text = "a: b\n" * 3_000_000
    start = time.perf_counter()
    m = parse(text)
    assert time.perf_counter() - start < 1
    assert [f.code for f in m.findings] == ["YAML006"]
    assert "analysis limit" in m.findings[0].message


def test_binary_text_is_refused():
    m = parse("a: b\x00\x01\x02")
    assert [f.code for f in m.findings] == ["YAML005"]
