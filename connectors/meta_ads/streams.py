"""Meta stream `campaign_days` -> raw.meta_ads_campaign_days, days replaced whole."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from typing import Any

from connectors.ad_platforms import campaign_day, replace_campaign_days
from connectors.http import HttpClient
from connectors.load import LoadResult, to_float, to_int
from connectors.meta_ads.client import MetaAdsClient, meta_retry_hook
from connectors.meta_ads.source import MetaAdsSource
from connectors.registry import SourcesError
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.meta_ads")
SOURCE = "meta_ads"
PLATFORM = "Meta Ads"


def make_client(
    cfg: MetaAdsSource, access_token: str, app_secret: str | None = None, **http_kw: Any
) -> MetaAdsClient:
    if not cfg.ad_account_ids:
        raise SourcesError("meta_ads: ad_account_ids: list at least one ad account in sources.yml")
    kwargs = {**cfg.http.client_kwargs(), **http_kw}
    http = HttpClient(
        SOURCE,
        secrets=[access_token, app_secret],
        token_env=cfg.access_token_env,
        retry_hook=functools.partial(
            meta_retry_hook, token_env=cfg.access_token_env, rate_limit_wait_s=cfg.rate_limit_wait_s
        ),
        **kwargs,
    )
    return MetaAdsClient(
        http,
        cfg.base_url,
        cfg.api_version,
        access_token,
        token_env=cfg.access_token_env,
        app_secret=app_secret,
        page_size=cfg.page_size,
        throttle_at_pct=cfg.throttle_at_pct,
        poll_s=cfg.async_poll_s,
        async_timeout_s=cfg.async_timeout_s,
        sleep=kwargs.get("sleep", time.sleep),
    )


def _action_sum(entries: Any, types: list[str]) -> float:
    wanted = set(types)
    return sum(
        to_float(e.get("value")) or 0.0
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and e.get("action_type") in wanted
    )


def to_record(row: dict[str, Any], account_id: str, conversion_types: list[str]) -> dict[str, Any]:
    """An insights row (numbers as strings; `actions` absent when empty) -> a raw row."""
    return campaign_day(
        day=dt.date.fromisoformat(row["date_start"]),
        platform=PLATFORM,
        account=f"act_{row.get('account_id') or account_id}",
        campaign_id=str(row.get("campaign_id") or ""),
        campaign=row.get("campaign_name"),
        impressions=to_int(row.get("impressions")),
        clicks=to_int(row.get("clicks")),
        cost=to_float(row.get("spend")),
        currency=row.get("account_currency"),
        conversions=_action_sum(row.get("actions"), conversion_types),
        conversions_value=_action_sum(row.get("action_values"), conversion_types),
    )


def load_meta_ads(
    warehouse: Warehouse, client: MetaAdsClient, cfg: MetaAdsSource, start: dt.date, end: dt.date
) -> LoadResult:
    """Fetch start..end for every ad account (async report runs for long ranges), replace those days."""
    before = client.http.requests_sent
    long_range = (end - start).days + 1 > cfg.async_after_days
    records = []
    for account in cfg.ad_account_ids:
        rows = (
            client.insights_async(account, start, end) if long_range else client.insights(account, start, end)
        )
        records += [to_record(r, account, cfg.conversion_action_types) for r in rows]
    result = replace_campaign_days(warehouse, SOURCE, records, start, end)
    result.requests = client.http.requests_sent - before
    mode = "asynchronous report runs" if long_range else "synchronous insights"
    result.notes.append(mode)
    log.info("meta_ads: %d rows for %s..%s (%s)", result.rows, start, end, mode)
    return result
