"""The instance a CLI run uses: on the ephemeral one a range run plans each asset once."""

import os

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.dagster_runs import ONE_PLANNED_EVENT_PER_RANGE, run_instance

DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01")


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def upstream(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run(), deps=[upstream])
def downstream(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


def _planned_and_done(instance: dg.DagsterInstance) -> tuple[int, int]:
    job = dg.Definitions(assets=[upstream, downstream]).resolve_implicit_global_asset_job_def()
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2026-11-01", ASSET_PARTITION_RANGE_END_TAG: "2026-11-10"}
    result = job.execute_in_process(instance=instance, tags=tags)
    assert result.success
    events = instance.all_logs(result.run_id)
    planned = [e for e in events if e.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED]
    done = [e for e in events if e.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION]
    return len(planned), len(done)


def test_a_range_run_on_the_ephemeral_instance_plans_each_asset_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv(ONE_PLANNED_EVENT_PER_RANGE, raising=False)
    with run_instance() as instance:
        planned, done = _planned_and_done(instance)
    assert planned == 2  # one per asset, not one per asset and day
    assert done == 20  # every day of the range is still recorded as materialized
    assert ONE_PLANNED_EVENT_PER_RANGE not in os.environ  # the switch is only on during the run


def test_a_persistent_instance_keeps_dagsters_default(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv(ONE_PLANNED_EVENT_PER_RANGE, raising=False)
    with run_instance() as instance:
        planned, done = _planned_and_done(instance)
    assert (planned, done) == (20, 20)  # per day: `dagster dev` marks each failed day
