"""`Warehouse.held_open()`: a run keeps its DuckDB database open, so every connection it makes
joins the open database instead of opening the file again; the file is released after."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.transform.dbt_setup import run_dbt
from tests.helpers import make_workspace

_OPEN_IN_ANOTHER_PROCESS = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"


def _memory_limit(wh: DuckDBWarehouse) -> str:
    return wh.query("SELECT current_setting('memory_limit') AS m")["m"].iloc[0]


def _other_process_opens(path: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_IN_ANOTHER_PROCESS, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 or "lock" in done.stderr, done.stderr
    return done.returncode == 0


def test_transactions_while_held_share_the_open_database(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    default = _memory_limit(wh)
    with wh.held_open():
        # A global setting lives as long as the open database: it is still there in the next
        # transaction's connection only because the database stayed open between them.
        with wh.transaction() as tx:
            tx.execute("SET GLOBAL memory_limit = '123MB'")
        assert _memory_limit(wh) == "117.3 MiB"
        with wh.transaction() as tx:
            tx.insert("t", pd.DataFrame({"id": [1, 2]}), schema={"id": "BIGINT"})
        assert not _other_process_opens(wh.path)
    assert _memory_limit(wh) == default  # the database was closed: opened anew
    # Released, with what was written inside the block in the file.
    assert _other_process_opens(wh.path)
    assert wh.query("SELECT count(*) AS n FROM raw.t")["n"].iloc[0] == 2


def test_a_failure_inside_the_block_still_releases_the_file(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    with pytest.raises(RuntimeError), wh.held_open():
        with wh.transaction() as tx:
            tx.insert("t", pd.DataFrame({"id": [1]}), schema={"id": "BIGINT"})
        raise RuntimeError("a step failed")
    assert _other_process_opens(wh.path)
    assert wh.query("SELECT count(*) AS n FROM raw.t")["n"].iloc[0] == 1


def test_dbt_in_the_process_builds_while_the_database_is_held(tmp_path: Path) -> None:
    # dbt-duckdb opens the file with its own settings; had they differed from ours, DuckDB would
    # refuse the second connection to the open database and every dbt step of a run would fail.
    settings = make_workspace(tmp_path, {})
    wh = DuckDBWarehouse(settings.warehouse_path)
    with wh.held_open():
        ensure_raw_tables(wh)
        run_dbt(settings, ["run", "--select", "stg_okr__currency_rates"])
        assert wh.query("SELECT count(*) AS n FROM analytics.stg_okr__currency_rates")["n"].iloc[0] == 0
        assert not _other_process_opens(settings.warehouse_path)
    assert _other_process_opens(settings.warehouse_path)
