"""Helpers for running a Dagster job in-process, shared by the scoring run and the history pull:
which instance to use, each step's wall time, and the user's error behind Dagster's wrappers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import dagster as dg

# Dagster's switch for one "planned" event per asset for a partition range, instead of one per
# asset and day (a 92-day backfill: about 9,000 events, a quarter of its time). Its cost, per
# Dagster: a failed run's days are not marked failed in the instance's partition status.
ONE_PLANNED_EVENT_PER_RANGE = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


@contextlib.contextmanager
def run_instance() -> Iterator[dg.DagsterInstance]:
    """A persistent instance when the user has one (runs show up in `dagster dev`), else an
    ephemeral one, which nothing reads after the run: there a range run plans each asset once."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
        return
    saved = os.environ.get(ONE_PLANNED_EVENT_PER_RANGE)
    os.environ[ONE_PLANNED_EVENT_PER_RANGE] = "true"
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance
    finally:
        if saved is None:
            os.environ.pop(ONE_PLANNED_EVENT_PER_RANGE, None)
        else:
            os.environ[ONE_PLANNED_EVENT_PER_RANGE] = saved


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Each step's wall time (what `make bench` reports)."""
    return {
        s.step_key: round(s.end_time - s.start_time, 3)
        for s in instance.get_run_step_stats(run_id)
        if s.start_time and s.end_time
    }


def root_message(error: object) -> str:
    """The innermost error message: the user's problem, not Dagster's wrapper around it."""
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    return getattr(error, "message", "").strip() or "unknown error"
