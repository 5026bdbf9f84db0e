"""LinkedIn stream `campaign_days` -> raw.linkedin_ads_campaign_days, days replaced whole."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.ad_platforms import campaign_day, replace_campaign_days
from connectors.http import HttpClient
from connectors.linkedin_ads.client import LinkedInAdsClient, linkedin_retry_hook
from connectors.linkedin_ads.source import LinkedInAdsSource
from connectors.load import LoadResult, to_float, to_int
from connectors.registry import SourcesError
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.linkedin_ads")
SOURCE = "linkedin_ads"
PLATFORM = "LinkedIn Ads"


def make_client(cfg: LinkedInAdsSource, access_token: str, **http_kw: Any) -> LinkedInAdsClient:
    if not cfg.account_ids:
        raise SourcesError("linkedin_ads: account_ids: list at least one ad account in sources.yml")
    http = HttpClient(
        SOURCE,
        secrets=[access_token],
        token_env=cfg.access_token_env,
        retry_hook=linkedin_retry_hook,
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    return LinkedInAdsClient(
        http,
        cfg.base_url,
        cfg.api_version,
        access_token,
        page_size=cfg.page_size,
        conversion_fields=cfg.conversion_fields,
    )


def to_record(
    element: dict[str, Any],
    account_id: str,
    currency: str | None,
    names: dict[str, str],
    conversion_fields: list[str],
) -> dict[str, Any]:
    """An adAnalytics element (dateRange as year/month/day; cost as a decimal string) -> a raw row."""
    start = (element.get("dateRange") or {})["start"]
    urn = next(iter(element.get("pivotValues") or []), "")
    campaign_id = urn.rsplit(":", 1)[-1]
    return campaign_day(
        day=dt.date(int(start["year"]), int(start["month"]), int(start["day"])),
        platform=PLATFORM,
        account=account_id,
        campaign_id=campaign_id,
        campaign=names.get(campaign_id),
        impressions=to_int(element.get("impressions")),
        clicks=to_int(element.get("clicks")),
        cost=to_float(element.get("costInLocalCurrency")),
        currency=currency,
        conversions=sum(to_float(element.get(f)) or 0.0 for f in conversion_fields),
        conversions_value=to_float(element.get("conversionValueInLocalCurrency")),
    )


def load_linkedin_ads(
    warehouse: Warehouse, client: LinkedInAdsClient, cfg: LinkedInAdsSource, start: dt.date, end: dt.date
) -> LoadResult:
    """Per account: its currency, its campaigns' names, and the daily analytics of start..end."""
    before = client.http.requests_sent
    records = []
    for account_id in cfg.account_ids:
        currency = client.account(account_id).get("currency")
        names = {str(c.get("id")): c.get("name") or "" for c in client.campaigns(account_id)}
        records += [
            to_record(e, account_id, currency, names, cfg.conversion_fields)
            for e in client.analytics(account_id, start, end)
        ]
    result = replace_campaign_days(warehouse, SOURCE, records, start, end)
    result.requests = client.http.requests_sent - before
    log.info("linkedin_ads: %d rows for %s..%s", result.rows, start, end)
    return result
