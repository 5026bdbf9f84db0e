"""Load every export file in the drop folder into its raw table, once per content.

Per file, in its own transaction:
- unchanged content (same sha256 as last time) -> nothing is written;
- the same content already loaded under another name -> recorded as `duplicate`, not loaded twice;
- new or corrected content -> the rows this file loaded before are deleted, the new rows are
  upserted by the preset's natural key (the latest load wins), and the registry row is updated;
- a file that cannot be read or mapped -> recorded as `rejected` with the reason; whatever the
  file loaded before stays as it was, and the other files still load.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from connectors.exports import values as v
from connectors.exports.presets import Preset, UnknownLayout, email_hash, field_positions, match_preset
from connectors.exports.reader import SUPPORTED_SUFFIXES, ExportFileError, Table, read_table
from connectors.raw_tables import EXPORT_FILES_COLUMNS, EXPORT_FILES_TABLE, RAW_TABLES, now_utc, to_frame
from connectors.warehouse import Warehouse, quote_ident
from connectors.warehouse.base import Transaction

log = logging.getLogger("connectors.exports")

SOURCE = "exports"
_TRUE = {"1", "true", "yes", "y", "x", "kyllä", "won", "closed"}
_FALSE = {"0", "false", "no", "n", "", "ei"}


@dataclass(frozen=True)
class FileResult:
    file_name: str
    status: str  # loaded | unchanged | duplicate | rejected
    rows: int = 0
    preset: str | None = None
    table: str | None = None
    error: str | None = None


def list_export_files(folder: Path) -> list[Path]:
    """The export files in the folder and its subfolders, in a stable order (hidden files and
    Excel's `~$` lock files are skipped)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.name.startswith("~$")
    )


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cell(row: list[object], i: int | None) -> object:
    if i is None or i >= len(row):
        return None
    cell = row[i]
    return cell.strip() if isinstance(cell, str) else cell


def _convert(kind: str, raw: object, decimal_comma: bool, zones: tuple[str, str]) -> object:
    """One cell as its kind; `zones` = (the zone the export's times are in, the workspace zone)."""
    if raw is None or (isinstance(raw, str) and raw == ""):
        return None
    if kind == "int":
        return v.parse_int(raw, decimal_comma)
    if kind == "number":
        return v.parse_number(raw, decimal_comma)
    if kind == "date":
        return v.parse_date(raw)
    if kind == "local_date":
        return v.local_date(v.to_local(v.parse_datetime(raw), *zones), zones[1])
    if kind == "local_ts":
        return v.to_local(v.parse_datetime(raw), *zones)
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise v.ValueProblem(f"cannot read {raw!r} as yes/no")
    if kind == "email_hash":
        return email_hash(str(raw))
    return str(raw).strip() if not isinstance(raw, str) else raw


def rows_for_preset(
    table: Table, preset: Preset, name: str, zones: tuple[str, str]
) -> list[dict[str, object]]:
    """Typed records for the preset's raw table; ValueProblem naming file, line and column."""
    pos = field_positions(preset, table.header)
    numeric_cells = [
        str(_cell(cells, pos.get(f.column)))
        for f in preset.fields
        if f.kind in ("int", "number")
        for _, cells in table.rows
        if isinstance(_cell(cells, pos.get(f.column)), str)
    ]
    decimal_comma = v.detect_decimal_comma(numeric_cells, table.delimiter)
    records = []
    for line, cells in table.rows:
        rec: dict[str, object] = {}
        for f in preset.fields:
            raw = _cell(cells, pos.get(f.column))
            try:
                value = _convert(f.kind, raw, decimal_comma, zones)
            except v.ValueProblem as exc:
                header = table.header[pos[f.column]]
                raise v.ValueProblem(f"{name}: line {line}, column '{header}': {exc}") from None
            if value is not None and f.transform is not None:
                value = f.transform(str(value))
            if value is None:
                if f.column in preset.key and f.default is None:
                    header = table.header[pos[f.column]] if f.column in pos else f.headers[0]
                    raise v.ValueProblem(
                        f"{name}: line {line}, column '{header}': empty, but it identifies the row"
                    )
                value = f.default
            rec[f.column] = value
        records.append(rec)
    _check_duplicate_keys(records, preset, name, [line for line, _ in table.rows])
    return records


def _check_duplicate_keys(records: list[dict], preset: Preset, name: str, lines: list[int]) -> None:
    seen: dict[tuple, int] = {}
    for rec, line in zip(records, lines, strict=True):
        k = tuple(rec[c] for c in preset.key)
        if k in seen:
            raise v.ValueProblem(
                f"{name}: lines {seen[k]} and {line} hold the same {', '.join(preset.key)} "
                f"({', '.join(map(str, k))})"
            )
        seen[k] = line


def _registry(tx: Transaction) -> pd.DataFrame:
    tx.ensure_table(EXPORT_FILES_TABLE, EXPORT_FILES_COLUMNS)
    return tx.query(f"SELECT * FROM {tx.qualified(EXPORT_FILES_TABLE)}")


