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
    job = defs.get_job_def("nightly_scoring")
    assert job.partitions_def is not None


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
