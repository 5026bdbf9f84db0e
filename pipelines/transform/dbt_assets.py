"""The dbt project as Dagster assets, in two steps so data checks can run between them.

1. `dbt_staging_and_metrics`: staging views over the raw tables, every metric model, and the
   metric rows the KRs read, gathered into one table (int_metric_rows). What did not change since
   the last good night is left as it is (pipelines/transform/unchanged_tests.py).
2. `dbt_scoring`: the scoring marts, after the quality gate has written raw.okr_blocked_metrics.

Both are daily-partitioned with a single-run backfill policy: a run covers one scoring date or a
range of them, written to raw.okr_run_context before dbt runs, and is one dbt invocation per step.
Built by `build_dbt_assets` from a prepared manifest, so importing this module parses nothing.
"""

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtProject, dbt_assets
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY

from pipelines.partitions import daily_partitions, replace_history, single_run
from pipelines.resources import WarehouseResource, WorkspaceResource
from pipelines.transform.dbt_resource import OkrDbtCliResource
from pipelines.transform.dbt_setup import dbt_environment, dbt_vars, target_dir
from pipelines.transform.run_context import write_run_context
from pipelines.transform.unchanged_tests import (
    STATE_KEY,
    SkipPlan,
    dependency_order,
    full_checks_requested,
    nothing_to_build,
    plan_skips,
    rebuild_selection,
    source_fingerprints,
    unchanged_models,
)

_GROUPS = {"staging": "staging", "metrics": "metrics", "intermediate": "scoring", "marts": "scoring"}
# The metric rows KRs read (int_metric_rows, with the KR windows and scoring days it is cut by) are
# gathered in the first step: they read no check result, and a night whose sources and date are
# unchanged leaves them as they are. The scoring step starts from them.
_GATHER = "int_scoring_days int_kr_definitions int_metric_rows"
_STAGING_SELECT = f"fqn:okr_scorer.staging fqn:okr_scorer.metrics {_GATHER}"
_STAGING_EXCLUDE = "stg_okr__blocked_metrics"  # written by the quality gate, read by scoring
_SCORING_SELECT = "fqn:okr_scorer.intermediate fqn:okr_scorer.marts stg_okr__blocked_metrics"


class OkrDbtTranslator(DagsterDbtTranslator):
    """Asset groups follow the dbt folders, so the graph reads staging -> metrics -> scoring; the
    gathered metric rows are in the metrics group, with the step that builds them."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 1:
            if dbt_resource_props.get("name") in _GATHER.split():
                return "metrics"
            return _GROUPS.get(fqn[1], "dbt")
        return super().get_group_name(dbt_resource_props)


TRANSLATOR = OkrDbtTranslator()


def _ensure_inputs(warehouse: WarehouseResource) -> None:
    """Staging must compile before a source has ever loaded: create its raw tables empty."""
    from connectors.raw_tables import ensure_raw_tables

    ensure_raw_tables(warehouse.open())


def _skip_plan(context: AssetExecutionContext, project: DbtProject, warehouse: WarehouseResource) -> SkipPlan:
    """The staging and metric tests this run can skip and the models it can leave as they are
    (pipelines/transform/unchanged_tests.py)."""
    from dagster_dbt.dbt_manifest import read_manifest_path

    manifest = read_manifest_path(project.manifest_path)  # dagster-dbt's cached copy
    wh = warehouse.open()
    stamp = project.manifest_path.with_name("okr-fingerprint.txt")
    nodes = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] in ("test", "model")]
    fingerprints = source_fingerprints(wh, manifest)
    if fingerprints is None:  # not DuckDB: every test runs, no state is kept
        return SkipPlan((), None)
    code = stamp.read_text() if stamp.exists() else ""
    return plan_skips(
        manifest,
        nodes,
        code=code,
        fingerprints=fingerprints,
        stored=wh.get_state(STATE_KEY) if code else None,  # code unknown: test everything
        full=full_checks_requested(context.run.tags),
    )


def _step_models(context: AssetExecutionContext) -> dict[str, dg.AssetKey]:
    """The step's selected dbt models: unique id -> asset key."""
    return {
        s.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]: s.key
        for s in context.assets_def.specs
        if s.key in context.selected_asset_keys
    }


def _left_as_they_are(
    manifest: Mapping[str, Any], key_of: Mapping[str, dg.AssetKey], unchanged: Iterable[str]
) -> Iterator[dg.MaterializeResult]:
    """A result for each model this run leaves as the last good build made it."""
    for uid in dependency_order(manifest, unchanged):
        yield dg.MaterializeResult(
            asset_key=key_of[uid], metadata={"dbt": "not rebuilt: its code and source data are unchanged"}
        )


