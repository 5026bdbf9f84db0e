"""Salesforce SOQL streams against a loopback server that behaves like the REST API."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.http import HttpError
from connectors.registry import SourcesError
from connectors.salesforce.source import SalesforceSource
from connectors.salesforce.streams import load_salesforce_object, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, assert_no_secret
from tests.connectors.salesforce.fake_salesforce import SalesforceFake

CLIENT_ID = "3MVG9fakeConsumerKey0123456789"
SECRET = "FAKECONSUMERSECRET0123456789ABCDEF"  # noqa: S105 - fake secret of the fake server
WRONG = "WRONGSECRETWRONGSECRET"
T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def sf(fake_api: FakeApi) -> SalesforceFake:
    fake = SalesforceFake(fake_api, client_id=CLIENT_ID, client_secret=SECRET)
    for i in range(450):
        fake.put(
            "Opportunity",
            f"006{i:015d}",
            T0 + dt.timedelta(minutes=i),
            Name=f"Deal {i}",
            StageName="Closed Won" if i % 3 == 0 else "Prospecting",
            Amount=1000.0 + i,
            CloseDate="2026-01-31",
            LeadSource="Web",
            **{"Campaign.Name": "spring_sale" if i % 2 else None},
            IsWon=i % 3 == 0,
            IsClosed=i % 3 == 0,
        )
    fake.put(
        "Lead",
        "00Q000000000000001",
        T0,
        Email=" Aino@Example.fi",
        Status="Open",
        LeadSource="Web",
        IsConverted=False,
    )
    return fake


def cfg(api: FakeApi, **kw) -> SalesforceSource:
    return SalesforceSource(enabled=True, base_url=api.base_url, batch_size=200, **kw)


def secrets(**kw: str) -> dict[str, str]:
    return {"client_id": CLIENT_ID, "client_secret": SECRET, "private_key": "", **kw}


def test_full_then_incremental_with_deletions_and_faults(
    sf: SalesforceFake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(cfg(sf.api), secrets(), **fast)
    sf.faults()
    first = load_salesforce_object(wh, client, "opportunities")
    assert first.rows == 450 and first.notes == ["full load"]
    queries = [r for r in sf.api.requests if "/query" in r.path]
    assert sum(1 for r in queries if "nextRecordsUrl" not in r.path and "01gFAKE" in r.path) == 2  # 3 pages
    assert all(r.headers["sforce-query-options"] == "batchSize=200" for r in queries)
    row = wh.query(
        "select * from raw.salesforce_opportunities where opportunity_id = '006000000000000005'"
    ).iloc[0]
    assert (row["stage"], row["amount"], row["campaign"], bool(row["is_won"])) == (
        "Prospecting",
        1005.0,
        "spring_sale",
        False,
    )
    assert str(row["close_date"])[:10] == "2026-01-31" and not row["is_deleted"]
    assert row["created_at"] == dt.datetime(2026, 1, 5, 10, 5)  # local time (Helsinki, UTC+2)
    assert wh.get_state("salesforce.opportunities.high_water") == "2026-01-05T15:29:00"
    # Later: one deal won, one deleted (queryAll returns it flagged); nothing else is read again.
    sf.put(
        "Opportunity",
        "006000000000000001",
        T0 + dt.timedelta(days=1),
        StageName="Closed Won",
        IsWon=True,
        IsClosed=True,
    )
    sf.delete("Opportunity", "006000000000000002", T0 + dt.timedelta(days=1, minutes=1))
    sf.api.requests.clear()
    second = load_salesforce_object(wh, client, "opportunities")
    soql = sf.api.requests[0].query["q"][0]
    assert soql.endswith("WHERE SystemModstamp >= 2026-01-05T15:24:00Z ORDER BY SystemModstamp ASC")
    assert second.rows == 2  # the two changes; the 6 unchanged ones re-read in the overlap stay as they are
    flags = wh.query(
        "select opportunity_id, is_won, is_deleted from raw.salesforce_opportunities "
        "where opportunity_id in ('006000000000000001', '006000000000000002') order by 1"
    ).values.tolist()
    assert flags == [["006000000000000001", True, False], ["006000000000000002", False, True]]
    leads = load_salesforce_object(wh, client, "leads")
    assert leads.rows == 1
    stored = wh.query("select * from raw.salesforce_leads").to_string()
    assert hashlib.sha256(b"aino@example.fi").hexdigest() in stored and "Aino" not in stored
    logs = [r.getMessage() for r in caplog.records]
    assert_no_secret(SECRET, *logs)
    for token in sf.tokens:
        assert_no_secret(token, *logs)


def test_an_expired_session_gets_one_new_token(sf: SalesforceFake, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(sf.api), secrets(), **fast)
    sf.expire_sessions()
    assert load_salesforce_object(wh, client, "opportunities").rows == 450
    assert len([r for r in sf.api.requests if r.path == "/services/oauth2/token"]) == 2


def test_jwt_bearer_flow(fake_api: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    private, public = rsa_pair()
    sf = SalesforceFake(fake_api, client_id=CLIENT_ID, public_key_pem=public, username="okr@example.fi")
    sf.put("Contact", "003000000000000001", T0, Email="b@example.fi", LeadSource="Event")
    config = cfg(fake_api, auth="jwt_bearer", username="okr@example.fi")
    client = make_client(config, secrets(client_secret="", private_key=private), **fast)
    assert load_salesforce_object(wh, client, "contacts").rows == 1
    other, _ = rsa_pair()
    with pytest.raises(HttpError, match="SALESFORCE_PRIVATE_KEY") as err:
        make_client(config, secrets(client_secret="", private_key=other), **fast)
    assert "invalid assertion" in str(err.value)
    assert_no_secret(other.splitlines()[1], str(err.value))
    with pytest.raises(SourcesError, match=r"salesforce\.username"):
        make_client(cfg(fake_api, auth="jwt_bearer"), secrets(private_key=private), **fast)


def test_daily_request_limit_stops_at_once(sf: SalesforceFake, wh: DuckDBWarehouse, fast: dict) -> None:
    sf.daily_limit = 1
    client = make_client(cfg(sf.api), secrets(), **fast)
    with pytest.raises(HttpError, match="24-hour API request limit") as err:
        load_salesforce_object(wh, client, "opportunities")
    assert err.value.status == 403
    assert wh.get_state("salesforce.opportunities.high_water") is None  # nothing half-loaded


def test_bad_client_secret_names_the_variables(sf: SalesforceFake, fast: dict) -> None:
    with pytest.raises(HttpError, match="SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET") as err:
        make_client(cfg(sf.api), secrets(client_secret=WRONG), **fast)
    assert_no_secret(WRONG, str(err.value))
