"""Every message the tool can emit reads as a sentence a careful person wrote: no regular-expression syntax,
no Python reprs, no parser or jsonschema stock phrases, no doubled parenthetical, counts that agree with
their nouns. Checked over the upstream corpus, a crafted list of broken manifests covering every YAML and
JSON syntax-error class and every schema keyword (on our schemas and on a user schema using all of them),
the CLI summary lines and the code docs. See docs/messages.md for the rules.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.codes import CODES
from ossa_lsp.core.config.load import resolve_policy
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.schema.patterns import describe, explain_pattern
from ossa_lsp.core.schema.registry import REGISTRY, SchemaRegistry
from ossa_lsp.core.text.source import parse
from ossa_lsp.core.text.spans import Pos, Span
from ossa_lsp.core.words import count_verb, plural
from tests.conftest import CORPUS

AGENT = """\
apiVersion: ossa/v0.2.2
kind: Agent
metadata:
  name: support-agent
  version: 1.0.0
  description: Answers support tickets.
  labels:
    owner: team-a
spec:
  role: Answers customer questions.
  llm:
    provider: openai
    model: gpt-4o
    temperature: 0.3
    maxTokens: 1000
  tools:
    - type: http
      name: tickets
      endpoint: https://tickets.example.com/api
      auth:
        type: bearer
        credentials: TICKETS_TOKEN
"""

# --- what must never appear ---------------------------------------------------------------------------------

REGEX = re.compile(r"\^\[|\[a-z|\[A-Z|\[0-9|\[\^|\\[dswDSWb.]|\]\+|\]\*|\]\{|\)\?|\)\*|\)\+|\.\*|\(\?[:=!<]"
                   r"|\|\)|\$'|\$\)|[a-z0-9\]\)]\$\s*$|\{\d+,\d*\}")
STOCK = ("is not valid under any of the given schemas", "is a required property", "Additional properties",
         "additionalProperties", "is not of type", "does not match", "is not one of", "was expected",
         "is too short", "is too long", "non-unique elements", "is valid under each of", "should not be valid",
         "False schema", "is not a multiple of", "less than the minimum", "greater than the maximum", "oneOf",
         "anyOf", "allOf", "enum", "$ref", "#/definitions", "#/$defs", "patternProperties", "minLength",
         "maxLength", "minItems", "maxItems", "uniqueItems", "could not find expected", "cannot start any token",
         "while scanning", "while parsing", "did not find expected", "found unexpected", "mapping values are not",
         "<block", "<document", "found character", "Traceback", "Exception",
         "Error:", "text matching the pattern", "matching the pattern", "NoneType", "'list' object", "'dict' object")
REPR = re.compile(r"\['\w[^']*'(?:, '|\])|\{'\w[^']*': |\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|<[a-z_.]+ object at")
BARE_REPR = re.compile(r"\b(True|False|None)\b")
DOUBLED = re.compile(r"\b(an? [\w -]+?) \(\1\)")
POINTER = re.compile(r"(?<![\w:/.`~])/(?:spec|metadata|apiVersion|kind|tools)(?:/|\b)")
NOUNS = ("item", "file", "finding", "character", "error", "warning", "entry", "document", "key", "value", "line",
         "tool", "agent", "token", "level", "rule", "fix", "version", "time", "day", "node", "digit", "letter")
SINGULAR_WITH_PLURAL = re.compile(r"(?<![\d.,])\b1 (?:" + "|".join(n + ("ies" if n.endswith("y") else "s")
                                                                   for n in NOUNS if n != "entry") + r"|entries)\b")
PLURAL_WITH_SINGULAR = re.compile(r"(?<![\d.,:-])\b(?:0|[2-9]|\d{2,}) (?:" + "|".join(NOUNS) + r")\b(?![-'])")
ONE_WITH_PLURAL_VERB = re.compile(r"(?<![\d.,])\b1 \w+ (?:remain|need|are|were|have)\b")


def _unquoted(text: str) -> str:
    """The message without what it quotes of the user's text ('…', `…`, "…"): that is theirs, not ours."""
    return re.sub(r"'[^']*'|`[^`]*`|\"[^\"]*\"", "''", text)


