"""Run the nightly job in-process (what `okr run` does) and summarise the outcome."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import dagster as dg

from pipelines.reporting.statuses import STATUSES
from pipelines.settings import load_settings

BLOCKED_PREFIX = "data check failed: "  # kr_scores.status_reason of a blocked KR


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    summary: str
    error: str = ""
    blocked_krs: int = 0  # KRs not scored because an ERROR-severity data check failed on their source


def _instance() -> dg.DagsterInstance:
    # A persistent instance when the user has one (runs show up in `dagster dev`), else ephemeral.
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_nightly(as_of: dt.date, lang: str | None = None, publish_always: bool = True) -> RunOutcome:
    """Score one day. `publish_always` publishes its scorecard even when a newer day was scored
    (what `okr run --as-of` means); backfills pass False so the newest scorecard stays up."""
    from pipelines.definitions import defs
    from pipelines.reporting.scorecard_asset import PUBLISH_TAG

    job = defs.get_job_def("nightly_scoring")
    tags = {"okr/lang": lang} if lang else {}
    if publish_always:
        tags[PUBLISH_TAG] = "always"
    with _instance() as instance:
        result = job.execute_in_process(
            partition_key=as_of.isoformat(),
            instance=instance,
            raise_on_error=False,
            tags=tags,
            # The CLI prints its own summary; Dagster's step-by-step debug log stays in `dagster dev`.
            run_config={
                "loggers": {"console": {"config": {"log_level": os.environ.get("OKR_LOG_LEVEL", "WARNING")}}}
            },
        )
    if not result.success:
        failures = [
            f"{e.step_key}: {_root_message(e.step_failure_data.error)}"
            for e in result.all_events
            if e.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        return RunOutcome(False, "", "\n".join(failures) or "the run failed")
    summary, errors = summarise(as_of)
    return RunOutcome(True, summary, blocked_krs=errors)


def _root_message(error: object) -> str:
    """The innermost error message: the user's problem, not Dagster's wrapper around it."""
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    return getattr(error, "message", "").strip() or "unknown error"


def summarise(as_of: dt.date) -> tuple[str, int]:
    """The one-line summary of a scored day (from the warehouse, published or not), and how many
    KRs a failed ERROR check blocked."""
    from connectors.warehouse import open_warehouse
    from pipelines.reporting.data_health import format_summary, summary_counts

    settings = load_settings()
    warehouse = open_warehouse(settings.target, duckdb_path=settings.warehouse_path)
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
    blocked = int(krs["status_reason"].fillna("").str.startswith(BLOCKED_PREFIX).sum())
    return line, blocked
