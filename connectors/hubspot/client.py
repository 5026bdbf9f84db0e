"""HubSpot CRM v3: the list endpoint (full load) and the search endpoint (incremental by
last-modified time, working around the 10,000-results-per-query cap)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint
from connectors.http.errors import json_object
from connectors.http.paging import Page, cursor_pages

log = logging.getLogger("connectors.hubspot")

# The last-modified property differs between objects.
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
_POLICY_WAIT_S = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}


def hubspot_retry_hook(resp: requests.Response) -> RetryHint | None:
    """HubSpot 429 bodies name the exhausted policy: a per-second window clears in a second, the
    rolling ten-second one in ten, the DAILY one only at midnight (so we stop at once)."""
    if resp.status_code != 429:
        return None
    policy = str(json_object(resp).get("policyName", "")).upper()
    if policy == "DAILY":
        return RetryHint(
            retry=False, reason="daily API limit reached; it resets at midnight in the account's time zone"
        )
    if policy in _POLICY_WAIT_S:
        return RetryHint(wait=_POLICY_WAIT_S[policy], reason=f"rate limit {policy}")
    return None


def to_epoch_ms(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(int(value.timestamp() * 1000))


class HubSpotClient:
    def __init__(
        self, http: HttpClient, base_url: str, token: str, page_size: int = 100, search_cap: int = 10000
    ):
        self.http = http
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.page_size = page_size
        self.search_cap = search_cap
        self.requeries = 0  # how often the search cap made us start a new query

    def list_all(self, obj: str, properties: list[str]) -> Iterator[dict[str, Any]]:
        """Every (non-archived) record through `GET /crm/v3/objects/{obj}`, following `after`."""
        params = {"limit": min(self.page_size, 100), "properties": ",".join(properties), "archived": "false"}

        def fetch(after: str | None) -> Page[dict[str, Any]]:
            page = self.http.request_object(
                "GET",
                f"{self.base}/crm/v3/objects/{obj}",
                endpoint=f"list {obj}",
                params={**params, "after": after} if after else params,
                headers=self.headers,
            )
            return Page(page.get("results") or [], next=_next_after(page))

        return cursor_pages(fetch, what=f"hubspot: list {obj}")

    def search_modified_since(
        self, obj: str, properties: list[str], since: dt.datetime
    ) -> Iterator[dict[str, Any]]:
        """Records modified at or after `since`, oldest first. One search query pages through at
        most `search_cap` results (HubSpot answers 400 beyond it), so before reaching the cap we
        start a new query from the last modified time seen; records seen twice are skipped."""
        prop = MODIFIED_PROPERTY[obj]
        lower = since
        seen: set[str] = set()
        while True:
            capped = False

            def fetch(after: str | None, lower: dt.datetime = lower) -> Page[dict[str, Any]]:
                nonlocal capped
                body = {
                    "filterGroups": [
                        {"filters": [{"propertyName": prop, "operator": "GTE", "value": to_epoch_ms(lower)}]}
                    ],
                    "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": self.page_size,
                    "after": after or "0",
                }
                page = self.http.request_object(
                    "POST",
                    f"{self.base}/crm/v3/objects/{obj}/search",
                    endpoint=f"search {obj}",
                    json=body,
                    headers=self.headers,
                )
                nxt = _next_after(page)
                if nxt and int(nxt) + self.page_size > self.search_cap:
                    capped, nxt = True, None  # the next page would cross the cap: re-query from here
                return Page(page.get("results") or [], next=nxt)

            last_value: dt.datetime | None = None
            for rec in cursor_pages(fetch, what=f"hubspot: search {obj}"):
                value = (rec.get("properties") or {}).get(prop) or rec.get("updatedAt")
                if value:
                    last_value = _parse(value)
                if rec["id"] not in seen:
                    seen.add(rec["id"])
                    yield rec
            if not capped:
                return
            if last_value is None or last_value <= lower:
                raise RuntimeError(
                    f"hubspot: search {obj}: more than {self.search_cap} records share the modified time "
                    f"{lower.isoformat()}; cannot page past the search cap"
                )
            self.requeries += 1
            log.info(
                "hubspot: search %s reached the %d-result cap; re-querying from %s",
                obj,
                self.search_cap,
                last_value,
            )
            lower = last_value


def _next_after(page: dict[str, Any]) -> str | None:
    paging = page.get("paging")
    nxt = paging.get("next") if isinstance(paging, dict) else None
    return str(nxt["after"]) if isinstance(nxt, dict) and nxt.get("after") else None


def _parse(value: str) -> dt.datetime:
    from connectors.load import parse_api_timestamp

    parsed = parse_api_timestamp(value)
    assert parsed is not None
    return parsed
