"""Text cells of one export -> typed rows of its preset's raw table, set-based in DuckDB.

Plain numbers are cast in SQL; every other distinct cell text of a column (dates, `1 234,50`,
labels, e-mail addresses) is read once in Python by `values.py` and joined back, so a file costs
one pass over its rows plus one parse per distinct value. Every cell that cannot be read, an
empty key cell, a row spanning several days and a repeated key is a row-level error naming the
file, line and column; totals rows are set aside for reconciliation (`reconcile.py`).

One file because the conversion is one DuckDB pass: the cast, the parse of distinct values,
the join back and the duplicate search all work on the in-memory tables it creates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from connectors.exports import values as v
from connectors.exports.presets import Field, Preset, email_hash, field_positions
from connectors.exports.reader import Cells
from connectors.raw_tables import RAW_TABLES

_TRUE = {"1", "true", "yes", "y", "x", "kyllä", "won", "closed"}
_FALSE = {"0", "false", "no", "n", "", "ei"}
# The first non-empty cell of a totals row (GA4, Google Ads, Salesforce, Excel subtotals; English
# and Finnish UIs). A data row whose first cell reads like this would be taken for a total.
TOTALS_LABEL = (
    r"(?i)(grand\s+totals?(\s*\(\d+\s+records?\))?|totals?|total:.*|subtotal|"
    r"yhteensä|kaikki\s+yhteensä|kokonaissumma|kokonaismäärä|summa|totalt)"
)
_SQL_TYPES = {"int": "BIGINT", "number": "DOUBLE", "date": "DATE", "local_date": "DATE"}
_SQL_TYPES |= {"local_ts": "TIMESTAMP", "bool": "BOOLEAN"}
_CHUNK_ROWS = 100_000  # rows handed to the warehouse at a time


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    problem: str

    def message(self, name: str) -> str:
        if self.column is None:
            return (
                f"{name}: {self.problem}"
                if self.problem.startswith("line")
                else (f"{name}: line {self.line}: {self.problem}")
            )
        return f"{name}: line {self.line}, column '{self.column}': {self.problem}"


@dataclass
class Converted:
    cells: Cells
    preset: Preset
    rows: int
    decimal_comma: bool
    errors: list[RowError]
    error_count: int
    totals: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)

    def _selected(self, metadata: Iterable[str]) -> tuple[list[str], str]:
        """The raw table's columns this file fills (the load metadata aside), and their select
        list cast to the table's types."""
        columns = RAW_TABLES[self.preset.table]
        present = {f.column for f in self.preset.fields} | {c for c, _ in self.preset.constants}
        selected = [c for c in columns if c in present and c not in set(metadata)]
        return selected, ", ".join(f"CAST({c} AS {_duck(columns[c])}) AS {c}" for c in selected)

    def to_parquet(self, path: Path, metadata: Iterable[str]) -> list[str]:
        """Write the typed rows in file order to a Parquet file (DuckDB streams it: no row passes
        through Python) and return its columns; a DuckDB warehouse inserts them in bulk."""
        selected, exprs = self._selected(metadata)
        rows = f"SELECT {exprs} FROM typed ORDER BY rowid"
        self.cells.con.execute(f"COPY ({rows}) TO {_literal(path)} (FORMAT parquet)")
        return selected

    def frames(self, metadata: dict[str, object]) -> Iterator[pd.DataFrame]:
        """The typed rows for the raw table in chunks, with its columns in order and the dtypes
        the warehouse writers take (text as categories: a file repeats its labels)."""
        columns = RAW_TABLES[self.preset.table]
        _, exprs = self._selected(metadata)
        con = self.cells.con
        total = con.execute("SELECT count(*) FROM typed").fetchall()[0][0]
        # typed is in file order; one slice of rowids at a time keeps only a chunk in memory.
        for first in range(0, total, _CHUNK_ROWS):
            df = con.execute(
                f"SELECT {exprs} FROM typed WHERE rowid >= ? AND rowid < ? ORDER BY rowid",
                [first, first + _CHUNK_ROWS],
            ).df()
            n = len(df)
            out = {}
            for col, sql_type in columns.items():
                if col in metadata:
                    value = metadata[col]
                    out[col] = (
                        pd.Series(pd.Timestamp(value), index=range(n)).astype("datetime64[us]")
                        if sql_type == "TIMESTAMP"
                        else pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype="int8"), [value]))
                    )
                elif col in df.columns:
                    out[col] = _as_raw_dtype(df[col], sql_type)
                else:
                    out[col] = _as_raw_dtype(pd.Series([None] * n, dtype=object), sql_type)
            yield pd.DataFrame(out)


