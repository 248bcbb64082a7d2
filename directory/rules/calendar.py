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

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from directory.findings import Finding, json_path
from directory.loading.yamlfile import load_file
from directory.rules.schemas import rules_validators, schema_findings

HOLIDAYS_FILE = Path("schemes/_common/holidays.yaml")
HOLIDAYS_SCHEMA = "schemes/_common/holidays.schema.json"


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
    findings: tuple[Finding, ...] = ()  # problems of holidays.yaml; the CLI prints them

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

    Never raises: the file's problems are in ``.findings`` (file:line:col, in Chinese), and a year
    with a problem is left out, so counting into it is a CalendarGap rather than a wrong date.

    >>> load_calendar(Path("/nonexistent")).years
    frozenset()
    """
    path = Path(root) / HOLIDAYS_FILE
    if not os.path.lexists(path):   # a folder, FIFO or broken link there is a finding (load_file), not "no file"
        return WorkCalendar()
    document, findings = load_file(path, HOLIDAYS_FILE.as_posix())
    if document is None:
        return WorkCalendar(findings=tuple(findings))
    validators, problems = rules_validators(Path(root), "holidays.schema.json")
    # the other shared schemas are reported by whoever uses them; the calendar needs only its own
    findings += [problem for problem in problems if problem.path == HOLIDAYS_SCHEMA]
    validator = validators["holidays.schema.json"]
    if validator is None:   # the schema itself is missing or broken: the file cannot be checked
        return WorkCalendar(findings=tuple(sorted(findings)))
    structure = schema_findings(validator, document, None)
    if structure or not isinstance(document.data, dict):
        return WorkCalendar(findings=tuple(sorted(findings + structure)))

    holidays: set[date] = set()
    workdays: set[date] = set()
    declared: set[int] = set()
    for key, entry in (document.data.get("years") or {}).items():
        year = int(key)
        problems = []

        def bad(parts: tuple, message: str) -> None:
            line, column = document.position(("years", key) + parts)
            problems.append(Finding(document.path, line, column, "holidays-file", message,
                                    json_path=json_path(("years", key) + parts)))

        off = _dates(entry["holidays"], year, f"{year} 年的 holidays", ("holidays",), bad)
        on = _dates(entry["workdays"], year, f"{year} 年的 workdays", ("workdays",), bad)
        for index, item in enumerate(entry["workdays"]):
            if date.fromisoformat(item) in off:
                bad(("workdays", index), f"{item} 同时出现在 {year} 年的 holidays 和 workdays 中")
        findings += problems
        if problems:
            continue
        declared.add(year)
        holidays |= off
        workdays |= on
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(declared), tuple(sorted(findings)))


def _dates(items: list[str], year: int, what: str, parts: tuple, bad) -> set[date]:
    """The dates of one list (the schema has checked they are dates); each must lie in `year`."""
    out = set()
    for index, item in enumerate(items):
        day = date.fromisoformat(item)
        if day.year != year:
            bad(parts + (index,), f"{what} 中的 {day.isoformat()} 不属于 {year} 年")
        out.add(day)
    return out
