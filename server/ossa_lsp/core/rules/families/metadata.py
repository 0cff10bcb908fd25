"""Naming and metadata rules: names that fit Kubernetes, and the identity (version, description, owner
labels) that governance, cost attribution and service discovery read."""

from __future__ import annotations

from collections.abc import Iterator

from ossa_lsp.core.findings import Finding
from ossa_lsp.core.rules.context import Context
from ossa_lsp.core.rules.registry import E, Levels, Option, W, agent, rule

META = ("metadata",)
_SPEC = "  llm:\n    provider: openai\n    model: gpt-4o-mini\n"


@rule(
    "META001", "name-too-long", "metadata",
    "metadata.name is longer than 63 characters, the Kubernetes limit for names and label values.",
    levels=Levels(W, W, E),
    why="The guide deploys agents as native Kubernetes resources. The schema allows 253 characters (a DNS "
        "subdomain), but Services, label values and most generated resource names stop at 63, so a longer name "
        "breaks deployment.",
    bad=agent(_SPEC, name="customer-support-escalation-and-refund-approval-agent-for-emea-region  # <- META001"),
    good=agent(_SPEC, name="support-escalation-emea"),
    expect="customer-support-escalation-and-refund-approval-agent-for-emea-region",
)
def name_length(ctx: Context) -> Iterator[Finding]:
    name = ctx.text(*META, "name")
    if name is not None and 63 < len(name) <= 253:  # past 253 the schema reports it
        yield ctx.report([*META, "name"], f"metadata.name is {len(name)} characters; Kubernetes names and label "
                         "values allow at most 63")


@rule(
    "META002", "version-missing", "metadata",
    "metadata.version is not set.",
    levels=Levels(None, W, W),
    why="Audit and rollback need to know which revision of an agent ran; the schema gives metadata a semantic "
        "version for that.",
    bad=agent(_SPEC, metadata="  description: Answers order questions.\n").replace("metadata:", "metadata:  # <- META002"),
    good=agent(_SPEC, metadata="  version: 1.2.0\n  description: Answers order questions.\n"),
    expect="metadata",
)
def version_missing(ctx: Context) -> Iterator[Finding]:
    if isinstance(ctx.get(*META), dict) and not ctx.has(*META, "version"):
        yield ctx.missing([*META, "version"], "No metadata.version: give the agent a semantic version (e.g. 1.0.0)")


@rule(
    "META003", "description-missing", "metadata",
    "metadata.description is not set.",
    levels=Levels(None, None, W),
    why="A registry of governed agents is only reviewable when each says what it is for; the description is "
        "what catalogues and reviewers read.",
    bad=agent(_SPEC, metadata="  version: 1.2.0\n").replace("metadata:", "metadata:  # <- META003"),
    good=agent(_SPEC, metadata="  version: 1.2.0\n  description: Answers order questions.\n"),
    expect="metadata",
)
def description_missing(ctx: Context) -> Iterator[Finding]:
    desc = ctx.get(*META, "description")
    if isinstance(ctx.get(*META), dict) and (desc is None or (isinstance(desc, str) and not desc.strip())):
        yield ctx.missing([*META, "description"], "No metadata.description: say what the agent is for")


@rule(
    "META004", "required-labels-missing", "metadata",
    "metadata.labels lacks labels your organisation requires (by default owner and cost-center).",
    levels=Levels(None, None, W),
    why="Cost controls need someone to charge and someone to call: labels such as `owner` and `cost-center` are "
        "how spend and incidents are attributed across many agents.",
    options=(Option("required-labels", "strings", ["owner", "cost-center"], "Labels every agent must carry."),),
    bad=agent(_SPEC, metadata="  labels:  # <- META004\n    owner: support-team\n"),
    good=agent(_SPEC, metadata="  labels:\n    owner: support-team\n    cost-center: \"4100\"\n"),
    expect="labels",
)
def required_labels(ctx: Context) -> Iterator[Finding]:
    if not isinstance(ctx.get(*META), dict):
        return
    labels = ctx.labels
    lacking = [str(k) for k in ctx.options.get("required-labels") or []
               if not (isinstance(labels.get(k), str) and labels[k].strip())]
    if lacking:
        names = " and ".join(f"`{k}`" for k in lacking) if len(lacking) <= 2 else \
            ", ".join(f"`{k}`" for k in lacking[:-1]) + f" and `{lacking[-1]}`"
        yield ctx.missing([*META, "labels", lacking[0]], f"metadata.labels is missing the {names} "
                          f"{'label' if len(lacking) == 1 else 'labels'} your organisation requires; add "
                          f"{'it' if len(lacking) == 1 else 'them'}")
