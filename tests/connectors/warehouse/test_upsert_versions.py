"""Newest-wins upserts compare versions by value, whatever text form a loader gives them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from connectors.warehouse import DuckDBWarehouse

SCHEMA = {"id": "VARCHAR", "updated_at": "TIMESTAMP", "v": "VARCHAR"}


def test_iso_text_and_stored_timestamps_compare_as_instants(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    with wh.transaction() as tx:
        tx.upsert(
            "t",
            pd.DataFrame(
                {
                    "id": ["1", "2"],
                    "updated_at": pd.to_datetime(["2026-09-01 08:00:00", "2026-09-10 08:00:00"]),
                    "v": ["a", "b"],
                }
            ),
            ["id"],
            "updated_at",
            SCHEMA,
        )
    with wh.transaction() as tx:
        # Same instant for 1 (replaces), an older one for 2 (kept), both written as API text.
        tx.upsert(
            "t",
            pd.DataFrame(
                {
                    "id": ["1", "2"],
                    "updated_at": ["2026-09-01T08:00:00Z", "2026-09-09T23:59:59Z"],
                    "v": ["a2", "b-old"],
                }
            ),
            ["id"],
            "updated_at",
            SCHEMA,
        )
    rows = dict(wh.query("SELECT id, v FROM raw.t ORDER BY id").itertuples(index=False))
    assert rows == {"1": "a2", "2": "b"}
