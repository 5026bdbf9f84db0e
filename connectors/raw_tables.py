"""The raw tables the connectors write (schema `raw`), their columns, and `ensure_raw_tables`.

API sources declare their tables in their descriptors (connectors/registry.py); this module adds
the load metadata columns, the tables only hand exports write, and the bookkeeping tables.

API loaders and export presets for the same source write the same columns, already typed and
normalised (event timestamps as naive local time of the workspace zone, so that
`cast(ts as date)` is the local day in any database; `_loaded_at` in UTC; stage values as the
source's internal values; no personal data except a hash of the e-mail address), so dbt staging
only renames and casts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from connectors.registry import sources
from connectors.warehouse import Warehouse

# Every raw source table carries these (docs/architecture.md).
METADATA_COLUMNS: dict[str, str] = {
    "_source": "VARCHAR",  # the connector that wrote the row: ga4, hubspot, ..., or exports
    "_stream": "VARCHAR",  # the stream or export preset, e.g. daily_report, hubspot_contacts_export
    "_loaded_at": "TIMESTAMP",  # UTC
    "_partition": "VARCHAR",  # the day (YYYY-MM-DD) an API load replaced, or the export file name
}

# Tables only hand exports write (connectors/exports/presets.py). An API source that comes to
# write one of them declares it in its descriptor, which then takes precedence here.
_EXPORT_ONLY_COLUMNS: dict[str, dict[str, str]] = {
    "salesforce_opportunities": {
        "opportunity_id": "VARCHAR",
        "opportunity_name": "VARCHAR",
        "stage": "VARCHAR",
        "amount": "DOUBLE PRECISION",
        "close_date": "DATE",
        "created_at": "TIMESTAMP",
        "lead_source": "VARCHAR",
        "campaign": "VARCHAR",
        "is_won": "BOOLEAN",
        "is_closed": "BOOLEAN",
    },
    # Hand-exported ad spend; the ad-platform APIs write <source>_campaign_days (same columns).
    "ad_spend": {
        "spend_date": "DATE",
        "platform": "VARCHAR",
        "campaign": "VARCHAR",
        "impressions": "BIGINT",
        "clicks": "BIGINT",
        "cost": "DOUBLE PRECISION",  # in `currency`
        "currency": "VARCHAR",
        "account": "VARCHAR",  # the ad account (customer id, act_ id, sponsored account id)
        "conversions": "DOUBLE PRECISION",  # platform-attributed conversions
        "conversions_value": "DOUBLE PRECISION",  # their value, in `currency`
    },
    # The user's exchange rates (an export they maintain): from rate_date on, one unit of
    # `currency` is `rate` units of the workspace currency (dbt var workspace_currency).
    "currency_rates": {
        "rate_date": "DATE",
        "currency": "VARCHAR",  # ISO 4217 code, e.g. USD, SEK
        "rate": "DOUBLE PRECISION",
    },
}


def _data_columns() -> dict[str, dict[str, str]]:
    """Every raw table's data columns: the registered sources' tables, then the export-only ones."""
    out = {t.name: dict(t.columns) for d in sources() for t in d.raw_tables}
    for name, cols in _EXPORT_ONLY_COLUMNS.items():
        if name in out:
            missing = sorted(set(cols) - set(out[name]))
            if missing:  # the export presets still write these columns
                raise ValueError(f"raw.{name}: the source descriptor lacks the export columns {missing}")
            continue
        out[name] = cols
    return out


RAW_TABLES: dict[str, dict[str, str]] = {
    name: {**cols, **METADATA_COLUMNS} for name, cols in _data_columns().items()
}

# The registry of export files (one row per file name; no load metadata of its own).
EXPORT_FILES_TABLE = "export_files"
EXPORT_FILES_COLUMNS: dict[str, str] = {
    "file_name": "VARCHAR",  # path relative to the export folder
    "content_hash": "VARCHAR",  # sha256 of the bytes
    "preset": "VARCHAR",
    "table_name": "VARCHAR",
    "loaded_at": "TIMESTAMP",
    "rows": "BIGINT",
    "status": "VARCHAR",  # loaded | rejected | duplicate
    "error": "VARCHAR",  # one sentence naming the file (and the first bad lines)
    "rejected_rows": "BIGINT",  # rows with a bad value, a wrong field count or a repeated key
    "problems": "VARCHAR",  # JSON list of {line, column, problem} (the first 200)
}

# The metrics whose sources failed an ERROR data check (written by the quality gate, created
# empty with the OKR definitions so the scoring SQL can always join it).
BLOCKED_METRICS_TABLE = "okr_blocked_metrics"
BLOCKED_METRICS_COLUMNS: dict[str, str] = {"metric": "VARCHAR", "severity": "VARCHAR", "reason": "VARCHAR"}

# The outcome of the latest load attempt of each source and raw table (one row each, upserted):
# a failed source is recorded here and the night goes on (connectors/load_status.py).
LOAD_STATUS_TABLE = "source_load_status"
LOAD_STATUS_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",  # ga4, hubspot, ..., or exports
    "raw_table": "VARCHAR",
    "status": "VARCHAR",  # ok | failed
    "attempted_at": "TIMESTAMP",  # UTC
    "last_success_at": "TIMESTAMP",  # UTC; kept from the last good load when this one failed
    "error": "VARCHAR",  # one plain sentence, secret-free; empty when ok
}


def now_utc() -> dt.datetime:
    """The load time stamp: UTC, without zone (the warehouse column is a plain TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def ensure_raw_tables(warehouse: Warehouse, tables: Iterable[str] | None = None) -> list[str]:
    """Create every known raw table (empty) that does not exist yet, and the export registry.

    Call this before dbt runs: the staging views of every source select from their raw table,
    so they compile and build (empty) even for a source that never loaded. Existing tables and
    rows are left as they are; missing columns are added. Returns the table names ensured.
    """
    names = list(tables) if tables is not None else list(RAW_TABLES)
    with warehouse.transaction() as tx:
        tx.ensure_tables(
            {
                **{name: RAW_TABLES[name] for name in names},
                EXPORT_FILES_TABLE: EXPORT_FILES_COLUMNS,
                LOAD_STATUS_TABLE: LOAD_STATUS_COLUMNS,
            }
        )
    return [*names, EXPORT_FILES_TABLE, LOAD_STATUS_TABLE]


_PANDAS_TYPES = {
    "BIGINT": "Int64",
    "DOUBLE PRECISION": "Float64",
    "BOOLEAN": "boolean",
    "VARCHAR": "object",
}


def to_frame(
    table: str, records: Iterable[Mapping[str, Any]], metadata: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Rows for `table` as a DataFrame with exactly its columns, in order, with nullable dtypes.

    `metadata` supplies the load columns (`_source`, `_stream`, `_loaded_at`, `_partition`);
    a record's own `_partition` wins over the default, so one load can cover several days.
    """
    columns = RAW_TABLES[table]
    rows = [{**(metadata or {}), **r} for r in records]
    unknown = sorted({k for r in rows for k in r} - set(columns))
    if unknown:
        raise ValueError(f"raw.{table}: unknown column(s) {', '.join(unknown)}")
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col, sql_type in columns.items():
        if sql_type in _PANDAS_TYPES:
            df[col] = df[col].astype(_PANDAS_TYPES[sql_type])
        elif sql_type == "TIMESTAMP":
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
        elif sql_type == "DATE":
            df[col] = df[col].astype("object")
    return df
