"""`okr backtest` and `okr explain` on the demo, as a user runs them (after a real `okr run`)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.forecast_backtest import REPLAYS_DIR, _replay_key
from pipelines.settings import load_settings
from pipelines.transform.dbt_setup import prepare_manifest
from pipelines.transform.run_context import write_run_context
from tests.conftest import DemoNight
from tests.pipelines.test_okr_cli import okr


@pytest.fixture(scope="module")
def demo(demo_night: DemoNight, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared demo night (scored 2026-11-26): the backtest writes a replay copy."""
    return demo_night.copy_to(tmp_path_factory.mktemp("demo") / "ws")


@pytest.mark.slow
def test_backtest_on_the_demo_cycles_is_calibrated(demo: Path) -> None:
    card = (demo / "build" / "scorecard" / "scorecard.json").read_bytes()
    out = okr(demo, "backtest", "--cycle", "2026-Q3", "--cycle", "2025-Q4", "--json")
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    assert result["replay_reused"] is False
    assert result["cycles"] == ["2025-Q4", "2026-Q3"] and result["cycle"] == "2025-Q4, 2026-Q3"
    assert result["at_percent"] == [25, 50, 75]
    pooled = {r["measure"]: r for r in result["by_measure"]}
    per_cycle = {c["cycle"]: {r["measure"]: r for r in c["by_measure"]} for c in result["by_cycle"]}
    assert set(pooled) == {"avg", "max", "ratio", "sum", "all"}
    assert per_cycle["2025-Q4"]["all"]["forecasts"] == 33 and per_cycle["2026-Q3"]["all"]["forecasts"] == 33
    assert pooled["all"]["forecasts"] == 66 == len(result["points"])
    assert {p["cycle"] for p in result["points"]} == {"2025-Q4", "2026-Q3"}
    # The interval holds about four finals in five over the demo's finished cycles.
    assert 0.70 <= pooled["all"]["coverage"] <= 0.90
    inside = sum(p["inside"] for p in result["points"])
    assert pooled["all"]["coverage"] == pytest.approx(inside / 66)
    # Brier score and error of p50 for every measure, per cycle and pooled.
    for rows in (pooled, *per_cycle.values()):
        for measure, row in rows.items():
            assert row["brier"] is not None and 0 <= row["brier"] <= 1, measure
            assert row["mae_p50_relative"] is not None and row["mae_p50_relative"] >= 0, measure
            assert measure == "all" or row["mae_p50"] >= 0
    assert per_cycle["2026-Q3"]["all"]["brier"] < 0.25 + 0.01  # no worse than always saying 50 %
    assert all(p["p10"] <= p["p50"] <= p["p90"] for p in result["points"])
    # `--cycle all` is every finished cycle (2026-Q4 is not): the same days, so the kept replay.
    every = okr(demo, "backtest", "--cycle", "all", "--json")
    assert every.returncode == 0, every.stderr[-3000:]
    assert json.loads(every.stdout)["replay_reused"] is True
    again = {r["measure"]: r for r in json.loads(every.stdout)["by_measure"]}
    assert again.keys() == pooled.keys()
    for measure, row in again.items():  # the same figures (to the float sums' last digits)
        for key in ("forecasts", "coverage", "brier", "mae_p50", "mae_p50_relative"):
            expected = pooled[measure][key]
            assert row[key] == (expected if expected is None else pytest.approx(expected, rel=1e-9)), key
    # The replay runs on a copy: the published scorecard and scores are untouched.
    assert (demo / "build" / "scorecard" / "scorecard.json").read_bytes() == card
    table = okr(demo, "backtest", "--cycle", "all", "--at", "50")
    assert table.returncode == 0 and "coverage p10-p90" in table.stdout and "sum" in table.stdout
    assert "at 50 %" in table.stdout and "2025-Q4:" in table.stdout and "All 2 cycles pooled:" in table.stdout
    assert "the replay of these days was reused" in table.stdout
    single = okr(demo, "backtest", "--cycle", "2026-Q3", "--at", "50")
    assert single.returncode == 0 and "pooled" not in single.stdout and "Backtest of 2026-Q3" in single.stdout
    assert "reused" not in single.stdout  # other days: replayed
    assert len(list((demo / "data" / ".okr" / REPLAYS_DIR).glob("*.parquet"))) == 2


