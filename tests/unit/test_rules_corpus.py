"""The baseline profile over every v0.2.x manifest of the upstream corpus (including `ossa/v1`, which
upstream validates as v0.2.2, and the v0.2.2 mutants) fires only on real problems. Each expected finding
below says why it is one. A new baseline finding on the corpus fails this test until it is justified here.

Skips when ../shared/ossa-corpus is not there.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ossa_lsp.core.analyze import analyze
from ossa_lsp.core.config.load import resolve_policy
from ossa_lsp.core.schema.registry import REGISTRY

CORPUS = Path(__file__).parents[2].parent / "shared" / "ossa-corpus"
CHECK_DATE = date(2026, 11, 23)  # retirement dates are compared with this, so the test does not age

# Why each finding is a real problem.
SONNET_35_RETIRED = "claude-3-5-sonnet-20241022: Anthropic retired it on 2025-10-22, every request fails"
SONNET_3_RETIRED = "claude-3-sonnet-20240229: Anthropic retired it on 2025-07-21, every request fails"
OPUS_3_RETIRED = "claude-3-opus-20240229: Anthropic retired it on 2026-01-05, every request fails"
SONNET_35_LIMIT = "maxTokens 10000 > 8192, Claude 3.5 Sonnet's output limit: the API rejects the request"
TURBO_LIMIT = "maxTokens above 4096, GPT-4 Turbo's output limit: the API rejects the request"
OPUS_3_LIMIT = "maxTokens 16000 > 4096, Claude 3 Opus's output limit: the API rejects the request"
SONNET_3_LIMIT = "maxTokens 8000 > 4096, Claude 3 Sonnet's output limit: the API rejects the request"
ANONYMOUS_EXTERNAL = "a tool calls a public host with auth type none: a note (info) so a reviewer confirms the API is public"
BEARER_NO_SECRET = "trivy-scanner: auth type bearer with no credentials, so there is no token to send"

SCANNER = {"LLM005": SONNET_3_RETIRED, "LLM002": SONNET_3_LIMIT, "SEC005": BEARER_NO_SECRET}
SEVERAL_DOCUMENTS = "several YAML documents in one file: upstream's CLI reads one per file and rejects it (info)"
MULTI_DOCUMENT_FILES = (
    "manifests/v0.2.2/003-examples-migration-guides-from-langchain-to-ossa.ossa.yaml",
    "manifests/v0.2.5-dev/001-v0-2-5-dev-examples-customer-support-graph.ossa.yaml",
    "manifests/v0.2.5-dev/003-v0-2-5-dev-examples-research-team.ossa.yaml",
    "manifests/v0.2.8/009-examples-integration-patterns-agent-to-agent-orchestration.ossa.yaml",
    "manifests/v0.2.8/011-examples-migration-guides-from-langchain-to-ossa.ossa.yaml",
    "manifests/v0.2.9/013-examples-migration-guides-from-langchain-to-ossa.ossa.yaml",
    "manifests/v0.2.9/018-advanced-workflows-hybrid-model-strategy.ossa.yaml",
    "manifests/v0.2/007-examples-integration-patterns-agent-to-agent-orchestration.ossa.yaml",
)

EXPECTED: dict[tuple[str, int, str], str] = {
    ("manifests/v0.2.3/001-examples-anthropic-claude-assistant.ossa.json", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.5-RC/001-agents-rollback-coordinator-manifest.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.5-dev/001-v0-2-5-dev-examples-customer-support-graph.ossa.yaml", 3, "LLM005"):
        SONNET_35_RETIRED,
    ("manifests/v0.2.5-dev/003-v0-2-5-dev-examples-research-team.ossa.yaml", 4, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.5-dev/003-v0-2-5-dev-examples-research-team.ossa.yaml", 6, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.6/001-agents-claude-agent.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.6/002-agents-cody-agent.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.6/007-agents-kiro-agent.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.8/007-agents-orchestrator-manifest.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.9/003-agents-kiro-agent.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.x/001-agents-compliance-auditor-manifest.ossa.yaml", 0, "LLM002"): SONNET_35_LIMIT,
    ("manifests/v0.2.x/001-agents-compliance-auditor-manifest.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.x/002-agents-config-validator-manifest.ossa.yaml", 0, "LLM002"): TURBO_LIMIT,
    ("manifests/v0.2.x/004-agents-db-migrator-manifest.ossa.yaml", 0, "LLM002"): SONNET_35_LIMIT,
    ("manifests/v0.2.x/004-agents-db-migrator-manifest.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v0.2.x/006-agents-performance-optimizer-manifest.ossa.yaml", 0, "LLM002"): TURBO_LIMIT,
    ("manifests/v0.2.x/008-agents-security-scanner-manifest.ossa.yaml", 0, "LLM005"): SONNET_35_RETIRED,
    ("manifests/v1/005-examples-kagent-documentation-agent.ossa.yaml", 0, "LLM002"): OPUS_3_LIMIT,
    ("manifests/v1/005-examples-kagent-documentation-agent.ossa.yaml", 0, "LLM005"): OPUS_3_RETIRED,
    **{("manifests/v1/008-examples-kagent-security-scanner.ossa.yaml", 0, code): why for code, why in SCANNER.items()},
    # Mutants of the security scanner above keep its three problems unless the mutation touched them
    # (045 changes the auth type, so SEC005 no longer applies). A lowercase kind or an apiVersion without
    # `ossa/` does not switch the policy off: the schema reports the mistake, the rules still read the agent.
    **{(f"mutants/v0.2.2/{name}.ossa.yaml", 0, code): why
       for name in ("003-apiversion-no-prefix", "007-kind-lowercase", "013-name-underscore", "017-name-missing", "022-version-yaml-date", "035-temperature-negative",
                    "049-autonomy-extra-property", "062-taxonomy-extra-property", "068-ext-kagent-replicas-zero")
       for code, why in SCANNER.items()},
    **{(f"manifests/{name}.ossa.yaml", doc, "SEC010"): ANONYMOUS_EXTERNAL
       for name, doc in (("v0.2.2/003-examples-migration-guides-from-langchain-to-ossa", 1),
                         ("v0.2.6/005-agents-discord-bot-agent", 0),
                         ("v0.2.8/011-examples-migration-guides-from-langchain-to-ossa", 1),
                         ("v0.2.9/013-examples-migration-guides-from-langchain-to-ossa", 1))},
    ("mutants/v0.2.2/045-tool-auth-type.ossa.yaml", 0, "LLM002"): SONNET_3_LIMIT,
    ("mutants/v0.2.2/045-tool-auth-type.ossa.yaml", 0, "LLM005"): SONNET_3_RETIRED,
    **{(name, 0, "COMPAT001"): SEVERAL_DOCUMENTS for name in MULTI_DOCUMENT_FILES},
}


def _v02_entries() -> list[dict]:
    index = CORPUS / "index.json"
    if not index.is_file():
        pytest.skip(f"OSSA corpus not found at {CORPUS}")
    entries = json.loads(index.read_text("utf-8"))["entries"]
    return [e for e in entries if e["group"].startswith("v0.2") or e["group"] == "v1"]


def test_baseline_fires_only_on_real_problems_in_the_v0_2_corpus():
    entries = _v02_entries()
    schema = REGISTRY.load_file(CORPUS / "schemas" / "v0.2.2" / "ossa-0.2.2.schema.json")
    policy, _ = resolve_policy(None, profile="baseline", no_config=True, today=CHECK_DATE)
    seen: Counter[tuple[str, int, str]] = Counter()
    for e in entries:
        text = (CORPUS / e["file"]).read_bytes().decode("utf-8-sig")
        result = analyze(text, e["file"], schema=schema, policy=policy)
        seen.update((e["file"], f.document, f.code) for f in result.findings if f.source == "policy")
    assert len(entries) > 100
    assert max(seen.values(), default=1) == 1
    assert sorted(seen) == sorted(EXPECTED)
