"""HubSpot streams `contacts` and `deals` -> raw.hubspot_contacts / raw.hubspot_deals.

Times are stored as naive local time of the workspace zone (like the exports); the high-water
mark stays in UTC because the search filter compares instants. The first run (no mark yet) reads
everything through the list endpoint; later runs search for records modified since the mark
minus a small overlap (search results lag writes by a few seconds). Records are upserted by id,
the newest `updated_at` winning, and the mark moves in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.exports.presets import email_hash
from connectors.http import HttpClient
from connectors.hubspot.client import MODIFIED_PROPERTY, HubSpotClient, hubspot_retry_hook
from connectors.hubspot.source import HubSpotSource
from connectors.load import LoadResult, parse_api_timestamp, to_float, upsert_records, utc_to_local
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.hubspot")
OVERLAP = dt.timedelta(minutes=5)

CONTACT_PROPERTIES = [
    "email",
    "lifecyclestage",
    "hs_lead_status",
    "hs_analytics_source",
    "hs_analytics_source_data_2",
    "createdate",
    "lastmodifieddate",
    "hs_lifecyclestage_lead_date",
    "hs_lifecyclestage_marketingqualifiedlead_date",
    "hs_lifecyclestage_salesqualifiedlead_date",
    "hs_lifecyclestage_customer_date",
]
DEAL_PROPERTIES = [
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
]


def make_client(cfg: HubSpotSource, token: str, **http_kw: Any) -> HubSpotClient:
    http = HttpClient(
        "hubspot",
        secrets=[token],
        token_env=cfg.token_env,
        retry_hook=hubspot_retry_hook,
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    return HubSpotClient(http, cfg.base_url, token, cfg.page_size, cfg.search_cap)


def contact_record(rec: dict[str, Any], lead_source_property: str, zone: str) -> dict[str, Any]:
    """A raw.hubspot_contacts row; times become naive local time in `zone` (the workspace's)."""
    p = rec.get("properties") or {}
    email = p.get("email")

    def ts(*names: str) -> dt.datetime | None:
        value = next((p.get(n) for n in names if p.get(n)), None) or None
        return utc_to_local(parse_api_timestamp(value), zone)

    return {
        "contact_id": str(rec["id"]),
        "email_hash": email_hash(email) if email else None,  # the address itself is never stored
        "lifecycle_stage": p.get("lifecyclestage") or None,
        "lead_status": p.get("hs_lead_status") or None,
        "original_source": p.get("hs_analytics_source") or None,
        "original_source_drilldown_2": p.get("hs_analytics_source_data_2") or None,
        "lead_source": p.get(lead_source_property) or None,
        "created_at": utc_to_local(parse_api_timestamp(p.get("createdate") or rec.get("createdAt")), zone),
        "updated_at": utc_to_local(modified_utc(rec, "contacts"), zone),
        "became_lead_at": ts("hs_lifecyclestage_lead_date"),
        "became_mql_at": ts("hs_lifecyclestage_marketingqualifiedlead_date"),
        "became_sql_at": ts("hs_lifecyclestage_salesqualifiedlead_date"),
        "became_customer_at": ts("hs_lifecyclestage_customer_date"),
    }


def deal_record(rec: dict[str, Any], zone: str) -> dict[str, Any]:
    p = rec.get("properties") or {}
    close = utc_to_local(parse_api_timestamp(p.get("closedate")), zone)
    return {
        "deal_id": str(rec["id"]),
        "deal_name": p.get("dealname") or None,
        "deal_stage": p.get("dealstage") or None,
        "pipeline": p.get("pipeline") or None,
        "amount": to_float(p.get("amount")),
        # closedate is a UTC instant; the calendar day that counts is the one in the workspace zone
        "close_date": close.date() if close else None,
        "created_at": utc_to_local(parse_api_timestamp(p.get("createdate") or rec.get("createdAt")), zone),
        "updated_at": utc_to_local(modified_utc(rec, "deals"), zone),
    }


def modified_utc(rec: dict[str, Any], obj: str) -> dt.datetime | None:
    """The record's last-modified instant in UTC (what the search filter and the mark use)."""
    p = rec.get("properties") or {}
    return parse_api_timestamp(p.get(MODIFIED_PROPERTY[obj]) or rec.get("updatedAt"))


def load_hubspot_object(
    warehouse: Warehouse,
    client: HubSpotClient,
    obj: str,
    *,
    lead_source_property: str = "lead_source",
    timezone: str = "Europe/Helsinki",
    full_refresh: bool = False,
) -> LoadResult:
    """Load `contacts` or `deals` incrementally (or everything on the first run / full_refresh)."""
    state_key = f"hubspot.{obj}.high_water"
    mark = None if full_refresh else warehouse.get_state(state_key)
    if obj == "contacts":
        props = [*CONTACT_PROPERTIES, lead_source_property]
        to_rec = lambda r: contact_record(r, lead_source_property, timezone)  # noqa: E731
    else:
        props = DEAL_PROPERTIES
        to_rec = lambda r: deal_record(r, timezone)  # noqa: E731
    before = client.http.requests_sent
    if mark is None:
        raw = client.list_all(obj, props)
        mode = "full load (list endpoint)"
    else:
        since = dt.datetime.fromisoformat(mark) - OVERLAP
        raw = client.search_modified_since(obj, props, since)
        mode = f"modified since {since.isoformat()} (search endpoint)"
    fetched = list(raw)
    records = [to_rec(r) for r in fetched]
    marks = [m for m in (modified_utc(r, obj) for r in fetched) if m is not None]
    new_mark = max(marks).isoformat() if marks else mark
    result = upsert_records(
        warehouse,
        f"hubspot_{obj}",
        records,
        key=[f"{obj[:-1]}_id"],
        version_column="updated_at",
        source="hubspot",
        stream=obj,
        state_key=state_key,
        state_value=new_mark,
    )
    result.requests = client.http.requests_sent - before
    result.notes.append(mode)
    log.info("hubspot: %s: %d records fetched, %d written; %s", obj, len(records), result.rows, mode)
    return result


__all__ = ["MODIFIED_PROPERTY", "load_hubspot_object", "make_client"]