def problems(message: str) -> list[str]:
    out = []
    own = _unquoted(message)
    if REGEX.search(own):
        out.append(f"regex syntax: {REGEX.search(own).group(0)!r}")  # type: ignore[union-attr]
    out += [f"stock phrase {s!r}" for s in STOCK if s in own or ("'" in s and s in message)]
    if re.fullmatch(r"Unexpected '.'", message):  # the JSON parser's old word for a trailing comma
        out.append("stock phrase: a bare 'Unexpected'")
    if REPR.search(message) or BARE_REPR.search(own):
        out.append("a Python repr")
    if DOUBLED.search(message):
        out.append("a doubled parenthetical")
    if POINTER.search(own):
        out.append("a JSON pointer")
    for pattern in (SINGULAR_WITH_PLURAL, PLURAL_WITH_SINGULAR, ONE_WITH_PLURAL_VERB):
        m = pattern.search(own)
        if m:
            out.append(f"count and noun disagree: {m.group(0)!r}")
    if not message.strip() or message != message.strip():
        out.append("empty or padded")
    return out


def test_the_checker_itself_catches_each_kind_of_mistake():
    bad = {
        "`apiVersion` must be text matching ^ossa/v[0-9]+$": "regex",
        r"`x` must be \d+ digits": "regex",
        "`tools` must be a list, not a mapping (a mapping)": "doubled",
        "1 finding remain": "disagree",
        "1 file need a look": "disagree",
        "must be at least 1 characters": "disagree",
        "2 item": "disagree",
        "got ['a', 'b']": "repr",
        "got None": "repr",
        "got {'x': 1}": "repr",
        "'x' is not valid under any of the given schemas": "stock",
        "Found character that cannot start any token": "stock",
        "Unexpected '}'": "stock",
        "see /spec/tools/0": "pointer",
    }
    for message, kind in bad.items():
        found = problems(message)
        assert found, message
        assert any(kind in p for p in found), (message, found)
    good = ["Checked 1 file: 1 error, 0 warnings.", "`name` must be at most 63 characters long (it has 64 "
            "characters); shorten it", "`apiVersion` 'ossa/v0.2' is not a version the ossa/v0.2.9 schema accepts",
            "`True` is not a JSON value; write true, false or null (lowercase)",
            "Unknown key `tool` in `spec`; did you mean `tools`?"]
    for message in good:
        assert problems(message) == [], (message, problems(message))


# --- inputs ---------------------------------------------------------------------------------------------------

YAML_BROKEN = {
    "tab-indent": AGENT.replace("  name: support-agent", "\tname: support-agent"),
    "tab-in-list": AGENT.replace("    - type: http", "\t- type: http"),
    "missing-colon-mid": AGENT.replace("  role: Answers customer questions.", "  role: Answers.\n  descr"),
    "missing-colon-end": AGENT + "  observ",
    "missing-colon-value": AGENT.replace("kind: Agent", "kind Agent"),
    "second-colon": AGENT.replace("provider: openai", "provider: openai: x"),
    "key-after-value": AGENT.replace("model: gpt-4o", "model: gpt-4o temperature: 1"),
    "unclosed-double": AGENT.replace("model: gpt-4o", 'model: "gpt-4o'),
    "unclosed-single": AGENT.replace("model: gpt-4o", "model: 'gpt-4o"),
    "unclosed-at-eof": AGENT + '  extra: "never closed',
    "bad-escape": AGENT.replace("model: gpt-4o", 'model: "gpt\\q4o"'),
    "bad-indent-deeper": AGENT.replace("    model: gpt-4o", "      model: gpt-4o"),
    "bad-indent-shallower": AGENT.replace("    model: gpt-4o", "   model: gpt-4o"),
    "list-item-in-map": AGENT.replace("  llm:\n", "  llm:\n    - x\n"),
    "dash-after-key": AGENT.replace("  tools:\n", "  tools: - x\n"),
    "list-misaligned": AGENT.replace("      name: tickets", "     name: tickets"),
    "unclosed-flow-list": AGENT + "  tags: [a, b\n",
    "unclosed-flow-map": AGENT + "  extra: {a: 1\n",
    "flow-map-missing-comma": AGENT + "  extra: {a: 1 b: 2}\n",
    "stray-bracket": AGENT + "  extra: ]\n",
    "stray-brace": AGENT + "  extra: }\n",
    "extra-bracket": AGENT + "  extra: [a]]\n",
    "undefined-tag": AGENT + "  extra: !x!y 1\n",
    "anchor-without-name": AGENT + "  extra: &\n",
    "alias-without-name": AGENT + "  extra: *\n",
    "unknown-alias": AGENT + "  extra: *nowhere\n",
    "block-scalar-header": AGENT + "  extra: |x\n    text\n",
    "block-scalar-zero": AGENT + "  extra: |0\n    text\n",
    "bad-directive": "%FOO\n---\n" + AGENT,
    "yaml-version": "%YAML 9.9\n---\n" + AGENT,
    "at-sign": AGENT + "  extra: @x\n",
    "backtick": AGENT + "  extra: `x`\n",
    "document-end-text": AGENT + "--- x\nb\n c: 1\n",
    "control-character": AGENT + "  extra: a\x07b\n",
    "duplicate-key": AGENT + "  role: again\n",
    "deep-nesting": "a: " + "[" * 120 + "]" * 120 + "\n",
    "only-comments": "# nothing\n",
    "empty": "",
    "a-list": "- a\n- b\n",
    "a-scalar": "hello\n",
    "custom-tag": AGENT + "  extra: !custom 1\n",
    "nul": AGENT + "\x00",
}

