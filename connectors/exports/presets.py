"""A preset per known export layout: which header names map to which raw column, how each cell
is read, and the natural key a later export of the same records replaces by.

A file matches a preset when all of its required columns are present (header names compare
case- and space-insensitively; each field lists the labels different tool versions use).

Long because it is a declarative table of every known layout: kept together, layouts can be
compared side by side and the one a file matched is found in one place.
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
    # Summed for reconciliation against the file's totals rows (GA4's "Total users" is not: its
    # total counts each user once).
    additive: bool = True
    # For a currency column: when absent or empty, the code in this column's header, e.g.
    # Meta's `Amount spent (EUR)`.
    currency_of: str | None = None


@dataclass(frozen=True)
class Preset:
    name: str
    table: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    # A column that splits the rows into separately totalled parts (GA4's comparison date ranges).
    segment_headers: tuple[str, ...] = ()
    # (first day, last day) columns of a row; a row covering more than one day is an error.
    day_span: tuple[str, str] | None = None
    # Fixed values for the raw table (the platform of an ad platform's own export).
    constants: tuple[tuple[str, object], ...] = ()


def email_hash(address: str) -> str:
    """sha256 of the trimmed, lower-cased address: joins records without keeping the address."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def F(column: str, *headers: str, kind: Kind = "text", required: bool = True, **kw: object) -> Field:
    return Field(column=column, headers=headers, kind=kind, required=required, **kw)  # type: ignore[arg-type]


# Currencies an ad platform may put in a header, e.g. Meta's `Amount spent (EUR)`.
CURRENCIES = ("EUR", "USD", "SEK", "NOK", "DKK", "GBP")

