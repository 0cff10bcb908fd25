""".ossa-lsp.yaml: the policy configuration (profile, rule selection, per-rule severity and options,
per-path overrides, excludes, fail-on), its discovery (the nearest file up from the manifest wins),
and `resolve_policy`, which turns config + editor/CLI arguments into the `Policy` for one file.

A broken config never crashes a check: each problem becomes a finding at its position in the config
file (codes `CFG…`), and whatever is valid still applies. Parsed configs are cached by path and
modification time, so thousands of manifests share one parse.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ossa_lsp.core import files, wildmatch
from ossa_lsp.core.codes import known_selector, matches
from ossa_lsp.core.constants import CONFIG_NAMES, FAIL_ON_LEVELS, PROFILES, SEVERITY_WORDS
from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.rules import registry
from ossa_lsp.core.rules.context import Env
from ossa_lsp.core.rules.data import DataError, load_models
from ossa_lsp.core.rules.policy import Enabled, Policy
from ossa_lsp.core.rules.registry import Rule, in_order, lookup, split_selectors
from ossa_lsp.core.text.anchor import On, anchor_span
from ossa_lsp.core.text.source import Document, parse
from ossa_lsp.core.text.spans import ZERO

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ossa_lsp.core.config.model import ConfigModel, Override


# --- the file's model ------------------------------------------------------------------------------

@dataclass
class PlainConfig:
    """What `ConfigModel` holds, as a plain dataclass. Used for "no config file" and for config files whose
    every value already has the exact shape the pydantic model accepts (see `_plain_config`): pydantic
    (import + model build) costs ~90 ms per `check` run, several times the check itself. pydantic remains
    the model of record: anything unusual goes through it, and a test compares both paths."""

    extends: str = "baseline"
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    overrides: list[Any] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: str | None = None
    models_file: str | None = None


@dataclass
class PlainOverride:
    files: list[str]
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    fail_on: str | None = None


NO_CONFIG = PlainConfig()


@dataclass(frozen=True)
class RuleSetting:
    severity: Severity | None  # None: turned off
    severity_set: bool
    options: dict[str, Any]


@dataclass(frozen=True)
class ConfigProblem:
    path: str  # the config file
    finding: Finding


@dataclass(frozen=True)
class ValidOverride:
    index: int  # position in the file
    override: Override | PlainOverride
    rules: dict[str, RuleSetting]


_serial = itertools.count()


@dataclass
class LoadedConfig:
    path: Path | None
    model: ConfigModel | PlainConfig
    rules: dict[str, RuleSetting] = field(default_factory=dict)  # code → setting (top level)
    overrides: list[ValidOverride] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)
    env: Env | None = None  # when models-file is set
    serial: int = field(default_factory=lambda: next(_serial))  # identifies this parse in policy caches

    @property
    def base(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()


# --- reading and validating ------------------------------------------------------------------------

class _Problems:
    def __init__(self, doc: Document | None, path: str) -> None:
        self.doc = doc
        self.path = path
        self.items: list[ConfigProblem] = []

    def add(self, code: str, message: str, loc: Sequence[str | int], on: On = "value") -> None:
        from ossa_lsp.core.schema.validate import pointer

        self.items.append(ConfigProblem(self.path, Finding(code=code, severity=Severity.ERROR, source="config",
                                                           message=message, span=anchor_span(self.doc, loc, on) if self.doc else ZERO,
                                                           pointer=pointer(loc))))


_Model = TypeVar("_Model", bound="BaseModel")


def _describe(err: dict[str, Any], prefix: tuple[str | int, ...]) -> tuple[str, str, On]:
    """(code, message, span side) for one pydantic error."""
    from ossa_lsp.core.schema.validate import dotted, show

    loc = prefix + tuple(err["loc"])
    where = dotted(loc)
    if err["type"] == "extra_forbidden":
        parent = f"`{dotted(loc[:-1])}`" if loc[:-1] else "the configuration"
        return "CFG002", f"Unknown setting `{loc[-1]}` in {parent} (see docs/configuration.md)", "key"
    if err["type"] == "missing":
        return "CFG003", f"`{where}` is required; add it", "missing"
    got = err.get("input")
    shown = f"; got {show(got)}" if isinstance(got, (str, int, float, bool)) or got is None else \
        f"; got {show(got)}" if isinstance(got, (list, dict)) else ""
    return "CFG003", f"`{where}` must be {expected_words(err)}{shown}", "value"


# pydantic's error types in words: what the setting must be
_EXPECTED = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
             "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
             "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
             "dict_type": "a mapping (key: value pairs)", "model_type": "a mapping (key: value pairs)",
             "date_type": "a date such as 2025-10-15", "date_parsing": "a date such as 2025-10-15",
             "date_from_datetime_parsing": "a date such as 2025-10-15"}


def expected_words(err: dict[str, Any]) -> str:
    """What a setting must be, in words, from one pydantic error (config file and editor settings)."""
    kind = str(err.get("type", ""))
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        if allowed:
            return "one of: " + ", ".join(allowed)
    msg = str(err.get("msg", ""))
    if msg.startswith("Input should be "):
        return msg[len("Input should be "):].replace("a valid ", "")
    return "a different value (see docs/configuration.md)"


def _bad_severity(value: Any) -> str:
    from ossa_lsp.core.schema.validate import show, suggest

    hint = suggest(value, SEVERITY_WORDS) if isinstance(value, str) else None
    return f"severity must be one of: {', '.join(SEVERITY_WORDS)}; got {show(value)}" + \
        (f". Did you mean `{hint}`?" if hint else "")


def _validate(cls: type[_Model], data: dict[str, Any], problems: _Problems,
              prefix: tuple[str | int, ...] = ()) -> _Model | None:
    """Validate, dropping the top-level settings that are wrong so the rest still applies (None when even
    that fails)."""
    import pydantic

    reported: set[tuple[Any, ...]] = set()
    for _ in range(20):
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            errors = exc.errors()
        for err in errors:
            loc = prefix + tuple(err["loc"])
            if loc not in reported:
                reported.add(loc)
                code, msg, on = _describe(dict(err), prefix)
                problems.add(code, msg, list(loc), on)
        dropped = [data.pop(str(err["loc"][0]), None) is not None for err in errors if err["loc"]]
        if not any(dropped):
            return None  # a required setting is missing: nothing to salvage
    return None


# The fast path: (file key, field, shape) with shapes the pydantic model accepts unchanged, or after the same
# normalisation its validators do ("a, b" → ["a", "b"]; one glob → [glob]).
_COMMON = (("select", "select", "selectors?"), ("extend-select", "extend_select", "selectors"),
           ("ignore", "ignore", "selectors"), ("rules", "rules", "mapping"), ("fail-on", "fail_on", "fail-on"))
_TOP = (*_COMMON, ("extends", "extends", "profile"), ("overrides", "overrides", "list"),
        ("exclude", "exclude", "globs"), ("models-file", "models_file", "text?"))
_OVERRIDE = (*_COMMON, ("files", "files", "globs"))
_NO = object()


def _shape(kind: str, value: Any) -> Any:
    """`value` normalised as the pydantic model would, or `_NO` when it is not plainly valid."""
    if kind.endswith("?"):
        if value is None:
            return None
        kind = kind[:-1]
    if kind in ("selectors", "globs"):
        if isinstance(value, str):
            return split_selectors(value) if kind == "selectors" else [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        return _NO
    if kind == "mapping":
        return dict(value) if isinstance(value, dict) and all(isinstance(k, str) for k in value) else _NO
    if kind == "list":
        return list(value) if isinstance(value, list) else _NO
    if kind == "fail-on":
        return value if value is None or value in FAIL_ON_LEVELS else _NO
    if kind == "profile":
        return value if value in PROFILES else _NO
    return value if isinstance(value, str) else _NO


def _plain(fields: tuple[tuple[str, str, str], ...], data: dict[str, Any]) -> dict[str, Any] | None:
    known = {key: (name, kind) for key, name, kind in fields}
    out: dict[str, Any] = {}
    for key, value in data.items():
        spec = known.get(key) if isinstance(key, str) else None
        if spec is None:
            return None
        shaped = _shape(spec[1], value)
        if shaped is _NO:
            return None
        out[spec[0]] = shaped
    return out


def _plain_config(data: dict[str, Any]) -> PlainConfig | None:
    values = _plain(_TOP, data)
    return PlainConfig(**values) if values is not None else None


def _plain_override(data: dict[str, Any]) -> PlainOverride | None:
    values = _plain(_OVERRIDE, data)
    return PlainOverride(**values) if values is not None and "files" in values else None


def _check_selectors(sels: Iterable[str] | None, loc: list[str | int], problems: _Problems) -> list[str]:
    good: list[str] = []
    for i, s in enumerate(sels or []):
        if not unknown_selectors([s]):
            good.append(s)
        else:
            problems.add("CFG004", f"`{s}` is not a rule code, rule name or code prefix (see `ossa-lsp rules`)",
                         [*loc, i])
    return good


def _option_value(kind: str, value: Any) -> tuple[bool, Any]:
    if value is None:
        return True, None
    if kind == "strings":
        if isinstance(value, str):
            return True, [value]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return ok, value
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool), value
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool), value
    if kind == "bool":
        return isinstance(value, bool), value
    return isinstance(value, str), value


_KIND_WORDS = {"strings": "a list of text", "int": "a whole number", "number": "a number", "bool": "true or false",
               "string": "text"}


def _rule_settings(raw: dict[str, Any], loc: list[str | int], problems: _Problems) -> dict[str, RuleSetting]:
    out: dict[str, RuleSetting] = {}
    for key, value in raw.items():
        where = [*loc, key]
        r = lookup(key)
        if r is None:
            hint = " (use select/ignore for prefixes)" if known_selector(key) else ""
            problems.add("CFG004", f"`{key}` is not a rule code or name{hint}", where, "key")
            continue
        severity: Severity | None = None
        severity_set = False
        options: dict[str, Any] = {}
        if isinstance(value, str) or value is None:
            value = {"severity": value}
        if not isinstance(value, dict):
            problems.add("CFG003", f"`{key}` takes a severity ({', '.join(SEVERITY_WORDS)}) or a mapping of "
                         "severity and options", where)
            continue
        for opt, v in value.items():
            if opt == "severity":
                word = v.strip().lower() if isinstance(v, str) else None
                if word not in SEVERITY_WORDS:
                    at = where if isinstance(raw[key], str) or raw[key] is None else [*where, "severity"]
                    problems.add("CFG003", _bad_severity(v), at)
                    continue
                severity_set = True
                severity = None if word == "off" else Severity.parse(word)
                continue
            option = r.option(opt)
            if option is None:
                known = ", ".join(o.name for o in r.options)
                said = f"its options: {known}" if known else "it takes no options; remove it"
                problems.add("CFG002", f"{r.code} ({r.name}) has no option `{opt}`; {said}", [*where, opt], "key")
                continue
            ok, parsed = _option_value(option.kind, v)
            if ok:
                options[opt] = parsed
            else:
                problems.add("CFG003", f"{r.code} option `{opt}` must be {_KIND_WORDS[option.kind]}", [*where, opt])
        out[r.code] = RuleSetting(severity, severity_set, options)
    return out


def load_config_text(text: str, path: Path | None) -> LoadedConfig:
    """Parse and validate config text (also for an unsaved buffer in the editor)."""
    shown = str(path) if path is not None else "<config>"
    manifest = parse(text, str(path) if path is not None else None)
    doc = manifest.documents[0] if manifest.documents else None
    problems = _Problems(doc, shown)
    for f in manifest.findings:
        if f.severity == Severity.ERROR:
            problems.items.append(ConfigProblem(shown, Finding(code="CFG001", severity=Severity.ERROR, source="config",
                                                               message=f.message, span=f.span)))
    if len(manifest.documents) > 1:
        problems.add("CFG001", "The configuration must be a single YAML document", [])
    data = doc.data if doc is not None and doc.data is not None else {}
    if not isinstance(data, dict):
        problems.add("CFG001", "The configuration must be a mapping of settings (extends, select, rules, ...)", [])
        data = {}
    model: ConfigModel | PlainConfig | None = _plain_config(data)
    if model is None:
        from ossa_lsp.core.config.model import ConfigModel

        model = _validate(ConfigModel, dict(data), problems) or ConfigModel()
    loaded = LoadedConfig(path=path, model=model)
    for name in ("select", "extend_select", "ignore"):
        sels = getattr(model, name)
        if sels is not None:
            setattr(model, name, _check_selectors(sels, [name.replace("_", "-")], problems))
    loaded.rules = _rule_settings(model.rules, ["rules"], problems)
    for i, raw in enumerate(model.overrides):
        if not isinstance(raw, dict):
            problems.add("CFG003", "Each override is a mapping with `files` and the settings for those files",
                         ["overrides", i])
            continue
        ov: Override | PlainOverride | None = _plain_override(raw)
        if ov is None:
            from ossa_lsp.core.config.model import Override

            ov = _validate(Override, dict(raw), problems, ("overrides", i))
        if ov is None:
            continue
        for name in ("select", "extend_select", "ignore"):
            sels = getattr(ov, name)
            if sels is not None:
                setattr(ov, name, _check_selectors(sels, ["overrides", i, name.replace("_", "-")], problems))
        loaded.overrides.append(ValidOverride(i, ov, _rule_settings(ov.rules, ["overrides", i, "rules"], problems)))
    if model.models_file:
        target = (loaded.base / model.models_file).resolve()
        try:
            loaded.env = Env(models=load_models(target))
        except DataError as err:
            problems.add("CFG005", f"models-file: {err}; using the bundled model data", ["models-file"])
    if problems.items:  # masked and escaped like every manifest message (core/scrub.py)
        from ossa_lsp.core.scrub import scrub_findings, tree_secrets

        scrub_findings((p.finding for p in problems.items), tree_secrets([doc.root if doc else None]), text)
    loaded.problems = problems.items
    return loaded


_lock = threading.Lock()
_cache: dict[Path, tuple[int, int, LoadedConfig]] = {}


def load_config(path: Path) -> LoadedConfig:
    """A config file, parsed once per modification."""
    path = path.resolve()
    try:
        st = path.stat()
        with _lock:
            hit = _cache.get(path)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            return hit[2]
        data = files.read_bytes(path)  # a regular file of bounded size: a config comes with the repository
    except (OSError, files.FileError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err).removeprefix("cannot read: ")
        loaded = LoadedConfig(path=path, model=NO_CONFIG)
        loaded.problems = [ConfigProblem(str(path), Finding(code="CFG001", severity=Severity.ERROR, source="config",
                                                            message=f"Cannot read the configuration: {reason}",
                                                            span=ZERO))]
        return loaded
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
    loaded = load_config_text(text, path)
    with _lock:
        _cache[path] = (st.st_mtime_ns, st.st_size, loaded)
    return loaded


def find_config(start: Path | str | None) -> Path | None:
    """The nearest `.ossa-lsp.yaml` in the manifest's folder or above it."""
    here = Path(start) if start is not None else Path.cwd()
    here = here.resolve() if here.exists() else here.absolute()
    folder = here if here.is_dir() else here.parent
    for d in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = d / name
            if candidate.is_file():
                return candidate
    return None


