"""Load every export file in the drop folder into its raw table, once per content.

Per file:
- unchanged content (same sha256 as last time) -> skipped without being parsed, nothing written;
- the same content already loaded under another name -> recorded as `duplicate`, not loaded twice;
- new or corrected content -> the rows this file loaded before are deleted, the new rows are
  upserted by the preset's natural key (the latest load wins), and the registry row is updated;
- a file that cannot be read or mapped, with any bad row (a value that cannot be read, NaN or
  infinity, a wrong number of fields, an empty or repeated key) or whose rows do not add up to
  its own totals -> recorded as `rejected` with every problem (file, line, column); whatever the
  file loaded before stays as it was, and the other files still load;
- a file gone from the folder -> its rows and its registry row are removed (the folder is the
  source of truth).

Parsing is set-based (reader.py, convert.py); the writes of several small files share one
transaction, and when that transaction fails each file is written on its own, so one file's
failure never blocks the others.

One file because planning, the shared transaction and the file-by-file fallback are one protocol
around the registry table; split apart, each piece would reach into the others' private state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from connectors.exports.convert import Converted, RowError, convert
from connectors.exports.presets import PRESETS, UnknownLayout, match_preset, missing_required
from connectors.exports.reader import SUPPORTED_SUFFIXES, ExportFileError, read_cells
from connectors.exports.reconcile import reconcile
from connectors.raw_tables import EXPORT_FILES_COLUMNS, EXPORT_FILES_TABLE, RAW_TABLES, now_utc
from connectors.warehouse import Warehouse, quote_ident
from connectors.warehouse.base import Transaction
from connectors.warehouse.duckdb_store import DuckDBTransaction

log = logging.getLogger("connectors.exports")

SOURCE = "exports"
_BATCH_ROWS = 100_000  # rows per write (and parsed rows held before their batch commits)
_SHOWN_ERRORS = 5  # problems spelled out in the one-sentence error (all are in `problems`)


@dataclass(frozen=True)
class FileResult:
    file_name: str
    status: str  # loaded | unchanged | duplicate | rejected | removed
    rows: int = 0
    preset: str | None = None
    table: str | None = None
    error: str | None = None
    rejected_rows: int = 0
    read_as: str | None = None  # how the file was read: encoding and delimiter


@dataclass(frozen=True)
class LoadProblem:
    """A rejected export file as the registry holds it (see `export_load_problems`)."""

    file_name: str
    error: str  # one sentence naming the file, line and column of the first problems
    rejected_rows: int  # rows with a problem (0 when the whole file could not be read)
    problems: list[dict[str, object]] = field(default_factory=list)  # {line, column, problem}
    checked_at: object = None  # when the file was last looked at (UTC)


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
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _is_header(cells: list[str]) -> bool:
    return any(not missing_required(p, cells) for p in PRESETS)


def _registry(tx: Transaction) -> pd.DataFrame:
    tx.ensure_table(EXPORT_FILES_TABLE, EXPORT_FILES_COLUMNS)
    return tx.query(f"SELECT * FROM {tx.qualified(EXPORT_FILES_TABLE)}")


def _record(tx: Transaction, rows: list[dict[str, object]]) -> None:
    df = pd.DataFrame([{c: row.get(c) for c in EXPORT_FILES_COLUMNS} for row in rows])
    for col in ("rows", "rejected_rows"):
        df[col] = df[col].astype("Int64")
    df["loaded_at"] = pd.to_datetime(df["loaded_at"]).astype("datetime64[us]")
    tx.upsert(EXPORT_FILES_TABLE, df, key=["file_name"], schema=EXPORT_FILES_COLUMNS)


def _summary(name: str, errors: list[RowError], count: int) -> str:
    shown = [e.message(name) for e in errors[:_SHOWN_ERRORS]]
    text = shown[0] + "".join(f"; {m.removeprefix(name + ': ')}" for m in shown[1:])
    return text + (f" (and {count - len(shown)} more problems)" if count > len(shown) else "")


@dataclass
class _Pending:
    """A write waiting for its transaction: a parsed file, a rejection, or a vanished file."""

    name: str
    digest: str | None
    conv: Converted | None = None
    result: FileResult | None = None
    previous_table: str | None = None
    problems: list[RowError] = field(default_factory=list)
    loaded_at: object = None

    def close(self) -> None:
        if self.conv is not None:
            self.conv.cells.close()
            self.conv = None


def _prepare(
    path: Path, name: str, digest: str, zones: tuple[str, str], previous_table: str | None
) -> _Pending:
    pending = _Pending(name, digest, previous_table=previous_table, loaded_at=now_utc())
    try:
        cells = read_cells(path, name, _is_header)
    except ExportFileError as exc:
        pending.result = FileResult(name, "rejected", error=str(exc))
        return pending
    try:
        preset = match_preset(cells.header, name)
        conv = convert(cells, preset, name, zones)
        errors = conv.errors or reconcile(conv)
        count = conv.error_count or len(errors)
    except UnknownLayout as exc:
        cells.close()
        pending.result = FileResult(name, "rejected", error=str(exc))
        return pending
    except Exception:
        cells.close()
        raise
    if errors:
        conv.cells.close()
        bad_lines = len({e.line for e in errors}) if count <= len(errors) else count
        pending.problems = errors
        pending.result = FileResult(
            name, "rejected", preset=preset.name, error=_summary(name, errors, count), rejected_rows=bad_lines
        )
        return pending
    pending.conv = conv
    read_as = cells.encoding + (f", delimiter {cells.delimiter!r}" if cells.delimiter else "")
    pending.result = FileResult(
        name, "loaded", rows=conv.rows, preset=preset.name, table=preset.table, read_as=read_as
    )
    return pending


def _registry_row(p: _Pending) -> dict[str, object]:
    r = p.result
    assert r is not None
    row: dict[str, object] = {
        "file_name": p.name,
        "content_hash": p.digest,
        "loaded_at": p.loaded_at,
        "status": r.status,
        "rows": r.rows,
        "error": r.error,
        "rejected_rows": r.rejected_rows,
        "preset": r.preset if r.status == "loaded" else None,
        "table_name": r.table if r.status == "loaded" else None,
    }
    if p.problems:
        problems = [{"line": e.line, "column": e.column, "problem": e.problem} for e in p.problems]
        row["problems"] = json.dumps(problems, ensure_ascii=False)
    return row


def _write(tx: Transaction, batch: list[_Pending]) -> None:
    """The batch's writes in file order: removed files' rows and registry rows go, each loaded
    file's earlier rows are deleted (also from another table, if its layout changed), then the
    new rows are upserted table by table in file order (so a later file wins a shared key)."""
    ensured: set[str] = set()

    def ensure(table: str) -> None:
        if table not in ensured:
            tx.ensure_table(table, RAW_TABLES[table])
            ensured.add(table)

    partition = quote_ident("_partition")
    for p in batch:
        r = p.result
        assert r is not None
        if r.status == "removed" or (r.status == "loaded" and p.conv is not None):
            tables = {p.previous_table} | ({p.conv.preset.table} if p.conv is not None else set())
            for t in sorted(t for t in tables if t in RAW_TABLES):
                ensure(t)
                tx.execute(f"DELETE FROM {tx.qualified(t)} WHERE {partition} = ?", [p.name])
        if r.status == "removed":
            tx.execute(f"DELETE FROM {tx.qualified(EXPORT_FILES_TABLE)} WHERE file_name = ?", [p.name])
    loaded = [p for p in batch if p.result is not None and p.result.status == "loaded" and p.conv is not None]
    if isinstance(tx, DuckDBTransaction):
        _write_rows_bulk(tx, loaded, ensure)
    else:
        _write_rows_frames(tx, loaded, ensure)
    rows = [_registry_row(p) for p in batch if p.result is not None and p.result.status != "removed"]
    if rows:
        _record(tx, rows)


def _write_rows_bulk(tx: DuckDBTransaction, loaded: list[_Pending], ensure: Callable[[str], None]) -> None:
    """DuckDB: each file's rows go from the parsing database to the warehouse through a Parquet
    file, in file order; its keys first replace the rows that hold them (a later file wins a
    shared key). No row passes through Python: a 1 M-row file loads in flat memory, where
    pandas chunks and a per-chunk key delete held several hundred MB."""
    with tempfile.TemporaryDirectory(prefix="okr-export-rows-") as tmp:
        for n, p in enumerate(loaded):
            assert p.conv is not None
            if not p.conv.rows:
                continue
            preset = p.conv.preset
            ensure(preset.table)
            meta = _metadata(p)
            path = Path(tmp) / f"{n}.parquet"
            columns = p.conv.to_parquet(path, meta)
            tx.upsert_parquet(preset.table, path, columns, preset.key, meta)
            path.unlink()


def _metadata(p: _Pending) -> dict[str, object]:
    assert p.conv is not None
    return {"_source": SOURCE, "_stream": p.conv.preset.name, "_loaded_at": p.loaded_at, "_partition": p.name}


def _write_rows_frames(tx: Transaction, loaded: list[_Pending], ensure: Callable[[str], None]) -> None:
    """Other engines: the rows in file order as pandas chunks of at most _BATCH_ROWS, upserted
    by key: small files share one upsert, a large one is streamed (a later file still wins a
    shared key: keep="last" within a chunk)."""
    buffer: list[pd.DataFrame] = []
    buffered_table: str | None = None
    buffered_key: list[str] = []

    def flush() -> None:
        nonlocal buffer
        if buffer and buffered_table is not None:
            ensure(buffered_table)
            frame = buffer[0] if len(buffer) == 1 else pd.concat(buffer, ignore_index=True)
            tx.upsert(buffered_table, frame, key=buffered_key, schema=RAW_TABLES[buffered_table])
        buffer = []

    for p in loaded:
        assert p.conv is not None
        preset = p.conv.preset
        if preset.table != buffered_table:
            flush()
            buffered_table, buffered_key = preset.table, list(preset.key)
        for frame in p.conv.frames(_metadata(p)):
            buffer.append(frame)
            if sum(len(f) for f in buffer) >= _BATCH_ROWS:
                flush()
    flush()


def _commit(warehouse: Warehouse, batch: list[_Pending]) -> list[FileResult]:
    """Write a batch in one transaction; when it fails, each file on its own (a file whose write
    fails is recorded as rejected with the warehouse's error, the others still load)."""
    if not batch:
        return []
    try:
        try:
            with warehouse.transaction() as tx:
                _write(tx, batch)
            return [p.result for p in batch if p.result]
        except Exception as exc:
            if len(batch) == 1 and batch[0].result and batch[0].result.status == "loaded":
                return [_write_failed(warehouse, batch[0], exc)]
            if len(batch) == 1:
                raise
        results = []
        for p in batch:
            try:
                with warehouse.transaction() as tx:
                    _write(tx, [p])
                results.append(p.result)
            except Exception as exc:
                if p.result is None or p.result.status != "loaded":
                    raise
                results.append(_write_failed(warehouse, p, exc))
        return results
    finally:
        for p in batch:
            p.close()


def _write_failed(warehouse: Warehouse, p: _Pending, exc: Exception) -> FileResult:
    message = f"{p.name}: could not be written to the warehouse ({type(exc).__name__}: {exc})"
    p.close()
    p.result = FileResult(p.name, "rejected", error=message)
    with warehouse.transaction() as tx:
        _write(tx, [p])
    return p.result


def _log(r: FileResult) -> None:
    if r.status == "rejected":
        log.error("export file rejected: %s", r.error)
    elif r.status == "loaded":
        log.info("%s: %d rows into raw.%s (preset %s, %s)", r.file_name, r.rows, r.table, r.preset, r.read_as)
    elif r.status in ("duplicate", "removed"):
        log.info("%s: %s", r.file_name, r.error or r.status)


def _plans(folder: Path, known: pd.DataFrame, zones: tuple[str, str]) -> Iterator[_Pending | FileResult]:
    by_name = {r["file_name"]: r for r in known.to_dict("records")}
    files = {path.relative_to(folder).as_posix(): path for path in list_export_files(folder)}
    for name, row in sorted(by_name.items()):
        if name not in files:
            table = row.get("table_name")
            yield _Pending(
                name,
                None,
                previous_table=None if pd.isna(table) else table,
                result=FileResult(
                    name,
                    "removed",
                    table=None if pd.isna(table) else table,
                    error="no longer in the export folder; its rows were removed",
                ),
            )
    loaded = {r["content_hash"]: n for n, r in by_name.items() if r["status"] == "loaded" and n in files}
    for name, path in files.items():
        digest = content_hash(path)
        previous = by_name.get(name)
        if previous is not None and previous["content_hash"] == digest:
            before = {k: (None if pd.isna(x) else x) for k, x in previous.items()}
            yield FileResult(
                name,
                "unchanged",
                preset=before["preset"],
                table=before["table_name"],
                error=before["error"],
                rejected_rows=int(before.get("rejected_rows") or 0),
            )
            continue
        other = loaded.get(digest)
        if other is not None and other != name:
            yield _Pending(
                name,
                digest,
                loaded_at=now_utc(),
                result=FileResult(
                    name, "duplicate", error=f"same content as {other}, which is already loaded"
                ),
            )
            continue
        table = None if previous is None or pd.isna(previous["table_name"]) else previous["table_name"]
        pending = _prepare(path, name, digest, zones, table)
        if pending.result and pending.result.status == "loaded":
            loaded[digest] = name
        yield pending


def load_export_folder(
    warehouse: Warehouse,
    folder: Path,
    timezone: str = "Europe/Helsinki",
    workspace_timezone: str | None = None,
) -> list[FileResult]:
    """Load every new or changed export file of `folder` and drop the rows of files gone from
    it; one result per file (removed files first, then the folder's files in order).

    `timezone` is the zone the exports write their times in (the exporting user's), and
    `workspace_timezone` the zone raw timestamps are stored in (default: the same)."""
    zones = (timezone, workspace_timezone or timezone)
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportFileError(f"export folder {folder} does not exist (sources.yml: exports.folder)")
    with warehouse.transaction() as tx:
        known = _registry(tx)
    results: list[FileResult] = []
    batch: list[_Pending] = []
    batch_rows = 0
    for plan in _plans(folder, known, zones):
        if isinstance(plan, FileResult):
            results.append(plan)
            continue
        batch.append(plan)
        batch_rows += plan.conv.rows if plan.conv else 0
        if batch_rows >= _BATCH_ROWS:
            results += _commit(warehouse, batch)
            batch, batch_rows = [], 0
    results += _commit(warehouse, batch)
    order = {name: i for i, name in enumerate(r.file_name for r in results if r.status == "removed")}
    results.sort(key=lambda r: (r.status != "removed", order.get(r.file_name, 0), r.file_name))
    for r in results:
        _log(r)
    return results


def export_load_problems(warehouse: Warehouse) -> list[LoadProblem]:
    """The export files the last load rejected, for the scorecard's data-health page and the
    run's exit code (any problem = data error). Each names the file and its first problems in
    one sentence; `problems` lists every bad line (the first 200) with its column."""
    with warehouse.transaction() as tx:
        known = _registry(tx)
    out = []
    for r in known[known["status"] == "rejected"].sort_values("file_name").to_dict("records"):
        problems = json.loads(r["problems"]) if isinstance(r.get("problems"), str) else []
        rejected = r.get("rejected_rows")
        out.append(
            LoadProblem(
                file_name=r["file_name"],
                error=r["error"],
                rejected_rows=0 if pd.isna(rejected) else int(rejected),
                problems=problems,
                checked_at=r["loaded_at"],
            )
        )
    return out


def folder_fingerprint(folder: Path) -> dict[str, str]:
    """file name -> "size:mtime_ns" for the sensor: cheap to compute, changes when a file does."""
    out = {}
    for path in list_export_files(Path(folder)):
        st = path.stat()
        out[path.relative_to(folder).as_posix()] = f"{st.st_size}:{st.st_mtime_ns}"
    return out
