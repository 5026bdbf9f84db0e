"""Shared test helpers: temporary workspaces and raw rows, built with the real code paths."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from connectors.raw_tables import ensure_raw_tables, now_utc, to_frame
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import REPO_ROOT, Settings, load_settings


def copy_demo_workspace(dest: Path) -> Path:
    """The demo workspace (settings, sources, OKRs, export files) without data/ or build/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("settings.yml", "sources.yml"):
        shutil.copy(REPO_ROOT / name, dest / name)
    shutil.copytree(REPO_ROOT / "okrs", dest / "okrs")
    shutil.copytree(REPO_ROOT / "demo" / "exports", dest / "demo" / "exports")
    return dest


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
