"""Turn an export file (CSV/TSV/TXT or XLSX) into a header and rows, whatever its encoding and
delimiter. Leading `#` comment lines (GA4's UI export) and blank lines are skipped; the table
ends at the first blank or `#` line after it started (GA4 may append more blocks).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

# Single-byte Western encodings charset-normalizer may name for a Windows-1252 file; Windows-1252
# is their superset for text (it adds €, curly quotes and dashes in 0x80-0x9F).
_WESTERN = {"cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "cp850", "mac_roman"}
SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


class ExportFileError(ValueError):
    """A file that cannot be read as an export; the message names the file and what is wrong."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (line number in the file, cells)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def detect_encoding(data: bytes, name: str) -> str:
    """utf-8-sig, utf-16 (Excel's "Unicode text"), utf-8 or cp1252; ExportFileError for binary junk."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise ExportFileError(f"{name}: binary content (NUL bytes), not a text export")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:65536]).best()
    if best is None:
        raise ExportFileError(
            f"{name}: not readable as text in UTF-8 or Windows-1252 (binary or unknown encoding)"
        )
    enc = best.encoding.lower().replace("-", "_")
    if enc in _WESTERN or enc.startswith("cp125"):
        enc = "cp1252"
    try:
        data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        raise ExportFileError(f"{name}: not readable as text in UTF-8 or Windows-1252") from None
    return enc


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls / len(sample) > 0.02


def detect_delimiter(header_line: str) -> str:
    """The delimiter of a table from its header line: the most frequent of `,` `;` tab outside quotes."""
    counts = {d: 0 for d in (",", ";", "\t")}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_text_table(data: bytes, name: str) -> Table:
    if not data.strip():
        raise ExportFileError(f"{name}: the file is empty")
    encoding = detect_encoding(data, name)
    text = data.decode(encoding)
    if _looks_binary(text):
        raise ExportFileError(f"{name}: binary content, not a text export")
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        start += 1
    if start == len(lines):
        raise ExportFileError(f"{name}: no table found (only comment or blank lines)")
    end = start + 1
    while end < len(lines) and lines[end].strip() and not lines[end].lstrip().startswith("#"):
        end += 1
    delimiter = detect_delimiter(lines[start])
    reader = csv.reader(io.StringIO("\n".join(lines[start:end])), delimiter=delimiter)
    try:
        parsed = list(reader)
    except csv.Error as exc:
        raise ExportFileError(f"{name}: line {start + 1 + reader.line_num - 1}: {exc}") from exc
    header = [h.strip() for h in parsed[0]]
    rows: list[tuple[int, list[object]]] = []
    # csv may join quoted multi-line cells; line numbers below are those of the record's start.
    for offset, cells in enumerate(parsed[1:], start=1):
        if not any(c.strip() for c in cells):
            continue
        rows.append((start + 1 + offset, list(cells)))
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def read_xlsx_table(data: bytes, name: str) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX drops need it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExportFileError(f"{name}: not a valid XLSX workbook (not a zip archive)")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise ExportFileError(f"{name}: not a valid XLSX workbook ({type(exc).__name__})") from exc
    try:
        sheet = wb.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[object]]] = []
        for line_no, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            blank = all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
            first = cells[0] if cells else None
            comment = isinstance(first, str) and first.lstrip().startswith("#")
            if header is None:
                if blank or comment:
                    continue
                header = [str(c).strip() if c is not None else "" for c in cells]
                continue
            if blank or comment:
                break
            rows.append((line_no, cells))
    finally:
        wb.close()
    if header is None:
        raise ExportFileError(f"{name}: the first sheet holds no table")
    while header and not header[-1]:
        header.pop()
    return Table(header=header, rows=rows, encoding="xlsx", delimiter="")


def read_table(path: Path, name: str | None = None) -> Table:
    """Read one export file; `name` is how messages call it (default: the file name)."""
    name = name or path.name
    data = path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_table(data, name)
    return read_text_table(data, name)
