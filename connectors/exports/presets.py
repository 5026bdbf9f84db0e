"""A preset per known export layout: which header names map to which raw column, how each cell
is read, and the natural key a later export of the same records replaces by.

A file matches a preset when all of its required columns are present (header names compare
case- and space-insensitively; each field lists the labels different tool versions use).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.exports import labels

# How a cell is read: text, int, number, date (a calendar date), local_date (the date part of a
# local time), local_ts (a time -> naive local time of the workspace zone), bool, email_hash.
Kind = str


@dataclass(frozen=True)
class Field:
    column: str
    headers: tuple[str, ...]
    kind: Kind = "text"
    required: bool = True
    transform: Callable[[str], str] | None = None
    default: object = None


@dataclass(frozen=True)
class Preset:
    name: str
    table: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]

    @property
    def required_headers(self) -> list[str]:
        return [f.headers[0] for f in self.fields if f.required]


def email_hash(address: str) -> str:
    """sha256 of the trimmed, lower-cased address: joins records without keeping the address."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def F(column: str, *headers: str, kind: Kind = "text", required: bool = True, **kw: object) -> Field:
    return Field(column=column, headers=headers, kind=kind, required=required, **kw)  # type: ignore[arg-type]


PRESETS: tuple[Preset, ...] = (
    Preset(
        name="ga4_traffic_acquisition",
        table="ga4_daily_report",
        description="GA4 UI export: Reports > Acquisition > Traffic acquisition, by day",
        fields=(
            F("report_date", "Date", kind="date"),
            F("channel_group", "Session default channel group", "Session primary channel group"),
            F("source", "Session source"),
            F("medium", "Session medium"),
            F("campaign", "Session campaign", "Session campaign name"),
            F("sessions", "Sessions", kind="int"),
            F("total_users", "Total users", "Users", kind="int"),
            F("new_users", "New users", kind="int"),
            F("engaged_sessions", "Engaged sessions", kind="int"),
            F("key_events", "Key events", "Conversions", kind="int"),
        ),
        key=("report_date", "channel_group", "source", "medium", "campaign"),
    ),
    Preset(
        name="hubspot_contacts",
        table="hubspot_contacts",
        description="HubSpot: Contacts > Export (all properties or the default view)",
        fields=(
            F("contact_id", "Record ID", "Contact ID"),
            F("email_hash", "Email", kind="email_hash", required=False),
            F("lifecycle_stage", "Lifecycle Stage", transform=labels.lifecycle_stage),
            F("lead_status", "Lead Status", required=False, transform=labels.lead_status),
            F("original_source", "Original Source", required=False, transform=labels.original_source),
            F("original_source_drilldown_2", "Original Source Drill-Down 2", required=False),
            F("lead_source", "Lead Source", required=False),
            F("created_at", "Create Date", kind="local_ts"),
            F("became_lead_at", "Became a Lead Date", kind="local_ts", required=False),
            F("became_mql_at", "Became a Marketing Qualified Lead Date", kind="local_ts", required=False),
            F("became_sql_at", "Became a Sales Qualified Lead Date", kind="local_ts", required=False),
            F("became_customer_at", "Became a Customer Date", kind="local_ts", required=False),
        ),
        key=("contact_id",),
    ),
    Preset(
        name="hubspot_deals",
        table="hubspot_deals",
        description="HubSpot: Deals > Export",
        fields=(
            F("deal_id", "Record ID", "Deal ID"),
            F("deal_name", "Deal Name"),
            F("deal_stage", "Deal Stage", transform=labels.deal_stage),
            F("pipeline", "Pipeline", required=False, transform=labels.pipeline, default="default"),
            F("amount", "Amount", kind="number"),
            F("close_date", "Close Date", kind="local_date"),
            F("created_at", "Create Date", kind="local_ts"),
            F("updated_at", "Last Modified Date", kind="local_ts", required=False),
        ),
        key=("deal_id",),
    ),
    Preset(
        name="pipedrive_deals",
        table="pipedrive_deals",
        description="Pipedrive: Deals list > Export (with or without the 'Deal - ' prefix)",
        fields=(
            F("deal_id", "Deal - ID", "ID"),
            F("title", "Deal - Title", "Title"),
            F("value", "Deal - Value", "Value", kind="number"),
            F("currency", "Deal - Currency", "Currency", required=False),
            F("status", "Deal - Status", "Status", transform=labels.lower),
            F("stage_name", "Deal - Stage", "Stage"),
            F("pipeline_name", "Deal - Pipeline", "Pipeline", required=False),
            F(
                "created_at",
                "Deal - Deal created",
                "Deal created",
                "Deal - Add time",
                kind="local_ts",
                required=False,
            ),
            F("updated_at", "Deal - Update time", "Update time", kind="local_ts", required=False),
            F("won_at", "Deal - Won time", "Won time", kind="local_ts", required=False),
            F("lost_at", "Deal - Lost time", "Lost time", kind="local_ts", required=False),
            F(
                "expected_close_date",
                "Deal - Expected close date",
                "Expected close date",
                kind="date",
                required=False,
            ),
        ),
        key=("deal_id",),
    ),
    Preset(
        name="salesforce_opportunities",
        table="salesforce_opportunities",
        description="Salesforce: an Opportunities report exported as CSV or XLSX ('Details only')",
        fields=(
            F("opportunity_id", "Opportunity ID", "Opportunity ID (18)"),
            F("opportunity_name", "Opportunity Name"),
            F("stage", "Stage"),
            F("amount", "Amount", kind="number"),
            F("close_date", "Close Date", kind="date"),
            F("created_at", "Created Date", kind="local_ts", required=False),
            F("lead_source", "Lead Source", required=False),
            F("campaign", "Primary Campaign Source", "Campaign Name", required=False),
            F("is_won", "Won", kind="bool", required=False),
            F("is_closed", "Closed", kind="bool", required=False),
        ),
        key=("opportunity_id",),
    ),
    Preset(
        name="ad_spend",
        table="ad_spend",
        description="Ad spend by day, platform and campaign (the agency's Finnish-locale export)",
        fields=(
            F("spend_date", "Day", "Date", "Päivä", kind="date"),
            F("platform", "Platform", "Alusta"),
            F("campaign", "Campaign", "Kampanja", default=""),
            F("impressions", "Impressions", "Näyttökerrat", kind="int", required=False),
            F("clicks", "Clicks", "Klikkaukset", kind="int", required=False),
            F("cost", "Cost (EUR)", "Cost", "Spend", "Kustannus (EUR)", kind="number"),
            F("currency", "Currency", "Valuutta", required=False, default="EUR"),
        ),
        key=("spend_date", "platform", "campaign"),
    ),
    Preset(
        name="currency_rates",
        table="currency_rates",
        description="Exchange rates the user keeps: date, currency, rate (workspace currency per unit)",
        fields=(
            F("rate_date", "Rate date", "Valid from", "Kurssipäivä", kind="date"),
            F("currency", "Currency", "Valuutta"),
            F("rate", "Rate", "Kurssi", kind="number"),
        ),
        key=("rate_date", "currency"),
    ),
)

