"""Start-up and memory with every bundled OSSA version: does shipping ~25 schema files cost start-up?

Scenario "one": spawn the server, `initialize`, open one v0.2.2 manifest, wait for its diagnostics.
Scenario "all": the same, then open one manifest for every schema file of the catalog (each version's
main schema and its kind files: Skill, MCPServer, Validator, v1), so every schema is loaded and
compiled. Reported: spawn → initialize result, RSS after initialize, time to the first diagnostics of
each open (the first open of a version pays for loading its schema), RSS at the end. Plus, in this
process, what loading the catalog costs against loading and compiling every schema.

    python benchmarks/bench_versions.py [--server 'ossa-lsp'] [--reps 3] [--lspbench DIR]

Uses the LSP client of lspbench (../shared/tools/lspbench) so numbers compare with its table.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LSPBENCH = ROOT.parent / "shared" / "tools" / "lspbench"

SPECS = {
    "Agent": "spec:\n  role: Sort tickets.\n",
    "Skill": "spec:\n  description: Extracts tables.\n  instructions: Run it.\n",
    "MCPServer": "spec:\n  transport: stdio\n  command: npx\n",
    "Validator": "spec:\n  validates: [Agent]\n",
}


def manifests() -> list[tuple[str, str]]:
    """(name, text): one manifest per schema file of the catalog."""
    sys.path.insert(0, str(ROOT / "server"))
    from ossa_lsp.core.schema.registry import REGISTRY

    out = []
    for e in REGISTRY.catalog:
        kinds = (["Agent"] if e.file else []) + list(e.kind_files)
        for kind in kinds:
            text = f"apiVersion: ossa/{e.version}\nkind: {kind}\nmetadata:\n  name: bench\n  version: 1.0.0\n" \
                   f"{SPECS[kind]}"
            out.append((f"{e.version}-{kind.lower()}.ossa.yaml", text))
    return out


async def scenario(lspbench: Any, argv: list[str], docs: list[tuple[str, str]], tmp: Path) -> dict[str, Any]:
    work = tmp / "workspace"
    work.mkdir(exist_ok=True)
    client = lspbench.LspClient(argv, work, {"ossa": {"debounceMs": 0}}, work.as_uri(), tmp / "stderr.log")
    await client.start()
    try:
        t_init, _ = await client.request("initialize", {
            "processId": None, "rootUri": work.as_uri(), "capabilities": lspbench.CLIENT_CAPABILITIES,
            "workspaceFolders": [{"uri": work.as_uri(), "name": "bench"}]}, timeout=60)
        spawn_to_init = (client.last_response_t - client.t_spawn) * 1000
        await client.notify("initialized", {})
        await client.quiesce()
        rss_init = lspbench.tree_mem_mib(client.pid)["rss_mib"]
        opens = []
        for name, text in docs:
            uri = (tmp / "docs" / name).as_uri()
            mark = client.diag_mark(uri)
            t0 = await client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
            t1, _ = await client.wait_diagnostics(uri, mark, 60)
            opens.append((name, (t1 - t0) * 1000))
        await asyncio.sleep(0.3)
        rss_end = lspbench.tree_mem_mib(client.pid)["rss_mib"]
        return {"initialize_ms": spawn_to_init, "initialize_request_ms": t_init, "rss_init": rss_init,
                "opens": opens, "rss_end": rss_end}
    finally:
        await client.stop()


def in_process() -> dict[str, float]:
    from ossa_lsp.core.schema.registry import SchemaRegistry

    t0 = time.perf_counter()
    reg = SchemaRegistry()
    reg.catalog  # noqa: B018 - what start-up reads
    t1 = time.perf_counter()
    for e in reg.catalog:
        for f in filter(None, [e.file, *e.kind_files.values()]):
            reg.get_file(e.version, f).validator  # noqa: B018
    t2 = time.perf_counter()
    return {"catalog_ms": (t1 - t0) * 1000, "all_schemas_ms": (t2 - t1) * 1000}


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


async def amain(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(args.lspbench))
    import lspbench  # type: ignore[import-not-found]

    argv = shlex.split(args.server)
    docs = manifests()
    one = [d for d in docs if d[0].startswith("v0.2.2-")]
    results: dict[str, list[dict[str, Any]]] = {"one": [], "all": []}
    for _ in range(args.reps):
        for label, chosen in (("one", one), ("all", docs)):  # interleaved, fresh process each time
            with tempfile.TemporaryDirectory() as tmp:
                results[label].append(await scenario(lspbench, argv, chosen, Path(tmp)))
    print(f"server: {args.server}; {len(docs)} schema files in the catalog; median (min-max) of {args.reps} runs\n")
    print(f"{'':44}{'one version':>22}{'all versions':>22}")
    for key, title in (("initialize_ms", "spawn -> initialize result (ms)"),
                       ("rss_init", "RSS after initialize (MiB)"),
                       ("rss_end", "RSS after opening the manifests (MiB)")):
        print(f"{title:44}{med([r[key] for r in results['one']]):>22}{med([r[key] for r in results['all']]):>22}")
    first = [r["opens"][0][1] for r in results["all"]]
    rest = [sum(ms for _, ms in r["opens"][1:]) for r in results["all"]]
    print(f"{'first manifest didOpen -> diagnostics (ms)':44}{med([r['opens'][0][1] for r in results['one']]):>22}"
          f"{med(first):>22}")
    print(f"{'the other ' + str(len(docs) - 1) + ' versions, total (ms)':44}{'':>22}{med(rest):>22}")
    print("\nper schema file, first open (median ms):")
    for i, (name, _) in enumerate(docs):
        print(f"  {name:40} {statistics.median(r['opens'][i][1] for r in results['all']):7.1f}")
    ip = in_process()
    print(f"\nin one process: reading catalog.json {ip['catalog_ms']:.1f} ms; loading and compiling all "
          f"{len(docs)} schema files {ip['all_schemas_ms']:.0f} ms (paid per version, on first use, never at "
          "start-up)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=str(ROOT / ".venv" / "bin" / "ossa-lsp"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--lspbench", type=Path, default=DEFAULT_LSPBENCH)
    return asyncio.run(amain(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
