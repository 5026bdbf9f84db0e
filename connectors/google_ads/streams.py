"""Google Ads stream `campaign_days` -> raw.google_ads_campaign_days, days replaced whole."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from connectors.ad_platforms import campaign_day, replace_campaign_days
from connectors.google_ads.client import GoogleAdsClient, google_ads_retry_hook, refresh_access_token
from connectors.google_ads.source import GoogleAdsSource
from connectors.http import HttpClient
from connectors.load import LoadResult, to_float, to_int
from connectors.registry import SourcesError
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.google_ads")
SOURCE = "google_ads"
PLATFORM = "Google Ads"


def make_client(cfg: GoogleAdsSource, secrets: Mapping[str, str], **http_kw: Any) -> GoogleAdsClient:
    """A client with a fresh access token (one refresh per run). `secrets`: developer_token,
    client_id, client_secret, refresh_token and (optional) login_customer_id."""
    if not cfg.customer_ids:
        raise SourcesError("google_ads: customer_ids: list at least one customer id in sources.yml")
    http = HttpClient(
        SOURCE,
        secrets=[secrets["developer_token"], secrets["client_secret"], secrets["refresh_token"]],
        token_env=f"{cfg.refresh_token_env} and {cfg.developer_token_env}",
        retry_hook=google_ads_retry_hook,
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    envs = f"{cfg.client_id_env}, {cfg.client_secret_env}, {cfg.refresh_token_env}"
    token = refresh_access_token(
        http, cfg.token_url, secrets["client_id"], secrets["client_secret"], secrets["refresh_token"], envs
    )
    return GoogleAdsClient(
        http,
        cfg.base_url,
        cfg.api_version,
        token,
        secrets["developer_token"],
        secrets.get("login_customer_id") or None,
    )


def to_record(row: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """A searchStream row (camelCase; int64 as strings; cost in micros) -> a raw row."""
    campaign = row.get("campaign") or {}
    metrics = row.get("metrics") or {}
    customer = row.get("customer") or {}
    micros = to_float(metrics.get("costMicros"))
    return campaign_day(
        day=dt.date.fromisoformat((row.get("segments") or {})["date"]),
        platform=PLATFORM,
        account=str(customer.get("id") or customer_id),
        campaign_id=str(campaign.get("id") or ""),
        campaign=campaign.get("name"),
        impressions=to_int(metrics.get("impressions")),
        clicks=to_int(metrics.get("clicks")),
        cost=None if micros is None else micros / 1_000_000,
        currency=customer.get("currencyCode"),
        conversions=to_float(metrics.get("conversions")),
        conversions_value=to_float(metrics.get("conversionsValue")),
    )


def load_google_ads(
    warehouse: Warehouse, client: GoogleAdsClient, customer_ids: list[str], start: dt.date, end: dt.date
) -> LoadResult:
    """Fetch start..end for every customer (one request each), then replace those days."""
    before = client.http.requests_sent
    records = [to_record(row, cid) for cid in customer_ids for row in client.campaign_days(cid, start, end)]
    result = replace_campaign_days(warehouse, SOURCE, records, start, end)
    result.requests = client.http.requests_sent - before
    log.info("google_ads: %d rows for %s..%s from %d customer(s)", result.rows, start, end, len(customer_ids))
    return result
