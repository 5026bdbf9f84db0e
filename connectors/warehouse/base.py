"""The storage layer every loader writes through: one interface, one implementation per engine.

All writes happen inside `Warehouse.transaction()`, so a load that fails half-way leaves the
tables exactly as they were. Loaders never build engine-specific SQL themselves; the few
statements that differ between engines live in the engine modules.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

STATE_TABLE = "load_state"


def quote_ident(name: str) -> str:
    """Quote a table or column name after checking it is a plain identifier (no injection)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid SQL identifier: {name!r}")
    return f'"{name}"'


def infer_sql_type(series: pd.Series) -> str:
    """A portable SQL type for a pandas column, used only when the caller gives no schema."""
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "BIGINT"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE PRECISION"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "TIMESTAMP"
    sample = series.dropna()
    if not sample.empty:
        first = sample.iloc[0]
        if isinstance(first, dt.datetime):
            return "TIMESTAMP"
        if isinstance(first, dt.date):
            return "DATE"
    return "VARCHAR"


def _comparable(values: pd.Series) -> pd.Series:
    """Versions compared by value: timestamps as instants (a loader's '...T08:00:00Z' and the
    store's '... 08:00:00' are the same moment), numbers as numbers, anything else as text."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    try:
        return pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError):
        return values.astype(str)


class Transaction(ABC):
    """Writes that commit together or not at all."""

    schema: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame: ...

    @abstractmethod
    def _insert_frame(self, table: str, df: pd.DataFrame) -> None:
        """Insert all rows of df (columns already aligned with the table)."""

    @abstractmethod
    def table_columns(self, table: str) -> list[str]:
        """Column names of schema.table in order, or [] when the table does not exist."""

    def qualified(self, table: str) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(table)}"

    def schema_columns(self) -> dict[str, list[str]]:
        """Column names of every table and view of the schema, in order, by name."""
        rows = self.query(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
            [self.schema],
        )
        out: dict[str, list[str]] = {}
        for table, column in rows.itertuples(index=False):
            out.setdefault(table, []).append(column)
        return out

    def ensure_table(self, table: str, columns: Mapping[str, str]) -> None:
        """Create schema.table with the given column types unless it exists; add missing columns."""
        self._ensure(table, columns, self.table_columns(table))

    def ensure_tables(self, tables: Mapping[str, Mapping[str, str]]) -> None:
        """`ensure_table` for each table, reading what exists in one query (not one a table)."""
        existing = self.schema_columns()
        for table, columns in tables.items():
            self._ensure(table, columns, existing.get(table, []))

    def _column_types(self, columns: Mapping[str, str]) -> Mapping[str, str]:
        """The column types as this engine writes them."""
        return columns

    def _ensure(self, table: str, columns: Mapping[str, str], existing: Sequence[str]) -> None:
        columns = self._column_types(columns)
        if not existing:
            cols = ", ".join(f"{quote_ident(c)} {t}" for c, t in columns.items())
            self.execute(f"CREATE TABLE {self.qualified(table)} ({cols})")
            return
        for col, typ in columns.items():
            if col not in existing:
                self.execute(f"ALTER TABLE {self.qualified(table)} ADD COLUMN {quote_ident(col)} {typ}")

    def _columns_for(self, df: pd.DataFrame, schema: Mapping[str, str] | None) -> dict[str, str]:
        schema = dict(schema or {})
        return {c: schema.get(c) or infer_sql_type(df[c]) for c in df.columns}

    def insert(self, table: str, df: pd.DataFrame, schema: Mapping[str, str] | None = None) -> int:
        """Append rows, creating the table from `schema` (column -> SQL type) when needed."""
        self.ensure_table(table, self._columns_for(df, schema))
        if not df.empty:
            self._insert_frame(table, df)
        return len(df)

    def replace_all(self, table: str, df: pd.DataFrame, schema: Mapping[str, str] | None = None) -> int:
        """Make the table hold exactly these rows."""
        self.ensure_table(table, self._columns_for(df, schema))
        self.execute(f"DELETE FROM {self.qualified(table)}")
        if not df.empty:
            self._insert_frame(table, df)
        return len(df)

    def replace_where(
        self,
        table: str,
        df: pd.DataFrame,
        column: str,
        values: Iterable[Any],
        schema: Mapping[str, str] | None = None,
    ) -> int:
        """Delete the rows whose `column` is in `values`, then insert df (a partition or a file)."""
        self.ensure_table(table, self._columns_for(df, schema))
        values = list(values)
        if values:
            marks = ", ".join(["?"] * len(values))
            self.execute(
                f"DELETE FROM {self.qualified(table)} WHERE {quote_ident(column)} IN ({marks})", values
            )
        if not df.empty:
            self._insert_frame(table, df)
        return len(df)

    def upsert(
        self,
        table: str,
        df: pd.DataFrame,
        key: Sequence[str],
        version_column: str | None = None,
        schema: Mapping[str, str] | None = None,
    ) -> int:
        """Insert or replace records by key; with `version_column` the newest version wins,
        both inside df and against what is stored."""
        if df.empty:
            self.ensure_table(table, self._columns_for(df, schema))
            return 0
        if version_column:
            df = df.sort_values(version_column, kind="stable").drop_duplicates(list(key), keep="last")
        else:
            df = df.drop_duplicates(list(key), keep="last")
        self.ensure_table(table, self._columns_for(df, schema))
        if version_column and self.table_columns(table):
            stored = self.query(
                f"SELECT {', '.join(quote_ident(k) for k in key)}, {quote_ident(version_column)} AS _v "
                f"FROM {self.qualified(table)}"
            )
            if not stored.empty:
                merged = df.merge(stored, on=list(key), how="left")
                newer = (
                    merged["_v"].isna()
                    | (_comparable(merged[version_column]) >= _comparable(merged["_v"])).to_numpy()
                )
                df = df[newer.to_numpy()]
        if df.empty:
            return 0
        self._delete_keys(table, df, key)
        self._insert_frame(table, df)
        return len(df)

    def _delete_keys(self, table: str, df: pd.DataFrame, key: Sequence[str]) -> None:
        cond = " AND ".join(f"{quote_ident(k)} = ?" for k in key)
        for row in df[list(key)].drop_duplicates().itertuples(index=False):
            self.execute(f"DELETE FROM {self.qualified(table)} WHERE {cond}", list(row))

    # Incremental state (cursors, high-water marks) commits with the data it describes.
    def get_state(self, key: str) -> Any:
        self.ensure_table(
            STATE_TABLE, {"state_key": "VARCHAR", "state_value": "VARCHAR", "updated_at": "TIMESTAMP"}
        )
        rows = self.query(f"SELECT state_value FROM {self.qualified(STATE_TABLE)} WHERE state_key = ?", [key])
        return None if rows.empty else json.loads(rows.iloc[0, 0])

    def set_state(self, key: str, value: Any) -> None:
        self.ensure_table(
            STATE_TABLE, {"state_key": "VARCHAR", "state_value": "VARCHAR", "updated_at": "TIMESTAMP"}
        )
        self.execute(f"DELETE FROM {self.qualified(STATE_TABLE)} WHERE state_key = ?", [key])
        self.execute(
            f"INSERT INTO {self.qualified(STATE_TABLE)} VALUES (?, ?, ?)",
            [key, json.dumps(value, default=str), dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )


class Warehouse(ABC):
    """A warehouse connection factory. Connections are short-lived: outside a run, other processes
    can open a DuckDB file between them (a run holds it open throughout: `held_open`)."""

    engine: str

    def __init__(self, schema: str = "raw") -> None:
        self.schema = schema

    @abstractmethod
    @contextmanager
    def transaction(self, schema: str | None = None) -> Iterator[Transaction]: ...

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        """Transactions inside this block share one connection (each still commits on its own).
        For a burst of reads: opening a connection per read was a large part of a night's
        warehouse time. Engines whose connections are cheap to open keep one per transaction."""
        yield self

    @contextmanager
    def held_open(self) -> Iterator[None]:
        """Keep the warehouse open in this process for the block (a whole run), where opening it is
        costly. Engines with cheap connections do nothing."""
        yield

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self.transaction() as tx:
            return tx.query(sql, params)

    def table_columns(self, table: str, schema: str | None = None) -> list[str]:
        with self.transaction(schema) as tx:
            return tx.table_columns(table)

    def get_state(self, key: str) -> Any:
        with self.transaction() as tx:
            return tx.get_state(key)
