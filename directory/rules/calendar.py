"""Working-day calendar: PRC official holidays with 调休 adjusted working days.

Two sources, per year:

* ``schemes/_common/holidays.yaml`` -- years entered by association staff from
  the State Council (国务院办公厅) notice; these take precedence;
* the ``chinese_calendar`` package -- covers 2004..2026 (version 1.11.0) and
  raises ``NotImplementedError`` for any other year.

A year neither source covers raises :class:`CalendarGap`; we never guess.

>>> from datetime import date
>>> cal = WorkCalendar()
>>> cal.is_working_day(date(2025, 9, 28))   # Sunday, 国庆调休上班
True
>>> cal.nth_working_day(date(2025, 9, 30), 2)  # skips 10-01..10-08
datetime.date(2025, 10, 9)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import yaml

HOLIDAYS_FILE = Path("schemes/_common/holidays.yaml")
_YEAR_KEYS = {"source", "holidays", "workdays"}


class CalendarGap(Exception):
    """No source covers the year of the requested date.

    >>> str(CalendarGap(2028)).startswith("2028 年节假日安排尚未收录")
    True
    """

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year} 年节假日安排尚未收录：请在 {HOLIDAYS_FILE.as_posix()} 中"
            "按国务院办公厅通知补充该年的放假与调休安排"
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Holiday calendar: ``chinese_calendar`` plus the years of holidays.yaml.

    For a year listed in ``years`` only the file's data counts: a day is a
    working day if it is in ``workdays``, or a Monday–Friday not in ``holidays``.

    >>> cal = WorkCalendar(holidays=frozenset({date(2027, 1, 1)}),
    ...                    workdays=frozenset(), years=frozenset({2027}))
    >>> cal.is_working_day(date(2027, 1, 1)), cal.is_working_day(date(2027, 1, 4))
    (False, True)
    """

    holidays: frozenset[date] = frozenset()  # 放假的工作日 (file years only)
    workdays: frozenset[date] = frozenset()  # 调休上班的周末 (file years only)
    years: frozenset[int] = frozenset()  # years declared in holidays.yaml

    def covers(self, year: int) -> bool:
        """True if either source has the schedule for ``year``.

        >>> WorkCalendar().covers(2025), WorkCalendar().covers(2028)
        (True, False)
        """
        if year in self.years:
            return True
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day; CalendarGap if its year is uncovered.

        >>> WorkCalendar().is_working_day(date(2025, 10, 1))   # 国庆
        False
        """
        if d.year in self.years:
            return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            raise CalendarGap(d.year) from None

    def nth_working_day(self, start: date, n: int) -> date:
        """The n-th working day, counting ``start`` as day 1 if it is one.

        >>> WorkCalendar().nth_working_day(date(2026, 2, 12), 5)  # 春节
        datetime.date(2026, 2, 25)
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        d, count = start, 0
        while True:
            if self.is_working_day(d):
                count += 1
                if count == n:
                    return d
            d += timedelta(days=1)

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days from ``a`` to ``b``, both inclusive.

        >>> WorkCalendar().working_days_between(date(2025, 9, 27), date(2025, 10, 11))
        6
        """
        if b < a:
            raise ValueError(f"end {b} is before start {a}")
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range((b - a).days + 1))


def load_calendar(root: Path) -> WorkCalendar:
    """Calendar from ``root/schemes/_common/holidays.yaml`` (missing file = no extra years).

    Raises ValueError, with a Chinese message naming the file, if it is malformed.

    >>> load_calendar(Path("/nonexistent")).years
    frozenset()
    """
    path = Path(root) / HOLIDAYS_FILE
    if not path.is_file():
        return WorkCalendar()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: e.g. 2027-13-01
        raise ValueError(f"{path}：无法读取或不是合法的 YAML（{exc}）") from None

    def bad(msg: str) -> ValueError:
        return ValueError(f"{path}：{msg}")

    if data is None:
        return WorkCalendar()
    if not isinstance(data, dict) or set(data) != {"years"}:
        raise bad("文件顶层应只有一个键 years")
    years = data["years"] or {}
    if not isinstance(years, dict):
        raise bad("years 下应按年份列出各年的安排")

    holidays: set[date] = set()
    workdays: set[date] = set()
    declared: set[int] = set()
    for key, entry in years.items():
        year = _as_year(key)
        if year is None:
            raise bad(f"年份 {key!r} 不是四位数字年份")
        if year in declared:
            raise bad(f"{year} 年重复出现")
        if not isinstance(entry, dict) or set(entry) != _YEAR_KEYS:
            raise bad(f"{year} 年应恰好包含 source、holidays、workdays 三项")
        if not isinstance(entry["source"], str) or not entry["source"].strip():
            raise bad(f"{year} 年的 source 应填写国务院办公厅通知文号")
        off = _dates(entry["holidays"], year, f"{year} 年的 holidays", bad)
        on = _dates(entry["workdays"], year, f"{year} 年的 workdays", bad)
        if off & on:
            both = "、".join(sorted(d.isoformat() for d in off & on))
            raise bad(f"{both} 同时出现在 {year} 年的 holidays 和 workdays 中")
        declared.add(year)
        holidays |= off
        workdays |= on
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(declared))


def _as_year(key: object) -> int | None:
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key)
    if isinstance(key, int) and not isinstance(key, bool) and 1000 <= key <= 9999:
        return key
    return None


def _dates(items: object, year: int, what: str, bad) -> set[date]:
    if items is None:
        return set()
    if not isinstance(items, list):
        raise bad(f"{what} 应为日期列表，如 [{year}-01-01]")
    out = set()
    for item in items:
        d = item if type(item) is date else None
        if isinstance(item, str):
            try:
                d = datetime.strptime(item.strip(), "%Y-%m-%d").date()
            except ValueError:
                d = None
        if d is None:
            raise bad(f"{what} 中的 {item!r} 不是 YYYY-MM-DD 格式的日期")
        if d.year != year:
            raise bad(f"{what} 中的 {d.isoformat()} 不属于 {year} 年")
        out.add(d)
    return out