JSON_AGENT = json.dumps({"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "support-agent"},
                         "spec": {"role": "Answers.", "llm": {"provider": "openai", "model": "gpt-4o"}}}, indent=2)
JSON_BROKEN = {
    "trailing-comma-object": JSON_AGENT.replace('"gpt-4o"', '"gpt-4o",'),
    "trailing-comma-list": '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "spec": {"tools": [1, 2,]}}',
    "missing-colon": JSON_AGENT.replace('"kind": "Agent"', '"kind" "Agent"'),
    "missing-comma": JSON_AGENT.replace('"kind": "Agent",', '"kind": "Agent"'),
    "single-quotes": JSON_AGENT.replace('"kind"', "'kind'"),
    "bare-key": JSON_AGENT.replace('"kind"', "kind"),
    "python-true": JSON_AGENT.replace('"gpt-4o"', "True"),
    "python-none": JSON_AGENT.replace('"gpt-4o"', "None"),
    "comment": "// an agent\n" + JSON_AGENT,
    "unclosed-string": JSON_AGENT.replace('"gpt-4o"', '"gpt-4o'),
    "bad-escape": JSON_AGENT.replace('"gpt-4o"', '"gpt\\q"'),
    "ends-early": JSON_AGENT[:-10],
    "mismatched": JSON_AGENT.replace('"gpt-4o"\n    }', '"gpt-4o"\n    ]'),
    "extra-after": JSON_AGENT + " x",
    "missing-value": JSON_AGENT.replace('"gpt-4o"', ""),
    "leading-comma": '[,1]',
    "stray-colon": '{:1}',
    "odd-character": JSON_AGENT.replace('"gpt-4o"', "@"),
    "duplicate-key": JSON_AGENT.replace('"kind": "Agent"', '"kind": "Agent", "kind": "Agent"'),
    "empty": "",
    "a-number": "42",
}

