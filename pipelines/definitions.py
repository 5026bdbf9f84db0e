"""The Dagster code location: every asset, check, job, schedule, sensor and resource, by concern.

`dagster dev` from the repo root loads this module ([tool.dagster] in pyproject.toml).
"""

from __future__ import annotations

import dagster as dg

from pipelines.ingest import ingest_assets, ingest_jobs, ingest_resources, ingest_sensors
from pipelines.quality import quality_asset_checks, quality_assets
from pipelines.reporting.scorecard_asset import scorecard
from pipelines.resources import core_resources
from pipelines.schedules import nightly_scoring, nightly_scoring_schedule
from pipelines.transform.dbt_assets import dbt_scoring, dbt_staging_and_metrics
from pipelines.transform.definitions_asset import okr_definitions

defs = dg.Definitions(
    assets=[
        okr_definitions,
        *ingest_assets,
        dbt_staging_and_metrics,
        *quality_assets,
        dbt_scoring,
        scorecard,
    ],
    asset_checks=[*quality_asset_checks],
    jobs=[nightly_scoring, *ingest_jobs],
    schedules=[nightly_scoring_schedule],
    sensors=[*ingest_sensors],
    resources={**core_resources(), **ingest_resources},
)
