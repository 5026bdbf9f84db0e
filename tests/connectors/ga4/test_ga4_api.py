"""GA4 runReport against a local server: paging by rowCount, strings, empty days, quota errors,
the trailing-window replacement and the service-account token exchange."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

from connectors.ga4.source import GA4Source
from connectors.ga4.streams import load_ga4_daily, make_client
from connectors.http import HttpError
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply, assert_no_secret
from tests.connectors.ga4.fake_ga4 import PATH, PROPERTY, TOKEN, GA4Fake


@pytest.fixture
def ga4(fake_api: FakeApi) -> GA4Fake:
    return GA4Fake(fake_api)


def source(api: FakeApi, **kw) -> GA4Source:
    return GA4Source(enabled=True, base_url=api.base_url, property_id=PROPERTY, **kw)


D1, D2, D3 = dt.date(2026, 1, 10), dt.date(2026, 1, 11), dt.date(2026, 1, 12)


def test_pages_by_row_count_and_types_the_strings(ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict) -> None:
    for i in range(25):
        ga4.add(D1, "Paid Search", f"camp{i}", 100 + i)
    client = make_client(source(ga4.api, page_size=10), access_token=TOKEN, **fast)
    result = load_ga4_daily(wh, client, PROPERTY, D1, D1)
    assert result.rows == 25 and result.requests == 3
    offsets = [r.json()["offset"] for r in ga4.api.requests]
    assert offsets == [0, 10, 20]
    row = wh.query("select * from raw.ga4_daily_report where campaign = 'camp3'").iloc[0]
    assert str(row["report_date"])[:10] == "2026-01-10"
    assert (row["channel_group"], row["source"], row["medium"]) == ("Paid Search", "google", "cpc")
    assert (
        row["sessions"],
        row["total_users"],
        row["new_users"],
        row["engaged_sessions"],
        row["key_events"],
    ) == (103, 102, 3, 51, 1)
    assert (row["_source"], row["_stream"], row["_partition"]) == ("ga4", "daily_report", "2026-01-10")


def test_window_replaces_days_and_a_rerun_changes_nothing(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict
) -> None:
    client = make_client(source(ga4.api), access_token=TOKEN, **fast)
    ga4.add(D1, "Direct", "(direct)", 10)
    ga4.add(D2, "Direct", "(direct)", 20)
    ga4.add(D3, "Direct", "(direct)", 30)
    load_ga4_daily(wh, client, PROPERTY, D1, D3)
    # The API revises D3 and has nothing (any more) for D2: the window re-pull follows it.
    ga4.rows = [r for r in ga4.rows if r["dimensionValues"][0]["value"] == "20260110"]
    ga4.add(D3, "Direct", "(direct)", 33)
    load_ga4_daily(wh, client, PROPERTY, D2, D3)
    q = "select report_date, sessions from raw.ga4_daily_report order by report_date"
    got = [(str(d)[:10], s) for d, s in wh.query(q).itertuples(index=False)]
    assert got == [("2026-01-10", 10), ("2026-01-12", 33)]
    before = wh.query("select * exclude (_loaded_at) from raw.ga4_daily_report order by report_date")
    load_ga4_daily(wh, client, PROPERTY, D2, D3)
    assert wh.query("select * exclude (_loaded_at) from raw.ga4_daily_report order by report_date").equals(
        before
    )


def test_empty_report(ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict) -> None:
    result = load_ga4_daily(wh, make_client(source(ga4.api), access_token=TOKEN, **fast), PROPERTY, D1, D2)
    assert result.rows == 0 and result.requests == 1


def test_failed_load_leaves_earlier_days_as_they_were(ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict) -> None:
    for i in range(12):
        ga4.add(D1, "Email", f"c{i}", 5)
    client = make_client(source(ga4.api, page_size=5), access_token=TOKEN, **{**fast, "max_attempts": 2})
    load_ga4_daily(wh, client, PROPERTY, D1, D1)
    before = wh.query("select * from raw.ga4_daily_report order by campaign")
    ga4.add(D1, "Email", "late", 7)
    calls = {"n": 0}

    def page_two_fails(req):  # page 1 answers, page 2 fails on every attempt
        calls["n"] += 1
        return ga4.run_report(req) if calls["n"] == 1 else Reply(503, "y")

    ga4.api.routes[("POST", PATH)] = page_two_fails
    with pytest.raises(HttpError, match="ga4: runReport: HTTP 503"):
        load_ga4_daily(wh, client, PROPERTY, D1, D1)
    assert wh.query("select * from raw.ga4_daily_report order by campaign").equals(before)


def test_quota_per_day_fails_at_once_and_concurrency_backs_off(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, sleeps
) -> None:
    ga4.add(D1, "Direct", "(direct)", 10)
    err = {
        "error": {
            "code": 429,
            "message": "Exhausted concurrent requests quota.",
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    ga4.api.fail_next(Reply(429, err))
    load_ga4_daily(wh, make_client(source(ga4.api), access_token=TOKEN, **fast), PROPERTY, D1, D1)
    assert len(sleeps.waits) == 1
    daily = {
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "message": "Exhausted property tokens per day. These quota tokens will return tomorrow.",
        }
    }
    ga4.api.fail_next(Reply(429, daily))
    with pytest.raises(HttpError, match="daily token quota"):
        load_ga4_daily(wh, make_client(source(ga4.api), access_token=TOKEN, **fast), PROPERTY, D1, D1)
    assert len(sleeps.waits) == 1


def test_401_names_the_token_variable(ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict) -> None:
    with pytest.raises(HttpError, match="check the token in GA4_ACCESS_TOKEN"):
        load_ga4_daily(
            wh,
            make_client(source(ga4.api), access_token="ya29.wrong-token-xyz", **fast),  # noqa: S106 - a fake token
            PROPERTY,
            D1,
            D1,
        )


def test_service_account_exchange(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture, tmp_path
) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    token_url = f"{ga4.api.base_url}/token"
    info = {
        "type": "service_account",
        "client_email": "reader@proj.iam.gserviceaccount.com",
        "private_key_id": "k1",
        "private_key": pem,
        "token_uri": token_url,
    }
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(info))
    ga4.token = "ya29.c.FROM-EXCHANGE-abcdef"  # noqa: S105 - a fake token for the fake server

    @ga4.api.route("POST", "/token")
    def token(req):
        form = req.form()
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        claims = jwt.decode(form["assertion"], certs={"k1": public_pem}, audience=token_url)
        assert claims["iss"] == info["client_email"] and claims["exp"] - claims["iat"] <= 3600
        assert "analytics.readonly" in claims["scope"]
        return Reply(200, {"access_token": ga4.token, "expires_in": 3599, "token_type": "Bearer"})

    ga4.add(D1, "Direct", "(direct)", 10)
    cfg = source(ga4.api, token_url=token_url)
    client = make_client(cfg, credentials=str(key_file), **fast)
    assert load_ga4_daily(wh, client, PROPERTY, D1, D1).rows == 1
    assert crypt  # signer module used by the connector, imported here to fail fast if it moved
    logs = [r.getMessage() for r in caplog.records]
    assert_no_secret(ga4.token, *logs, wh.query("select * from raw.ga4_daily_report").to_string())


def test_429_with_a_string_error_body_is_retried_not_a_crash(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, sleeps
) -> None:
    ga4.add(D1, "Direct", "(direct)", 10)
    ga4.api.fail_next(Reply(429, {"error": "Too many API requests."}))
    assert (
        load_ga4_daily(wh, make_client(source(ga4.api), access_token=TOKEN, **fast), PROPERTY, D1, D1).rows
        == 1
    )
    assert len(sleeps.waits) == 1


HOURLY = {
    "error": {
        "code": 429,
        "status": "RESOURCE_EXHAUSTED",
        "message": "Exhausted property tokens per hour. These quota tokens will return in under an hour.",
    }
}


def test_hourly_quota_waits_for_retry_after_within_the_budget(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, sleeps
) -> None:
    ga4.add(D1, "Direct", "(direct)", 10)
    ga4.api.fail_next(Reply(429, HOURLY, headers={"Retry-After": "45"}))
    assert (
        load_ga4_daily(wh, make_client(source(ga4.api), access_token=TOKEN, **fast), PROPERTY, D1, D1).rows
        == 1
    )
    assert sleeps.waits == [45.0]


def test_hourly_quota_beyond_the_budget_fails_naming_the_quota(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, sleeps
) -> None:
    ga4.api.fail_next(Reply(429, HOURLY, headers={"Retry-After": "1800"}))
    client = make_client(source(ga4.api), access_token=TOKEN, **fast)  # a budget of 120 s
    with pytest.raises(HttpError) as err:
        load_ga4_daily(wh, client, PROPERTY, D1, D1)
    text = str(err.value)
    assert text.startswith("ga4: runReport: HTTP 429: Exhausted property tokens per hour")
    assert "hourly token quota of the property is used up" in text
    assert "waiting 1800.0 s more would exceed the time budget of 120 s" in text
    assert sleeps.waits == []
    # Without Retry-After nobody says when it returns: fail at once, naming the quota.
    ga4.api.fail_next(Reply(429, HOURLY))
    with pytest.raises(HttpError, match="hourly token quota of the property is used up"):
        load_ga4_daily(wh, client, PROPERTY, D1, D1)
    assert sleeps.waits == []


def test_a_raising_retry_hook_is_the_sources_error(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(source(ga4.api), access_token=TOKEN, **fast)

    def broken(resp):
        raise KeyError("status")

    monkeypatch.setattr(client.http, "retry_hook", broken)
    ga4.api.fail_next(Reply(429, {"error": {"code": 429}}))
    with pytest.raises(
        HttpError, match=r"^ga4: runReport: HTTP 429: .*could not be read \(KeyError: 'status'\)"
    ):
        load_ga4_daily(wh, client, PROPERTY, D1, D1)


def test_rerun_with_unchanged_data_does_not_rewrite_rows(
    ga4: GA4Fake, wh: DuckDBWarehouse, fast: dict
) -> None:
    ga4.add(D1, "Direct", "(direct)", 10)
    ga4.add(D2, "Direct", "(direct)", 11)
    client = make_client(source(ga4.api), access_token=TOKEN, **fast)
    load_ga4_daily(wh, client, PROPERTY, D1, D2)
    wh.query("update raw.ga4_daily_report set _loaded_at = timestamp '2026-01-01 00:00:00'")
    ga4.rows[1]["metricValues"][0]["value"] = "12"  # D2 changes, D1 does not
    result = load_ga4_daily(wh, client, PROPERTY, D1, D2)
    stamps = wh.query("select report_date, sessions, _loaded_at from raw.ga4_daily_report order by 1")
    assert str(stamps.iloc[0, 2]) == "2026-01-01 00:00:00"  # unchanged day kept as it was
    assert str(stamps.iloc[1, 2]) != "2026-01-01 00:00:00" and stamps.iloc[1, 1] == 12
    assert result.notes == ["1 of 2 days unchanged (not rewritten)"]