SCHEMA_BROKEN = {  # every keyword of our schemas, wrong
    "type-list-for-mapping": AGENT.replace("  labels:\n    owner: team-a\n", "  labels: [a, b]\n"),
    "type-mapping-for-list": AGENT.replace("  tools:\n    - type: http", "  tools:\n    type: http").replace(
        "      ", "    "),
    "type-text-for-number": AGENT.replace("temperature: 0.3", 'temperature: "0.3"'),
    "type-number-for-text": AGENT.replace("name: support-agent", "name: 42"),
    "type-bool-for-text": AGENT.replace("version: 1.0.0", "version: true"),
    "type-null": AGENT.replace("  role: Answers customer questions.", "  role:"),
    "type-float-for-int": AGENT.replace("maxTokens: 1000", "maxTokens: 1000.5"),
    "type-text-for-list": AGENT.replace("  tools:\n", "  capabilities: search\n  tools:\n"),
    "enum": AGENT.replace("provider: openai", "provider: opnai"),
    "enum-mapping": AGENT.replace("provider: openai", "provider: {a: 1}"),
    "enum-list": AGENT.replace("provider: openai", "provider: [a, b]"),
    "const-kind": AGENT.replace("kind: Agent", "kind: Agnet"),
    "pattern-name": AGENT.replace("name: support-agent", "name: Support_Agent"),
    "pattern-version": AGENT.replace("version: 1.0.0", "version: v1"),
    "pattern-apiversion": AGENT.replace("ossa/v0.2.2", "ossa/v0.2"),
    "pattern-apiversion-x": AGENT.replace("ossa/v0.2.2", "ossa/v0.2.x"),
    "apiversion-unknown": AGENT.replace("ossa/v0.2.2", "ossa/v9.9.9"),
    "apiversion-bad": AGENT.replace("ossa/v0.2.2", "v0.2.2"),
    "apiversion-number": AGENT.replace("ossa/v0.2.2", "0.22"),
    "apiversion-missing": AGENT.replace("apiVersion: ossa/v0.2.2\n", ""),
    "min-length": AGENT.replace("  role: Answers customer questions.", "  role: ''"),
    "max-length": AGENT.replace("name: support-agent", "name: " + "a" * 260),
    "minimum": AGENT.replace("temperature: 0.3", "temperature: -1"),
    "maximum": AGENT.replace("temperature: 0.3", "temperature: 5"),
    "required-spec": AGENT[: AGENT.index("spec:")],
    "required-role": AGENT.replace("  role: Answers customer questions.\n", ""),
    "required-name": AGENT.replace("  name: support-agent\n", ""),
    "required-type": AGENT.replace("    - type: http\n      name: tickets", "    - name: tickets"),
    "additional-top": AGENT + "extra: 1\n",
    "additional-misspelt": AGENT.replace("  tools:", "  tool:"),
    "additional-pasted": AGENT + "observability:\n  tracing:\n    enabled: true\n",
    "one-of": AGENT.replace("        type: bearer", "        type: [1]"),
    "format-uri": AGENT.replace("https://tickets.example.com/api", "not a url"),
    "format-scheme": AGENT.replace("https://", "htps://"),
    "empty-list": AGENT.replace("  tools:\n    - type: http\n      name: tickets\n      endpoint: "
                                "https://tickets.example.com/api\n      auth:\n        type: bearer\n        "
                                "credentials: TICKETS_TOKEN\n", "  tools: []\n"),
    "secret": AGENT.replace("credentials: TICKETS_TOKEN", "credentials: sk-proj-3xAmPlE0nLyN0tAr3alK3y1234567890abcd"),
    "kind-lowercase": AGENT.replace("kind: Agent", "kind: agent"),
    "model-misspelt": AGENT.replace("model: gpt-4o", "model: gpt-4o-mnii"),
    "cpu": AGENT + "  constraints:\n    resources:\n      cpu: 500mi\n      memory: 512m\n",
    "duplicate-tools": AGENT + "    - type: http\n      name: tickets\n      endpoint: https://x.example.com\n"
                               "      auth:\n        type: none\n",
    "suppression": "# ossa-lsp: ignore[NOPE001]\n" + AGENT,
    "newer-version": AGENT.replace("ossa/v0.2.2", "ossa/v0.9.0"),
}

# A user schema (--schema) that uses every JSON Schema keyword once.
USER_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["apiVersion", "needed"],
    "additionalProperties": False,
    "dependencies": {"card": ["billing"]},
    "properties": {
        "apiVersion": {"type": "string"}, "needed": {"type": "string"}, "card": {"type": "string"},
        "billing": {"type": "string"},
        "even": {"type": "integer", "multipleOf": 2},
        "fixed": {"const": "exact"},
        "notnull": {"not": {"type": "null"}},
        "code": {"type": "string", "pattern": r"^[A-Z]{2}-\d{3,5}(\.[a-z]+)?$"},
        "lookahead": {"type": "string", "pattern": r"^(?=.*\d)\w+$"},
        "short": {"type": "string", "minLength": 3, "maxLength": 4},
        "one": {"type": "string", "minLength": 2},
        "list": {"type": "array", "minItems": 2, "maxItems": 3, "uniqueItems": True, "contains": {"const": "x"}},
        "pair": {"type": "array", "items": [{"type": "string"}], "additionalItems": False},
        "map": {"type": "object", "minProperties": 2, "maxProperties": 3, "propertyNames": {"pattern": "^[a-z]+$"}},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "mail": {"type": "string", "format": "email"},
        "when": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "choice": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "either": {"anyOf": [{"$ref": "#/definitions/thing"}, {"type": "boolean"}]},
        "never": False,
        "cond": {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}},
    },
    "definitions": {"thing": {"type": "object", "required": ["name"]}},
}
USER_BROKEN = """\
apiVersion: custom/v1
card: x
even: 3
fixed: other
notnull:
code: ab-12
lookahead: abc
short: abcdefg
one: a
list: [a, a, b, c, d]
pair: [a, b]
map: {A: 1}
ratio: 1
mail: not-an-email
when: yesterday
id: 1234
choice: [1]
either: [1]
never: 1
cond: {a: 1}
unknown: 1
"""


