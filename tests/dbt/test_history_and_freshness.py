"""History as published, freshness through lineage, failed sources and exact sums, on real dbt runs.

One workspace: a cost-per-lead KR (ad spend / leads, two sources), a leads KR, an ad-spend KR
whose daily values are 0.1 + 0.2 + 0.3 over three campaigns, and a check-in KR whose target was
raised between two stored definition snapshots. Ads data stops on Nov 5, HubSpot runs to Nov 10.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import run_dbt
from pipelines.transform.run_context import write_run_context
from tests.helpers import d, insert_raw, make_workspace, prepare_views, run_scoring

PERIOD = {"start": d("2026-11-01"), "end": d("2026-11-30")}
OBJECTIVES = [
    {
        "id": "OBJ",
        "title": "Efficient growth",
        "owner": "Ann",
        "key_results": [
            {
                "id": "CPL",
                "title": "Cost per lead under 60",
                "metric": "cost_per_lead",
                "measure": "ratio",
                "type": "stay_below",
                "target": 60,
                **PERIOD,
            },
            {"id": "LEADS", "title": "300 leads", "metric": "leads", "target": 300, **PERIOD},
            {"id": "SPEND", "title": "Spend", "metric": "ad_spend", "target": 10, **PERIOD},
            {
                "id": "CHK",
                "title": "Check-ins",
                "metric": "checkins",
                "measure": "sum",
                "target": 200,
                "stale_after_days": 30,
                **PERIOD,
            },
        ],
    }
]
CHECKINS = [("CHK", f"2026-11-{day:02d}", 10) for day in range(1, 11)]


def _days(first: int, last: int) -> list[str]:
    return [f"2026-11-{day:02d}" for day in range(first, last + 1)]


def _ads(day: str, campaign: str, cost: float) -> dict[str, Any]:
    return {
        "spend_date": d(day),
        "platform": "Google Ads",
        "campaign": campaign,
        "impressions": 100,
        "clicks": 10,
        "cost": cost,
        "currency": "EUR",
        "_partition": day,
    }


def _contact(day: str, n: int) -> dict[str, Any]:
    at = dt.datetime.fromisoformat(f"{day}T10:00:00")
    return {
        "contact_id": f"{day}-{n}",
        "email_hash": None,
        "lifecycle_stage": "lead",
        "lead_status": "NEW",
        "original_source": "PAID_SEARCH",
        "original_source_drilldown_2": "x",
        "lead_source": "ads",
        "created_at": at,
        "updated_at": at,
        "became_lead_at": at,
        "became_mql_at": None,
        "became_sql_at": None,
        "became_customer_at": None,
    }


def _table(wh: DuckDBWarehouse, sql: str) -> pd.DataFrame:
    return wh.query(sql).astype(object).pipe(lambda df: df.where(df.notna(), None))


def _build(settings: Settings, wh: DuckDBWarehouse, first: str, last: str, replace: bool = False) -> None:
    write_run_context(wh, d(first), d(last), replace_history=replace)
    run_dbt(settings, ["run", "--select", "intermediate marts"])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = make_workspace(
        tmp_path_factory.mktemp("history"),
        {"2026-Q4.yml": {"cycle": "2026-Q4", "objectives": OBJECTIVES}},
        CHECKINS,
    )
    prepare_views(settings)
    wh = DuckDBWarehouse(settings.warehouse_path)
    defs = load_definitions(settings.okrs_dir)
    # The check-in KR's target was 100 until a run on Nov 8 saw it raised to 200.
    earlier = dataclasses.replace(
        defs,
        key_results=[
            dataclasses.replace(k, target=100.0) if k.kr_id == "CHK" else k for k in defs.key_results
        ],
    )
    store_definitions(earlier, wh, seen_on=d("2026-11-03"))
    store_definitions(defs, wh, seen_on=d("2026-11-08"))
    ads = [_ads(day, "x", 100.0) for day in _days(1, 5)]
    ads += [_ads("2026-11-02", c, cost) for c, cost in (("a", 0.1), ("b", 0.2), ("c", 0.3))]
    insert_raw(settings, "ad_spend", ads)
    insert_raw(settings, "hubspot_contacts", [_contact(day, n) for day in _days(1, 10) for n in range(2)])
    run_scoring(settings, as_of="2026-11-10")
    return {"settings": settings, "wh": wh}


def _scores(wh: DuckDBWarehouse) -> dict[str, dict[str, Any]]:
    return {r["kr_id"]: r for r in _table(wh, "SELECT * FROM analytics.kr_scores").to_dict(orient="records")}


def test_a_ratio_is_as_fresh_as_its_stalest_source(workspace: dict[str, Any]) -> None:
    """Ads stop on Nov 5 while leads run to Nov 10: cost per lead still has rows up to Nov 10 (the
    leads part), but its data reaches only Nov 5, so it is stale and names the ads staging model."""
    wh = workspace["wh"]
    own_rows = wh.query(
        "SELECT max(metric_date) AS d FROM analytics.int_metric_rows WHERE metric = 'cost_per_lead'"
    )["d"].iloc[0]
    assert str(own_rows)[:10] == "2026-11-10"
    scores = _scores(wh)
    cpl = scores["CPL"]
    assert str(cpl["data_through"])[:10] == "2026-11-05"
    assert cpl["status"] == "stale" and cpl["freshness_source"] == "stg_ads__campaign_spends"
    assert cpl["status_reason"] == "latest data is from 2026-11-05, more than 2 days before 2026-11-10"
    assert cpl["reason_code"] == "stale_data"
    assert json.loads(cpl["reason_params"])["source"] == "stg_ads__campaign_spends"
    leads = scores["LEADS"]
    assert str(leads["data_through"])[:10] == "2026-11-10" and leads["status"] != "stale"


def test_sums_are_exact_whatever_the_row_order(workspace: dict[str, Any]) -> None:
    """0.1 + 0.2 + 0.3 in floating point is 0.6000000000000001 in one order and 0.6 in another;
    scoring sums exactly, so the day's value (and the KR's actual) is 0.6 on every run."""
    wh = workspace["wh"]
    day = wh.query(
        "SELECT value FROM analytics.int_kr_daily_values"
        " WHERE kr_id = 'SPEND' AND metric_date = DATE '2026-11-02'"
    )["value"].iloc[0]
    assert day == 100.6
    assert _scores(wh)["SPEND"]["actual"] == 500.6


def test_metric_rows_hold_the_metrics_krs_read_with_every_metrics_columns(workspace: dict[str, Any]) -> None:
    """int_metric_rows reads only the metrics of some KR (a metric no KR reads costs planning, not
    rows), keeps the columns of every metric's dimensions, and numbers each row once."""
    wh = workspace["wh"]
    rows = wh.query("SELECT metric, row_no FROM analytics.int_metric_rows")
    assert set(rows["metric"]) == {"cost_per_lead", "leads", "ad_spend", "checkins"}
    assert rows["row_no"].is_unique
    columns = set(wh.query("SELECT * FROM analytics.int_metric_rows LIMIT 0").columns)
    assert {"dim_campaign", "dim_kr_id", "dim_site_id", "dim_deal_stage"} <= columns  # site_id: web metrics
    settings: Settings = workspace["settings"]
    compiled = settings.work_dir / "dbt-target-duckdb" / "compiled" / "okr_scorer" / "models"
    sql = (compiled / "intermediate" / "int_metric_rows.sql").read_text()
    assert '."leads"' in sql and '."sessions"' not in sql and '."plausible_visitors"' not in sql


