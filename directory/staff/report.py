"""`directory report`: what staff must act on today, derived from the records' and batches' dates.

Each item names the scheme, the record (or batch), a kind, the action the rules call for (where one
applies), the date that matters and the article it rests on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta

from directory.rules.dates import add_months
from directory.rules.dates import parse_date
from directory.lifecycle.derive import derive, publicity_end, publicity_state
from directory.lifecycle.periodic import falls_short, service_years, standing
from directory.library.repository import Repository
from directory.lifecycle.periodic import due_periods
from directory.rules.calendar import HOLIDAYS_FILE, CalendarGap, WorkCalendar

KIND_TITLES = {
    "publicity-upcoming": "即将开始公示的批次",
    "publicity-active": "公示中的批次",
    "publicity-awaiting-decision": "公示已结束、尚未发文认定的批次",
    "expiring": "有效期即将届满",
    "expired": "已过期",
    "reports-overdue": "定期报送缺报",
    "report-due": "定期报送即将截止",
    "ban": "禁止再申报期内",
    "service-shortfall": "年度服务未达标",
    "grade-renewal": "绩效评价连续 A 级：到期免复核",
    "grade-observation": "绩效评价连续 C 级：观察期",
    "suspended": "暂停中",
    "suspension-overdue": "暂停后整改期限已过",
    "review-rectify": "测评不达标：限期整改",
    "review-failed": "整改后仍不达标",
    "change-filing-due": "变更待报备",
    "change-filing-overdue": "变更逾期未报备",
    "complaints": "投诉达到撤销条件",
    "grade-revocation": "绩效评价连续不合格",
    "calendar-gap": "节假日安排缺失",
    "document-expiring": "管理办法即将到期",
    "document-expired": "管理办法已到期",
    "calendar-next-year": "下一年放假安排待录入",
}


# How far ahead the report looks for what is due soon (validity: the scheme's expiring_soon_days):
# reminders, not rules, so they live here rather than in a scheme file.
REPORT_DUE_DAYS = 15          # a periodic report due within this many days
PUBLICITY_WEEK_END = 6        # a 公示 ending by Sunday (weekday 6) of this week is "本周结束"


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
    items: list[ReportItem] = _next_year_items(repository.common, calendar, today)

    for scheme_id, scheme in sorted(repository.schemes.items()):
        if scheme_filter and scheme_id != scheme_filter:
            continue
        _document_items(scheme, today, items)

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
        state = publicity_state(batch.values.publicity_start, end, today)
        if state == "upcoming":
            items.append(ReportItem(end.isoformat(), scheme_id, "publicity-upcoming", batch_id, batch.path,
                                    f"{batch.data.get('title', batch_id)}：将于 {batch.section('publicity').get('start')} 开始公示，至 {end}",
                                    "", scheme.cite(scheme.publicity_basis)))
        elif state == "active":
            this_week = "（本周结束）" if (end - today).days <= PUBLICITY_WEEK_END - today.weekday() else ""
            items.append(ReportItem(end.isoformat(), scheme_id, "publicity-active", batch_id, batch.path,
                                    f"{batch.data.get('title', batch_id)}：公示至 {end}{this_week}，异议联系：{batch.section('publicity').get('objection_contact', '未写明')}",
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
            included = record.values.inclusion is not None and scheme.direct_inclusion
            add("expiring", life.valid_until, f"有效期至 {life.valid_until}，剩 {life.days_left} 天",
                scheme.direct_inclusion.get("expiry_action", "重新申报") if included else rules.validity.expiry_action,
                scheme.cite(scheme.direct_inclusion["basis"] if included else rules.validity.basis))
        elif life.status == "expired":
            add("expired", life.valid_until, f"有效期已于 {life.valid_until} 届满", scheme.actions["expired"],
                scheme.cite(rules.validity.basis))
        elif life.status == "suspended":
            _suspension_items(record, scheme, life, today, add)
        if life.status == "revoked" and life.ban_until and life.ban_until >= today:
            add("ban", life.ban_until, f"{life.since} 被撤销，至 {life.ban_until} 不得再次申报（{life.reapply_from} 起可再申报）", "",
                scheme.cite(record.values.actions["revocation"].basis))
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
            for period, due in _reports_due_soon(reporting, record.data.get("reports"), life, today):
                add("report-due", due, f"{period} 期报告截止 {due}，尚未报送（还有 {(due - today).days} 天）",
                    "提醒报送", scheme.cite(reporting.basis))
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
        if life.status in ("valid", "expiring", "suspended"):
            _change_items(record, scheme, today, add)
            _complaint_items(record, scheme, add)
        _grade_items(record, scheme, life, add)
    return sorted(items)


def _reports_due_soon(reporting, reports, life, today: date) -> list[tuple[str, date]]:
    """(period, due date) of the reports due from today to REPORT_DUE_DAYS ahead, not yet submitted."""
    submitted = {r.get("period") for r in reports if isinstance(r, dict) and parse_date(r.get("submitted"))} \
        if isinstance(reports, list) else set()
    ahead = today + timedelta(days=REPORT_DUE_DAYS + 1)   # due_periods gives the due dates before this day
    return [(period, due) for period, due in due_periods(reporting, life.validity.start, life.valid_until, ahead)
            if due >= today and period not in submitted]


def report_counts(items: list[ReportItem]) -> list[tuple[str, str, int, dict[str, int]]]:
    """(kind, title, count, count per scheme) of each kind with items, in the order of KIND_TITLES."""
    counts = []
    for kind, title in KIND_TITLES.items():
        group = [item.scheme for item in items if item.kind == kind]
        if group:
            counts.append((kind, title, len(group), {scheme: group.count(scheme) for scheme in sorted(set(group))}))
    return counts


def counts_text(items: list[ReportItem]) -> str:
    """The summary the text report starts with: one line per kind, its count and the count per scheme."""
    if not items:
        return ""
    lines = [f"== 汇总：共 {len(items)} 项"]
    for _, title, count, schemes in report_counts(items):
        lines.append(f"  {title} {count}：" + "、".join(f"{scheme} {n}" for scheme, n in schemes.items()))
    return "\n".join(lines)


REPORT_COLUMNS = ("日期", "名录", "记录/批次", "事项", "处理", "依据", "文件")


def report_xlsx(items: list[ReportItem], path) -> None:
    """A workbook: 汇总 (count per kind and scheme), then one sheet per kind with its items."""
    from openpyxl import Workbook

    from directory.staff.documents import write_sheet

    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    counts = report_counts(items)
    write_sheet(summary, ("事项类别", "名录", "数量"),
                [(title, scheme, n) for _, title, _, schemes in counts for scheme, n in schemes.items()]
                + [("合计", "", len(items))])
    for kind, title, _, _ in counts:
        # a sheet name: at most 31 characters, none of : \ / ? * [ ]
        sheet = workbook.create_sheet(re.sub(r"[:\\/?*\[\]：]", "", title)[:31])
        write_sheet(sheet, REPORT_COLUMNS, [(i.date, i.scheme, i.record, i.message, i.action, i.basis, i.path)
                                            for i in items if i.kind == kind])
    workbook.save(str(path))


def _document_items(scheme, today: date, items: list) -> None:
    """The scheme's own document has a term (湖南 第二十条 5 years, 河北 第二十四条 3 years): say when
    it is about to end or has ended, so staff look for its revision before recognising more."""
    until = scheme.document.valid_until
    if until is None or (until - today).days > scheme.expiring_days:
        return
    path = f"schemes/{scheme.id}/scheme.yaml"
    if today <= until:
        message = f"《{scheme.document.title}》有效期至 {until}：请关注修订或新办法"
        items.append(ReportItem(until.isoformat(), scheme.id, "document-expiring", scheme.id, path, message,
                                "更新名录规则", scheme.cite(scheme.document.valid_basis)))
    else:
        message = f"《{scheme.document.title}》已于 {until} 到期：新的认定须有现行办法为依据"
        items.append(ReportItem(until.isoformat(), scheme.id, "document-expired", scheme.id, path, message,
                                "更新名录规则", scheme.cite(scheme.document.valid_basis)))


def _suspension_items(record, scheme, life, today: date, add) -> None:
    """A suspension asks for a review. Where scheme.yaml `suspensions` gives its article a time
    limit (湖南 第十八条: 测评不合格 -> 暂停, 整改 within 6 months, else 撤销), the item shows the
    deadline, and once it has passed, the step the article prescribes."""
    basis = record.values.actions["suspension"].basis
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
    """Reviews written in the record's `reviews`, judged by scheme.yaml `reviews`:

    湖北安防 第十条 2 — 服务满意度 70% 以下 -> 整改; still 70% 以下 after the rectification -> 撤消入库资格;
    湖北严选 第十八条（1）— 3 or more activities of a year at 80% 以下 -> 整改; still unfit -> 取消称号.
    `fails_at_or_below` is the highest failing value (以下 includes the number itself); `at_least`
    failing reviews (default 1) within the latest review's calendar year (`per: year`) or, without
    `per`, the latest review alone, call for the first step; a failing review written
    `after_rectification: true` calls for the second."""
    reviews = [r for r in record.data.get("reviews") or [] if isinstance(r, dict)] \
        if isinstance(record.data.get("reviews"), list) else []
    if life.status not in ("valid", "expiring") or not reviews:
        return
    for rule in scheme.review_rules:
        field = rule["field"]
        # 以下 includes the number itself (fails_at_or_below); 不达标 against an 以上 threshold does not (fails_below)
        if "fails_below" in rule:
            fails, figure = (lambda value, limit=rule["fails_below"]: value < limit), f"{rule['label']}低于 {rule['fails_below']:g}%"
        else:
            fails, figure = (lambda value, limit=rule["fails_at_or_below"]: value <= limit), \
                f"{rule['label']} {rule['fails_at_or_below']:g}% 以下（含本数）"
        dated = sorted(((parse_date(r.get("date")), r) for r in reviews
                        if parse_date(r.get("date")) and isinstance(r.get(field), (int, float))
                        and not isinstance(r.get(field), bool)), key=lambda pair: pair[0])
        if not dated:
            continue
        day, latest = dated[-1]
        if latest.get("after_rectification"):
            if fails(latest[field]):
                add("review-failed", day, f"{day} 整改后复评{rule['label']} {latest[field]:g}%，仍为{figure}",
                    rule["then"], scheme.cite(rule["basis"]))
            continue
        window = [(d, r) for d, r in dated if not r.get("after_rectification")
                  and (d.year == day.year if rule.get("per") == "year" else d == day)]
        failing = [(d, r) for d, r in window if fails(r[field])]
        if len(failing) >= int(rule.get("at_least", 1)):
            values = "、".join(f"{r[field]:g}%" for _, r in failing)
            scope = f"{day.year} 年有 {len(failing)} 次" if rule.get("per") == "year" else f"{day} "
            add("review-rectify", day, f"{scope}测评为{figure}：{values}", rule["first"], scheme.cite(rule["basis"]))


def _change_items(record, scheme, today: date, add) -> None:
    """Changes written in the record's `changes` must be filed within the months of scheme.yaml
    `change_filings` (湖南 第十三条 更名、注册地变更 1 个月; 河北 第十四条 更名、合并、重组、迁移 3 个月)."""
    changes = record.data.get("changes") if isinstance(record.data.get("changes"), list) else []
    for change in (c for c in changes if isinstance(c, dict)):
        rule = next((r for r in scheme.change_filings if change.get("kind") in r["kinds"]), None)
        happened = parse_date(change.get("date"))
        if rule is None or happened is None or parse_date(change.get("filed")):
            continue
        deadline = add_months(happened, int(rule["months"])) - timedelta(days=1)
        what = f"{happened} {change['kind']}，应于 {deadline} 前{rule['to']}"
        if today <= deadline:
            add("change-filing-due", deadline, what, "提醒报备", scheme.cite(rule["basis"]))
        else:
            add("change-filing-overdue", deadline, what + "：已逾期", rule.get("then", "督促报备"), scheme.cite(rule["basis"]))


def _complaint_items(record, scheme, add) -> None:
    """湖南 第十九条（三）“被所服务中小微企业一年内投诉五次以上经查属实的” -> 撤销: `at_least` confirmed
    complaints (五次以上 includes five) within `within_months` months, from the record's `complaints`."""
    rule = scheme.complaint_rule
    complaints = record.data.get("complaints") if isinstance(record.data.get("complaints"), list) else []
    if not rule:
        return
    days = sorted(parse_date(c.get("date")) for c in complaints
                  if isinstance(c, dict) and c.get("confirmed") is True and parse_date(c.get("date")))
    needed = int(rule["at_least"])
    for index in range(needed - 1, len(days)):
        first = days[index - needed + 1]
        if days[index] < add_months(first, int(rule["within_months"])):
            add("complaints", days[index], f"{first} 至 {days[index]} 经查属实的投诉 {needed} 次（{rule['within_months']} 个月内）",
                rule["action"], scheme.cite(rule["basis"]))
            return
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
    """Yearly grades, as scheme.yaml `grades` writes their consequences: N years in a row of one
    grade lead to renewal without review (河北 第十八条 A), an observation period (河北 第十八条 C) or
    revocation (湖南 第十九条（二）连续两年绩效评价不合格)."""
    rules = scheme.grades
    grades = record.recognition.get("grades")
    if not rules or not isinstance(grades, dict) or life.status not in ("valid", "expiring"):
        return
    for key, kind in (("renew_without_review_after", "grade-renewal"), ("observation_after", "grade-observation"),
                      ("revoke_after", "grade-revocation")):
        rule = rules.get(key) or {}
        run = _latest_run(grades, rule.get("grade"), int(rule.get("years", 2)))
        if not run:
            continue
        basis = scheme.cite(rule.get("basis") or rules.get("basis", ""))
        years = "、".join(map(str, run))
        if kind == "grade-renewal":
            add(kind, life.valid_until, f"{years} 年绩效评价均为 {rule['grade']} 级：有效期届满（{life.valid_until}）后免复核",
                rule.get("action", "到期免复核"), basis)
        elif kind == "grade-observation":
            # the grades are given after the year; the observation is taken to start the next January
            starts = date(run[-1] + 1, 1, 1)
            ends = add_months(starts, int(rule.get("months", 6))) - timedelta(days=1)
            add(kind, ends, f"{years} 年绩效评价均为 {rule['grade']} 级：纳入观察期（{starts} 至 {ends}）",
                rule.get("action", "观察期，视情况通报或撤销"), basis)
        else:
            add(kind, date(run[-1] + 1, 1, 1), f"{years} 年绩效评价均为{rule['grade']}", rule["action"], basis)


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