def _policy():
    policy, _ = resolve_policy(None, profile="strict", no_config=True)
    return policy


def _messages(result: Analysis) -> Iterator[tuple[Finding, str]]:
    for f in result.findings:
        yield f, f.message
        for r in f.related:
            yield f, r.message
        for fix in f.fixes:
            yield f, fix.title


def _check(results: Iterable[tuple[str, Analysis]]) -> list[str]:
    bad = []
    for name, result in results:
        for f, message in _messages(result):
            found = problems(message)
            if found:
                bad.append(f"{name} {f.code}: {message!r} → {found}")
    return bad


def test_messages_for_broken_yaml_read_as_sentences():
    policy = _policy()
    assert _check((name, analyze(text, f"{name}.ossa.yaml", policy=policy)) for name, text in YAML_BROKEN.items()) \
        == []


def test_messages_for_broken_json_read_as_sentences():
    policy = _policy()
    assert _check((name, analyze(text, f"{name}.ossa.json", policy=policy)) for name, text in JSON_BROKEN.items()) \
        == []


def test_messages_for_schema_mistakes_read_as_sentences():
    policy = _policy()
    results = [(name, analyze(text, f"{name}.ossa.yaml", policy=policy)) for name, text in SCHEMA_BROKEN.items()]
    assert _check(results) == []
    codes = {f.code for _n, r in results for f in r.findings}
    assert {"SCHEMA001", "SCHEMA002", "SCHEMA003", "SCHEMA004", "SCHEMA005", "SCHEMA006", "SCHEMA007",
            "SCHEMA009", "SCHEMA011"} <= codes  # the inputs reach every schema keyword of our schemas


def test_messages_for_every_keyword_of_a_user_schema_read_as_sentences(tmp_path):
    path = tmp_path / "user.schema.json"
    path.write_text(json.dumps(USER_SCHEMA), "utf-8")
    schema = SchemaRegistry().load_file(path)
    result = analyze(USER_BROKEN, "user.yaml", schema=schema)
    assert _check([("user-schema", result)]) == []
    pointers = {f.pointer for f in result.findings}
    for key in ("even", "fixed", "notnull", "code", "lookahead", "short", "one", "list", "pair", "map", "ratio",
                "mail", "when", "choice", "either", "never", "unknown"):
        assert any(p == f"/{key}" or p.startswith(f"/{key}/") for p in pointers), key
    for ins in (analyze(USER_BROKEN.replace("card: x\n", ""), "u.yaml", schema=schema),):
        assert _check([("user-schema-2", ins)]) == []


def test_messages_over_the_corpus_read_as_sentences(corpus_index):
    policy = _policy()
    results = []
    for entry in corpus_index["entries"]:
        file = CORPUS / entry["file"]
        text = file.read_bytes().decode("utf-8", "replace")
        results.append((entry["file"], analyze(text, entry["file"], policy=policy)))
    assert results
    assert _check(results) == []


# --- the known offenders, by name ------------------------------------------------------------------------------


def _only(text: str, path: str = "a.ossa.yaml", **kw: Any) -> list[Finding]:
    return analyze(text, path, policy=_policy(), **kw).findings


def test_a_loose_api_version_names_the_full_version_to_write():
    [f] = [f for f in _only(SCHEMA_BROKEN["pattern-apiversion"]) if f.code == "SCHEMA005"]
    assert "ossa/v0.2.9" in f.message and "write the full version" in f.message


