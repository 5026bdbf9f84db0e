"""GA4 Data API v1beta `runReport`, paged by limit/offset until `rowCount` is reached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint

DIMENSIONS = ["date", "sessionDefaultChannelGroup", "sessionSource", "sessionMedium", "sessionCampaignName"]
METRICS = ["sessions", "totalUsers", "newUsers", "engagedSessions", "keyEvents"]


def ga4_retry_hook(resp: requests.Response) -> RetryHint | None:
    """GA4 signals quota exhaustion with 429 RESOURCE_EXHAUSTED and no Retry-After. A daily or
    hourly token quota does not come back within a nightly run's budget: fail at once with why;
    concurrent-request limits clear quickly: back off as usual."""
    if resp.status_code != 429:
        return None
    try:
        error = resp.json().get("error", {})
    except ValueError:
        return None
    message = str(error.get("message", "")).lower()
    if error.get("status") == "RESOURCE_EXHAUSTED":
        if "per day" in message:
            return RetryHint(
                retry=False, reason="daily token quota of the property is used up; it returns tomorrow"
            )
        if "per hour" in message:
            return RetryHint(retry=False, reason="hourly token quota is used up; run again within the hour")
    return RetryHint(reason="quota (RESOURCE_EXHAUSTED)")


class GA4Client:
    def __init__(
        self, http: HttpClient, base_url: str, property_id: str, access_token: str, page_size: int = 10000
    ):
        self.http = http
        self.url = f"{base_url.rstrip('/')}/v1beta/properties/{property_id}:runReport"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.page_size = page_size

    def run_report(self, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """One dict per report row: dimension and metric names -> their string values."""
        offset = 0
        while True:
            body = {
                "dateRanges": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
                "dimensions": [{"name": d} for d in DIMENSIONS],
                "metrics": [{"name": m} for m in METRICS],
                "limit": self.page_size,
                "offset": offset,
                "keepEmptyRows": False,
            }
            resp = self.http.request(
                "POST", self.url, endpoint="runReport", json=body, headers=self.headers, expect_json=True
            )
            page = resp.json()
            dims = [h["name"] for h in page.get("dimensionHeaders", [])] or DIMENSIONS
            mets = [h["name"] for h in page.get("metricHeaders", [])] or METRICS
            rows = page.get("rows") or []  # an empty report omits rows (proto3 drops defaults)
            for row in rows:
                values = [v.get("value") for v in row.get("dimensionValues", [])]
                values += [v.get("value") for v in row.get("metricValues", [])]
                yield dict(zip(dims + mets, values, strict=False))
            offset += len(rows)
            total = int(page.get("rowCount") or 0)  # int64 may arrive as a string
            if not rows or offset >= total:
                return
