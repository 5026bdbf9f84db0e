"""The source registry: every API source describes itself once, and the rest is generated.

A source lives in one folder, `connectors/<name>/`, whose `source.py` exports `SOURCE`, a
`SourceDescriptor`. `sources()` finds every such folder (no list to edit), and from the
descriptors come:

- `connectors/config.py`: the `<name>:` section of sources.yml (the descriptor's config model),
  its required keys, and `SourcesConfig.enabled_api_sources()`;
- `connectors/raw_tables.py`: the raw tables and their columns (`ensure_raw_tables` creates them,
  so dbt staging compiles even for a source that never loaded);
- `pipelines/ingest`: one Dagster asset per stream, one secret resource per credential, and a
  load-status asset check per stream (`raw.source_load_status` records every attempt);
- `pipelines/quality`: the source checks (their rules come from the dbt properties YAML of the
  staging models the descriptor names).

Adding a source (docs/contributing.md walks through it): the folder `connectors/<name>/`
(`__init__.py`, `source.py`, `client.py`, `streams.py`, `README.md`), its staging folder
`dbt_project/models/staging/<name>/`, and the `<name>:` section in sources.yml. Nothing else.

The contract below is what a source folder writes against; keep it stable.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:  # imported for type hints only: the registry must stay cheap to import
    from connectors.load import LoadResult
    from connectors.warehouse import Warehouse

ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$"


class SourcesError(ValueError):
    """sources.yml is missing, malformed, or a value is wrong (or a secret it names is not set);
    the message names the file or source and the key (never a secret's value)."""


# -- configuration (one section of sources.yml) --------------------------------------------------
class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must not silently fall back to a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(StrictModel):
    """Timeouts and retry bounds for one API (defaults suit a nightly batch)."""

    connect_timeout_s: float = Field(5, gt=0)
    read_timeout_s: float = Field(30, gt=0)
    max_attempts: int = Field(6, ge=1, le=20)
    total_budget_s: float = Field(300, gt=0)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `connectors.http.HttpClient`."""
        return {
            "timeout": (self.connect_timeout_s, self.read_timeout_s),
            "max_attempts": self.max_attempts,
            "total_budget_s": self.total_budget_s,
            "backoff_base_s": self.backoff_base_s,
            "backoff_max_s": self.backoff_max_s,
        }


class ApiSourceConfig(StrictModel):
    """Base of every source's config model (its section of sources.yml).

    Subclass it in `connectors/<name>/source.py` with the source's own keys and defaults. Keys
    that name an environment variable holding a secret end in `_env` and use
    `Field("DEFAULT_NAME", pattern=ENV_NAME_PATTERN)`; the secret itself never goes in the file.
    """

    enabled: bool = False
    base_url: str
    http: HttpSettings = HttpSettings()

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {v!r}")
        return v.rstrip("/")


ConfigT = TypeVar("ConfigT", bound=ApiSourceConfig)


# -- the parts of a descriptor ---------------------------------------------------------------------
@dataclass(frozen=True)
class Credential:
    """One secret the source reads from an environment variable.

    key: the name the client factory receives it under (`secrets["token"]`).
    env_field: the config key that names the variable (`token_env`); its value in sources.yml
        (or the model's default) is the variable's name, e.g. HUBSPOT_TOKEN.
    required: when True and the variable is empty, the load is a recorded failure whose message
        names the variable, and no request is sent. Alternatives (GA4: an access token OR a
        service-account key) are each `required=False`; `make_client` then raises `SourcesError`
        naming both when neither is set.
    description: what the secret is, for docs and error messages ("a private-app token").
    """

    key: str
    env_field: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Freshness:
    """When a raw table's data counts as late.

    column: the date or timestamp column whose newest value says how far the data reaches
        (the same column is `meta.okr_freshness_column` on the staging model).
    max_lag_days: how many days behind the scoring date that newest value may be before the
        source-freshness check warns (GA4 needs 2 days to finish a day; CRM data is sparser).
    """

    column: str
    max_lag_days: int


@dataclass(frozen=True)
class RawTable:
    """A table in schema `raw` that the source writes.

    name: the table (`hubspot_deals`); by convention prefixed with the source's name.
    columns: data columns -> SQL type (VARCHAR, BIGINT, DOUBLE PRECISION, BOOLEAN, DATE,
        TIMESTAMP), in order. The load metadata columns (`_source`, `_stream`, `_loaded_at`,
        `_partition`) are appended by connectors/raw_tables.py; do not list them. Event times are
        stored as naive local time of the workspace zone, amounts as numbers, categories as the
        source's internal values, personal data never (hash it).
    unique_key: columns that identify a row (a CRM record's id; a daily report's day plus its
        dimensions). The upsert key of incremental streams and a structural source check.
    freshness: see `Freshness`; None for a table without a date (rare).
    description: one sentence for the Dagster asset and the docs.
    """

    name: str
    columns: Mapping[str, str]
    unique_key: tuple[str, ...] = ()
    freshness: Freshness | None = None
    description: str = ""


@dataclass(frozen=True)
class LoadRequest(Generic[ConfigT]):
    """Everything a stream's load function gets, built by the ingest step.

    config: the source's validated section of sources.yml (its config model).
    client: what the descriptor's `make_client` returned (one per asset run).
    warehouse: the raw schema of the workspace's warehouse; write through connectors/load.py
        (`replace_days`, `upsert_records`) so data and state commit together or not at all.
    start, end: the days to (re)load, inclusive, for `kind="daily"` streams: the partition range
        widened by the lookback window, or a history pull's whole range. None for incremental
        streams, which keep their own high-water mark (`warehouse.get_state`).
    timezone: the workspace time zone (convert event times to naive local time with it).
    full_refresh: ignore the high-water mark and read everything (incremental streams).
    """

    config: ConfigT
    client: Any
    warehouse: Warehouse
    timezone: str
    start: dt.date | None = None
    end: dt.date | None = None
    full_refresh: bool = False


@dataclass(frozen=True)
class Stream:
    """One thing the source loads into one raw table.

    name: the stream (`daily_report`, `deals`); written to the rows' `_stream` column.
    table: the `RawTable.name` it writes.
    kind: "daily": partitioned by day; each run replaces the days start..end (analytics reports
        whose recent days still change). "incremental": unpartitioned; reads what changed since
        the high-water mark and upserts by `unique_key` (CRM records).
    load: `load(request: LoadRequest) -> LoadResult`. Must raise on failure (an `HttpError`,
        `SourcesError` or any exception with a plain message); the ingest step records it in
        raw.source_load_status and the other sources go on. Must leave earlier data as it was
        when it raises (one transaction per load).
    description: one sentence for the Dagster asset.
    """

    name: str
    table: str
    kind: Literal["daily", "incremental"]
    load: Callable[[LoadRequest[Any]], LoadResult]
    description: str = ""


@dataclass(frozen=True)
class SourceDescriptor(Generic[ConfigT]):
    """Everything the pipeline needs to know about one API source.

    name: the source's key: its folder under connectors/, its section in sources.yml, the
        `_source` value of its rows, the prefix of its Dagster resources (`<name>_<credential>`),
        and the name in every error message. Lower case, letters, digits and underscores.
    title: the product's name for people ("Google Analytics 4").
    config_model: its `ApiSourceConfig` subclass (the `<name>:` section of sources.yml).
    required_keys: config keys that must be non-empty when the source is enabled (a self-hosted
        Matomo's base_url, GA4's property_id); sources.yml errors name `<name>.<key>`.
    credentials: the secrets it reads from environment variables (see `Credential`).
    make_client: `make_client(config, secrets, **http_overrides) -> client`; `secrets` maps
        `Credential.key` to its value ("" when unset and not required). Build the client on one
        `connectors.http.HttpClient(name, secrets=..., token_env=..., retry_hook=...,
        **{**config.http.client_kwargs(), **http_overrides})` so retries, the time budget,
        Retry-After and redaction are shared, and page with `connectors.http.paginate`.
    raw_tables: the tables it writes, with their columns (see `RawTable`).
    streams: what it loads (see `Stream`), each into one of `raw_tables`.
    staging_models: the dbt models in dbt_project/models/staging/<name>/ that read its raw
        tables (`stg_<name>__<entity>s`); their properties YAML holds the data rules (tests and
        `meta`) from which the source's Great Expectations suites are generated.
    """

    name: str
    title: str
    config_model: type[ConfigT]
    credentials: tuple[Credential, ...]
    make_client: Callable[..., Any]
    raw_tables: tuple[RawTable, ...]
    streams: tuple[Stream, ...]
    staging_models: tuple[str, ...] = ()
    required_keys: tuple[str, ...] = ()
    _tables_by_name: dict[str, RawTable] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tables = {t.name: t for t in self.raw_tables}
        object.__setattr__(self, "_tables_by_name", tables)
        for s in self.streams:
            if s.table not in tables:
                raise ValueError(f"source {self.name}: stream {s.name} writes {s.table}, not its raw table")
        for c in self.credentials:
            if c.env_field not in self.config_model.model_fields:
                raise ValueError(f"source {self.name}: credential {c.key}: no config key {c.env_field}")

    def table(self, name: str) -> RawTable:
        """The raw table called `name`."""
        return self._tables_by_name[name]

    def env_names(self, config: ApiSourceConfig) -> dict[str, str]:
        """Credential key -> the name of the environment variable that holds it (from `config`)."""
        return {c.key: str(getattr(config, c.env_field)) for c in self.credentials}

    @property
    def freshness(self) -> dict[str, Freshness]:
        """The freshness rule of each raw table that has one."""
        return {t.name: t.freshness for t in self.raw_tables if t.freshness is not None}


# -- discovery -----------------------------------------------------------------------------------
def _discover() -> tuple[SourceDescriptor[Any], ...]:
    import connectors

    found: list[SourceDescriptor[Any]] = []
    for info in sorted(pkgutil.iter_modules(connectors.__path__), key=lambda m: m.name):
        # Look before importing: a shared package (http, warehouse, exports) has no source.py,
        # and importing it here could run into a module that is still importing us.
        folder = Path(getattr(info.module_finder, "path", "")) / info.name
        if not info.ispkg or not (folder / "source.py").is_file():
            continue
        module = importlib.import_module(f"connectors.{info.name}.source")
        descriptor = getattr(module, "SOURCE", None)
        if not isinstance(descriptor, SourceDescriptor):
            raise TypeError(f"connectors/{info.name}/source.py must define SOURCE = SourceDescriptor(...)")
        if descriptor.name != info.name:
            raise ValueError(f"connectors/{info.name}/source.py: SOURCE.name is {descriptor.name!r}")
        found.append(descriptor)
    return tuple(found)


@functools.cache
def sources() -> tuple[SourceDescriptor[Any], ...]:
    """Every API source, in name order (found once per process)."""
    return _discover()


def source(name: str) -> SourceDescriptor[Any]:
    """The descriptor called `name`."""
    for d in sources():
        if d.name == name:
            return d
    raise KeyError(f"no source {name!r} (known: {', '.join(d.name for d in sources())})")


def api_tables() -> dict[str, list[str]]:
    """Source name -> the raw tables it writes."""
    return {d.name: [t.name for t in d.raw_tables] for d in sources()}
