"""Pipedrive API v2 deals: cursor paging, `updated_since`, token in the `x-api-token` header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint
from connectors.http.paging import Page, cursor_pages


def pipedrive_retry_hook(resp: requests.Response) -> RetryHint | None:
    """Pipedrive's burst limit is a rolling 2-second window; `x-ratelimit-reset` says how many
    seconds remain in it (not a timestamp). Retry-After is not documented, so this is the signal."""
    if resp.status_code != 429:
        return None
    reset = resp.headers.get("x-ratelimit-reset")
    try:
        wait = max(0.0, float(reset)) if reset is not None else None
    except ValueError:
        wait = None
    daily_left = resp.headers.get("x-daily-requests-left")
    if daily_left is not None and daily_left.strip() == "0":
        return RetryHint(retry=False, reason="daily request budget of the company is used up")
    return RetryHint(wait=wait, reason="burst limit") if wait is not None else None


class PipedriveClient:
    def __init__(self, http: HttpClient, base_url: str, token: str, page_size: int = 500):
        self.http = http
        self.url = f"{base_url.rstrip('/')}/api/v2/deals"
        self.headers = {"x-api-token": token}
        self.page_size = page_size

    def deals(self, updated_since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
        """Deals updated at or after `updated_since` (all deals when None), oldest update first."""
        params: dict[str, Any] = {"limit": self.page_size, "sort_by": "update_time", "sort_direction": "asc"}
        if updated_since is not None:
            params["updated_since"] = updated_since.strftime("%Y-%m-%dT%H:%M:%SZ")

        def fetch(cursor: str | None) -> Page[dict[str, Any]]:
            page = self.http.request_object(
                "GET",
                self.url,
                endpoint="list deals",
                params={**params, "cursor": cursor} if cursor else params,
                headers=self.headers,
            )
            if page.get("success") is False:
                raise self.http.error(
                    f"the API answered with an error: {page.get('error')}", "list deals", self.url
                )
            # data may be null on an empty page
            return Page(page.get("data") or [], next=(page.get("additional_data") or {}).get("next_cursor"))

        return cursor_pages(fetch, what="pipedrive: list deals")
