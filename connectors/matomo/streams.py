"""Matomo stream `daily_report` -> raw.matomo_daily_report."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.http import HttpClient
from connectors.load import LoadResult, replace_days, to_float, to_int
from connectors.matomo.client import MatomoClient
from connectors.matomo.source import MatomoSource
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.matomo")
TABLE = "matomo_daily_report"


def make_client(cfg: MatomoSource, token: str, **http_kw: Any) -> MatomoClient:
    http = HttpClient(
        "matomo", secrets=[token], token_env=cfg.token_env, **{**cfg.http.client_kwargs(), **http_kw}
    )
    return MatomoClient(http, cfg.base_url, cfg.site_id, token)


def to_record(day: dt.date, m: dict[str, Any], site_id: str) -> dict[str, Any]:
    return {
        "report_date": day,
        "site_id": site_id,
        "nb_visits": to_int(m.get("nb_visits")) or 0,
        "nb_uniq_visitors": to_int(m.get("nb_uniq_visitors")),  # absent unless enabled for ranges
        "nb_actions": to_int(m.get("nb_actions")) or 0,
        "nb_visits_converted": to_int(m.get("nb_visits_converted")) or 0,
        "bounce_count": to_int(m.get("bounce_count")) or 0,
        "sum_visit_length": to_int(m.get("sum_visit_length")) or 0,
        "bounce_rate": to_float(m.get("bounce_rate")),  # "38%" -> 38.0
    }


def load_matomo_daily(warehouse: Warehouse, client: MatomoClient, start: dt.date, end: dt.date) -> LoadResult:
    before = client.http.requests_sent
    by_day = client.visits_summary(start, end)
    records = [to_record(day, m, client.site_id) for day, m in sorted(by_day.items())]
    result = replace_days(warehouse, TABLE, records, start, end, source="matomo", stream="daily_report")
    result.requests = client.http.requests_sent - before
    log.info("matomo: %d days with data in %s..%s", result.rows, start, end)
    return result
