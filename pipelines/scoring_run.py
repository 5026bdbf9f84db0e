"""Run the scoring job in-process and summarise the outcome: one day (`okr run`) or a range of
days as ONE Dagster run (`okr backfill`): one dbt invocation per step over the range, one quality
validation, and one publish of the newest day."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.dagster_runs import execute_quietly, root_message, run_instance, step_seconds
from pipelines.process_memory import give_memory_back, imports_frozen, tune_malloc_for_many_runs
from pipelines.reporting.statuses import STATUSES
from pipelines.settings import load_settings

if TYPE_CHECKING:
    from connectors.warehouse import Warehouse

BLOCKED_PREFIX = "data check failed: "  # kr_scores.status_reason of a blocked KR


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    summary: str
    error: str = ""
    blocked_krs: int = 0  # KRs not scored because an ERROR-severity data check failed on their source
    step_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each Dagster step


def run_nightly(
    as_of: dt.date,
    lang: str | None = None,
    publish_always: bool = True,
    on_event: Callable[[dg.EventLogEntry], None] | None = None,
    full_checks: bool = False,
    release_memory: bool = True,
) -> RunOutcome:
    """Score one day. `publish_always` publishes its scorecard even when a newer day was scored
    (what `okr run --as-of` means); backfills pass False so the newest scorecard stays up.
    `on_event` is called with every event of the run as it happens (the CLI's progress display).
    `full_checks`: run every dbt test and data check, also on data they already judged.
    `release_memory`: give the run's memory back afterwards (about 0.3 s), for a process that
    goes on; the CLI, which exits after its run, passes False."""
    partition = {"partition_key": as_of.isoformat(), "tags": _full_checks_tag(full_checks)}
    return _execute(partition, as_of, lang, publish_always, True, on_event, release_memory=release_memory)


def _full_checks_tag(full_checks: bool) -> dict[str, str]:
    from pipelines.transform.unchanged_tests import FULL_TESTS_TAG

    return {FULL_TESTS_TAG: "true"} if full_checks else {}


def run_range(
    start: dt.date,
    end: dt.date,
    replace: bool = False,
    lang: str | None = None,
    on_event: Callable[[dg.EventLogEntry], None] | None = None,
    exclude: Sequence[dg.AssetKey] = (),
    full_checks: bool = False,
    release_memory: bool = True,
) -> RunOutcome:
    """Score every day of start..end in one run. Days that already have history are kept unless
    `replace`; the newest day's scorecard is published unless a newer day is published already.
    `exclude`: assets the run leaves as they are (`okr backfill` pulls the API sources first)."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    tags = {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
        **_full_checks_tag(full_checks),
    }
    return _execute({"tags": tags}, end, lang, False, replace, on_event, exclude, release_memory)


def _execute(
    partition: dict,
    newest: dt.date,
    lang: str | None,
    publish_always: bool,
    replace: bool,
    on_event: Callable[[dg.EventLogEntry], None] | None,
    exclude: Sequence[dg.AssetKey] = (),
    release_memory: bool = True,
) -> RunOutcome:
    from pipelines.definitions import build_definitions
    from pipelines.partitions import REPLACE_TAG
    from pipelines.quality.runner import forget_run_results
    from pipelines.reporting.scorecard_asset import BACKFILL_TAG, PUBLISH_TAG

    if release_memory:
        tune_malloc_for_many_runs()
    job = build_definitions().resolve_job_def("nightly_scoring")
    tags = {**partition.pop("tags", {}), REPLACE_TAG: str(replace).lower()}
    if lang:
        tags["okr/lang"] = lang
    if publish_always:
        tags[PUBLISH_TAG] = "always"
    else:
        tags[BACKFILL_TAG] = "true"  # a backfill day posts no alerts
    if exclude:
        partition["asset_selection"] = [k for k in job.asset_layer.selected_asset_keys if k not in exclude]
    with _warehouse_held_open():
        with imports_frozen(thaw_after=release_memory), run_instance() as instance:
            result = execute_quietly(job, instance, on_event, **partition, tags=tags)
            success = result.success
            steps = step_seconds(instance, result.run_id)
            failures = [
                f"{e.step_key}: {root_message(e.step_failure_data.error)}"
                for e in result.all_events
                if e.event_type == dg.DagsterEventType.STEP_FAILURE
            ]
            del result  # the run's events and outputs: not kept beyond this call
        forget_run_results()  # what the quality steps shared within the run
        if success:
            summary, errors = summarise(newest)
    if release_memory:
        give_memory_back()
    if not success:
        return RunOutcome(False, "", "\n".join(failures) or "the run failed", step_seconds=steps)
    return RunOutcome(True, summary, blocked_krs=errors, step_seconds=steps)


def _warehouse_held_open() -> contextlib.AbstractContextManager[None]:
    """The workspace's warehouse kept open for the run (`Warehouse.held_open`)."""
    from connectors.warehouse import open_warehouse

    settings = load_settings()
    if settings.target != "duckdb":  # a server: nothing to hold, and no connection made here
        return contextlib.nullcontext()
    return open_warehouse(settings.target, duckdb_path=settings.warehouse_path).held_open()


def summarise(as_of: dt.date) -> tuple[str, int]:
    """The one-line summary of a scored day (from the warehouse, published or not), and how many
    KRs a failed ERROR check blocked."""
    from connectors.warehouse import open_warehouse

    settings = load_settings()
    warehouse = open_warehouse(settings.target, duckdb_path=settings.warehouse_path)
    with warehouse.session():  # after the run: a handful of reads on one connection
        return _summary_line(warehouse, as_of)


def _summary_line(warehouse: Warehouse, as_of: dt.date) -> tuple[str, int]:
    from pipelines.reporting.data_health import format_summary, summary_counts
    from pipelines.reporting.load_problems import read_load_problems

    krs = warehouse.query("SELECT status, status_reason FROM analytics.kr_scores")
    s = {status: int((krs["status"] == status).sum()) for status in STATUSES}
    line = (
        f"{as_of}: {len(krs)} key results: {s['on_track']} on track, "
        f"{s['at_risk']} at risk, {s['off_track']} off track, {s['stale']} stale, "
        f"{s['no_data']} without data "
        f"({s['achieved']} achieved, {s['missed']} missed, {s['not_started']} not started)"
    )
    checks = summary_counts(warehouse, as_of)
    line += "; " + format_summary(checks)
    problems = read_load_problems(warehouse)  # failed sources, rejected export files
    line += f"; {problems.summary()}" if problems else ""
    blocked = int(krs["status_reason"].fillna("").str.startswith(BLOCKED_PREFIX).sum())
    return line, blocked