def _duck(sql_type: str) -> str:
    return "DOUBLE" if sql_type == "DOUBLE PRECISION" else sql_type


def _as_raw_dtype(values: pd.Series, sql_type: str) -> pd.Series:
    """The dtype a raw column is written with (nullable numbers and booleans, datetime64 for
    dates and times, categories for text)."""
    if sql_type == "BIGINT":
        return values.astype("Int64")
    if sql_type == "DOUBLE PRECISION":
        return values.astype("Float64")
    if sql_type == "BOOLEAN":
        return values.astype("boolean")
    if sql_type in ("TIMESTAMP", "DATE"):
        return pd.to_datetime(values).astype("datetime64[us]")
    return values.astype("category")


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def _canonical(value: object) -> str:
    """A parsed value as text DuckDB casts back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def read_cell(kind: str, raw: str, decimal_comma: bool, zones: tuple[str, str]) -> object:
    """One non-empty cell as its kind; `zones` = (the zone the export's times are in, the
    workspace zone). ValueProblem when it cannot be read."""
    if kind not in ("int", "number") and raw.startswith(v.XLSX_NUMBER):
        raw = raw[len(v.XLSX_NUMBER) :]  # an Excel number where text, a date or yes/no is meant
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
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise v.ValueProblem(f"cannot read {raw!r} as yes/no")
    if kind == "email_hash":
        return email_hash(raw)
    return raw


def _fast(kind: str, decimal_comma: bool, raw: str) -> str | None:
    """SQL condition for cells SQL can cast itself (exactly as values.py would read them)."""
    if kind == "int":
        return f"regexp_full_match({raw}, '-?[0-9]{{1,18}}')"
    if kind == "number":
        pattern = "-?[0-9]{1,15}" if decimal_comma else r"-?[0-9]{1,15}(\.[0-9]{1,15})?"
        return f"regexp_full_match({raw}, '{pattern}')"
    return None


def _decimal_comma(con: duckdb.DuckDBPyConnection, cols: list[int], delimiter: str) -> bool:
    """values.detect_decimal_comma over the numeric cells that have a separator, field by field
    in file order (it stops at the first cell that gives the separator away)."""
    if not cols:
        return v.detect_decimal_comma([], delimiter)
    schema = con.execute("SELECT current_schema()").fetchall()[0][0]
    parts = " UNION ALL ".join(
        f"SELECT {k} AS k, line, trim(c{p}) AS c FROM {schema}.body "
        f"WHERE regexp_matches(c{p}, '[.,\\s\u00a0\u202f]') "
        f"AND NOT starts_with(c{p}, $marker)"
        for k, p in enumerate(cols)
    )
    # A cursor of its own: the detection stops early and leaves its result unfinished.
    result = con.cursor()
    try:
        result.execute(f"SELECT c FROM ({parts}) ORDER BY k, line", {"marker": v.XLSX_NUMBER})

        def cells() -> Iterator[str]:
            while batch := result.fetchmany(1000):
                yield from (r[0] for r in batch)

        return v.detect_decimal_comma(cells(), delimiter)
    finally:
        result.close()


def _mappings(
    con: duckdb.DuckDBPyConnection,
    fields: list[tuple[int, Field, str, str | None]],
    decimal_comma: bool,
    zones: tuple[str, str],
) -> set[int]:
    """Table `m` (i, raw, val, err): every distinct cell of field i that SQL does not cast itself,
    read once by values.py (val as text DuckDB casts back exactly, or err)."""
    parts = [
        f"SELECT DISTINCT {i} AS i, {raw} AS raw FROM body WHERE {raw} IS NOT NULL"
        + (f" AND NOT {fast}" if fast else "")
        for i, _, raw, fast in fields
    ]
    by_index = {i: f for i, f, _, _ in fields}
    out = []
    if parts:
        for i, text in con.execute(" UNION ALL ".join(parts)).fetchall():
            f = by_index[i]
            try:
                value = read_cell(f.kind, text, decimal_comma, zones)
                if value is not None and f.transform is not None:
                    value = f.transform(str(value))
                out.append((i, text, None if value is None else _canonical(value), None))
            except v.ValueProblem as exc:
                out.append((i, text, None, str(exc)))
    frame = pd.DataFrame(out, columns=["i", "raw", "val", "err"], dtype=object)
    con.register("_m", frame)
    con.execute(
        "CREATE TABLE m AS SELECT CAST(i AS INTEGER) i, CAST(raw AS VARCHAR) raw, CAST(val AS VARCHAR) val, "
        "CAST(err AS VARCHAR) err FROM _m"
    )
    con.unregister("_m")
    return {row[0] for row in out}


def convert(cells: Cells, preset: Preset, name: str, zones: tuple[str, str]) -> Converted:
    con = cells.con
    header = cells.header
    pos = field_positions(preset, header)
    n = len(header)
    # Totals rows leave the table before anything else reads it: the label is in one of the first
    # three cells (after a comparison's date-range cell), and a row starting with a digit (a date,
    # an id) is data.
    first = "coalesce(" + ", ".join(f"nullif(trim(c{i}), '')" for i in range(n)) + ")"
    labelled = " OR ".join(f"regexp_full_match(trim(c{i}), $label)" for i in range(min(n, 3)))
    con.execute(
        "CREATE TABLE totals AS SELECT * FROM cells "
        f"WHERE left(coalesce({first}, '0'), 1) NOT BETWEEN '0' AND '9' "
        f"AND coalesce({labelled}, false)",
        {"label": TOTALS_LABEL},
    )
    totals = [
        (r[-1], [c or "" for c in r[:-1]])
        for r in con.execute("SELECT * FROM totals ORDER BY line").fetchall()
    ]
    if totals:
        con.execute("DELETE FROM cells WHERE line IN (SELECT line FROM totals)")
    con.execute("CREATE VIEW body AS SELECT * FROM cells")
    numeric = [pos[f.column] for f in preset.fields if f.kind in ("int", "number") and f.column in pos]
    decimal_comma = _decimal_comma(con, numeric, cells.delimiter)

    selects, errors_sql, joins, mapped_fields = ["body.line AS line"], [], [], []
    for i, f in enumerate(preset.fields):
        raw = f"nullif(trim(body.c{pos[f.column]}), '')" if f.column in pos else "CAST(NULL AS VARCHAR)"
        if f.column in pos and not (f.kind == "text" and f.transform is None):
            mapped_fields.append((i, f, raw, _fast(f.kind, decimal_comma, raw)))
    has_mapping = _mappings(con, mapped_fields, decimal_comma, zones)
    for i, f in enumerate(preset.fields):
        col_header = header[pos[f.column]] if f.column in pos else f.headers[0]
        raw = f"nullif(trim(body.c{pos[f.column]}), '')" if f.column in pos else "CAST(NULL AS VARCHAR)"
        sql_type = _SQL_TYPES.get(f.kind, "VARCHAR")
        fast = _fast(f.kind, decimal_comma, raw)
        if f.column not in pos or (f.kind == "text" and f.transform is None):
            value, err = f"CAST({raw} AS {sql_type})", "NULL"
            if cells.encoding == "xlsx":
                value = f"regexp_replace({value}, '^{v.XLSX_NUMBER}', '')"
        elif fast and i not in has_mapping:
            value, err = f"CASE WHEN {fast} THEN CAST({raw} AS {sql_type}) END", "NULL"
        else:
            m = f"m{i}"
            joins.append(f"LEFT JOIN m AS {m} ON {m}.i = {i} AND {m}.raw = {raw}")
            mapped = f"TRY_CAST({m}.val AS {sql_type})"
            value = f"CASE WHEN {fast} THEN CAST({raw} AS {sql_type}) ELSE {mapped} END" if fast else mapped
            err = f"CASE WHEN {fast} THEN NULL ELSE {m}.err END" if fast else f"{m}.err"
        if f.currency_of is not None and f.currency_of in pos:
            code = re.search(r"\(([A-Z]{3})\)", header[pos[f.currency_of]])
            if code:
                value = f"coalesce({value}, {_literal(code[1])})"
        if f.default is not None:
            value = f"coalesce({value}, CAST({_literal(f.default)} AS {sql_type}))"
        elif f.column in preset.key:
            err = f"coalesce({err}, CASE WHEN ({value}) IS NULL THEN 'empty, but it identifies the row' END)"
        selects += [f"{value} AS {f.column}", f"{err} AS _err{i}"]
        errors_sql.append(
            f"SELECT line, {i} AS pos, {_literal(col_header)} AS col, _err{i} AS err FROM typed "
            f"WHERE _err{i} IS NOT NULL"
        )
    for col, const in preset.constants:
        selects.append(f"{_literal(const)} AS {col}")
    con.execute(f"CREATE TABLE typed AS SELECT {', '.join(selects)} FROM body {' '.join(joins)}")

    errors = [
        RowError(line, None, f"{found} fields where the header has {expected}")
        for line, expected, found in cells.bad_rows
    ]
    union = (
        " UNION ALL ".join(errors_sql) if errors_sql else "SELECT 1 line, 0 pos, '' col, NULL err WHERE false"
    )
    count = con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0]
    errors += [
        RowError(line, col, err)
        for line, _, col, err in con.execute(f"{union} ORDER BY line, pos LIMIT 200").fetchall()
    ]
    count += len(cells.bad_rows)
    if preset.day_span:
        a, b = preset.day_span
        spans = con.execute(
            f"SELECT line, {a}, {b} FROM typed WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND {a} <> {b} "
            "ORDER BY line"
        ).fetchall()
        count += len(spans)
        header_a = header[pos[a]] if a in pos else a
        errors += [
            RowError(
                line, header_a, f"the row covers {x} to {y}, not one day; export it with a breakdown by day"
            )
            for line, x, y in spans[:200]
        ]
    if not count:
        count, dupes = _duplicates(con, preset)
        errors += dupes
    errors.sort(key=lambda e: e.line)
    rows = con.execute("SELECT count(*) FROM typed").fetchall()[0][0]
    con.execute("DROP TABLE m")
    if not preset.segment_headers:
        con.execute("DROP VIEW body; DROP TABLE cells")  # typed holds all that is still needed
    return Converted(cells, preset, rows, decimal_comma, errors[:200], count, totals)


def _duplicates(con: duckdb.DuckDBPyConnection, preset: Preset) -> tuple[int, list[RowError]]:
    keys = ", ".join(preset.key)
    found = con.execute(
        f"SELECT list(line ORDER BY line) AS lines, {keys} FROM typed GROUP BY {keys} "
        "HAVING count(*) > 1 ORDER BY lines[1]"
    ).fetchall()
    out = []
    for lines, *key in found[:200]:
        shown = ", ".join(map(str, key))
        out.append(
            RowError(lines[0], None, f"lines {lines[0]} and {lines[1]} hold the same {keys} ({shown})")
        )
    return len(found), out
