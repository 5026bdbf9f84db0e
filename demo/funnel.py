"""The CRM side: lead seeds become contacts, some qualify (MQL, SQL), SQLs open deals, deals close.

All timestamps are naive local times in Europe/Helsinki, as the HubSpot export shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from demo import calendar
from demo.people import Person, make_person, sales_rep
from demo.traffic import LeadSeed

HORIZON = dt.datetime.combine(calendar.LAST_DAY, dt.time(23, 59))

# Marketing got a new lead-scoring model live in early August 2026: the MQL share climbs.
_SCORING_MODEL_LIVE = dt.date(2026, 8, 3)
# Sales accepts these shares of MQLs as SQLs, by lead source.
_SQL_RATE = {"inbound": 0.24, "outbound": 0.30, "event": 0.20, "partner": 0.34}
_DEAL_RATE = 0.62  # SQLs that get a deal
_YEAR_END_CLOSE = calendar.LAST_DAY  # expected close of deals still open at the horizon
_MEDIAN_AMOUNT = 14_000.0
_OPEN_STAGES = (
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
)


@dataclass
class Contact:
    person: Person
    seed: LeadSeed
    created_at: dt.datetime
    lead_at: dt.datetime
    mql_at: dt.datetime | None = None
    sql_at: dt.datetime | None = None
    customer_at: dt.datetime | None = None
    owner: str = ""
    lifecycle_stage: str = "Lead"
    lead_status: str = ""
    last_activity_at: dt.datetime | None = None
    record_id: int = 0


@dataclass
class Deal:
    contact: Contact
    name: str
    stage: str
    amount: float | None
    created_at: dt.datetime
    close_at: dt.datetime
    owner: str
    record_id: int = 0


def _work_time(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    """A plausible office-hours timestamp on `day` (peaks mid-morning and after lunch)."""
    hour = int(min(max(rng.normal(12.0, 2.6), 7), 19))
    minute = int(rng.integers(0, 60))
    return dt.datetime.combine(day, dt.time(hour, minute))


def _after(rng: np.random.Generator, moment: dt.datetime, days: float) -> dt.datetime:
    """A working-hours timestamp `days` after `moment` (moved off weekends)."""
    day = (moment + dt.timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    later = _work_time(rng, day)
    return max(later, moment + dt.timedelta(minutes=5))


def _mql_probability(seed: LeadSeed) -> float:
    lift = 1.18 if seed.day >= _SCORING_MODEL_LIVE else 1.0
    return min(seed.mql_rate * lift, 0.95)


def _amount(rng: np.random.Generator) -> float:
    raw = min(max(float(rng.lognormal(np.log(_MEDIAN_AMOUNT), 0.6)), 3_000.0), 60_000.0)
    if rng.random() < 0.12:  # a negotiated discount leaves cents-level odd amounts
        return round(raw * 2) / 2
    return float(round(raw / 100) * 100)


def _plan(amount: float) -> str:
    if amount < 10_000:
        return "Nordlys Growth"
    return "Nordlys Pro" if amount < 30_000 else "Nordlys Enterprise"


class FunnelSimulator:
    """Turns lead seeds into contacts and deals with one random generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.contacts: list[Contact] = []
        self.deals: list[Deal] = []
        self.company_ids: dict[str, int] = {}

    def run(self, seeds: list[LeadSeed]) -> FunnelSimulator:
        for seed in seeds:
            self._contact(seed)
        self._assign_ids()
        return self

    def _contact(self, seed: LeadSeed) -> None:
        rng = self.rng
        person = make_person(rng)
        lead_at = _work_time(rng, seed.day)
        created_at = lead_at
        if seed.original_source == "Email Marketing" and rng.random() < 0.4:
            # Newsletter subscribers who later filled in a form: the record is older than the lead.
            days_back = int(rng.integers(10, 200))
            if seed.day - dt.timedelta(days=days_back) < calendar.FIRST_DAY:
                days_back = int(rng.integers(0, (seed.day - calendar.FIRST_DAY).days + 1))
            created_at = min(_work_time(rng, seed.day - dt.timedelta(days=days_back)), lead_at)
        contact = Contact(person, seed, created_at, lead_at)
        self.contacts.append(contact)

        if rng.random() < _mql_probability(seed):
            contact.mql_at = _after(rng, lead_at, 1 + rng.gamma(2.0, 2.5))
        if contact.mql_at and rng.random() < _SQL_RATE[seed.lead_source]:
            contact.sql_at = _after(rng, contact.mql_at, 2 + rng.gamma(2.0, 4.0))
        for field in ("mql_at", "sql_at"):
            if getattr(contact, field) and getattr(contact, field) > HORIZON:
                setattr(contact, field, None)
        if contact.mql_at is None:
            contact.sql_at = None
        if contact.mql_at or seed.lead_source == "outbound" or rng.random() < 0.35:
            contact.owner = sales_rep(rng, person.country)

        deal = None
        if contact.sql_at and rng.random() < _DEAL_RATE:
            deal = self._deal(contact)
        self._lifecycle(contact, deal)

    def _deal(self, contact: Contact) -> Deal | None:
        rng = self.rng
        assert contact.sql_at is not None
        created_at = _after(rng, contact.sql_at, float(rng.integers(0, 5)))
        if created_at > HORIZON:
            return None
        amount = _amount(rng)
        # Bigger deals take longer and are won less often.
        size = amount / _MEDIAN_AMOUNT
        cycle = min(max(float(rng.lognormal(np.log(40), 0.45)) * size**0.2, 12.0), 160.0)
        win_rate = 0.33 * size**-0.15 + (0.08 if contact.seed.lead_source == "partner" else 0.0)
        close_at = _after(rng, created_at, cycle)
        owner = contact.owner or sales_rep(rng, contact.person.country)
        contact.owner = owner
        shown_amount: float | None = amount
        if close_at <= HORIZON:
            stage = "Closed Won" if rng.random() < win_rate else "Closed Lost"
            if stage == "Closed Lost" and rng.random() < 0.15:
                shown_amount = None  # lost before anyone priced it
        else:
            elapsed = (HORIZON - created_at).total_seconds() / (close_at - created_at).total_seconds()
            stage = _OPEN_STAGES[min(int(elapsed * len(_OPEN_STAGES)), len(_OPEN_STAGES) - 1)]
            if stage == _OPEN_STAGES[0] and rng.random() < 0.6:
                shown_amount = None
            # Reps commit open deals to the year-end close; the real close would come later.
            close_at = max(
                dt.datetime.combine(_YEAR_END_CLOSE, dt.time(16, 0)), created_at + dt.timedelta(hours=1)
            )
        name = f"{contact.person.company} - {_plan(amount)}"
        deal = Deal(contact, name, stage, shown_amount, created_at, close_at, owner)
        self.deals.append(deal)
        return deal

    def _lifecycle(self, contact: Contact, deal: Deal | None) -> None:
        rng = self.rng
        statuses: tuple[str, ...]
        if deal and deal.stage == "Closed Won":
            contact.customer_at = deal.close_at
            early = deal.close_at.date() < dt.date(2026, 3, 1)
            contact.lifecycle_stage = "Evangelist" if early and rng.random() < 0.1 else "Customer"
            statuses = ("Connected",)
        elif deal:
            contact.lifecycle_stage = "Opportunity"
            statuses = ("Open Deal",) if deal.stage not in ("Closed Lost",) else ("Bad Timing", "Unqualified")
        elif contact.sql_at:
            contact.lifecycle_stage = "Sales Qualified Lead"
            statuses = ("Connected", "In Progress", "Open Deal")
        elif contact.mql_at:
            contact.lifecycle_stage = "Marketing Qualified Lead"
            statuses = ("In Progress", "Attempted to Contact", "Connected")
        else:
            contact.lifecycle_stage = "Lead"
            recent = (HORIZON - contact.lead_at).days < 14
            statuses = (
                ("New", "Open") if recent else ("Unqualified", "Attempted to Contact", "Bad Timing", "")
            )
        contact.lead_status = statuses[int(rng.integers(0, len(statuses)))]
        milestones = [m for m in (contact.lead_at, contact.mql_at, contact.sql_at, contact.customer_at) if m]
        if deal:
            milestones.append(min(deal.close_at, HORIZON))
        if contact.lifecycle_stage == "Lead" and rng.random() < 0.15:
            contact.last_activity_at = None  # never opened an e-mail after the form fill
        else:
            contact.last_activity_at = min(_after(rng, max(milestones), float(rng.integers(0, 30))), HORIZON)

    def _assign_ids(self) -> None:
        """HubSpot ids grow with creation time, with gaps left by deleted and merged records."""
        rng = self.rng
        order = sorted(range(len(self.contacts)), key=lambda i: (self.contacts[i].created_at, i))
        next_id = 1051
        for i in order:
            self.contacts[i].record_id = next_id
            next_id += int(rng.integers(1, 4))
        deal_order = sorted(range(len(self.deals)), key=lambda i: (self.deals[i].created_at, i))
        next_id = 30_412_770_101
        for i in deal_order:
            self.deals[i].record_id = next_id
            next_id += int(rng.integers(1, 9_000))
        next_id = 8_012_345_600
        for i in order:
            company = self.contacts[i].person.company
            if company not in self.company_ids:
                self.company_ids[company] = next_id
                next_id += int(rng.integers(1, 500))
        self.contacts.sort(key=lambda c: c.record_id)
        self.deals.sort(key=lambda d: d.record_id)
