"""The dbt project and the dbt CLI resource Dagster runs it with, for one workspace.

One target folder per workspace and dbt target (`<work dir>/dbt-target-<target>`) holds the
manifest, `partial_parse.msgpack` and the last run's artifacts. Every dbt call of the workspace
uses that folder, so partial parsing applies from the second call on and the folder's size stays
flat however many nights run (dagster-dbt's default is a fresh folder per call: a full parse each
time and a folder that grows every night).

The manifest is prepared once per code change (`prepare_manifest`, which parses only when a file
of the dbt project changed), not at import and not per run. dagster-dbt's own preparer is not used
because it parses on every code-location load and without the project's `metric_models` var.

`OkrDbtCliResource.run` runs dbt in this process (`dbt_in_process.py`) and reads its events with
dagster-dbt's own `DbtCliInvocation`; the selection comes from dagster-dbt as for `cli()`. It
skips what `cli()` adds around a subprocess: dagster-dbt's in-process adapter (only used to fetch
row counts and column metadata, which the assets do not ask for) and its `dbt --version` call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import AssetExecutionContext, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, DbtProject
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
    """dagster-dbt's dbt resource, with dbt run in this process (`run`)."""

    def run(
        self,
        args: Sequence[str],
        *,
        context: AssetExecutionContext,
        manifest: Path,
        dagster_dbt_translator: DagsterDbtTranslator,
        target_path: Path,
        selection: Sequence[str] | None = None,
    ) -> DbtCliInvocation:
        """`cli()` for an asset step, with dbt in this process: stream() its events as usual.
        `selection` (--select/--exclude arguments) replaces the step's own selection, for a step
        that runs all of its assets but knows which of them need dbt."""
        from dagster_dbt.asset_utils import (
            extract_runtime_selection_from_args,
            get_updated_cli_invocation_params_for_context,
        )
        from dagster_dbt.dbt_manifest import validate_manifest

        from pipelines.transform.dbt_in_process import InProcessDbt

        args, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest),
            dagster_dbt_translator=dagster_dbt_translator,
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        process = InProcessDbt(
            [
                *args,
                *_option("--project-dir", project_dir),
                *_option("--profiles-dir", self.profiles_dir),
                *_option("--target", self.target),
                *_option("--target-path", target_path),
                # dbt.log (JSON) beside the run's other artifacts, as dagster-dbt's subprocess
                # wrote it; nothing on stdout: dagster-dbt prints every event it reads.
                *_option("--log-path", target_path),
                *_option("--log-format-file", "json"),
                *_option("--log-level", "none"),
                *_option("--indirect-selection", params.indirect_selection),
                *(params.selection_args if selection is None else selection),
            ]
        )
        return _NamedErrorInvocation(
            process=process,  # type: ignore[arg-type]  # the subprocess interface it reads
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=True,
            context=context,
            cli_version=self._cli_version,
            project=params.dbt_project,
        )

    @cached_property
    def _cli_version(self) -> version.Version:
        # dbt runs in this environment, so its version is the installed dbt-core's (the base
        # class would start `dbt --version` to find out).
        return version.parse(installed_version("dbt-core"))


class _NamedErrorInvocation(DbtCliInvocation):
    """dagster-dbt's invocation, whose error names what failed and why in one line."""

    def get_error(self) -> Exception | None:
        error = super().get_error()
        summary = dbt_error_summary(str(error)) if error is not None else None
        return Failure(description=summary) if summary else error


_DBT_NODE_RESULT = re.compile(r"^\d+ of \d+ ")  # "12 of 35 ERROR not_null_... [ERROR in 0.02s]"
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its error lines
_DBT_ERROR_PLACE = re.compile(r"^(?:Failure|[A-Z][a-z]+ Error) in (\w+ \S+ \(.*\))$")


def dbt_error_summary(message: str) -> str | None:
    """dagster-dbt's failure message cut to what failed and why ("dbt: test <name> (<file>):
    <error>"), without the whole dbt command line it starts with; None when it lists no dbt
    error. dbt.log in the target folder keeps everything."""
    _, found, parsed = message.partition("Errors parsed from dbt logs:")
    if not found:
        return None
    errors: dict[str, None] = {}
    place = ""
    for line in (_ANSI_COLOUR.sub("", raw).strip() for raw in parsed.splitlines()):
        if not line or _DBT_NODE_RESULT.match(line):
            continue
        if match := _DBT_ERROR_PLACE.match(line):
            place = match.group(1)
            continue
        errors[f"{place}: {line}" if place else line] = None
        place = ""
    return "dbt: " + "; ".join(errors) if errors else None


def _option(name: str, value: object) -> list[str]:
    return [name, str(value)] if value else []


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return OkrDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
