"""The progress display and the output capture, fed by a real (small) Dagster run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import dagster as dg
import pytest

from pipelines.console import KEEP_LOGS, Progress, Terminal, captured_output, new_log_path, stage_label


@dg.asset
def export_folder() -> int:
    return 1


@dg.asset(check_specs=[dg.AssetCheckSpec("sane", asset="scored"), dg.AssetCheckSpec("fresh", asset="scored")])
def scored(export_folder: int):
    yield dg.Output(export_folder + 1)
    yield dg.AssetCheckResult(check_name="sane", passed=True)
    yield dg.AssetCheckResult(check_name="fresh", passed=False, severity=dg.AssetCheckSeverity.WARN)


@pytest.fixture(scope="module")
def events() -> list[dg.EventLogEntry]:
    """The events of one real run, as the runner's `on_event` receives them."""
    defs = dg.Definitions(assets=[export_folder, scored], jobs=[dg.define_asset_job("progress_demo")])
    job = defs.resolve_job_def("progress_demo")
    seen: list[dg.EventLogEntry] = []
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = str(uuid.uuid4())
        instance.add_event_listener(run_id, seen.append)
        assert job.execute_in_process(instance=instance, run_id=run_id).success
    return seen


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_plain_progress_lines_name_stage_time_and_counts(events: list[dg.EventLogEntry]) -> None:
    err = _Stream(tty=False)
    with Progress(Terminal(io.StringIO(), err), "okr: scoring 2026-11-26 (log: x.log)") as progress:
        for entry in events:
            progress.on_event(entry)
    lines = err.getvalue().splitlines()
    assert lines[0] == "okr: scoring 2026-11-26 (log: x.log)"
    assert lines[1].endswith("] preparing (Dagster and dbt) ...")
    body = [line.split("] ", 1)[1] for line in lines[2:]]
    assert body[0] == "load export files ..."
    assert body[1].startswith("load export files: done in ") and body[1].endswith(" s (1 asset)")
    assert body[2] == "scored ..."
    assert body[3].startswith("scored: done in ") and body[3].endswith(
        " s (1 asset, 2 checks, 1 WARN failed)"
    )
    assert len(body) == 4 and "\r" not in err.getvalue()


def test_terminal_progress_redraws_one_status_line(events: list[dg.EventLogEntry]) -> None:
    err = _Stream(tty=True)
    with Progress(Terminal(io.StringIO(), err), "okr: scoring", interactive=True) as progress:
        for entry in events:
            progress.on_event(entry)
    text = err.getvalue()
    assert "\r\x1b[K" in text  # the status line is redrawn in place ...
    finished = [line for line in text.replace("\r\x1b[K", "\n").splitlines() if "✓" in line]
    assert [line.split()[1] for line in finished] == ["load", "scored"]  # ... and a line per stage stays
    assert "[2/2] scored · 1/1 asset, 2/2 checks, 1 WARN failed" in text
    assert text.endswith("\r\x1b[K")  # the status line is gone at the end


def test_stage_labels() -> None:
    assert stage_label("dbt_scoring") == "dbt: scoring"
    assert stage_label("raw__ga4_daily_report") == "load ga4 daily report"
    assert stage_label("something_new") == "something new"


def test_capture_sends_everything_else_to_the_log(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    script = f"""
import subprocess, sys, warnings
from pathlib import Path
from pipelines.console import captured_output
with captured_output(Path({str(log)!r})) as term:
    print("dbt: 1 of 153 START sql view model")
    warnings.warn("Asset job nightly_scoring materializes assets with varying BackfillPolicies")
    subprocess.run(["sh", "-c", "echo from a child; echo child error >&2"], check=True)
    print("progress line", file=term.err)
    print("summary line", file=term.out)
print("after the block")
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=os.getcwd()
    )
    assert run.stdout == "summary line\nafter the block\n"
    assert run.stderr == "progress line\n"
    logged = log.read_text()
    for text in ("1 of 153 START", "UserWarning: Asset job nightly_scoring", "from a child", "child error"):
        assert text in logged


def test_capture_off_for_debug_and_old_logs_pruned(tmp_path: Path) -> None:
    with captured_output(None) as term:
        assert term.out is sys.stdout and term.err is sys.stderr
    logs = tmp_path / "logs"
    logs.mkdir()
    for i in range(KEEP_LOGS + 5):
        path = logs / f"okr-run-2026{i:04d}.log"
        path.write_text("x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    fresh = new_log_path(logs, "run")
    left = sorted(p.name for p in logs.glob("okr-*.log"))
    assert len(left) == KEEP_LOGS - 1 and "okr-run-20260000.log" not in left  # the oldest went
    assert fresh.name.startswith("okr-run-") and not fresh.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing here may warn
        new_log_path(logs, "backfill")
