"""Faults around a run, injected on purpose on a published demo night (issue 9, "Runs that behave").

Each test records what the user saw and what was kept through `fault_report`: the rows of the fault
table in docs/reliability.md. Waits are on events (a progress line, a process, a folder), never on
elapsed time; the timeouts are upper bounds for a broken system.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DEMO_NIGHT, DemoNight
from tests.fault_report import FaultReport
from tests.helpers import (
    OkrProcess,
    copy_demo_workspace,
    descendants,
    is_running,
    okr,
    read_only_folder,
    wait_until,
)


def _digest(folder: Path) -> str:
    """Every file of a folder, names and bytes."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _history(ws: Path) -> list[tuple]:
    """Rows per scored day of the KR history, and how many (as_of, kr_id) repeat: the warehouse
    opens, and a killed run neither lost nor duplicated history."""
    con = duckdb.connect(str(ws / "data" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT as_of, count(*), count(*) - count(DISTINCT kr_id) "
            "FROM analytics.kr_score_history GROUP BY as_of ORDER BY as_of"
        ).fetchall()
    finally:
        con.close()
    return [(str(a), n, dup) for a, n, dup in rows]


def _staging_folders(ws: Path) -> list[Path]:
    return sorted((ws / "build").glob(".scorecard.staging-*"))


@pytest.fixture
def night(demo_night: DemoNight, tmp_path: Path) -> Path:
    return demo_night.copy_to(tmp_path / "ws")


def test_read_only_output_folder_is_found_before_scoring(tmp_path: Path, fault_report: FaultReport) -> None:
    ws = copy_demo_workspace(tmp_path / "ws")
    (ws / "build").mkdir()
    with read_only_folder(ws / "build"):
        run = okr(ws, "run", "--as-of", DEMO_NIGHT)
        debug = okr(ws, "--debug", "run", "--as-of", DEMO_NIGHT)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("error: cannot write the scorecard folder")
    assert str(ws / "build") in run.stderr and "nothing was scored" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert debug.returncode == 1 and "Traceback" in debug.stderr  # --debug shows where
    assert not (ws / "data" / "warehouse.duckdb").exists()  # found before the warehouse was opened
    assert list((ws / "build").iterdir()) == []
    fault_report(
        area="Runs",
        fault="the scorecard folder (build/) is read-only",
        sees=run.stderr,
        kept="everything: the check comes before the warehouse is opened; the published scorecard stays",
        exit_code=run.returncode,
    )


# Where to kill: the progress line of the stage, and what to wait for inside it.
KILL_POINTS = [
    ("load export files", "loading export files", None),
    ("dbt: staging and metrics", "dbt building staging and metric models", "dbt"),
    ("check source data", "source data checks running", None),
    ("dbt: scoring", "dbt building the scoring marts", "dbt"),
    ("publish the scorecard", "the scorecard being written to its staging folder", "staging"),
]


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_kill_9_at_each_stage_then_two_runs_at_once(night: Path, fault_report: FaultReport) -> None:
    """Each run is killed at the next stage, so each run must first get past the stage where the
    previous one died. Then, with the leftovers of all those kills in place, two runs at once: the
    second exits 2 naming the first, a third one `--wait`s, the first is killed too, and the waiting
    run takes over, cleans up and scores."""
    scorecard = night / "build" / "scorecard"
    published, history = _digest(scorecard), _history(night)
    for stage, words, inside in KILL_POINTS:
        _kill_during(night, stage, inside)
        assert _digest(scorecard) == published, f"killed at {stage!r}: the published scorecard changed"
        assert _history(night) == history, f"killed at {stage!r}: the score history changed"
        fault_report(
            area="Runs",
            fault=f"`kill -9` of `okr run` during stage “{stage}” ({words})",
            sees="the run ends at once"
            + ("; dbt, which runs inside it, stops with it" if inside == "dbt" else "")
            + "; the next run proceeds normally",
            kept="published scorecard byte-identical; warehouse opens, "
            "score history neither lost nor duplicated"
            + ("; the next run removes the half-written staging folder" if inside == "staging" else ""),
        )
    assert _staging_folders(night), "the publish was killed after its staging folder appeared"

    first = OkrProcess(night, "run", "--as-of", DEMO_NIGHT)
    try:
        cleaned = first.wait_for_line("left by an interrupted publish")
        assert not _staging_folders(night)
        first.wait_for_line("] load export files ...")  # it holds the lock and is scoring
        second = okr(night, "run", "--as-of", DEMO_NIGHT)
        assert second.returncode == 2
        busy = second.stderr.strip()
        assert "\n" not in busy and "Traceback" not in busy
        assert f"PID {first.pid}" in busy and "started" in busy and "--wait" in busy
        assert first.proc.poll() is None  # the first run was not disturbed

        waiter = OkrProcess(night, "run", "--wait", "--as-of", DEMO_NIGHT)
        waiting = waiter.wait_for_line("waiting for the run holding this workspace")
        assert f"PID {first.pid}" in waiting
        first.kill()  # the holder dies without any clean-up: its lock must not outlive it
        code, out, err = waiter.finish()
    finally:
        if first.proc.poll() is None:
            first.kill()
    assert code == 0, err[-3000:]
    assert f"{DEMO_NIGHT}: 40 key results" in out
    assert _history(night) == history and not _staging_folders(night)
    assert json.loads((scorecard / "scorecard.json").read_text())["as_of"] == DEMO_NIGHT
    fault_report(
        area="Runs",
        fault="the staging folder of a killed publish is still there at the next run",
        sees=cleaned,
        kept="the published scorecard; the leftover is removed before any work",
    )
    fault_report(
        area="Runs",
        fault="a second `okr run` while one is running",
        sees=busy,
        kept="the first run goes on undisturbed; the second touches nothing",
        exit_code=second.returncode,
    )
    fault_report(
        area="Runs",
        fault="`okr run --wait` while one is running, and the running one is killed (`kill -9`)",
        sees=f"{waiting.strip()}, then the usual progress and summary",
        kept="the killed run's lock is taken over at once; the waiting run scores and publishes",
        exit_code=code,
    )


def _dbt_log(night: Path) -> Path:
    return night / "data" / ".okr" / "dbt-target-duckdb" / "dbt.log"


def _read_from(log: Path, offset: int) -> str:
    """What the log gained since it was `offset` bytes long (all of it after a rotation)."""
    if not log.exists():
        return ""
    with log.open("rb") as handle:
        handle.seek(offset if handle.seek(0, 2) >= offset else 0)
        return handle.read().decode(errors="replace")


def _kill_during(night: Path, stage: str, inside: str | None) -> None:
    """Start a run, `kill -9` it inside `stage`, and see its child processes die with it."""
    dbt_log = _dbt_log(night)
    logged = dbt_log.stat().st_size if dbt_log.exists() else 0
    run = OkrProcess(night, "run", "--as-of", DEMO_NIGHT)
    try:
        run.wait_for_line(f"] {stage} ...")
        if inside == "dbt":  # dbt runs inside the process: wait for its first node to start
            wait_until(
                lambda: " START " in _read_from(dbt_log, logged), 600, f"dbt to start in stage {stage!r}"
            )
        elif inside == "staging":
            wait_until(lambda: bool(_staging_folders(night)), 600, "a publish staging folder")
        children = descendants(run.pid)
    finally:
        run.kill()
    wait_until(
        lambda: not any(is_running(p) for p in children),
        60,
        f"the killed run's child processes {children} to die with it",
    )
