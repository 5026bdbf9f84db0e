"""PostgreSQL implementation of the storage layer (for teams whose warehouse is a shared server).

Same contract as the DuckDB store: every write of a load happens in one transaction that commits
at the end or rolls back on any error. Loaders write `?` placeholders (DuckDB's style); they are
translated to psycopg2's `%s` here. Connection settings come from the same OKR_PG_* variables as
the dbt `postgres` target, so loaders and dbt always see the same database. The password is only
ever handed to libpq: it is kept out of repr(), logs and error messages.

One file because it is one implementation of the `Warehouse` contract in `base.py`, read side
by side with `duckdb_store.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import psycopg2
import psycopg2.extensions
import psycopg2.extras

from connectors.warehouse.base import Transaction, Warehouse, quote_ident

# PostgreSQL silently truncates longer names, which would make two long names collide.
MAX_IDENTIFIER_BYTES = 63
_INSERT_PAGE_SIZE = 1000

# DuckDB type names a loader schema may use that PostgreSQL spells differently (or lacks).
# Keys are upper-case base names; parameters like VARCHAR(20) or DECIMAL(18,2) pass through.
_TYPE_MAP = {
    "DOUBLE": "DOUBLE PRECISION",
    "FLOAT8": "DOUBLE PRECISION",
    "FLOAT": "REAL",  # DuckDB FLOAT is 4 bytes; PostgreSQL FLOAT without precision is 8
    "FLOAT4": "REAL",
    "TINYINT": "SMALLINT",
    "INT1": "SMALLINT",
    "UTINYINT": "SMALLINT",
    "USMALLINT": "INTEGER",
    "UINTEGER": "BIGINT",
    "UBIGINT": "NUMERIC(20, 0)",
    "HUGEINT": "NUMERIC(38, 0)",
    "INT128": "NUMERIC(38, 0)",
    "STRING": "TEXT",
    "BLOB": "BYTEA",
    "DATETIME": "TIMESTAMP",
    "TIMESTAMP_NS": "TIMESTAMP",
    "TIMESTAMP_MS": "TIMESTAMP",
    "TIMESTAMP_S": "TIMESTAMP",
}


class PostgresConfigError(ValueError):
    """An OKR_PG_* variable is missing or malformed."""


def postgres_type(sql_type: str) -> str:
    """The PostgreSQL spelling of a (possibly DuckDB-flavoured) column type."""
    base = sql_type.strip()
    return _TYPE_MAP.get(base.upper(), base)


def check_identifier_length(name: str) -> str:
    if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        raise ValueError(
            f"identifier {name!r} exceeds PostgreSQL's {MAX_IDENTIFIER_BYTES} bytes: use a shorter one"
        )
    return name


def to_pyformat(sql: str) -> str:
    """Translate `?` placeholders to `%s` and escape literal `%` as `%%` for psycopg2.

    `?` inside quoted strings, quoted identifiers and comments is left alone.
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # doubled quote = escaped quote
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _python_value(v: Any) -> Any:
    """A value psycopg2 can adapt: NaN/NaT/NA become NULL, numpy scalars become Python ones."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):  # lists, dicts: not scalars
        return v
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, str | bytes):  # numpy scalar
        return v.item()
    return v


def _frame_rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(_python_value(v) for v in row) for row in df.astype(object).itertuples(index=False)]


_DATE_OID, _TIMESTAMP_OID, _NUMERIC_OID = 1082, 1114, 1700


def _duckdb_like_dtypes(frame: pd.DataFrame, type_codes: Sequence[int]) -> pd.DataFrame:
    """Give query results the dtypes DuckDB's .df() gives, so callers work on either engine:
    DATE and TIMESTAMP as datetime64[us], NUMERIC as float64 (psycopg2 returns date/Decimal)."""
    for pos, oid in enumerate(type_codes):
        col = frame.iloc[:, pos]
        if oid in (_DATE_OID, _TIMESTAMP_OID):
            frame.isetitem(pos, pd.to_datetime(col).astype("datetime64[us]"))
        elif oid == _NUMERIC_OID:
            frame.isetitem(pos, pd.to_numeric(col).astype("float64"))
    return frame


class PostgresTransaction(Transaction):
    def __init__(self, con: psycopg2.extensions.connection, schema: str) -> None:
        self.con = con
        self.schema = schema

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self.con.cursor() as cur:
            if params is None:
                cur.execute(sql)
            else:
                cur.execute(to_pyformat(sql), [_python_value(p) for p in params])

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self.con.cursor() as cur:
            if params is None:
                cur.execute(sql)
            else:
                cur.execute(to_pyformat(sql), [_python_value(p) for p in params])
            description = cur.description
            frame = pd.DataFrame(cur.fetchall(), columns=[d.name for d in description])
        return _duckdb_like_dtypes(frame, [d.type_code for d in description])

    def qualified(self, table: str) -> str:
        check_identifier_length(table)
        check_identifier_length(self.schema)
        return super().qualified(table)

    def table_columns(self, table: str) -> list[str]:
        with self.con.cursor() as cur:
            cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                [self.schema, table],
            )
            return [r[0] for r in cur.fetchall()]

    def _column_types(self, columns: Mapping[str, str]) -> Mapping[str, str]:
        for col in columns:
            check_identifier_length(col)
        return {c: postgres_type(t) for c, t in columns.items()}

    def _insert_frame(self, table: str, df: pd.DataFrame) -> None:
        cols = ", ".join(quote_ident(c) for c in df.columns)
        with self.con.cursor() as cur:
            # execute_values sends multi-row VALUES pages: one round trip per 1000 rows.
            psycopg2.extras.execute_values(
                cur,
                f"INSERT INTO {self.qualified(table)} ({cols}) VALUES %s",
                _frame_rows(df),
                page_size=_INSERT_PAGE_SIZE,
            )

    def _delete_keys(self, table: str, df: pd.DataFrame, key: Sequence[str]) -> None:
        # One set-based delete. The keys go through a temp table shaped like the target's key
        # columns, so literals get the column types (a bare VALUES list would compare date = text).
        keys = df[list(key)].drop_duplicates()
        key_cols = ", ".join(quote_ident(k) for k in key)
        cond = " AND ".join(f"t.{quote_ident(k)} = k.{quote_ident(k)}" for k in key)
        with self.con.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE _okr_keys ON COMMIT DROP AS "
                f"SELECT {key_cols} FROM {self.qualified(table)} WITH NO DATA"
            )
            psycopg2.extras.execute_values(
                cur,
                f"INSERT INTO _okr_keys ({key_cols}) VALUES %s",
                _frame_rows(keys),
                page_size=_INSERT_PAGE_SIZE,
            )
            cur.execute(f"DELETE FROM {self.qualified(table)} t USING _okr_keys k WHERE {cond}")
            cur.execute("DROP TABLE _okr_keys")


@dataclass(frozen=True)
class PostgresSettings:
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "okr"
    password: str = field(default="", repr=False)
    database: str = "okr"
    sslmode: str | None = None

    def describe(self) -> str:
        """Where we connect, for messages: never includes the password."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


