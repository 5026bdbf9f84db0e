"""Daily website traffic (GA4 rows), paid media (ad-spend rows) and the leads they bring in.

Order of causation, kept so the sources agree with each other: ad spend buys clicks, clicks
land as GA4 sessions, sessions produce key events, and some key events are form fills that
create a HubSpot contact (a `LeadSeed`) with the session's channel and campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from demo import calendar
from demo.campaigns import CAMPAIGNS, Campaign

# HubSpot's Original Source for a GA4 default channel group.
ORIGINAL_SOURCE = {
    "Organic Search": "Organic Search",
    "Paid Search": "Paid Search",
    "Email": "Email Marketing",
    "Organic Social": "Organic Social",
    "Paid Social": "Paid Social",
    "Referral": "Referrals",
    "Direct": "Direct Traffic",
    "Unassigned": "Other Campaigns",
    "Display": "Other Campaigns",
}


@dataclass(frozen=True)
class Ga4Row:
    day: dt.date
    channel_group: str
    source: str
    medium: str
    campaign: str
    sessions: int
    total_users: int
    new_users: int
    engaged_sessions: int
    key_events: int


@dataclass(frozen=True)
class AdRow:
    day: dt.date
    platform: str
    campaign: str
    impressions: int
    clicks: int
    cost: float


@dataclass(frozen=True)
class LeadSeed:
    """One new contact: the day it became a lead and where it came from."""

    day: dt.date
    original_source: str
    campaign: str  # UTM slug, "" when untagged
    lead_source: str  # inbound | outbound | event | partner
    mql_rate: float


@dataclass(frozen=True)
class _Organic:
    channel_group: str
    source: str
    medium: str
    campaign: str
    sessions: float  # on a demand index of 1.0
    new_share: float
    engagement: float
    lead_rate: float


_ORGANIC = (
    _Organic("Organic Search", "google", "organic", "(organic)", 330, 0.72, 0.62, 0.0076),
    _Organic("Organic Search", "bing", "organic", "(organic)", 28, 0.70, 0.60, 0.0079),
    _Organic("Organic Search", "duckduckgo", "organic", "(organic)", 9, 0.75, 0.62, 0.0072),
    _Organic("Organic Search", "ecosia.org", "organic", "(organic)", 3, 0.78, 0.60, 0.0072),
    _Organic("Organic Search", "yahoo", "organic", "(organic)", 1.2, 0.80, 0.55, 0.0058),
    _Organic("Direct", "(direct)", "(none)", "(direct)", 165, 0.45, 0.55, 0.0061),
    _Organic("Referral", "g2.com", "referral", "(referral)", 13, 0.80, 0.70, 0.0173),
    _Organic("Referral", "capterra.com", "referral", "(referral)", 8, 0.82, 0.68, 0.0158),
    _Organic("Referral", "kauppalehti.fi", "referral", "(referral)", 4, 0.85, 0.52, 0.0058),
    _Organic("Referral", "di.se", "referral", "(referral)", 3, 0.85, 0.50, 0.0058),
    _Organic("Referral", "e24.no", "referral", "(referral)", 2, 0.86, 0.50, 0.0058),
    _Organic("Referral", "tivi.fi", "referral", "(referral)", 1.5, 0.85, 0.55, 0.0058),
    _Organic("Referral", "producthunt.com", "referral", "(referral)", 0.8, 0.90, 0.45, 0.0043),
    _Organic("Referral", "partners.nordlys.io", "referral", "(referral)", 5, 0.40, 0.75, 0.0108),
    _Organic("Organic Social", "linkedin.com", "referral", "(referral)", 30, 0.60, 0.52, 0.0065),
    _Organic("Organic Social", "lnkd.in", "referral", "(referral)", 7, 0.65, 0.48, 0.0058),
    _Organic("Organic Social", "facebook.com", "referral", "(referral)", 5, 0.70, 0.40, 0.0029),
    _Organic("Organic Social", "t.co", "referral", "(referral)", 2, 0.75, 0.40, 0.0029),
    _Organic("Organic Social", "reddit.com", "referral", "(referral)", 0.7, 0.85, 0.45, 0.0029),
    _Organic("Referral", "chatgpt.com", "referral", "(referral)", 3, 0.75, 0.72, 0.0086),
    _Organic("Referral", "perplexity.ai", "referral", "(referral)", 0.9, 0.78, 0.70, 0.0086),
    _Organic("Referral", "startup.fi", "referral", "(referral)", 0.8, 0.85, 0.55, 0.0043),
    _Organic("Organic Social", "instagram.com", "referral", "(referral)", 0.9, 0.80, 0.35, 0.0022),
    _Organic("Organic Social", "m.facebook.com", "referral", "(referral)", 1.5, 0.75, 0.35, 0.0022),
    _Organic("Unassigned", "(not set)", "(not set)", "(not set)", 5, 0.50, 0.30, 0.0014),
)

# Engagement and new-user shares of paid traffic by channel group.
_PAID_QUALITY = {"Paid Search": (0.80, 0.55), "Paid Social": (0.85, 0.38), "Display": (0.92, 0.22)}
# Outbound prospecting and partner referrals per working day, before growth and season.
_OUTBOUND_PER_DAY = 1.1
_PARTNER_PER_DAY = 0.55
# Share of sessions with a key event that is not a new contact (pricing calculator, demo video).
_OTHER_KEY_EVENT_RATE = 0.006


def _organic_growth(day: dt.date) -> float:
    """SEO and content work lift organic search on top of the business trend."""
    return 1.0 + 0.12 * (day - calendar.FIRST_DAY).days / 365.0


class TrafficSimulator:
    """Builds GA4 rows, ad-spend rows and lead seeds day by day from one random generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.ga4: list[Ga4Row] = []
        self.ads: list[AdRow] = []
        self.leads: list[LeadSeed] = []

    def run(self) -> TrafficSimulator:
        for day in calendar.all_days():
            self._simulate_day(day)
        return self

    # -- one day ------------------------------------------------------------------------------
    def _simulate_day(self, day: dt.date) -> None:
        demand = calendar.demand_index(day)
        for ch in _ORGANIC:
            scale = demand * (_organic_growth(day) if ch.channel_group == "Organic Search" else 1.0)
            sessions = self._noisy_count(ch.sessions * scale)
            self._add_ga4(
                day,
                ch.channel_group,
                ch.source,
                ch.medium,
                ch.campaign,
                sessions,
                ch.new_share,
                ch.engagement,
                ch.lead_rate * calendar.season_factor(day) ** 0.5,
                mql_rate=0.30,
            )
        for campaign in CAMPAIGNS:
            if not campaign.active(day) and not self._event_follow_up(campaign, day):
                continue
            if campaign.kind == "paid":
                self._paid_day(day, campaign)
            elif campaign.kind == "webinar":
                self._webinar_day(day, campaign)
            elif campaign.kind == "event":
                self._event_day(day, campaign)
            else:
                self._newsletter_day(day, campaign)
        self._sales_led_leads(day)

    def _noisy_count(self, mean: float, sigma: float = 0.12) -> int:
        return int(self.rng.poisson(max(mean, 0.0) * self.rng.lognormal(0.0, sigma)))

    def _add_ga4(
        self,
        day: dt.date,
        channel_group: str,
        source: str,
        medium: str,
        campaign: str,
        sessions: int,
        new_share: float,
        engagement: float,
        lead_rate: float,
        mql_rate: float,
    ) -> None:
        if sessions <= 0:
            return  # GA4 leaves out rows without sessions
        rng = self.rng
        total_users = max(1, int(rng.binomial(sessions, 0.9)))
        new_users = int(rng.binomial(total_users, new_share))
        engaged = int(rng.binomial(sessions, engagement))
        leads = int(rng.binomial(sessions, min(lead_rate, 1.0)))
        key_events = leads + int(rng.binomial(sessions, _OTHER_KEY_EVENT_RATE))
        self.ga4.append(
            Ga4Row(
                day,
                channel_group,
                source,
                medium,
                campaign,
                sessions,
                total_users,
                new_users,
                engaged,
                key_events,
            )
        )
        slug = "" if campaign.startswith("(") else campaign
        seed = LeadSeed(day, ORIGINAL_SOURCE[channel_group], slug, "inbound", mql_rate)
        self.leads.extend([seed] * leads)

    # -- campaigns ----------------------------------------------------------------------------
    def _paid_day(self, day: dt.date, c: Campaign) -> None:
        rng = self.rng
        if c.platform == "LinkedIn Ads":
            shape = 1.0 if day.weekday() < 5 else 0.35  # B2B audiences are offline at weekends
        elif c.platform == "Google Ads" and c.channel_group == "Paid Search":
            shape = calendar.weekday_factor(day) ** 0.7  # follows search volume
        else:
            shape = 1.0
        cost = round(c.daily_budget * shape * rng.lognormal(0.0, 0.12), 2)
        cpc = c.cpc * rng.lognormal(0.0, 0.10)
        clicks = int(rng.poisson(cost / cpc))
        impressions = round(clicks / (c.ctr * rng.lognormal(0.0, 0.15))) + int(rng.integers(0, 40))
        assert c.platform is not None
        self.ads.append(AdRow(day, c.platform, c.slug, impressions, clicks, cost))
        sessions = int(rng.binomial(clicks, 0.86))  # some clicks bounce before the tag fires
        new_share, engagement = _PAID_QUALITY[c.channel_group]
        lead_rate = c.lead_rate * calendar.season_factor(day) ** 0.5
        self._add_ga4(
            day,
            c.channel_group,
            c.source,
            c.medium,
            c.slug,
            sessions,
            new_share,
            engagement,
            lead_rate,
            c.mql_rate,
        )

    def _webinar_day(self, day: dt.date, c: Campaign) -> None:
        span = max((c.end - c.start).days, 1)
        progress = (day - c.start).days / span
        # Registrations climb towards the broadcast; invitations go out weekly and the day before.
        level = 0.2 + 0.8 * progress**2
        if (day - c.start).days % 7 == 0 or day == c.end - dt.timedelta(days=1):
            level *= 2.2
        level *= calendar.weekday_factor(day) * calendar.trend_factor(day) ** 0.5
        email = self._noisy_count(c.sessions * level)
        self._add_ga4(day, "Email", c.source, c.medium, c.slug, email, 0.25, 0.78, c.lead_rate, c.mql_rate)
        social = self._noisy_count(c.sessions * 0.35 * level)
        self._add_ga4(
            day,
            "Organic Social",
            "linkedin",
            "social",
            c.slug,
            social,
            0.7,
            0.6,
            c.lead_rate * 0.8,
            c.mql_rate,
        )

    def _event_follow_up(self, c: Campaign, day: dt.date) -> bool:
        return c.kind == "event" and c.end < day <= c.end + dt.timedelta(days=3)

    def _event_day(self, day: dt.date, c: Campaign) -> None:
        if c.active(day):
            sessions = self._noisy_count(c.sessions * 1.0)
            self._add_ga4(day, c.channel_group, c.source, c.medium, c.slug, sessions, 0.9, 0.45, 0.03, 0.25)
            return
        # Badge scans are imported on the first working day after the event.
        first_import = c.end + dt.timedelta(days=1)
        while first_import.weekday() >= 5:
            first_import += dt.timedelta(days=1)
        if day == first_import:
            scans = int(self.rng.poisson(c.event_leads))
            seed = LeadSeed(day, "Offline Sources", c.slug, "event", c.mql_rate)
            self.leads.extend([seed] * scans)

    def _newsletter_day(self, day: dt.date, c: Campaign) -> None:
        # Sent on the first Tuesday of the month; clicks trail off over the following days.
        first = day.replace(day=1)
        send_day = first + dt.timedelta(days=(1 - first.weekday()) % 7)
        since = (day - send_day).days
        decay = (1.0, 0.45, 0.2, 0.1, 0.06)
        level = decay[since] if 0 <= since < len(decay) else 0.035
        level *= calendar.season_factor(day) * calendar.trend_factor(day) ** 0.5
        sessions = self._noisy_count(c.sessions * level)
        self._add_ga4(
            day, c.channel_group, c.source, c.medium, c.slug, sessions, 0.12, 0.72, c.lead_rate, c.mql_rate
        )

    def _sales_led_leads(self, day: dt.date) -> None:
        if not calendar.is_weekday(day):
            return
        scale = calendar.season_factor(day) * calendar.trend_factor(day)
        outbound = int(self.rng.poisson(_OUTBOUND_PER_DAY * scale))
        self.leads.extend([LeadSeed(day, "Offline Sources", "", "outbound", 0.45)] * outbound)
        partner = int(self.rng.poisson(_PARTNER_PER_DAY * scale))
        self.leads.extend([LeadSeed(day, "Referrals", "", "partner", 0.50)] * partner)
