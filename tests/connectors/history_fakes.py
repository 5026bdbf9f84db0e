"""All nine APIs at once, each a loopback imitation holding a year of data: what `okr ingest` of a
whole year is tested and benchmarked against (tests/pipelines/ingest/test_history_pull.py,
benchmarks/harness.py part `ingest`).

`serve_history(start, end)` starts the nine servers with a row per day (per account and campaign
where the API has them) and a few hundred CRM records changed over the range; `sources_yml()`
points a workspace at them and `env` holds the secrets they accept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.connectors.fake_http import FakeApi
from tests.connectors.ga4.fake_ga4 import PROPERTY, GA4Fake
from tests.connectors.ga4.fake_ga4 import TOKEN as GA4_TOKEN
from tests.connectors.google_ads.fake_google_ads import GoogleAdsFake
from tests.connectors.hubspot.fake_hubspot import TOKEN as HUBSPOT_TOKEN
from tests.connectors.hubspot.fake_hubspot import HubSpotFake
from tests.connectors.linkedin_ads.fake_linkedin_ads import LinkedInAdsFake
from tests.connectors.matomo.fake_matomo import TOKEN as MATOMO_TOKEN
from tests.connectors.matomo.fake_matomo import MatomoFake
from tests.connectors.meta_ads.fake_meta_ads import MetaAdsFake
from tests.connectors.pipedrive.fake_pipedrive import TOKEN as PIPEDRIVE_TOKEN
from tests.connectors.pipedrive.fake_pipedrive import PipedriveFake
from tests.connectors.plausible.fake_plausible import KEY as PLAUSIBLE_KEY
from tests.connectors.plausible.fake_plausible import PlausibleFake
from tests.connectors.salesforce.fake_salesforce import SalesforceFake

SOURCES = (
    "ga4",
    "google_ads",
    "hubspot",
    "linkedin_ads",
    "matomo",
    "meta_ads",
    "pipedrive",
    "plausible",
    "salesforce",
)
SECRETS = {
    "GA4_ACCESS_TOKEN": GA4_TOKEN,
    "MATOMO_TOKEN": MATOMO_TOKEN,
    "PLAUSIBLE_API_KEY": PLAUSIBLE_KEY,
    "HUBSPOT_TOKEN": HUBSPOT_TOKEN,
    "PIPEDRIVE_API_TOKEN": PIPEDRIVE_TOKEN,
    "GOOGLE_ADS_DEVELOPER_TOKEN": "devtoken-HIST-ABCDEFGH1234",
    "GOOGLE_ADS_CLIENT_ID": "hist.apps.googleusercontent.com",
    "GOOGLE_ADS_CLIENT_SECRET": "GOCSPX-hist-client-secret-1",
    "GOOGLE_ADS_REFRESH_TOKEN": "1//hist-refresh-token-abcdef",
    "META_ACCESS_TOKEN": "EAAGhistMetaAccessToken0123456789",
    "LINKEDIN_ACCESS_TOKEN": "AQXhistLinkedInToken0123456789",
    "SALESFORCE_CLIENT_ID": "3MVG9histConsumerKey0123456789",
    "SALESFORCE_CLIENT_SECRET": "HISTCONSUMERSECRET0123456789ABC",
}
# Every variable any source may read: a pull's environment starts without them (no stray secret).
SECRET_PREFIXES = tuple(sorted({name.split("_")[0] + "_" for name in SECRETS}))
HTTP = (
    "http: {max_attempts: 8, backoff_base_s: 0.05, backoff_max_s: 0.2, read_timeout_s: 10, "
    "total_budget_s: 120}"
)


@dataclass
class HistoryFakes:
    start: dt.date
    end: dt.date
    apis: dict[str, FakeApi]
    env: dict[str, str] = field(default_factory=lambda: dict(SECRETS))

    def url(self, name: str) -> str:
        return self.apis[name].base_url

    def sources_yml(self, lookback_days: int = 1) -> str:
        """A sources.yml with the nine APIs on and the export folder off."""
        u = self.url
        return f"""
lookback_days: {lookback_days}
exports: {{enabled: false}}
ga4: {{enabled: true, property_id: '{PROPERTY}', base_url: '{u("ga4")}', {HTTP}}}
matomo: {{enabled: true, base_url: '{u("matomo")}', site_id: '1', {HTTP}}}
plausible: {{enabled: true, base_url: '{u("plausible")}', site_id: example.com, {HTTP}}}
hubspot: {{enabled: true, base_url: '{u("hubspot")}', {HTTP}}}
pipedrive: {{enabled: true, base_url: '{u("pipedrive")}', {HTTP}}}
google_ads: {{enabled: true, base_url: '{u("google_ads")}', token_url: '{u("google_ads")}/token',
  customer_ids: ['123-456-7890', '2222222222'], {HTTP}}}
