"""Check-ins v2 reach the warehouse: raw.okr_checkins and stg_okr__checkins on a real dbt run, and
the `checkins` metric keeps only check-ins that carry a value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.transform.dbt_setup import run_dbt
from tests.helpers import make_workspace

OKRS = {
    "2026-Q4.yml": {
        "cycle": "2026-Q4",
        "objectives": [
            {
                "id": "A",
                "title": "A",
                "key_results": [
                    {"id": "LAUNCH", "title": "Launch", "metric": "checkins", "target": 1},
                    {"id": "LEADS", "title": "Leads", "metric": "leads", "target": 650},
                ],
            }
        ],
    }
}
CHECKINS = (
    "kr_id;date;value;confidence;note;author;override\n"
    "LAUNCH;16.11.2026;0,5;high;Halfway;Aino;\n"
    "LEADS;17.11.2026;;4;Campaign late;Mikko;\n"
    'LEADS;18.11.2026;310;;"CRM import broke; counted by hand";Mikko;true\n'
)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    df = df.astype(object).where(df.notna(), None)
    for column in ("checkin_date", "metric_date"):
        if column in df:
            df[column] = [pd.Timestamp(v).date() for v in df[column]]
    return df.to_dict(orient="records")


@pytest.mark.slow
def test_checkins_v2_in_raw_and_staging(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path, OKRS)
    (settings.okrs_dir / "checkins.csv").write_text(CHECKINS, encoding="utf-8")
    warehouse = DuckDBWarehouse(settings.warehouse_path)
    store_definitions(load_definitions(settings.okrs_dir), warehouse, dt.date(2026, 11, 20))
    run_dbt(settings, ["build", "--select", "stg_okr__checkins", "checkins"], as_of="2026-11-19")
    staged = warehouse.query(
        "select kr_id, checkin_date, value, confidence_score, confidence_level, note, author, is_override, "
        "source_line from analytics.stg_okr__checkins order by checkin_date"
    )
    assert records(staged) == [
        {
            "kr_id": "LAUNCH", "checkin_date": dt.date(2026, 11, 16), "value": 0.5, "confidence_score": None,
            "confidence_level": "high", "note": "Halfway", "author": "Aino", "is_override": False,
            "source_line": 2,
        },
        {
            "kr_id": "LEADS", "checkin_date": dt.date(2026, 11, 17), "value": None, "confidence_score": 4,
            "confidence_level": "medium", "note": "Campaign late", "author": "Mikko", "is_override": False,
            "source_line": 3,
        },
        {
            "kr_id": "LEADS", "checkin_date": dt.date(2026, 11, 18), "value": 310.0, "confidence_score": None,
            "confidence_level": None, "note": "CRM import broke; counted by hand", "author": "Mikko",
            "is_override": True, "source_line": 4,
        },
    ]  # fmt: skip
    metric = warehouse.query("select metric_date, kr_id, value from analytics.checkins order by 1, 2")
    assert [tuple(r.values()) for r in records(metric)] == [
        (dt.date(2026, 11, 16), "LAUNCH", 0.5),
        (dt.date(2026, 11, 18), "LEADS", 310.0),
    ]
