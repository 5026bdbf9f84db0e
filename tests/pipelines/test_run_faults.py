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
    command_line,
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


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


@pytest.fixture
def night(demo_night: DemoNight, tmp_path: Path) -> Path:
    return demo_night.copy_to(tmp_path / "ws")


def test_read_only_output_folder_is_found_before_scoring(night: Path, fault_report: FaultReport) -> None:
    warehouse = night / "data" / "warehouse.duckdb"
    before = (warehouse.stat().st_mtime_ns, _digest(night / "build"))
    with read_only_folder(night / "build"):
        run = okr(night, "run", "--as-of", DEMO_NIGHT)
        debug = okr(night, "--debug", "run", "--as-of", DEMO_NIGHT)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("error: cannot write the scorecard folder")
    assert str(night / "build") in run.stderr and "nothing was scored" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert debug.returncode == 1 and "Traceback" in debug.stderr  # --debug shows where
    assert (warehouse.stat().st_mtime_ns, _digest(night / "build")) == before  # not even opened
    fault_report(
        area="Runs",
        fault="the scorecard folder (build/) is read-only",
        sees=run.stderr,
        kept="warehouse untouched (not opened), published scorecard unchanged; checked before any scoring",
        exit_code=run.returncode,
    )


@pytest.mark.slow
def test_parallel_runs_one_waits_or_exits_2(night: Path, fault_report: FaultReport) -> None:
    first = OkrProcess(night, "run", "--as-of", DEMO_NIGHT)
    try:
        first.wait_for_line("load export files ...")  # it holds the lock and is scoring
        second = okr(night, "run", "--as-of", DEMO_NIGHT)
        assert second.returncode == 2
        line = second.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert f"PID {first.pid}" in line and "started" in line and "--wait" in line
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
    assert f"{DEMO_NIGHT}: 28 key results" in out
    assert all(dup == 0 for _, _, dup in _history(night))
    fault_report(
        area="Runs",
        fault="a second `okr run` while one is running",
        sees=line,
        kept="the first run goes on undisturbed; the second touches nothing",
        exit_code=second.returncode,
    )
    fault_report(
        area="Runs",
        fault="`okr run --wait` while one is running, and the running one is killed (`kill -9`)",
        sees=_first_line(waiting) + " … then the run proceeds as usual",
        kept="the lock of the killed run is taken over at once; the waiting run scores and publishes",
        exit_code=code,
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
def test_kill_9_at_each_stage_keeps_everything(night: Path, fault_report: FaultReport) -> None:
    """Each run is killed at the next stage; the next run must get past it (so it recovered from the
    kill before), and a last run after every kill must succeed and clean up."""
    scorecard = night / "build" / "scorecard"
    published, history = _digest(scorecard), _history(night)
    for stage, words, inside in KILL_POINTS:
        run = OkrProcess(night, "run", "--as-of", DEMO_NIGHT)
        try:
            run.wait_for_line(f"] {stage} ...")
            if inside == "dbt":
                wait_until(
                    lambda r=run: any(" build " in command_line(p) for p in descendants(r.pid)),
                    600,
                    f"dbt to start in stage {stage!r}",
                )
            elif inside == "staging":
                wait_until(lambda: bool(_staging_folders(night)), 600, "a publish staging folder")
            children = descendants(run.pid)
        finally:
            run.kill()
        wait_until(
            lambda c=children: not any(is_running(p) for p in c),
            60,
            f"the killed run's child processes {children} to die with it",
        )
        assert _digest(scorecard) == published, f"killed at {stage!r}: the published scorecard changed"
        assert _history(night) == history, f"killed at {stage!r}: the score history changed"
        fault_report(
            area="Runs",
            fault=f"`kill -9` of `okr run` during stage “{stage}” ({words})",
            sees="the run ends at once; its dbt child dies with it; the next run proceeds normally"
            if inside == "dbt"
            else "the run ends at once; the next run proceeds normally",
            kept="published scorecard byte-identical; warehouse opens, score history neither lost nor "
            "duplicated"
            + ("; the half-written staging folder is removed by the next run" if inside == "staging" else ""),
            exit_code=None,
        )
    leftovers = _staging_folders(night)
    assert leftovers, "the publish was killed after its staging folder appeared"
    final = okr(night, "run", "--as-of", DEMO_NIGHT)
    assert final.returncode == 0, final.stderr[-3000:]
    assert "left by an interrupted publish" in final.stderr
    assert not _staging_folders(night)
    assert _history(night) == history
    assert json.loads((scorecard / "scorecard.json").read_text())["as_of"] == DEMO_NIGHT
