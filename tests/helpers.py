"""Shared test helpers: temporary workspaces and raw rows, built with the real code paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from connectors.raw_tables import ensure_raw_tables, now_utc, to_frame
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import Settings, load_settings


def make_workspace(root: Path, okr_files: Mapping[str, Any], checkins: Iterable[tuple] = ()) -> Settings:
    """A workspace folder with okrs/*.yml (dicts dumped as YAML) and okrs/checkins.csv."""
    okrs = root / "okrs"
    okrs.mkdir(parents=True, exist_ok=True)
    for name, doc in okr_files.items():
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        (okrs / name).write_text(text, encoding="utf-8")
    rows = list(checkins)
    if rows:
        lines = ["kr_id,date,value,note", *(",".join(str(c) for c in (*r, "")[:4]) for r in rows)]
        (okrs / "checkins.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "settings.yml").write_text("warehouse: data/warehouse.duckdb\nscorecard_dir: build/scorecard\n")
    return load_settings(root)


def insert_raw(settings: Settings, table: str, records: list[dict[str, Any]]) -> None:
    """Rows into a raw table, with load metadata, as a connector would write them."""
    warehouse = DuckDBWarehouse(settings.warehouse_path)
    ensure_raw_tables(warehouse)
    meta = {"_source": "test", "_stream": table, "_loaded_at": now_utc(), "_partition": "test"}
    with warehouse.transaction() as tx:
        tx.insert(table, to_frame(table, records, meta))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