PRESETS_BY_NAME = {p.name: p for p in PRESETS}


def norm_header(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").strip().lower().split())


def field_positions(preset: Preset, header: Sequence[str]) -> dict[str, int]:
    """raw column -> index in the header, for the fields this header has."""
    index = {norm_header(h): i for i, h in reversed(list(enumerate(header)))}
    out = {}
    for f in preset.fields:
        for label in f.headers:
            if norm_header(label) in index:
                out[f.column] = index[norm_header(label)]
                break
    return out


def missing_required(preset: Preset, header: Sequence[str]) -> list[str]:
    found = field_positions(preset, header)
    return [f.headers[0] for f in preset.fields if f.required and f.column not in found]


class UnknownLayout(ValueError):
    pass


def match_preset(header: Sequence[str], name: str) -> Preset:
    """The preset whose required columns the header has (the most specific when several do);
    UnknownLayout naming the file and the missing columns of the closest preset otherwise."""
    complete = [p for p in PRESETS if not missing_required(p, header)]
    if complete:
        return max(complete, key=lambda p: len(field_positions(p, header)))
    scored = sorted(PRESETS, key=lambda p: len(field_positions(p, header)), reverse=True)
    closest = scored[0]
    if not field_positions(closest, header):
        known = ", ".join(p.name for p in PRESETS)
        raise UnknownLayout(
            f"{name}: unknown layout: the header ({', '.join(h for h in header if h)[:200]}) matches none of "
            f"the known exports ({known})"
        )
    missing = missing_required(closest, header)
    raise UnknownLayout(
        f"{name}: unknown layout: closest known export is '{closest.name}' ({closest.description}), "
        f"but these columns are missing: {', '.join(missing)}"
    )
