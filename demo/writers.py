"""Writers for the four demo export formats (see the project's formats notes and demo/README.md).

Each writer reproduces the quirks of the tool that produces the real file: GA4's `#` comment
block, HubSpot's UTF-8 BOM and label-valued cells, and the Finnish agency's Windows-1252,
semicolon-separated ad report with decimal commas. Numbers are formatted here by hand rather
than with locale settings so the output is byte-identical on every machine.
"""

from __future__ import annotations

import calendar as month_calendar
import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path

from demo.funnel import Contact, Deal
from demo.traffic import AdRow, Ga4Row

GA4_HEADER = (
    "Date",
    "Session default channel group",
    "Session source",
    "Session medium",
    "Session campaign",
    "Sessions",
    "Total users",
    "New users",
    "Engaged sessions",
    "Key events",
)
CONTACT_HEADER = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Contact owner",
    "Lifecycle Stage",
    "Lead Status",
    "Create Date",
    "Last Activity Date",
    "Associated Company",
    "Original Source",
    "Original Source Drill-Down 2",
    "Lead Source",
    "Became a Lead Date",
    "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date",
    "Became a Customer Date",
)
DEAL_HEADER = (
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Pipeline",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Associated Company IDs",
    "Associated Contact IDs",
)
AD_HEADER = ("Day", "Platform", "Campaign", "Impressions", "Clicks", "Cost (EUR)")


def hubspot_time(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def fi_integer(value: int) -> str:
    """12345 -> '12 345' (Finnish thousands separator, written as a plain space)."""
    return f"{value:,d}".replace(",", " ")


def fi_decimal(value: float) -> str:
    """1234.5 -> '1 234,50'."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def fi_date(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def plain_amount(value: float | None) -> str:
    """12500.0 -> '12500', 8400.5 -> '8400.5', None -> ''."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def write_ga4_months(rows: Sequence[Ga4Row], folder: Path) -> list[Path]:
    """One `ga4-traffic-acquisition-YYYY-MM.csv` per month, rows by date then sessions, descending."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (year, month), month_rows in groupby(rows, key=lambda r: (r.day.year, r.day.month)):
        last = month_calendar.monthrange(year, month)[1]
        path = folder / f"ga4-traffic-acquisition-{year:04d}-{month:02d}.csv"
        ordered = sorted(
            month_rows, key=lambda r: (r.day, -r.sessions, r.channel_group, r.source, r.campaign)
        )
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(
                "# ----------------------------------------\n"
                "# Traffic acquisition: Session default channel group\n"
                "# Account: Nordlys\n"
                "# Property: Nordlys Website\n"
                "# ----------------------------------------\n"
                "#\n"
                f"# Start date: {year:04d}{month:02d}01\n"
                f"# End date: {year:04d}{month:02d}{last:02d}\n"
            )
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(GA4_HEADER)
            for r in ordered:
                writer.writerow(
                    (
                        r.day.strftime("%Y%m%d"),
                        r.channel_group,
                        r.source,
                        r.medium,
                        r.campaign,
                        r.sessions,
                        r.total_users,
                        r.new_users,
                        r.engaged_sessions,
                        r.key_events,
                    )
                )
        written.append(path)
    return written


def _write_hubspot(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_contacts(contacts: Sequence[Contact], path: Path) -> Path:
    rows = (
        (
            c.record_id,
            c.person.first_name,
            c.person.last_name,
            c.person.email,
            c.person.phone,
            c.owner,
            c.lifecycle_stage,
            c.lead_status,
            hubspot_time(c.created_at),
            hubspot_time(c.last_activity_at),
            c.person.company,
            c.seed.original_source,
            c.seed.campaign,
            c.seed.lead_source,
            hubspot_time(c.lead_at),
            hubspot_time(c.mql_at),
            hubspot_time(c.sql_at),
            hubspot_time(c.customer_at),
        )
        for c in contacts
    )
    return _write_hubspot(path, CONTACT_HEADER, rows)


def write_deals(deals: Sequence[Deal], company_ids: dict[str, int], path: Path) -> Path:
    rows = (
        (
            d.record_id,
            d.name,
            d.stage,
            plain_amount(d.amount),
            "Sales Pipeline",
            hubspot_time(d.close_at),
            hubspot_time(d.created_at),
            d.owner,
            company_ids[d.contact.person.company],
            d.contact.record_id,
        )
        for d in deals
    )
    return _write_hubspot(path, DEAL_HEADER, rows)


def write_ad_spend_years(rows: Sequence[AdRow], folder: Path) -> list[Path]:
    """One `ad-spend-YYYY.csv` per year in the agency's Finnish Excel format (CRLF line ends)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    ordered = sorted(rows, key=lambda r: (r.day, r.platform, r.campaign))
    for year, year_rows in groupby(ordered, key=lambda r: r.day.year):
        path = folder / f"ad-spend-{year}.csv"
        with path.open("w", encoding="cp1252", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            writer.writerow(AD_HEADER)
            for r in year_rows:
                writer.writerow(
                    (
                        fi_date(r.day),
                        r.platform,
                        r.campaign,
                        fi_integer(r.impressions),
                        fi_integer(r.clicks),
                        fi_decimal(r.cost),
                    )
                )
        written.append(path)
    return written
