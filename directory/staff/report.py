"""`directory report`: what staff must act on today, derived from the records' and batches' dates.

Each item names the scheme, the record (or batch), a kind, the action the rules call for (where one
applies), the date that matters and the article it rests on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from directory.rules.dates import add_months
from directory.rules.dates import parse_date
from directory.lifecycle.derive import derive, publicity_end, publicity_state
from directory.lifecycle.periodic import service_shortfalls, standing
from directory.library.repository import Repository
from directory.rules.calendar import HOLIDAYS_FILE, CalendarGap, WorkCalendar

KIND_TITLES = {
    "publicity-upcoming": "即将开始公示的批次",
    "publicity-active": "公示中的批次",
    "publicity-awaiting-decision": "公示已结束、尚未发文认定的批次",
    "expiring": "有效期即将届满",
    "expired": "已过期",
    "reports-overdue": "定期报送缺报",
    "ban": "禁止再申报期内",
    "service-shortfall": "年度服务未达标",
    "grade-renewal": "绩效评价连续 A 级：到期免复核",
    "grade-observation": "绩效评价连续 C 级：观察期",
    "suspended": "暂停中",
    "calendar-gap": "节假日安排缺失",
    "calendar-next-year": "下一年放假安排待录入",
}


@dataclass(frozen=True, order=True)
class ReportItem:
    date: str                   # ISO date that matters for this item
    scheme: str
    kind: str
    record: str                 # record or batch id
    path: str
    message: str
    action: str = ""            # 通报 / 撤销 / 续期复核 … where the rules call for one
    basis: str = ""


def build_report(repository: Repository, calendar: WorkCalendar, today: date,
                 scheme_filter: str | None = None) -> list[ReportItem]:
    expiring_days = int(repository.common.get("expiring_soon_days", 90))
    items: list[ReportItem] = _next_year_items(repository.common, calendar, today)

    for (scheme_id, batch_id), batch in sorted(repository.batches.items()):
        if scheme_filter and scheme_id != scheme_filter:
            continue
        scheme = repository.schemes[scheme_id]
        try:
            end = publicity_end(batch, scheme, calendar)
        except CalendarGap as gap:
            items.append(ReportItem(today.isoformat(), scheme_id, "calendar-gap", batch_id, batch.path, str(gap)))
            continue
        if end is None:
            continue
        decided = batch.section("decision").get("date")
        state = publicity_state(parse_date(batch.section("publicity").get("start")), end, today)
        if state == "upcoming":
            items.append(ReportItem(end.isoformat(), scheme_id, "publicity-upcoming", batch_id, batch.path,
                                    f"{batch.data.get('title', batch_id)}：将于 {batch.section('publicity').get('start')} 开始公示，至 {end}",
                                    "", scheme.cite(scheme.publicity_basis)))
        elif state == "active":
            items.append(ReportItem(end.isoformat(), scheme_id, "publicity-active", batch_id, batch.path,
                                    f"{batch.data.get('title', batch_id)}：公示至 {end}，异议联系：{batch.section('publicity').get('objection_contact', '未写明')}",
                                    "", scheme.cite(scheme.publicity_basis)))
        elif not decided:
            items.append(ReportItem(end.isoformat(), scheme_id, "publicity-awaiting-decision", batch_id, batch.path,
                                    f"{batch.data.get('title', batch_id)}：公示已于 {end} 结束，尚未写入认定发文（decision）",
                                    "发文认定", scheme.cite(scheme.publicity_basis)))

    for record in repository.records:
        if scheme_filter and record.scheme_id != scheme_filter:
            continue
        scheme = repository.schemes[record.scheme_id]
        batch = repository.batch_of(record)
        life = derive(record, scheme, batch, calendar, today, expiring_days)
        name = record.data.get("name", record.stem)

        def add(kind: str, day: date, message: str, action: str = "", basis: str = "") -> None:
            items.append(ReportItem(day.isoformat(), record.scheme_id, kind, record.stem, record.path,
                                    f"{name}：{message}", action, basis))

        if life.status == "expiring":
            add("expiring", life.valid_until, f"有效期至 {life.valid_until}，剩 {life.days_left} 天",
                "续期" if scheme.validity_starts == "term" else "到期复核/重新申报", scheme.cite(scheme.validity_basis))
        elif life.status == "expired":
            add("expired", life.valid_until, f"有效期已于 {life.valid_until} 届满", "移出名录或续期",
                scheme.cite(scheme.validity_basis))
        elif life.status == "suspended":
            add("suspended", life.since, f"自 {life.since} 暂停称号", "组织审查",
                scheme.cite(str(record.recognition.get("suspension", {}).get("basis", ""))))
        if life.status == "revoked" and life.ban_until and life.ban_until >= today:
            revocation = record.recognition.get("revocation", {})
            add("ban", life.ban_until, f"{life.since} 被撤销，至 {life.ban_until} 不得再次申报（{life.reapply_from} 起可再申报）", "",
                scheme.cite(str(revocation.get("basis", ""))))
        if life.status in ("valid", "expiring", "suspended") and life.validity and scheme.reporting:
            reporting = scheme.reporting
            if reporting.cadence in ("monthly", "quarterly"):
                result = standing(reporting, record.data.get("reports"), life.validity.start, life.valid_until, today)
                if result.missed:
                    run = result.longest_run
                    late = [p.period for p in result.missed if p.late]
                    message = (f"应报 {len(result.periods)} 期，缺报 {len(result.missed)} 期"
                               + (f"（其中逾期补报 {'、'.join(late)}）" if late else "")
                               + (f"；最长连续缺报 {len(run)} 期：{run[0].period} 至 {run[-1].period}" if run else ""))
                    add("reports-overdue", result.action_date or result.missed[-1].due, message,
                        result.action or "", scheme.cite(reporting.basis))
            elif reporting.cadence == "yearly":
                for year, hours, firms in service_shortfalls(reporting, record.data.get("service_log"),
                                                             life.validity.start, life.valid_until, today):
                    if hours is None:
                        add("service-shortfall", date(year, 12, 31), f"没有 {year} 年的工作情况报告（service_log）",
                            "督促报告", scheme.cite(reporting.basis))
                        continue
                    add("service-shortfall", date(year, 12, 31),
                        f"{year} 年服务 {hours:g} 小时、{firms} 户企业，低于 {reporting.min_hours:g} 小时或 {reporting.min_firms} 户",
                        "考核不合格，可解除招募资格", scheme.cite(reporting.basis))
        _grade_items(record, scheme, life, add)
    return sorted(items)


def _next_year_items(common: dict, calendar: WorkCalendar, today: date) -> list[ReportItem]:
    """From `holiday_reminder_from` (common.yaml, e.g. "11-01") on, remind staff to enter next
    year's 放假安排 while no source covers it: the State Council publishes it late in the year, and
    every working-day deadline reaching into January needs it."""
    start = common.get("holiday_reminder_from")
    next_year = today.year + 1
    if not start or today.isoformat()[5:] < start or calendar.covers(next_year):
        return []
    return [ReportItem(f"{next_year}-01-01", "_common", "calendar-next-year", "holidays", HOLIDAYS_FILE.as_posix(),
                       f"{next_year} 年的放假与调休安排尚未录入：国务院办公厅通知发布后，请补充到 {HOLIDAYS_FILE.as_posix()}，"
                       f"否则 {next_year} 年的公示截止日期无法推算", "录入放假安排",
                       f"国务院办公厅关于{next_year}年部分节假日安排的通知")]


def _grade_items(record, scheme, life, add) -> None:
    """河北 第十八条 as written in scheme.yaml `grades`: N years in a row of one grade lead to
    renewal without review (A) or to an observation period (C)."""
    rules = scheme.grades
    grades = record.recognition.get("grades")
    if not rules or not isinstance(grades, dict) or life.status not in ("valid", "expiring"):
        return
    basis = scheme.cite(rules.get("basis", ""))
    for key, kind in (("renew_without_review_after", "grade-renewal"), ("observation_after", "grade-observation")):
        rule = rules.get(key) or {}
        run = _latest_run(grades, rule.get("grade"), int(rule.get("years", 2)))
        if not run:
            continue
        years = "、".join(map(str, run))
        if kind == "grade-renewal":
            add(kind, life.valid_until, f"{years} 年绩效评价均为 {rule['grade']} 级：有效期届满（{life.valid_until}）后免复核",
                "到期免复核", basis)
        else:
            # the grades are given after the year; the observation is taken to start the next January
            starts = date(run[-1] + 1, 1, 1)
            ends = add_months(starts, int(rule.get("months", 6))) - timedelta(days=1)
            add(kind, ends, f"{years} 年绩效评价均为 {rule['grade']} 级：纳入观察期（{starts} 至 {ends}）",
                "观察期，视情况通报或撤销", basis)


def _latest_run(grades: dict, grade: str | None, length: int) -> list[int]:
    """The latest `length` consecutive years graded `grade`, or [] if there is none."""
    years = sorted(int(year) for year, value in grades.items() if str(year).isdigit() and value == grade)
    for index in range(len(years) - length, -1, -1):
        window = years[index:index + length]
        if window[-1] - window[0] == length - 1:
            return window
    return []
