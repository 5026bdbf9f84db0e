"""Plausible Stats API v2: `POST /api/v2/query`, paged with `pagination.limit/offset`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from connectors.http import HttpClient
from connectors.http.paging import Page, offset_pages

METRICS = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]
DIMENSIONS = ["time:day", "visit:source", "visit:utm_medium", "visit:utm_campaign"]
GOAL_METRICS = ["visitors", "events"]
GOAL_DIMENSIONS = ["time:day", "event:goal"]


class PlausibleClient:
    def __init__(self, http: HttpClient, base_url: str, site_id: str, api_key: str, page_size: int = 10000):
        self.http = http
        self.url = f"{base_url.rstrip('/')}/api/v2/query"
        self.site_id = site_id
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.page_size = page_size

    def daily(self, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """One dict per (day, source, utm_medium, utm_campaign) with the metrics; days without
        visits are simply absent (Plausible omits them)."""
        return self.query(start, end, DIMENSIONS, METRICS)

    def daily_goals(self, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """One dict per (day, goal): `visitors` (unique conversions) and `events` (all of them).
        Goal metrics cannot be mixed with visit metrics such as bounce_rate: a query of its own."""
        return self.query(start, end, GOAL_DIMENSIONS, GOAL_METRICS)

    def query(
        self, start: dt.date, end: dt.date, dimensions: list[str], metrics: list[str]
    ) -> Iterator[dict[str, Any]]:
        """Rows of one Stats API query over start..end, as dicts of dimension and metric names."""
        base = {
            "site_id": self.site_id,
            "metrics": metrics,
            "date_range": [start.isoformat(), end.isoformat()],
            "dimensions": dimensions,
            "order_by": [["time:day", "asc"]],
            "include": {"total_rows": True},
        }

        def fetch(offset: int) -> Page[dict[str, Any]]:
            body = {**base, "pagination": {"limit": self.page_size, "offset": offset}}
            page = self.http.request_object(
                "POST", self.url, endpoint="query", json=body, headers=self.headers
            )
            rows = [
                {
                    **dict(zip(dimensions, row.get("dimensions", []), strict=False)),
                    **dict(zip(metrics, row.get("metrics", []), strict=False)),
                }
                for row in page.get("results") or []
            ]
            total = (page.get("meta") or {}).get("total_rows")
            return Page(rows, total=None if total is None else int(total))

        return offset_pages(fetch, page_size=self.page_size, what="plausible: query")
