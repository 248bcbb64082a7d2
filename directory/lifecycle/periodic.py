"""Periodic reports (定期报送) and yearly service, judged against the scheme's `reporting` section.

湖南 monthly (第十七条): the report for month M is due by the 10th of M+1; the first period is
the first full month after the decision date. 3 missed in a row -> 通报, 6 -> 撤销.
河北 quarterly (第十三条): due by 3-15, 6-15, 9-15, 12-15, each covering its own quarter ("本周期":
due 3-15 -> YYYY-Q1); the first due date is the first one after the decision. 2 -> 通报, 3 -> 撤销.
吉林 yearly (第十条（一）): at least 12 service hours or 30 firms in each year of the term.
A report submitted after its due date counts as missed for 通报/撤销, but is shown as late.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from directory.rules.dates import parse_date
from directory.rules.schemes import Reporting


@dataclass(frozen=True)
class DuePeriod:
    period: str                 # 2026-01, 2026-Q1
    due: date
    submitted: date | None

    @property
    def missed(self) -> bool:
        return self.submitted is None or self.submitted > self.due

    @property
    def late(self) -> bool:
        return self.submitted is not None and self.submitted > self.due


@dataclass(frozen=True)
class ReportStanding:
    periods: tuple[DuePeriod, ...]      # every period whose due date has passed, oldest first
    longest_run: tuple[DuePeriod, ...]  # the longest run of consecutive missed periods
    action: str | None                  # 通报 or 撤销, when a run reached the scheme's threshold
    action_date: date | None            # the due date on which the run reached it

    @property
    def missed(self) -> tuple[DuePeriod, ...]:
        return tuple(p for p in self.periods if p.missed)


def due_periods(reporting: Reporting, start: date, end: date | None, today: date) -> list[tuple[str, date]]:
    """(period, due date) of each report due after `start`, up to `end`, whose due date is before today."""
    periods = []
    if reporting.cadence == "monthly":
        year, month = (start.year, start.month) if start.day == 1 else _next_month(start.year, start.month)
        while True:
            due_year, due_month = _next_month(year, month)
            due = date(due_year, due_month, reporting.due_day)
            if due >= today or (end is not None and date(year, month, 1) > end):
                break
            periods.append((f"{year:04d}-{month:02d}", due))
            year, month = due_year, due_month
    elif reporting.cadence == "quarterly":
        year = start.year
        while True:
            for month_day in reporting.due_dates:
                month, day = (int(part) for part in month_day.split("-"))
                due = date(year, month, day)
                if due <= start:
                    continue
                if due >= today or (end is not None and due > end):
                    return periods
                periods.append((f"{year:04d}-Q{(month - 1) // 3 + 1}", due))
            year += 1
    return periods


def standing(reporting: Reporting, reports: object, start: date, end: date | None, today: date) -> ReportStanding:
    submitted: dict[str, date | None] = {}
    for report in reports if isinstance(reports, list) else []:
        if isinstance(report, dict) and isinstance(report.get("period"), str):
            day = parse_date(report.get("submitted"))
            previous = submitted.get(report["period"])
            submitted[report["period"]] = day if previous is None or (day and day < previous) else previous
    periods = tuple(DuePeriod(period, due, submitted.get(period)) for period, due in due_periods(reporting, start, end, today))

    longest: tuple[DuePeriod, ...] = ()
    run: list[DuePeriod] = []
    action, action_date = None, None
    for period in periods:
        run = run + [period] if period.missed else []
        if len(run) > len(longest):
            longest = tuple(run)
        for threshold, name in ((reporting.revoke_after, "撤销"), (reporting.notice_after, "通报")):
            if threshold and len(run) == threshold and _rank(name) > _rank(action):
                action, action_date = name, period.due
    return ReportStanding(periods, longest, action, action_date)


def service_shortfalls(reporting: Reporting, service_log: object, start: date, end: date | None,
                       today: date) -> list[tuple[int, float | None, int | None]]:
    """Ended calendar years of the term whose service falls short: (year, hours, firms); hours and
    firms are None for a year with no yearly report (第十条（一）"每年…报告1次") in `service_log`."""
    logged = {}
    for entry in service_log if isinstance(service_log, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("year"), int):
            logged[entry["year"]] = (_count(entry.get("hours")), _count(entry.get("firms")))
    last_year = min(today.year - 1, end.year if end else today.year - 1)
    month, day = (int(part) for part in reporting.first_year_if_started_by.split("-"))
    first_year = start.year if start <= date(start.year, month, day) else start.year + 1
    shortfalls = []
    for year in range(first_year, last_year + 1):
        if year not in logged:
            shortfalls.append((year, None, None))
            continue
        hours, firms = logged[year]
        if hours < (reporting.min_hours or 0) and firms < (reporting.min_firms or 0):
            shortfalls.append((year, hours, firms))
    return shortfalls


def _count(value) -> float:
    """A logged figure; anything not a number (a finding of validate) counts as nothing."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _rank(action: str | None) -> int:
    return {None: 0, "通报": 1, "撤销": 2}[action]


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