# --- globbing --------------------------------------------------------------------------------------

def glob_match(rel: str, pattern: str) -> bool:
    """gitignore-like matching of a relative posix path: `**` spans folders, a pattern without '/' matches
    any file or folder name, a trailing '/' or a folder prefix matches everything below it. Linear-time
    (core.wildmatch): config files come with the repository."""
    return wildmatch.covers(pattern.strip(), rel)


def _relative(path: Path | str | None, base: Path) -> str | None:
    if path is None:
        return None
    p = Path(path)
    p = p.resolve() if p.exists() else p.absolute()
    try:
        return p.relative_to(base.resolve()).as_posix()
    except ValueError:
        return None


# --- resolving a policy ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Args:
    """What the editor or the command line adds on top of the config file (picklable)."""

    profile: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: str | None = None
    fail_on: str | None = None
    no_config: bool = False
    today: date | None = None


def _set_rules(current: dict[str, Severity], profile: str, settings: dict[str, RuleSetting],
               select: list[str] | None, extend: Iterable[str], ignore: Iterable[str],
               configured: bool = True) -> dict[str, Severity]:
    """Apply one layer of selection. `configured`: the layer's per-rule severities also turn rules on or
    off (a config file or override does; a command-line --select only borrows their severities)."""
    def sev(r: Rule) -> Severity:
        s = settings.get(r.code)
        if s is not None and s.severity is not None:
            return s.severity
        return r.levels.get(profile) or r.levels.strongest

    if select is not None:
        current = {r.code: current.get(r.code, sev(r)) for r in registry.select(select)}
    for r in registry.select(extend):
        current.setdefault(r.code, sev(r))
    for code in [c for c in current if any(matches(s, c) for s in ignore)]:
        del current[code]
    for code, s in settings.items() if configured else ():
        if s.severity_set:
            if s.severity is None:
                current.pop(code, None)
            else:
                current[code] = s.severity
    return current


