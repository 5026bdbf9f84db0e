"""Turn an export file (CSV/TSV/TXT or XLSX) into a table of text cells, whatever its encoding,
delimiter and the title, comment and footer lines around it.

The data block is parsed in bulk by DuckDB's CSV reader (all columns as text, into an in-memory
database): Python only looks at the head of the file (to find the header) and at the lines after
the block (totals and footers), never at the rows one by one.

- The header is the first line (of the first 60) that a preset recognises, else the first line
  of two or more cells that is not blank and not a `#` comment; title lines above it (GA4's `#`
  block, Google Ads' report name and date range, LinkedIn's report facts, Salesforce's report
  title) are skipped.
- The block ends at the first blank line, `#` line or line of only delimiters after the header;
  the non-blank lines after it are the trailer (Salesforce's "Grand Totals (n records)" and
  confidential-information footer), read for totals only.
- A row with another number of fields than the header is an error with its line.

One file because the text and XLSX paths share the header search and the trailer rules and
produce the same `Cells`; every step in it is a small function.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from connectors.exports.values import XLSX_NUMBER, detect_delimiter

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
_HEADER_SEARCH_LINES = 60
_TRAILER_LINES = 200
# End of the data block: a blank line, a line of only delimiters/quotes (Excel re-saves blank
# rows as `;;;;`), or a `#` comment line (GA4 appends further blocks that way).
_BLOCK_END = re.compile(r'\n(?:[ \t;,"]*(?:\n|$)|#)')


class ExportFileError(ValueError):
    """A file that cannot be read as an export; the message names the file and what is wrong."""


@dataclass
class Cells:
    """The data block of one export as text cells in an in-memory DuckDB table `cells`
    (columns c0..cN-1 and `line`, the file line where the row starts)."""

    con: duckdb.DuckDBPyConnection
    header: list[str]
    header_line: int
    rows: int
    encoding: str
    delimiter: str
    # (line, expected fields, found fields) of rows with another number of fields than the header.
    bad_rows: list[tuple[int, int, int]] = field(default_factory=list)
    # Non-blank lines after the block (line number, cells): totals and footers.
    trailer: list[tuple[int, list[str]]] = field(default_factory=list)

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.execute(f"USE memory.main; DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self.con.close()

    @property
    def schema(self) -> str:
        return self.con.execute("SELECT current_schema()").fetchall()[0][0]


_database: duckdb.DuckDBPyConnection | None = None
_counter = itertools.count()
_lock = threading.Lock()


def workspace() -> duckdb.DuckDBPyConnection:
    """A connection of its own (in its own schema) to the process's in-memory parsing database.
    Opening a DuckDB database costs about 40 ms; a cursor on a shared one almost nothing."""
    global _database
    with _lock:
        if _database is None:
            # Parsed files are held here until written; beyond this they spill to disk.
            _database = duckdb.connect(
                config={
                    "memory_limit": "128MB",
                    "temp_directory": str(Path(tempfile.gettempdir()) / "okr-export-spill"),
                }
            )
        cur = _database.cursor()
        schema = f"export_{next(_counter)}"
    cur.execute(f"CREATE SCHEMA {schema}; USE memory.{schema}")
    return cur


def detect_encoding(data: bytes, name: str) -> str:
    """utf-8-sig, utf-16 (Excel's "Unicode text", LinkedIn), utf-8, else Windows-1252 (Latin-1
    for the five bytes Windows-1252 leaves undefined). Nordic text in a Windows file is always one
    of these; exotic code pages are never guessed (a short file gives a guesser too little to go on)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        if len(head) >= 4 and head[1::2].count(0) > len(head) * 0.4:
            return "utf-16-le"
        if len(head) >= 4 and head[0::2].count(0) > len(head) * 0.4:
            return "utf-16-be"
        raise ExportFileError(f"{name}: binary content (NUL bytes), not a text export")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls / len(sample) > 0.02


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _skippable(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _find_header(lines: list[str], is_header: Callable[[list[str]], bool]) -> int:
    """Index of the header among the first lines (see the module docstring)."""
    candidates = [i for i, line in enumerate(lines) if not _skippable(line)]
    for i in candidates:
        cells = [c.strip() for c in _split(lines[i], detect_delimiter(lines[i]))]
        if is_header(cells):
            return i
    for i in candidates:
        if len(_split(lines[i], detect_delimiter(lines[i]))) >= 2:
            return i
    return candidates[0]


def _record_lines(block: str, delimiter: str, first_line: int) -> list[int]:
    """The file line where each record of the block starts (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(block), delimiter=delimiter)
    starts, line = [], first_line
    for _ in reader:
        starts.append(line)
        line = first_line + reader.line_num
    return starts


def read_text_cells(path: Path, name: str, is_header: Callable[[list[str]], bool]) -> Cells:
    data = path.read_bytes()
    if not data or data.isspace():
        raise ExportFileError(f"{name}: the file is empty")
    encoding = detect_encoding(data, name)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ExportFileError(f"{name}: not readable as text in {encoding}") from None
    del data  # the text alone from here on: a large export is held once, not three times
    if _looks_binary(text):
        raise ExportFileError(f"{name}: binary content, not a text export")
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = text[: 1 << 16].split("\n")[:_HEADER_SEARCH_LINES]
    if all(_skippable(line) for line in head):
        raise ExportFileError(f"{name}: no table found (only comment or blank lines)")
    h = _find_header(head, is_header)
    delimiter = detect_delimiter(head[h])
    header = [c.strip() for c in _split(head[h], delimiter)]
    # Character offsets of the data block (after the header line, up to the first blank line).
    start = sum(len(line) + 1 for line in head[: h + 1])
    end_match = _BLOCK_END.search(text, start - 1) if start <= len(text) else None
    end = max(start, end_match.start() + 1 if end_match else len(text))
    first_data_line = h + 2
    newlines = text.count("\n", start, end)
    physical = newlines + (1 if end > start and text[end - 1] != "\n" else 0)
    trailer = _trailer(text[end : end + (1 << 16)], delimiter, first_data_line + newlines)
    with tempfile.TemporaryDirectory(prefix="okr-export-") as tmp:
        block = Path(tmp) / "block.csv"
        with block.open("w", encoding="utf-8", newline="\n") as fh:
            for pos in range(start, end, 1 << 20):
                fh.write(text[pos : min(pos + (1 << 20), end)])
        blank = not text[start:end].strip() if end - start < 4096 else False
        del text
        if blank:
            physical = 0
        return _parse_block(
            block, physical, header, h + 1, first_data_line, delimiter, encoding, name, trailer
        )


def _trailer(text: str, delimiter: str, first_line: int) -> list[tuple[int, list[str]]]:
    out = []
    for i, line in enumerate(text.split("\n", _TRAILER_LINES)[:_TRAILER_LINES]):
        if line.strip() and not line.lstrip().startswith("#"):
            out.append((first_line + i, [c.strip() for c in _split(line, delimiter)]))
    return out


def _parse_block(
    path: Path,
    physical: int,
    header: list[str],
    header_line: int,
    first_line: int,
    delimiter: str,
    encoding: str,
    name: str,
    trailer: list[tuple[int, list[str]]],
) -> Cells:
    """Parse the data block (a UTF-8 file of `physical` lines) into the table `cells`."""
    con = workspace()
    n = len(header)
    cols = ", ".join(f"c{i} VARCHAR" for i in range(n))
    if physical == 0:
        con.execute(f"CREATE TABLE cells ({cols}, line BIGINT)")
        return Cells(con, header, header_line, 0, encoding, delimiter, trailer=trailer)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    try:
        con.execute(
            f"CREATE TABLE cells AS SELECT *, row_number() OVER () - 1 + {first_line} AS line "
            "FROM read_csv(?, "
            f"header = false, auto_detect = false, columns = {columns}, delim = ?, quote = '\"', "
            "escape = '\"', new_line = '\\n', strict_mode = true, ignore_errors = true, "
            "store_rejects = true, null_padding = false, parallel = false)",
            [str(path), delimiter],
        )
        rejects = con.execute(
            "SELECT line, arg_min(error_message, column_idx) FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.Error as exc:
        Cells(con, header, header_line, 0, encoding, delimiter).close()
        raise ExportFileError(f"{name}: not readable as a {delimiter!r}-delimited table ({exc})") from None
    rows = con.execute("SELECT count(*) FROM cells").fetchall()[0][0]
    # One record per line unless quoted cells span lines: then csv finds where records start.
    record_line = (
        None
        if rows + len(rejects) == physical
        else _record_lines(path.read_text(encoding="utf-8"), delimiter, first_line)
    )
    bad_rows = []
    for rec, message in rejects:
        found = re.search(r"Found: (\d+)", message or "")
        line = first_line + rec - 1 if record_line is None else record_line[min(rec, len(record_line)) - 1]
        bad_rows.append((line, n, int(found[1]) if found else -1))
    if record_line is not None or rejects:
        import pandas as pd

        # Rows were dropped or span lines: give each kept row the line where its record starts.
        rejected = {rec for rec, _ in rejects}
        lines = record_line or [first_line + i for i in range(physical)]
        good = [ln for i, ln in enumerate(lines, start=1) if i not in rejected][:rows]
        con.register("_lines", pd.DataFrame({"rid": range(len(good)), "line": good}, dtype="int64"))
        con.execute(f"UPDATE cells SET line = m.line FROM _lines m WHERE m.rid = cells.line - {first_line}")
        con.unregister("_lines")
    return Cells(con, header, header_line, rows, encoding, delimiter, bad_rows=bad_rows, trailer=trailer)


def _xlsx_text(cell: object) -> str | None:
    """An XLSX cell as text: numbers marked (they carry no decimal separator), dates in ISO."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int | float):
        return f"{XLSX_NUMBER}{cell!r}"
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def read_xlsx_cells(data: bytes, name: str, is_header: Callable[[list[str]], bool]) -> Cells:
    import pandas as pd
    from openpyxl import load_workbook  # imported here: only XLSX drops need it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExportFileError(f"{name}: not a valid XLSX workbook (not a zip archive)")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = [
                [_xlsx_text(c) for c in values] for values in wb.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise ExportFileError(f"{name}: not a valid XLSX workbook ({type(exc).__name__})") from exc
    texts = [[_plain(c.strip()) if c else "" for c in cells] for cells in sheet]
    # The same header search as for text files, on the rows as tab-joined lines.
    head = ["\t".join(t).strip() if any(t) else "" for t in texts[:_HEADER_SEARCH_LINES]]
    if all(_skippable(line) for line in head):
        raise ExportFileError(f"{name}: the first sheet holds no table")
    h = _find_header(head, is_header)
    header = texts[h]
    while header and not header[-1]:
        header.pop()
    n = len(header)
    rows, lines, trailer = [], [], []
    ended = False
    for i in range(h + 1, len(sheet)):
        if ended or not any(texts[i]) or texts[i][0].startswith("#"):
            ended = True
            if any(texts[i]) and not texts[i][0].startswith("#") and len(trailer) < _TRAILER_LINES:
                trailer.append((i + 1, texts[i]))
            continue
        rows.append((sheet[i] + [None] * n)[:n])
        lines.append(i + 1)
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(n)], dtype=object)
    frame["line"] = pd.Series(lines, dtype="int64")
    con = workspace()
    con.register("_xlsx", frame)
    cols = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(n))
    con.execute(f"CREATE TABLE cells AS SELECT {cols}, line FROM _xlsx")
    con.unregister("_xlsx")
    return Cells(con, header, h + 1, len(rows), "xlsx", "", trailer=trailer)


def _plain(text: str) -> str:
    """A marked XLSX number as the number's text (for header search and totals)."""
    return text[len(XLSX_NUMBER) :] if text.startswith(XLSX_NUMBER) else text


def read_cells(path: Path, name: str, is_header: Callable[[Sequence[str]], bool]) -> Cells:
    """Read one export file into text cells; `name` is how messages call it."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ExportFileError(
            f"{name}: an Excel 97-2003 workbook (.xls) is not read; open it in Excel or LibreOffice "
            "and save it as .xlsx or CSV"
        )
    if suffix == ".xlsx":
        return read_xlsx_cells(path.read_bytes(), name, is_header)
    return read_text_cells(path, name, is_header)
