"""The code location loads as `dagster dev` would, and the nightly schedule fires at 02:00 Helsinki."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.settings import REPO_ROOT
from tests.helpers import make_workspace


def test_pyproject_points_dagster_at_the_definitions() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["dagster"]
    assert config["module_name"] == "pipelines.definitions"


def test_asset_graph_has_every_metric_and_the_scoring_chain() -> None:
    from pipelines.definitions import build_definitions
    from pipelines.okr_definitions.metric_catalog import metric_model_names

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for metric in metric_model_names():
        assert metric in keys, f"metric model {metric} is not an asset"
    for key in [
        "raw/okr_key_results",
        "raw/okr_blocked_metrics",
        "kr_scores",
        "objective_scores",
        "kr_score_history",
        "scorecard",
        "raw/hubspot_contacts",
    ]:
        assert key in keys
    # Scoring waits for the quality gate, which waits for the metrics.
    gate = dg.AssetKey(["raw", "okr_blocked_metrics"])
    assert gate in graph.get(dg.AssetKey("stg_okr__blocked_metrics")).parent_keys
    assert dg.AssetKey("leads") in graph.get(gate).parent_keys
    job = defs.resolve_job_def("nightly_scoring")
    assert job.partitions_def is not None
    # The metric rows KRs read are gathered by the metrics step, in its group; scoring reads them.
    rows = graph.get(dg.AssetKey("int_metric_rows"))
    assert rows.group_name == "metrics" and graph.get(dg.AssetKey("leads")).group_name == "metrics"
    assert graph.get(dg.AssetKey("kr_scores")).group_name == "scoring"
    assert rows.key in defs.get_assets_def(dg.AssetKey("leads")).keys
    assert rows.key not in defs.get_assets_def(dg.AssetKey("kr_scores")).keys
    assert rows.key in graph.get(dg.AssetKey("kr_metric_days")).parent_keys


def test_every_job_runs_its_steps_in_the_runs_own_process() -> None:
    """A launched run (the schedule, the UI, a sensor) executes its steps one after the other in
    its process: steps in processes of their own opened the DuckDB warehouse at once and one
    failed on its lock (tests/pipelines/deploy/ runs the nightly job that way)."""
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    jobs = defs.resolve_all_job_defs()  # with the UI's "Materialize" job (__ASSET_JOB)
    assert {"nightly_scoring", "weekly_digest", "__ASSET_JOB"} <= {job.name for job in jobs}
    assert {job.name: job.executor_def.name for job in jobs} == {job.name: "in_process" for job in jobs}


def test_schedule_cron_timezone_and_default_on() -> None:
    from pipelines.schedules import nightly_scoring_schedule

    assert nightly_scoring_schedule.cron_schedule == "0 2 * * *"
    assert nightly_scoring_schedule.execution_timezone == "Europe/Helsinki"
    assert nightly_scoring_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert nightly_scoring_schedule.job_name == "nightly_scoring"


def test_schedule_scores_yesterday_in_helsinki() -> None:
    from pipelines.schedules import nightly_scoring_schedule

    # 02:00 in Helsinki on 27 Nov is 00:00 UTC: still yesterday (26 Nov) is scored.
    when = dt.datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    request = nightly_scoring_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == "2026-11-26" and request.run_key == "2026-11-26"


def test_schedule_skips_with_errors_when_definitions_are_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.schedules import nightly_scoring_schedule

    make_workspace(
        tmp_path,
        {
            "q.yml": "cycle: 2026-Q4\nobjectives:\n  - {id: A, title: A, key_results: "
            "[{id: K, title: k, metric: nope, target: 1}]}\n"
        },
    )
    monkeypatch.setenv("OKR_WORKSPACE", str(tmp_path))
    when = dt.datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    result = nightly_scoring_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    assert isinstance(result, dg.SkipReason)
    assert "unknown metric 'nope'" in result.skip_message


def test_importing_the_definitions_runs_nothing() -> None:
    """No dbt subprocess (no parse) and none of dbt, dagster-dbt, GX or the asset modules at import.
    (Dagster's own import runs `file -b <python>` once, via platform.architecture in its vendored
    croniter: that one is not ours.)"""
    import subprocess
    import sys

    probe = (
        "import subprocess, sys\n"
        "calls = []\n"
        "real = subprocess.Popen.__init__\n"
        "subprocess.Popen.__init__ = lambda self, *a, **k: (calls.append(a), real(self, *a, **k))[1]\n"
        "import pipelines.definitions\n"
        "heavy = [m for m in ('dagster_dbt', 'dbt', 'great_expectations', 'pipelines.transform.dbt_assets') "
        "if m in sys.modules]\n"
        "ours = [a for a in calls if not (a and list(a[0])[:2] == ['file', '-b'])]\n"
        "print(len(ours), heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "0 []", out.stdout + out.stderr


def test_a_run_covers_one_day_or_a_range_of_days() -> None:
    from pipelines.partitions import REPLACE_TAG, replace_history, scoring_range

    night = {"dagster/partition": "2026-11-26"}
    backfill = {
        "dagster/asset_partition_range_start": "2026-08-27",
        "dagster/asset_partition_range_end": "2026-11-26",
    }
    assert scoring_range(night) == (dt.date(2026, 11, 26), dt.date(2026, 11, 26))
    assert scoring_range(backfill) == (dt.date(2026, 8, 27), dt.date(2026, 11, 26))
    assert scoring_range({}) is None
    # A night rescores its day; a backfill fills missing days unless told to replace.
    assert replace_history(night) and not replace_history(backfill)
    assert replace_history({**backfill, REPLACE_TAG: "true"})
    assert not replace_history({**night, REPLACE_TAG: "false"})
