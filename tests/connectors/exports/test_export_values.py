"""Number and date formats of hand exports."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.exports.values import (
    ValueProblem,
    detect_decimal_comma,
    local_date,
    parse_datetime,
    parse_int,
    parse_number,
    to_local,
)


@pytest.mark.parametrize(
    ("cells", "delimiter", "comma"),
    [
        (["1 234,50", "12 345"], ";", True),
        (["1\u00a0234,5"], ",", True),
        (["1.234,50"], ";", True),
        (["1,234.50"], ",", False),
        (["1234.5"], ";", False),
        (["12 345", "100"], ",", True),
        (["1,234"], ",", False),
        (["1,234"], ";", True),
    ],
)
def test_decimal_separator_is_detected_per_file(cells: list[str], delimiter: str, comma: bool) -> None:
    assert detect_decimal_comma(cells, delimiter) is comma


@pytest.mark.parametrize(
    ("raw", "comma", "value"),
    [
        ("1 234,50", True, 1234.5),
        ("1,234.50", False, 1234.5),
        ("1234.5", False, 1234.5),
        ("12\u00a0345", True, 12345),
        ("€1,000.00", False, 1000.0),
        ("-3,5", True, -3.5),
        ("", False, None),
        (7, False, 7.0),
    ],
)
def test_parse_number(raw: object, comma: bool, value: float | None) -> None:
    assert parse_number(raw, comma) == value


def test_bad_numbers_are_named() -> None:
    with pytest.raises(ValueProblem, match="cannot read '12x' as a number"):
        parse_number("12x")
    with pytest.raises(ValueProblem, match="expected a whole number"):
        parse_int("1.5")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("15.1.2026", dt.datetime(2026, 1, 15)),
        ("2026-01-15 10:00", dt.datetime(2026, 1, 15, 10)),
        ("20260115", dt.datetime(2026, 1, 15)),
        ("2026-01-15", dt.datetime(2026, 1, 15)),
        ("1/15/2026", dt.datetime(2026, 1, 15)),
        ("1/15/2026 3:04 PM", dt.datetime(2026, 1, 15, 15, 4)),
        ("2026-01-15T10:00:00Z", dt.datetime(2026, 1, 15, 10, tzinfo=dt.UTC)),
    ],
)
def test_parse_datetime(raw: str, value: dt.datetime) -> None:
    assert parse_datetime(raw) == value


def test_bad_date() -> None:
    with pytest.raises(ValueProblem, match=r"cannot read '32.1.2026' as a date"):
        parse_datetime("32.1.2026")


def test_zones() -> None:
    local = dt.datetime(2026, 7, 1, 10, 0)
    assert to_local(local, "Europe/Helsinki", "Europe/Helsinki") == local
    assert to_local(local, "UTC", "Europe/Helsinki") == dt.datetime(2026, 7, 1, 13, 0)
    aware = dt.datetime(2026, 1, 14, 23, 30, tzinfo=dt.UTC)
    assert local_date(aware, "Europe/Helsinki") == dt.date(2026, 1, 15)