def test_a_tab_in_the_indentation_says_tab_on_the_tab_and_nothing_follows_from_it():
    text = YAML_BROKEN["tab-indent"]
    found = _only(text)
    [syntax] = [f for f in found if f.source == "yaml"]
    assert "tab" in syntax.message and "spaces" in syntax.message
    assert syntax.span.start == Pos(3, 0) and syntax.span.end == Pos(3, 1)
    assert not [f for f in found if "metadata" in f.pointer and f.source == "schema"]  # no "metadata is empty"


def test_a_json_trailing_comma_is_named_at_the_comma():
    text = '{"apiVersion": "ossa/v0.2.2", "kind": "Agent", "metadata": {"name": "x",}, "spec": {"role": "r"}}'
    [f] = [f for f in _only(text, "a.ossa.json") if f.code == "YAML001"]
    assert f.message.startswith("Trailing comma after the last item; remove it")
    assert text[f.span.start.character] == ","


def test_a_list_where_a_mapping_goes_is_said_once():
    [f] = [f for f in _only(SCHEMA_BROKEN["type-list-for-mapping"]) if f.code == "SCHEMA003"]
    assert f.message.startswith("`labels` must be a mapping (key: value pairs), not a list")
    assert "(a list)" not in f.message


@pytest.mark.parametrize(("words", "one", "two"), [
    (("file",), "1 file", "2 files"), (("entry",), "1 entry", "2 entries"),
    (("character",), "1 character", "2 characters"), (("match",), "1 match", "2 matches"),
])
def test_plural_agrees_with_the_count(words, one, two):
    assert plural(1, *words) == one and plural(2, *words) == two and plural(0, *words) == "0" + two[1:]


def test_counted_verbs_agree():
    assert count_verb(1, "finding", "remains") == "1 finding remains"
    assert count_verb(3, "finding", "remains") == "3 findings remain"
    assert count_verb(1, "file", "needs") + " a look" == "1 file needs a look"
    assert count_verb(2, "file", "needs") == "2 files need"


def test_lengths_and_sizes_count_properly(tmp_path):
    schema = {"type": "object", "properties": {"a": {"type": "string", "minLength": 2, "maxLength": 1},
                                               "b": {"type": "array", "minItems": 1}, "c": {"type": "array",
                                                                                          "maxItems": 1}}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema), "utf-8")
    compiled = SchemaRegistry().load_file(path)
    found = {f.pointer: f.message for f in analyze("a: xy\nb: []\nc: [1, 2]\n", "x.yaml", schema=compiled).findings}
    assert "at most 1 character long (it has 2 characters)" in found["/a"]
    assert "at least 1 item (it has 0)" in found["/b"]
    assert "at most 1 item (it has 2)" in found["/c"]


# --- patterns in words -----------------------------------------------------------------------------------------


def _schema_patterns(registry: SchemaRegistry) -> set[str]:
    out: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                out.add(node["pattern"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in registry.directory.rglob("*.json"):
        walk(json.loads(path.read_text("utf-8")))
    return out


def test_every_pattern_of_our_schemas_is_said_in_words():
    patterns = _schema_patterns(REGISTRY)
    assert len(patterns) > 20
    for pattern in patterns:
        words = explain_pattern({"pattern": pattern})
        assert problems(words) == [], (pattern, words)
        assert pattern not in words


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"^\d+[smh]$", "text made of one or more digits, then 's', 'm' or 'h' (for example 1s)"),
    (r"^sha256:[a-f0-9]{64}$", "64 lowercase hex digits"),
    (r"^[A-Z][A-Z0-9_]*$", "an upper-case letter, then any number of upper-case letters, digits and '_'"),
    (r"^(?=x)y$", "text in the form this field requires"),
    (r"^[^/]+$", "one or more characters other than '/'"),
])
def test_pattern_words(pattern, expected):
    assert expected in describe(pattern)


# --- the CLI's summary lines and the code docs -------------------------------------------------------------------


def _report(path: str, *severities: Severity) -> Any:
    from ossa_lsp.headless.report import FileReport

    span = Span(Pos(0, 0), Pos(0, 1))
    from ossa_lsp.core.analyze import DocumentInfo

    docs = [DocumentInfo(index=0, api_version="ossa/v0.2.2", kind="Agent", schema="ossa/v0.2.2", valid=True)]
    return FileReport(path=path, documents=docs, findings=[Finding(code="SCHEMA001", severity=s, source="schema", message="m",
                                                   span=span) for s in severities])


