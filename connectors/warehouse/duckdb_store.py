"""DuckDB implementation of the storage layer (the embedded default)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from connectors.warehouse.base import Transaction, Warehouse, quote_ident


class DuckDBTransaction(Transaction):
    def __init__(self, con: duckdb.DuckDBPyConnection, schema: str) -> None:
        self.con = con
        self.schema = schema

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql, list(params) if params is not None else None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, list(params) if params is not None else None).df()

    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [self.schema, table],
        ).fetchall()
        return [r[0] for r in rows]

    def _insert_frame(self, table: str, df: pd.DataFrame) -> None:
        cols = ", ".join(quote_ident(c) for c in df.columns)
        self.con.register("_okr_frame", df)
        try:
            self.con.execute(f"INSERT INTO {self.qualified(table)} ({cols}) SELECT {cols} FROM _okr_frame")
        finally:
            with contextlib.suppress(duckdb.Error):  # after a failed statement: keep the real error
                self.con.unregister("_okr_frame")

    def _delete_keys(self, table: str, df: pd.DataFrame, key: Sequence[str]) -> None:
        # One set-based delete instead of one statement per record.
        keys = df[list(key)].drop_duplicates()
        self.con.register("_okr_keys", keys)
        try:
            self.con.execute(
                f"DELETE FROM {self.qualified(table)} t WHERE EXISTS (SELECT 1 FROM _okr_keys k WHERE "
                f"{_same_key(key)})"
            )
        finally:
            with contextlib.suppress(duckdb.Error):
                self.con.unregister("_okr_keys")

    def upsert_parquet(
        self, table: str, path: Path, columns: Sequence[str], key: Sequence[str], constants: Mapping[str, Any]
    ) -> None:
        """Replace the rows holding the keys of a Parquet file's rows with those rows (its `columns`,
        plus `constants` in every row), in two set-based statements: no row passes through Python."""
        target = self.qualified(table)
        self.con.execute(
            f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM read_parquet(?) k WHERE {_same_key(key)})",
            [str(path)],
        )
        names = ", ".join(quote_ident(c) for c in [*columns, *constants])
        values = ", ".join([*(quote_ident(c) for c in columns), *("?" for _ in constants)])
        self.con.execute(
            f"INSERT INTO {target} ({names}) SELECT {values} FROM read_parquet(?)",
            [*constants.values(), str(path)],
        )


def _same_key(key: Sequence[str]) -> str:
    return " AND ".join(f"t.{quote_ident(k)} = k.{quote_ident(k)}" for k in key)


class DuckDBWarehouse(Warehouse):
    engine = "duckdb"

    def __init__(self, path: str | Path, schema: str = "raw") -> None:
        super().__init__(schema)
        self.path = Path(path)
        self._session: duckdb.DuckDBPyConnection | None = None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.path))

    @contextmanager
    def held_open(self) -> Iterator[None]:
        """Keep the database open in this process for the block (a whole run). DuckDB keeps one
        open database per file and process: while this connection lives, every other one (ours,
        and dbt-duckdb's, which runs in the process) joins it in a fraction of a millisecond
        instead of opening the file again, and the changes are written into the file once, at the
        end, instead of at every last close. A demo night opened the file about 20 times, 25 ms
        or more each. Meanwhile no other process can open the file; during a run the workspace
        lock keeps other runs out anyway (`okr validate` then leaves out what it would read)."""
        con = self._connect()
        try:
            yield
        finally:
            con.close()

    @contextmanager
    def session(self) -> Iterator[DuckDBWarehouse]:
        """One connection for every transaction inside the block (about 10 ms saved per
        transaction when the database is not held open). It holds the file's lock for the whole
        block, so keep the block to a burst of warehouse work."""
        if self._session is not None:  # nested: the outer block's connection
            yield self
            return
        self._session = self._connect()
        try:
            yield self
        finally:
            con, self._session = self._session, None
            con.close()

    @contextmanager
    def transaction(self, schema: str | None = None) -> Iterator[DuckDBTransaction]:
        own = self._session is None
        con = self._connect() if own else self._session
        schema = schema or self.schema
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            con.execute("BEGIN TRANSACTION")
            try:
                yield DuckDBTransaction(con, schema)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            if own:
                con.close()
