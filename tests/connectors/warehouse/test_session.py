"""`Warehouse.session()`: one DuckDB connection for a burst of transactions, released after."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from connectors.warehouse import DuckDBWarehouse, Warehouse


def test_transactions_in_a_session_share_one_connection_and_each_commits(warehouse: Warehouse) -> None:
    df = pd.DataFrame({"id": [1, 2]})
    with warehouse.session():
        with warehouse.transaction() as tx:
            tx.insert("t", df, schema={"id": "BIGINT"})
        with pytest.raises(RuntimeError), warehouse.transaction() as tx:
            tx.insert("t", pd.DataFrame({"id": [3]}), schema={"id": "BIGINT"})
            raise RuntimeError("a failed load")
        # The failed transaction rolled back; the first one stays committed.
        assert warehouse.query("SELECT id FROM raw.t ORDER BY id")["id"].tolist() == [1, 2]
    assert warehouse.query("SELECT count(*) AS n FROM raw.t")["n"].iloc[0] == 2


def test_a_duckdb_session_opens_one_connection_and_closes_it(tmp_path: Path, monkeypatch) -> None:
    opened: list[duckdb.DuckDBPyConnection] = []
    real_connect = duckdb.connect

    def counting_connect(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    monkeypatch.setattr(duckdb, "connect", counting_connect)
    with wh.session():
        for i in range(5):
            with wh.transaction() as tx:
                tx.insert("t", pd.DataFrame({"id": [i]}), schema={"id": "BIGINT"})
        with wh.session():  # nested: the same connection
            assert wh.query("SELECT count(*) AS n FROM raw.t")["n"].iloc[0] == 5
    assert len(opened) == 1
    # Closed after the block: another process (dbt) can open the file now.
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("SELECT 1")
    wh.query("SELECT 1")  # outside a session: a connection of its own again
    assert len(opened) == 2
