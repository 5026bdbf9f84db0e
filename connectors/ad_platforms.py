"""What the ad-platform sources (Google Ads, Meta, LinkedIn) share: the columns of their raw
tables, and the row they write.

Each platform writes its own raw table (`<source>_campaign_days`), one row per day, ad account
and campaign, in the ad account's currency and time zone, as the API reports them. The ads
staging model (`stg_ads__campaign_spends`) unions them with hand-exported spend (`raw.ad_spend`);
dbt converts costs to the workspace currency through the user's rates table (connectors/README.md,
"Currencies").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from connectors.registry import Freshness, RawTable

if TYPE_CHECKING:  # the source descriptors import this module: keep it cheap to import
    from connectors.load import LoadResult
    from connectors.warehouse import Warehouse

# The data columns of every `<platform>_campaign_days` raw table.
CAMPAIGN_DAY_COLUMNS: dict[str, str] = {
    "spend_date": "DATE",  # in the ad account's time zone
    "platform": "VARCHAR",  # Google Ads, Meta Ads, LinkedIn Ads
    "account": "VARCHAR",  # customer id, act_<id>, sponsored account id
    "campaign_id": "VARCHAR",
    "campaign": "VARCHAR",  # the campaign's name
    "impressions": "BIGINT",
    "clicks": "BIGINT",
    "cost": "DOUBLE PRECISION",  # in `currency`
    "currency": "VARCHAR",  # the ad account's currency (ISO 4217)
    "conversions": "DOUBLE PRECISION",  # conversions the platform attributes to the campaign
    "conversions_value": "DOUBLE PRECISION",  # their value, in `currency`
}
CAMPAIGN_DAY_KEY = ("spend_date", "account", "campaign_id")
# An ad platform finishes a day's numbers (late conversions, invalid clicks) within about two days.
CAMPAIGN_DAY_MAX_LAG_DAYS = 2


def campaign_days_table(source: str, description: str) -> RawTable:
    """The raw table `<source>_campaign_days` of an ad platform: one row per day, account and
    campaign, keyed and checked for freshness the same way on every platform."""
    return RawTable(
        name=f"{source}_campaign_days",
        columns=CAMPAIGN_DAY_COLUMNS,
        unique_key=CAMPAIGN_DAY_KEY,
        freshness=Freshness(column="spend_date", max_lag_days=CAMPAIGN_DAY_MAX_LAG_DAYS),
        description=description,
    )


def campaign_day(
    *,
    day: dt.date,
    platform: str,
    account: str,
    campaign_id: str,
    campaign: str | None,
    impressions: int | None,
    clicks: int | None,
    cost: float | None,
    currency: str | None,
    conversions: float | None,
    conversions_value: float | None,
) -> dict[str, Any]:
    """One `<platform>_campaign_days` row."""
    return {
        "spend_date": day,
        "platform": platform,
        "account": account,
        "campaign_id": campaign_id,
        "campaign": campaign or campaign_id,
        "impressions": impressions or 0,
        "clicks": clicks or 0,
        "cost": cost or 0.0,
        "currency": (currency or "").upper() or None,
        "conversions": conversions or 0.0,
        "conversions_value": conversions_value or 0.0,
    }


def replace_campaign_days(
    warehouse: Warehouse, source: str, records: Iterable[Mapping[str, Any]], start: dt.date, end: dt.date
) -> LoadResult:
    """Make raw.`<source>_campaign_days` hold exactly `records` for every day from start to end."""
    from connectors.load import replace_days

    table = f"{source}_campaign_days"
    return replace_days(
        warehouse, table, records, start, end, source=source, stream="campaign_days", date_column="spend_date"
    )
