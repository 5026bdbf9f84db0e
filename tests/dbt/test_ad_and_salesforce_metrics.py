"""The ad and Salesforce metrics on real dbt runs: APIs win over exports per platform-day, costs
converted to the workspace currency at the rate of their day, deleted opportunities left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.transform.dbt_setup import run_dbt
from tests.helpers import d, insert_raw, make_workspace

MODELS = (
    "stg_ads__campaign_spends stg_google_ads__campaign_days stg_meta_ads__campaign_days "
    "stg_linkedin_ads__campaign_days stg_okr__currency_rates stg_salesforce__opportunities "
    "ad_spend ad_clicks ad_impressions ad_conversions "
    "salesforce_pipeline_created salesforce_won_deals salesforce_won_revenue"
)


def api_day(day: str, platform: str, account: str, campaign: str, cost: float, currency: str, **kw) -> dict:
    return {
        "spend_date": d(day),
        "platform": platform,
        "account": account,
        "campaign_id": campaign,
        "campaign": campaign,
        "impressions": kw.get("impressions", 100),
        "clicks": kw.get("clicks", 10),
        "cost": cost,
        "currency": currency,
        "conversions": kw.get("conversions", 1.0),
        "conversions_value": 0.0,
    }


def export_day(day: str, platform: str, campaign: str, cost: float, currency: str = "EUR") -> dict:
    row = api_day(day, platform, "", campaign, cost, currency)
    return {k: v for k, v in row.items() if k != "campaign_id"}


@pytest.mark.slow
def test_ad_and_salesforce_metrics(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path, {})
    insert_raw(
        settings,
        "google_ads_campaign_days",
        [
            api_day("2026-11-24", "Google Ads", "1234567890", "brand", 100.0, "EUR", clicks=7),
            api_day("2026-11-24", "Google Ads", "2222222222", "us", 50.0, "USD"),
            api_day("2026-11-25", "Google Ads", "2222222222", "us", 50.0, "USD"),
            api_day("2026-11-25", "Google Ads", "3333333333", "se", 1000.0, "SEK"),  # no rate for SEK
        ],
    )
    insert_raw(
        settings,
        "linkedin_ads_campaign_days",
        [api_day("2026-11-24", "LinkedIn Ads", "5", "abm", 30.0, "EUR")],
    )
    insert_raw(
        settings,
        "ad_spend",
        [
            export_day("2026-11-24", "Google Ads", "brand", 999.0),  # the API has this platform-day
            export_day("2026-11-23", "Google Ads", "brand", 80.0),  # ... but not this one
            export_day("2026-11-24", "Meta Ads", "retargeting", 40.0),
        ],
    )
    insert_raw(
        settings,
        "currency_rates",
        [
            {"rate_date": d("2026-11-01"), "currency": "usd", "rate": 0.9},
            {"rate_date": d("2026-11-25"), "currency": "USD", "rate": 0.8},
        ],
    )
    opp = {"stage": "Closed Won", "lead_source": "Web", "campaign": "spring", "is_closed": True}
    insert_raw(
        settings,
        "salesforce_opportunities",
        [
            {
                **opp,
                "opportunity_id": "A",
                "amount": 1000.0,
                "close_date": d("2026-11-03"),
                "is_won": True,
                "created_at": "2026-10-01 10:00:00",
                "is_deleted": False,
            },
            {
                **opp,
                "opportunity_id": "B",
                "amount": 9999.0,
                "close_date": d("2026-11-03"),
                "is_won": True,
                "created_at": "2026-10-01 11:00:00",
                "is_deleted": True,
            },  # deleted in Salesforce
            {
                **opp,
                "opportunity_id": "C",
                "amount": 500.0,
                "close_date": d("2026-11-03"),
                "is_won": None,
                "created_at": "2026-10-02 09:00:00",
            },  # a report export without the Won column
            {
                **opp,
                "opportunity_id": "D",
                "amount": 7000.0,
                "close_date": d("2026-12-15"),
                "is_won": False,
                "stage": "Prospecting",
                "is_closed": False,
                "created_at": "2026-10-02 12:00:00",
            },
        ],
    )
    out = run_dbt(
        settings, ["build", "--select", *MODELS.split(), "ads_cost_without_currency_rate"], as_of="2026-11-26"
    )
    warned = [
        line for line in out.splitlines() if "ads_cost_without_currency_rate" in line and "WARN 1" in line
    ]
    assert warned, out[-3000:]  # the SEK cost without a rate is named

    wh = DuckDBWarehouse(settings.warehouse_path)

    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in wh.query(sql).itertuples(index=False)]

    spend = rows(
        "select cast(metric_date as varchar), platform, account, campaign, round(value, 6) "
        "from analytics.ad_spend order by 1, 2, 3"
    )
    assert spend == [
        ("2026-11-23", "Google Ads", "", "brand", 80.0),  # export: no API rows that day
        ("2026-11-24", "Google Ads", "1234567890", "brand", 100.0),  # API only, the export's 999 left out
        ("2026-11-24", "Google Ads", "2222222222", "us", 45.0),  # 50 USD at 0.9
        ("2026-11-24", "LinkedIn Ads", "5", "abm", 30.0),
        ("2026-11-24", "Meta Ads", "", "retargeting", 40.0),  # export of a platform without an API
        ("2026-11-25", "Google Ads", "2222222222", "us", 40.0),  # 50 USD at the new rate 0.8
    ]  # the SEK row has no rate: left out (and the test above warns)
    clicks = rows("select sum(value) from analytics.ad_clicks where platform = 'Google Ads'")
    assert clicks == [(7 + 10 + 10 + 10 + 10,)]  # API rows (4) and the 23rd's export row; not the 999 one
    assert rows("select sum(value) from analytics.ad_conversions where platform = 'LinkedIn Ads'") == [(1.0,)]
    assert rows("select cast(metric_date as varchar), value from analytics.salesforce_won_revenue") == [
        ("2026-11-03", 1500.0)
    ]
    assert rows("select value from analytics.salesforce_won_deals") == [(2.0,)]
    created = "select cast(metric_date as varchar), stage, value from analytics.salesforce_pipeline_created"
    assert rows(created + " order by 1, 2") == [
        ("2026-10-01", "Closed Won", 1000.0),
        ("2026-10-02", "Closed Won", 500.0),
        ("2026-10-02", "Prospecting", 7000.0),
    ]
