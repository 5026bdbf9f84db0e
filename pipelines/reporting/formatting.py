"""Locale-aware formatting of numbers, money and dates through Babel (CLDR data), never by hand."""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent, list_currencies

from pipelines.reporting.messages import LOCALES

# One CLDR locale per language (messages.LOCALES; en_GB rather than en_US: the readers are in the
# Nordics, and day-before-month reads the same in both languages, "15 Nov 2026" / "15.11.2026").
BABEL_LOCALES = dict(LOCALES)
# The same locales for the d3 formatters inside Vega charts (vl-convert names them this way).
CHART_LOCALES = {lang: locale.replace("_", "-") for lang, locale in LOCALES.items()}

_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_of(unit: str | None) -> str | None:
    """ISO currency code when a KR's unit is money (`EUR`, `€`), else None."""
    if not unit:
        return None
    unit = unit.strip()
    if unit in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[unit]
    return unit.upper() if len(unit) == 3 and unit.upper() in _currencies() else None


def is_percent_unit(unit: str | None) -> bool:
    return bool(unit) and unit.strip() in ("%", "percent", "pct")


class Formatter:
    """Formats the scorecard's values for one language. Every method returns the locale's 'no value'
    dash for None so templates need no special cases."""

    def __init__(self, lang: str, none: str = "–") -> None:
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        self.none = none
        # The locale's own patterns with the precision readers expect: one decimal for percent
        # (37.7 %), whole units for money from 1,000 up (€850,000, not €850,000.00).
        self._percent_pattern = self.locale.percent_formats[None].pattern.replace("0", "0.#", 1)
        self._whole_money = self.locale.currency_formats["standard"].pattern.replace("0.00", "0")

    def decimal(self, value: float | None, pattern: str | None = None) -> str:
        if value is None:
            return self.none
        if pattern is None:
            # Whole numbers stay whole; small numbers (rates) keep more digits than big ones.
            pattern = "#,##0.###" if abs(value) < 10 else "#,##0.#" if abs(value) < 1000 else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def score(self, value: float | None) -> str:
        """A 0.0–1.0 grade, always two decimals: 0.72 / 0,72."""
        return self.decimal(value, "0.00")

    def percent(self, value: float | None) -> str:
        if value is None:
            return self.none
        return format_percent(value, format=self._percent_pattern, locale=self.locale)

    def currency(self, value: float | None, code: str = "EUR") -> str:
        if value is None:
            return self.none
        if abs(value) >= 1000:
            return format_currency(
                value, code, format=self._whole_money, currency_digits=False, locale=self.locale
            )
        return format_currency(value, code, locale=self.locale)

    def value(self, value: float | None, unit: str | None = None) -> str:
        """A KR's actual, target or baseline with its unit: money as currency, `%` as percent of 1.0."""
        if value is None:
            return self.none
        code = currency_of(unit)
        if code:
            return self.currency(value, code)
        if is_percent_unit(unit):
            return self.percent(value)
        text = self.decimal(value)
        return f"{text} {unit}" if unit else text

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return self.none
        return format_date(value, "medium", locale=self.locale)

    def datetime(self, value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
        if value is None:
            return self.none
        if value.tzinfo is not None and tz is not None:
            value = value.astimezone(tz)
        return format_datetime(value, "medium", tzinfo=value.tzinfo, locale=self.locale)

    def integer(self, value: int | None) -> str:
        return self.decimal(value, "#,##0")
