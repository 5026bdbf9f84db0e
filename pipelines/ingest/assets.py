"""One Dagster asset per stream of every enabled source, keyed ["raw", <table>] in group `ingest`,
generated from the source registry (connectors/registry.py).

- `daily` streams (analytics reports): daily partitions; a run for days A..B re-pulls
  A-(lookback-1)..B, because the last days of an analytics API still change.
- `incremental` streams (CRM records): unpartitioned; a high-water mark in raw.load_state that
  moves only when the rows commit.
- The export folder: one multi-asset for the tables its presets write (except tables an enabled
  API owns; files for those still load into them) plus raw.export_files.

Each source loads on its own: a failure (a dead API, a bad token, a missing variable, a bug in a
hook) is recorded in raw.source_load_status and shown as a failed `source_load` asset check; the
asset still completes (its table keeps the last good data), so the run goes on to scoring.
"""

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext

from connectors.config import SourcesConfig, api_config
from connectors.exports import load_export_folder
from connectors.exports.presets import PRESETS
from connectors.http import redact
from connectors.load import LoadResult
from connectors.load_status import plain_error, record_load
from connectors.raw_tables import EXPORT_FILES_TABLE, ensure_raw_tables
from connectors.registry import LoadRequest, SourceDescriptor, Stream, api_tables, sources
from pipelines.ingest.partitions import daily_partitions
from pipelines.ingest.resources import IngestWorkspaceResource, SourceSecretResource, secret_resource_key

GROUP = "ingest"
WORKSPACE_KEY = "ingest_workspace"
LOAD_CHECK = "source_load"
EXPORTS_SOURCE = "exports"
log = logging.getLogger("pipelines.ingest")


def _safe_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata goes through redaction like every log line (belt and braces: none of it should
    ever hold a secret, but an error text from an API could)."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in meta.items()}


def _window(context: AssetExecutionContext, lookback_days: int) -> tuple[dt.date, dt.date]:
    keys = context.partition_key_range
    start = dt.date.fromisoformat(keys.start) - dt.timedelta(days=lookback_days - 1)
    return start, dt.date.fromisoformat(keys.end)


def _load_check_spec(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        LOAD_CHECK,
        asset=dg.AssetKey(["raw", table]),
        description="The latest load of this table succeeded (raw.source_load_status).",
        blocking=False,
    )


def guarded_load(
    context: AssetExecutionContext,
    warehouse: Any,
    source: str,
    tables: list[str],
    load: Callable[[], dict[str, dict[str, Any]]],
) -> dict[str, tuple[dict[str, Any], dg.AssetCheckResult]]:
    """Run `load` (table -> metadata) and record the outcome; any exception becomes that source's
    recorded failure (one plain sentence), never the run's. Returns per table its metadata and
    check result."""
    try:
        metas = load()
    except Exception as exc:
        error = plain_error(exc)
        record_load(warehouse, source, tables, error=error)
        context.log.error(redact(f"{source}: {error}"))
        context.log.debug(redact("".join(traceback.format_exception(exc))))
        check_meta = {"error": error, "source": source}
        return {
            t: (
                {"load_status": "failed", "error": error},
                dg.AssetCheckResult(
                    asset_key=dg.AssetKey(["raw", t]),
                    check_name=LOAD_CHECK,
                    passed=False,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=f"{source} failed to load; raw.{t} keeps its last good data.",
                    metadata=_safe_metadata(check_meta),
                ),
            )
            for t in tables
        }
    record_load(warehouse, source, tables)
    return {
        t: (
            {**metas.get(t, {}), "load_status": "ok"},
            dg.AssetCheckResult(asset_key=dg.AssetKey(["raw", t]), check_name=LOAD_CHECK, passed=True),
        )
        for t in tables
    }


def _secrets(context: AssetExecutionContext, descriptor: SourceDescriptor) -> dict[str, str]:
    out = {}
    for c in descriptor.credentials:
        key = secret_resource_key(descriptor.name, c.key)
        resource: SourceSecretResource = getattr(context.resources, key)
        out[c.key] = resource.get(descriptor.name, c.required)
    return out


def _requests_sent(client: Any) -> int | None:
    """Requests a load's client sent, token exchanges included (each load has its own client)."""
    sent = getattr(getattr(client, "http", None), "requests_sent", None)
    return sent if isinstance(sent, int) else None


