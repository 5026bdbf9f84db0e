"""GA4 stream `daily_report` -> raw.ga4_daily_report, one day at a time replaced."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.ga4.auth import exchange_service_account, load_service_account
from connectors.ga4.client import GA4Client, ga4_retry_hook
from connectors.ga4.source import GA4Source
from connectors.http import HttpClient
from connectors.load import LoadResult, replace_days, to_int
from connectors.registry import SourcesError
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.ga4")
TABLE = "ga4_daily_report"


def to_record(row: dict[str, Any], property_id: str) -> dict[str, Any]:
    return {
        "report_date": dt.datetime.strptime(row["date"], "%Y%m%d").date(),
        "property_id": property_id,
        "channel_group": row.get("sessionDefaultChannelGroup") or "(not set)",
        "source": row.get("sessionSource") or "(not set)",
        "medium": row.get("sessionMedium") or "(not set)",
        "campaign": row.get("sessionCampaignName") or "(not set)",
        "sessions": to_int(row.get("sessions")) or 0,
        "total_users": to_int(row.get("totalUsers")) or 0,
        "new_users": to_int(row.get("newUsers")) or 0,
        "engaged_sessions": to_int(row.get("engagedSessions")) or 0,
        "key_events": to_int(row.get("keyEvents", row.get("conversions"))) or 0,
    }


def make_client(
    cfg: GA4Source, access_token: str | None = None, credentials: str | None = None, **http_kw: Any
) -> GA4Client:
    """A client with a ready token, or one obtained from a service-account key."""
    http = HttpClient(
        "ga4",
        secrets=[access_token, credentials],
        token_env=cfg.access_token_env if access_token else cfg.credentials_env,
        retry_hook=ga4_retry_hook,
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    if not access_token:
        if not credentials:
            raise SourcesError(
                f"ga4: set {cfg.access_token_env} (an access token) "
                f"or {cfg.credentials_env} (a service-account key)"
            )
        info = load_service_account(credentials, cfg.credentials_env)
        access_token = exchange_service_account(http, info, cfg.token_url, cfg.credentials_env)
    return GA4Client(http, cfg.base_url, cfg.property_id, access_token, cfg.page_size)


def load_ga4_daily(
    warehouse: Warehouse, client: GA4Client, property_id: str, start: dt.date, end: dt.date
) -> LoadResult:
    """Fetch start..end and replace those days in raw.ga4_daily_report (all or nothing)."""
    before = client.http.requests_sent
    records = [to_record(r, property_id) for r in client.run_report(start, end)]
    result = replace_days(warehouse, TABLE, records, start, end, source="ga4", stream="daily_report")
    result.requests = client.http.requests_sent - before
    log.info("ga4: %d rows for %s..%s into raw.%s", result.rows, start, end, TABLE)
    return result
