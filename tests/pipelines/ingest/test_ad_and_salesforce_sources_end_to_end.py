"""Google Ads, Meta, LinkedIn and Salesforce end to end: `okr run` on a temporary workspace whose
sources.yml points at loopback imitations of the four APIs, every one of them failing the way
the real one does (faults on), scores a KR from each; then a dead source, a 401 and a throttled
source each fail on their own, named, while the other sources' data is scored."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import REPO_ROOT
from tests.connectors.fake_http import FakeApi
from tests.connectors.google_ads.fake_google_ads import GoogleAdsFake
from tests.connectors.linkedin_ads.fake_linkedin_ads import LinkedInAdsFake
from tests.connectors.meta_ads.fake_meta_ads import MetaAdsFake
from tests.connectors.salesforce.fake_salesforce import SalesforceFake
from tests.helpers import make_workspace

AS_OF = dt.date(2026, 11, 26)
SECRETS = {
    "GOOGLE_ADS_DEVELOPER_TOKEN": "devtoken-E2E-ABCDEFGH1234",
    "GOOGLE_ADS_CLIENT_ID": "e2e.apps.googleusercontent.com",
    "GOOGLE_ADS_CLIENT_SECRET": "GOCSPX-e2e-client-secret-1",
    "GOOGLE_ADS_REFRESH_TOKEN": "1//e2e-refresh-token-abcdef",
    "META_ACCESS_TOKEN": "EAAGe2eMetaAccessToken0123456789",
    "LINKEDIN_ACCESS_TOKEN": "AQXe2eLinkedInToken0123456789",
    "SALESFORCE_CLIENT_ID": "3MVG9e2eConsumerKey0123456789",
    "SALESFORCE_CLIENT_SECRET": "E2ECONSUMERSECRET0123456789ABC",
}
HTTP = (
    "http: {max_attempts: 8, backoff_base_s: 0.05, backoff_max_s: 0.2, read_timeout_s: 5, total_budget_s: 60}"
)


def kr(kr_id: str, metric: str, target: float, **extra: object) -> dict:
    return {"id": kr_id, "title": kr_id, "metric": metric, "target": target, **extra}


OKRS = {
    "cycle": "2026-Q4",
    "objectives": [
        {
            "id": "PAID-Q4",
            "title": "Paid media and pipeline from the platforms' own data",
            "owner": "Head of Growth",
            "team": "growth",
            "key_results": [
                kr("ADS-1", "ad_spend", 1000, filter={"platform": "Google Ads"}, unit="EUR"),
                kr("ADS-2", "ad_clicks", 100, filter={"platform": "Meta Ads"}),
                kr("ADS-3", "ad_conversions", 20, filter={"platform": "LinkedIn Ads"}),
                kr("SF-1", "salesforce_won_revenue", 10000, unit="EUR"),
            ],
        }
    ],
}


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeApi]]:
    apis = {name: FakeApi().start() for name in ("google_ads", "meta_ads", "linkedin_ads", "salesforce")}
    yield apis
    for api in apis.values():
        api.stop()


def days() -> list[dt.date]:
    return [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(26)]


def serve_data(apis: dict[str, FakeApi]) -> dict[str, object]:
    gads = GoogleAdsFake(
        apis["google_ads"],
        developer_token=SECRETS["GOOGLE_ADS_DEVELOPER_TOKEN"],
        refresh_token=SECRETS["GOOGLE_ADS_REFRESH_TOKEN"],
        client_secret=SECRETS["GOOGLE_ADS_CLIENT_SECRET"],
    )
    gads.add_customer("1234567890", "EUR")
    gads.add_customer("2222222222", "USD")
    meta = MetaAdsFake(apis["meta_ads"], access_token=SECRETS["META_ACCESS_TOKEN"], page_size_cap=2)
    meta.add_account("101", "EUR")
    li = LinkedInAdsFake(apis["linkedin_ads"], access_token=SECRETS["LINKEDIN_ACCESS_TOKEN"])
    li.add_account("507000001", "EUR", {"600": "abm_nordics"})
    for day in days():
        gads.add_day("1234567890", day, 11, "brand_search", cost=100.0, impressions=1000, clicks=10)
        gads.add_day("2222222222", day, 21, "us_launch", cost=50.0, impressions=400, clicks=4)
        meta.add_day("101", day, "c1", "retargeting", spend="20.00", impressions=900, clicks=12)
        meta.add_day("101", day, "c2", "prospecting", spend="10.00", impressions=500, clicks=8)
        li.add_day("507000001", day, "600", cost="30.00", impressions=700, clicks=5, conversions=1, leads=2)
    sf = SalesforceFake(
        apis["salesforce"],
        client_id=SECRETS["SALESFORCE_CLIENT_ID"],
        client_secret=SECRETS["SALESFORCE_CLIENT_SECRET"],
    )
    t0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    won = {"Amount": 0.0, "StageName": "Closed Won", "IsWon": True, "IsClosed": True, "LeadSource": "Web"}
    sf.put("Opportunity", "006A", t0, Name="A", **{**won, "Amount": 1000.0}, CloseDate="2026-11-03")
    sf.put("Opportunity", "006B", t0, Name="B", **{**won, "Amount": 2500.0}, CloseDate="2026-11-20")
    sf.put("Opportunity", "006C", t0, Name="C", **{**won, "Amount": 500.0}, CloseDate="2026-10-15")
    sf.put("Opportunity", "006D", t0, Name="D", **{**won, "Amount": 9999.0}, CloseDate="2026-11-10")
    sf.delete("Opportunity", "006D", t0 + dt.timedelta(days=2))  # deleted: must not count
    sf.put(
        "Opportunity",
        "006E",
        t0,
        Name="E",
        StageName="Prospecting",
        Amount=7000.0,
        IsWon=False,
        IsClosed=False,
        CloseDate="2026-12-15",
    )
    gads.faults(quota_delay_s=1)
    for fake in (li, sf):
        fake.faults()
    meta.faults()
    return {"google_ads": gads, "meta_ads": meta, "linkedin_ads": li, "salesforce": sf}


def sources_yml(apis: dict[str, str], google_token_url: str | None = None) -> str:
    g = apis["google_ads"]
    return f"""