@pytest.mark.parametrize("counts", [(1, 0), (0, 1), (1, 1), (2, 3)])
def test_summary_lines_count_properly(counts):
    from ossa_lsp.output.reporters import github, text

    errors, warnings = counts
    one = [_report("a.yaml", *([Severity.ERROR] * errors + [Severity.WARNING] * warnings))]
    two = [*one, _report("b.yaml")]
    for reports in (one, two):
        for render in (text.render, github.render):
            last = render(reports, {}).strip().splitlines()[-1]
            assert problems(last) == [], last
    line = text.render(one, {}).strip().splitlines()[-1]
    assert line.startswith("Checked 1 file:") and plural(errors, "error") in line


def test_the_migrate_summary_agrees_with_its_counts():
    from ossa_lsp.cli.migrate import Migration

    args = argparse.Namespace(diff=False, dry_run=False, quiet=True)
    for findings, files in ((1, 1), (2, 1), (3, 2)):
        m = Migration(args=args, target="v0.5.0")
        m.counts.update(migrated=1, findings=findings, with_findings=files)
        said = m.summary()
        assert problems(said) == [], said
    m = Migration(args=args, target="v0.5.0")
    m.counts.update(migrated=4, findings=1, with_findings=1)
    assert m.summary() == "Migrated 4 documents to ossa/v0.5.0; 1 finding remains; 1 file needs a look."


def test_code_docs_read_as_sentences():
    for info in CODES.values():
        for text in (info.summary, info.doc):
            if text:
                assert problems(text) == [], (info.code, text)


def test_generated_code_pages_have_no_stock_phrases():
    docs = Path(__file__).resolve().parents[2] / "docs"
    pages = [docs / "syntax-codes.md", docs / "schema-codes.md", *sorted((docs / "rules").glob("*.md"))]
    for page in pages:
        prose = "\n".join(line for line in page.read_text("utf-8").splitlines()
                          if not line.startswith(("    ", "```", "|", "<!--")))
        for phrase in ("is not valid under any of the given schemas", "is a required property", "oneOf", "anyOf",
                       "does not match", "found character that cannot start any token"):
            assert phrase not in prose, (page.name, phrase)


def test_a_syntax_error_never_leaks_the_parsers_words():
    for name, text in YAML_BROKEN.items():
        for f in parse(text).findings:
            assert problems(f.message) == [], (name, f.message)


BAD_CONFIG = """\
extends: strictt
fail-on: 3
select: [COST9, true]
ignore: [nothing-like-this]
rules:
  COST001: maybe
  cost-limits-missing: {severity: true, bogus: 1}
  NOPE001: error
overrides:
  - files: 5
    rules: []
unknownkey: 1
"""


def test_configuration_messages_read_as_sentences(tmp_path):
    (tmp_path / ".ossa-lsp.yaml").write_text(BAD_CONFIG, "utf-8")
    _policy, found = resolve_policy(tmp_path / "agent.ossa.yaml")
    messages = [p.finding.message for p in found]
    assert len(messages) >= 8
    bad = [(m, problems(m)) for m in messages if problems(m)]
    assert bad == []
    assert "`extends` must be one of: baseline, enterprise, strict; got 'strictt'" in messages
    assert "`select[1]` must be text; got true" in messages


@pytest.mark.parametrize(("written", "fix"), [
    ("v0.2.2", "write it as `ossa/v0.2.2`"), ("0.2.2", "write it as `ossa/v0.2.2`"),
    ("ossa/0.2.2", "write it as `ossa/v0.2.2`"), ("apps/v1", f"such as `ossa/{REGISTRY.newest()}`"),
])
def test_an_api_version_in_the_wrong_form_names_the_one_to_write(written, fix):
    [f] = [f for f in _only(AGENT.replace("ossa/v0.2.2", written)) if f.code == "SCHEMA011"]
    assert fix in f.message and problems(f.message) == []


def test_editor_setting_messages_read_as_sentences():
    from ossa_lsp.lsp.settings import parse_settings

    _settings, said = parse_settings({"debounceMs": "abc", "profile": "strictt", "enable": "maybe", "logLevel": 3})
    assert "Setting `ossa.profile` must be one of: baseline, enterprise, strict; got 'strictt'; using the default" \
        in said
    _settings, whole = parse_settings([1])
    for message in [*said, *whole]:
        assert problems(message) == [], message
