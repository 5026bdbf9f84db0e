"""The forecast interval and probability (docs/scoring.md, "Forecast interval") on real dbt runs.

One workspace, check-in KRs whose daily values the test sets; period Nov 1-30 (30 days), scored at
Nov 10: 10 days observed, 20 ahead.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse, open_warehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from tests.helpers import d, make_workspace, prepare_views, run_scoring
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401  (session fixture)

AS_OF = "2026-11-10"
PERIOD = {"start": d("2026-11-01"), "end": d("2026-11-30")}
DAYS = [f"2026-11-{day:02d}" for day in range(1, 11)]
# Mean 50 in each half of the sample (no drift), standard deviation sqrt(800 / 9).
AROUND_50 = [60, 40, 50, 60, 40, 60, 40, 50, 60, 40]


def kr(kr_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": kr_id, "title": kr_id, "metric": "checkins", "measure": "sum", **PERIOD, **fields}


KEY_RESULTS = [
    kr("CONST", target=300),  # 10 a day: exactly 300 at the end
    kr("CONST-SHORT", target=301),
    kr("AHEAD", target=700),  # around 50 a day: 500 in, 1,500 expected
    kr("BEHIND", target=3000),
    kr("STALE", target=300, stale_after_days=10),  # 10 a day, but no data after Nov 6
    kr("AVG-CONST", measure="avg", target=20),
    kr("MIN-HOLDS", measure="min", type="stay_above", target=10),
    kr("MIN-BROKEN", measure="min", type="stay_above", target=10),
    kr("MAX-RISKY", measure="max", type="stay_below", target=60),
    kr("ENDED", target=50, start=d("2026-11-01"), end=d("2026-11-05")),
    kr("ASPIRATIONAL", target=430, commitment="aspirational"),  # bar 0.7 x 430 = 301
]

CHECKINS = (
    [("CONST", day, 10) for day in DAYS]
    + [("CONST-SHORT", day, 10) for day in DAYS]
    + [("AHEAD", day, v) for day, v in zip(DAYS, AROUND_50, strict=True)]
    + [("BEHIND", day, v) for day, v in zip(DAYS, AROUND_50, strict=True)]
    + [("STALE", day, 10) for day in DAYS[:6]]
    + [("AVG-CONST", day, 20) for day in DAYS]
    + [("MIN-HOLDS", day, 12) for day in DAYS]
    + [("MIN-BROKEN", day, 9 if day == "2026-11-04" else 12) for day in DAYS]
    + [("MAX-RISKY", day, v) for day, v in zip(DAYS, AROUND_50, strict=True)]
    + [("ENDED", day, 10) for day in DAYS[:5]]
    + [("ASPIRATIONAL", day, 10) for day in DAYS]
)


DOC = {
    "cycle": "2026-Q4",
    "objectives": [{"id": "O", "title": "Forecasts", "owner": "Ann", "key_results": KEY_RESULTS}],
}
FORECAST_COLUMNS = ["forecast_p10", "forecast_p50", "forecast_p90", "forecast_probability_on_target"]


def _score(settings: Any, wh: Any) -> dict[str, dict[str, Any]]:
    ensure_raw_tables(wh)
    store_definitions(load_definitions(settings.okrs_dir), wh, seen_on=d("2026-11-01"))
    run_scoring(settings, as_of=AS_OF)
    df = wh.query("SELECT * FROM analytics.kr_scores")
    return {r["kr_id"]: r for r in df.astype(object).where(df.notna(), None).to_dict(orient="records")}


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    settings = make_workspace(tmp_path_factory.mktemp("forecast"), {"2026-Q4.yml": DOC}, CHECKINS)
    prepare_views(settings)
    return _score(settings, DuckDBWarehouse(settings.warehouse_path))


def test_constant_daily_series_gives_a_zero_width_interval(scores: dict) -> None:
    row = scores["CONST"]
    assert row["forecast_interval_method"] == "daily_sum_normal"
    assert (row["forecast_sample_days"], row["forecast_remaining_days"]) == (10, 20)
    assert row["forecast_daily_mean"] == 10 and row["forecast_daily_sd"] == 0
    assert row["forecast_p10"] == row["forecast_p50"] == row["forecast_p90"] == 300
    # Exactly on target is reached; one short of it is certain to be missed.
    assert row["forecast_probability_on_target"] == pytest.approx(1.0, abs=1e-9)
    assert scores["CONST-SHORT"]["forecast_probability_on_target"] == pytest.approx(0.0, abs=1e-9)
    level = scores["AVG-CONST"]
    assert level["forecast_interval_method"] == "level_se_drift"
    assert level["forecast_p10"] == level["forecast_p50"] == level["forecast_p90"] == 20


def test_far_ahead_is_near_certain_and_far_behind_near_impossible(scores: dict) -> None:
    ahead, behind = scores["AHEAD"], scores["BEHIND"]
    assert ahead["forecast_p50"] == pytest.approx(500 + 20 * 50)
    assert ahead["forecast_p10"] < ahead["forecast_p50"] < ahead["forecast_p90"]
    # The interval is symmetric around p50 (normal approximation) and no sum falls below what is in.
    assert ahead["forecast_p90"] - ahead["forecast_p50"] == pytest.approx(
        ahead["forecast_p50"] - ahead["forecast_p10"]
    )
    # docs/scoring.md: variance 88.9 x (20 + 40) + (9.43 x 20)^2 x 2 = 76,444, sd 276.5.
    assert ahead["forecast_p10"] == pytest.approx(1145.67, abs=0.01)
    assert ahead["forecast_p90"] == pytest.approx(1854.33, abs=0.01)
    assert ahead["forecast_probability_on_target"] == pytest.approx(0.9981, abs=1e-4)
    assert behind["forecast_probability_on_target"] < 0.01


def test_stale_days_are_not_counted_as_zeros(scores: dict) -> None:
    row = scores["STALE"]
    # Data through Nov 6: 6 observed days of 10, 24 days still to come (the stale 4 included).
    assert str(row["forecast_observed_through"])[:10] == "2026-11-06"
    assert (row["forecast_sample_days"], row["forecast_remaining_days"]) == (6, 24)
    assert row["forecast_p50"] == pytest.approx(300)
    # The run-rate projection counts the missing days as 0: 60 + 6 a day x 20 days.
    assert row["forecast_projected_actual"] == pytest.approx(180)
    assert row["forecast_probability_on_target"] == pytest.approx(1.0, abs=1e-9)


def test_min_and_max_give_the_chance_the_threshold_holds(scores: dict) -> None:
    assert scores["MIN-HOLDS"]["forecast_interval_method"] == "extreme_daily_normal"
    assert scores["MIN-HOLDS"]["forecast_probability_on_target"] == pytest.approx(1.0, abs=1e-9)
    assert scores["MIN-HOLDS"]["forecast_p10"] == scores["MIN-HOLDS"]["forecast_p90"] == 12
    # A minimum that fell below the target can never rise again.
    assert scores["MIN-BROKEN"]["forecast_probability_on_target"] == 0
    assert scores["MIN-BROKEN"]["forecast_p90"] == 9
    # Days around 50 (sd 9.4) with a bar at 60: each day ahead may cross it, 20 days almost surely do.
    risky = scores["MAX-RISKY"]
    assert risky["forecast_probability_on_target"] == pytest.approx(0.8556**20, abs=1e-3)
    assert risky["forecast_p10"] == pytest.approx(61.6, abs=0.1)
    assert risky["forecast_p90"] == pytest.approx(74.1, abs=0.1)


def test_an_ended_period_is_known_and_aspirational_uses_the_bar(scores: dict) -> None:
    ended = scores["ENDED"]
    assert ended["forecast_remaining_days"] == 0
    assert ended["forecast_p10"] == ended["forecast_p50"] == ended["forecast_p90"] == 50
    assert ended["forecast_probability_on_target"] == 1.0
    # 100 in, 10 a day: 300 at the end; the aspirational bar is 0.7 x 430 = 301 -> missed.
    asp = scores["ASPIRATIONAL"]
    assert asp["forecast_p50"] == pytest.approx(300)
    assert asp["forecast_probability_on_target"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.integration
def test_postgres_gives_the_same_interval(
    scores: dict,
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = postgres_server.create_database("okr_forecast")
    for key, value in postgres_server.env(database).items():
        monkeypatch.setenv(key, value)
    settings = make_workspace(tmp_path, {"2026-Q4.yml": DOC}, CHECKINS)
    pg = _score(dataclasses.replace(settings, target="postgres"), open_warehouse("postgres"))
    for kr_id, row in scores.items():
        for column in FORECAST_COLUMNS:
            a, b = row[column], pg[kr_id][column]
            assert (a is None) == (b is None), (kr_id, column, a, b)
            assert a is None or math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9), (kr_id, column)
