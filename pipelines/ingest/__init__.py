"""Ingest: Dagster assets, job, sensor and resources for every source enabled in sources.yml.

For pipelines/definitions.py:
    from pipelines.ingest import ingest_assets, ingest_jobs, ingest_resources, ingest_sensors
and call `ensure_raw_tables(warehouse)` (re-exported here) before dbt runs, so every staging
model has its raw table even for a source that never loaded. `source_load_failures(warehouse)`
lists the sources whose latest load failed (raw.source_load_status), for the CLI and reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from connectors.config import SourcesConfig, load_sources
from connectors.load_status import LoadFailure, source_load_failures
from connectors.raw_tables import ensure_raw_tables
from pipelines.ingest.assets import build_assets, export_tables
from pipelines.ingest.partitions import daily_partitions
from pipelines.ingest.resources import IngestWorkspaceResource, api_resources
from pipelines.ingest.sensors import EXPORTS_JOB, build_export_sensor
from pipelines.settings import Settings, load_settings


@dataclass
class IngestDefinitions:
    assets: list[dg.AssetsDefinition]
    jobs: list = field(default_factory=list)
    sensors: list[dg.SensorDefinition] = field(default_factory=list)
    resources: dict[str, dg.ConfigurableResource] = field(default_factory=dict)


def build_ingest(settings: Settings | None = None, sources: SourcesConfig | None = None) -> IngestDefinitions:
    """The ingest definitions of a workspace (default: the current one, see load_settings)."""
    settings = settings or load_settings()
    sources = sources or load_sources(settings.sources_file, settings.root)
    resources: dict[str, dg.ConfigurableResource] = {
        "ingest_workspace": IngestWorkspaceResource(root=str(settings.root)),
        **api_resources(sources),
    }
    defs = IngestDefinitions(assets=build_assets(sources), resources=resources)
    if sources.exports.enabled:
        job = dg.define_asset_job(
            EXPORTS_JOB,
            selection=dg.AssetSelection.assets(*[["raw", t] for t in export_tables(sources)]),
            description="Load new or changed files from the export drop folder.",
            # One writer per warehouse at a time (deploy/dagster.yaml queues by this tag).
            tags={"okr/warehouse": settings.target},
        )
        defs.jobs.append(job)
        defs.sensors.append(build_export_sensor(job))
    return defs


_defs = build_ingest()
ingest_assets = _defs.assets
ingest_jobs = _defs.jobs
ingest_sensors = _defs.sensors
ingest_resources = _defs.resources

__all__ = [
    "IngestDefinitions",
    "LoadFailure",
    "build_ingest",
    "daily_partitions",
    "ensure_raw_tables",
    "ingest_assets",
    "ingest_jobs",
    "ingest_resources",
    "ingest_sensors",
    "source_load_failures",
]
