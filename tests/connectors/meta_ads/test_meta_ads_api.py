"""Meta insights (sync and async report runs) against a loopback server that behaves like Graph."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from connectors.http import HttpError
from connectors.meta_ads.source import MetaAdsSource
from connectors.meta_ads.streams import load_meta_ads, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, SleepRecorder, assert_no_secret
from tests.connectors.meta_ads.fake_meta_ads import MetaAdsFake

TOKEN = "EAAGfakeMetaAccessToken1234567890abcdef"  # noqa: S105 - fake token of the fake server
D0 = dt.date(2026, 1, 1)


@pytest.fixture
def meta(fake_api: FakeApi) -> MetaAdsFake:
    fake = MetaAdsFake(fake_api, access_token=TOKEN, page_size_cap=4)
    fake.add_account("101", "EUR")
    fake.add_account("202", "SEK")
    for i in range(60):
        day = D0 + dt.timedelta(days=i)
        fake.add_day("101", day, "c1", "brand_awareness", spend="12.34", impressions=1000, clicks=20, leads=3)
        if i % 2 == 0:  # a campaign that does not deliver every day
            fake.add_day(
                "101",
                day,
                "c2",
                "spring_sale",
                spend="5.00",
                impressions=300,
                clicks=4,
                purchases=2,
                purchase_value=99.5,
            )
        fake.add_day("202", day, "s1", "sweden", spend="100.50", impressions=2000, clicks=10)
    return fake


def cfg(api: FakeApi, **kw) -> MetaAdsSource:
    return MetaAdsSource(
        enabled=True, base_url=api.base_url, ad_account_ids=["act_101", "202"], page_size=4, **kw
    )


def test_short_range_reads_insights_synchronously_with_cursor_paging_and_faults(
    meta: MetaAdsFake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(cfg(meta.api), TOKEN, **fast)
    meta.faults()
    end = D0 + dt.timedelta(days=9)
    result = load_meta_ads(wh, client, cfg(meta.api), D0, end)
    assert result.rows == 10 + 5 + 10
    got = wh.query(
        "select * from raw.meta_ads_campaign_days where account = 'act_101' and campaign = 'spring_sale' "
        "order by spend_date"
    ).to_dict("records")
    assert len(got) == 5 and str(got[0]["spend_date"])[:10] == D0.isoformat()
    assert (got[0]["cost"], got[0]["conversions"], got[0]["conversions_value"]) == (5.0, 2.0, 99.5)
    brand = wh.query(
        "select conversions, currency, platform from raw.meta_ads_campaign_days "
        "where campaign = 'brand_awareness' limit 1"
    )
    assert brand.iloc[0].tolist() == [
        3.0,
        "EUR",
        "Meta Ads",
    ]  # "lead" counted once, not with its pixel variant
    assert (
        wh.query("select distinct currency from raw.meta_ads_campaign_days where account = 'act_202'").iloc[
            0, 0
        ]
        == "SEK"
    )
    paths = [r.path for r in meta.api.requests]
    assert all(p.endswith("/insights") for p in paths)  # no report run for 10 days
    assert sum(1 for r in meta.api.requests if "after" in r.query) >= 4  # the cursor was followed
    logs = " ".join(r.getMessage() for r in caplog.records)
    assert_no_secret(TOKEN, logs, wh.query("select * from raw.meta_ads_campaign_days").to_string())


def test_long_range_uses_an_async_report_run(
    meta: MetaAdsFake, wh: DuckDBWarehouse, fast: dict, sleeps: SleepRecorder
) -> None:
    client = make_client(cfg(meta.api, async_poll_s=2), TOKEN, **fast)
    end = D0 + dt.timedelta(days=59)
    result = load_meta_ads(wh, client, cfg(meta.api, async_poll_s=2), D0, end)
    assert result.rows == 60 + 30 + 60
    methods = [(r.method, r.path.split("/")[-1]) for r in meta.api.requests]
    assert methods.count(("POST", "insights")) == 2  # one report run per account
    assert sleeps.waits.count(2) == 4  # polled while "Job Not Started" / "Job Running"
    assert "asynchronous report runs" in result.notes


def test_usage_header_pauses_before_errors(
    meta: MetaAdsFake, wh: DuckDBWarehouse, fast: dict, sleeps: SleepRecorder
) -> None:
    client = make_client(cfg(meta.api), TOKEN, **fast)
    meta.usage = [20, 80, 96]
    load_meta_ads(wh, client, cfg(meta.api), D0, D0 + dt.timedelta(days=9))
    assert len(client.throttle_pauses) == 2
    assert 5 <= client.throttle_pauses[0] < client.throttle_pauses[1] <= 60
    assert client.throttle_pauses == sleeps.waits[:2]


def test_limit_reached_with_a_long_regain_time_fails_naming_it(
    meta: MetaAdsFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    client = make_client(cfg(meta.api), TOKEN, **{**fast, "total_budget_s": 120})
    meta.usage = [100]
    meta.regain_minutes = 30
    with pytest.raises(HttpError, match="meta_ads: insights act_101") as err:
        load_meta_ads(wh, client, cfg(meta.api), D0, D0)
    assert "time budget" in str(err.value)


def test_invalid_token_names_the_variable(meta: MetaAdsFake, wh: DuckDBWarehouse, fast: dict) -> None:
    wrong = "EAAGwrongwrongwrongwrong"
    client = make_client(cfg(meta.api), wrong, **fast)
    with pytest.raises(HttpError, match="check the token in META_ACCESS_TOKEN") as err:
        load_meta_ads(wh, client, cfg(meta.api), D0, D0)
    assert_no_secret(wrong, str(err.value))
    assert len(meta.api.requests) == 1  # error 190 is not retried
