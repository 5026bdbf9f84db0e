"""Pace (docs/scoring.md, "Pace") on real dbt runs: linear, seasonal with and without last year's
history, explicit monthly shares, threshold types, and rescoring a past date.

Check-in KRs whose daily values the test sets, last year's too. Period Nov 1-30 2026 (30 days),
scored at Nov 10 (10 days elapsed): linear expects 10 / 30 of the target.
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
from pipelines.transform.dbt_setup import run_dbt
from pipelines.transform.run_context import write_run_context
from tests.helpers import d, make_workspace, okr, prepare_views, run_scoring
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401  (session fixture)

AS_OF = "2026-11-10"
PERIOD = {"start": d("2026-11-01"), "end": d("2026-11-30")}
QUARTER = {"start": d("2026-10-01"), "end": d("2026-12-31")}
NOV = [f"2026-11-{day:02d}" for day in range(1, 11)]
LAST_NOV = [f"2025-11-{day:02d}" for day in range(1, 31)]
# Last November: 2 a day for the first 10 days, 14 a day after (20 + 280 = 300): a slow start.
SLOW_START = [2] * 10 + [14] * 20


def kr(kr_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": kr_id, "title": kr_id, "metric": "checkins", "measure": "sum", **PERIOD, **fields}


KEY_RESULTS = [
    kr("LINEAR", target=300),
    kr("SEASONAL", target=300, pace="seasonal"),
    kr("SEASONAL-ASP", target=300, pace="seasonal", commitment="aspirational"),
    kr("SEASONAL-NOHIST", target=300, pace="seasonal"),
    kr("SEASONAL-ZERO", target=300, pace="seasonal"),
    kr("MONTHLY", target=300, pace={"2026-10": 0.25, "2026-11": 0.45, "2026-12": 0.30}, **QUARTER),
    kr(
        "MONTHLY-FIRST",
        target=300,
        pace={"2026-11": 0.6, "2026-12": 0.4},
        start=d("2026-11-10"),
        end=d("2026-12-09"),
    ),
    kr("STAY-SEASONAL", measure="min", type="stay_above", target=1, pace="seasonal"),
]

CHECKINS = (
    [
        (k, day, 2)
        for k in ("LINEAR", "SEASONAL", "SEASONAL-ASP", "SEASONAL-NOHIST", "SEASONAL-ZERO")
        for day in NOV
    ]
    + [
        (k, day, v)
        for k in ("SEASONAL", "SEASONAL-ASP", "STAY-SEASONAL")
        for day, v in zip(LAST_NOV, SLOW_START, strict=True)
    ]
    + [("SEASONAL-ZERO", day, 0) for day in LAST_NOV]
    + [("MONTHLY", f"2026-10-{day:02d}", 3) for day in range(1, 32)]
    + [("MONTHLY", day, 3) for day in NOV]
    + [("MONTHLY-FIRST", "2026-11-10", 5)]
    + [("STAY-SEASONAL", day, 2) for day in NOV]
)
DOC = {
    "cycle": "2026-Q4",
    "objectives": [{"id": "O", "title": "Pace", "owner": "Ann", "key_results": KEY_RESULTS}],
}


PACE_COLUMNS = ["expected_progress", "pace_share", "forecast_season_scale", "forecast_p50", "forecast_p90"]


def _rows(wh: Any, sql: str) -> list[dict[str, Any]]:
    df = wh.query(sql)
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")


def _backfill(settings: Any, wh: Any) -> None:
    ensure_raw_tables(wh)
    store_definitions(load_definitions(settings.okrs_dir), wh, seen_on=d("2026-11-01"))
    # A backfill of Nov 1..10 in one run: every day's expected progress kept in kr_score_history.
    write_run_context(wh, d("2026-11-01"), d(AS_OF))
    run_scoring(settings)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, DuckDBWarehouse]:
    settings = make_workspace(tmp_path_factory.mktemp("pace"), {"2026-Q4.yml": DOC}, CHECKINS)
    prepare_views(settings)
    wh = DuckDBWarehouse(settings.warehouse_path)
    _backfill(settings, wh)
    return settings, wh


@pytest.fixture(scope="module")
def scores(run: tuple[Any, DuckDBWarehouse]) -> dict[str, dict[str, Any]]:
    return {r["kr_id"]: r for r in _rows(run[1], "SELECT * FROM analytics.kr_scores")}


def test_linear_is_todays_rule(scores: dict) -> None:
    row = scores["LINEAR"]
    assert (row["pace"], row["pace_method"], row["pace_warning"]) == ("linear", "linear", None)
    assert row["pace_share"] is None
    assert row["expected_progress"] == 10 / 30
    # 20 of 300 done against 100 expected: off track on the straight line.
    assert row["status"] == "off_track"


def test_seasonal_follows_last_years_cumulative_share(scores: dict) -> None:
    row = scores["SEASONAL"]
    assert (row["pace"], row["pace_method"], row["pace_warning"]) == ("seasonal", "seasonal", None)
    # docs/scoring.md, "Pace": last year's Nov 1-10 brought 20 of its 300, so 20 / 300 is expected.
    assert row["pace_share"] == pytest.approx(20 / 300, abs=1e-12)
    assert row["expected_progress"] == pytest.approx(20 / 300, abs=1e-12)
    assert row["score"] == pytest.approx(20 / 300, abs=1e-12)
    assert row["status"] == "on_track"
    asp = scores["SEASONAL-ASP"]
    assert asp["expected_progress"] == pytest.approx(0.7 * 20 / 300, abs=1e-12)


def test_seasonal_without_history_falls_back_to_linear_with_a_warning(scores: dict) -> None:
    for kr_id, warning in (("SEASONAL-NOHIST", "no_history"), ("SEASONAL-ZERO", "history_not_positive")):
        row = scores[kr_id]
        assert (row["pace"], row["pace_method"], row["pace_warning"]) == ("seasonal", "linear", warning)
        assert row["expected_progress"] == 10 / 30
        assert row["status"] == "off_track"


def test_okr_validate_warns_of_the_fallback(run: tuple[Any, DuckDBWarehouse], scores: dict) -> None:
    done = okr(run[0].root, "validate")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("OK: 1 file(s), 1 objectives, 8 key results")
    assert lines[1:] == [
        "warning: okrs/2026-Q4.yml: key result 'SEASONAL-NOHIST' has pace: seasonal, "
        "but there are no rows of metric 'checkins' for it from 2025-11-01 to 2025-11-30, "
        "so it is scored on a straight line (last scored as of 2026-11-10)",
        "warning: okrs/2026-Q4.yml: key result 'SEASONAL-ZERO' has pace: seasonal, but its rows of metric "
        "'checkins' from 2025-11-01 to 2025-11-30 add up to 0 or less, so it is scored on a straight line "
        "(last scored as of 2026-11-10)",
    ]


def test_monthly_shares(scores: dict) -> None:
    row = scores["MONTHLY"]
    assert (row["pace"], row["pace_method"]) == ("monthly", "monthly")
    # docs/scoring.md, "Pace": October's 0.25, then 10 of November's 30 days of its 0.45.
    assert row["expected_progress"] == pytest.approx(0.25 + 0.45 * 10 / 30, abs=1e-12)
    # 41 days of 3 = 123 of 300 = 0.41 against 0.40 expected: on track.
    assert row["score"] == pytest.approx(0.41)
    assert row["status"] == "on_track"
    # First day of a period that starts mid-month: 1 of November's 21 days in it, of its 0.6.
    first = scores["MONTHLY-FIRST"]
    assert first["expected_progress"] == pytest.approx(0.6 / 21, abs=1e-12)


def test_threshold_types_ignore_pace(scores: dict) -> None:
    row = scores["STAY-SEASONAL"]
    assert row["pace"] == "seasonal" and row["pace_method"] is None and row["pace_share"] is None
    assert row["expected_progress"] == 1.0


def test_seasonal_pace_shapes_the_sum_forecast(scores: dict) -> None:
    # docs/scoring.md, "Forecast interval": 2 a day over the 10-day sample, last year's share per
    # day ahead (280 / 300 / 20) is 7 times its share per sample day (20 / 300 / 10); a quarter of
    # that shape is trusted (okr_forecast_season_share 0.25): k = 7 ** 0.25.
    row = scores["SEASONAL"]
    k = 7**0.25
    assert row["forecast_season_scale"] == pytest.approx(k, abs=1e-9)
    assert row["forecast_p50"] == pytest.approx(20 + 20 * 2 * k, abs=1e-6)
    assert row["forecast_p10"] == pytest.approx(row["forecast_p90"], abs=1e-6)
    assert row["forecast_probability_on_target"] == pytest.approx(0.0, abs=1e-9)
    # The same days on a straight line: 2 a day ahead.
    linear = scores["LINEAR"]
    assert linear["forecast_season_scale"] == 1.0
    assert linear["forecast_p50"] == pytest.approx(20 + 20 * 2, abs=1e-6)
    assert scores["SEASONAL-NOHIST"]["forecast_season_scale"] == 1.0


def test_curves_end_at_one_and_rise_with_last_year(run: tuple[Any, DuckDBWarehouse]) -> None:
    curve = {
        str(r["curve_date"])[:10]: r["cumulative_share"]
        for r in _rows(run[1], "SELECT * FROM analytics.int_kr_pace_curves WHERE kr_id = 'SEASONAL'")
    }
    assert len(curve) == 30
    assert curve["2026-11-01"] == pytest.approx(2 / 300, abs=1e-12)
    assert curve["2026-11-11"] == pytest.approx(34 / 300, abs=1e-12)
    assert curve["2026-11-30"] == 1.0
    values = [curve[k] for k in sorted(curve)]
    assert values == sorted(values)


def test_rescoring_a_past_date_gives_the_same_expected_progress(run: tuple[Any, DuckDBWarehouse]) -> None:
    settings, wh = run
    sql = "SELECT kr_id, expected_progress FROM analytics.kr_score_history WHERE as_of = DATE '2026-11-05'"
    backfilled = {r["kr_id"]: r["expected_progress"] for r in _rows(wh, sql)}
    assert backfilled["SEASONAL"] == pytest.approx(10 / 300, abs=1e-12)
    assert backfilled["MONTHLY"] == pytest.approx(0.25 + 0.45 * 5 / 30, abs=1e-12)
    # Later shares (seen on Nov 8) do not change Nov 5, which keeps the shares seen then.
    doc = {
        **DOC,
        "objectives": [
            {
                **DOC["objectives"][0],
                "key_results": [
                    {**k, "pace": {"2026-10": 0.2, "2026-11": 0.5, "2026-12": 0.3}}
                    if k["id"] == "MONTHLY"
                    else k
                    for k in KEY_RESULTS
                ],
            }
        ],
    }
    import yaml

    (settings.okrs_dir / "2026-Q4.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    store_definitions(load_definitions(settings.okrs_dir), wh, seen_on=d("2026-11-08"))
    write_run_context(wh, d("2026-11-05"), replace_history=True)
    # Staging and metric views read the raw tables as they are now: only the scoring is rebuilt.
    run_dbt(settings, ["run", "--select", "intermediate marts"])
    rescored = {r["kr_id"]: r["expected_progress"] for r in _rows(wh, sql)}
    for kr_id, value in backfilled.items():
        assert rescored[kr_id] == value or math.isclose(rescored[kr_id], value, abs_tol=1e-15), kr_id
    write_run_context(wh, d(AS_OF))
    run_dbt(settings, ["run", "--select", "intermediate marts"])
    now = {r["kr_id"]: r for r in _rows(wh, "SELECT * FROM analytics.kr_scores")}
    assert now["MONTHLY"]["expected_progress"] == pytest.approx(0.2 + 0.5 * 10 / 30, abs=1e-12)


@pytest.mark.integration
def test_postgres_gives_the_same_pace(
    scores: dict,
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = postgres_server.create_database("okr_pace")
    for key, value in postgres_server.env(database).items():
        monkeypatch.setenv(key, value)
    settings = dataclasses.replace(
        make_workspace(tmp_path, {"2026-Q4.yml": DOC}, CHECKINS), target="postgres"
    )
    wh = open_warehouse("postgres")
    _backfill(settings, wh)
    pg = {r["kr_id"]: r for r in _rows(wh, "SELECT * FROM analytics.kr_scores")}
    for kr_id, row in scores.items():
        assert (row["pace_method"], row["pace_warning"]) == (
            pg[kr_id]["pace_method"],
            pg[kr_id]["pace_warning"],
        )
        for column in PACE_COLUMNS:
            a, b = row[column], pg[kr_id][column]
            assert (a is None) == (b is None), (kr_id, column, a, b)
            assert a is None or math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12), (kr_id, column)
