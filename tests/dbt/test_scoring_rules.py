"""The scoring rules (docs/scoring.md), case by case at their boundaries, on real dbt runs.

One workspace holds a KR per case. Most KRs use the `checkins` metric, whose daily values the
test sets directly; filters and ratios use GA4 rows. Scored at A = 2026-11-10, then B = 2026-11-07
(a rescored past date, with a blocked metric), then A again (idempotent history).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd
import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.transform.dbt_setup import run_dbt
from tests.helpers import d, insert_raw, make_workspace, prepare_views, run_scoring

A, B = "2026-11-10", "2026-11-07"
P = {"start": d("2026-11-06"), "end": d("2026-11-15")}  # 10 days; at A elapsed 5, fraction 0.5


def kr(kr_id: str, **fields: Any) -> dict[str, Any]:
    base = {"id": kr_id, "title": f"Case {kr_id}", "metric": "checkins", "measure": "sum", **P}
    base.update(fields)
    return base


OBJECTIVES = [
    {"id": "CO", "title": "Company", "owner": "CEO"},
    {
        "id": "OBJ-W",
        "title": "Weighted",
        "owner": "Ann",
        "team": "growth",
        "parent": "CO",
        "weight": 1,
        "key_results": [kr("W1", target=100, weight=2), kr("W2", target=100, weight=1)],
    },
    {
        "id": "OBJ-X",
        "title": "Done early",
        "owner": "Bo",
        "team": "sales",
        "parent": "CO",
        "weight": 3,
        "key_results": [kr("X1", target=10)],
    },
    # A team objective with a child of its own: it still scores from its KRs alone.
    {
        "id": "OBJ-CHILD",
        "title": "Sub-team",
        "owner": "Bo",
        "parent": "OBJ-X",
        "key_results": [kr("CHILD1", target=100)],
    },
    {
        "id": "OBJ-NS",
        "title": "Later",
        "owner": "Cy",
        "key_results": [kr("NOT-STARTED", target=10, start=d("2026-11-11"), end=d("2026-11-20"))],
    },
    {"id": "OBJ-ND", "title": "No data", "owner": "Di", "key_results": [kr("SUM-NODATA", target=100)]},
    {
        "id": "OBJ-END",
        "title": "Ended",
        "owner": "Ed",
        "key_results": [
            kr("ENDED-ACHIEVED", target=10, start=d("2026-11-01"), end=d("2026-11-09")),
            kr("END-TODAY", target=10, start=d("2026-11-01"), end=d("2026-11-10")),
        ],
    },
    {
        "id": "OBJ-MISC",
        "title": "Everything else",
        "owner": "Fi",
        "key_results": [
            kr("SUM-BASIC", target=100),
            kr("SUM-ATRISK", target=100),
            kr("SUM-ATRISK-EDGE", target=100),
            kr("SUM-OFF", target=100),
            kr("SUM-STALE", target=100),
            kr("STALE-CUSTOM", target=100, stale_after_days=3),
            kr("AVG", measure="avg", target=20),
            kr("AVG-NOROWS", measure="avg", target=20),
            kr("LAST", measure="last", target=100),
            kr("MIN", measure="min", type="stay_above", target=10),
            kr("MAX", measure="max", type="stay_below", target=14),
            kr("DECREASING", measure="last", baseline=100, target=50),
            kr("OVER", target=10),
            kr("BELOW-BASELINE", measure="last", baseline=50, target=100),
            kr("ASPIRATIONAL", target=100, commitment="aspirational"),
            kr("FIRST-DAY", target=10, start=d("2026-11-10"), end=d("2026-11-19")),
            kr("ENDED-MISSED", target=10, start=d("2026-11-01"), end=d("2026-11-09")),
            kr(
                "ASP-ACHIEVED",
                target=10,
                commitment="aspirational",
                start=d("2026-11-01"),
                end=d("2026-11-09"),
            ),
            kr(
                "ASP-MISSED", target=10, commitment="aspirational", start=d("2026-11-01"), end=d("2026-11-09")
            ),
            kr(
                "RATIO-FILTER",
                metric="engagement_rate",
                measure="ratio",
                type="stay_above",
                target=0.6,
                filter={"channel_group": "Organic Search"},
            ),
            kr("RATIO-ALL", metric="engagement_rate", measure="ratio", type="stay_below", target=0.48),
            kr(
                "RATIO-NOROWS",
                metric="engagement_rate",
                measure="ratio",
                type="stay_above",
                target=0.5,
                filter={"channel_group": "Email"},
            ),
            kr(
                "SESSIONS-FILTER",
                metric="sessions",
                target=200,
                filter={"channel_group": ["Paid Search"]},
                initiatives=[
                    {
                        "title": "Spring push",
                        "status": "in_progress",
                        "due": d("2026-11-09"),
                        "campaigns": ["spring"],
                    },
                    {
                        "title": "Finished",
                        "status": "done",
                        "due": d("2026-11-09"),
                        "campaigns": ["autumn", "spring"],
                    },
                    {"title": "Due today", "status": "planned", "due": d("2026-11-10")},
                ],
            ),
            kr("SESSIONS-NOROWS", metric="sessions", target=100, filter={"channel_group": "Email"}),
        ],
    },
]

CHECKINS = [
    ("CHILD1", "2026-11-09", 0),
    ("W1", "2026-11-08", 50),
    ("W2", "2026-11-09", 20),
    ("X1", "2026-11-09", 10),
    ("NOT-STARTED", "2026-11-09", 3),
    ("ENDED-ACHIEVED", "2026-11-08", 10),
    ("END-TODAY", "2026-11-10", 10),
    # Before the period and after as_of: never counted.
    ("SUM-BASIC", "2026-11-05", 500),
    ("SUM-BASIC", "2026-11-06", 10),
    ("SUM-BASIC", "2026-11-08", 30),
    ("SUM-BASIC", "2026-11-11", 1000),
    ("SUM-ATRISK", "2026-11-09", 39),
    ("SUM-ATRISK-EDGE", "2026-11-09", 25),
    ("SUM-OFF", "2026-11-09", 24),
    ("SUM-STALE", "2026-11-07", 50),
    ("STALE-CUSTOM", "2026-11-07", 50),
    ("AVG", "2026-11-06", 10),
    ("AVG", "2026-11-08", 20),
    ("AVG-NOROWS", "2026-11-01", 5),
    ("LAST", "2026-11-06", 90),
    ("LAST", "2026-11-09", 30),
    ("MIN", "2026-11-06", 12),
    ("MIN", "2026-11-07", 10),
    ("MIN", "2026-11-09", 15),
    ("MAX", "2026-11-06", 12),
    ("MAX", "2026-11-09", 15),
    ("DECREASING", "2026-11-09", 80),
    ("OVER", "2026-11-09", 13),
    ("BELOW-BASELINE", "2026-11-09", 40),
    ("ASPIRATIONAL", "2026-11-09", 25),
    ("FIRST-DAY", "2026-11-10", 1),
    ("ENDED-MISSED", "2026-11-08", 9.9),
    ("ASP-ACHIEVED", "2026-11-08", 7),
    ("ASP-MISSED", "2026-11-08", 6.9),
]


def ga4(day: str, channel: str, sessions: int, engaged: int, campaign: str = "(organic)") -> dict[str, Any]:
    return {
        "report_date": d(day),
        "property_id": "1",
        "channel_group": channel,
        "source": "google",
        "medium": "organic",
        "campaign": campaign,
        "sessions": sessions,
        "total_users": sessions,
        "new_users": sessions // 2,
        "engaged_sessions": engaged,
        "key_events": 1,
        "_partition": day,
    }


GA4_ROWS = [
    ga4("2026-11-06", "Organic Search", 100, 60),
    ga4("2026-11-06", "Paid Search", 60, 10, campaign="spring"),
    ga4("2026-11-08", "Paid Search", 40, 10, campaign="autumn"),
    ga4("2026-11-09", "Organic Search", 50, 40),
    ga4("2026-11-12", "Paid Search", 999, 999, campaign="spring"),  # after A: never counted
]


def _scores(wh: DuckDBWarehouse, table: str, key: str) -> dict[str, dict[str, Any]]:
    df = wh.query(f"SELECT * FROM analytics.{table}")
    return {row[key]: row for row in df.astype(object).where(df.notna(), None).to_dict(orient="records")}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("scoring")
    doc = {"cycle": "2026-Q4", "objectives": OBJECTIVES}
    settings = make_workspace(root, {"2026-Q4.yml": doc}, CHECKINS)
    prepare_views(settings)
    wh = DuckDBWarehouse(settings.warehouse_path)
    defs = load_definitions(settings.okrs_dir)
    # Yesterday's definitions had another target: a course correction to report.
    earlier = dataclasses.replace(
        defs,
        key_results=[
            dataclasses.replace(k, target=90.0) if k.kr_id == "SUM-BASIC" else k for k in defs.key_results
        ],
    )
    store_definitions(earlier, wh, seen_on=d("2026-11-01"))
    store_definitions(defs, wh, seen_on=d("2026-11-02"))
    insert_raw(settings, "ga4_daily_report", GA4_ROWS)
    out: dict[str, Any] = {"settings": settings, "wh": wh}
    run_scoring(settings, as_of=A)
    out["A"] = _scores(wh, "kr_scores", "kr_id")
    out["objectives"] = _scores(wh, "objective_scores", "objective_id")
    out["initiatives"] = wh.query("SELECT * FROM analytics.initiative_contributions ORDER BY initiative_no")
    out["changes"] = wh.query("SELECT * FROM analytics.kr_definition_changes")
    out["to_date"] = wh.query("SELECT * FROM analytics.kr_actual_to_date ORDER BY kr_id, metric_date")
    with wh.transaction() as tx:
        tx.insert(
            "okr_blocked_metrics",
            pd.DataFrame(
                [{"metric": "engagement_rate", "severity": "ERROR", "reason": "ga4 rows with duplicate ids"}]
            ),
        )
    run_dbt(settings, ["run", "--select", "intermediate marts"], as_of=B)
    out["B"] = _scores(wh, "kr_scores", "kr_id")
    with wh.transaction() as tx:
        tx.execute('DELETE FROM "raw"."okr_blocked_metrics"')
    run_dbt(settings, ["run", "--select", "intermediate marts"], as_of=A)
    out["A2"] = _scores(wh, "kr_scores", "kr_id")
    out["history"] = wh.query("SELECT as_of, count(*) AS n FROM analytics.kr_score_history GROUP BY as_of")
    return out


def close(actual: Any, expected: float) -> bool:
    return actual is not None and math.isclose(float(actual), expected, rel_tol=0, abs_tol=1e-12)


# kr_id -> (actual, progress, score, expected_progress, status)
CASES = {
    "SUM-BASIC": (
        40,
        0.4,
        0.4,
        0.5,
        "on_track",
    ),  # gap exactly 0.10: on track; data exactly 2 days old: fresh
    "SUM-ATRISK": (39, 0.39, 0.39, 0.5, "at_risk"),
    "SUM-ATRISK-EDGE": (25, 0.25, 0.25, 0.5, "at_risk"),  # gap exactly 0.25: at risk
    "SUM-OFF": (24, 0.24, 0.24, 0.5, "off_track"),
    "SUM-STALE": (50, 0.5, 0.5, 0.5, "stale"),  # data through 11-07 < 11-10 - 2
    "STALE-CUSTOM": (50, 0.5, 0.5, 0.5, "on_track"),  # stale_after_days 3 keeps it fresh
    "AVG": (15, 0.75, 0.75, 0.5, "on_track"),  # mean over days with rows, not over elapsed days
    "LAST": (30, 0.3, 0.3, 0.5, "at_risk"),
    "MIN": (10, 1, 1, 1, "on_track"),  # equal to the threshold counts as kept
    "MAX": (15, 0, 0, 1, "off_track"),
    "DECREASING": (80, 0.4, 0.4, 0.5, "on_track"),
    "OVER": (13, 1.3, 1, 0.5, "on_track"),
    "BELOW-BASELINE": (40, -0.2, 0, 0.5, "off_track"),
    "ASPIRATIONAL": (25, 0.25, 0.25, 0.35, "on_track"),
    "FIRST-DAY": (1, 0.1, 0.1, 0.1, "on_track"),
    "ENDED-ACHIEVED": (10, 1, 1, 1, "achieved"),
    "END-TODAY": (10, 1, 1, 1, "achieved"),  # as_of == end is after the period
    "ENDED-MISSED": (9.9, 0.99, 0.99, 1, "missed"),
    "ASP-ACHIEVED": (7, 0.7, 0.7, 0.7, "achieved"),
    "ASP-MISSED": (6.9, 0.69, 0.69, 0.7, "missed"),
    "RATIO-FILTER": (100 / 150, 1, 1, 1, "on_track"),
    "RATIO-ALL": (120 / 250, 1, 1, 1, "on_track"),
    "SESSIONS-FILTER": (100, 0.5, 0.5, 0.5, "on_track"),
    "SESSIONS-NOROWS": (0, 0, 0, 0.5, "off_track"),  # sum over no rows is 0, and the metric is fresh
    "W1": (50, 0.5, 0.5, 0.5, "on_track"),
    "W2": (20, 0.2, 0.2, 0.5, "off_track"),
}


@pytest.mark.parametrize("kr_id", sorted(CASES))
def test_kr_case(scored: dict[str, Any], kr_id: str) -> None:
    row = scored["A"][kr_id]
    actual, progress, score, expected, status = CASES[kr_id]
    assert row["status"] == status, row["status_reason"]
    assert close(row["actual"], actual), row["actual"]
    assert close(row["progress"], progress), row["progress"]
    assert close(row["score"], score), row["score"]
    assert close(row["expected_progress"], expected), row["expected_progress"]
    assert close(row["gap"], expected - score)


def test_not_started_has_no_numbers(scored: dict[str, Any]) -> None:
    row = scored["A"]["NOT-STARTED"]
    assert row["status"] == "not_started" and row["status_reason"] == "starts on 2026-11-11"
    assert [row[k] for k in ("actual", "progress", "score", "expected_progress")] == [None] * 4
    assert row["elapsed_days"] == 0 and row["total_days"] == 10


def test_no_data_cases(scored: dict[str, Any]) -> None:
    nodata = scored["A"]["SUM-NODATA"]
    assert nodata["status"] == "no_data" and nodata["data_through"] is None and nodata["score"] is None
    assert nodata["status_reason"] == "metric checkins has no data on or before 2026-11-10"
    avg = scored["A"]["AVG-NOROWS"]  # has data (before the period) but no rows in the window
    assert avg["status"] == "no_data" and avg["actual"] is None
    ratio = scored["A"]["RATIO-NOROWS"]
    assert ratio["status"] == "no_data" and ratio["status_reason"] == "the denominator is 0 in the window"


def test_stale_reason_and_data_through(scored: dict[str, Any]) -> None:
    row = scored["A"]["SUM-STALE"]
    assert str(row["data_through"])[:10] == "2026-11-07"
    assert row["status_reason"] == "latest data is from 2026-11-07, more than 2 days before 2026-11-10"
    # data_through ignores the KR's filter: GA4 has data on 11-09 for every channel.
    assert str(scored["A"]["SESSIONS-NOROWS"]["data_through"])[:10] == "2026-11-09"


def test_forecasts(scored: dict[str, Any]) -> None:
    basic = scored["A"]["SUM-BASIC"]  # 40 over the last min(14, 5) = 5 days -> 8 a day, 5 days left
    assert basic["forecast_method"] == "run_rate_14d"
    assert close(basic["forecast_run_rate"], 8) and close(basic["forecast_projected_actual"], 80)
    assert close(basic["forecast_projected_progress"], 0.8)
    assert scored["A"]["LAST"]["forecast_method"] == "hold_level"
    assert close(scored["A"]["LAST"]["forecast_projected_actual"], 30)
    assert scored["A"]["MIN"]["forecast_method"] is None
    assert scored["A"]["NOT-STARTED"]["forecast_projected_actual"] is None


def test_objectives_weighted_and_company_rollup(scored: dict[str, Any]) -> None:
    obj = scored["objectives"]
    w = obj["OBJ-W"]  # (2 * 0.5 + 1 * 0.2) / 3 = 0.4, expected 0.5, gap 0.1 -> on track
    assert close(w["score"], 0.4) and close(w["expected_progress"], 0.5) and w["status"] == "on_track"
    assert w["level"] == "team"
    x = obj["OBJ-X"]  # its child OBJ-CHILD scores 0 but does not count: OBJ-X has KRs of its own
    assert close(x["score"], 1) and close(x["expected_progress"], 0.5)
    assert x["level"] == "team" and x["child_count"] == 1 and close(obj["OBJ-CHILD"]["score"], 0)
    co = obj["CO"]  # children weighted 1 and 3: (0.4 + 3 * 1) / 4 = 0.85, expected (0.5 + 1.5) / 4
    assert co["level"] == "company" and co["child_count"] == 2
    assert close(co["score"], 0.85) and close(co["expected_progress"], 0.5) and co["status"] == "on_track"
    assert obj["OBJ-NS"]["status"] == "not_started" and obj["OBJ-NS"]["score"] is None
    assert obj["OBJ-ND"]["status"] == "no_data"
    assert obj["OBJ-END"]["status"] == "achieved"
    assert obj["OBJ-MISC"]["status"] in {"on_track", "at_risk", "off_track"}


def test_initiative_contributions(scored: dict[str, Any]) -> None:
    rows = scored["initiatives"].to_dict(orient="records")
    spring, finished, due_today = rows
    assert spring["title"] == "Spring push" and close(spring["contribution"], 60)  # 11-12 row excluded
    assert bool(spring["is_overdue"]) is True  # due 11-09, in progress
    assert close(finished["contribution"], 100) and bool(finished["is_overdue"]) is False  # done
    assert finished["campaigns"] == "autumn, spring"
    assert pd.isna(due_today["contribution"]) and bool(due_today["is_overdue"]) is False  # due == as_of


def test_definition_change_is_recorded(scored: dict[str, Any]) -> None:
    changes = scored["changes"]
    assert len(changes) == 1
    change = changes.iloc[0]
    assert (change["kr_id"], change["field"], change["old_number"], change["new_number"]) == (
        "SUM-BASIC",
        "target",
        90.0,
        100.0,
    )
    assert str(change["changed_on"])[:10] == "2026-11-02"


def test_rescored_past_date_sees_only_its_data(scored: dict[str, Any]) -> None:
    basic = scored["B"]["SUM-BASIC"]  # at 11-07: only the 11-06 value; elapsed 2 of 10
    assert close(basic["actual"], 10) and close(basic["expected_progress"], 0.2)
    assert str(basic["data_through"])[:10] == "2026-11-06" and basic["status"] == "on_track"
    assert scored["B"]["FIRST-DAY"]["status"] == "not_started"


def test_blocked_metric_is_not_scored_with_reason(scored: dict[str, Any]) -> None:
    row = scored["B"]["RATIO-FILTER"]
    assert row["status"] == "stale" and row["score"] is None and row["progress"] is None
    assert row["status_reason"] == "data check failed: ga4 rows with duplicate ids"
    assert scored["B"]["SESSIONS-FILTER"]["status"] != "stale"  # same source, another metric: unaffected


def test_rescoring_is_idempotent(scored: dict[str, Any]) -> None:
    history = dict(zip(scored["history"]["as_of"].astype(str).str[:10], scored["history"]["n"], strict=True))
    n = len(scored["A"])
    assert history == {A: n, B: n}
    for kr_id, row in scored["A"].items():
        again = scored["A2"][kr_id]
        assert (row["status"], row["score"], row["actual"]) == (
            again["status"],
            again["score"],
            again["actual"],
        )


def test_actual_to_date_series_ends_at_the_scored_actual(scored: dict[str, Any]) -> None:
    series = scored["to_date"]
    basic = series[series["kr_id"] == "SUM-BASIC"]
    assert [str(d)[:10] for d in basic["metric_date"]] == ["2026-11-06", "2026-11-08"]
    assert list(basic["actual_to_date"]) == [10, 40]
    avg = series[series["kr_id"] == "AVG"]["actual_to_date"].tolist()
    assert avg == [10, 15]
    last_rows = series.groupby("kr_id").tail(1).set_index("kr_id")["actual_to_date"]
    for kr_id, value in last_rows.items():
        expected = scored["A"][kr_id]["actual"]
        assert (expected is None and pd.isna(value)) or close(value, expected), kr_id
