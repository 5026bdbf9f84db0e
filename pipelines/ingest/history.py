"""History pulls (`okr ingest --from D --to D`, and the ingest half of `okr backfill`): load a date
range of every enabled API source, or of some of them, in ONE Dagster run.

The daily streams have a single-run backfill policy, so the run gives each of them the whole
range at once: one load per stream, one materialization per asset, and each client fetches the
range with as few requests as its API allows (GA4: one report with the date dimension, paged by
rows; Matomo: one `period=day` call over the range; Plausible: one query, paged; the ad platforms:
one report per account). Incremental streams (CRM records) read what changed since their
high-water mark, as on any night. Export files are not part of a pull (their sensor loads them).

A failed source is recorded like on any night (raw.source_load_status), its earlier rows stay, and
the other sources load; `IngestOutcome.failed` names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from connectors.config import load_sources
from connectors.registry import sources
from pipelines.ingest.partitions import daily_partitions
from pipelines.settings import Settings, load_settings

HISTORY_JOB = "ingest_history"


@dataclass(frozen=True)
class SourcePull:
    """What one source did in a pull: rows written and requests sent per stream, or its error."""

    source: str
    title: str
    tables: tuple[str, ...]
    rows: int = 0
    requests: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def sentence(self) -> str:
        """One plain line for the terminal."""
        if self.error:
            return (
                f"{self.title} ({self.source}) failed after {_count(self.requests, 'request')}: {self.error}"
            )
        tables = ", ".join(f"raw.{t}" for t in self.tables)
        counts = f"{_count(self.requests, 'request')}, {_count(self.rows, 'row')}"
        return f"{self.title} ({self.source}): {counts} ({tables})"


@dataclass
class IngestOutcome:
    """The pull's per-source results, in registry order; `error` when the run itself failed."""

    start: dt.date
    end: dt.date
    pulls: list[SourcePull] = field(default_factory=list)
    error: str = ""
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[SourcePull]:
        return [p for p in self.pulls if not p.ok]

    @property
    def requests(self) -> dict[str, int]:
        """Source name -> requests sent (what `make bench` records)."""
        return {p.source: p.requests for p in self.pulls}

    def summary(self) -> str:
        ok = len(self.pulls) - len(self.failed)
        total = sum(p.requests for p in self.pulls)
        return (
            f"{self.start}..{self.end}: {ok} of {len(self.pulls)} source(s) loaded, "
            f"{_count(total, 'request')} in one run"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def enabled_sources(settings: Settings, wanted: Iterable[str] = ()) -> list[str]:
    """The API sources to pull: `wanted` (each must be enabled in sources.yml), or every enabled
    one. Raises SourcesError naming an unknown or disabled source, or when none is enabled."""
    cfg = load_sources(settings.sources_file, settings.root)
    return cfg.choose_api_sources(wanted, settings.sources_file)


def source_asset_keys(names: Iterable[str]) -> list[dg.AssetKey]:
    """The raw-table assets of the named API sources."""
    wanted = set(names)
    return [dg.AssetKey(["raw", t.name]) for d in sources() if d.name in wanted for t in d.raw_tables]


def _history_job(settings: Settings, names: Sequence[str]) -> dg.JobDefinition:
    from pipelines.ingest import build_ingest

    ingest = build_ingest(settings)
    job = dg.define_asset_job(
        HISTORY_JOB,
        selection=dg.AssetSelection.assets(*source_asset_keys(names)),
        partitions_def=daily_partitions,
        description="Load a date range of the API sources in one run (okr ingest).",
        tags={"okr/warehouse": settings.target},
    )
    defs = dg.Definitions(assets=ingest.assets, jobs=[job], resources=ingest.resources)
    return defs.resolve_job_def(HISTORY_JOB)


def run_ingest(
    start: dt.date,
    end: dt.date,
    names: Sequence[str] = (),
    on_event: Callable[[dg.EventLogEntry], None] | None = None,
    settings: Settings | None = None,
) -> IngestOutcome:
    """Pull start..end of the named API sources (default: every enabled one) in one Dagster run.
    `on_event` gets every event of the run as it happens (the CLI's progress display)."""
    from pipelines.dagster_runs import execute_quietly, root_message, run_instance, step_seconds

    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    settings = settings or load_settings()
    chosen = enabled_sources(settings, names)
    job = _history_job(settings, chosen)
    tags = {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
    }
    outcome = IngestOutcome(start, end)
    with run_instance() as instance:
        result = execute_quietly(job, instance, on_event, tags=tags)
        outcome.step_seconds = step_seconds(instance, result.run_id)
        metas = _materialization_metadata(result.all_events)
        crashed = {
            e.step_key: root_message(e.step_failure_data.error)
            for e in result.all_events
            if e.event_type == dg.DagsterEventType.STEP_FAILURE
        }
        del result
    outcome.pulls = [_source_pull(name, metas, crashed) for name in chosen]
    if crashed and not any(p.error for p in outcome.pulls):
        outcome.error = "; ".join(f"{k}: {v}" for k, v in crashed.items())
    return outcome


def _materialization_metadata(events: Iterable[dg.DagsterEvent]) -> dict[str, dict[str, Any]]:
    """Raw table -> the plain values of its materialization's metadata."""
    out: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.event_type != dg.DagsterEventType.ASSET_MATERIALIZATION:
            continue
        m = e.step_materialization_data.materialization
        out[m.asset_key.path[-1]] = {k: getattr(v, "value", v) for k, v in m.metadata.items()}
    return out


def _source_pull(name: str, metas: dict[str, dict[str, Any]], crashed: dict[str, str]) -> SourcePull:
    descriptor = next(d for d in sources() if d.name == name)
    tables = tuple(t.name for t in descriptor.raw_tables)
    errors = []
    rows = requests = 0
    for t in tables:
        meta = metas.get(t)
        if meta is None:  # the step itself failed (guarded_load records nearly everything)
            errors.append(crashed.get(f"raw__{t}", f"raw.{t} was not loaded"))
            continue
        if meta.get("load_status") == "failed":
            errors.append(str(meta.get("error", "failed")))
        rows += int(meta.get("rows") or 0)
        requests += int(meta.get("requests") or 0)
    error = "; ".join(dict.fromkeys(errors))
    return SourcePull(name, descriptor.title, tables, rows, requests, error)
