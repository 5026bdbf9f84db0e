"""Plausible /api/v2/query against a local server: pagination, omitted days, 429."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.http import HttpError
from connectors.plausible.source import PlausibleSource
from connectors.plausible.streams import load_plausible_daily, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply

KEY = "plausible-key-abcdefghijklmnop"
D1, D3 = dt.date(2026, 1, 1), dt.date(2026, 1, 3)


@pytest.fixture
def plausible(fake_api: FakeApi) -> FakeApi:
    # Day 2 has no visits: Plausible leaves it out.
    rows = [
        {
            "dimensions": ["2026-01-01", f"source{i}", "cpc", "spring"],
            "metrics": [i + 1, i + 2, i + 3, 41.5, 95],
        }
        for i in range(7)
    ]
    rows.append(
        {"dimensions": ["2026-01-03", "Google", "(none)", "(none)"], "metrics": [9, 10, 30, 20.0, 60]}
    )

    @fake_api.route("POST", "/api/v2/query")
    def query(req):
        if req.headers.get("authorization") != f"Bearer {KEY}":
            return Reply(
                401, {"error": "Invalid API key or site ID. Please make sure you're using a valid API key."}
            )
        body = req.json()
        if "limit" in body:
            return Reply(400, {"error": "Invalid top-level key: limit"})
        p = body["pagination"]
        page = rows[p["offset"] : p["offset"] + p["limit"]]
        return Reply(200, {"results": page, "meta": {"total_rows": len(rows)}, "query": body})

    return fake_api


def cfg(api: FakeApi) -> PlausibleSource:
    return PlausibleSource(enabled=True, base_url=api.base_url, site_id="example.com", page_size=3)


def test_pages_and_missing_days(plausible: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    result = load_plausible_daily(wh, make_client(cfg(plausible), KEY, **fast), D1, D3)
    assert result.rows == 8 and result.requests == 3
    assert [r.json()["pagination"]["offset"] for r in plausible.requests] == [0, 3, 6]
    days = wh.query("select report_date, count(*) n from raw.plausible_daily_report group by 1 order by 1")
    assert [(str(d)[:10], n) for d, n in days.itertuples(index=False)] == [
        ("2026-01-01", 7),
        ("2026-01-03", 1),
    ]
    row = wh.query("select * from raw.plausible_daily_report where source = 'Google'").iloc[0]
    assert (row["visitors"], row["visits"], row["pageviews"], row["bounce_rate"], row["visit_duration"]) == (
        9,
        10,
        30,
        20.0,
        60,
    )


def test_rate_limit_then_success(plausible: FakeApi, wh: DuckDBWarehouse, fast: dict, sleeps) -> None:
    msg = {"error": "Too many API requests. Your API key is limited to 600 requests per hour."}
    plausible.fail_next(Reply(429, msg), Reply(429, msg, headers={"Retry-After": "2"}))
    assert load_plausible_daily(wh, make_client(cfg(plausible), KEY, **fast), D1, D3).rows == 8
    assert len(sleeps.waits) == 2 and sleeps.waits[1] == 2.0


def test_bad_key(plausible: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    with pytest.raises(HttpError, match=r"plausible: query: HTTP 401.*check the token in PLAUSIBLE_API_KEY"):
        load_plausible_daily(wh, make_client(cfg(plausible), "wrong-key-000000", **fast), D1, D3)
