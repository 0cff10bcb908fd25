"""Rule declarations: each policy rule is declared once (code, kebab name, severity per profile, fix
safety, docs with a bad and a good example) and kept here; its code goes into the one code registry
(`core/codes.py`). The docs pages and the config schema are generated from these declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ossa_lsp.core.codes import CODES, CodeInfo, matches, register
from ossa_lsp.core.findings import Finding, Severity

if TYPE_CHECKING:
    from ossa_lsp.core.rules.context import Context


# family → code prefix; the order is the order of the docs index
FAMILIES: dict[str, str] = {
    "cost": "COST",
    "security": "SEC",
    "mesh": "MESH",
    "observability": "OBS",
    "resources": "RES",
    "performance": "PERF",
    "llm": "LLM",
    "metadata": "META",
    "vocabulary": "VOCAB",
    "compat": "COMPAT",
    "hygiene": "SUP",
}

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CODE_SHAPE = re.compile(r"[A-Z]+[0-9]{3}\Z")
NAME_SHAPE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


class Levels(NamedTuple):
    """Severity in each profile; None means the rule is off in that profile."""

    baseline: Severity | None
    enterprise: Severity | None
    strict: Severity | None

    def get(self, profile: str) -> Severity | None:
        return getattr(self, profile)

    @property
    def strongest(self) -> Severity:
        """The severity used when a rule is selected explicitly in a profile that leaves it off."""
        return min((s for s in self if s is not None), default=Severity.WARNING)


@dataclass(frozen=True)
class Option:
    name: str  # kebab-case, as written in .ossa-lsp.yaml
    kind: str  # "int" | "number" | "string" | "strings" | "bool"
    default: Any
    help: str


Check = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    summary: str  # one line: what it checks
    levels: Levels
    why: str  # the governance reason, grounded in the architects' guide
    bad: str  # a complete small manifest; the finding's line ends with `# <-`
    good: str  # the same manifest, fixed
    expect: str  # the exact text the bad example's finding underlines
    check: Check | None = field(default=None, compare=False)  # None: the Policy itself produces it
    fix: str = "none"  # none | safe | unsafe
    workspace: bool = False  # needs every manifest of the workspace (cross-file)
    options: tuple[Option, ...] = ()
    example_options: Mapping[str, Any] = field(default_factory=dict)  # options the examples run with
    example_with: tuple[str, ...] = ()  # other rules the examples need (e.g. the one a suppression names)
    peers: tuple[str, ...] = ()  # workspace rules: the other manifests of the example workspace
    details: str = ""  # more on what exactly counts, for the docs page
    kinds: tuple[str, ...] | None = ("Agent",)  # the manifest kinds it reads; None: every OSSA document
    source: str = "policy"  # the findings' source (vocabulary checks keep theirs apart from policy)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


RULES: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def declare(rule_: Rule) -> Rule:
    if not CODE_SHAPE.match(rule_.code) or not NAME_SHAPE.match(rule_.name):
        raise ValueError(f"bad rule code or name: {rule_.code} {rule_.name}")
    if rule_.family not in FAMILIES or not rule_.code.startswith(FAMILIES[rule_.family]):
        raise ValueError(f"{rule_.code}: family {rule_.family} does not match its code")
    if rule_.code in RULES or rule_.name in _BY_NAME or rule_.code in CODES:
        raise ValueError(f"rule declared twice: {rule_.code} {rule_.name}")
    if rule_.fix not in ("none", "safe", "unsafe"):
        raise ValueError(f"{rule_.code}: fix must be none, safe or unsafe")
    RULES[rule_.code] = rule_
    _BY_NAME[rule_.name] = rule_
    register(CodeInfo(rule_.code, rule_.name, rule_.summary, rule_.levels.strongest, "policy", rule_.why))
    return rule_


def rule(code: str, name: str, family: str, summary: str, *, levels: Levels, why: str, bad: str, good: str,
         expect: str, fix: str = "none", workspace: bool = False, options: tuple[Option, ...] = (),
         example_options: Mapping[str, Any] | None = None, example_with: tuple[str, ...] = (),
         details: str = "", peers: tuple[str, ...] = (), kinds: tuple[str, ...] | None = ("Agent",),
         source: str = "policy") -> Callable[[Check], Check]:
    """Declare a rule whose findings come from the decorated generator."""

    def wrap(fn: Check) -> Check:
        declare(Rule(code=code, name=name, family=family, summary=summary, levels=levels, why=why,
                     bad=bad, good=good, expect=expect, check=fn, fix=fix, workspace=workspace,
                     options=options, example_options=dict(example_options or {}), example_with=example_with,
                     details=details, peers=peers, kinds=kinds, source=source))
        return fn

    return wrap


def lookup(key: str) -> Rule | None:
    """A rule by code (`SEC001`, any case) or kebab name (`secret-literal`)."""
    return RULES.get(key.strip().upper()) or _BY_NAME.get(key.strip().lower())


def split_selectors(text: str) -> list[str]:
    """Selectors written as one comma-separated string (`select: SEC, COST001`), as a list."""
    return [s.strip() for s in text.split(",") if s.strip()]


def select(selectors: Iterable[str]) -> list[Rule]:
    """The rules a list of selectors names, in registry order; NONE names nothing."""
    sels = [s for s in selectors if s.strip().upper() != "NONE"]
    return [r for r in RULES.values() if any(matches(s, r.code) for s in sels)]


def in_order() -> list[Rule]:
    """All rules, family by family, then by code."""
    order = {f: i for i, f in enumerate(FAMILIES)}
    return sorted(RULES.values(), key=lambda r: (order[r.family], r.code))


def agent(spec: str = "", *, name: str = "support-agent", metadata: str = "", spec_line: str = "spec:",
          role: str = "Answers customer questions about orders.", tail: str = "") -> str:
    """A complete small v0.2.2 manifest for a rule's docs example; `spec` is indented by two spaces."""
    return (f"apiVersion: ossa/v0.2.2\nkind: Agent\nmetadata:\n  name: {name}\n{metadata}{spec_line}\n"
            f"  role: {role}\n{spec}{tail}")
