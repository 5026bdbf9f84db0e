"""raw.source_load_status: the outcome of the latest load of each source and raw table.

Every load attempt upserts one row per (source, raw_table): `ok` or `failed`, when it was tried,
when it last succeeded (kept from the last good load when this one failed) and the error in one
plain, secret-free sentence. A failed source leaves its earlier rows in place, the other sources
go on, and dbt marks the KRs that read it stale from this table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from connectors.http import redact
from connectors.raw_tables import LOAD_STATUS_COLUMNS, LOAD_STATUS_TABLE, now_utc
from connectors.warehouse import Warehouse

OK = "ok"
FAILED = "failed"
RAW_SCHEMA = "raw"
_MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class LoadFailure:
    """A source whose latest load failed."""

    source: str
    raw_table: str
    attempted_at: dt.datetime
    last_success_at: dt.datetime | None
    error: str


def plain_error(exc: BaseException) -> str:
    """An exception as one secret-free line (the first line of its message, else its type)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return str(redact(text))[:_MAX_ERROR_CHARS]


def record_load(
    warehouse: Warehouse,
    source: str,
    raw_tables: list[str] | tuple[str, ...],
    *,
    error: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Upsert the outcome of one load attempt for each of `raw_tables` (ok when error is None)."""
    at = at or now_utc()
    status = OK if error is None else FAILED
    with warehouse.transaction(RAW_SCHEMA) as tx:
        tx.ensure_table(LOAD_STATUS_TABLE, LOAD_STATUS_COLUMNS)
        stored = tx.query(
            f"SELECT raw_table, last_success_at FROM {tx.qualified(LOAD_STATUS_TABLE)} WHERE source = ?",
            [source],
        )
        previous = {
            r.raw_table: (None if pd.isna(r.last_success_at) else r.last_success_at.to_pydatetime())
            for r in stored.itertuples()
        }
        rows = [
            {
                "source": source,
                "raw_table": table,
                "status": status,
                "attempted_at": at,
                "last_success_at": at if error is None else previous.get(table),
                "error": "" if error is None else str(redact(error))[:_MAX_ERROR_CHARS],
            }
            for table in raw_tables
        ]
        df = pd.DataFrame(rows, columns=list(LOAD_STATUS_COLUMNS))
        for col in ("attempted_at", "last_success_at"):
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
        tx.upsert(LOAD_STATUS_TABLE, df, key=["source", "raw_table"], schema=LOAD_STATUS_COLUMNS)


def source_load_failures(warehouse: Warehouse) -> list[LoadFailure]:
    """Every source and raw table whose latest load failed, by source and table (for the CLI,
    the alerts and the scorecard's data-health page). Empty when none failed or none loaded."""
    with warehouse.transaction(RAW_SCHEMA) as tx:
        tx.ensure_table(LOAD_STATUS_TABLE, LOAD_STATUS_COLUMNS)
        rows = tx.query(
            f"SELECT source, raw_table, attempted_at, last_success_at, error "
            f"FROM {tx.qualified(LOAD_STATUS_TABLE)} WHERE status = ? ORDER BY source, raw_table",
            [FAILED],
        )
    return [
        LoadFailure(
            source=r.source,
            raw_table=r.raw_table,
            attempted_at=r.attempted_at.to_pydatetime(),
            last_success_at=None if pd.isna(r.last_success_at) else r.last_success_at.to_pydatetime(),
            error=r.error or "",
        )
        for r in rows.itertuples()
    ]
