"""The check behind `ossa-lsp report`: the same `CheckRun` as `check` (same findings, same policy per
file, same pool), plus what the report needs and a plain check throws away: the facts of every agent
document (read from the trees the run parsed anyway) and each file's posture tally, i.e. its findings
counted as each profile would rate them.

A profile's posture needs the findings of rules the file's own policy leaves off; those extra rules run
on the same parsed and validated document (no second parse, no second validation), and their findings
are only counted, never shown: the findings the report lists are exactly those `check` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ossa_lsp.core.analyze import Analysis, analyze
from ossa_lsp.core.config import load as config
from ossa_lsp.core.constants import PROFILES
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules.policy import Enabled, Policy
from ossa_lsp.core.rules.registry import RULES
from ossa_lsp.core.text.spans import wide_lines
from ossa_lsp.core.workspace.index import norm
from ossa_lsp.headless.check import CheckRun, display_path
from ossa_lsp.headless.report import FileReport
from ossa_lsp.output.report.facts import document_facts

# profile → family → [errors, warnings, infos, failing] (unsuppressed findings; hints are editor nudges;
# failing: at or above that profile's fail-on level)
Tally = dict[str, dict[str, list[int]]]
SCHEMA_FAMILY = "schema"  # syntax, schema and config findings: the same in every profile


@dataclass(slots=True)
class FleetReport(FileReport):
    key: str = ""  # the file's one key (the workspace index's), to join agents with their findings
    posture: Tally = field(default_factory=dict)
    services: tuple[str, ...] = ()  # MESH003's `services`: internal hosts that are services, not missing agents


@dataclass
class FleetRun(CheckRun):
    keep_trees: ClassVar[bool] = True  # `index` reads every document's facts from the trees
    facts: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # (key, document) → facts
    _side: dict[tuple[int, ...], Policy | None] = field(default_factory=dict, repr=False)
    _bare: dict[str, Policy] = field(default_factory=dict, repr=False)  # each profile's policy with no config

    def index(self, files: Any, jobs: int = 0) -> Any:
        index = super().index(files, jobs)
        for path, read in self._reads.items():
            if read.manifest is None:
                continue
            key = norm(path)
            for doc in read.manifest.documents:
                facts = document_facts(doc.data)
                if facts is not None:
                    self.facts[(key, doc.index)] = facts
        return index

    def check_file(self, path: str) -> FileReport:
        read = self._reads.get(path)
        if read is None or read.text is None or self.args is None:
            plain = super().check_file(path)
            return _fleet(plain, norm(path), tally(plain.findings, {}))
        self._reads.pop(path, None)
        policy = config.resolve(path, self.args)[0]
        shown = display_path(path)
        result = analyze(read.text, shown, schema=self.schema, policy=policy, default_version=self.default_version,
                         workspace=self.workspace, manifest=read.manifest)
        report = FileReport(path=shown, documents=result.documents, findings=result.findings,
                            profile=policy.profile, config=policy.config, fail_on=policy.fail_on)
        report.astral_lines = wide_lines(result.manifest.lines, (n for f in result.findings
                                                                 for n in (f.span.start.line, f.span.end.line)))
        profiles = self._profiles(path, policy)
        extra = _extra_findings(result, self._side_policy(policy, profiles), self.workspace)
        out = _fleet(report, norm(path), tally(result.findings + extra, profiles))
        out.services = _services(policy, profiles)
        return out

    def _profiles(self, path: str, policy: Policy) -> dict[str, Policy]:
        """The policy `check --profile P` would use for this file, for each profile: the same config file
        (its select, ignore, severities, options, per-path overrides, fail-on) and the same command line.
        Without a config file the answer is the same for every file: resolved once."""
        assert self.args is not None
        if policy.config is None and self._bare:
            return self._bare
        a = self.args
        out: dict[str, Policy] = {
            p: config.resolve_policy(path, profile=p, select=a.select, ignore=a.ignore, config_path=policy.config,
                                     fail_on=a.fail_on, no_config=policy.config is None, today=a.today)[0]
            for p in PROFILES}
        if policy.config is None:
            self._bare = out
        return out

    def _side_policy(self, policy: Policy, profiles: dict[str, Policy]) -> Policy | None:
        """The rules some profile's policy turns on and this file's policy leaves off, at their strongest
        severity (one Policy per combination of policies; resolved policies are shared objects)."""
        key = (id(policy), *(id(profiles[p]) for p in PROFILES))
        if key not in self._side:
            extra: dict[str, Enabled] = {}
            for p in PROFILES:
                for code, e in profiles[p].rules.items():
                    if code not in policy.rules and e.rule.family != "hygiene" and (
                            code not in extra or e.severity < extra[code].severity):
                        extra[code] = e
            self._side[key] = Policy(profile=policy.profile, rules=extra, env=policy.env) if extra else None
        return self._side[key]


def _services(policy: Policy, profiles: dict[str, Policy]) -> tuple[str, ...]:
    """The host patterns the configuration declares as services (MESH003's option), whichever policy has it."""
    for pol in (policy, *profiles.values()):
        e = pol.rules.get("MESH003")
        if e is not None:
            return tuple(str(p).lower() for p in e.options.get("services") or ())
    return ()


def as_fleet(report: FileReport) -> FleetReport:
    """A report made outside the run (a path that cannot be read, a broken config) as the report reads it."""
    return report if isinstance(report, FleetReport) else _fleet(report, "", tally(report.findings, {}))


def _fleet(report: FileReport, key: str, posture: Tally) -> FleetReport:
    fields = {name: getattr(report, name) for name in FileReport.__slots__}
    return FleetReport(**fields, key=key, posture=posture)


def _extra_findings(result: Analysis, side: Policy | None, workspace: Any) -> list[Finding]:
    """Findings of the side policy's rules on the analysed document (counted only, never shown). Hygiene
    rules are not among them: whether a suppression is used depends on every finding, not these alone."""
    if side is None:
        return []
    scratch = Analysis(path=result.path, manifest=result.manifest, schemas=result.schemas)
    side.apply(scratch, workspace)
    return [f for f in scratch.findings if f.code in side.rules]


def tally(findings: list[Finding], profiles: dict[str, Policy]) -> Tally:
    """Each profile's count of these findings by family and severity, as `check --profile P` would report
    them: a rule's findings at the severity that profile's policy gives it (none when it leaves the rule
    off); other findings (syntax, schema, config) as they are. Without policies (a file that could not be
    read), every finding counts as it is, against the default fail-on level."""
    out: Tally = {p: {} for p in PROFILES}
    for f in findings:
        if f.suppressed is not None:
            continue
        rule = RULES.get(f.code)
        for p in PROFILES:
            pol = profiles.get(p)
            sev = f.severity if rule is None else pol.severity(f.code) if pol is not None else rule.levels.get(p)
            if sev is None or sev > Severity.INFO:
                continue
            cell = out[p].setdefault(SCHEMA_FAMILY if rule is None else rule.family, [0, 0, 0, 0])
            cell[int(sev) - 1] += 1
            cell[3] += sev <= (pol.fail_on if pol is not None else Severity.ERROR)
    return out
