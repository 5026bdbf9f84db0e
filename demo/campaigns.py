"""Nordlys's campaign catalogue, 2025-2026.

A slug is the UTM campaign name: the same string appears as GA4's session campaign, HubSpot's
`Original Source Drill-Down 2` and the ad-spend export's campaign, which is what lets a KR's
initiative be matched to its contribution in every source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["paid", "webinar", "event", "email"]
D = dt.date


@dataclass(frozen=True)
class Campaign:
    slug: str
    kind: Kind
    start: dt.date
    end: dt.date  # inclusive; for a webinar the broadcast day, for an event its last day
    channel_group: str  # GA4 default channel group of its tagged sessions
    source: str
    medium: str
    platform: str | None = None  # ad platform, paid campaigns only
    daily_budget: float = 0.0  # EUR on an ordinary weekday
    cpc: float = 0.0  # EUR per click
    ctr: float = 0.0  # clicks per impression
    lead_rate: float = 0.0  # new contacts per landing session
    sessions: float = 0.0  # peak sessions per day for unpaid campaigns
    event_leads: int = 0  # badge scans collected at an event
    mql_rate: float = 0.3  # share of its leads that marketing qualifies

    def active(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _google(slug: str, start: D, end: D, budget: float, cpc: float, lead_rate: float) -> Campaign:
    return Campaign(
        slug,
        "paid",
        start,
        end,
        "Paid Search",
        "google",
        "cpc",
        "Google Ads",
        budget,
        cpc,
        0.045,
        lead_rate,
        mql_rate=0.30,
    )


def _linkedin(slug: str, start: D, end: D, budget: float, cpc: float, lead_rate: float) -> Campaign:
    return Campaign(
        slug,
        "paid",
        start,
        end,
        "Paid Social",
        "linkedin",
        "paid_social",
        "LinkedIn Ads",
        budget,
        cpc,
        0.006,
        lead_rate,
        mql_rate=0.36,
    )


def _meta(slug: str, start: D, end: D, budget: float, cpc: float, lead_rate: float) -> Campaign:
    return Campaign(
        slug,
        "paid",
        start,
        end,
        "Paid Social",
        "facebook",
        "paid",
        "Meta Ads",
        budget,
        cpc,
        0.011,
        lead_rate,
        mql_rate=0.18,
    )


def _webinar(slug: str, start: D, end: D, sessions: float) -> Campaign:
    # Promoted by e-mail invitations; LinkedIn posts bring a second, smaller stream (see traffic.py).
    return Campaign(
        slug,
        "webinar",
        start,
        end,
        "Email",
        "newsletter",
        "email",
        sessions=sessions,
        lead_rate=0.11,
        mql_rate=0.42,
    )


def _event(slug: str, start: D, end: D, scans: int) -> Campaign:
    # QR codes on the stand are tagged medium=event, which GA4 leaves Unassigned.
    return Campaign(
        slug,
        "event",
        start,
        end,
        "Unassigned",
        "qr-code",
        "event",
        sessions=25,
        event_leads=scans,
        mql_rate=0.27,
    )


CAMPAIGNS: tuple[Campaign, ...] = (
    # Always-on and yearly search
    _google("google-search-brand", D(2025, 1, 1), D(2026, 12, 31), 55, 1.6, 0.050),
    _google("google-search-generic-2025", D(2025, 1, 13), D(2025, 12, 19), 170, 3.1, 0.026),
    _google("google-search-generic-2026", D(2026, 1, 12), D(2026, 12, 18), 190, 3.3, 0.032),
    # LinkedIn account-based and lead generation bursts
    _linkedin("linkedin-abm-spring-2025", D(2025, 3, 3), D(2025, 5, 30), 160, 7.2, 0.070),
    _linkedin("linkedin-lead-gen-autumn-2025", D(2025, 9, 8), D(2025, 11, 28), 210, 6.8, 0.075),
    _linkedin("linkedin-abm-spring-2026", D(2026, 2, 16), D(2026, 5, 29), 180, 7.4, 0.068),
    _linkedin("linkedin-lead-gen-q3-2026", D(2026, 8, 10), D(2026, 9, 30), 240, 7.0, 0.068),
    _linkedin("linkedin-abm-q4-2026", D(2026, 10, 5), D(2026, 12, 11), 230, 6.9, 0.072),
    # Meta retargeting and a Google display flight
    _meta("meta-retargeting-2025", D(2025, 4, 1), D(2025, 6, 15), 70, 0.95, 0.012),
    _meta("meta-retargeting-summer-2026", D(2026, 6, 1), D(2026, 8, 31), 80, 1.0, 0.012),
    _meta("meta-retargeting-q4-2026", D(2026, 10, 19), D(2026, 12, 13), 90, 0.9, 0.013),
    Campaign(
        "display-awareness-autumn-2025",
        "paid",
        D(2025, 9, 1),
        D(2025, 10, 31),
        "Display",
        "google",
        "display",
        "Google Ads",
        90,
        0.55,
        0.004,
        0.003,
        mql_rate=0.15,
    ),
    _google("google-search-pricing-q4-2026", D(2026, 10, 12), D(2026, 12, 18), 120, 2.9, 0.036),
    # Webinars: invitations go out from `start`, the broadcast is on `end`
    _webinar("webinar-gdpr-analytics-2025", D(2025, 2, 17), D(2025, 3, 13), 70),
    _webinar("webinar-pipeline-forecasting-2025", D(2025, 5, 5), D(2025, 5, 22), 60),
    _webinar("webinar-q4-2025", D(2025, 10, 13), D(2025, 11, 6), 80),
    _webinar("webinar-ai-marketing-2026", D(2026, 2, 23), D(2026, 3, 19), 95),
    _webinar("webinar-q3-2026", D(2026, 8, 17), D(2026, 9, 17), 85),
    _webinar("webinar-q4-2026", D(2026, 10, 19), D(2026, 11, 19), 110),
    # Trade events: stand badge scans are imported as leads after the event
    _event("nordic-martech-2025", D(2025, 5, 20), D(2025, 5, 21), 70),
    _event("slush-2025", D(2025, 11, 19), D(2025, 11, 20), 120),
    _event("nordic-martech-2026", D(2026, 5, 19), D(2026, 5, 20), 85),
    _event("oslo-innovation-week-2026", D(2026, 9, 22), D(2026, 9, 24), 60),
    _event("slush-2026", D(2026, 11, 18), D(2026, 11, 19), 150),
    # Monthly newsletter (plus product news), one slug per year
    Campaign(
        "newsletter-2025",
        "email",
        D(2025, 1, 1),
        D(2025, 12, 31),
        "Email",
        "newsletter",
        "email",
        sessions=160,
        lead_rate=0.010,
        mql_rate=0.30,
    ),
    Campaign(
        "newsletter-2026",
        "email",
        D(2026, 1, 1),
        D(2026, 12, 31),
        "Email",
        "newsletter",
        "email",
        sessions=190,
        lead_rate=0.010,
        mql_rate=0.30,
    ),
)

BY_SLUG: dict[str, Campaign] = {c.slug: c for c in CAMPAIGNS}
