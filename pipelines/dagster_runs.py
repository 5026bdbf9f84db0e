"""Helpers for running a Dagster job in-process, shared by the scoring run and the history pull:
which instance to use, each step's wall time, and the user's error behind Dagster's wrappers."""

from __future__ import annotations

import os

import dagster as dg


def run_instance() -> dg.DagsterInstance:
    """A persistent instance when the user has one (runs show up in `dagster dev`), else ephemeral."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


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
