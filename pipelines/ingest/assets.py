"""One Dagster asset per stream, keyed ["raw", <table>] in group `ingest`.

- Analytics (GA4, Matomo, Plausible): daily partitions; a run for days A..B re-pulls
  A-(lookback-1)..B, because the last days of an analytics API still change.
- CRM (HubSpot contacts and deals, Pipedrive deals): unpartitioned and incremental (a
  high-water mark in raw.load_state that moves only when the rows commit).
- The export folder: one multi-asset for the tables its presets write (except tables an enabled
  API owns; files for those still load into them) plus raw.export_files.
Only sources enabled in sources.yml get assets.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext

from connectors.config import SourcesConfig
from connectors.exports import load_export_folder
from connectors.exports.presets import PRESETS
from connectors.http import redact
from connectors.load import LoadResult
from connectors.raw_tables import EXPORT_FILES_TABLE, ensure_raw_tables
from pipelines.ingest.partitions import daily_partitions
from pipelines.ingest.resources import IngestWorkspaceResource

GROUP = "ingest"
WORKSPACE_KEY = "ingest_workspace"

# Which raw tables each API source owns.
API_TABLES = {
    "ga4": ["ga4_daily_report"],
    "matomo": ["matomo_daily_report"],
    "plausible": ["plausible_daily_report"],
    "hubspot": ["hubspot_contacts", "hubspot_deals"],
    "pipedrive": ["pipedrive_deals"],
}


def _safe_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata goes through redaction like every log line (belt and braces: none of it should
    ever hold a secret, but an error text from an API could)."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in meta.items()}


def _window(context: AssetExecutionContext, lookback_days: int) -> tuple[dt.date, dt.date]:
    keys = context.partition_key_range
    start = dt.date.fromisoformat(keys.start) - dt.timedelta(days=lookback_days - 1)
    return start, dt.date.fromisoformat(keys.end)


def _analytics_asset(source: str, table: str, load: Callable[..., LoadResult]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", table],
        group_name=GROUP,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        required_resource_keys={WORKSPACE_KEY, f"{source}_api"},
        description=f"{source} daily report, re-pulling the trailing lookback window (connectors/{source}).",
        kinds={"python", "duckdb"},
    )
    def _asset(context: AssetExecutionContext) -> dg.MaterializeResult:
        ws: IngestWorkspaceResource = getattr(context.resources, WORKSPACE_KEY)
        sources = ws.sources()
        start, end = _window(context, sources.lookback_days)
        warehouse = ws.warehouse()
        ensure_raw_tables(warehouse, [table])
        result = load(context, sources, getattr(context.resources, f"{source}_api"), warehouse, start, end)
        context.log.info(redact(f"{source}: {result.rows} rows for {start}..{end} into raw.{table}"))
        return dg.MaterializeResult(metadata=_safe_metadata(result.metadata()))

    return _asset


def _load_ga4(context, sources: SourcesConfig, creds, warehouse, start, end) -> LoadResult:
    from connectors.ga4.streams import load_ga4_daily, make_client

    client = make_client(
        sources.ga4, access_token=creds.access_token or None, credentials=creds.credentials or None
    )
    return load_ga4_daily(warehouse, client, sources.ga4.property_id, start, end)


def _load_matomo(context, sources: SourcesConfig, api, warehouse, start, end) -> LoadResult:
    from connectors.matomo.streams import load_matomo_daily, make_client

    return load_matomo_daily(warehouse, make_client(sources.matomo, api.token), start, end)


def _load_plausible(context, sources: SourcesConfig, api, warehouse, start, end) -> LoadResult:
    from connectors.plausible.streams import load_plausible_daily, make_client

    return load_plausible_daily(warehouse, make_client(sources.plausible, api.token), start, end)


def _crm_asset(source: str, table: str, run: Callable[..., LoadResult]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", table],
        group_name=GROUP,
        required_resource_keys={WORKSPACE_KEY, f"{source}_api"},
        description=f"{source} {table}: incremental by last-modified time, upserted by id.",
        kinds={"python", "duckdb"},
    )
    def _asset(context: AssetExecutionContext) -> dg.MaterializeResult:
        ws: IngestWorkspaceResource = getattr(context.resources, WORKSPACE_KEY)
        sources = ws.sources()
        warehouse = ws.warehouse()
        ensure_raw_tables(warehouse, [table])
        result = run(sources, getattr(context.resources, f"{source}_api"), warehouse, ws.settings().timezone)
        context.log.info(
            redact(f"{source}: {result.rows} records written to raw.{table}; {'; '.join(result.notes)}")
        )
        return dg.MaterializeResult(metadata=_safe_metadata(result.metadata()))

    return _asset


def _hubspot(obj: str) -> Callable[..., LoadResult]:
    def run(sources: SourcesConfig, api, warehouse, timezone: str) -> LoadResult:
        from connectors.hubspot.streams import load_hubspot_object, make_client

        client = make_client(sources.hubspot, api.token)
        return load_hubspot_object(
            warehouse,
            client,
            obj,
            lead_source_property=sources.hubspot.lead_source_property,
            timezone=timezone,
        )

    return run


def _pipedrive(sources: SourcesConfig, api, warehouse, timezone: str) -> LoadResult:
    from connectors.pipedrive.streams import load_pipedrive_deals, make_client

    return load_pipedrive_deals(warehouse, make_client(sources.pipedrive, api.token), timezone=timezone)


def export_tables(sources: SourcesConfig) -> list[str]:
    """Raw tables the export asset declares: every preset table no enabled API asset owns."""
    owned = {t for s in sources.enabled_api_sources() for t in API_TABLES[s]}
    return [*sorted({p.table for p in PRESETS} - owned), EXPORT_FILES_TABLE]


def _exports_asset(sources: SourcesConfig) -> dg.AssetsDefinition:
    tables = export_tables(sources)

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
        required_resource_keys={WORKSPACE_KEY},
    )
    def _asset(context: AssetExecutionContext):
        ws: IngestWorkspaceResource = getattr(context.resources, WORKSPACE_KEY)
        cfg = ws.sources()
        settings = ws.settings()
        warehouse = ws.warehouse()
        ensure_raw_tables(warehouse)
        results = load_export_folder(warehouse, cfg.exports.folder, cfg.exports.timezone, settings.timezone)
        for r in results:
            if r.status == "rejected":
                context.log.error(redact(f"export file rejected: {r.error}"))
            elif r.status in ("loaded", "duplicate"):
                context.log.info(redact(f"{r.file_name}: {r.status}, {r.rows} rows into raw.{r.table}"))
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        rejected = [f"{r.file_name}: {r.error}" for r in results if r.status == "rejected"]
        for t in tables:
            if t == EXPORT_FILES_TABLE:
                meta = {"files": len(results), **{f"files_{k}": v for k, v in sorted(counts.items())}}
                if rejected:
                    meta["rejected"] = dg.MetadataValue.md("\n".join(f"- {x}" for x in rejected))
            else:
                mine = [r for r in results if r.table == t and r.status == "loaded"]
                meta = {"files_loaded": len(mine), "rows_loaded": sum(r.rows for r in mine)}
            yield dg.MaterializeResult(asset_key=["raw", t], metadata=_safe_metadata(meta))

    return _asset


def build_assets(sources: SourcesConfig) -> list[dg.AssetsDefinition]:
    """The assets of every enabled source, in a stable order."""
    assets: list[dg.AssetsDefinition] = []
    enabled = set(sources.enabled_api_sources())
    if "ga4" in enabled:
        assets.append(_analytics_asset("ga4", "ga4_daily_report", _load_ga4))
    if "matomo" in enabled:
        assets.append(_analytics_asset("matomo", "matomo_daily_report", _load_matomo))
    if "plausible" in enabled:
        assets.append(_analytics_asset("plausible", "plausible_daily_report", _load_plausible))
    if "hubspot" in enabled:
        assets.append(_crm_asset("hubspot", "hubspot_contacts", _hubspot("contacts")))
        assets.append(_crm_asset("hubspot", "hubspot_deals", _hubspot("deals")))
    if "pipedrive" in enabled:
        assets.append(_crm_asset("pipedrive", "pipedrive_deals", _pipedrive))
    if sources.exports.enabled:
        assets.append(_exports_asset(sources))
    return assets
