"""Seeding for the quality tests: a DuckDB warehouse with raw tables, staging relations, KR scores.

Staging relations are plain tables with the documented staging columns (docs/architecture.md),
so the fast tests do not need dbt; the slow Dagster test builds the real dbt staging views.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from connectors.raw_tables import RAW_TABLES, ensure_raw_tables, to_frame
from connectors.warehouse import Warehouse, open_warehouse

AS_OF = dt.date(2026, 11, 26)
LOADED = dt.datetime(2026, 11, 27, 1, 0)
# Metric -> upstream nodes, as lineage.py derives them from the real manifest.
LINEAGE = {
    "leads": {"leads", "stg_hubspot__contacts", "raw.hubspot_contacts"},
    "mqls": {"mqls", "stg_hubspot__contacts", "raw.hubspot_contacts"},
    "won_deals": {"won_deals", "stg_hubspot__deals", "raw.hubspot_deals"},
    "sessions": {"sessions", "stg_ga4__daily_reports", "raw.ga4_daily_report"},
}


def _meta(source: str, stream: str) -> dict:
    return {"_source": source, "_stream": stream, "_loaded_at": LOADED, "_partition": "test"}


def contacts(n: int = 30) -> list[dict]:
    out = []
    for i in range(n):
        created = dt.datetime(2026, 10, 28, 9) + dt.timedelta(days=i)
        out.append(
            {
                "contact_id": f"c-{i}",
                "email_hash": f"h{i}",
                "lifecycle_stage": "lead" if i % 2 else "marketingqualifiedlead",
                "lead_status": "NEW",
                "original_source": "ORGANIC_SEARCH",
                "original_source_drilldown_2": None,
                "lead_source": "inbound",
                "created_at": created,
                "updated_at": created,
                "became_lead_at": created,
            }
        )
    return out


def deals(n: int = 10) -> list[dict]:
    return [
        {
            "deal_id": f"d-{i}",
            "deal_name": f"Deal {i}",
            "deal_stage": "closedwon" if i % 3 == 0 else "qualifiedtobuy",
            "pipeline": "default",
            "amount": 1000.0 + i,
            "close_date": dt.date(2026, 12, 15),  # expected close: the future is fine here
            "created_at": dt.datetime(2026, 11, 15, 12) + dt.timedelta(days=i),
            "updated_at": dt.datetime(2026, 11, 20),
        }
        for i in range(n)
    ]


def ga4_rows(start: dt.date = dt.date(2026, 9, 1), end: dt.date = AS_OF, per_day: int = 6) -> list[dict]:
    rows = []
    day = start
    while day <= end:
        for i in range(per_day):
            rows.append(
                {
                    "report_date": day,
                    "property_id": "p1",
                    "channel_group": [
                        "Organic Search",
                        "Direct",
                        "Paid Search",
                        "Email",
                        "Referral",
                        "Display",
                    ][i % 6],
                    "source": f"src{i}",
                    "medium": "organic",
                    "campaign": "(organic)",
                    "sessions": 100 + i,
                    "total_users": 90,
                    "new_users": 50,
                    "engaged_sessions": 60,
                    "key_events": 2,
                }
            )
        day += dt.timedelta(days=1)
    return rows


STAGING_SQL = {
    # The same projections as dbt_project/models/staging (casts only), for tests without dbt.
    "stg_hubspot__contacts": "SELECT contact_id, created_at, lifecycle_stage, lead_status, original_source, "
    "lead_source, original_source_drilldown_2 AS campaign, became_lead_at, became_mql_at, became_sql_at, "
    "became_customer_at, email_hash FROM raw.hubspot_contacts",
    "stg_hubspot__deals": "SELECT deal_id, deal_name, deal_stage, pipeline, amount, created_at, close_date "
    "FROM raw.hubspot_deals",
    "stg_ga4__daily_reports": "SELECT report_date, channel_group, source, medium, campaign, sessions, "
    "total_users, new_users, engaged_sessions, key_events FROM raw.ga4_daily_report",
}


def write_raw(wh: Warehouse, table: str, records: list[dict], source: str = "test") -> None:
    df = to_frame(table, records, _meta(source, table))
    with wh.transaction("raw") as tx:
        tx.replace_all(table, df, schema=RAW_TABLES[table])


def create_staging_views(wh: Warehouse) -> None:
    with wh.transaction("analytics") as tx:
        for name, sql in STAGING_SQL.items():
            tx.execute(f"CREATE OR REPLACE VIEW analytics.{name} AS {sql}")


def write_key_results(wh: Warehouse, krs: list[dict]) -> None:
    cols = {
        "kr_id": "VARCHAR",
        "objective_id": "VARCHAR",
        "metric": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
    }
    with wh.transaction("raw") as tx:
        tx.replace_all("okr_key_results", pd.DataFrame(krs, columns=list(cols)), schema=cols)


def write_kr_scores(wh: Warehouse, rows: list[dict]) -> None:
    base = {
        "as_of": AS_OF,
        "title": "A key result",
        "owner": "Aino",
        "team": "growth",
        "cycle": "2026-Q4",
        "measure": "sum",
        "status_reason": None,
        "data_through": AS_OF,
    }
    df = pd.DataFrame([{**base, **r} for r in rows])
    with wh.transaction("analytics") as tx:
        tx.replace_all("kr_scores", df)


def seeded_warehouse(path: Path) -> Warehouse:
    """A healthy warehouse: HubSpot and GA4 loaded, staging views over them."""
    wh = open_warehouse("duckdb", duckdb_path=path)
    ensure_raw_tables(wh)
    write_raw(wh, "hubspot_contacts", contacts())
    write_raw(wh, "hubspot_deals", deals())
    write_raw(wh, "ga4_daily_report", ga4_rows())
    create_staging_views(wh)
    return wh


# A fixed wall clock for the "not in the future" rule.
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
