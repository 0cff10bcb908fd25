"""The schema registry: our bundled OSSA schemas, chosen by `apiVersion` (and `kind`), compiled once.

Schemas are package data (`ossa_lsp/schemas` in a wheel, the repository's `schemas/` in a checkout)
and are loaded lazily, one version at a time. `$ref`s resolve inside the package or next to a
user-supplied schema file; nothing is ever fetched from the network.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from ossa_lsp.core import files
from ossa_lsp.core.schema import formats
from ossa_lsp.core.schema.navigate import SchemaDocs, SchemaNav
from ossa_lsp.core.schema.versions import Choice, VersionEntry, choose

API_VERSION_SHAPE = re.compile(r"ossa/v[0-9]+(\.[0-9]+)*(\.x)?(-[0-9A-Za-z.]+)?\Z")


class SchemaError(Exception):
    """A schema file that cannot be used (missing, not JSON, not a valid JSON Schema)."""


def schemas_dir() -> Path:
    """Where our schemas live: inside the installed package, or at the repository root."""
    packaged = resources.files("ossa_lsp").joinpath("schemas")
    if packaged.is_dir():
        return Path(str(packaged))
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "schemas"
        if (candidate / "catalog.json").is_file():
            return candidate
    raise SchemaError("the bundled schemas are missing from this installation")


@dataclass
class CompiledSchema:
    """A schema ready to validate with; `label` names it in output (e.g. `ossa/v0.2.2` or a path)."""

    label: str
    version: str | None
    schema: dict[str, Any]
    path: Path | None = None
    trusted: bool = False  # bundled: checked against the metaschema by our tests, not at run time
    docs: SchemaDocs = field(default_factory=SchemaDocs, repr=False)  # what its `$ref`s reach
    _validator: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _navs: dict[str | None, SchemaNav] = field(default_factory=dict, repr=False)

    @property
    def validator(self) -> Any:
        if self._validator is None:
            with self._lock:
                if self._validator is None:
                    self._validator = _compile(self.schema, self.path, self.trusted)
        return self._validator

    def nav(self, kind: str | None = None) -> SchemaNav:
        """The schema's navigator for documents of `kind` (what completion, hover and fixes ask)."""
        nav = self._navs.get(kind)
        if nav is None:
            nav = self._navs.setdefault(kind, SchemaNav(self.schema, kind, self.docs))
        return nav

    @cached_property
    def title(self) -> str:
        return str(self.schema.get("title") or self.label)


def _compile(schema: dict[str, Any], path: Path | None, trusted: bool = False) -> Any:
    """A validator: our compiled one when the schema allows, else jsonschema's.

    User schemas are checked against their metaschema first; bundled ones are checked by a test."""
    from ossa_lsp.core.schema.fastschema import compile_schema

    if not trusted:
        _check_schema(schema)
    base = path.parent if path is not None else schemas_dir()

    def load(name: str) -> Any:
        return json.loads((base / name).read_text("utf-8"))

    fast = compile_schema(schema, load, path.name if path is not None else "")
    if fast is not None:
        return fast
    return _jsonschema_validator(schema, path)


def _check_schema(schema: dict[str, Any]) -> None:
    """Raise SchemaError when `schema` is not valid against its metaschema."""
    problem = _fast_meta_problem(schema)
    if problem is False:
        return
    if problem is not None:
        raise SchemaError(problem)
    from jsonschema import exceptions, validators

    cls = validators.validator_for(schema, default=validators.Draft7Validator)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        raise SchemaError(f"not a valid JSON Schema at {where}: {err.message}") from None


_DRAFT7 = "http://json-schema.org/draft-07/schema"


@cache
def _draft7_meta() -> Any:
    """A compiled draft-07 metaschema (jsonschema_specifications' copy, read without importing it), or None."""
    import importlib.util

    from ossa_lsp.core.schema.fastschema import compile_schema

    try:
        spec = importlib.util.find_spec("jsonschema_specifications")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations)))
        meta = json.loads((folder / "schemas" / "draft7" / "metaschema.json").read_text("utf-8"))
    except (OSError, ValueError, StopIteration):
        return None
    return compile_schema(meta)


def _fast_meta_problem(schema: dict[str, Any]) -> str | bool | None:
    """Check a draft-07 schema with our compiled validator: importing jsonschema for this alone cost ~50 ms
    per `check --schema` run. False: valid; a message: invalid; None: not decided here (other draft, or
    the metaschema is unavailable), so jsonschema decides. Like jsonschema's `check_schema`, the only
    format it enforces is `regex`."""
    if str(schema.get("$schema", _DRAFT7)).rstrip("#") != _DRAFT7:
        return None
    meta = _draft7_meta()
    if meta is None:
        return None
    errors = [e for e in meta.iter_errors(schema) if e.validator != "format" or e.validator_value == "regex"]
    if not errors:
        return False
    err = min(errors, key=lambda e: (len(e.path), e.validator in ("anyOf", "oneOf")))  # jsonschema's relevance
    where = "/".join(str(p) for p in err.path) or "(root)"
    return f"not a valid JSON Schema at {where}: {err.message}"


