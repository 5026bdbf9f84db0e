"""LinkedIn Marketing API (versioned REST, Rest.li 2.0): the ad account (its currency), its
campaigns (names, paged by `pageToken`) and `adAnalytics` by campaign and day.

The analytics finder is not paged: one answer holds at most 15,000 elements, so a range that
comes back full is split in two and asked again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from connectors.error_hints import with_hint
from connectors.http import HttpClient, HttpError, RetryHint
from connectors.http.errors import json_body
from connectors.http.paging import Page, cursor_pages

MAX_ELEMENTS = 15_000  # documented cap of one adAnalytics answer
BASE_FIELDS = ["dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency"]
VALUE_FIELD = "conversionValueInLocalCurrency"


def linkedin_retry_hook(resp: requests.Response) -> RetryHint | None:
    """429 TOO_MANY_REQUESTS: a per-day application or member limit does not come back within a
    night, so fail at once saying so; shorter throttles back off as usual (no Retry-After)."""
    if resp.status_code != 429:
        return None
    body = json_body(resp)
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    if " DAY " in f" {message.upper()} ":
        return RetryHint(retry=False, reason="the daily API call limit is reached; it resets at midnight UTC")
    return RetryHint(reason="throttled (TOO_MANY_REQUESTS)")


def _restli_date(day: dt.date) -> str:
    return f"(year:{day.year},month:{day.month},day:{day.day})"


class LinkedInAdsClient:
    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        api_version: str,
        access_token: str,
        *,
        page_size: int = 100,
        conversion_fields: list[str] | None = None,
    ):
        self.http = http
        self.base = f"{base_url.rstrip('/')}/rest"
        self.api_version = api_version
        self.headers = {
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        self.page_size = page_size
        self.fields = [*BASE_FIELDS, *(conversion_fields or []), VALUE_FIELD]
        self.max_elements = MAX_ELEMENTS

    def _get(self, url: str, endpoint: str) -> dict[str, Any]:
        try:
            return self.http.request_object("GET", url, endpoint=endpoint, headers=self.headers)
        except HttpError as exc:
            if exc.status == 426:  # the LinkedIn-Version asked for is no longer (or not yet) served
                raise with_hint(
                    exc,
                    f"- LinkedIn-Version {self.api_version} is not active: set "
                    "linkedin_ads.api_version in sources.yml to a recent YYYYMM",
                ) from None
            raise

    def account(self, account_id: str) -> dict[str, Any]:
        return self._get(f"{self.base}/adAccounts/{account_id}", f"ad account {account_id}")

    def campaigns(self, account_id: str) -> Iterator[dict[str, Any]]:
        """Every campaign of the account (any status), following `metadata.nextPageToken`."""
        endpoint = f"campaigns of account {account_id}"

        def fetch(token: str | None) -> Page[dict[str, Any]]:
            url = f"{self.base}/adAccounts/{account_id}/adCampaigns?q=search&pageSize={self.page_size}"
            if token:
                url += f"&pageToken={quote(token, safe='')}"
            page = self._get(url, endpoint)
            return Page(page.get("elements") or [], (page.get("metadata") or {}).get("nextPageToken"))

        return cursor_pages(fetch, what=f"linkedin_ads: {endpoint}")

    def analytics(self, account_id: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Daily analytics elements pivoted by campaign for start..end (both inclusive)."""
        urn = quote(f"urn:li:sponsoredAccount:{account_id}", safe="")
        url = (
            f"{self.base}/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
            f"&dateRange=(start:{_restli_date(start)},end:{_restli_date(end)})"
            f"&accounts=List({urn})&fields={','.join(self.fields)}"
        )
        elements = self._get(url, f"adAnalytics account {account_id}").get("elements") or []
        if len(elements) >= self.max_elements and start < end:
            middle = start + (end - start) // 2
            return self.analytics(account_id, start, middle) + self.analytics(
                account_id, middle + dt.timedelta(days=1), end
            )
        return elements
