"""The demo calendar: which days exist and how busy each one is.

Every volume in the generator is a base rate times `demand_index(day)`, so traffic, leads,
spend and deals all share the same summer dip, December dip, autumn peak and weekend lull.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
# The HubSpot exports are named after the day they were taken.
EXPORT_DAY = dt.date(2026, 11, 26)

# B2B buyers browse on working days; Saturday is the quietest day.
_WEEKDAY = np.array([1.10, 1.15, 1.12, 1.05, 0.85, 0.32, 0.40])

# Nordic year: slow July (everyone is at the summer cottage), busy Sep-Nov, quiet December.
_MONTH = np.array([0.92, 1.00, 1.05, 1.00, 1.02, 0.88, 0.55, 0.85, 1.15, 1.22, 1.18, 0.78])

# Midsummer and the Christmas-to-Epiphany week are close to dead for B2B.
_HOLIDAYS = {
    dt.date(2025, 1, 1),
    dt.date(2025, 1, 6),
    dt.date(2025, 4, 18),
    dt.date(2025, 4, 21),
    dt.date(2025, 5, 1),
    dt.date(2025, 5, 29),
    dt.date(2025, 6, 20),
    dt.date(2025, 12, 6),
    dt.date(2026, 1, 1),
    dt.date(2026, 1, 6),
    dt.date(2026, 4, 3),
    dt.date(2026, 4, 6),
    dt.date(2026, 5, 1),
    dt.date(2026, 5, 14),
    dt.date(2026, 6, 19),
    dt.date(2026, 12, 6),
}

# Year-over-year growth of the business as a whole.
ANNUAL_GROWTH = 0.25


def all_days() -> list[dt.date]:
    """Every day from FIRST_DAY to LAST_DAY inclusive."""
    count = (LAST_DAY - FIRST_DAY).days + 1
    return [FIRST_DAY + dt.timedelta(days=i) for i in range(count)]


def is_holiday(day: dt.date) -> bool:
    christmas_break = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 2)
    return christmas_break or day in _HOLIDAYS


def weekday_factor(day: dt.date) -> float:
    return 0.35 if is_holiday(day) else float(_WEEKDAY[day.weekday()])


def season_factor(day: dt.date) -> float:
    factor = float(_MONTH[day.month - 1])
    # The December dip deepens towards Christmas rather than starting on the 1st.
    if day.month == 12 and day.day > 15:
        factor *= 0.75
    return factor


def trend_factor(day: dt.date) -> float:
    years = (day - FIRST_DAY).days / 365.0
    return float((1 + ANNUAL_GROWTH) ** years)


def demand_index(day: dt.date) -> float:
    """Relative demand on `day` (about 1.0 on an average weekday of early 2025)."""
    return weekday_factor(day) * season_factor(day) * trend_factor(day)


def is_weekday(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)
