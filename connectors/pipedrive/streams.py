"""Pipedrive stream `deals` -> raw.pipedrive_deals, upserted by id (newest update wins)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connectors.http import HttpClient
from connectors.load import LoadResult, parse_api_timestamp, to_float, upsert_records, utc_to_local
from connectors.pipedrive.client import PipedriveClient, pipedrive_retry_hook
from connectors.pipedrive.source import PipedriveSource
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.pipedrive")
STATE_KEY = "pipedrive.deals.high_water"


def make_client(cfg: PipedriveSource, token: str, **http_kw: Any) -> PipedriveClient:
    http = HttpClient(
        "pipedrive",
        secrets=[token],
        token_env=cfg.token_env,
        retry_hook=pipedrive_retry_hook,
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    return PipedriveClient(http, cfg.base_url, token, cfg.page_size)


def _id(value: Any) -> str | None:
    if isinstance(value, dict):  # v1-style {"value": 7, "name": ...}
        value = value.get("value") or value.get("id")
    return None if value in (None, "") else str(value)


def deal_record(d: dict[str, Any], zone: str) -> dict[str, Any]:
    expected = d.get("expected_close_date")
    return {
        "deal_id": str(d["id"]),
        "title": d.get("title"),
        "value": to_float(d.get("value")),
        "currency": d.get("currency"),
        "status": d.get("status"),
        "stage_id": _id(d.get("stage_id")),
        "stage_name": None,
        "pipeline_id": _id(d.get("pipeline_id")),
        "pipeline_name": None,
        "owner_id": _id(d.get("owner_id", d.get("user_id"))),
        "created_at": utc_to_local(parse_api_timestamp(d.get("add_time")), zone),
        "updated_at": utc_to_local(parse_api_timestamp(d.get("update_time")), zone),
        "won_at": utc_to_local(parse_api_timestamp(d.get("won_time")), zone),
        "lost_at": utc_to_local(parse_api_timestamp(d.get("lost_time")), zone),
        "expected_close_date": dt.date.fromisoformat(expected[:10]) if expected else None,
        "is_deleted": bool(d.get("is_deleted", False)),
    }


def load_pipedrive_deals(
    warehouse: Warehouse,
    client: PipedriveClient,
    *,
    timezone: str = "Europe/Helsinki",
    full_refresh: bool = False,
) -> LoadResult:
    mark = None if full_refresh else warehouse.get_state(STATE_KEY)
    since = dt.datetime.fromisoformat(mark) if mark else None  # updated_since is inclusive
    before = client.http.requests_sent
    fetched = list(client.deals(since))
    records = [deal_record(d, timezone) for d in fetched]
    # The mark stays in UTC: it goes back to the API as updated_since.
    marks = [m for m in (parse_api_timestamp(d.get("update_time")) for d in fetched) if m is not None]
    new_mark = max(marks).isoformat() if marks else mark
    result = upsert_records(
        warehouse,
        "pipedrive_deals",
        records,
        key=["deal_id"],
        version_column="updated_at",
        source="pipedrive",
        stream="deals",
        state_key=STATE_KEY,
        state_value=new_mark,
    )
    result.requests = client.http.requests_sent - before
    log.info(
        "pipedrive: deals: %d fetched, %d written (since %s)", len(records), result.rows, since or "the start"
    )
    return result
