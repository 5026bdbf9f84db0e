"""Plausible stream `daily_report` -> raw.plausible_daily_report."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.http import HttpClient
from connectors.load import LoadResult, replace_days, to_float, to_int
from connectors.plausible.client import PlausibleClient
from connectors.plausible.source import PlausibleSource
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.plausible")
TABLE = "plausible_daily_report"
GOALS_TABLE = "plausible_daily_goals"


def make_client(cfg: PlausibleSource, api_key: str, **http_kw: Any) -> PlausibleClient:
    http = HttpClient(
        "plausible", secrets=[api_key], token_env=cfg.token_env, **{**cfg.http.client_kwargs(), **http_kw}
    )
    return PlausibleClient(http, cfg.base_url, cfg.site_id, api_key, cfg.page_size)


def to_record(row: dict[str, Any], site_id: str) -> dict[str, Any]:
    return {
        "report_date": dt.date.fromisoformat(str(row["time:day"])[:10]),
        "site_id": site_id,
        "source": row.get("visit:source") or "(none)",
        "utm_medium": row.get("visit:utm_medium") or "(none)",
        "utm_campaign": row.get("visit:utm_campaign") or "(none)",
        "visitors": to_int(row.get("visitors")) or 0,
        "visits": to_int(row.get("visits")) or 0,
        "pageviews": to_int(row.get("pageviews")) or 0,
        "bounce_rate": to_float(row.get("bounce_rate")),
        "visit_duration": to_int(row.get("visit_duration")),
    }


def load_plausible_daily(
    warehouse: Warehouse, client: PlausibleClient, start: dt.date, end: dt.date
) -> LoadResult:
    before = client.http.requests_sent
    records = [to_record(r, client.site_id) for r in client.daily(start, end)]
    result = replace_days(warehouse, TABLE, records, start, end, source="plausible", stream="daily_report")
    result.requests = client.http.requests_sent - before
    log.info("plausible: %d rows for %s..%s", result.rows, start, end)
    return result


def goal_record(row: dict[str, Any], site_id: str) -> dict[str, Any]:
    return {
        "report_date": dt.date.fromisoformat(str(row["time:day"])[:10]),
        "site_id": site_id,
        "goal": row.get("event:goal") or "(none)",
        "conversions": to_int(row.get("visitors")) or 0,
        "events": to_int(row.get("events")) or 0,
    }


def load_plausible_goals(
    warehouse: Warehouse, client: PlausibleClient, start: dt.date, end: dt.date
) -> LoadResult:
    """Goal conversions per day and goal over start..end, replacing those days."""
    before = client.http.requests_sent
    records = [goal_record(r, client.site_id) for r in client.daily_goals(start, end)]
    result = replace_days(
        warehouse, GOALS_TABLE, records, start, end, source="plausible", stream="goal_conversions"
    )
    result.requests = client.http.requests_sent - before
    log.info("plausible: %d goal rows for %s..%s", result.rows, start, end)
    return result
