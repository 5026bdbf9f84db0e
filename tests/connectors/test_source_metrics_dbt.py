"""The metric models of Matomo, Plausible, Pipedrive and Salesforce with real dbt on DuckDB:
raw rows written through connectors/load.py, staging and metrics built, every value checked."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from connectors.load import replace_days, upsert_records
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
D1, D2 = dt.date(2026, 1, 14), dt.date(2026, 1, 15)
METRICS = [
    "matomo_visits",
    "matomo_visitors",
    "matomo_conversions",
    "matomo_conversion_rate",
    "plausible_visits",
    "plausible_visitors",
    "plausible_conversions",
    "pipedrive_deals_created",
    "pipedrive_deals_won",
    "pipedrive_won_value",
    "salesforce_opportunities",
]


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _seed(wh: DuckDBWarehouse) -> None:
    ensure_raw_tables(wh)
    matomo = [
        {
            "report_date": D1,
            "site_id": "1",
            "nb_visits": 50,
            "nb_uniq_visitors": 40,
            "nb_visits_converted": 5,
        },
        {
            "report_date": D2,
            "site_id": "1",
            "nb_visits": 20,
            "nb_uniq_visitors": None,
            "nb_visits_converted": 0,
        },
    ]
    replace_days(wh, "matomo_daily_report", matomo, D1, D2, source="matomo", stream="daily_report")
    plausible = [
        {
            "report_date": D1,
            "site_id": "x.fi",
            "source": "Google",
            "utm_medium": "cpc",
            "utm_campaign": "spring",
            "visitors": 30,
            "visits": 33,
        },
        {
            "report_date": D1,
            "site_id": "x.fi",
            "source": "Direct",
            "utm_medium": "(none)",
            "utm_campaign": "(none)",
            "visitors": 10,
            "visits": 12,
        },
    ]
    replace_days(wh, "plausible_daily_report", plausible, D1, D1, source="plausible", stream="daily_report")
    goals = [{"report_date": D1, "site_id": "x.fi", "goal": "Signup", "conversions": 4, "events": 6}]
    replace_days(wh, "plausible_daily_goals", goals, D1, D1, source="plausible", stream="goal_conversions")

    def deal(
        i: int, status: str, value: float, won: str | None, currency: str = "EUR", deleted: bool = False
    ):
        return {
            "deal_id": str(i),
            "status": status,
            "value": value,
            "currency": currency,
            "pipeline_id": "1",
            "created_at": _ts("2026-01-14 10:00"),
            "updated_at": _ts("2026-01-15 10:00"),
            "won_at": _ts(won) if won else None,
            "is_deleted": deleted,
        }

    deals = [
        deal(1, "open", 100.0, None),
        deal(2, "won", 1500.0, "2026-01-15 09:00"),
        deal(3, "won", 500.0, "2026-01-15 23:30"),
        deal(4, "won", 900.0, "2026-01-15 12:00", currency="SEK"),
        deal(5, "won", 999.0, "2026-01-15 12:00", deleted=True),
    ]
    upsert_records(
        wh,
        "pipedrive_deals",
        deals,
        key=["deal_id"],
        version_column="updated_at",
        source="pipedrive",
        stream="deals",
        state_key="t",
        state_value=None,
    )
    opps = [
        {
            "opportunity_id": "o1",
            "stage": "Prospecting",
            "amount": 10.0,
            "created_at": _ts("2026-01-14 08:00"),
            "lead_source": "Web",
            "campaign": "spring",
            "is_won": False,
            "is_closed": False,
        },
        {
            "opportunity_id": "o2",
            "stage": "Prospecting",
            "amount": 20.0,
            "created_at": _ts("2026-01-14 18:00"),
            "lead_source": "Web",
            "campaign": "spring",
            "is_won": False,
            "is_closed": False,
        },
    ]
    upsert_records(
        wh,
        "salesforce_opportunities",
        opps,
        key=["opportunity_id"],
        version_column="created_at",
        source="exports",
        stream="salesforce",
        state_key="t",
        state_value=None,
    )


@pytest.mark.slow
def test_source_metrics_build_with_the_right_values(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _seed(DuckDBWarehouse(db))
    env = {**os.environ, "OKR_WAREHOUSE_PATH": str(db), "OKR_DBT_TARGET": "duckdb"}
    cmd = [
        str(DBT),
        "build",
        "--select",
        *[f"+{m}" for m in METRICS],
        "--exclude",
        "path:models/staging/okr",
        "--project-dir",
        str(REPO / "dbt_project"),
        "--profiles-dir",
        str(REPO / "dbt_project"),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    con = duckdb.connect(str(db), read_only=True)

    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    try:
        assert rows("select metric_date, site_id, value from analytics.matomo_visits order by 1") == [
            (D1, "1", 50.0),
            (D2, "1", 20.0),
        ]
        assert rows("select value from analytics.matomo_visitors order by metric_date") == [(40.0,), (0.0,)]
        assert rows("select value from analytics.matomo_conversions order by metric_date") == [(5.0,), (0.0,)]
        assert rows(
            "select numerator, denominator, value from analytics.matomo_conversion_rate order by metric_date"
        ) == [(5.0, 50.0, 0.1), (0.0, 20.0, 0.0)]
        assert rows("select source, campaign, value from analytics.plausible_visits order by value") == [
            ("Direct", "(none)", 12.0),
            ("Google", "spring", 33.0),
        ]
        assert rows("select sum(value) from analytics.plausible_visitors") == [(40.0,)]
        assert rows("select metric_date, goal, value from analytics.plausible_conversions") == [
            (D1, "Signup", 4.0)
        ]
        # Deleted deals never count; created counts every deal by its current status.
        assert rows(
            "select metric_date, pipeline, status, value"
            " from analytics.pipedrive_deals_created order by status"
        ) == [(D1, "1", "open", 1.0), (D1, "1", "won", 3.0)]
        assert rows("select metric_date, value from analytics.pipedrive_deals_won") == [(D2, 3.0)]
        assert rows("select currency, value from analytics.pipedrive_won_value order by currency") == [
            ("EUR", 2000.0),
            ("SEK", 900.0),
        ]
        assert rows("select metric_date, stage, campaign, value from analytics.salesforce_opportunities") == [
            (D1, "Prospecting", "spring", 2.0)
        ]
    finally:
        con.close()