def test_rerunning_gives_byte_identical_scores(workspace: dict[str, Any]) -> None:
    settings, wh = workspace["settings"], workspace["wh"]
    tables = ["kr_scores", "objective_scores", "initiative_contributions", "kr_actual_to_date"]

    def snapshot() -> dict[str, list[dict[str, Any]]]:
        return {
            t: _table(wh, f"SELECT * FROM analytics.{t} ORDER BY ALL").to_dict(orient="records")
            for t in tables
        }

    before = snapshot()
    _build(settings, wh, "2026-11-10", "2026-11-10")
    assert snapshot() == before  # every value equal to the last bit


def test_a_failed_source_makes_its_krs_stale_and_names_it(workspace: dict[str, Any]) -> None:
    settings, wh = workspace["settings"], workspace["wh"]
    status = pd.DataFrame(
        [
            {
                "source": "hubspot",
                "raw_table": "hubspot_contacts",
                "status": "failed",
                "attempted_at": pd.Timestamp("2026-11-11 02:00"),
                "last_success_at": pd.Timestamp("2026-11-09 02:00"),
                "error": "HubSpot answered 401: the token was rejected",
            }
        ]
    )
    with wh.transaction() as tx:
        tx.replace_all(
            "source_load_status",
            status,
            {
                "source": "VARCHAR",
                "raw_table": "VARCHAR",
                "status": "VARCHAR",
                "attempted_at": "TIMESTAMP",
                "last_success_at": "TIMESTAMP",
                "error": "VARCHAR",
            },
        )
    try:
        _build(settings, wh, "2026-11-10", "2026-11-10")
        scores = _scores(wh)
    finally:
        # The tests after this one each build before they read (a dbt run less than rebuilding here).
        with wh.transaction() as tx:
            tx.execute('DROP TABLE "raw"."source_load_status"')
    leads = scores["LEADS"]
    assert leads["status"] == "stale" and leads["failed_source"] == "hubspot"
    assert (
        leads["status_reason"]
        == "source hubspot failed to load: HubSpot answered 401: the token was rejected"
    )
    assert leads["score"] is not None  # a stale KR keeps its score
    assert scores["CPL"]["failed_source"] == "hubspot"  # leads are half of cost per lead
    assert scores["SPEND"]["failed_source"] is None  # ads only: stale by its own date, not by HubSpot
    assert "hubspot" not in (scores["SPEND"]["status_reason"] or "")


