"""Writing API results to raw tables: one transaction per load, so data and incremental state
commit together or not at all. Records whose content did not change are not rewritten (their
`_loaded_at` stays the time they last changed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.raw_tables import RAW_TABLES, now_utc, to_frame
from connectors.warehouse import Warehouse


@dataclass
class LoadResult:
    table: str
    rows: int
    partitions: list[str] = field(default_factory=list)
    state: Any = None
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        """Plain values for Dagster metadata (nothing here comes from a request, so no secret)."""
        meta: dict[str, Any] = {"table": f"raw.{self.table}", "rows": self.rows, "requests": self.requests}
        if self.partitions:
            meta["partitions"] = (
                f"{self.partitions[0]} .. {self.partitions[-1]} ({len(self.partitions)} days)"
            )
        if self.state is not None:
            meta["state"] = str(self.state)
        return meta


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def replace_days(
    warehouse: Warehouse,
    table: str,
    records: Iterable[Mapping[str, Any]],
    start: dt.date,
    end: dt.date,
    *,
    source: str,
    stream: str,
    date_column: str = "report_date",
) -> LoadResult:
    """Make the table hold exactly `records` for every day from start to end (a day the API
    returned nothing for ends up empty, also when an export had loaded it before)."""
    days = days_between(start, end)
    rows = []
    for r in records:
        day = r[date_column]
        if not start <= day <= end:
            continue  # an API answering outside the asked range must not touch other days
        rows.append({**r, "_partition": day.isoformat()})
    meta = {"_source": source, "_stream": stream, "_loaded_at": now_utc()}
    df = to_frame(table, rows, meta)
    compared = [c for c in RAW_TABLES[table] if c not in ("_loaded_at", "_partition")]
    with warehouse.transaction() as tx:
        tx.ensure_table(table, RAW_TABLES[table])
        marks = ", ".join(["?"] * len(days))
        stored = tx.query(
            f"SELECT {', '.join(compared)} FROM {tx.qualified(table)} WHERE {date_column} IN ({marks})",
            list(days),
        )
        # A day whose rows did not change keeps its rows (and their _loaded_at) as they are.
        old, new = _rows_by(stored, table, date_column), _rows_by(df, table, date_column)
        changed = [d for d in days if old.get(d, Counter()) != new.get(d, Counter())]
        fresh = df[df[date_column].isin(changed)]
        tx.replace_where(table, fresh, date_column, changed, schema=RAW_TABLES[table])
    result = LoadResult(table=table, rows=len(df), partitions=[d.isoformat() for d in days])
    if len(changed) < len(days):
        result.notes.append(f"{len(days) - len(changed)} of {len(days)} days unchanged (not rewritten)")
    return result


def _value(value: Any, sql_type: str) -> Any:
    """A stored or fetched value in one comparable form (None for every kind of missing)."""
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if sql_type == "DATE":
        return pd.Timestamp(value).date()
    if sql_type == "TIMESTAMP":
        return pd.Timestamp(value).to_pydatetime()
    if sql_type == "BIGINT":
        return int(value)
    if sql_type == "DOUBLE PRECISION":
        return float(value)
    if sql_type == "BOOLEAN":
        return bool(value)
    return str(value)


def _records(df: pd.DataFrame, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    types = RAW_TABLES[table]
    return [
        tuple(_value(v, types[c]) for c, v in zip(columns, row, strict=True))
        for row in df[list(columns)].itertuples(index=False, name=None)
    ]


def _rows_by(df: pd.DataFrame, table: str, date_column: str) -> dict[dt.date, Counter]:
    """Per day, the multiset of its rows (every column but the load time and partition)."""
    columns = [c for c in RAW_TABLES[table] if c not in ("_loaded_at", "_partition") and c in df.columns]
    out: dict[dt.date, Counter] = {}
    index = columns.index(date_column)
    for rec in _records(df, table, columns):
        out.setdefault(rec[index], Counter())[rec] += 1
    return out


def _unchanged_mask(tx: Any, table: str, df: pd.DataFrame, key: Sequence[str]) -> pd.Series:
    """True for the records whose stored row has exactly the same content (so upserting them
    again would only churn `_loaded_at`)."""
    compared = [c for c in RAW_TABLES[table] if c not in ("_loaded_at", "_partition")]
    stored = tx.query(f"SELECT {', '.join(compared)} FROM {tx.qualified(table)}")
    if stored.empty or df.empty:
        return pd.Series(False, index=df.index)
    key_at = [compared.index(k) for k in key]
    known = {tuple(r[i] for i in key_at): r for r in _records(stored, table, compared)}
    new = _records(df, table, compared)
    return pd.Series([known.get(tuple(r[i] for i in key_at)) == r for r in new], index=df.index)


def upsert_records(
    warehouse: Warehouse,
    table: str,
    records: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    version_column: str,
    source: str,
    stream: str,
    state_key: str,
    state_value: Any,
) -> LoadResult:
    """Upsert records by key (the newest version wins) and move the high-water mark, together."""
    loaded_at = now_utc()
    meta = {
        "_source": source,
        "_stream": stream,
        "_loaded_at": loaded_at,
        "_partition": loaded_at.date().isoformat(),
    }
    df = to_frame(table, records, meta)
    with warehouse.transaction() as tx:
        tx.ensure_table(table, RAW_TABLES[table])
        df = df[~_unchanged_mask(tx, table, df, key)]  # unchanged records keep their _loaded_at
        written = tx.upsert(table, df, key=list(key), version_column=version_column, schema=RAW_TABLES[table])
        if state_value is not None:
            tx.set_state(state_key, state_value)
    return LoadResult(table=table, rows=written, state=state_value)


def parse_api_timestamp(value: Any) -> dt.datetime | None:
    """ISO-8601 from an API (`2024-01-05T10:12:44.123Z`, `2024-01-04 10:44:11` in UTC) -> naive UTC."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():  # epoch milliseconds
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC).replace(tzinfo=None)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def utc_to_local(value: dt.datetime | None, zone: str) -> dt.datetime | None:
    """Naive UTC -> naive local time in `zone` (how raw tables store event times)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def to_int(value: Any) -> int | None:
    """An API number (often a string: "123", "12.0") as int; None when absent."""
    if value in (None, ""):
        return None
    number = float(value)
    return int(number)


def to_float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    return float(value)
