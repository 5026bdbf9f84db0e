"""Nights in one long-lived process (the daemon, `benchmarks.night nights`): what a night leaves
behind must not pile up. Counted in live objects, not in RSS or time: the first night warms
caches, and every later night must leave the same things behind as the one before it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DemoNight

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[2]
# What a run must close or drop: the Dagster instance and its storages, warehouse connections,
# GX contexts, log handlers, threads; and classes (a library that builds classes per run).
_NIGHTS = """
import collections, datetime as dt, gc, json, logging, threading
from pipelines.scoring_run import run_nightly
HEAVY = ("DagsterInstance", "Engine", "DuckDBPyConnection", "EphemeralDataContext", "FileDataContext")
def census():  # a function: the list of every object must not outlive the count
    gc.collect()
    objects = gc.get_objects()
    out = collections.Counter(type(o).__qualname__ for o in objects if type(o).__qualname__ in HEAVY)
    out["classes"] = sum(1 for o in objects if isinstance(o, type))
    out["handlers"] = sum(1 for o in objects if isinstance(o, logging.Handler))
    out["threads"] = threading.active_count()
    out["objects"] = len(objects)
    out["frozen"] = gc.get_freeze_count()  # a run thaws what it froze (pipelines/scoring_run.py)
    return out
for day in (24, 25, 26):
    assert run_nightly(dt.date(2026, 11, day)).success, day
    print(json.dumps(census()), flush=True)
"""


def test_a_night_leaves_nothing_that_piles_up(demo_night: DemoNight, tmp_path: Path) -> None:
    ws = demo_night.copy_to(tmp_path / "ws")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env["OKR_WORKSPACE"] = str(ws)
    proc = subprocess.run(
        [sys.executable, "-c", _NIGHTS], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"the nights failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    nights = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    second, third = nights[1], nights[2]
    for n, night in enumerate(nights, start=1):
        # Dagster keeps the last run's instance and its in-memory storages (run, event, schedule)
        # until the next run replaces them, plus alembic's cache of their last connections.
        assert night.get("DagsterInstance", 0) <= 1 and night.get("Engine", 0) <= 6, (n, night)
        assert night["frozen"] == 0, f"night {n} left {night['frozen']} objects frozen, never collected"
    assert third["classes"] == second["classes"], f"classes built by one night stay alive: {nights}"
    for key in ("handlers", "threads", "EphemeralDataContext", "FileDataContext", "DuckDBPyConnection"):
        assert third.get(key, 0) <= second.get(key, 0), f"{key} grows from night to night: {nights}"
    # A few hundred objects move between caches from night to night; a run kept alive (its events,
    # frames, classes) is tens of thousands. Before typing's caches were cleared it was 650 a night.
    assert third["objects"] - second["objects"] < 300, nights
