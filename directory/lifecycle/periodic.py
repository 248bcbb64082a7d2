"""Periodic reports (定期报送) and yearly service, judged against the rules of scheme.yaml.

Every meaning comes from the scheme's `reporting` / `service` sections (rules/schemes.py):
the length of a period, when its report is due, which period comes first and what a run of
missed reports leads to. This module only counts.

A report submitted after its due date counts as missed for the consequences, but is shown as late.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from directory.rules.dates import add_months, parse_date, years_end
from directory.rules.schemes import PERIOD_MONTHS, Consequence, Reporting, ServiceRule


@dataclass(frozen=True)
class DuePeriod:
    period: str                 # 2026-01, 2026-Q1, 2026-H1, 2026
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
    action: str | None                  # the consequence in force (通报, 撤销 …), if any
    action_date: date | None            # the due date on which its run reached it

    @property
    def missed(self) -> tuple[DuePeriod, ...]:
        return tuple(p for p in self.periods if p.missed)


def period_label(period: str, first_day: date) -> str:
    """2026-01 (month), 2026-Q1 (quarter), 2026-H1 (half year), 2026 (year)."""
    if period == "month":
        return f"{first_day.year:04d}-{first_day.month:02d}"
    if period == "quarter":
        return f"{first_day.year:04d}-Q{(first_day.month - 1) // 3 + 1}"
    if period == "half_year":
        return f"{first_day.year:04d}-H{(first_day.month - 1) // 6 + 1}"
    return f"{first_day.year:04d}"


# How a period is written in `reports[].period`, with the hint staff see when it is not.
PERIOD_PATTERNS = {"month": (r"[0-9]{4}-(0[1-9]|1[0-2])", "写作 YYYY-MM"),
                   "quarter": (r"[0-9]{4}-Q[1-4]", "写作 YYYY-QN"),
                   "half_year": (r"[0-9]{4}-H[12]", "写作 YYYY-H1 或 YYYY-H2"),
                   "year": (r"[0-9]{4}", "写作 YYYY")}


def due_date(reporting: Reporting, first_day: date) -> date:
    """The due date of the period starting on `first_day`."""
    months = PERIOD_MONTHS[reporting.period]
    due_month = add_months(first_day.replace(day=1), months - 1 + reporting.due_months_after)
    if reporting.due_day == "last":
        return add_months(due_month, 1) - timedelta(days=1)
    return due_month.replace(day=min(int(reporting.due_day), _days_in_month(due_month)))


def due_periods(reporting: Reporting, start: date, end: date | None, today: date) -> list[tuple[str, date]]:
    """(period, due date) of each report owed from `start` to `end` whose due date is before today.

    The periods are calendar months/quarters/half years/years. The first is the first one wholly
    after `start` (`first_full`) or the first whose due date is after `start`
    (`first_due_after_start`); the last is the one in which `end` falls.
    """
    months = PERIOD_MONTHS[reporting.period]
    index = (start.year * 12 + start.month - 1) // months * months      # the period containing start
    first_day = date(index // 12, index % 12 + 1, 1)
    if reporting.first_period == "first_full" and first_day < start:
        first_day = add_months(first_day, months)
    periods = []
    while end is None or first_day <= end:
        due = due_date(reporting, first_day)
        if due >= today:
            break
        if reporting.first_period != "first_due_after_start" or due > start:
            periods.append((period_label(reporting.period, first_day), due))
        first_day = add_months(first_day, months)
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
    reached: dict[Consequence, date] = {}     # consequence -> the due date its run reached it
    for period in periods:
        run = run + [period] if period.missed else []
        if len(run) > len(longest):
            longest = tuple(run)
        for consequence in reporting.consequences:
            if len(run) == consequence.missed_in_a_row:
                reached[consequence] = period.due
    current_run = len(run)                    # the run still going on at the latest period
    in_force = [c for c in reporting.consequences
                if c in reached and (not c.clears or current_run >= c.missed_in_a_row)]
    # the heaviest consequence in force: the one needing the longest run
    strongest = max(in_force, key=lambda c: c.missed_in_a_row, default=None)
    return ReportStanding(periods, longest, strongest.action if strongest else None,
                          reached[strongest] if strongest else None)


@dataclass(frozen=True)
class ServiceYear:
    label: str                  # as written in service_log[].year: the year the service year starts
    start: date
    end: date
    hours: float | None         # None: no report for this year
    firms: float | None

    @property
    def reported(self) -> bool:
        return self.hours is not None


def service_years(service: ServiceRule, service_log: object, start: date, end: date | None,
                  today: date) -> list[ServiceYear]:
    """The ended service years from `start` to `end`, each with what `service_log` says of it.

    `years: term` (吉林 第十条（一）"聘任期限为2年，且年服务时长…"): each year of the term from its start
    (term 2025-05-01: 2025-05-01..2026-04-30 is "2025", the next "2026"); `years: calendar`:
    calendar years from the first full one."""
    logged = {}
    for entry in service_log if isinstance(service_log, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("year"), int):
            logged[entry["year"]] = (_count(entry.get("hours")), _count(entry.get("firms")))
    years = []
    first = start if service.years == "term" else date(start.year + (start != date(start.year, 1, 1)), 1, 1)
    number = 0
    while True:
        year_start = _add_years(first, number)
        year_end = years_end(first, number + 1) if service.years == "term" else date(year_start.year, 12, 31)
        if end is not None:
            if year_start > end:
                break
            year_end = min(year_end, end)
        if year_end >= today:
            break
        hours, firms = logged.get(year_start.year, (None, None))
        years.append(ServiceYear(str(year_start.year), year_start, year_end, hours, firms))
        number += 1
    return years


def falls_short(service: ServiceRule, year: ServiceYear) -> bool:
    """Below the minimum of hours AND of firms (the rule is "hours or firms")."""
    return year.reported and (year.hours < (service.min_hours or 0) and year.firms < (service.min_firms or 0))


def _add_years(day: date, years: int) -> date:
    return years_end(day, years) + timedelta(days=1) if years else day


def _count(value) -> float:
    """A logged figure; anything not a number (a finding of validate) counts as nothing."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _days_in_month(day: date) -> int:
    return (add_months(day.replace(day=1), 1) - timedelta(days=1)).day
