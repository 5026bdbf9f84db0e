"""The instance a CLI run uses: on the ephemeral one a range run plans each asset once, and the
plans, step outputs, materializations and check results are passed to the run's listeners
without being stored."""

import contextlib
import gc
import os
import uuid

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.dagster_runs import ONE_PLANNED_EVENT_PER_RANGE, root_message, run_instance

DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01")


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def upstream(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run(), deps=[upstream])
def downstream(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


@dg.asset_check(asset=downstream, blocking=True)
def downstream_has_days(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


EVENT = dg.DagsterEventType
PLANNED = EVENT.ASSET_MATERIALIZATION_PLANNED, EVENT.ASSET_CHECK_EVALUATION_PLANNED


def _range_run(instance: dg.DagsterInstance) -> tuple[list[dg.EventLogEntry], list[dg.EventLogEntry]]:
    """Ten days in one run: the events its listener saw, and the events the instance stored."""
    defs = dg.Definitions(assets=[upstream, downstream], asset_checks=[downstream_has_days])
    job = defs.resolve_implicit_global_asset_job_def()
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2026-11-01", ASSET_PARTITION_RANGE_END_TAG: "2026-11-10"}
    run_id, seen = str(uuid.uuid4()), []
    instance.add_event_listener(run_id, seen.append)
    result = job.execute_in_process(instance=instance, tags=tags, run_id=run_id)
    assert result.success
    return seen, instance.all_logs(run_id)


def _count(events: list[dg.EventLogEntry], *types: dg.DagsterEventType) -> int:
    return sum(e.dagster_event_type in types for e in events)


def test_a_range_run_on_the_ephemeral_instance_plans_each_asset_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv(ONE_PLANNED_EVENT_PER_RANGE, raising=False)
    with run_instance() as instance:
        seen, stored = _range_run(instance)
    # one plan per asset, not one per asset and day, and one for the check
    assert _count(seen, EVENT.ASSET_MATERIALIZATION_PLANNED) == 2
    assert _count(seen, EVENT.ASSET_CHECK_EVALUATION_PLANNED) == 1
    assert _count(stored, *PLANNED) == 0  # passed on, not written: nothing reads them back
    assert _count(seen, EVENT.STEP_OUTPUT) == 3 and _count(stored, EVENT.STEP_OUTPUT) == 0
    # every day of each asset is reported materialized to the run's listeners, and the check's
    # result: not stored either (the instance goes with the run; `dagster dev` keeps its own)
    done, checked = EVENT.ASSET_MATERIALIZATION, EVENT.ASSET_CHECK_EVALUATION
    assert _count(seen, done) == 20 and _count(stored, done) == 0
    assert _count(seen, checked) == 1 and _count(stored, checked) == 0
    # and each step's start and end, which the step timings are read from
    assert _count(stored, EVENT.STEP_START) == _count(stored, EVENT.STEP_SUCCESS) == 3
    assert ONE_PLANNED_EVENT_PER_RANGE not in os.environ  # the switch is only on during the run


def test_a_persistent_instance_keeps_dagsters_default(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv(ONE_PLANNED_EVENT_PER_RANGE, raising=False)
    with run_instance() as instance:
        seen, stored = _range_run(instance)
    # per day, and stored: `dagster dev` marks each failed day and shows each planned check
    assert _count(seen, EVENT.ASSET_MATERIALIZATION_PLANNED) == 20
    assert _count(stored, EVENT.ASSET_MATERIALIZATION_PLANNED) == 20
    assert _count(stored, EVENT.ASSET_CHECK_EVALUATION_PLANNED) == 1
    assert _count(stored, EVENT.STEP_OUTPUT) == 3  # a re-execution from failure reads them
    assert _count(stored, EVENT.ASSET_MATERIALIZATION) == 20


def test_a_persistent_sqlite_instance_opens_each_event_file_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """pipelines/held_sqlite_storage.py: the run's events go to the run's file and the index file
    over one connection each (Dagster's default opens one per read and write), and a new instance,
    as `dagster dev` would, reads back everything the run stored."""
    from sqlite3 import dbapi2  # what SQLAlchemy's SQLite dialect connects with

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv(ONE_PLANNED_EVENT_PER_RANGE, raising=False)
    event_files = tmp_path / "history" / "runs"
    opened: list[str] = []
    connect = dbapi2.connect

    def counting_connect(database: str, *args: object, **kwargs: object) -> dbapi2.Connection:
        if os.path.dirname(str(database)) == str(event_files):  # the run's file and index.db
            opened.append(os.path.basename(str(database)))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(dbapi2, "connect", counting_connect)
    with run_instance() as instance:
        _range_run(instance)  # the instance's first run: the index file is set up and opened
        opened.clear()
        _, stored = _range_run(instance)
        storage = instance.event_log_storage
    assert not {"_connect", "has_table"} & set(vars(storage)), "the store is Dagster's own after the run"
    # Dagster's default opened the index file 35 times for this run, once per asset event.
    assert len(stored) > 50 and opened == [f"{stored[0].run_id}.db"], opened

    monkeypatch.setattr(dbapi2, "connect", connect)
    with dg.DagsterInstance.get() as fresh:
        run_id = stored[0].run_id
        kinds = [e.dagster_event_type for e in stored]
        assert [e.dagster_event_type for e in fresh.all_logs(run_id)] == kinds
        latest = fresh.get_latest_materialization_event(dg.AssetKey("downstream"))
        assert latest is not None and latest.run_id == run_id
        check = fresh.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("downstream"), "downstream_has_days"), limit=1
        )
        assert check and check[0].run_id == run_id


@pytest.mark.parametrize("kind", ["ephemeral", "persistent"])
def test_a_runs_instance_leaves_nothing_behind_for_the_exit(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    # Alembic turns a package-resource script location into an ExitStack closed only at exit:
    # before the scripts were named by their folder, every run's instance left two behind.
    if kind == "persistent":
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    else:
        monkeypatch.delenv("DAGSTER_HOME", raising=False)

    def exit_stacks() -> int:
        gc.collect()
        return sum(isinstance(o, contextlib.ExitStack) for o in gc.get_objects())

    with run_instance():
        pass
    before = exit_stacks()
    for _ in range(3):
        with run_instance():
            pass
    assert exit_stacks() == before


def test_a_failed_steps_message_is_the_innermost_error_without_its_python_class() -> None:
    from dagster._utils.error import serializable_error_info_from_exc_info

    class SourceFileError(Exception):
        pass

    try:
        try:
            raise SourceFileError("leads.csv, line 4, column 'Date': '31.02.2026' is not a date")
        except SourceFileError as inner:
            raise RuntimeError("Error occurred while executing op export_folder") from inner
    except RuntimeError:
        import sys

        info = serializable_error_info_from_exc_info(sys.exc_info())
    assert info.message.startswith("RuntimeError: ")  # what Dagster stores
    assert root_message(info) == "leads.csv, line 4, column 'Date': '31.02.2026' is not a date"
