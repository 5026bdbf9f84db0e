"""LinkedIn adAnalytics against a loopback server that behaves like the versioned Marketing API."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from connectors.http import HttpError
from connectors.linkedin_ads.source import LinkedInAdsSource
from connectors.linkedin_ads.streams import load_linkedin_ads, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, assert_no_secret
from tests.connectors.linkedin_ads.fake_linkedin_ads import LinkedInAdsFake

TOKEN = "AQXfakeLinkedInToken0123456789abcdef"  # noqa: S105 - fake token of the fake server
D0 = dt.date(2026, 2, 1)


@pytest.fixture
def li(fake_api: FakeApi) -> LinkedInAdsFake:
    fake = LinkedInAdsFake(fake_api, access_token=TOKEN)
    campaigns = {str(500 + i): f"abm_wave_{i}" for i in range(5)}
    fake.add_account("507000001", "EUR", campaigns)
    for i in range(14):
        day = D0 + dt.timedelta(days=i)
        for cid in campaigns:
            fake.add_day(
                "507000001",
                day,
                cid,
                cost="10.50",
                impressions=800,
                clicks=6,
                conversions=1,
                leads=2,
                value="40.0",
            )
    return fake


def cfg(api: FakeApi, **kw) -> LinkedInAdsSource:
    return LinkedInAdsSource(
        enabled=True,
        base_url=api.base_url,
        account_ids=["urn:li:sponsoredAccount:507000001"],
        page_size=2,
        **kw,
    )


def test_daily_campaign_analytics_with_names_currency_and_faults(
    li: LinkedInAdsFake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(cfg(li.api), TOKEN, **fast)
    li.faults()
    end = D0 + dt.timedelta(days=6)
    result = load_linkedin_ads(wh, client, cfg(li.api), D0, end)
    assert result.rows == 7 * 5
    paths = [r.path for r in li.api.requests]
    assert paths.count("/rest/adAccounts/507000001/adCampaigns") == 3  # 5 campaigns, 2 per page
    assert all(r.headers["linkedin-version"] == "202509" for r in li.api.requests)
    got = wh.query("select * from raw.linkedin_ads_campaign_days order by spend_date, campaign_id").to_dict(
        "records"
    )
    first = got[0]
    assert (first["campaign_id"], first["campaign"], first["account"]) == ("500", "abm_wave_0", "507000001")
    assert (first["cost"], first["currency"], first["conversions"], first["conversions_value"]) == (
        10.5,
        "EUR",
        3.0,
        40.0,
    )
    assert first["platform"] == "LinkedIn Ads"
    assert_no_secret(TOKEN, *[r.getMessage() for r in caplog.records])


def test_a_full_answer_is_split_and_asked_again(li: LinkedInAdsFake, wh: DuckDBWarehouse, fast: dict) -> None:
    li.max_elements = 20  # 14 days x 5 campaigns = 70 elements do not fit one answer
    client = make_client(cfg(li.api), TOKEN, **fast)
    client.max_elements = 20
    result = load_linkedin_ads(wh, client, cfg(li.api), D0, D0 + dt.timedelta(days=13))
    assert result.rows == 70
    assert wh.query("select count(distinct spend_date) from raw.linkedin_ads_campaign_days").iloc[0, 0] == 14


def test_retired_version_names_the_setting(li: LinkedInAdsFake, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(li.api, api_version="202301"), TOKEN, **fast)
    with pytest.raises(HttpError, match=r"set linkedin_ads\.api_version in sources\.yml") as err:
        load_linkedin_ads(wh, client, cfg(li.api), D0, D0)
    assert err.value.status == 426 and len(li.api.requests) == 1


def test_daily_limit_fails_at_once_and_bad_token_names_the_variable(
    li: LinkedInAdsFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    from tests.connectors.linkedin_ads.fake_linkedin_ads import li_error

    li.api.fail_next(
        li_error(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
            101,
        )
    )
    client = make_client(cfg(li.api), TOKEN, **fast)
    with pytest.raises(HttpError, match="daily API call limit"):
        load_linkedin_ads(wh, client, cfg(li.api), D0, D0)
    assert len(li.api.requests) == 1
    bad = make_client(cfg(li.api), "AQXwrongwrongwrong", **fast)
    with pytest.raises(HttpError, match="check the token in LINKEDIN_ACCESS_TOKEN") as err:
        load_linkedin_ads(wh, bad, cfg(li.api), D0, D0)
    assert_no_secret("AQXwrongwrongwrong", str(err.value))
