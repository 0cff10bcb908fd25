"""`ossa-lsp check` stays lazy: a typical run (a folder with a config, text or JSON output, --fix) never
imports the language-server stack or pydantic. Each import here costs every CI job start-up time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES

HEAVY = ("pygls", "lsprotocol", "pydantic", "cattrs")
PROBE = """
import sys
from ossa_lsp.cli import main
status = main(sys.argv[1:])
print("\\n" + __import__("json").dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["check", str(EXAMPLES)], ["check", "-f", "json", str(EXAMPLES)],
                                  ["check", "--diff", str(EXAMPLES)], ["graph", str(EXAMPLES)],
                                  ["migrate", "--to", "newest", "--dry-run", str(EXAMPLES)]])
def test_headless_commands_never_import_the_language_server_or_pydantic(args, tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    assert [m for m in HEAVY if m in loaded] == []
    assert "ossa_lsp" in loaded and proc.stdout  # the command really ran
