"""Salesforce streams `opportunities`, `leads`, `contacts` -> raw.salesforce_<stream>.

Incremental by `SystemModstamp` (indexed, and it moves on every change, system ones included):
the first run (or a full refresh) reads every record; later runs read records stamped at or after
the stored mark minus a few minutes, oldest first. Queries go through `queryAll`, so records
deleted since the last run come back with `IsDeleted = true` and are kept flagged (staging leaves
them out). Records are upserted by id, the newest `updated_at` winning, and the mark moves in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from connectors.exports.presets import email_hash
from connectors.http import HttpClient
from connectors.load import LoadResult, parse_api_timestamp, to_float, upsert_records, utc_to_local
from connectors.registry import SourcesError
from connectors.salesforce.client import (
    SalesforceClient,
    client_credentials,
    jwt_bearer,
    load_private_key,
    salesforce_retry_hook,
)
from connectors.salesforce.source import SalesforceSource
from connectors.warehouse import Warehouse

log = logging.getLogger("connectors.salesforce")
KEYS = {"opportunities": "opportunity_id", "leads": "lead_id", "contacts": "contact_id"}
OVERLAP = dt.timedelta(minutes=5)

OBJECTS = {
    "opportunities": (
        "Opportunity",
        "Id, Name, StageName, Amount, CloseDate, CreatedDate, LeadSource, Campaign.Name, IsWon, IsClosed",
    ),
    "leads": ("Lead", "Id, Email, Status, LeadSource, IsConverted, ConvertedDate, CreatedDate"),
    "contacts": ("Contact", "Id, Email, LeadSource, CreatedDate"),
}


def make_client(cfg: SalesforceSource, secrets: Mapping[str, str], **http_kw: Any) -> SalesforceClient:
    """A client with a token from the configured flow; errors name the variables to check."""
    client_id = secrets.get("client_id", "")
    http = HttpClient(
        "salesforce",
        secrets=[secrets.get("client_secret"), secrets.get("private_key"), client_id],
        retry_hook=salesforce_retry_hook,
        token_env=f"{cfg.client_id_env} and "
        + (cfg.client_secret_env if cfg.auth == "client_credentials" else cfg.private_key_env),
        **{**cfg.http.client_kwargs(), **http_kw},
    )
    if cfg.auth == "client_credentials":
        if not secrets.get("client_secret"):
            raise SourcesError(
                f"salesforce: auth is client_credentials: set {cfg.client_secret_env} (the consumer secret)"
            )
        envs = f"{cfg.client_id_env} and {cfg.client_secret_env}"
        auth = client_credentials(http, cfg.base_url, client_id, secrets["client_secret"], envs)
    else:
        if not secrets.get("private_key") or not cfg.username:
            raise SourcesError(
                f"salesforce: auth is jwt_bearer: set {cfg.private_key_env} (the private key) "
                "and salesforce.username in sources.yml"
            )
        key = load_private_key(secrets["private_key"], cfg.private_key_env)
        envs = f"{cfg.client_id_env} and {cfg.private_key_env}"
        auth = jwt_bearer(http, cfg.base_url, client_id, cfg.username, key, envs)
    return SalesforceClient(http, cfg.api_version, auth, cfg.batch_size)


def soql(obj: str, since: dt.datetime | None, multi_currency: bool = False) -> str:
    sobject, fields = OBJECTS[obj]
    fields += ", SystemModstamp, IsDeleted" + (
        ", CurrencyIsoCode" if multi_currency and obj == "opportunities" else ""
    )
    where = f" WHERE SystemModstamp >= {since.strftime('%Y-%m-%dT%H:%M:%SZ')}" if since else ""
    return f"SELECT {fields} FROM {sobject}{where} ORDER BY SystemModstamp ASC"


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def to_record(obj: str, rec: dict[str, Any], zone: str) -> dict[str, Any]:
    """A SOQL record (datetimes like 2026-01-05T10:12:44.000+0000, dates plain) -> a raw row."""

    def local(field: str) -> dt.datetime | None:
        return utc_to_local(parse_api_timestamp(rec.get(field)), zone)

    state = {
        "created_at": local("CreatedDate"),
        "updated_at": local("SystemModstamp"),
        "is_deleted": bool(rec.get("IsDeleted")),
    }
    email = rec.get("Email")
    if obj == "opportunities":
        return {
            "opportunity_id": rec["Id"],
            "opportunity_name": rec.get("Name"),
            "stage": rec.get("StageName"),
            "amount": to_float(rec.get("Amount")),
            "close_date": _date(rec.get("CloseDate")),
            "lead_source": rec.get("LeadSource"),
            "campaign": (rec.get("Campaign") or {}).get("Name"),
            "is_won": rec.get("IsWon"),
            "is_closed": rec.get("IsClosed"),
            "currency": rec.get("CurrencyIsoCode"),
            **state,
        }
    if obj == "leads":
        return {
            "lead_id": rec["Id"],
            "email_hash": email_hash(email) if email else None,
            "status": rec.get("Status"),
            "lead_source": rec.get("LeadSource"),
            "is_converted": rec.get("IsConverted"),
            "converted_date": _date(rec.get("ConvertedDate")),
            **state,
        }
    return {
        "contact_id": rec["Id"],
        "email_hash": email_hash(email) if email else None,
        "lead_source": rec.get("LeadSource"),
        **state,
    }


def load_salesforce_object(
    warehouse: Warehouse,
    client: SalesforceClient,
    obj: str,
    *,
    timezone: str = "Europe/Helsinki",
    multi_currency: bool = False,
    full_refresh: bool = False,
) -> LoadResult:
    """Load `opportunities`, `leads` or `contacts` incrementally (everything on the first run)."""
    state_key = f"salesforce.{obj}.high_water"
    mark = None if full_refresh else warehouse.get_state(state_key)
    since = dt.datetime.fromisoformat(mark) - OVERLAP if mark else None
    before = client.http.requests_sent
    fetched = list(client.query_all(soql(obj, since, multi_currency), obj))
    stamps = [s for s in (parse_api_timestamp(r.get("SystemModstamp")) for r in fetched) if s is not None]
    new_mark = max(stamps).isoformat() if stamps else mark
    table = f"salesforce_{obj}"
    result = upsert_records(
        warehouse,
        table,
        [to_record(obj, r, timezone) for r in fetched],
        key=[KEYS[obj]],
        version_column="updated_at",
        source="salesforce",
        stream=obj,
        state_key=state_key,
        state_value=new_mark,
    )
    result.requests = client.http.requests_sent - before
    mode = f"stamped since {since.isoformat()}" if since else "full load"
    result.notes.append(mode)
    deleted = sum(1 for r in fetched if r.get("IsDeleted"))
    log.info(
        "salesforce: %s: %d records fetched (%d deleted), %d written; %s",
        obj,
        len(fetched),
        deleted,
        result.rows,
        mode,
    )
    return result
