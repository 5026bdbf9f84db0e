"""Plausible Stats API v2: `POST /api/v2/query`, paged with `pagination.limit/offset`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from connectors.http import HttpClient

METRICS = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]
DIMENSIONS = ["time:day", "visit:source", "visit:utm_medium", "visit:utm_campaign"]


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
        offset = 0
        while True:
            body = {
                "site_id": self.site_id,
                "metrics": METRICS,
                "date_range": [start.isoformat(), end.isoformat()],
                "dimensions": DIMENSIONS,
                "order_by": [["time:day", "asc"]],
                "include": {"total_rows": True},
                "pagination": {"limit": self.page_size, "offset": offset},
            }
            resp = self.http.request(
                "POST", self.url, endpoint="query", json=body, headers=self.headers, expect_json=True
            )
            page = resp.json()
            results = page.get("results") or []
            for row in results:
                yield {
                    **dict(zip(DIMENSIONS, row.get("dimensions", []), strict=False)),
                    **dict(zip(METRICS, row.get("metrics", []), strict=False)),
                }
            offset += len(results)
            total = (page.get("meta") or {}).get("total_rows")
            if (
                not results
                or (total is not None and offset >= int(total))
                or (total is None and len(results) < self.page_size)
            ):
                return
