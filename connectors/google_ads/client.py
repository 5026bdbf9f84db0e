"""Google Ads API: an access token from the OAuth refresh token, then one `googleAds:searchStream`
GAQL query per customer for the whole date range (the stream answers every row at once, as a
JSON array of batches, so there is no page token to follow)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import requests

from connectors.error_hints import with_hint
from connectors.http import HttpClient, HttpError, RetryHint, register_secret
from connectors.http.errors import describe_body, json_body

QUERY = (
    "SELECT customer.id, customer.currency_code, campaign.id, campaign.name, segments.date, "
    "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, "
    "metrics.conversions_value FROM campaign "
    "WHERE segments.date BETWEEN '{start}' AND '{end}'"
)
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _quota_details(body: Any) -> tuple[str, float | None, str]:
    """(quota error code, retryDelay in seconds, rate scope) from a GoogleAdsFailure body."""
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else []:
        for err in (detail.get("errors") or []) if isinstance(detail, dict) else []:
            if not isinstance(err, dict):
                continue
            code = str((err.get("errorCode") or {}).get("quotaError", ""))
            quota = (err.get("details") or {}).get("quotaErrorDetails") or {}
            match = _DELAY.match(str(quota.get("retryDelay", "")))
            return code, float(match.group(1)) if match else None, str(quota.get("rateScope", ""))
    return "", None, ""


def google_ads_retry_hook(resp: requests.Response) -> RetryHint | None:
    """429 RESOURCE_EXHAUSTED carries `retryDelay` in its GoogleAdsFailure details: wait that
    long when it fits the time budget (the HTTP layer fails naming the wait when it does not)."""
    if resp.status_code != 429:
        return None
    code, delay, scope = _quota_details(json_body(resp))
    reason = f"quota {code or 'RESOURCE_EXHAUSTED'}" + (f" ({scope} rate scope)" if scope else "")
    return RetryHint(wait=delay, reason=reason + (f", retry in {delay:.0f} s" if delay else ""))


class GoogleAdsClient:
    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        api_version: str,
        access_token: str,
        developer_token: str,
        login_customer_id: str | None = None,
    ):
        self.http = http
        self.base = f"{base_url.rstrip('/')}/{api_version}"
        self.headers = {"Authorization": f"Bearer {access_token}", "developer-token": developer_token}
        if login_customer_id:
            self.headers["login-customer-id"] = login_customer_id.replace("-", "")

    def campaign_days(self, customer_id: str, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
        """Every campaign-day row of one customer in start..end, as the API's nested objects."""
        resp = self.http.request(
            "POST",
            f"{self.base}/customers/{customer_id}/googleAds:searchStream",
            endpoint=f"searchStream customer {customer_id}",
            json={"query": QUERY.format(start=start.isoformat(), end=end.isoformat())},
            headers=self.headers,
            expect_json=True,
        )
        batches = resp.json()
        if isinstance(batches, dict):  # a single batch sent as an object is read the same way
            batches = [batches]
        if not isinstance(batches, list) or not all(isinstance(b, dict) for b in batches):
            raise self.http.error(
                f"unexpected answer: expected a JSON array of result batches, got {describe_body(resp)}",
                f"searchStream customer {customer_id}",
                resp.url,
                resp.status_code,
            )
        for batch in batches:
            yield from batch.get("results") or []


def refresh_access_token(
    http: HttpClient, token_url: str, client_id: str, client_secret: str, refresh_token: str, env_names: str
) -> str:
    """OAuth 2.0 refresh-token grant at Google's token endpoint; the token is registered as a secret."""
    try:
        body = http.request_object(
            "POST",
            token_url,
            endpoint="token refresh",
            data={
                "grant_type": "refresh_token",
                "client_id": client_id,
                "client_secret": client_secret,
                "refresh_token": refresh_token,
            },
        )
    except HttpError as exc:
        raise with_hint(exc, f"(OAuth client and refresh token in {env_names})") from None
    token = body.get("access_token")
    if not token:
        raise http.error(f"no access_token in the answer (check {env_names})", "token refresh", token_url)
    register_secret(token)
    http.secrets.append(token)
    return token