def _stream_asset(descriptor: SourceDescriptor, stream: Stream) -> dg.AssetsDefinition:
    table = descriptor.table(stream.table)
    daily = stream.kind == "daily"
    secret_keys = {secret_resource_key(descriptor.name, c.key) for c in descriptor.credentials}

    @dg.asset(
        key=["raw", table.name],
        group_name=GROUP,
        partitions_def=daily_partitions if daily else None,
        backfill_policy=dg.BackfillPolicy.single_run() if daily else None,
        required_resource_keys={WORKSPACE_KEY, *secret_keys},
        description=f"{stream.description or table.description} (connectors/{descriptor.name})",
        kinds={"python", "duckdb"},
        check_specs=[_load_check_spec(table.name)],
    )
    def _asset(context: AssetExecutionContext) -> dg.MaterializeResult:
        ws: IngestWorkspaceResource = getattr(context.resources, WORKSPACE_KEY)
        cfg = ws.sources()
        warehouse = ws.warehouse()
        ensure_raw_tables(warehouse, [table.name])
        start, end = _window(context, cfg.lookback_days) if daily else (None, None)

        made: list[Any] = []  # the load's client, for its request count when the load fails

        def load() -> dict[str, dict[str, Any]]:
            config = api_config(cfg, descriptor.name)
            client = descriptor.make_client(config, _secrets(context, descriptor))
            made.append(client)
            request = LoadRequest(
                config=config,
                client=client,
                warehouse=warehouse,
                timezone=ws.settings().timezone,
                start=start,
                end=end,
            )
            result: LoadResult = stream.load(request)
            sent = _requests_sent(client)
            if sent is not None:
                result.requests = sent
            span = f" for {start}..{end}" if daily else ""
            notes = f"; {'; '.join(result.notes)}" if result.notes else ""
            context.log.info(
                redact(f"{descriptor.name}: {result.rows} rows{span} written to raw.{table.name}{notes}")
            )
            return {table.name: result.metadata()}

        meta, check = guarded_load(context, warehouse, descriptor.name, [table.name], load)[table.name]
        if "requests" not in meta and made and (sent := _requests_sent(made[0])) is not None:
            meta["requests"] = sent  # a failed load: what it sent before it gave up
        return dg.MaterializeResult(metadata=_safe_metadata(meta), check_results=[check])

    return _asset


def export_tables(cfg: SourcesConfig) -> list[str]:
    """Raw tables the export asset declares: every preset table no enabled API asset owns."""
    owned_by = api_tables()
    owned = {t for s in cfg.enabled_api_sources() for t in owned_by[s]}
    return [*sorted({p.table for p in PRESETS} - owned), EXPORT_FILES_TABLE]


def _exports_asset(cfg: SourcesConfig) -> dg.AssetsDefinition:
    tables = export_tables(cfg)
    data_tables = [t for t in tables if t != EXPORT_FILES_TABLE]

    @dg.multi_asset(
        name="export_folder",
        specs=[
            dg.AssetSpec(
                ["raw", t],
                group_name=GROUP,
                kinds={"python", "duckdb"},
                description="Registry of export files: name, content hash, rows, status, error."
                if t == EXPORT_FILES_TABLE
                else f"raw.{t} rows loaded from hand exports in the drop folder (connectors/exports).",
                skippable=True,
            )
            for t in tables
        ],
        check_specs=[_load_check_spec(t) for t in data_tables],
        required_resource_keys={WORKSPACE_KEY},
    )
    def _asset(context: AssetExecutionContext):
        ws: IngestWorkspaceResource = getattr(context.resources, WORKSPACE_KEY)
        settings = ws.settings()
        exports = ws.sources().exports
        warehouse = ws.warehouse()
        ensure_raw_tables(warehouse)
        files: dict[str, Any] = {}

        def load() -> dict[str, dict[str, Any]]:
            results = load_export_folder(warehouse, exports.folder, exports.timezone, settings.timezone)
            files["results"] = results
            for r in results:
                if r.status == "rejected":
                    context.log.error(redact(f"export file rejected: {r.error}"))
                elif r.status in ("loaded", "duplicate"):
                    context.log.info(redact(f"{r.file_name}: {r.status}, {r.rows} rows into raw.{r.table}"))
            out = {}
            for t in data_tables:
                mine = [r for r in results if r.table == t and r.status == "loaded"]
                out[t] = {"files_loaded": len(mine), "rows_loaded": sum(r.rows for r in mine)}
            return out

        outcome = guarded_load(context, warehouse, EXPORTS_SOURCE, data_tables, load)
        results = files.get("results", [])
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        rejected = [f"{r.file_name}: {r.error}" for r in results if r.status == "rejected"]
        meta = {"files": len(results), **{f"files_{k}": v for k, v in sorted(counts.items())}}
        if rejected:
            meta["rejected"] = dg.MetadataValue.md("\n".join(f"- {x}" for x in rejected))
        yield dg.MaterializeResult(asset_key=["raw", EXPORT_FILES_TABLE], metadata=_safe_metadata(meta))
        for t in data_tables:
            table_meta, check = outcome[t]
            yield dg.MaterializeResult(asset_key=["raw", t], metadata=_safe_metadata(table_meta))
            yield check

    return _asset


def build_assets(cfg: SourcesConfig) -> list[dg.AssetsDefinition]:
    """The assets of every enabled source, in registry order, then the export folder."""
    enabled = set(cfg.enabled_api_sources())
    assets = [_stream_asset(d, s) for d in sources() if d.name in enabled for s in d.streams]
    if cfg.exports.enabled:
        assets.append(_exports_asset(cfg))
    return assets
