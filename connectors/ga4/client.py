"""GA4 Data API v1beta `runReport`, paged by limit/offset until `rowCount` is reached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint
from connectors.http.errors import json_object
from connectors.http.paging import Page, offset_pages

DIMENSIONS = ["date", "sessionDefaultChannelGroup", "sessionSource", "sessionMedium", "sessionCampaignName"]
METRICS = ["sessions", "totalUsers", "newUsers", "engagedSessions", "keyEvents"]


def ga4_retry_hook(resp: requests.Response) -> RetryHint | None:
    """GA4 signals quota exhaustion with 429 RESOURCE_EXHAUSTED, usually without Retry-After.
    A daily token quota does not come back within a nightly run: fail at once with why. The
    hourly one fails too, unless the answer says when it returns and that fits the time budget
    (the HTTP layer then waits). Concurrent-request limits clear quickly: back off as usual. The
    body may be an object, a bare string (`{"error": "Too many API requests."}`) or not JSON."""
    if resp.status_code != 429:
        return None
    error = json_object(resp).get("error")
    if isinstance(error, dict):
        status, message = error.get("status"), str(error.get("message", ""))
    else:
        status, message = None, str(error or "")
    lowered = message.lower()
    if status == "RESOURCE_EXHAUSTED" or "quota" in lowered or "tokens" in lowered:
        if "per day" in lowered:
            return RetryHint(
                retry=False, reason="daily token quota of the property is used up; it returns tomorrow"
            )
        if "per hour" in lowered:
            return RetryHint(retry=False, reason="hourly token quota of the property is used up")
        return RetryHint(reason="quota (RESOURCE_EXHAUSTED)")
    return RetryHint(reason="rate limit")


class GA4Client:
    def __init__(
        self, http: HttpClient, base_url: str, property_id: str, access_token: str, page_size: int = 100000
    ):
        self.http = http
        self.url = f"{base_url.rstrip('/')}/v1beta/properties/{property_id}:runReport"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.page_size = page_size

    def run_report(self, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """One dict per report row: dimension and metric names -> their string values."""
        base = {
            "dateRanges": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
            "dimensions": [{"name": d} for d in DIMENSIONS],
            "metrics": [{"name": m} for m in METRICS],
            "limit": self.page_size,
            "keepEmptyRows": False,
        }

        def fetch(offset: int) -> Page[dict[str, Any]]:
            page = self.http.request_object(
                "POST", self.url, endpoint="runReport", json={**base, "offset": offset}, headers=self.headers
            )
            dims = [h["name"] for h in page.get("dimensionHeaders", [])] or DIMENSIONS
            mets = [h["name"] for h in page.get("metricHeaders", [])] or METRICS
            rows = []
            for row in page.get("rows") or []:  # an empty report omits rows (proto3 drops defaults)
                values = [v.get("value") for v in row.get("dimensionValues", [])]
                values += [v.get("value") for v in row.get("metricValues", [])]
                rows.append(dict(zip(dims + mets, values, strict=False)))
            # int64 may arrive as a string; a missing rowCount means this page is all there is
            return Page(rows, total=int(page.get("rowCount") or 0))

        return offset_pages(fetch, page_size=self.page_size, what="ga4: runReport")