_policy_lock = threading.Lock()
_policies: dict[tuple[Any, ...], Policy] = {}
_no_config: list[LoadedConfig] = []


def _unconfigured() -> LoadedConfig:
    """The one "no config file" (one serial): every manifest without a config shares its policies, where
    a fresh one per manifest cached a new policy per file (~8 KB each, 20,000 files: 150 MiB)."""
    if not _no_config:
        _no_config.append(LoadedConfig(path=None, model=NO_CONFIG))
    return _no_config[0]


def resolve_policy(manifest_path: Path | str | None, *, profile: str | None = None, select: Sequence[str] = (),
                   ignore: Sequence[str] = (), config_path: Path | str | None = None, fail_on: str | None = None,
                   no_config: bool = False, today: date | None = None) -> tuple[Policy, list[ConfigProblem]]:
    """The Policy for one manifest: its nearest config (or `config_path`) plus editor/CLI arguments, and the
    problems found in that config file. Unknown `select`/`ignore` entries are ignored here; front ends
    validate them first (`unknown_selectors`)."""
    if no_config:
        loaded = _unconfigured()
    else:
        cfg = Path(config_path) if config_path is not None else find_config(manifest_path)
        loaded = load_config(cfg) if cfg is not None else _unconfigured()
    model = loaded.model
    rel = _relative(manifest_path, loaded.base) if loaded.path is not None else None
    matched = [ov for ov in loaded.overrides if rel is not None and any(glob_match(rel, g) for g in ov.override.files)]
    key = (loaded.serial, tuple(ov.index for ov in matched), profile, tuple(select), tuple(ignore), fail_on, today)
    with _policy_lock:
        hit = _policies.get(key)
    if hit is not None:
        return hit, loaded.problems
    prof = profile if profile in PROFILES else model.extends
    current = {r.code: s for r in in_order() if (s := r.levels.get(prof)) is not None}
    current = _set_rules(current, prof, loaded.rules, model.select, model.extend_select, model.ignore)
    options: dict[str, dict[str, Any]] = {c: dict(s.options) for c, s in loaded.rules.items()}
    fail = model.fail_on
    for m in matched:
        ov = m.override
        current = _set_rules(current, prof, m.rules, ov.select, ov.extend_select, ov.ignore)
        for c, setting in m.rules.items():
            options.setdefault(c, {}).update(setting.options)
        fail = ov.fail_on or fail
    if select:
        current = _set_rules(current, prof, loaded.rules, list(select), (), (), configured=False)
    if ignore:
        current = _set_rules(current, prof, {}, None, (), ignore)
    env = loaded.env or Env()
    if today is not None:
        env = Env(today=today, models=env.models)
    enabled = {r.code: Enabled(r, current[r.code], {**r.defaults(), **options.get(r.code, {})})
               for r in in_order() if r.code in current}
    policy = Policy(profile=prof, rules=enabled, fail_on=Severity.parse(fail_on or fail or "error"), env=env,
                    config=str(loaded.path) if loaded.path is not None else None)
    with _policy_lock:
        _policies[key] = policy
    return policy, loaded.problems


def resolve(manifest_path: Path | str | None, args: Args) -> tuple[Policy, list[ConfigProblem]]:
    return resolve_policy(manifest_path, profile=args.profile, select=args.select, ignore=args.ignore,
                          config_path=args.config_path, fail_on=args.fail_on, no_config=args.no_config,
                          today=args.today)


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors (from the command line or editor settings) that name no rule."""
    return [s for s in selectors if not (s.strip().upper() in ("ALL", "NONE") or registry.select([s]))]


def excluded(path: Path | str, args: Args) -> bool:
    """Whether the config that governs this file excludes it (for files found by walking folders)."""
    if args.no_config:
        return False
    cfg = Path(args.config_path) if args.config_path else find_config(path)
    if cfg is None:
        return False
    loaded = load_config(cfg)
    if not loaded.model.exclude:
        return False
    rel = _relative(path, loaded.base)
    return rel is not None and any(glob_match(rel, g) for g in loaded.model.exclude)


def clear_cache() -> None:
    """Forget parsed configs and policies (the server calls this when config files change)."""
    with _lock:
        _cache.clear()
    with _policy_lock:
        _policies.clear()

