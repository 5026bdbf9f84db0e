"""UI labels in hand exports -> the internal values the APIs return, so rows look the same
whichever way they arrived. Unknown labels fall back to the API's own spelling rule (HubSpot
lifecycle/deal stages: lower case without spaces; enumerations: UPPER_SNAKE)."""

from __future__ import annotations

import re

LIFECYCLE_STAGES = {
    "subscriber": "subscriber",
    "lead": "lead",
    "marketing qualified lead": "marketingqualifiedlead",
    "sales qualified lead": "salesqualifiedlead",
    "opportunity": "opportunity",
    "customer": "customer",
    "evangelist": "evangelist",
    "other": "other",
    # HubSpot's Finnish UI
    "tilaaja": "subscriber",
    "liidi": "lead",
    "markkinointikelpoinen liidi": "marketingqualifiedlead",
    "myyntikelpoinen liidi": "salesqualifiedlead",
    "myyntimahdollisuus": "opportunity",
    "asiakas": "customer",
    "suosittelija": "evangelist",
    "muu": "other",
}
LEAD_STATUSES = {
    "new": "NEW",
    "open": "OPEN",
    "in progress": "IN_PROGRESS",
    "open deal": "OPEN_DEAL",
    "unqualified": "UNQUALIFIED",
    "attempted to contact": "ATTEMPTED_TO_CONTACT",
    "connected": "CONNECTED",
    "bad timing": "BAD_TIMING",
}
# hs_analytics_source: the UI label differs from the value in a few cases (Organic Social).
ORIGINAL_SOURCES = {
    "organic search": "ORGANIC_SEARCH",
    "paid search": "PAID_SEARCH",
    "email marketing": "EMAIL_MARKETING",
    "organic social": "SOCIAL_MEDIA",
    "social media": "SOCIAL_MEDIA",
    "referrals": "REFERRALS",
    "other campaigns": "OTHER_CAMPAIGNS",
    "direct traffic": "DIRECT_TRAFFIC",
    "offline sources": "OFFLINE",
    "paid social": "PAID_SOCIAL",
    "ai referrals": "AI_REFERRALS",
}
DEAL_STAGES = {
    "appointment scheduled": "appointmentscheduled",
    "qualified to buy": "qualifiedtobuy",
    "presentation scheduled": "presentationscheduled",
    "decision maker bought-in": "decisionmakerboughtin",
    "decision maker bought in": "decisionmakerboughtin",
    "contract sent": "contractsent",
    "closed won": "closedwon",
    "closed lost": "closedlost",
    "suljettu ja voitettu": "closedwon",
    "suljettu ja hävitty": "closedlost",
}
PIPELINES = {"sales pipeline": "default", "myyntiputki": "default"}
PIPEDRIVE_STATUSES = {"voitettu": "won", "hävitty": "lost", "avoin": "open", "poistettu": "deleted"}


def _key(label: str) -> str:
    return " ".join(label.strip().lower().split())


def lifecycle_stage(label: str) -> str:
    return LIFECYCLE_STAGES.get(_key(label)) or re.sub(r"[\s_-]+", "", label.strip().lower())


def lead_status(label: str) -> str:
    return LEAD_STATUSES.get(_key(label)) or re.sub(r"[\s-]+", "_", label.strip().upper())


def original_source(label: str) -> str:
    return ORIGINAL_SOURCES.get(_key(label)) or re.sub(r"[\s-]+", "_", label.strip().upper())


def deal_stage(label: str) -> str:
    return DEAL_STAGES.get(_key(label)) or re.sub(r"[\s_-]+", "", label.strip().lower())


def pipeline(label: str) -> str:
    return PIPELINES.get(_key(label), label.strip())


def lower(label: str) -> str:
    return label.strip().lower()


def pipedrive_status(label: str) -> str:
    """open, won, lost, deleted (the Finnish UI writes Avoin, Voitettu, Hävitty, Poistettu)."""
    return PIPEDRIVE_STATUSES.get(_key(label), label.strip().lower())
