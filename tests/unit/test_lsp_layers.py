"""How the language server's modules depend on each other (read from their imports, so a new module
cannot quietly bring back the cycle features ↔ server), and pygls' log lines that are not problems."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from ossa_lsp.lsp.app import CANCEL_UNKNOWN, DemoteCancelNoise
from tests.conftest import ROOT

LSP = ROOT / "server" / "ossa_lsp" / "lsp"


def _imports(path: Path) -> set[str]:
    """Every ossa_lsp module a file imports (at the top, inside functions or for type checking)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ossa_lsp"):
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("ossa_lsp"))
    return out


def _module(path: Path) -> str:
    return "ossa_lsp.lsp." + ".".join(path.relative_to(LSP).with_suffix("").parts)


FEATURES = sorted((LSP / "features").glob("[!_]*.py"))


@pytest.mark.parametrize("path", FEATURES, ids=lambda p: p.stem)
def test_a_feature_imports_no_other_feature(path):
    others = {i for i in _imports(path) if i.startswith("ossa_lsp.lsp.features.")}
    assert others == set()


@pytest.mark.parametrize("path", [p for p in sorted(LSP.rglob("*.py")) if "features" not in p.parts
                                  and p.name != "app.py"], ids=_module)
def test_only_app_imports_the_features(path):
    assert {i for i in _imports(path) if i.startswith("ossa_lsp.lsp.features")} == set()


@pytest.mark.parametrize("name", ["server.py", "settings.py", "convert.py"])
def test_the_state_and_conversions_import_nothing_above_them(name):
    above = {i for i in _imports(LSP / name) if i.startswith("ossa_lsp.lsp.")
             and not i.startswith(("ossa_lsp.lsp.settings", "ossa_lsp.lsp.server"))}
    assert above == set()


def _logger(level: int) -> tuple[logging.Logger, list[logging.LogRecord]]:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logger = logging.getLogger(f"tests.cancel-noise.{level}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(level)
    if not logger.filters:
        logger.addFilter(DemoteCancelNoise())
    return logger, seen


def test_cancel_of_an_answered_request_is_debug_and_hidden_above_debug():
    logger, seen = _logger(logging.WARNING)
    logger.warning(CANCEL_UNKNOWN + ' "%s"', 7)
    logger.warning("Ignoring notification for unknown method %r", "x/y")
    logger.error("Unable to deserialize message")
    assert [(r.levelname, r.getMessage()) for r in seen] == [
        ("WARNING", "Ignoring notification for unknown method 'x/y'"), ("ERROR", "Unable to deserialize message")]


def test_cancel_of_an_answered_request_shows_at_debug():
    logger, seen = _logger(logging.DEBUG)
    logger.warning(CANCEL_UNKNOWN + ' "%s"', 7)
    [record] = seen
    assert (record.levelno, record.levelname) == (logging.DEBUG, "DEBUG")
