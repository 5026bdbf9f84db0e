"""Check-in overrides on real dbt runs (docs/scoring.md, "Overrides"): an `override: true`
check-in on a data-fed KR replaces its actual from that day until the next data day, then the
data resumes; a check-in without override never changes a score. The scorecard published from
the marts shows the override and the check-ins in scorecard.json, on the site and in the exports.

One backfill scores every day from Nov 2 to Nov 7. GA4 has sessions on Nov 1, 2, 3 and 6 (100
each). The check-ins file is written the Finnish way (`;`, 3.11.2026, 450,5).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from connectors.raw_tables import ensure_raw_tables, now_utc, to_frame
from connectors.warehouse import DuckDBWarehouse, open_warehouse
from pipelines.explain import explain_kr, render_text
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.reporting.publish import publish_scorecard
from pipelines.reporting.scorecard_asset import load_history
from pipelines.reporting.scorecard_data import load_scorecard
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import run_dbt
from pipelines.transform.run_context import write_run_context
from tests.dbt.test_scoring_rules import ga4
from tests.helpers import d, make_workspace, prepare_views, run_scoring
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401  (session fixture)

PERIOD = {"metric": "sessions", "target": 2000, "start": d("2026-11-01"), "end": d("2026-11-30")}
OKRS = {
    "cycle": "2026-Q4",
    "objectives": [
        {"id": "O", "title": "Traffic", "owner": "Ann", "key_results": [
            {"id": "OVERRIDDEN", "title": "Sessions, overridden", **PERIOD},
            {"id": "NOTED", "title": "Sessions with check-ins", **PERIOD},
            {"id": "CONTROL", "title": "Sessions without check-ins", **PERIOD},
        ]},
    ],
}  # fmt: skip
CHECKINS = (
    "kr_id;date;value;confidence;note;author;override\n"
    "OVERRIDDEN;3.11.2026;450,5;;GA4 lost the campaign traffic, counted from the ad platforms;Aino;kyllä\n"
    "NOTED;2.11.2026;12345;3;A value on a data-fed KR is context only;Mikko;\n"
    "NOTED;4.11.2026;99;low;Still only context;Mikko;false\n"
    "OVERRIDDEN;5.11.2026;;8;Confident, the override stands;Aino;\n"
)
DAYS = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07"]
COLUMNS = (
    "as_of, kr_id, actual, data_actual, progress, score, status, forecast_projected_actual, forecast_p50"
)
GA4_DAYS = ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-06")


def _backfill(settings: Settings, wh: Any) -> dict[Any, dict[str, Any]]:
    """Store the definitions and GA4 rows, score Nov 2-7 in one backfill; rows by (as_of, kr_id)."""
    ensure_raw_tables(wh)
    store_definitions(load_definitions(settings.okrs_dir), wh, seen_on=d("2026-11-01"))
    meta = {"_source": "test", "_stream": "ga4", "_loaded_at": now_utc(), "_partition": "test"}
    rows = [ga4(day, "Organic Search", 100, 50) for day in GA4_DAYS]
    with wh.transaction() as tx:
        tx.insert("ga4_daily_report", to_frame("ga4_daily_report", rows, meta))
    write_run_context(wh, d(DAYS[0]), d(DAYS[-1]))
    run_scoring(settings)
    found = wh.query(
        f"SELECT {COLUMNS}, override_date, override_note, override_author FROM analytics.kr_score_history"
    )
    records = found.astype(object).where(found.notna(), None).to_dict(orient="records")
    return {(str(r["as_of"])[:10], r["kr_id"]): r for r in records}


def _workspace(root: Path) -> Settings:
    settings = make_workspace(root, {"2026-Q4.yml": OKRS})
    (settings.okrs_dir / "checkins.csv").write_text(CHECKINS, "utf-8")
    return settings


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    root: Path = tmp_path_factory.mktemp("overrides")
    settings = _workspace(root)
    prepare_views(settings)
    wh = DuckDBWarehouse(settings.warehouse_path)
    out: dict[Any, Any] = _backfill(settings, wh)
    # The night of Nov 5, while the override holds: the scorecard as published.
    run_dbt(settings, ["run", "--select", "intermediate marts"], as_of="2026-11-05")
    as_of = dt.date(2026, 11, 5)
    to_date = wh.query("SELECT kr_id, metric_date, actual_to_date FROM analytics.kr_actual_to_date")
    out["to_date"] = {(r.kr_id, str(r.metric_date)[:10]): r.actual_to_date for r in to_date.itertuples()}
    card = load_scorecard(wh, as_of, dt.datetime(2026, 11, 6, 6, tzinfo=dt.UTC))
    site = root / "site"
    publish_scorecard(card, load_history(wh, as_of), {}, site, lang="fi")
    out["site"] = site
    out["settings"] = settings
    return out


def test_the_checkins_file_in_finnish_format_was_read(history: dict) -> None:
    assert history["2026-11-03", "OVERRIDDEN"]["actual"] == 450.5


def test_override_replaces_the_actual_from_its_day_until_the_next_data_day(history: dict) -> None:
    actual = [history[day, "OVERRIDDEN"]["actual"] for day in DAYS]
    data = [history[day, "OVERRIDDEN"]["data_actual"] for day in DAYS]
    # Nov 3 has data too: the override wins on its own day; Nov 6 is the next data day.
    assert actual == [200, 450.5, 450.5, 450.5, 400, 400]
    assert data == [200, 300, 300, 300, 400, 400]
    marked = [str(history[day, "OVERRIDDEN"]["override_date"])[:10] for day in DAYS]
    assert marked == ["None", "2026-11-03", "2026-11-03", "2026-11-03", "None", "None"]
    held = history["2026-11-05", "OVERRIDDEN"]
    assert held["override_note"] == "GA4 lost the campaign traffic, counted from the ad platforms"
    assert held["override_author"] == "Aino"
    assert held["progress"] == pytest.approx(0.22525) and held["score"] == pytest.approx(0.22525)


def test_the_chart_series_takes_the_override_on_its_day(history: dict) -> None:
    # kr_actual_to_date as of Nov 5: what scoring at each data day gave (Nov 3: the override).
    series = history["to_date"]
    assert [series["OVERRIDDEN", day] for day in ("2026-11-01", "2026-11-02", "2026-11-03")] == [
        100,
        200,
        450.5,
    ]
    assert [series["CONTROL", day] for day in ("2026-11-01", "2026-11-02", "2026-11-03")] == [100, 200, 300]
    assert ("OVERRIDDEN", "2026-11-04") not in series  # no data that day: the nightly history has it


def test_the_forecast_starts_from_the_overridden_actual(history: dict) -> None:
    held = history["2026-11-05", "OVERRIDDEN"]
    assert held["forecast_projected_actual"] > 450.5
    assert held["forecast_p50"] >= 450.5
    plain = history["2026-11-05", "CONTROL"]
    assert held["forecast_p50"] > plain["forecast_p50"]


def test_checkins_without_override_never_change_the_score(history: dict) -> None:
    for day in DAYS:
        noted, control = history[day, "NOTED"], history[day, "CONTROL"]
        for column in ("actual", "data_actual", "progress", "score", "status", "forecast_p50"):
            assert noted[column] == control[column], (day, column)
        assert noted["override_date"] is None
    assert [history[day, "CONTROL"]["actual"] for day in DAYS] == [200, 300, 300, 300, 400, 400]


def test_scorecard_json_has_the_override_and_checkins_newest_first(history: dict) -> None:
    card = json.loads((history["site"] / "scorecard.json").read_text(encoding="utf-8"))
    krs = {kr["id"]: kr for kr in card["key_results"]}
    overridden = krs["OVERRIDDEN"]
    assert overridden["actual"] == 450.5
    assert overridden["override"] == {
        "date": "2026-11-03",
        "value": 450.5,
        "note": "GA4 lost the campaign traffic, counted from the ad platforms",
        "author": "Aino",
        "data_actual": 300,
    }
    assert [(c["date"], c["value"], c["confidence"], c["override"]) for c in overridden["checkins"]] == [
        ("2026-11-05", None, 8, False),
        ("2026-11-03", 450.5, None, True),
    ]
    noted = krs["NOTED"]
    assert noted["override"] is None and noted["actual"] == krs["CONTROL"]["actual"] == 300
    assert noted["checkins"] == [
        {"date": "2026-11-04", "value": 99, "note": "Still only context", "confidence": "low",
         "confidence_level": "low", "author": "Mikko", "override": False},
        {"date": "2026-11-02", "value": 12345, "note": "A value on a data-fed KR is context only",
         "confidence": 3, "confidence_level": "low", "author": "Mikko", "override": False},
    ]  # fmt: skip


def test_exports_and_site_show_the_override_and_the_latest_checkin(history: dict) -> None:
    site: Path = history["site"]
    text = (site / "scorecard.csv").read_text(encoding="utf-8-sig")
    rows = {r["kr_id"]: r for r in csv.DictReader(io.StringIO(text))}
    over = rows["OVERRIDDEN"]
    assert (over["actual"], over["data_actual"], over["override_date"]) == ("450.5", "300", "2026-11-03")
    assert (over["override_author"], over["checkin_date"], over["checkin_confidence"]) == (
        "Aino",
        "2026-11-05",
        "8",
    )
    assert over["checkin_note"] == "Confident, the override stands"
    assert rows["NOTED"]["override_date"] == "" and rows["NOTED"]["checkin_author"] == "Mikko"
    md = (site / "scorecard.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "(OVERRIDDEN)" in line)
    assert "| 450,5 \\(Korvattu käsin\\) |" in row  # Markdown-escaped like every cell
    assert "Tilannepäivitys 3.11.2026 korvaa toteuman uuteen dataan asti: GA4 lost the campaign" in row
    assert "\\(data antaa 300\\) · Viimeisin tilannepäivitys 5.11.2026, kirjoittaja Aino: Confident" in row
    page = next(site.rglob("*OVERRIDDEN*.html")).read_text(encoding="utf-8")
    assert "Korvattu käsin" in page
    assert "GA4 lost the campaign traffic, counted from the ad platforms" in page
    assert "luottamus matala" in next(site.rglob("*NOTED*.html")).read_text(encoding="utf-8")


def test_explain_names_the_override_and_the_data_actual(history: dict) -> None:
    settings = history["settings"]
    defs = load_definitions(settings.okrs_dir)
    held = explain_kr(settings, defs, "OVERRIDDEN", dt.date(2026, 11, 4))
    assert held["actual"]["value"] == 450.5
    assert held["actual"]["override"] == {
        "date": "2026-11-03",
        "note": "GA4 lost the campaign traffic, counted from the ad platforms",
        "author": "Aino",
        "data_actual": 300,
    }
    assert (
        "Actual            450.5 = OVERRIDE checked in on 2026-11-03 by Aino (GA4 lost the campaign "
        "traffic, counted from the ad platforms), in force until the next data day; the data gives 300 "
        "= sum of the daily values in the window (measure sum)"
    ) in render_text(held).splitlines()
    resumed = explain_kr(settings, defs, "OVERRIDDEN", dt.date(2026, 11, 6))
    assert resumed["actual"]["override"] is None and resumed["actual"]["value"] == 400


@pytest.mark.integration
def test_postgres_overrides_the_same_days(
    history: dict,
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = postgres_server.create_database("okr_overrides")
    for key, value in postgres_server.env(database).items():
        monkeypatch.setenv(key, value)
    settings = dataclasses.replace(_workspace(tmp_path), target="postgres")
    pg = _backfill(settings, open_warehouse("postgres"))
    assert sorted(pg) == sorted(k for k in history if isinstance(k, tuple))
    for key, row in pg.items():
        duck = history[key]
        for column in ("actual", "data_actual", "score", "forecast_p50"):
            a, b = duck[column], row[column]
            assert (a is None) == (b is None) and (a is None or math.isclose(a, float(b))), (key, column)
        assert (str(row["override_date"]), row["override_note"]) == (
            str(duck["override_date"]),
            duck["override_note"],
        ), key
