"""`directory report`: what staff must act on today, derived from the records' and batches' dates.

Each item names the scheme, the record (or batch), a kind, the action the rules call for (where one
applies), the date that matters and the article it rests on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta

from directory.rules.dates import add_months
from directory.rules.dates import parse_date
from directory.lifecycle.derive import derive, publicity_end, publicity_state
from directory.lifecycle.periodic import falls_short, service_years, standing
from directory.library.repository import Repository
from directory.rules.calendar import CalendarGap, WorkCalendar

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
    "suspension-overdue": "暂停后整改期限已过",
    "review-rectify": "测评不达标：限期整改",
    "review-failed": "整改后仍不达标",
    "calendar-gap": "节假日安排缺失",
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
    items: list[ReportItem] = []

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
                                    scheme.actions["publicity-awaiting-decision"], scheme.cite(scheme.publicity_basis)))

    for record in repository.records:
        if scheme_filter and record.scheme_id != scheme_filter:
            continue
        scheme = repository.schemes[record.scheme_id]
        batch = repository.batch_of(record)
        life = derive(record, scheme, batch, calendar, today)
        rules = scheme.rules(record.kind)
        name = record.data.get("name", record.stem)

        def add(kind: str, day: date, message: str, action: str = "", basis: str = "") -> None:
            items.append(ReportItem(day.isoformat(), record.scheme_id, kind, record.stem, record.path,
                                    f"{name}：{message}", action, basis))

        if life.status == "expiring":
            add("expiring", life.valid_until, f"有效期至 {life.valid_until}，剩 {life.days_left} 天",
                rules.validity.expiry_action, scheme.cite(rules.validity.basis))
        elif life.status == "expired":
            add("expired", life.valid_until, f"有效期已于 {life.valid_until} 届满", scheme.actions["expired"],
                scheme.cite(rules.validity.basis))
        elif life.status == "suspended":
            _suspension_items(record, scheme, life, today, add)
        if life.status == "revoked" and life.ban_until and life.ban_until >= today:
            revocation = record.recognition.get("revocation", {})
            add("ban", life.ban_until, f"{life.since} 被撤销，至 {life.ban_until} 不得再次申报（{life.reapply_from} 起可再申报）", "",
                scheme.cite(str(revocation.get("basis", ""))))
        if life.status in ("valid", "expiring", "suspended") and life.validity and rules.reporting:
            reporting = rules.reporting
            result = standing(reporting, record.data.get("reports"), life.validity.start, life.valid_until, today)
            if result.missed:
                run = result.longest_run
                late = [p.period for p in result.missed if p.late]
                message = (f"应报 {len(result.periods)} 期，缺报 {len(result.missed)} 期"
                           + (f"（其中逾期补报 {'、'.join(late)}）" if late else "")
                           + (f"；最长连续缺报 {len(run)} 期：{run[0].period} 至 {run[-1].period}" if run else ""))
                add("reports-overdue", result.action_date or result.missed[-1].due, message,
                    result.action or "", scheme.cite(reporting.basis))
        if life.status in ("valid", "expiring", "suspended", "expired") and life.validity and rules.service:
            service = rules.service
            for year in service_years(service, record.data.get("service_log"), life.validity.start,
                                      life.valid_until, today):
                span = f"{year.label} 年度（{year.start} 至 {year.end}）"
                if not year.reported:
                    add("service-shortfall", year.end, f"没有{span}的工作情况报告（service_log）",
                        service.missing_action, scheme.cite(service.basis))
                elif falls_short(service, year):
                    add("service-shortfall", year.end,
                        f"{span}服务 {year.hours:g} 小时、{year.firms:g} 户企业，"
                        f"低于 {service.min_hours:g} 小时或 {service.min_firms} 户",
                        service.shortfall_action, scheme.cite(service.basis))
        _review_items(record, scheme, life, add)
        _grade_items(record, scheme, life, add)
    return sorted(items)


def _suspension_items(record, scheme, life, today: date, add) -> None:
    """A suspension asks for a review. Where scheme.yaml `suspensions` gives its article a time
    limit (湖南 第十八条: 测评不合格 -> 暂停, 整改 within 6 months, else 撤销), the item shows the
    deadline, and once it has passed, the step the article prescribes."""
    suspension = record.recognition.get("suspension", {})
    basis = str(suspension.get("basis", ""))
    rule = next((r for r in scheme.suspension_rules if basis.strip().startswith(str(r.get("basis")))), None)
    if rule is None or life.since is None:
        add("suspended", life.since, f"自 {life.since} 暂停称号", scheme.actions["suspended"], scheme.cite(basis))
        return
    deadline = add_months(life.since, int(rule["months"]))
    if today <= deadline:
        add("suspended", life.since, f"自 {life.since} 暂停称号，应于 {deadline} 前{rule['until']}",
            rule.get("meanwhile", scheme.actions["suspended"]), scheme.cite(basis))
    else:
        add("suspension-overdue", deadline, f"自 {life.since} 暂停称号，{deadline} 前应{rule['until']}：如未完成",
            rule["then"], scheme.cite(basis))


def _review_items(record, scheme, life, add) -> None:
    """Reviews written in `reviews` (湖北安防 第十条 2: 服务满意度 70% 以下 -> 整改; still 70% 以下
    after the rectification -> 撤消入库资格并公示). scheme.yaml `reviews` says which figure, the
    highest failing value (以下 includes the number itself) and the two steps."""
    reviews = [r for r in record.data.get("reviews") or [] if isinstance(r, dict)] \
        if isinstance(record.data.get("reviews"), list) else []
    if life.status not in ("valid", "expiring") or not reviews:
        return
    for rule in scheme.review_rules:
        dated = sorted((parse_date(r.get("date")), r) for r in reviews
                       if parse_date(r.get("date")) and isinstance(r.get(rule["field"]), (int, float)))
        if not dated:
            continue
        day, latest = dated[-1]
        value = latest[rule["field"]]
        if value > rule["fails_at_or_below"]:
            continue
        figure = f"{rule['label']} {value:g}%（{rule['fails_at_or_below']:g}% 以下，含本数）"
        if latest.get("after_rectification"):
            add("review-failed", day, f"{day} 整改后复评{figure}，仍不胜任", rule["then"], scheme.cite(rule["basis"]))
        else:
            add("review-rectify", day, f"{day} 测评{figure}", rule["first"], scheme.cite(rule["basis"]))


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
                rule.get("action", "到期免复核"), basis)
        else:
            # the grades are given after the year; the observation is taken to start the next January
            starts = date(run[-1] + 1, 1, 1)
            ends = add_months(starts, int(rule.get("months", 6))) - timedelta(days=1)
            add(kind, ends, f"{years} 年绩效评价均为 {rule['grade']} 级：纳入观察期（{starts} 至 {ends}）",
                rule.get("action", "观察期，视情况通报或撤销"), basis)


def _grade_year(key) -> int | None:
    """The year a grade is keyed by ("2025"); any other key (a finding of validate) is no year.
    isdecimal, not isdigit: int() refuses "²"; and 9999 has no next January to observe from."""
    text = str(key)
    year = int(text) if text.isdecimal() and len(text) <= 4 else None
    return year if year is not None and year < MAXYEAR else None


def _latest_run(grades: dict, grade: str | None, length: int) -> list[int]:
    """The latest `length` consecutive years graded `grade`, or [] if there is none."""
    years = sorted(year for year in (_grade_year(key) for key, value in grades.items() if value == grade)
                   if year is not None)
    for index in range(len(years) - length, -1, -1):
        window = years[index:index + length]
        if window[-1] - window[0] == length - 1:
            return window
    return []
