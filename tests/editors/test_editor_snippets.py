"""Every set-up snippet in docs/editors.md parses in its own language, starts `ossa-lsp`, attaches it to
YAML and JSON, and uses only settings the server knows. Neovim and Emacs snippets also run verbatim in
real editors (run.sh); Helix, Zed, Sublime Text and JetBrains are not installable here, so for them this
is the check: TOML with tomllib, JSON with json, Lua with LuaJIT's own compiler (lupa), Emacs Lisp with
a reader, Rust with a bracket balance."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
from pydantic.alias_generators import to_camel

from ossa_lsp.lsp.settings import Settings
from tests.conftest import ROOT
from tests.editors.extract_snippet import snippet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


DOC = (ROOT / "docs" / "editors.md").read_text("utf-8")
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.M | re.S)
SETTING_NAMES = {to_camel(name) for name in Settings.model_fields}


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC) if lang == language]


def lua_compile(code: str) -> str | None:
    """None when LuaJIT (Neovim's Lua) compiles `code`, else its syntax error. Compiling runs nothing."""
    try:
        from lupa import luajit21 as lupa_lua
    except ImportError:  # pragma: no cover - builds of lupa without LuaJIT
        from lupa import lua51 as lupa_lua
    load = lupa_lua.LuaRuntime(unpack_returned_tuples=True).globals().load
    compiled = load(code)
    return compiled[1] if isinstance(compiled, tuple) else None


ELISP_TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>;[^\n]*) | (?P<open>[(\[]) | (?P<close>[)\]])
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<char>\?(?:\\(?:[CMS]-)*\\?.|[^\\\s]))
  | (?P<quote>\#'|,@|[',`])
  | (?P<atom>(?:[^\s()\[\]";'`,\\]|\\.)+)
""", re.X | re.S)


def elisp_read(text: str) -> list[Any]:
    """The top-level forms of Emacs Lisp text as nested lists; ValueError when it does not read."""
    stack: list[list[Any]] = [[]]
    closers: list[str] = []
    pending_quotes: list[int] = []  # stack depths at which a quote waits for its form
    pos = 0
    while pos < len(text):
        m = ELISP_TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"cannot read at {pos}: {text[pos:pos + 20]!r}")
        pos = m.end()
        kind, token = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quote":
            pending_quotes.append(len(stack))
            continue
        if kind == "open":
            stack.append([])
            closers.append(")" if token == "(" else "]")
            continue
        if kind == "close":
            if not closers or closers.pop() != token:
                raise ValueError(f"unbalanced {token!r} at {pos}")
            form: Any = stack.pop()
        else:
            form = token
        while pending_quotes and pending_quotes[-1] == len(stack):
            pending_quotes.pop()
            form = ["quote", form]
        stack[-1].append(form)
    if closers or pending_quotes:
        raise ValueError("unterminated form at the end")
    return stack[0]


def brackets_balance(code: str) -> bool:
    """Rust sanity check: (), [] and {} nest, outside strings, chars and comments."""
    code = re.sub(r'//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)\'', "", code, flags=re.S)
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for ch in code:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return not stack


def settings_objects(value: Any) -> list[dict[str, Any]]:
    """Every object found under an `ossa` key (or Zed's `lsp.ossa-lsp.settings`)."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "ossa" and isinstance(inner, dict):
                found.append(inner)
            found.extend(settings_objects(inner))
    elif isinstance(value, list):
        for inner in value:
            found.extend(settings_objects(inner))
    return found


def test_the_sections_are_there():
    headings = re.findall(r"^## (.+)$", DOC, re.M)
    for editor in ("VS Code", "Neovim", "Emacs", "Helix", "Zed", "Sublime Text", "JetBrains IDEs (LSP4IJ)"):
        assert any(h.startswith(editor) for h in headings), editor


@pytest.mark.parametrize("language", ["toml", "json", "lua", "elisp", "rust"])
def test_every_block_parses(language: str):
    found = blocks(language)
    assert found, f"no {language} block"
    for body in found:
        if language == "toml":
            tomllib.loads(body)
        elif language == "json":
            json.loads(body)
        elif language == "lua":
            assert lua_compile(body) is None, lua_compile(body)
        elif language == "elisp":
            assert elisp_read(body)
        else:
            assert brackets_balance(body)


def test_the_parse_checks_catch_broken_snippets():
    assert lua_compile("vim.lsp.start({ cmd = { 'ossa-lsp' }, }") is not None
    assert "near" in (lua_compile("local x = = 1") or "")
    with pytest.raises(ValueError):
        elisp_read("(add-to-list 'eglot-server-programs '((ossa-yaml-mode) . (\"ossa-lsp\"))")
    with pytest.raises(ValueError):
        elisp_read("(setq x ']")
    assert elisp_read("(list ?\\( ?a \"a ) string\" #'car `(,x ,@y) [1 2])") == [
        ["list", "?\\(", "?a", '"a ) string"', ["quote", "car"], ["quote", [["quote", "x"], ["quote", "y"]]], ["1", "2"]]]
    assert not brackets_balance("fn main() { let x = vec![1, 2; }")
    assert brackets_balance('fn main() { let s = "}"; }')


def test_every_settings_object_uses_known_names():
    parsed: list[Any] = [tomllib.loads(b) for b in blocks("toml")] + [json.loads(b) for b in blocks("json")]
    objects = settings_objects(parsed)
    zed = json.loads(snippet(DOC, "zed-settings"))
    objects.append(zed["lsp"]["ossa-lsp"]["settings"])
    assert len(objects) == 4  # Helix, Zed, Sublime Text, JetBrains
    for obj in objects:
        assert set(obj) <= SETTING_NAMES, f"unknown setting in {obj}; known: {sorted(SETTING_NAMES)}"
        Settings.model_validate(obj)  # and valid values
    for body in blocks("lua"):
        for table in re.findall(r"\bossa\s*=\s*\{([^{}]*)\}", body):
            assert {k for k in re.findall(r"(\w+)\s*=", table)} <= SETTING_NAMES, table


def test_helix_runs_ossa_lsp_beside_the_yaml_and_json_servers():
    helix = tomllib.loads(snippet(DOC, "helix"))
    assert helix["language-server"]["ossa-lsp"]["command"] == "ossa-lsp"
    languages = {lang["name"]: lang["language-servers"] for lang in helix["language"]}
    assert set(languages) == {"yaml", "json"}
    assert all("ossa-lsp" in servers and len(servers) == 2 for servers in languages.values())


def test_zed_extension_declares_the_server_for_yaml_and_json():
    extension = tomllib.loads(snippet(DOC, "zed-extension"))
    assert extension["schema_version"] == 1
    assert extension["language_servers"]["ossa-lsp"]["languages"] == ["YAML", "JSON"]
    cargo = tomllib.loads(snippet(DOC, "zed-cargo"))
    assert cargo["lib"]["crate-type"] == ["cdylib"] and "zed_extension_api" in cargo["dependencies"]
    rust = snippet(DOC, "zed-rust")
    assert 'worktree.which("ossa-lsp")' in rust and "zed::register_extension!(Ossa);" in rust
    assert 'LspSettings::for_worktree("ossa-lsp"' in rust  # the id that settings.json's `lsp` uses
    settings = json.loads(snippet(DOC, "zed-settings"))
    for language in ("YAML", "JSON"):
        assert settings["languages"][language]["language_servers"] == ["ossa-lsp", "..."]


def test_sublime_client_starts_ossa_lsp_for_yaml_and_json():
    client = json.loads(snippet(DOC, "sublime"))["clients"]["ossa-lsp"]
    assert client["command"] == ["ossa-lsp"] and client["enabled"] is True
    assert {s.strip() for s in client["selector"].split("|")} == {"source.yaml", "source.json"}


def test_jetbrains_template_maps_yaml_and_json():
    template = json.loads(snippet(DOC, "jetbrains-template"))
    assert template["programArgs"]["default"] == "ossa-lsp"
    mappings = {m["fileType"]["name"]: m["languageId"] for m in template["fileTypeMappings"]}
    assert mappings == {"YAML": "yaml", "JSON": "json"}
    assert set(json.loads(snippet(DOC, "jetbrains-settings"))) == {"ossa"}


def test_neovim_and_emacs_snippets_start_ossa_lsp():
    assert "cmd = { 'ossa-lsp' }" in snippet(DOC, "neovim")
    assert "cmd = { 'ossa-lsp' }" in snippet(DOC, "neovim-0.11")
    forms = elisp_read(snippet(DOC, "emacs"))
    flat = json.dumps(forms)
    assert '"\\"ossa-lsp\\""' in flat and "eglot-server-programs" in flat
