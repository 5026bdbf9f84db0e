"""Meta Marketing API insights at campaign level, one row per campaign and day.

Short ranges: `GET act_<id>/insights` synchronously, following the `after` cursor while
`paging.next` is present. Long ranges: an asynchronous report run (`POST act_<id>/insights` ->
`report_run_id`, polled until `async_status` is "Job Completed", then its `insights` edge paged the
same way). Throttling is read from `X-Business-Use-Case-Usage` (and `x-fb-ads-insights-throttle`)
on every answer, and the client pauses *before* the usage turns into error 80000/17/4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from connectors.http import HttpClient, RetryHint
from connectors.http.errors import describe_body, json_body
from connectors.http.paging import Page, cursor_pages

log = logging.getLogger("connectors.meta_ads")

FIELDS = (
    "account_id,account_currency,campaign_id,campaign_name,spend,impressions,clicks,"
    "actions,action_values,date_start,date_stop"
)
# Error codes Meta uses for rate limiting (its error-codes page; the same set Airbyte retries).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008})
TRANSIENT_CODES = frozenset({1, 2})
RATE_LIMIT_WAIT_S = 60.0
DONE, FAILED = "Job Completed", ("Job Failed", "Job Skipped")


def _graph_error(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _regain_minutes(resp: requests.Response) -> float:
    """The longest `estimated_time_to_regain_access` (minutes) in the usage header, or 0."""
    usage = _usage_entries(resp)
    return max((float(u.get("estimated_time_to_regain_access") or 0) for u in usage), default=0.0)


def _usage_entries(resp: requests.Response) -> list[dict[str, Any]]:
    try:
        usage = json.loads(resp.headers.get("x-business-use-case-usage") or "{}")
    except ValueError:
        return []
    if not isinstance(usage, dict):
        return []
    return [
        u for entries in usage.values() if isinstance(entries, list) for u in entries if isinstance(u, dict)
    ]


def usage_pct(resp: requests.Response) -> float:
    """The highest usage percentage any throttling header reports."""
    values = [
        float(u.get(k) or 0)
        for u in _usage_entries(resp)
        for k in ("call_count", "total_cputime", "total_time")
    ]
    try:
        insights = json.loads(resp.headers.get("x-fb-ads-insights-throttle") or "{}")
        if isinstance(insights, dict):
            values += [float(insights.get(k) or 0) for k in ("app_id_util_pct", "acc_id_util_pct")]
    except (ValueError, TypeError):
        pass
    return max(values, default=0.0)


def meta_retry_hook(
    resp: requests.Response,
    token_env: str = "META_ACCESS_TOKEN",  # noqa: S107 - a variable's name
    rate_limit_wait_s: float = RATE_LIMIT_WAIT_S,
) -> RetryHint | None:
    """Graph errors are told apart by `error.code`, not by HTTP status (most are HTTP 400)."""
    error = _graph_error(json_body(resp))
    code = error.get("code")
    if code in RATE_LIMIT_CODES:
        regain = _regain_minutes(resp)
        wait = regain * 60 if regain else rate_limit_wait_s
        return RetryHint(wait=wait, reason=f"rate limit (error {code}: {error.get('message', '')})")
    if code in TRANSIENT_CODES or error.get("is_transient"):
        return RetryHint(reason=f"transient error {code}")
    if code == 190:
        return RetryHint(
            retry=False, reason=f"the access token is invalid or expired - check the token in {token_env}"
        )
    return None


class MetaAdsClient:
    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        api_version: str,
        access_token: str,
        *,
        token_env: str,
        app_secret: str | None = None,
        page_size: int = 500,
        throttle_at_pct: float = 75.0,
        poll_s: float = 5.0,
        async_timeout_s: float = 900,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.http = http
        self.base = f"{base_url.rstrip('/')}/{api_version}"
        self.auth: dict[str, str] = {"access_token": access_token}
        if app_secret:
            proof = hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
            self.auth["appsecret_proof"] = proof
        self.token_env = token_env
        self.page_size = page_size
        self.throttle_at_pct = throttle_at_pct
        self.poll_s = poll_s
        self.async_timeout_s = async_timeout_s
        self._sleep = sleep
        self.throttle_pauses: list[float] = []

    # -- one call, with the usage header honoured ------------------------------------------------
    def _call(self, method: str, path: str, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        resp = self.http.request(
            method, f"{self.base}/{path}", endpoint=endpoint, params={**params, **self.auth}, expect_json=True
        )
        self._honour_usage(resp, endpoint)
        body = json_body(resp)
        if not isinstance(body, dict):
            raise self.http.error(
                f"unexpected answer: expected a JSON object, got {describe_body(resp)}",
                endpoint,
                resp.url,
                resp.status_code,
            )
        return body

    def _honour_usage(self, resp: requests.Response, endpoint: str) -> None:
        """Pause before the next call while usage is high: the longer, the closer to 100 %."""
        regain = _regain_minutes(resp)
        pct = usage_pct(resp)
        if regain:
            wait = regain * 60
        elif pct >= self.throttle_at_pct:
            share = (pct - self.throttle_at_pct) / max(100 - self.throttle_at_pct, 1)
            wait = 5 + 55 * min(share, 1.0)  # 5 s at the threshold up to a minute at 100 %
        else:
            return
        if wait > self.http.total_budget_s:
            raise self.http.error(
                f"the ad account's business-use-case limit is reached; access returns in about "
                f"{wait / 60:.0f} min, more than the time budget of {self.http.total_budget_s:.0f} s",
                endpoint,
                resp.url,
            )
        log.warning("meta_ads: %s: usage at %.0f%%; pausing %.1f s before the next call", endpoint, pct, wait)
        self.throttle_pauses.append(wait)
        self._sleep(wait)

    def _pages(self, path: str, endpoint: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Follow the `after` cursor while the answer has `paging.next` (absent on the last page)."""

        def fetch(after: str | None) -> Page[dict[str, Any]]:
            page = self._call("GET", path, endpoint, {**params, **({"after": after} if after else {})})
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
            return Page(page.get("data") or [], after)

        return cursor_pages(fetch, what=f"meta_ads: {endpoint}")

    # -- insights --------------------------------------------------------------------------------
    def _params(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        return {
            "level": "campaign",
            "fields": FIELDS,
            "time_increment": 1,
            "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()}),
            "limit": self.page_size,
        }

    def insights(self, account_id: str, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """Campaign-day rows of one ad account, read synchronously."""
        yield from self._pages(
            f"act_{account_id}/insights", f"insights act_{account_id}", self._params(start, end)
        )

    def insights_async(self, account_id: str, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """Campaign-day rows of one ad account through an asynchronous report run."""
        endpoint = f"async insights act_{account_id}"
        run = self._call("POST", f"act_{account_id}/insights", endpoint, self._params(start, end))
        run_id = run.get("report_run_id")
        if not run_id:
            raise self.http.error("no report_run_id in the answer", endpoint, self.base)
        waited = 0.0
        while True:
            job = self._call(
                "GET",
                str(run_id),
                f"report run {run_id}",
                {"fields": "async_status,async_percent_completion"},
            )
            status = job.get("async_status")
            if status == DONE:
                break
            if status in FAILED:
                raise self.http.error(
                    f"report run {run_id}: {status}; try a shorter range", endpoint, self.base
                )
            if waited + self.poll_s > self.async_timeout_s:
                raise self.http.error(
                    f"report run {run_id} not finished after {waited:.0f} s "
                    f"({job.get('async_percent_completion', 0)} % done)",
                    endpoint,
                    self.base,
                )
            self._sleep(self.poll_s)
            waited += self.poll_s
        yield from self._pages(
            f"{run_id}/insights", f"report run {run_id} results", {"limit": self.page_size}
        )
