"""Round trip of every fix over the upstream corpus and our examples: apply all fixes (safe, then
unsafe); the result parses, keeps every comment line, differs only where the fixes said, and a
second run changes nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.config.load import resolve_policy
from ossa_lsp.core.fixes import fix_text
from ossa_lsp.core.text.source import parse
from tests.conftest import CORPUS, EXAMPLES


def _files() -> list[Path]:
    out = sorted(EXAMPLES.rglob("*.ossa.*"))
    if CORPUS.is_dir():
        out += sorted((CORPUS / "manifests").rglob("*.*")) + sorted((CORPUS / "mutants").rglob("*.*"))
    return [p for p in out if p.suffix in (".yaml", ".yml", ".json")]


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            sub = f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}"
            if k not in a or k not in b:
                out.append(sub)
            else:
                out += _diff(a[k], b[k], sub)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}/{i}")]
    return [] if a == b and type(a) is type(b) else [path]


def _explained(changed: str, named: list[tuple[str, str]]) -> bool:
    for code, pointer in named:
        if changed == pointer or changed.startswith(pointer + "/") or pointer == "":
            return True
        if code == "SCHEMA001" and changed.rsplit("/", 1)[0] == pointer.rsplit("/", 1)[0]:
            return True  # a renamed key: the new name sits next to the old one
    return False


COMMENT = re.compile(r"^\s*#.*$", re.M)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_fix_round_trip(path: Path):
    text = path.read_bytes().decode("utf-8-sig", "replace")
    policy, _ = resolve_policy(str(path), profile="strict", no_config=True, today=date(2026, 11, 23))

    def analyse(t: str):
        return analyze(t, str(path), policy=policy).findings

    safe = fix_text(text, analyse, unsafe=False)
    full = fix_text(safe.text, analyse, unsafe=True)
    if safe.refused:
        assert full.text == text  # syntax errors: never touched
        return
    result = full.text
    before, after = parse(text, str(path)), parse(result, str(path))
    assert not [f for f in after.findings if f.code == "YAML001"], "the fixed file must parse"
    removed_suppressions = any(code == "SUP001" for code, _, _ in safe.applied + full.applied)
    for line in COMMENT.findall(text):
        if removed_suppressions and "ossa-lsp:" in line:
            continue
        assert line.strip() in result, f"comment lost: {line!r}"
    named = [(code, ptr) for code, ptr, _ in safe.applied + full.applied]
    for doc_before, doc_after in zip(before.documents, after.documents, strict=False):
        for changed in _diff(doc_before.data, doc_after.data):
            assert _explained(changed, named), (changed, named)
    again = fix_text(result, analyse, unsafe=True)
    assert again.applied == [] and again.text == result
