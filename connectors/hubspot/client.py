"""HubSpot CRM v3: the list endpoint (full load) and the search endpoint (incremental by
last-modified time, working around the 10,000-results-per-query cap)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint

log = logging.getLogger("connectors.hubspot")

# The last-modified property differs between objects.
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
_POLICY_WAIT_S = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}


def hubspot_retry_hook(resp: requests.Response) -> RetryHint | None:
    """HubSpot 429 bodies name the exhausted policy: a per-second window clears in a second, the
    rolling ten-second one in ten, the DAILY one only at midnight (so we stop at once)."""
    if resp.status_code != 429:
        return None
    try:
        policy = str(resp.json().get("policyName", "")).upper()
    except ValueError:
        return None
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
        after: str | None = None
        while True:
            params = {
                "limit": min(self.page_size, 100),
                "properties": ",".join(properties),
                "archived": "false",
            }
            if after:
                params["after"] = after
            resp = self.http.request(
                "GET",
                f"{self.base}/crm/v3/objects/{obj}",
                endpoint=f"list {obj}",
                params=params,
                headers=self.headers,
                expect_json=True,
            )
            page = resp.json()
            yield from page.get("results") or []
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

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
            after = 0
            last_value: dt.datetime | None = None
            exhausted = True
            while True:
                body = {
                    "filterGroups": [
                        {"filters": [{"propertyName": prop, "operator": "GTE", "value": to_epoch_ms(lower)}]}
                    ],
                    "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": self.page_size,
                    "after": str(after),
                }
                resp = self.http.request(
                    "POST",
                    f"{self.base}/crm/v3/objects/{obj}/search",
                    endpoint=f"search {obj}",
                    json=body,
                    headers=self.headers,
                    expect_json=True,
                )
                page = resp.json()
                for rec in page.get("results") or []:
                    value = (rec.get("properties") or {}).get(prop) or rec.get("updatedAt")
                    if value:
                        last_value = _parse(value)
                    if rec["id"] not in seen:
                        seen.add(rec["id"])
                        yield rec
                nxt = ((page.get("paging") or {}).get("next") or {}).get("after")
                if not nxt:
                    break
                after = int(nxt)
                if after + self.page_size > self.search_cap:
                    exhausted = False  # the next page would cross the cap: re-query from here
                    break
            if exhausted:
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


def _parse(value: str) -> dt.datetime:
    from connectors.load import parse_api_timestamp

    parsed = parse_api_timestamp(value)
    assert parsed is not None
    return parsed
