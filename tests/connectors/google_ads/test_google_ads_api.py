"""Google Ads searchStream against a loopback server that behaves like the documented API."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from connectors.google_ads.source import GoogleAdsSource
from connectors.google_ads.streams import load_google_ads, make_client
from connectors.http import HttpError
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, SleepRecorder, assert_no_secret
from tests.connectors.google_ads.fake_google_ads import ACCESS_TOKEN, GoogleAdsFake

SECRETS = {
    "developer_token": "devtoken-ABCDEFGH12345678",
    "client_id": "123-fake.apps.googleusercontent.com",
    "client_secret": "GOCSPX-fakeclientsecret123",
    "refresh_token": "1//fake-refresh-token-abcdefgh",
    "login_customer_id": "999-888-7777",
}
D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
CUSTOMERS = ["1234567890", "2222222222"]


@pytest.fixture
def gads(fake_api: FakeApi) -> GoogleAdsFake:
    fake = GoogleAdsFake(
        fake_api,
        developer_token=SECRETS["developer_token"],
        refresh_token=SECRETS["refresh_token"],
        client_secret=SECRETS["client_secret"],
        login_customer_id="9998887777",
    )
    fake.add_customer("1234567890", "EUR")
    fake.add_customer("2222222222", "USD")
    for day in (D1, D2):
        fake.add_day(
            "1234567890",
            day,
            11,
            "brand_search",
            cost=12.34,
            impressions=1000,
            clicks=20,
            conversions=2.5,
            value=300,
        )
        fake.add_day("1234567890", day, 12, "spring_sale", cost=0.01, impressions=5, clicks=0)
        fake.add_day(
            "2222222222",
            day,
            21,
            "us_launch",
            cost=99.99,
            impressions=4000,
            clicks=70,
            conversions=1.0,
            value=50,
        )
    return fake


def cfg(api: FakeApi) -> GoogleAdsSource:
    return GoogleAdsSource(
        enabled=True,
        base_url=api.base_url,
        token_url=f"{api.base_url}/token",
        customer_ids=["123-456-7890", "2222222222"],
    )


def rows(wh: DuckDBWarehouse) -> list[dict]:
    return wh.query(
        "select * from raw.google_ads_campaign_days order by spend_date, account, campaign"
    ).to_dict("records")


def test_loads_every_customer_in_one_request_each_with_faults(
    gads: GoogleAdsFake,
    wh: DuckDBWarehouse,
    fast: dict,
    sleeps: SleepRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(cfg(gads.api), SECRETS, **fast)
    gads.faults(quota_delay_s=7)
    result = load_google_ads(wh, client, CUSTOMERS, D1, D2)
    assert result.rows == 6
    streams = [r for r in gads.api.requests if r.path.endswith("googleAds:searchStream")]
    # two customers; the first needed 5 attempts (quota, 503, cut body, reset, answer)
    assert len(streams) == 6 and result.requests == 6
    assert 7.0 in sleeps.waits  # the quota error's retryDelay was honoured
    sent = streams[-1]
    assert sent.headers["developer-token"] == SECRETS["developer_token"]
    assert sent.headers["login-customer-id"] == "9998887777"
    assert "BETWEEN '2026-03-01' AND '2026-03-02'" in sent.json()["query"]
    got = rows(wh)
    first = got[0]
    assert (first["platform"], first["account"], first["campaign_id"]) == ("Google Ads", "1234567890", "11")
    assert first["campaign"] == "brand_search" and first["cost"] == pytest.approx(12.34)
    assert (first["impressions"], first["clicks"], first["conversions"], first["conversions_value"]) == (
        1000,
        20,
        2.5,
        300.0,
    )
    assert first["currency"] == "EUR" and first["_source"] == "google_ads"
    assert {r["currency"] for r in got if r["account"] == "2222222222"} == {"USD"}
    stored = wh.query("select * from raw.google_ads_campaign_days").to_string()
    logs = [r.getMessage() for r in caplog.records]
    for secret in ("developer_token", "refresh_token", "client_secret"):
        assert_no_secret(SECRETS[secret], stored, *logs)
    assert_no_secret(ACCESS_TOKEN, stored, *logs)


def test_reload_replaces_the_days_asked_for(gads: GoogleAdsFake, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(gads.api), SECRETS, **fast)
    load_google_ads(wh, client, CUSTOMERS, D1, D2)
    rows_1 = gads.customers["1234567890"]["rows"]
    gads.customers["1234567890"]["rows"] = [r for r in rows_1 if r[2] != "spring_sale"]
    load_google_ads(wh, client, CUSTOMERS, D2, D2)
    got = rows(wh)
    assert len(got) == 5  # spring_sale gone from the reloaded day only
    assert [r["spend_date"].date() for r in got if r["campaign"] == "spring_sale"] == [D1]


def test_quota_wait_beyond_the_budget_fails_naming_the_quota(
    gads: GoogleAdsFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    client = make_client(cfg(gads.api), SECRETS, **{**fast, "total_budget_s": 60})
    gads.faults(quota_delay_s=5603)
    with pytest.raises(HttpError) as err:
        load_google_ads(wh, client, ["1234567890"], D1, D2)
    message = str(err.value)
    assert message.startswith("google_ads: searchStream customer 1234567890:")
    assert "waiting 5603.0 s more would exceed the time budget" in message


def test_bad_refresh_token_and_developer_token_name_their_variables(
    gads: GoogleAdsFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    bad = {**SECRETS, "refresh_token": "1//revoked-refresh-token-xx"}
    with pytest.raises(HttpError, match="GOOGLE_ADS_REFRESH_TOKEN") as err:
        make_client(cfg(gads.api), bad, **fast)
    assert "Token has been expired or revoked" in str(err.value)
    assert_no_secret(bad["refresh_token"], str(err.value))
    client = make_client(cfg(gads.api), {**SECRETS, "developer_token": "devtoken-WRONGWRONG999"}, **fast)
    with pytest.raises(HttpError, match="GOOGLE_ADS_DEVELOPER_TOKEN") as err:
        load_google_ads(wh, client, ["1234567890"], D1, D2)
    assert err.value.status == 401
    assert_no_secret("devtoken-WRONGWRONG999", str(err.value))


def test_customer_ids_are_validated() -> None:
    with pytest.raises(ValueError, match="not 10 digits"):
        GoogleAdsSource(enabled=True, customer_ids=["12-34"])