PRESETS: tuple[Preset, ...] = (
    Preset(
        name="ga4_traffic_acquisition",
        table="ga4_daily_report",
        description="GA4 UI export: Reports > Acquisition > Traffic acquisition, by day",
        fields=(
            F("report_date", "Date", "Päivämäärä", kind="date"),
            F(
                "channel_group",
                "Session default channel group",
                "Session primary channel group",
                "Istunnon oletuskanavaryhmä",
            ),
            F("source", "Session source", "Istunnon lähde"),
            F("medium", "Session medium", "Istunnon väline"),
            F("campaign", "Session campaign", "Session campaign name", "Istunnon kampanja"),
            F("sessions", "Sessions", "Istunnot", kind="int"),
            # A total of users counts each user once: it is not the sum of the rows.
            F("total_users", "Total users", "Users", "Käyttäjiä yhteensä", kind="int", additive=False),
            F("new_users", "New users", "Uudet käyttäjät", kind="int"),
            F("engaged_sessions", "Engaged sessions", "Sitoutuneet istunnot", kind="int"),
            F("key_events", "Key events", "Conversions", "Avaintapahtumat", kind="int"),
        ),
        key=("report_date", "channel_group", "source", "medium", "campaign"),
        segment_headers=("Date range", "Ajanjakso"),
    ),
    Preset(
        name="hubspot_contacts",
        table="hubspot_contacts",
        description="HubSpot: Contacts > Export (all properties or the default view)",
        fields=(
            F("contact_id", "Record ID", "Contact ID", "Tietueen tunnus"),
            F("email_hash", "Email", "Sähköposti", kind="email_hash", required=False),
            F("lifecycle_stage", "Lifecycle Stage", "Elinkaaren vaihe", transform=labels.lifecycle_stage),
            F("lead_status", "Lead Status", "Liidin tila", required=False, transform=labels.lead_status),
            F(
                "original_source",
                "Original Source",
                "Alkuperäinen lähde",
                required=False,
                transform=labels.original_source,
            ),
            F("original_source_drilldown_2", "Original Source Drill-Down 2", required=False),
            F("lead_source", "Lead Source", required=False),
            F("created_at", "Create Date", "Luontipäivä", kind="local_ts"),
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
            F("deal_id", "Record ID", "Deal ID", "Tietueen tunnus"),
            F("deal_name", "Deal Name", "Kaupan nimi"),
            F("deal_stage", "Deal Stage", "Kaupan vaihe", transform=labels.deal_stage),
            F(
                "pipeline",
                "Pipeline",
                "Myyntiputki",
                required=False,
                transform=labels.pipeline,
                default="default",
            ),
            F("amount", "Amount", "Summa", kind="number"),
            F("close_date", "Close Date", "Sulkemispäivä", kind="local_date"),
            F("created_at", "Create Date", "Luontipäivä", kind="local_ts"),
            F("updated_at", "Last Modified Date", "Viimeksi muokattu", kind="local_ts", required=False),
        ),
        key=("deal_id",),
    ),
    Preset(
        name="pipedrive_deals",
        table="pipedrive_deals",
        description="Pipedrive: Deals list > Export (with or without the 'Deal - ' prefix)",
        fields=(
            F("deal_id", "Deal - ID", "ID", "Kauppa - ID"),
            F("title", "Deal - Title", "Title", "Kauppa - Otsikko"),
            F("value", "Deal - Value", "Value", "Kauppa - Arvo", kind="number"),
            F("currency", "Deal - Currency", "Currency", "Kauppa - Valuutta", required=False),
            F("status", "Deal - Status", "Status", "Kauppa - Tila", transform=labels.pipedrive_status),
            F("stage_name", "Deal - Stage", "Stage", "Kauppa - Vaihe"),
            F("pipeline_name", "Deal - Pipeline", "Pipeline", "Kauppa - Myyntiputki", required=False),
            F(
                "created_at",
                "Deal - Deal created",
                "Deal created",
                "Deal - Add time",
                "Kauppa - Kauppa luotu",
                kind="local_ts",
                required=False,
            ),
            F("updated_at", "Deal - Update time", "Update time", kind="local_ts", required=False),
            F("won_at", "Deal - Won time", "Won time", "Kauppa - Voitettu", kind="local_ts", required=False),
            F(
                "lost_at",
                "Deal - Lost time",
                "Lost time",
                "Kauppa - Hävitty",
                kind="local_ts",
                required=False,
            ),
            F(
                "expected_close_date",
                "Deal - Expected close date",
                "Expected close date",
                "Kauppa - Odotettu sulkemispäivä",
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
        name="google_ads_campaigns",
        table="ad_spend",
        description="Google Ads: Campaigns > Download (CSV), segmented by day",
        fields=(
            F("spend_date", "Day", "Päivä", kind="date"),
            F("campaign", "Campaign", "Kampanja"),
            F("account", "Account", "Account name", "Tili", required=False),
            F("impressions", "Impr.", "Impressions", "Näyttökerrat", kind="int"),
            F("clicks", "Clicks", "Klikkaukset", "Napsautukset", kind="int", required=False),
            F("cost", "Cost", "Kustannukset", "Kulut", kind="number"),
            F(
                "currency",
                "Currency code",
                "Valuuttakoodi",
                required=False,
                default="EUR",
                currency_of="cost",
            ),
            F("conversions", "Conversions", "Konversiot", kind="number", required=False),
            F("conversions_value", "Conv. value", "Konv. arvo", kind="number", required=False),
        ),
        key=("spend_date", "platform", "campaign"),
        constants=(("platform", "Google Ads"),),
    ),
    Preset(
        name="meta_ads_manager",
        table="ad_spend",
        description="Meta Ads Manager: Campaigns > Reports > Export table data (CSV/XLSX), breakdown by day",
        fields=(
            F("spend_date", "Reporting starts", "Raportoinnin alku", kind="date"),
            F("_reporting_ends", "Reporting ends", "Raportoinnin loppu", kind="date"),
            F("campaign", "Campaign name", "Kampanjan nimi"),
            F("account", "Account name", "Tilin nimi", required=False),
            F("impressions", "Impressions", "Näyttökerrat", kind="int", required=False),
            F("clicks", "Link clicks", "Clicks (all)", "Linkin klikkaukset", kind="int", required=False),
            F(
                "cost",
                *(f"Amount spent ({c})" for c in CURRENCIES),
                *(f"Käytetty summa ({c})" for c in CURRENCIES),
                kind="number",
            ),
            F("currency", "Currency", "Valuutta", required=False, default="EUR", currency_of="cost"),
            F("conversions", "Results", "Tulokset", kind="number", required=False, additive=False),
        ),
        key=("spend_date", "platform", "campaign"),
        day_span=("spend_date", "_reporting_ends"),
        constants=(("platform", "Meta Ads"),),
    ),
    Preset(
        name="linkedin_campaign_manager",
        table="ad_spend",
        description="LinkedIn Campaign Manager: Analyze > Campaign performance > Export (CSV), daily",
        fields=(
            F("spend_date", "Start Date (in UTC)", kind="date"),
            F("campaign", "Campaign Name"),
            F("account", "Account Name", required=False),
            F("impressions", "Impressions", kind="int", required=False),
            F("clicks", "Clicks", kind="int", required=False),
            F("cost", "Total Spent", "Amount Spent", kind="number"),
            F("currency", "Currency", required=False, default="EUR"),
            F("conversions", "Conversions", "Total Conversions", kind="number", required=False),
            F("conversions_value", "Total Conversion Value", kind="number", required=False),
        ),
        key=("spend_date", "platform", "campaign"),
        constants=(("platform", "LinkedIn Ads"),),
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