@pytest.mark.slow
def test_a_kept_replay_is_found_only_for_the_same_code_data_and_days(demo: Path, tmp_path: Path) -> None:
    settings = load_settings(demo)
    manifest = prepare_manifest(settings)
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(settings.warehouse_path, copy)
    warehouse = DuckDBWarehouse(copy)
    q3 = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    key = _replay_key(manifest, warehouse, *q3)
    assert _replay_key(manifest, warehouse, *q3) == key
    write_run_context(warehouse, dt.date(2026, 1, 1), dt.date(2026, 1, 2))  # the replay writes its own
    assert _replay_key(manifest, warehouse, *q3) == key
    assert _replay_key(manifest, warehouse, q3[0], dt.date(2026, 9, 29)) != key
    with warehouse.session(), warehouse.transaction() as tx:
        tx.execute("UPDATE raw.ga4_daily_report SET sessions = sessions + 1 WHERE rowid = 0")
    assert _replay_key(manifest, warehouse, *q3) != key
    stamp = manifest.with_name("okr-fingerprint.txt")
    changed = tmp_path / "target" / "manifest.json"  # the same manifest prepared for other code
    changed.parent.mkdir()
    shutil.copy(manifest, changed)
    changed.with_name(stamp.name).write_text("other code")
    assert _replay_key(changed, warehouse, *q3) != _replay_key(manifest, warehouse, *q3)


@pytest.mark.slow
def test_backtest_refuses_an_unfinished_or_unknown_cycle(demo: Path) -> None:
    unknown = okr(demo, "backtest", "--cycle", "2031-Q1")
    assert unknown.returncode == 1 and "no key results in cycle '2031-Q1'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    running = okr(demo, "backtest", "--cycle", "2026-Q3", "--cycle", "2026-Q4")
    assert running.returncode == 1
    assert "cycle 2026-Q4 is not finished: it ends on 2026-12-31" in running.stderr
    mixed = okr(demo, "backtest", "--cycle", "all", "--cycle", "2026-Q3")
    assert mixed.returncode == 1 and "--cycle all replays every finished cycle: give it alone" in mixed.stderr
    assert okr(demo, "backtest", "--cycle", "2026-Q3", "--at", "fifty").returncode == 2


@pytest.mark.slow
def test_explain_reads_the_marts(demo: Path) -> None:
    out = okr(demo, "explain", "GROWTH-Q4-1.1", "--json")
    assert out.returncode == 0, out.stderr[-3000:]
    e = json.loads(out.stdout)
    card = json.loads((demo / "build" / "scorecard" / "scorecard.json").read_text())
    published = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.1")
    # The same figures as the site, not recomputed.
    assert e["as_of"] == "2026-11-26"
    assert e["actual"]["value"] == published["actual"] and e["score"] == pytest.approx(published["score"])
    assert e["forecast"]["p50"] == pytest.approx(published["forecast"]["p50"])
    probability = published["forecast"]["probability_on_target"]
    assert e["forecast"]["probability_on_target"] == pytest.approx(probability)
    assert e["definition"]["target"]["from"].startswith("2026-Q4.yml:")
    assert e["definition"]["start"]["from"] == "2026-Q4.yml (cycle)"
    assert e["metric"]["sql_file"] == "dbt_project/models/metrics/leads.sql"
    assert e["metric"]["filter"] == {"lead_source": ["inbound", "event"]}
    assert len(e["last_days"]) == 14 and e["last_days"][-1]["date"] == "2026-11-26"
    assert e["metric"]["rows_in_window"] > 0 and e["time"]["elapsed_days"] == 57
    text = okr(demo, "explain", "GROWTH-Q4-1.1")
    assert text.returncode == 0
    for line in ("Definition", "Last 14 days", "Expected progress", "interval          p10", "Checks"):
        assert line in text.stdout
    missing = okr(demo, "explain", "NOPE-1")
    assert missing.returncode == 1 and "no key result 'NOPE-1'" in missing.stderr
    early = okr(demo, "explain", "GROWTH-Q4-1.1", "--as-of", "2026-10-01")
    assert early.returncode == 1 and "no published score on 2026-10-01" in early.stderr
