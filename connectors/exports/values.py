"""Reading numbers and dates the way hand-made exports write them.

Numbers: `1 234,50` (Finnish: space or no-break space groups, decimal comma), `1.234,50`
(German), `1,234.50` (English), `1234.5`, `12 345`. Which separator is the decimal one is decided
once per file from all its numeric cells (`detect_decimal_comma`), because a lone `1,234` is
ambiguous: it is 1234 in an English export and 1.234 in a Finnish one.

Dates: `15.1.2026` (d.m.yyyy), `2026-01-15 10:00`, `20260115`, ISO dates and datetimes (with
`Z` or an offset), and `1/15/2026` (m/d/yyyy, Salesforce's US default).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

_SPACES = re.compile(r"[\s\u00a0\u202f']")  # space, no-break space, narrow nbsp, Swiss apostrophe
_CODES = r"EUR|USD|GBP|SEK|NOK|DKK"
# A currency sign or code before or after the number (Google Ads writes `EUR 12.34` in some views).
_CURRENCY = re.compile(rf"^([€$£]|(?:{_CODES})\s*)|\s*({_CODES}|€|\$|£|%)$", re.IGNORECASE)
# The largest magnitude a BIGINT column holds.
_BIGINT_MAX = 2**63 - 1
# XLSX cells that Excel stored as numbers reach the converter as text with this prefix, so that
# they are not read with the file's decimal separator (they have none).
XLSX_NUMBER = "\x1fxlsx-number:"


class ValueProblem(ValueError):
    """A cell that cannot be read as the type its column needs."""


def _clean_number(text: str) -> str:
    text = _CURRENCY.sub("", text.strip())
    text = text.replace("\u2212", "-")  # typographic minus
    return _SPACES.sub("", text)


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


def detect_decimal_comma(values: Iterable[str], delimiter: str = ",") -> bool:
    """True when the numbers of a file use a decimal comma (`1 234,50`), False for a decimal point."""
    space_groups = False
    for raw in values:
        if not raw:
            continue
        text = _clean_number(raw)
        if "," in text and "." in text:
            return text.rfind(",") > text.rfind(".")
        if re.search(r",(\d{1,2}|\d{4,})$", text):
            return True
        if re.search(r"\.(\d{1,2}|\d{4,})$", text):
            return False
        if re.search(r"\d[\s\u00a0\u202f]\d{3}", raw):
            space_groups = True  # `12 345`: Finnish/French style, which writes a decimal comma
    if space_groups:
        return True
    # Nothing gave it away (only whole numbers, maybe `1,234`): a `;` file is a European export.
    return delimiter == ";"


def parse_number(raw: object, decimal_comma: bool = False) -> float | None:
    """A float from a cell, None for an empty cell; ValueProblem when it is not a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        return _finite(float(raw), raw)
    if isinstance(raw, str) and raw.startswith(XLSX_NUMBER):
        # Only our XLSX reader writes the marker, but a hostile text cell can begin with it too.
        stored = raw[len(XLSX_NUMBER) :]
        try:
            value = float(stored)
        except ValueError:
            raise ValueProblem(f"cannot read {raw!r} as a number") from None
        return _finite(value, stored)
    text = _clean_number(str(raw))
    if text in ("", "-", "--", "(not set)"):
        return None
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    # float() also reads `nan`, `inf`, `1_000` and non-ASCII digits; an export means none of them.
    if not _PLAIN_NUMBER.match(text):
        raise ValueProblem(f"cannot read {raw!r} as a number")
    try:
        value = float(text)
    except ValueError:
        raise ValueProblem(f"cannot read {raw!r} as a number") from None
    return _finite(value, raw)


_PLAIN_NUMBER = re.compile(r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")


def _finite(value: float, raw: object) -> float:
    if not math.isfinite(value):
        raise ValueProblem(f"{raw!r} is not a finite number")
    return value


def parse_int(raw: object, decimal_comma: bool = False) -> int | None:
    value = parse_number(raw, decimal_comma)
    if value is None:
        return None
    if value != int(value):
        raise ValueProblem(f"expected a whole number, got {raw!r}")
    if abs(value) > _BIGINT_MAX:
        raise ValueProblem(f"{raw!r} is too large for a count")
    return int(value)


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_datetime(raw: object) -> dt.datetime | None:
    """A datetime from a cell (naive = local time of the export; aware when the cell says so)."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime(raw.year, raw.month, raw.day)
    text = str(raw).strip()
    if not text:
        return None
    try:
        if m := _COMPACT.match(text):
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            return dt.datetime(
                int(m[3]), int(m[2]), int(m[1]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
            )
        if m := _MDY.match(text):
            hour = int(m[4] or 0)
            if m[7]:
                hour = hour % 12 + (12 if m[7].lower() == "pm" else 0)
            return dt.datetime(int(m[3]), int(m[1]), int(m[2]), hour, int(m[5] or 0), int(m[6] or 0))
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise ValueProblem(f"cannot read {raw!r} as a date")


def parse_date(raw: object) -> dt.date | None:
    value = parse_datetime(raw)
    return None if value is None else value.date()


def to_local(value: dt.datetime | None, source_zone: str, target_zone: str) -> dt.datetime | None:
    """A naive datetime in `target_zone` (the workspace's); naive input is local time in
    `source_zone` (the zone the exporting user's tool wrote), aware input is converted."""
    if value is None:
        return None
    if value.tzinfo is None:
        if source_zone == target_zone:
            return value
        value = value.replace(tzinfo=ZoneInfo(source_zone))
    return value.astimezone(ZoneInfo(target_zone)).replace(tzinfo=None)


def local_date(value: dt.datetime | None, zone: str) -> dt.date | None:
    """The calendar date in `zone` (aware datetimes are converted; naive ones already are local)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(zone))
    return value.date()
