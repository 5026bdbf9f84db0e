"""Run the scoring job in-process and summarise the outcome: one day (`okr run`) or a range of
days as ONE Dagster run (`okr backfill`): one dbt invocation per step over the range, one quality
validation, and one publish of the newest day."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.dagster_runs import execute_quietly, root_message, run_instance, step_seconds
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
        _limit_malloc_arenas()
    job = build_definitions().get_job_def("nightly_scoring")
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
        with _imports_frozen(thaw_after=release_memory), run_instance() as instance:
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
        _release_memory()
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


@contextlib.contextmanager
def _imports_frozen(thaw_after: bool) -> Iterator[None]:
    """Keep what exists before the run (imported modules, the definitions: hundreds of thousands
    of objects) out of the garbage collector's passes during the run.

    Python's collector walks every tracked object on each full pass. A run allocates enough (dbt's
    manifest, Dagster's events) to trigger many passes, and each walked the whole import-time heap
    again: about a fifth of a demo night's CPU was `gc_collect_main` (py-spy --native). `gc.freeze`
    moves those objects to a generation the passes skip. A process that goes on (`thaw_after`)
    unfreezes them afterwards, so any garbage among them is collected as before. The CLI, which
    exits after its run, freezes what the run added too: the interpreter's final collection at
    exit then has nothing to walk (it took 1.5 s of a quiet demo night, more when the night had
    imported Great Expectations)."""
    gc.freeze()
    try:
        yield
    finally:
        if thaw_after:
            gc.unfreeze()
        else:
            gc.freeze()


_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _limit_malloc_arenas() -> None:
    """At most two glibc malloc arenas from now on, for a process that runs night after night.

    dbt runs in this process, and with it DuckDB's worker threads: glibc gives each contending
    thread its own arena, and memory freed in those arenas stays fragmented there, out of reach
    of `malloc_trim`. Eight dbt scoring runs in one process grew by about 0.9 MB a run with the
    default arenas and about 0.35 MB with two. Only arenas created after the call are affected."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to set
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)


def _release_memory() -> None:
    """Give the run's freed memory back to the operating system. A run allocates hundreds of MB
    in pandas frames, DuckDB results and Dagster events; once freed, glibc keeps much of it in its
    heaps (fragmented), so without a trim a long-lived process (the daemon, the nights benchmark)
    keeps a higher resident size after every night.

    The typing caches go first: Great Expectations' renderer builds new pydantic model classes for
    every rendered check with a row condition (`row_condition__0`, ...) and asks typing for
    `Optional[...]` of each, so typing's caches (128 entries per operator) kept a night's classes
    alive into the next: about 650 objects a night until they filled."""
    for clear in getattr(typing, "_cleanups", ()):  # the caches' own cache_clear functions
        clear()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        ctypes.CDLL(None).malloc_trim(0)  # the C library this process already runs on


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