def _history(wh: DuckDBWarehouse, kr_id: str) -> dict[str, dict[str, Any]]:
    rows = _table(wh, f"SELECT * FROM analytics.kr_score_history WHERE kr_id = '{kr_id}' ORDER BY as_of")
    return {str(r["as_of"])[:10]: r for r in rows.to_dict(orient="records")}


def test_a_backfill_scores_every_day_in_one_run_with_that_days_definitions(workspace: dict[str, Any]) -> None:
    settings, wh = workspace["settings"], workspace["wh"]
    _build(settings, wh, "2026-11-01", "2026-11-10")
    history = _history(wh, "CHK")
    assert list(history) == _days(1, 10)
    # Nov 1: before the first snapshot a nightly run could have seen -> today's definitions.
    # Nov 2..6: the Nov 3 snapshot (target 100); from Nov 7 the run of Nov 8 saw target 200.
    targets = {day: row["target"] for day, row in history.items()}
    assert targets == {
        **{day: 100.0 for day in _days(2, 6)},
        "2026-11-01": 200.0,
        **{day: 200.0 for day in _days(7, 10)},
    }
    assert history["2026-11-05"]["actual"] == 50.0 and history["2026-11-05"]["score"] == 0.5
    assert str(history["2026-11-05"]["definitions_seen_on"])[:10] == "2026-11-03"
    # kr_scores is the newest day, as the history has it.
    newest = _scores(wh)["CHK"]
    assert str(newest["as_of"])[:10] == "2026-11-10" and newest["score"] == history["2026-11-10"]["score"]
    counts = wh.query(
        "SELECT count(DISTINCT as_of) AS n, count(*) AS r FROM analytics.objective_score_history"
    )
    assert counts["n"].iloc[0] >= 10


def test_history_keeps_what_was_published_unless_replaced(workspace: dict[str, Any]) -> None:
    settings, wh = workspace["settings"], workspace["wh"]
    _build(settings, wh, "2026-11-01", "2026-11-10")
    published = _history(wh, "CHK")
    # New data for a past day arrives; a backfill without --replace keeps every published day.
    with wh.transaction() as tx:
        tx.execute(
            'UPDATE "raw"."okr_checkins" SET value = 40'
            " WHERE kr_id = 'CHK' AND checkin_date = DATE '2026-11-04'"
        )
    _build(settings, wh, "2026-11-03", "2026-11-10")
    kept = _history(wh, "CHK")
    assert kept == published
    # With --replace the range is rescored (with each day's definitions) and marked as restated.
    _build(settings, wh, "2026-11-05", "2026-11-10", replace=True)
    replaced = _history(wh, "CHK")
    assert replaced["2026-11-05"]["actual"] == 80.0 and replaced["2026-11-05"]["target"] == 100.0
    assert all(replaced[day]["restated_at"] is not None for day in _days(5, 10))
    assert all(replaced[day] == published[day] for day in _days(1, 4))
