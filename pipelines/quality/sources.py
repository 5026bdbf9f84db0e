"""What "sound data" means for each raw table and staging model the pipeline loads.

Structural rules (missing column, no rows, missing or duplicate record ids) are ERROR: they block
the KRs fed by that table. Everything softer (ranges, negative amounts, unknown categories,
future dates, a half-loaded day, stale data) is WARN. Values are the sources' internal values
(see docs/architecture.md, "Staging contracts").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LOAD_METADATA = ("_source", "_stream", "_loaded_at", "_partition")

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
# GA4's default channel groups (session default channel group), as GA4 names them.
GA4_CHANNEL_GROUPS = (
    "Affiliates",
    "Audio",
    "Cross-network",
    "Direct",
    "Display",
    "Email",
    "Mobile Push Notifications",
    "Organic Search",
    "Organic Shopping",
    "Organic Social",
    "Organic Video",
    "Paid Other",
    "Paid Search",
    "Paid Shopping",
    "Paid Social",
    "Paid Video",
    "Referral",
    "SMS",
    "Unassigned",
)

# Earliest plausible date in any source: anything older is a parse error (e.g. 1970, 0001).
MIN_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class TableProfile:
    """The checks for one relation. `node` is its lineage name (see lineage.py)."""

    name: str
    schema: str
    asset_key: tuple[str, ...]
    required: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()  # ERROR: rows without these cannot be counted at all
    unique_key: tuple[str, ...] = ()  # ERROR: a duplicate would be counted twice
    event_dates: tuple[str, ...] = ()  # WARN: >= MIN_DATE and not after today (+1 day) in `timezone`
    other_dates: tuple[str, ...] = ()  # WARN: >= MIN_DATE only (e.g. expected close dates)
    non_negative: tuple[str, ...] = ()  # WARN
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # WARN, new values named
    volume_date: str | None = None  # WARN: a day far below its trailing same-weekday mean
    freshness_date: str | None = None  # WARN: newest date older than as_of - max_lag_days
    max_lag_days: int = 2
    timezone: str = "Europe/Helsinki"

    @property
    def node(self) -> str:
        return f"raw.{self.name}" if self.schema == "raw" else self.name

    @property
    def date_columns(self) -> tuple[str, ...]:
        return self.event_dates + self.other_dates

    @property
    def has_value_rules(self) -> bool:
        return bool(self.event_dates or self.other_dates or self.non_negative or self.categories)


def _raw(name: str, **rules: object) -> TableProfile:
    # Every raw table shares the load metadata; connectors/raw_tables.py owns the other columns.
    # Sources with a staging model get their value rules there (the documented contract).
    required = (*rules.pop("required", ()), *LOAD_METADATA)  # type: ignore[misc]
    not_null = (*rules.pop("not_null", ()), "_loaded_at")  # type: ignore[misc]
    return TableProfile(
        name=name, schema="raw", asset_key=("raw", name), required=required, not_null=not_null, **rules
    )


RAW_PROFILES = (
    _raw("ga4_daily_report", required=("report_date",), not_null=("report_date",)),
    # Loaders upsert CRM records by id, so a duplicate id in raw is a broken load or export preset.
    _raw("hubspot_contacts", required=("contact_id",), not_null=("contact_id",), unique_key=("contact_id",)),
    _raw("hubspot_deals", required=("deal_id",), not_null=("deal_id",), unique_key=("deal_id",)),
    _raw("ad_spend", required=("spend_date",), not_null=("spend_date",)),
    _raw(
        "pipedrive_deals",
        required=("deal_id", "created_at"),
        not_null=("deal_id",),
        unique_key=("deal_id",),
        event_dates=("created_at", "won_at", "lost_at"),
        other_dates=("expected_close_date",),
        non_negative=("value",),
        categories={"status": ("open", "won", "lost", "deleted")},
        freshness_date="created_at",
        max_lag_days=14,
    ),
    _raw(
        "salesforce_opportunities",
        required=("opportunity_id",),
        not_null=("opportunity_id",),
        unique_key=("opportunity_id",),
        event_dates=("created_at",),
        other_dates=("close_date",),
        non_negative=("amount",),
    ),
    _raw(
        "matomo_daily_report",
        required=("report_date",),
        not_null=("report_date",),
        unique_key=("report_date", "site_id"),
        event_dates=("report_date",),
        non_negative=("nb_visits", "nb_uniq_visitors", "nb_actions", "nb_visits_converted"),
        volume_date="report_date",
        freshness_date="report_date",
        max_lag_days=2,
    ),
    _raw(
        "plausible_daily_report",
        required=("report_date",),
        not_null=("report_date",),
        event_dates=("report_date",),
        non_negative=("visitors", "visits", "pageviews"),
        volume_date="report_date",
        freshness_date="report_date",
        max_lag_days=2,
    ),
)
RAW_TABLES = tuple(p.name for p in RAW_PROFILES)

STAGING_PROFILES = (
    TableProfile(
        name="stg_hubspot__contacts",
        schema="analytics",
        asset_key=("stg_hubspot__contacts",),
        required=(
            "contact_id",
            "created_at",
            "lifecycle_stage",
            "lead_status",
            "original_source",
            "lead_source",
            "campaign",
            "became_lead_at",
            "became_mql_at",
            "became_sql_at",
            "became_customer_at",
        ),
        not_null=("contact_id", "created_at"),
        unique_key=("contact_id",),
        event_dates=("created_at", "became_lead_at", "became_mql_at", "became_sql_at", "became_customer_at"),
        categories={"lifecycle_stage": LIFECYCLE_STAGES},
        freshness_date="created_at",
        max_lag_days=7,
    ),
    TableProfile(
        name="stg_hubspot__deals",
        schema="analytics",
        asset_key=("stg_hubspot__deals",),
        required=("deal_id", "deal_name", "deal_stage", "pipeline", "amount", "created_at", "close_date"),
        not_null=("deal_id", "deal_stage", "created_at"),
        unique_key=("deal_id",),
        event_dates=("created_at",),
        other_dates=("close_date",),  # open deals carry an expected close date in the future
        non_negative=("amount",),
        categories={"deal_stage": DEAL_STAGES},
        freshness_date="created_at",
        max_lag_days=14,
    ),
    TableProfile(
        name="stg_ga4__daily_reports",
        schema="analytics",
        asset_key=("stg_ga4__daily_reports",),
        required=(
            "report_date",
            "channel_group",
            "source",
            "medium",
            "campaign",
            "sessions",
            "total_users",
            "new_users",
            "engaged_sessions",
            "key_events",
        ),
        not_null=("report_date",),
        unique_key=("report_date", "channel_group", "source", "medium", "campaign"),
        event_dates=("report_date",),
        non_negative=("sessions", "total_users", "new_users", "engaged_sessions", "key_events"),
        categories={"channel_group": GA4_CHANNEL_GROUPS},
        volume_date="report_date",
        freshness_date="report_date",
        max_lag_days=2,  # GA4 finishes processing a day within about 48 hours
    ),
    TableProfile(
        name="stg_ads__campaign_spends",
        schema="analytics",
        asset_key=("stg_ads__campaign_spends",),
        required=("spend_date", "platform", "campaign", "impressions", "clicks", "cost"),
        not_null=("spend_date", "platform"),
        unique_key=("spend_date", "platform", "campaign"),
        event_dates=("spend_date",),
        non_negative=("impressions", "clicks", "cost"),
        volume_date="spend_date",
        freshness_date="spend_date",
        max_lag_days=3,  # agencies send spend a few days late
    ),
)

ALL_PROFILES = RAW_PROFILES + STAGING_PROFILES


def profile_for(node: str) -> TableProfile | None:
    """The profile for a lineage node: `raw.<table>` or a staging model name."""
    for p in ALL_PROFILES:
        if node == p.node:
            return p
    return None