def _jsonschema_validator(schema: dict[str, Any], path: Path | None) -> Any:
    from jsonschema import validators
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    cls = validators.validator_for(schema, default=validators.Draft7Validator)
    base = path.parent if path is not None else schemas_dir()

    def retrieve(uri: str) -> Resource[Any]:
        # Only files next to the schema (or inside our package) are ever read; never the network.
        name = uri.rsplit("/", 1)[-1]
        candidate = base / name
        if candidate.is_file():
            return Resource.from_contents(json.loads(candidate.read_text("utf-8")))
        raise NoSuchResource(uri)

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return cls(schema, registry=registry, format_checker=formats.jsonschema_checker())


class SchemaRegistry:
    """Bundled schemas by version; thread-safe lazy loading; one compiled validator per schema."""

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = directory
        self._compiled: dict[str, CompiledSchema] = {}
        self._files: dict[Path, CompiledSchema] = {}
        self._lock = threading.Lock()
        self.docs = SchemaDocs()  # every schema document its schemas' `$ref`s reach

    @cached_property
    def directory(self) -> Path:
        return self._dir or schemas_dir()

    @cached_property
    def catalog(self) -> list[VersionEntry]:
        data = json.loads((self.directory / "catalog.json").read_text("utf-8"))
        return [
            VersionEntry(
                version=v["version"],
                file=v.get("file"),
                kinds=tuple(v.get("kinds", ())),
                accepts=v.get("accepts") or "",
                status=v.get("status", "released"),
                kind_files=dict(v.get("kind_files") or {}),
            )
            for v in data["versions"]
        ]

    def supported(self) -> list[str]:
        """Released versions with a main (Agent) schema, oldest first."""
        return [e.version for e in self.catalog if e.file]

    def newest(self) -> str:
        return self.supported()[-1]

    def supported_text(self) -> str:
        versions = self.supported()
        if len(versions) > 6:
            return f"ossa/{versions[0]} to ossa/{versions[-1]}, listed by `ossa-lsp schema list`"
        return ", ".join(f"ossa/{v}" for v in versions)

    def choose(self, api_version: str, kind: str | None = None, default: str | None = None) -> Choice | None:
        """The schema for an apiVersion and kind, by the rules documented in core/schema/versions.py."""
        return choose(self.catalog, api_version, kind, default)

    def entry_for(self, api_version: str) -> VersionEntry | None:
        choice = self.choose(api_version)
        return choice.entry if choice is not None else None

    def get(self, version: str, kind: str | None = None) -> CompiledSchema:
        """The compiled schema of a bundled version (for `kind` when it has its own file)."""
        entry = next((e for e in self.catalog if e.version == version), None)
        if entry is None:
            raise SchemaError(f"no bundled schema for {version}")
        file = entry.kind_files.get(kind, entry.file) if kind else entry.file
        if file is None:
            file = next(iter(entry.kind_files.values()), None)
        if file is None:
            raise SchemaError(f"no bundled schema for {version}")
        return self.get_file(version, file)

    def get_file(self, version: str, file: str) -> CompiledSchema:
        with self._lock:
            hit = self._compiled.get(file)
            if hit is not None:
                return hit
            schema = json.loads((self.directory / file).read_text("utf-8"))
            self.docs.add(schema, self.directory / file)
            compiled = CompiledSchema(label=f"ossa/{version}", version=version, schema=schema,
                                      path=self.directory / file, trusted=True, docs=self.docs)
            self._compiled[file] = compiled
            return compiled

    def load_file(self, path: str | Path) -> CompiledSchema:
        """A user's schema file (e.g. an upstream schema for a version we don't bundle)."""
        p = Path(path).expanduser().resolve()
        with self._lock:
            hit = self._files.get(p)
        if hit is not None:
            return hit
        try:
            schema = json.loads(files.read_bytes(p).decode("utf-8"))  # bounded, regular files only
        except FileNotFoundError:
            raise SchemaError(f"schema file not found: {path}") from None
        except files.FileError as err:
            raise SchemaError(f"schema file not found: {path}" if err.kind == "missing"
                              else f"cannot read schema file {path}: {err}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise SchemaError(f"cannot read schema file {path}: {err}") from None
        except json.JSONDecodeError as err:
            raise SchemaError(f"schema file {path} is not JSON (line {err.lineno}, column {err.colno}): "
                              f"{err.msg}") from None
        if not isinstance(schema, (dict, bool)):
            raise SchemaError(f"schema file {path} is not a JSON Schema (top level is {type(schema).__name__})")
        compiled = CompiledSchema(label=str(path), version=None, schema=schema if isinstance(schema, dict) else {},
                                  path=p, docs=self.docs)
        self.docs.add(compiled.schema, p)
        compiled.validator  # noqa: B018 - compile now so a broken schema is reported up front
        with self._lock:
            self._files[p] = compiled
        return compiled

    def preload(self, versions: Iterable[str] = ()) -> None:
        for v in versions:
            self.get(v).validator  # noqa: B018

    def catalog_entries(self) -> list[VersionEntry]:
        return list(self.catalog)


REGISTRY = SchemaRegistry()
