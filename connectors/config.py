"""`sources.yml`: which sources are on, their ids, base URLs, the names of the environment
variables that hold their secrets (never the secrets), the export folder and the lookback window.

The API sections come from the source registry (connectors/registry.py): each source's config
model is one optional key of `SourcesConfig`. `load_sources(path)` validates the file and raises
`SourcesError` naming the file and the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field, ValidationError, create_model, field_validator

from connectors.registry import ApiSourceConfig, HttpSettings, SourcesError, StrictModel, sources

__all__ = [
    "ExportsSource",
    "HttpSettings",
    "SourcesConfig",
    "SourcesError",
    "api_config",
    "load_sources",
    "secret_from_env",
]


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError is a KeyError, which pydantic would not catch
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


class ExportsSource(StrictModel):
    enabled: bool = False
    folder: Path = Path("exports")
    timezone: str = "Europe/Helsinki"  # the zone of times written in hand exports

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _check_zone(v)


class _SourcesBase(StrictModel):
    lookback_days: int = Field(3, ge=1, le=90)  # analytics days re-pulled every night
    exports: ExportsSource = ExportsSource()

    def enabled_api_sources(self) -> list[str]:
        """Names of the API sources switched on, in registry order."""
        return [d.name for d in sources() if (cfg := api_config(self, d.name)) is not None and cfg.enabled]

    def choose_api_sources(self, wanted: Iterable[str], sources_file: Path | str) -> list[str]:
        """The API sources to pull: `wanted` (each must be enabled), or every enabled one, in
        registry order. Raises SourcesError naming an unknown or disabled source (as set in
        `sources_file`), or when none is enabled. Here, not beside the Dagster jobs, so that a
        mistyped `okr ingest --source` is answered without importing Dagster."""
        enabled = self.enabled_api_sources()
        known = [d.name for d in sources()]
        chosen = list(dict.fromkeys(wanted))
        for name in chosen:
            if name not in known:
                raise SourcesError(f"no source called {name!r} (known: {', '.join(known)})")
            if name not in enabled:
                raise SourcesError(f"{name} is not enabled in {sources_file} ({name}.enabled: false)")
        if not chosen and not enabled:
            raise SourcesError(f"no API source is enabled in {sources_file}; nothing to pull")
        return [n for n in known if n in (chosen or enabled)]


# One optional section per registered source: `ga4: GA4Source | None = None`, ...
SourcesConfig: type[_SourcesBase] = create_model(  # type: ignore[call-overload]
    "SourcesConfig",
    __base__=_SourcesBase,
    **{d.name: (d.config_model | None, None) for d in sources()},
)


def api_config(cfg: _SourcesBase, name: str) -> ApiSourceConfig | None:
    """The section of source `name` (None when sources.yml has none)."""
    return getattr(cfg, name, None)


def _check_required(cfg: _SourcesBase, path: Path) -> None:
    for d in sources():
        src = api_config(cfg, d.name)
        if src is None or not src.enabled:
            continue
        for key in d.required_keys:
            if not getattr(src, key):
                raise SourcesError(f"{path}: {d.name}.{key}: required when {d.name} is enabled")


def load_sources(path: str | Path, root: str | Path | None = None) -> _SourcesBase:
    """Read and validate sources.yml into a `SourcesConfig`. Relative paths (the export folder)
    resolve against `root` (the workspace; default the file's folder). A missing file means: no
    sources enabled."""
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    if not path.exists():
        return SourcesConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourcesError(f"{path}: expected a mapping of sources at the top level")
    try:
        cfg = SourcesConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{path}: {key}: {msg}")
        raise SourcesError("\n".join(problems)) from exc
    _check_required(cfg, path)
    folder = cfg.exports.folder
    if not folder.is_absolute():
        folder = (root / folder).resolve()
    return cfg.model_copy(update={"exports": cfg.exports.model_copy(update={"folder": folder})})


def secret_from_env(env_name: str, source: str) -> str:
    """The secret held in `env_name`, or a clear error naming the variable (never the value)."""
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise SourcesError(f"{source}: the environment variable {env_name} is not set (sources.yml names it)")
    return value
