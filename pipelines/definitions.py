"""The Dagster code location: every asset, check, job, schedule, sensor and resource, by concern.

`dagster dev` from the repo root loads this module ([tool.dagster] in pyproject.toml) and calls
`defs`. Importing the module does no work: no dbt parse, no subprocess, not even the Dagster asset
modules. `build_definitions` assembles them on first use and keeps them for the workspace until
the dbt project's code changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from pipelines.settings import Settings, load_settings

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

_built: dict[tuple, dg.Definitions] = {}


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    """The definitions for the workspace (default: OKR_WORKSPACE or the repo root)."""
    from pipelines.transform.dbt_resource import dbt_project

    settings = settings or load_settings()
    project = dbt_project(settings)  # parses only when a dbt file changed
    key = (settings.root, settings.target, project.manifest_path.stat().st_mtime_ns)
    if key not in _built:
        _built.clear()  # one set at a time: a long-lived process does not keep old ones
        _built[key] = _assemble(project)
    return _built[key]


def _assemble(project: DbtProject) -> dg.Definitions:
    from pipelines.ingest import ingest_assets, ingest_jobs, ingest_resources, ingest_sensors
    from pipelines.quality import quality_asset_checks, quality_assets
    from pipelines.reporting.scorecard_asset import scorecard
    from pipelines.resources import core_resources
    from pipelines.schedules import (
        nightly_scoring,
        nightly_scoring_schedule,
        weekly_digest,
        weekly_digest_schedule,
    )
    from pipelines.transform.dbt_assets import build_dbt_assets
    from pipelines.transform.dbt_resource import dbt_resource
    from pipelines.transform.okr_definitions_asset import okr_definitions

    dbt_staging_and_metrics, dbt_scoring = build_dbt_assets(project)
    return dg.Definitions(
        assets=[
            okr_definitions,
            *ingest_assets,
            dbt_staging_and_metrics,
            *quality_assets,
            dbt_scoring,
            scorecard,
        ],
        asset_checks=[*quality_asset_checks],
        jobs=[nightly_scoring, weekly_digest, *ingest_jobs],
        schedules=[nightly_scoring_schedule, weekly_digest_schedule],
        sensors=[*ingest_sensors],
        resources={**core_resources(), **ingest_resources, "dbt": dbt_resource(project)},
        # Every run's steps in the run's own process, one after the other, as `okr run` does.
        # Dagster's default for a launched run (the schedule, the UI) starts a process per step
        # and runs independent steps at once: two of them then opened the DuckDB warehouse
        # together and one failed on its lock, and each step paid the imports and the dbt parse
        # again (tests/pipelines/deploy/test_production_instance.py runs the nightly job that way).
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