lookback_days: 3
exports: {{enabled: true, folder: exports}}
google_ads: {{enabled: true, base_url: '{g}', token_url: '{google_token_url or g + "/token"}',
  customer_ids: ['123-456-7890', '2222222222'], {HTTP}}}
meta_ads: {{enabled: true, base_url: '{apis["meta_ads"]}', ad_account_ids: [act_101], page_size: 2,
  rate_limit_wait_s: 1, {HTTP}}}
linkedin_ads: {{enabled: true, base_url: '{apis["linkedin_ads"]}', account_ids: ['507000001'], {HTTP}}}
salesforce: {{enabled: true, base_url: '{apis["salesforce"]}', batch_size: 200, {HTTP}}}
"""


def okr_run(ws: Path, env_overrides: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OKR_", "GOOGLE_ADS_", "META_", "LINKEDIN_", "SALESFORCE_"))
    }
    env.update({**SECRETS, **(env_overrides or {}), "OKR_WORKSPACE": str(ws)})
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--as-of", AS_OF.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO_ROOT,
        check=False,
    )


def actuals(ws: Path) -> dict[str, float]:
    card = json.loads((ws / "build" / "scorecard" / "scorecard.json").read_text())
    return {k["id"]: k["actual"] for k in card["key_results"]}


def load_status(ws: Path) -> dict[str, tuple[str, str]]:
    con = duckdb.connect(str(ws / "data" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select source, status, coalesce(error, '') from raw.source_load_status"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, tuple[str, str]] = {}
    for source, status, error in rows:
        if status == "failed" or source not in out:
            out[source] = (status, error)
    return out


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_each_new_source_scores_a_kr_and_failures_stay_with_their_source(
    tmp_path: Path, fakes: dict[str, FakeApi]
) -> None:
    served = serve_data(fakes)
    make_workspace(tmp_path, {"2026-Q4.yml": OKRS})
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "rates.csv").write_text(
        "Rate date,Currency,Rate\n2026-11-01,USD,0.9\n2026-11-25,USD,0.8\n"
    )
    urls = {name: api.base_url for name, api in fakes.items()}
    (tmp_path / "sources.yml").write_text(sources_yml(urls))

    first = okr_run(tmp_path)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-4000:]
    got = actuals(tmp_path)
    # The partition's day and the two days before it (lookback_days: 3): 2026-11-24..26.
    # Google Ads: 3 x 100 EUR, and 50 USD a day at 0.9 (24th), then 0.8 (25th, 26th).
    assert got["ADS-1"] == pytest.approx(300 + 50 * 0.9 + 2 * 50 * 0.8)
    assert got["ADS-2"] == pytest.approx(3 * (12 + 8))  # Meta clicks over two campaigns
    assert got["ADS-3"] == pytest.approx(3 * (1 + 2))  # LinkedIn website conversions + lead-form leads
    assert got["SF-1"] == pytest.approx(1000 + 2500 + 500)  # won in Q4; the deleted 9999 is left out
    assert {s: v[0] for s, v in load_status(tmp_path).items()}.items() >= {
        "google_ads": "ok",
        "meta_ads": "ok",
        "linkedin_ads": "ok",
        "salesforce": "ok",
    }.items()
    for name, api in fakes.items():
        assert api.failures == [], f"{name}: not every queued fault was met"
    everything = first.stdout + first.stderr
    for secret in SECRETS.values():
        assert secret not in everything

    # A dead Google Ads (nothing listens), a LinkedIn token that is refused (401) and a throttled
    # Meta ad account (business-use-case limit, access back in 30 min: beyond the time budget).
    meta: MetaAdsFake = served["meta_ads"]  # type: ignore[assignment]
    meta.usage = [100] * 20
    meta.regain_minutes = 30
    dead = f"http://127.0.0.1:{closed_port()}"
    urls["google_ads"] = dead
    (tmp_path / "sources.yml").write_text(sources_yml(urls, google_token_url=f"{dead}/token"))
    sf: SalesforceFake = served["salesforce"]  # type: ignore[assignment]
    sf.put(
        "Opportunity",
        "006E",
        dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        StageName="Closed Won",
        IsWon=True,
        IsClosed=True,
        CloseDate="2026-11-25",
    )
    second = okr_run(tmp_path, {"LINKEDIN_ACCESS_TOKEN": "AQXrefusedrefusedrefused"})
    output = second.stdout + second.stderr
    status = load_status(tmp_path)
    assert status["google_ads"][0] == "failed" and "refused" in status["google_ads"][1]
    assert status["linkedin_ads"][0] == "failed" and "LINKEDIN_ACCESS_TOKEN" in status["linkedin_ads"][1]
    assert status["meta_ads"][0] == "failed" and "time budget" in status["meta_ads"][1]
    assert status["salesforce"][0] == "ok"
    for name in ("google_ads", "linkedin_ads", "meta_ads"):
        assert f"{name}:" in output, f"{name} is not named in the run's output"
    got = actuals(tmp_path)
    assert got["SF-1"] == pytest.approx(1000 + 2500 + 500 + 7000)  # Salesforce still loads and scores
    # the failed sources keep their earlier data, which is still scored
    assert got["ADS-1"] == pytest.approx(425.0) and got["ADS-2"] == pytest.approx(60.0)
    assert "AQXrefusedrefusedrefused" not in output