meta_ads: {{enabled: true, base_url: '{u("meta_ads")}', ad_account_ids: [act_101], {HTTP}}}
linkedin_ads: {{enabled: true, base_url: '{u("linkedin_ads")}', account_ids: ['507000001'], {HTTP}}}
salesforce: {{enabled: true, base_url: '{u("salesforce")}', {HTTP}}}
"""

    def requests_served(self) -> dict[str, int]:
        """Requests each server answered (what the connectors' own counts must match)."""
        return {name: len(api.requests) for name, api in self.apis.items()}

    def stop(self) -> None:
        for api in self.apis.values():
            api.stop()


def serve_history(start: dt.date, end: dt.date, faults: bool = False) -> HistoryFakes:
    """The nine imitations, started, with data for every day of start..end. `faults` queues each
    ad platform's and Salesforce's documented failures (throttling, 5xx, cut bodies, resets)."""
    apis = {name: FakeApi().start() for name in SOURCES}
    fakes = HistoryFakes(start, end, apis)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    ga4 = GA4Fake(apis["ga4"])
    matomo = MatomoFake(apis["matomo"])
    plausible = PlausibleFake(apis["plausible"])
    gads = GoogleAdsFake(
        apis["google_ads"],
        developer_token=SECRETS["GOOGLE_ADS_DEVELOPER_TOKEN"],
        refresh_token=SECRETS["GOOGLE_ADS_REFRESH_TOKEN"],
        client_secret=SECRETS["GOOGLE_ADS_CLIENT_SECRET"],
    )
    gads.add_customer("1234567890", "EUR")
    gads.add_customer("2222222222", "USD")
    meta = MetaAdsFake(apis["meta_ads"], access_token=SECRETS["META_ACCESS_TOKEN"])
    meta.add_account("101", "EUR")
    li = LinkedInAdsFake(apis["linkedin_ads"], access_token=SECRETS["LINKEDIN_ACCESS_TOKEN"])
    li.add_account("507000001", "EUR", {"600": "abm_nordics", "601": "abm_dach"})
    for i, day in enumerate(days):
        weekday = day.weekday() < 5
        ga4.add(day, "Paid Search", "brand", 100 + i % 40)
        ga4.add(day, "Organic Search", "(organic)", 300 + i % 70)
        if weekday:  # Matomo answers [] for a day without visits
            matomo.add_day(day, visits=200 + i % 50, actions=600 + i % 90, converted=i % 7)
        plausible.add_day(day, "Google", "spring", visitors=150 + i % 30, signups=i % 5)
        gads.add_day("1234567890", day, 11, "brand_search", cost=100.0, impressions=1000, clicks=10)
        gads.add_day("2222222222", day, 21, "us_launch", cost=50.0, impressions=400, clicks=4)
        meta.add_day("101", day, "c1", "retargeting", spend="20.00", impressions=900, clicks=12)
        meta.add_day("101", day, "c2", "prospecting", spend="10.00", impressions=500, clicks=8)
        for campaign in ("600", "601"):
            li.add_day("507000001", day, campaign, cost="30.00", impressions=700, clicks=5, leads=1)

    hubspot = HubSpotFake(apis["hubspot"])
    pipedrive = PipedriveFake(apis["pipedrive"])
    sf = SalesforceFake(
        apis["salesforce"],
        client_id=SECRETS["SALESFORCE_CLIENT_ID"],
        client_secret=SECRETS["SALESFORCE_CLIENT_SECRET"],
    )
    for i, day in enumerate(days[::2]):
        when = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        hubspot.add_contact(i + 1, when, stage="lead" if i % 3 else "marketingqualifiedlead")
        if i % 4 == 0:
            hubspot.add_deal(i + 1, when)
            pipedrive.put(i + 1, when.strftime("%Y-%m-%dT%H:%M:%SZ"), status="won" if i % 8 == 0 else "open")
            sf.put(
                "Opportunity",
                f"006{i:012d}",
                when,
                Name=f"Deal {i}",
                Amount=1000.0 + i,
                StageName="Closed Won",
                IsWon=True,
                IsClosed=True,
                LeadSource="Web",
                CloseDate=day.isoformat(),
            )
    if faults:
        gads.faults(quota_delay_s=1)
        meta.faults()
        li.faults()
        sf.faults()
    return fakes
