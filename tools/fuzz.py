"""Run the check fuzzing property (tests/cli/test_fuzz.py) for longer than CI does.

    python tools/fuzz.py --examples 500 [--seed 1]

Mutates example and corpus manifests and config files (random bytes, control characters, deep nesting,
very long values, odd file names) and checks every output format of `ossa-lsp check`. A failure prints
the smallest repository hypothesis found that breaks the property."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "server")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="how many repositories to try (default 200)")
    parser.add_argument("--seed", type=int, default=None, help="a seed, for a run that differs from CI's")
    args = parser.parse_args()
    from tests.cli.test_fuzz import run_fuzz

    run_fuzz(args.examples, args.seed)
    print(f"ok: {args.examples} mutated repositories, every format valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
