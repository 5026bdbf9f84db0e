"""A DuckDB warehouse takes an export's rows in bulk (Parquet, no row through Python); every
other engine gets the same rows as pandas chunks upserted by key. Both ways must leave the raw
tables identical, value by value and type by type, including which file wins a shared key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from connectors.exports import load_export_folder, loader
from connectors.raw_tables import RAW_TABLES, ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[3]
SAMPLES = Path(__file__).parent / "samples"
GA4_HEADER = (
    "Date,Session default channel group,Session source,Session medium,Session campaign,Sessions,"
    "Total users,New users,Engaged sessions,Key events\n"
)


def _corpus(folder: Path, with_demo: bool) -> Path:
    """The sample corpus (every tool's layouts) and two GA4 files that share a key; `with_demo`
    adds the demo's exports (over 30,000 rows)."""
    if with_demo:
        shutil.copytree(REPO / "demo" / "exports", folder / "demo")
    for sample in SAMPLES.rglob("*"):
        if sample.suffix in (".csv", ".xlsx", ".txt") and not sample.name.endswith(".expected.csv"):
            target = folder / "samples" / sample.relative_to(SAMPLES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(sample, target)
    (folder / "shared-a.csv").write_text(
        GA4_HEADER
        + "20261101,Email,newsletter,email,nov,10,9,8,7,1\n"
        + "20261102,Email,newsletter,email,nov,5,5,5,5,0\n"
    )
    (folder / "shared-b.csv").write_text(GA4_HEADER + "20261101,Email,newsletter,email,nov,99,9,8,7,1\n")
    return folder


# The samples in every run; the demo's volume in the full suite (about 7 s of loading).
CORPORA = ["samples", pytest.param("demo", marks=pytest.mark.slow)]


@pytest.fixture(scope="module", params=CORPORA)
def exports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("exports"), with_demo=request.param == "demo")


def _tables(wh: DuckDBWarehouse) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, int]]:
    out = {}
    with wh.transaction() as tx:
        for table in RAW_TABLES:
            columns = [c for c in tx.table_columns(table) if c != "_loaded_at"]  # the load's clock
            types = tx.query(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                [table],
            )
            order = ", ".join(f'"{c}"' for c in columns)
            rows = tx.query(f"SELECT {order} FROM raw.{table} ORDER BY {order}")
            loaded_at = tx.query(f"SELECT count(*) AS n FROM raw.{table} WHERE _loaded_at IS NULL")
            out[table] = (types, rows, int(loaded_at["n"].iloc[0]))
    return out


def _load(path: Path, exports: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(path)
    ensure_raw_tables(wh)
    results = load_export_folder(wh, exports)
    assert {r.status for r in results} >= {"loaded"}
    return wh


@pytest.fixture(scope="module")
def bulk(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> DuckDBWarehouse:
    """The exports loaded once the DuckDB way, for every test that reads the result."""
    return _load(tmp_path_factory.mktemp("bulk") / "bulk.duckdb", exports)


def test_bulk_and_frame_writes_leave_identical_raw_tables(
    bulk: DuckDBWarehouse, exports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_bulk = _tables(bulk)
    monkeypatch.setattr(
        loader, "_write_rows_bulk", lambda tx, loaded, ensure: loader._write_rows_frames(tx, loaded, ensure)
    )
    # Batches of 7 rows: files are cut into several upserts and committed in several batches,
    # and the shared key's rows land in different chunks; none of that may change a row.
    monkeypatch.setattr(loader, "_BATCH_ROWS", 7)
    frames = _tables(_load(tmp_path / "frames.duckdb", exports))
    loaded = sum(len(rows) for _, rows, _ in in_bulk.values())
    assert loaded > (30_000 if (exports / "demo").exists() else 30)
    for table in RAW_TABLES:
        bulk_types, bulk_rows, bulk_nulls = in_bulk[table]
        frame_types, frame_rows, frame_nulls = frames[table]
        pd.testing.assert_frame_equal(bulk_types, frame_types, obj=f"raw.{table} column types")
        pd.testing.assert_frame_equal(bulk_rows, frame_rows, obj=f"raw.{table} rows")
        assert bulk_nulls == frame_nulls == 0, f"raw.{table}: a row without _loaded_at"


def test_a_later_file_wins_a_shared_key_in_bulk(bulk: DuckDBWarehouse) -> None:
    rows = bulk.query(
        "SELECT _partition, sessions FROM raw.ga4_daily_report WHERE campaign = 'nov' ORDER BY report_date"
    )
    assert rows.values.tolist() == [["shared-b.csv", 99], ["shared-a.csv", 5]]
