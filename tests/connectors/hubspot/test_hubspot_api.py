"""HubSpot contacts and deals against a local server that behaves like CRM v3."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest

from connectors.http import HttpError
from connectors.hubspot.source import HubSpotSource
from connectors.hubspot.streams import load_hubspot_object, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply, SleepRecorder, assert_no_secret
from tests.connectors.hubspot.fake_hubspot import T0, TOKEN, HubSpotFake


@pytest.fixture
def hubspot(fake_api: FakeApi) -> HubSpotFake:
    return HubSpotFake(fake_api)


def cfg(api: FakeApi, **kw) -> HubSpotSource:
    return HubSpotSource(enabled=True, base_url=api.base_url, **kw)


def contacts(wh: DuckDBWarehouse) -> list[dict]:
    return wh.query("select * from raw.hubspot_contacts order by cast(contact_id as integer)").to_dict(
        "records"
    )


def test_first_run_reads_everything_through_the_list_endpoint(
    hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for i in range(1, 251):
        hubspot.add_contact(
            i, T0 + dt.timedelta(minutes=i), stage="marketingqualifiedlead" if i % 2 else "lead"
        )
    result = load_hubspot_object(wh, make_client(cfg(hubspot.api), TOKEN, **fast), "contacts")
    assert result.rows == 250
    assert [r.path for r in hubspot.api.requests] == ["/crm/v3/objects/contacts"] * 3  # 100 + 100 + 50
    rows = contacts(wh)
    assert len(rows) == 250
    first = rows[0]
    assert first["contact_id"] == "1"
    assert first["lifecycle_stage"] == "marketingqualifiedlead"
    assert first["original_source"] == "PAID_SEARCH" and first["original_source_drilldown_2"] == "spring_sale"
    # Times become local (Helsinki is UTC+2 in January), the e-mail only a sha256.
    assert first["created_at"] == dt.datetime(2026, 1, 1, 2, 0)
    assert first["became_mql_at"] == dt.datetime(2026, 1, 1, 2, 1)
    assert first["email_hash"] == hashlib.sha256(b"person1@example.fi").hexdigest()
    stored = wh.query("select * from raw.hubspot_contacts").to_string()
    for pii in ("person1@example.fi", "Aino", "+358401234567"):
        assert pii not in stored
    assert wh.get_state("hubspot.contacts.high_water") == "2026-01-01T04:10:00"
    assert_no_secret(TOKEN, stored, *[r.getMessage() for r in caplog.records])


@pytest.mark.slow
def test_incremental_search_past_the_10000_cap(hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(hubspot.api, page_size=200), TOKEN, **fast)
    hubspot.add_contact(1, T0)
    load_hubspot_object(wh, client, "contacts")  # first run: sets the mark at T0
    # 10,500 modified contacts: one query can page through only 10,000 of them.
    for i in range(2, 10502):
        hubspot.add_contact(i, T0 + dt.timedelta(hours=1, seconds=i))
    hubspot.api.requests.clear()
    result = load_hubspot_object(wh, client, "contacts")
    searches = [r for r in hubspot.api.requests if r.path.endswith("/search")]
    assert all(int(r.json()["after"]) < 10000 for r in searches)
    assert client.requeries == 1
    assert result.rows == 10500  # every modified record; contact 1 (in the overlap) is unchanged
    assert wh.query("select count(*) n, count(distinct contact_id) d from raw.hubspot_contacts").iloc[
        0
    ].tolist() == [10501, 10501]
    last = T0 + dt.timedelta(hours=1, seconds=10501)
    assert wh.get_state("hubspot.contacts.high_water") == last.replace(tzinfo=None).isoformat()
    # A search without the re-query would have hit the fake's 400.
    assert not any(r.json().get("after") == "10000" for r in searches)


def test_newest_version_wins_and_rerun_changes_nothing(
    hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    client = make_client(cfg(hubspot.api), TOKEN, **fast)
    hubspot.add_contact(1, T0, stage="lead")
    hubspot.add_contact(2, T0, stage="lead")
    load_hubspot_object(wh, client, "contacts")
    hubspot.add_contact(2, T0 + dt.timedelta(days=1), stage="customer")
    load_hubspot_object(wh, client, "contacts")
    rows = {r["contact_id"]: r for r in contacts(wh)}
    assert rows["2"]["lifecycle_stage"] == "customer" and rows["1"]["lifecycle_stage"] == "lead"
    before = wh.query(
        "select * exclude (_loaded_at, _partition) from raw.hubspot_contacts order by contact_id"
    )
    load_hubspot_object(wh, client, "contacts")
    after = wh.query(
        "select * exclude (_loaded_at, _partition) from raw.hubspot_contacts order by contact_id"
    )
    assert before.equals(after)


def test_failed_load_leaves_rows_and_mark_untouched(
    hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    client = make_client(cfg(hubspot.api, page_size=2), TOKEN, **{**fast, "max_attempts": 2})
    for i in range(1, 4):
        hubspot.add_contact(i, T0 + dt.timedelta(minutes=i))
    load_hubspot_object(wh, client, "contacts")
    snapshot = wh.query("select * from raw.hubspot_contacts order by contact_id")
    mark = wh.get_state("hubspot.contacts.high_water")
    for i in range(4, 8):
        hubspot.add_contact(i, T0 + dt.timedelta(days=1, minutes=i))
    # The second page fails for good: nothing of the first page may land, the mark stays.
    original = hubspot.api.routes[("POST", "/crm/v3/objects/contacts/search")]
    calls = {"n": 0}

    def flaky(req):
        calls["n"] += 1
        return original(req) if calls["n"] == 1 else Reply(503, "unavailable")

    hubspot.api.routes[("POST", "/crm/v3/objects/contacts/search")] = flaky
    with pytest.raises(HttpError, match="hubspot: search contacts: HTTP 503"):
        load_hubspot_object(wh, client, "contacts")
    assert wh.query("select * from raw.hubspot_contacts order by contact_id").equals(snapshot)
    assert wh.get_state("hubspot.contacts.high_water") == mark


def test_429_policy_names(
    hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict, sleeps: SleepRecorder
) -> None:
    hubspot.add_deal(1, T0)
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "SECONDLY",
    }
    hubspot.api.fail_next(Reply(429, body), Reply(429, {**body, "policyName": "TEN_SECONDLY_ROLLING"}))
    load_hubspot_object(wh, make_client(cfg(hubspot.api), TOKEN, **fast), "deals")
    assert sleeps.waits == [1.0, 10.0]
    row = wh.query("select * from raw.hubspot_deals").iloc[0]
    assert row["deal_stage"] == "closedwon" and row["amount"] == 1500.5
    assert str(row["close_date"])[:10] == "2026-01-15"  # 23:30 UTC is already the 15th in Helsinki
    hubspot.api.fail_next(
        Reply(429, {**body, "policyName": "DAILY", "message": "You have reached your daily limit."})
    )
    with pytest.raises(HttpError, match="daily API limit reached"):
        load_hubspot_object(wh, make_client(cfg(hubspot.api), TOKEN, **fast), "deals", full_refresh=True)


def test_401_names_the_variable_and_leaks_nothing(
    hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict
) -> None:
    wrong = "pat-na1-WRONGWRONG-0000"
    with pytest.raises(HttpError) as err:
        load_hubspot_object(wh, make_client(cfg(hubspot.api), wrong, **fast), "contacts")
    assert "check the token in HUBSPOT_TOKEN" in str(err.value)
    assert "HTTP 401" in str(err.value) and "list contacts" in str(err.value)
    assert_no_secret(wrong, str(err.value))


def test_empty_portal(hubspot: HubSpotFake, wh: DuckDBWarehouse, fast: dict) -> None:
    result = load_hubspot_object(wh, make_client(cfg(hubspot.api), TOKEN, **fast), "deals")
    assert result.rows == 0
    assert wh.query("select count(*) from raw.hubspot_deals").iloc[0, 0] == 0
    assert wh.get_state("hubspot.deals.high_water") is None
