"""Plausible Stats API v2 imitation: `/api/v2/query` with `date_range`, `time:day` plus visit or
goal dimensions, offset pagination with `total_rows`, days without visits left out, the bearer key."""

from __future__ import annotations

import datetime as dt

from tests.connectors.fake_http import FakeApi, Reply

KEY = "plausible-key-abcdefghijklmnop"


class PlausibleFake:
    def __init__(self, api: FakeApi, key: str = KEY, max_page: int = 10000) -> None:
        self.api = api
        self.key = key
        self.max_page = max_page
        self.visit_rows: list[dict] = []
        self.goal_rows: list[dict] = []
        api.route("POST", "/api/v2/query")(self.query)

    def add_day(self, day: dt.date, source: str, campaign: str, visitors: int, signups: int) -> None:
        d = day.isoformat()
        self.visit_rows.append(
            {
                "dimensions": [d, source, "cpc", campaign],
                "metrics": [visitors, visitors + 2, visitors * 3, 40.0, 95],
            }
        )
        self.goal_rows.append({"dimensions": [d, "Signup"], "metrics": [signups, signups + 1]})

    def query(self, req) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(
                401, {"error": "Invalid API key or site ID. Please make sure you're using a valid API key."}
            )
        body = req.json()
        first, last = body["date_range"]
        rows = self.goal_rows if "event:goal" in body["dimensions"] else self.visit_rows
        hits = [r for r in rows if first <= r["dimensions"][0] <= last]
        p = body["pagination"]
        if p["limit"] > self.max_page:
            return Reply(400, {"error": f"pagination.limit must be at most {self.max_page}"})
        page = hits[p["offset"] : p["offset"] + p["limit"]]
        return Reply(200, {"results": page, "meta": {"total_rows": len(hits)}, "query": body})
