"""The dbt project and the dbt CLI resource Dagster runs it with, for one workspace.

One target folder per workspace and dbt target (`<work dir>/dbt-target-<target>`) holds the
manifest, `partial_parse.msgpack` and the last run's artifacts. Every dbt call of the workspace
uses that folder, so partial parsing applies from the second call on and the folder's size stays
flat however many nights run (dagster-dbt's default is a fresh folder per call: a full parse each
time and a folder that grows every night).

The manifest is prepared once per code change (`prepare_manifest`, which parses only when a file
of the dbt project changed), not at import and not per run. dagster-dbt's own preparer is not used
because it parses on every code-location load and without the project's `metric_models` var.
"""

from __future__ import annotations

import json

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.transform.dbt_setup import DBT_EXECUTABLE, dbt_vars, prepare_manifest, target_dir


def dbt_project(settings: Settings) -> DbtProject:
    """The workspace's dbt project with its manifest prepared (parsed only if the code changed)."""
    prepare_manifest(settings)
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        target_path=target_dir(settings),
        profiles_dir=DBT_PROJECT_DIR,
        target=settings.target,
        # What `dagster-dbt project prepare-and-package` would run for a packaged deployment.
        prepare_project_cli_args=["parse", "--quiet", "--vars", json.dumps(dbt_vars())],
    )


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
