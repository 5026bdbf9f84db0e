"""Check-ins (`okrs/checkins.csv`): values, confidence and notes that people add to key results.

Columns (any order, header names are case-insensitive): `kr_id,date,value,confidence,note,author`
and optionally `override`. A KR on the `checkins` metric takes its value from here (so `value` is
required for it); on any other KR a check-in adds confidence and a note, and replaces the data only
when it says `override: true` (with a value and a note saying why). The delimiter, dates and
numbers are read by the export loader's functions (connectors/exports/values.py), so `16.11.2026`,
`0,5` and `;` (or tab) files work as they do there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from connectors.exports.values import detect_decimal_comma, detect_delimiter, parse_date, parse_number
from pipelines.okr_definitions.errors import DefinitionError, FileProblem, read_text
from pipelines.okr_definitions.metric_catalog import CHECKINS_METRIC

COLUMNS = ("kr_id", "date", "value", "confidence", "note", "author", "override")
REQUIRED = ("kr_id", "date")
MAX_FILE_BYTES = 5_000_000
CONFIDENCE_LEVELS = ("low", "medium", "high")
_TRUE = {"true", "yes", "y", "1", "x", "kyllä"}
_FALSE = {"false", "no", "n", "0", "", "ei"}


@dataclass(frozen=True)
class Checkin:
    kr_id: str
    checkin_date: dt.date
    value: float | None
    note: str | None
    confidence_score: int | None = None  # 1-10 when written as a number
    confidence_level: str | None = None  # low | medium | high (numbers: 1-3, 4-7, 8-10)
    author: str | None = None
    is_override: bool = False
    line: int | None = None


@dataclass(frozen=True)
class KnownKeyResults:
    """The key results check-ins may name, as far as the definition files could be read."""

    metrics: dict[str, str]  # kr_id -> metric, for every valid KR
    unresolved: frozenset[str] = frozenset()  # ids of KRs that exist but have errors of their own
    complete: bool = True  # False when a file or objective could not be read: ids may be missing

    def unknown_message(self, kr_id: str) -> str | None:
        """The error for a check-in naming kr_id, None when it exists or may exist."""
        if kr_id in self.metrics or kr_id in self.unresolved or not self.complete:
            return None
        import difflib  # only for this message: keeps `okr validate` quick to start

        close = difflib.get_close_matches(kr_id, self.metrics, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key result {kr_id!r}{hint}"


@dataclass
class _Reader:
    display: str
    known: KnownKeyResults
    errors: list[DefinitionError]
    decimal_comma: bool = False
    value_days: dict[tuple[str, dt.date], int] = field(default_factory=dict)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(DefinitionError(self.display, line, column, message))

    def row(self, line: int, cells: dict[str, str]) -> Checkin | None:
        ok = True
        kr_id = cells.get("kr_id", "")
        metric = self.known.metrics.get(kr_id)
        if not kr_id:
            self.error(line, "kr_id", "is empty; name the key result the check-in is for")
            ok = False
        elif (unknown := self.known.unknown_message(kr_id)) is not None:
            self.error(line, "kr_id", unknown)
            ok = False
        day = self.date(line, cells.get("date", ""))
        value = self.number(line, cells.get("value", ""))
        score, level = self.confidence(line, cells.get("confidence", ""))
        override = self.flag(line, cells.get("override", ""))
        note, author = cells.get("note") or None, cells.get("author") or None
        if day is None or value is False or level is False or override is None:
            return None
        if metric == CHECKINS_METRIC and value is None:
            self.error(
                line, "value", f"is required: {kr_id} uses metric checkins, so its value is the actual"
            )
            ok = False
        if override and metric == CHECKINS_METRIC:
            self.error(
                line,
                "override",
                f"applies to KRs fed by data; {kr_id} uses metric checkins, "
                "whose value is the actual already",
            )
            ok = False
        elif override and value is None:
            self.error(
                line, "value", "is required when override is true: it replaces the data from this day on"
            )
            ok = False
        if override and note is None:
            self.error(line, "note", "is required when override is true: say why the data is overridden")
            ok = False
        if value is None and level is None and note is None:
            self.error(line, "", "the check-in says nothing: give a value, a confidence or a note")
            ok = False
        if value is not None and kr_id:
            first = self.value_days.setdefault((kr_id, day), line)
            if first != line:
                self.error(line, "value", f"{kr_id} already has a value for {day} (line {first}); keep one")
                ok = False
        if not ok or metric is None:
            return None
        return Checkin(kr_id, day, value, note, score, level, author, bool(override), line)

    def date(self, line: int, raw: str) -> dt.date | None:
        if not raw:
            self.error(line, "date", "is required (like 2026-11-16 or 16.11.2026)")
            return None
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            self.error(line, "date", f"{raw!r} is not a date like 2026-11-16 or 16.11.2026")
        return day

    def number(self, line: int, raw: str) -> float | bool | None:
        """The value, None when empty, False after reporting an error."""
        try:
            value = parse_number(raw, self.decimal_comma)
        except ValueError:
            value = math.nan
        if value is not None and not math.isfinite(value):
            self.error(line, "value", f"{raw!r} is not a number")
            return False
        return value

    def confidence(self, line: int, raw: str) -> tuple[int | None, str | bool | None]:
        """(score 1-10 or None, level) ; level False after reporting an error."""
        if not raw:
            return None, None
        if raw.lower() in CONFIDENCE_LEVELS:
            return None, raw.lower()
        try:
            number = parse_number(raw, self.decimal_comma)
        except ValueError:
            number = None
        if number is not None and number.is_integer() and 1 <= number <= 10:
            score = int(number)
            return score, "low" if score <= 3 else ("medium" if score <= 7 else "high")
        self.error(line, "confidence", f"must be a whole number 1-10 or low, medium or high, not {raw!r}")
        return None, False

    def flag(self, line: int, raw: str) -> bool | None:
        """True or False; None after reporting an error."""
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        self.error(line, "override", f"must be true or false (or empty), not {raw!r}")
        return None


def load_checkins(
    path: Path, known: KnownKeyResults, display: str, errors: list[DefinitionError]
) -> list[Checkin]:
    """Read check-ins; each bad cell is reported with its line and column name."""
    try:
        text = read_text(path, MAX_FILE_BYTES, " (in Excel: Save as, CSV UTF-8)")
    except FileProblem as exc:
        errors.append(DefinitionError(display, exc.line, "", exc.message, exc.column))
        return []
    delimiter = detect_delimiter(next((ln for ln in text.splitlines() if ln.strip()), ""))
    try:
        records = _records(text, delimiter)
    except csv.Error as exc:
        errors.append(DefinitionError(display, None, "", f"cannot be read as CSV: {exc}"))
        return []
    if not records:
        return []
    header_line, header = records[0]
    columns = [c.strip().lower() for c in header]
    if not _header_ok(columns, header_line, display, errors):
        return []
    reader = _Reader(display, known, errors)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records[1:]:
        if len(cells) != len(columns):
            errors.append(
                DefinitionError(
                    display,
                    line,
                    "",
                    f"has {len(cells)} fields but the header has {len(columns)} "
                    f"(a {delimiter!r} inside a note needs the note in double quotes)",
                )
            )
            continue
        rows.append((line, {c: v.strip() for c, v in zip(columns, cells, strict=True)}))
    reader.decimal_comma = detect_decimal_comma([cells.get("value", "") for _, cells in rows], delimiter)
    out = [c for line, cells in rows if (c := reader.row(line, cells)) is not None]
    return out


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first line, cells) of every non-blank record; a quoted note may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return out
        if any(c.strip() for c in cells):
            out.append((start, cells))


def _header_ok(columns: list[str], line: int, display: str, errors: list[DefinitionError]) -> bool:
    ok = True
    known = ", ".join(COLUMNS)
    for number, name in enumerate(columns, start=1):
        if name not in COLUMNS:
            label = name or f"column {number}"
            errors.append(
                DefinitionError(
                    display, line, label, f"is not a known column (column {number}); columns are {known}"
                )
            )
            ok = False
        elif columns.index(name) != number - 1:
            errors.append(
                DefinitionError(display, line, name, f"appears twice in the header (column {number})")
            )
            ok = False
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        errors.append(
            DefinitionError(
                display,
                line,
                "",
                f"missing column(s) {', '.join(missing)}; "
                f"the header needs kr_id and date, then any of {known}",
            )
        )
        ok = False
    return ok
