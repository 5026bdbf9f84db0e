"""Writing API results to raw tables: one transaction per load, so data and incremental state
commit together or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

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
    with warehouse.transaction() as tx:
        tx.replace_where(table, df, date_column, days, schema=RAW_TABLES[table])
    return LoadResult(table=table, rows=len(df), partitions=[d.isoformat() for d in days])


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
