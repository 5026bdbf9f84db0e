"""`sources.yml`: which sources are on, their ids, base URLs, the names of the environment
variables that hold their secrets (never the secrets), the export folder and the lookback window.

`load_sources(path)` validates the file and raises `SourcesError` naming the file and the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError is a KeyError, which pydantic would not catch
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


class SourcesError(ValueError):
    """sources.yml is missing, malformed, or a value is wrong; the message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(_Strict):
    """Timeouts and retry bounds for one API (defaults suit a nightly batch)."""

    connect_timeout_s: float = Field(5, gt=0)
    read_timeout_s: float = Field(30, gt=0)
    max_attempts: int = Field(6, ge=1, le=20)
    total_budget_s: float = Field(300, gt=0)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "timeout": (self.connect_timeout_s, self.read_timeout_s),
            "max_attempts": self.max_attempts,
            "total_budget_s": self.total_budget_s,
            "backoff_base_s": self.backoff_base_s,
            "backoff_max_s": self.backoff_max_s,
        }


class _Source(_Strict):
    enabled: bool = False
    base_url: str
    http: HttpSettings = HttpSettings()

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {v!r}")
        return v.rstrip("/")


class GA4Source(_Source):
    base_url: str = "https://analyticsdata.googleapis.com"
    token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
    property_id: str = ""
    # Either a service-account key (a path to the JSON file, or the JSON itself) ...
    credentials_env: str = Field("GA4_SERVICE_ACCOUNT_JSON", pattern=_ENV_NAME)
    # ... or a ready OAuth access token.
    access_token_env: str = Field("GA4_ACCESS_TOKEN", pattern=_ENV_NAME)
    page_size: int = Field(10000, ge=1, le=250000)


class MatomoSource(_Source):
    base_url: str = ""
    site_id: str = ""
    token_env: str = Field("MATOMO_TOKEN", pattern=_ENV_NAME)


class PlausibleSource(_Source):
    base_url: str = "https://plausible.io"
    site_id: str = ""
    token_env: str = Field("PLAUSIBLE_API_KEY", pattern=_ENV_NAME)
    page_size: int = Field(10000, ge=1, le=10000)


class HubSpotSource(_Source):
    base_url: str = "https://api.hubapi.com"
    token_env: str = Field("HUBSPOT_TOKEN", pattern=_ENV_NAME)
    lead_source_property: str = "lead_source"  # a custom contact property; absent in many portals
    page_size: int = Field(100, ge=1, le=200)
    search_cap: int = Field(10000, ge=1)  # the search endpoint pages through at most this many


class PipedriveSource(_Source):
    base_url: str = "https://api.pipedrive.com"  # or https://<company>.pipedrive.com
    token_env: str = Field("PIPEDRIVE_API_TOKEN", pattern=_ENV_NAME)
    page_size: int = Field(500, ge=1, le=500)


class ExportsSource(_Strict):
    enabled: bool = False
    folder: Path = Path("exports")
    timezone: str = "Europe/Helsinki"  # the zone of times written in hand exports

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _check_zone(v)


class SourcesConfig(_Strict):
    lookback_days: int = Field(3, ge=1, le=90)  # analytics days re-pulled every night
    exports: ExportsSource = ExportsSource()
    ga4: GA4Source | None = None
    matomo: MatomoSource | None = None
    plausible: PlausibleSource | None = None
    hubspot: HubSpotSource | None = None
    pipedrive: PipedriveSource | None = None

    def enabled_api_sources(self) -> list[str]:
        return [
            n
            for n in ("ga4", "matomo", "plausible", "hubspot", "pipedrive")
            if getattr(self, n) and getattr(self, n).enabled
        ]


def _check_required(cfg: SourcesConfig, path: Path) -> None:
    required = {
        "ga4": ["property_id"],
        "matomo": ["base_url", "site_id"],
        "plausible": ["site_id"],
    }
    for name, keys in required.items():
        src = getattr(cfg, name)
        if src is None or not src.enabled:
            continue
        for key in keys:
            if not getattr(src, key):
                raise SourcesError(f"{path}: {name}.{key}: required when {name} is enabled")


def load_sources(path: str | Path, root: str | Path | None = None) -> SourcesConfig:
    """Read and validate sources.yml. Relative paths (the export folder) resolve against `root`
    (the workspace; default the file's folder). A missing file means: no sources enabled."""
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