def _record(tx: Transaction, **row: object) -> None:
    df = pd.DataFrame([{c: row.get(c) for c in EXPORT_FILES_COLUMNS}])
    df["rows"] = df["rows"].astype("Int64")
    df["loaded_at"] = pd.to_datetime(df["loaded_at"]).astype("datetime64[us]")
    tx.upsert(EXPORT_FILES_TABLE, df, key=["file_name"], schema=EXPORT_FILES_COLUMNS)


def load_file(
    warehouse: Warehouse, path: Path, name: str, zones: tuple[str, str], known: pd.DataFrame
) -> FileResult:
    digest = content_hash(path)
    previous = known[known["file_name"] == name]
    if not previous.empty and previous.iloc[0]["content_hash"] == digest:
        before = {k: (None if pd.isna(x) else x) for k, x in previous.iloc[0].items()}
        return FileResult(
            name, "unchanged", preset=before["preset"], table=before["table_name"], error=before["error"]
        )
    same_content = known[
        (known["content_hash"] == digest) & (known["status"] == "loaded") & (known["file_name"] != name)
    ]
    loaded_at = now_utc()
    if not same_content.empty:
        other = same_content.iloc[0]["file_name"]
        with warehouse.transaction() as tx:
            _record(
                tx,
                file_name=name,
                content_hash=digest,
                loaded_at=loaded_at,
                rows=0,
                status="duplicate",
                error=f"same content as {other}, which is already loaded",
            )
        log.info("%s: same content as %s; not loaded twice", name, other)
        return FileResult(name, "duplicate", error=f"same content as {other}")
    try:
        table = read_table(path, name)
        preset = match_preset(table.header, name)
        records = rows_for_preset(table, preset, name, zones)
    except (ExportFileError, UnknownLayout, v.ValueProblem) as exc:
        message = str(exc)
        with warehouse.transaction() as tx:
            _record(
                tx,
                file_name=name,
                content_hash=digest,
                loaded_at=loaded_at,
                rows=0,
                status="rejected",
                error=message,
                preset=None,
                table_name=None,
            )
        log.error("export file rejected: %s", message)
        return FileResult(name, "rejected", error=message)

    meta = {"_source": SOURCE, "_stream": preset.name, "_loaded_at": loaded_at, "_partition": name}
    df = to_frame(preset.table, records, meta)
    with warehouse.transaction() as tx:
        # What this file loaded before goes first (also from another table, if its layout changed).
        old_table = None if previous.empty else previous.iloc[0]["table_name"]
        for t in {preset.table, old_table} - {None}:
            if t in RAW_TABLES:
                tx.ensure_table(t, RAW_TABLES[t])
                tx.execute(f"DELETE FROM {tx.qualified(t)} WHERE {quote_ident('_partition')} = ?", [name])
        tx.ensure_table(preset.table, RAW_TABLES[preset.table])
        tx.upsert(preset.table, df, key=list(preset.key), schema=RAW_TABLES[preset.table])
        _record(
            tx,
            file_name=name,
            content_hash=digest,
            preset=preset.name,
            table_name=preset.table,
            loaded_at=loaded_at,
            rows=len(df),
            status="loaded",
            error=None,
        )
    log.info(
        "%s: %d rows into raw.%s (preset %s, %s)",
        name,
        len(df),
        preset.table,
        preset.name,
        table.encoding + (f", delimiter {table.delimiter!r}" if table.delimiter else ""),
    )
    return FileResult(name, "loaded", rows=len(df), preset=preset.name, table=preset.table)


def load_export_folder(
    warehouse: Warehouse,
    folder: Path,
    timezone: str = "Europe/Helsinki",
    workspace_timezone: str | None = None,
) -> list[FileResult]:
    """Load every new or changed export file of `folder`; one result per file, in file order.

    `timezone` is the zone the exports write their times in (the exporting user's), and
    `workspace_timezone` the zone raw timestamps are stored in (default: the same)."""
    zones = (timezone, workspace_timezone or timezone)
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportFileError(f"export folder {folder} does not exist (sources.yml: exports.folder)")
    with warehouse.transaction() as tx:
        known = _registry(tx)
    results = []
    for path in list_export_files(folder):
        name = path.relative_to(folder).as_posix()
        result = load_file(warehouse, path, name, zones, known)
        results.append(result)
        if result.status in ("loaded", "duplicate", "rejected"):
            with warehouse.transaction() as tx:
                known = _registry(tx)
    return results


def folder_fingerprint(folder: Path) -> dict[str, str]:
    """file name -> "size:mtime_ns" for the sensor: cheap to compute, changes when a file does."""
    out = {}
    for path in list_export_files(Path(folder)):
        st = path.stat()
        out[path.relative_to(folder).as_posix()] = f"{st.st_size}:{st.st_mtime_ns}"
    return out


def summarize(results: list[FileResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts
