"""Date helpers shared by validation and the lifecycle: records keep dates as strings until here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))  # Asia/Shanghai has no daylight saving time
# The dates a record or batch may hold (checks/text.py reports others): derived ends (+3 years,
# a ban) stay far from date.max, and no institution in these schemes was founded before 1900.
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def parse_date(value: object) -> date | None:
    """'2025-10-20' -> date; anything else, or a date outside EARLIEST..LATEST (a finding
    elsewhere) -> None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def add_years(day: date, years: int) -> date:
    """Same day `years` later; 29 February falls back to 28 February.

    >>> add_years(date(2024, 2, 29), 1)
    datetime.date(2025, 2, 28)
    >>> add_years(date(9999, 6, 1), 3)   # past the last date Python knows: that last date
    datetime.date(9999, 12, 31)
    """
    if not date.min.year <= day.year + years <= date.max.year:
        return date.max if years > 0 else date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_end(start: date, years: int) -> date:
    """Last day of a period of `years` from `start`: the day before the anniversary.

    >>> years_end(date(2025, 10, 20), 3)
    datetime.date(2028, 10, 19)
    >>> years_end(date(2024, 2, 29), 3)   # the anniversary of 29 February is 1 March
    datetime.date(2027, 2, 28)
    """
    if not date.min.year <= start.year + years <= date.max.year:
        return date.max if years > 0 else date.min
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February: in a common year the anniversary is 1 March
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clipped to the month's end.

    >>> add_months(date(2027, 1, 1), 6)
    datetime.date(2027, 7, 1)
    >>> add_months(date(9999, 12, 31), 24)   # past the last date Python knows: that last date
    datetime.date(9999, 12, 31)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