def _skipped_blocking_checks(
    context: AssetExecutionContext, skipped: Iterable[str]
) -> Iterator[dg.AssetCheckResult]:
    """The outcome of each blocking check (a dbt test of severity error) that this run skipped as
    already judged: passed, as it was. The plan skips a test only when its code and upstream data
    are as they were after a build whose tests all ran without an error, so an error-severity test
    skipped here passed then. dbt never runs them (not selected), so nothing else reports them:
    Dagster logged "Blocking asset check ... emitted no result" for each (about 64 lines a warm
    night). Tests of severity warn are left without a result: whether they warned then is not
    kept."""
    skipped = set(skipped)
    for spec in context.assets_def.check_specs:
        if spec.blocking and spec.name in skipped and spec.key in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                metadata={"dbt": "not run again: passed on this code and this source data"},
            )


def build_dbt_assets(project: DbtProject) -> list[dg.AssetsDefinition]:
    """The two dbt steps over the project's prepared manifest."""

    def build(
        context: AssetExecutionContext,
        dbt: OkrDbtCliResource,
        workspace: WorkspaceResource,
        warehouse: WarehouseResource,
        skip_unchanged_tests: bool = False,
    ) -> Iterator[Any]:
        settings = workspace.settings()
        _ensure_inputs(warehouse)
        keys = context.partition_key_range
        write_run_context(
            warehouse.open(),
            dt.date.fromisoformat(keys.start),
            dt.date.fromisoformat(keys.end),
            replace_history=replace_history(context.run.tags),
        )
        # After the run context: the gathered metric rows depend on this run's dates.
        plan = _skip_plan(context, project, warehouse) if skip_unchanged_tests else SkipPlan((), None)
        selection, skipped = None, ()  # the step's own selection, every test run
        if skip_unchanged_tests and not context.is_subset and plan.same_code:
            from dagster_dbt.dbt_manifest import read_manifest_path

            manifest = read_manifest_path(project.manifest_path)
            key_of = _step_models(context)
            unchanged = unchanged_models(plan, manifest, key_of, warehouse.open())
            if nothing_to_build(manifest, plan, key_of, unchanged):
                yield from _left_as_they_are(manifest, key_of, unchanged)
                yield from _skipped_blocking_checks(context, plan.skip)
                return
            spec, still_skipped = rebuild_selection(
                manifest, plan, _STAGING_SELECT.split(), key_of, unchanged
            )
            if spec:  # (an empty --select would be the whole project: then the step's own selection)
                yield from _left_as_they_are(manifest, key_of, unchanged)
                selection, skipped = ["--select", spec, "--exclude", _STAGING_EXCLUDE], still_skipped
                context.log.info(
                    f"{len(skipped)} tests skipped and {len(unchanged)} models left as they are:"
                    " their code and upstream data are unchanged"
                )
        if plan.state is not None:
            # Cleared first: a build that fails half-way must not leave an older state under
            # tables it rebuilt from newer rows (they would count as unchanged later).
            with warehouse.open().transaction() as tx:
                tx.set_state(STATE_KEY, None)
        # Unit tests check the SQL, not the night's data: they run in the test suite
        # (tests/dbt/test_dbt_unit_tests.py), not on every night. --no-write-json: the manifest
        # stays the one prepared for this code (a build would rewrite it every night, megabytes at
        # scale, and its new mtime made a long-lived process rebuild its Dagster definitions each
        # night); the night's results are Dagster's events and dbt.log in the target folder.
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--no-write-json",
            "--vars",
            json.dumps(dbt_vars()),
        ]
        with dbt_environment(settings):  # dbt reads its settings and profile from os.environ
            invocation = dbt.run(
                args,
                context=context,
                manifest=project.manifest_path,
                dagster_dbt_translator=TRANSLATOR,
                # The workspace's one target folder: partial parsing applies, nothing piles up.
                target_path=target_dir(settings),
                selection=selection,
            )
            yield from invocation.stream()
        yield from _skipped_blocking_checks(context, skipped)
        # Every test of the step ran (or was skipped as already judged) without an error: the
        # data as it is now counts as tested. A partial selection leaves the state as it was.
        if plan.state is not None and not context.is_subset:
            with warehouse.open().transaction() as tx:
                tx.set_state(STATE_KEY, plan.state)

    common = {
        "manifest": project.manifest_path,
        "partitions_def": daily_partitions,
        "backfill_policy": single_run,
        "dagster_dbt_translator": TRANSLATOR,
    }

    @dbt_assets(
        select=_STAGING_SELECT,
        exclude=_STAGING_EXCLUDE,
        name="dbt_staging_and_metrics",
        **common,
    )
    def dbt_staging_and_metrics(
        context: AssetExecutionContext,
        dbt: OkrDbtCliResource,
        workspace: WorkspaceResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        yield from build(context, dbt, workspace, warehouse, skip_unchanged_tests=True)

    @dbt_assets(select=_SCORING_SELECT, exclude=_GATHER, name="dbt_scoring", **common)
    def dbt_scoring(
        context: AssetExecutionContext,
        dbt: OkrDbtCliResource,
        workspace: WorkspaceResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        yield from build(context, dbt, workspace, warehouse)

    return [dbt_staging_and_metrics, dbt_scoring]