class PostgresWarehouse(Warehouse):
    engine = "postgres"

    def __init__(self, settings: PostgresSettings, schema: str = "raw") -> None:
        super().__init__(schema)
        self.settings = settings

    def __repr__(self) -> str:
        return f"PostgresWarehouse({self.settings.describe()}, schema={self.schema!r})"

    @classmethod
    def from_env(cls, schema: str = "raw", environ: Mapping[str, str] | None = None) -> PostgresWarehouse:
        """Read OKR_PG_HOST/PORT/USER/PASSWORD/DATABASE (and optional OKR_PG_SSLMODE).

        Defaults match the dbt profile's `postgres` target.
        """
        env = os.environ if environ is None else environ
        port_text = env.get("OKR_PG_PORT", "5432").strip()
        if not re.fullmatch(r"\d{1,5}", port_text) or not 0 < int(port_text) < 65536:
            raise PostgresConfigError(f"OKR_PG_PORT: expected a TCP port number, got {port_text!r}")
        settings = PostgresSettings(
            host=env.get("OKR_PG_HOST", "127.0.0.1"),
            port=int(port_text),
            user=env.get("OKR_PG_USER", "okr"),
            password=env.get("OKR_PG_PASSWORD", ""),
            database=env.get("OKR_PG_DATABASE", "okr"),
            sslmode=env.get("OKR_PG_SSLMODE") or None,
        )
        required = {
            "OKR_PG_HOST": settings.host,
            "OKR_PG_USER": settings.user,
            "OKR_PG_DATABASE": settings.database,
        }
        for var, value in required.items():
            if not value.strip():
                raise PostgresConfigError(f"{var}: must not be empty")
        return cls(settings, schema=schema)

    def connect(self) -> psycopg2.extensions.connection:
        s = self.settings
        kwargs: dict[str, Any] = {
            "host": s.host,
            "port": s.port,
            "user": s.user,
            "password": s.password,
            "dbname": s.database,
            "connect_timeout": 10,
            "application_name": "okr-scorer",
            # UTC sessions: naive load timestamps mean UTC on both engines.
            "options": "-c TimeZone=UTC",
        }
        if s.sslmode:
            kwargs["sslmode"] = s.sslmode
        try:
            return psycopg2.connect(**kwargs)
        except psycopg2.OperationalError as exc:
            # libpq's message names host/port/user but never the password.
            raise ConnectionError(f"cannot connect to {s.describe()}: {str(exc).strip()}") from None

    @contextmanager
    def transaction(self, schema: str | None = None) -> Iterator[PostgresTransaction]:
        schema = schema or self.schema
        check_identifier_length(schema)
        con = self.connect()
        try:
            with con.cursor() as cur:  # committed on its own, like the DuckDB store
                # pg_namespace, not information_schema: it lists schemas we only have USAGE on.
                cur.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", [schema])
                if cur.fetchone() is None:
                    cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            con.commit()
            # psycopg2 opens a transaction implicitly at the first statement.
            try:
                yield PostgresTransaction(con, schema)
            except BaseException:
                con.rollback()
                raise
            con.commit()
        finally:
            con.close()
