"""The dbt project and the dbt CLI resource Dagster runs it with, for one workspace.

One target folder per workspace and dbt target (`<work dir>/dbt-target-<target>`) holds the
manifest, `partial_parse.msgpack` and the last run's artifacts. Every dbt call of the workspace
uses that folder, so partial parsing applies from the second call on and the folder's size stays
flat however many nights run (dagster-dbt's default is a fresh folder per call: a full parse each
time and a folder that grows every night).

The manifest is prepared once per code change (`prepare_manifest`, which parses only when a file
of the dbt project changed), not at import and not per run. dagster-dbt's own preparer is not used
because it parses on every code-location load and without the project's `metric_models` var.

`OkrDbtCliResource` keeps dbt out of this process: dagster-dbt's resource would otherwise, on every
`cli()` call, import dbt here, load every dbt macro and register an adapter (only used to fetch
row counts and column metadata, which the assets do not ask for), and start `dbt --version` once
per run. That was about 10 % of a demo night's wall time, and the dbt state it left behind in a
long-lived process was part of its per-night memory growth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

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


class OkrDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without the in-process dbt adapter and version subprocess."""

    @cached_property
    def _cli_version(self) -> version.Version:
        # DBT_EXECUTABLE is this environment's dbt, so its version is the installed dbt-core's.
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        # No adapter: dagster-dbt needs one only for fetch_row_counts/fetch_column_metadata.
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return OkrDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
