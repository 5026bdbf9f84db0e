"""What only the PostgreSQL store does: settings from the environment, placeholder translation,
type names, identifier length, and keeping the password out of every message."""

from __future__ import annotations

import logging
import socket

import pandas as pd
import pytest

from connectors.warehouse import open_warehouse
from connectors.warehouse.postgres_store import (
    PostgresConfigError,
    PostgresWarehouse,
    postgres_type,
    to_pyformat,
)

SECRET = "s3cr3t-Pa55-%-?"  # noqa: S105 (a fake, to prove it never shows up)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = %s AND b IN (%s, %s)"),
        ("SELECT '?' , ? , 'it''s ?%'", "SELECT '?' , %s , 'it''s ?%%'"),
        ('SELECT "we?ird" FROM t WHERE x LIKE ?', 'SELECT "we?ird" FROM t WHERE x LIKE %s'),
        ("SELECT 5 % 2, ? -- why?\n", "SELECT 5 %% 2, %s -- why?\n"),
        ("SELECT /* ? */ ?", "SELECT /* ? */ %s"),
    ],
)
def test_question_mark_placeholders_become_pyformat(sql: str, expected: str) -> None:
    assert to_pyformat(sql) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("DOUBLE", "DOUBLE PRECISION"),
        ("double", "DOUBLE PRECISION"),
        ("HUGEINT", "NUMERIC(38, 0)"),
        ("TINYINT", "SMALLINT"),
        ("FLOAT", "REAL"),
        ("VARCHAR", "VARCHAR"),
        ("DECIMAL(18, 2)", "DECIMAL(18, 2)"),
        ("TIMESTAMP", "TIMESTAMP"),
    ],
)
def test_duckdb_type_names_are_spelled_for_postgres(given: str, expected: str) -> None:
    assert postgres_type(given) == expected


def test_settings_come_from_okr_pg_variables_with_the_dbt_profile_defaults() -> None:
    wh = PostgresWarehouse.from_env(schema="raw", environ={})
    assert (wh.settings.host, wh.settings.port, wh.settings.user, wh.settings.database) == (
        "127.0.0.1",
        5432,
        "okr",
        "okr",
    )
    env = {
        "OKR_PG_HOST": "db.internal",
        "OKR_PG_PORT": "6432",
        "OKR_PG_USER": "loader",
        "OKR_PG_PASSWORD": SECRET,
        "OKR_PG_DATABASE": "marketing",
        "OKR_PG_SSLMODE": "require",
    }
    wh = PostgresWarehouse.from_env(environ=env)
    assert wh.settings.port == 6432
    assert wh.settings.sslmode == "require"
    assert SECRET not in repr(wh)
    assert SECRET not in repr(wh.settings)
    assert repr(wh) == "PostgresWarehouse(postgresql://loader@db.internal:6432/marketing, schema='raw')"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OKR_PG_PORT": "54x2"}, r"OKR_PG_PORT: expected a TCP port number, got '54x2'"),
        ({"OKR_PG_PORT": "70000"}, r"OKR_PG_PORT"),
        ({"OKR_PG_HOST": " "}, r"OKR_PG_HOST: must not be empty"),
        ({"OKR_PG_DATABASE": ""}, r"OKR_PG_DATABASE: must not be empty"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(PostgresConfigError, match=message):
        PostgresWarehouse.from_env(environ=env)


def test_a_refused_connection_names_the_server_but_not_the_password(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wh = PostgresWarehouse.from_env(
        environ={"OKR_PG_PORT": str(port), "OKR_PG_PASSWORD": SECRET, "OKR_PG_USER": "loader"}
    )
    caplog.set_level(logging.DEBUG)
    with (
        pytest.raises(
            ConnectionError, match=rf"cannot connect to postgresql://loader@127.0.0.1:{port}/okr"
        ) as err,
        wh.transaction(),
    ):
        pass
    assert SECRET not in str(err.value)
    assert SECRET not in caplog.text


@pytest.mark.integration
def test_a_wrong_password_is_reported_without_echoing_it(postgres_server, caplog) -> None:
    env = {**postgres_server.env(), "OKR_PG_PASSWORD": SECRET}
    caplog.set_level(logging.DEBUG)
    wh = PostgresWarehouse.from_env(environ=env)
    with pytest.raises(ConnectionError, match="password authentication failed") as err, wh.transaction():
        pass
    assert SECRET not in str(err.value)
    assert postgres_server.password not in str(err.value)
    assert SECRET not in caplog.text


@pytest.mark.integration
def test_open_warehouse_postgres_reads_the_environment(postgres_server, monkeypatch) -> None:
    db = postgres_server.create_database()
    for k, v in postgres_server.env(db).items():
        monkeypatch.setenv(k, v)
    wh = open_warehouse("postgres", schema="raw")
    assert isinstance(wh, PostgresWarehouse)
    with wh.transaction() as tx:
        tx.insert("t", pd.DataFrame({"v": [1, 2]}))
    con = postgres_server.connect(db)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT sum(v) FROM raw.t")
            assert cur.fetchone()[0] == 3
    finally:
        con.close()


@pytest.mark.integration
def test_duckdb_type_names_in_a_loader_schema_create_postgres_columns(postgres_server) -> None:
    db = postgres_server.create_database()
    wh = PostgresWarehouse.from_env(environ=postgres_server.env(db))
    df = pd.DataFrame({"cost": [1.25], "n": [3], "big": [2**62]})
    with wh.transaction() as tx:
        tx.insert("typed", df, {"cost": "DOUBLE", "n": "TINYINT", "big": "HUGEINT"})
    types = wh.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'typed' ORDER BY ordinal_position"
    )
    assert types.values.tolist() == [["cost", "double precision"], ["n", "smallint"], ["big", "numeric"]]
    assert wh.query("SELECT cost, n, big FROM raw.typed").values.tolist() == [[1.25, 3, float(2**62)]]


@pytest.mark.integration
def test_names_longer_than_postgres_allows_are_refused_not_truncated(postgres_server) -> None:
    wh = PostgresWarehouse.from_env(environ=postgres_server.env(postgres_server.create_database()))
    long_name = "t" * 64
    with pytest.raises(ValueError, match="exceeds PostgreSQL's 63 bytes"), wh.transaction() as tx:
        tx.insert(long_name, pd.DataFrame({"v": [1]}))
    with pytest.raises(ValueError, match="exceeds PostgreSQL's 63 bytes"), wh.transaction() as tx:
        tx.insert("ok", pd.DataFrame({long_name: [1]}))
    assert wh.table_columns("ok") == []
