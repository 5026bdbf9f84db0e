"""Number and date formats of hand exports."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from connectors.exports.values import (
    ValueProblem,
    detect_decimal_comma,
    local_date,
    parse_datetime,
    parse_int,
    parse_number,
    to_local,
)
from tests.fuzzing import fuzz


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


# --- Fuzz: whatever a cell holds, the value parsers give a value or the project's own error. ---

_CELL = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[-+]?[0-9 .,\u00a0]{0,14}([eE][-+]?[0-9]{1,4})?( ?(EUR|€|%))?", fullmatch=True),
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e400", "1_000", "٣", "--", "(not set)"]),
)


@fuzz(400)
@given(raw=_CELL, comma=st.booleans())
@example(raw="\x1fxlsx-number:", comma=False)  # a text cell that mimics the XLSX number marker
def test_fuzz_parse_number_gives_a_finite_number_or_a_value_problem(raw: str, comma: bool) -> None:
    try:
        value = parse_number(raw, comma)
    except ValueProblem as exc:
        assert repr(raw) in str(exc)
        return
    assert value is None or (isinstance(value, float) and math.isfinite(value))


@fuzz(400)
@given(raw=_CELL, comma=st.booleans())
def test_fuzz_parse_int_fits_a_bigint_or_is_a_value_problem(raw: str, comma: bool) -> None:
    try:
        value = parse_int(raw, comma)
    except ValueProblem:
        return
    assert value is None or (isinstance(value, int) and -(2**63) < value < 2**63)


@fuzz(400)
@given(
    raw=st.one_of(
        st.text(max_size=30),
        st.from_regex(
            r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}( [0-9]{1,2}:[0-9]{2}( [AP]M)?)?", fullmatch=True
        ),
        st.from_regex(r"[0-9]{8}", fullmatch=True),
    )
)
def test_fuzz_parse_datetime_gives_a_datetime_or_a_value_problem(raw: str) -> None:
    try:
        value = parse_datetime(raw)
    except ValueProblem as exc:
        assert repr(raw) in str(exc)
        return
    assert value is None or isinstance(value, dt.datetime)


@fuzz(200)
@given(cells=st.lists(_CELL, max_size=8), delimiter=st.sampled_from([",", ";", "\t", ""]))
def test_fuzz_decimal_detection_always_decides(cells: list[str], delimiter: str) -> None:
    assert detect_decimal_comma(cells, delimiter) in (True, False)
