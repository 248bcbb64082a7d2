"""Derived statuses and the staff report, each rule at its boundaries (day before, day of, day after)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from conftest import edit, good_record
from directory.lifecycle.derive import derive
from directory.staff.report import build_report
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar

HUNAN, HEBEI, JILIN = "hunan-sme-hexin", "hebei-sme-youzhi", "jilin-city-sme"


def status_on(library, day: date, stem: str | None = None) -> str:
    repository = load_repository(library.root)
    [record] = [r for r in repository.records if stem is None or r.stem == stem]
    life = derive(record, repository.schemes[record.scheme_id], repository.batch_of(record),
                  load_calendar(library.root), day)
    return life.label


def report(library, day: date, kind: str | None = None):
    repository = load_repository(library.root)
    items = build_report(repository, load_calendar(library.root), day)
    return [item for item in items if kind is None or item.kind == kind]


# --- validity: decided 2025-10-20 for 3 years -> valid through 2028-10-19; ≤ 90 days left -> 即将到期

@pytest.mark.parametrize("day, label", [
    (date(2025, 10, 19), "审核中"),       # the day before the decision (publicity over, not yet decided)
    (date(2025, 10, 20), "有效"),
    (date(2028, 7, 20), "有效"),          # 91 days left
    (date(2028, 7, 21), "即将到期"),      # 90 days left
    (date(2028, 10, 19), "即将到期"),     # the last valid day
    (date(2028, 10, 20), "已过期"),
])
def test_validity_runs_three_years_through_the_day_before_the_anniversary(library, day, label):
    library.add(HUNAN, good_record(HUNAN))
    assert status_on(library, day) == label


@pytest.mark.parametrize("day, label", [
    (date(2027, 8, 31), "即将到期"), (date(2027, 9, 1), "已过期")])
def test_a_jilin_term_runs_two_years_from_its_start(library, day, label):
    library.add(JILIN, good_record(JILIN))
    assert status_on(library, day) == label


def test_an_association_member_without_a_term_stays_valid(library):
    library.add("hubei-afxh", good_record("hubei-afxh"))
    assert status_on(library, date(2040, 1, 1)) == "有效"


# --- 公示: N working days counting the start as day 1, with 调休 days included

def publicity_batch(library, scheme: str, start: str) -> None:
    library.write(f"schemes/{scheme}/batches/t-2026.yaml",
                  f"id: t-2026\ntitle: 测试公示批次\npublicity: {{start: {start}, objection_contact: 0731-1}}\n")
    text = edit(good_record(scheme), "  batch: t-2025", "  batch: t-2026")
    library.add(scheme, edit(text, "  status: recognized", "  status: publicity"))


@pytest.mark.parametrize("day, label", [
    (date(2026, 9, 23), "审核中"),     # before the publicity starts
    (date(2026, 9, 24), "公示中"),
    (date(2026, 10, 10), "公示中"),    # 7th working day: Saturday 10-10 is a 调休 working day
    (date(2026, 10, 11), "审核中"),    # over; awaiting the decision
])
def test_hunan_publicity_lasts_seven_working_days_across_national_day(library, day, label):
    publicity_batch(library, HUNAN, "2026-09-24")  # 9-25 中秋 and 10-1..10-7 国庆 are off
    assert status_on(library, day) == label


@pytest.mark.parametrize("day, label", [
    (date(2026, 2, 25), "公示中"), (date(2026, 2, 26), "审核中")])
def test_hebei_publicity_lasts_five_working_days_across_spring_festival(library, day, label):
    # Thu 2-12, Fri 2-13, Sat 2-14 (调休), then 春节 2-15..2-23 off, Tue 2-24, Wed 2-25
    publicity_batch(library, HEBEI, "2026-02-12")
    assert status_on(library, day) == label


def test_a_publicity_in_a_year_without_a_holiday_schedule_is_reported_not_guessed(library):
    publicity_batch(library, HUNAN, "2028-03-01")
    [item] = report(library, date(2028, 3, 2), "calendar-gap")
    assert "2028 年节假日安排尚未收录" in item.message


def test_the_report_lists_an_active_publicity_until_its_last_day(library):
    publicity_batch(library, HUNAN, "2026-09-24")
    assert [i.date for i in report(library, date(2026, 10, 10), "publicity-active")] == ["2026-10-10"]
    assert report(library, date(2026, 10, 11), "publicity-active") == []
    assert [i.action for i in report(library, date(2026, 10, 11), "publicity-awaiting-decision")] == ["发文认定"]


# --- suspension, revocation and its ban, withdrawal

def revoked_hunan(library, on: str, basis: str) -> None:
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            f"  status: revoked\n  revocation: {{date: {on}, reason: 测试, basis: {basis}}}"))


def test_a_revocation_shows_its_three_year_ban_until_the_last_day(library):
    revoked_hunan(library, "2026-04-16", "第十九条（四）")
    assert status_on(library, date(2026, 4, 16)) == "已撤销"
    [item] = report(library, date(2029, 4, 15), "ban")
    assert item.date == "2029-04-15" and "第十九条" in item.basis
    assert report(library, date(2029, 4, 16), "ban") == []


def test_a_revocation_dated_in_the_future_takes_effect_on_its_date(library):
    revoked_hunan(library, "2026-12-01", "第十九条（四）")
    assert status_on(library, date(2026, 11, 30)) == "有效"
    assert status_on(library, date(2026, 12, 1)) == "已撤销"


def test_suspended_and_withdrawn_are_shown_as_written(library):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: suspended\n  suspension: {date: 2026-08-12, reason: 重组, basis: 第十四条}"))
    assert status_on(library, date(2026, 8, 12)) == "暂停"
    assert [i.action for i in report(library, date(2026, 9, 1), "suspended")] == ["组织审查"]


def test_an_application_under_review_is_never_valid(library):
    library.add(HUNAN, good_record(HUNAN).split("recognition:")[0])
    assert status_on(library, date(2026, 1, 1)) == "审核中"


# --- 湖南 monthly reports (第十七条): first period 2025-11 (first full month after 2025-10-20), due 12-10

def hunan_with_reports(library, periods: list[tuple[str, str]]) -> None:
    lines = "".join(f"  - {{period: {p}, submitted: {s}}}\n" for p, s in periods) or "  []\n"
    text = edit(good_record(HUNAN), "reports:\n  - {period: 2026-01, submitted: 2026-02-08}\n",
                "reports:\n" + lines if periods else "reports: []\n")
    library.add(HUNAN, text)


@pytest.mark.parametrize("day, overdue", [
    (date(2025, 12, 10), 0),   # due by the 10th: not overdue on the day
    (date(2025, 12, 11), 1)])
def test_the_first_monthly_report_is_due_on_the_tenth_of_the_next_month(library, day, overdue):
    hunan_with_reports(library, [])
    assert len(report(library, day, "reports-overdue")) == overdue


@pytest.mark.parametrize("day, action", [
    (date(2026, 2, 10), ""),      # 2 missed (2025-11, 2025-12)
    (date(2026, 2, 11), "通报"),  # 3 missed in a row
    (date(2026, 5, 10), "通报"),
    (date(2026, 5, 11), "撤销"),  # 6 missed in a row
])
def test_missed_monthly_reports_call_for_a_notice_at_three_and_revocation_at_six(library, day, action):
    hunan_with_reports(library, [])
    [item] = report(library, day, "reports-overdue")
    assert item.action == action and "第十七条" in item.basis


def test_a_late_report_counts_as_missed_but_is_shown_as_late(library):
    hunan_with_reports(library, [("2025-11", "2025-12-09"), ("2025-12", "2026-01-20"), ("2026-01", "2026-02-09")])
    [item] = report(library, date(2026, 2, 11), "reports-overdue")
    assert "逾期补报 2025-12" in item.message and item.action == ""


def test_reports_on_time_leave_nothing_to_do(library):
    hunan_with_reports(library, [("2025-11", "2025-12-09"), ("2025-12", "2026-01-10")])
    assert report(library, date(2026, 1, 11), "reports-overdue") == []


# --- 河北 quarterly reports (第十三条): due 3-15, 6-15, 9-15, 12-15; first after 2025-10-20 is 2025-12-15 (Q4)

def hebei_without_reports(library) -> None:
    library.add(HEBEI, edit(good_record(HEBEI), "reports:\n  - {period: 2025-Q4, submitted: 2025-12-10}\n", "reports: []\n"))


@pytest.mark.parametrize("day, action", [
    (date(2025, 12, 15), None),    # nothing overdue yet
    (date(2026, 3, 15), ""),       # one missed (2025-Q4)
    (date(2026, 3, 16), "通报"),   # two in a row
    (date(2026, 6, 15), "通报"),
    (date(2026, 6, 16), "撤销"),   # three in a row
])
def test_missed_quarterly_reports_call_for_a_notice_at_two_and_revocation_at_three(library, day, action):
    hebei_without_reports(library)
    items = report(library, day, "reports-overdue")
    assert [item.action for item in items] == ([] if action is None else [action])


def test_hebei_quarter_periods_are_named_by_the_quarter_they_cover(library):
    hebei_without_reports(library)
    [item] = report(library, date(2026, 3, 16), "reports-overdue")
    assert "2025-Q4 至 2026-Q1" in item.message


# --- 河北 grades (第十八条)

@pytest.mark.parametrize("grades, kind", [("{2024: A, 2025: A}", "grade-renewal"), ("{2024: C, 2025: C}", "grade-observation")])
def test_two_equal_grades_in_a_row_are_reported(library, grades, kind):
    library.add(HEBEI, edit(good_record(HEBEI), "grades: {2025: A}", f"grades: {grades}"))
    [item] = report(library, date(2026, 1, 5), kind)
    assert "第十八条" in item.basis


def test_a_c_after_an_a_is_not_an_observation(library):
    library.add(HEBEI, edit(good_record(HEBEI), "grades: {2025: A}", "grades: {2024: A, 2025: C}"))
    assert report(library, date(2026, 1, 5), "grade-observation") == []


# --- 吉林 yearly service (第十条（一）): ≥ 12 hours or ≥ 30 firms in each year of the term (from term.start)

@pytest.mark.parametrize("log, short", [
    ("{year: 2026, hours: 11, firms: 29}", True),
    ("{year: 2026, hours: 12, firms: 0}", False),
    ("{year: 2026, hours: 0, firms: 30}", False),
])
def test_an_expert_year_of_service_needs_twelve_hours_or_thirty_firms(library, log, short):
    text = edit(good_record(JILIN, "expert"), "term: {start: 2025-09-01}", "term: {start: 2026-01-05}")
    library.add(JILIN, edit(text, "  - {year: 2025, hours: 20, firms: 8}", f"  - {log}"), kind="expert")
    items = report(library, date(2027, 1, 5), "service-shortfall")   # the term's first year ended 2027-01-04
    assert bool(items) is short


def test_a_year_not_yet_over_is_not_judged(library):
    text = edit(good_record(JILIN, "expert"), "term: {start: 2025-09-01}", "term: {start: 2026-01-05}")
    library.add(JILIN, text, kind="expert")
    assert report(library, date(2027, 1, 4), "service-shortfall") == []   # its last day


# --- the command

def test_report_json_lists_scheme_record_kind_action_and_date(library):
    revoked_hunan(library, "2026-04-16", "第十九条（四）")
    result = subprocess.run([sys.executable, "-m", "directory", "report", "--format", "json", "--today", "2026-11-23"],
                            cwd=library.root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    [item] = [item for item in json.loads(result.stdout) if item["kind"] != "calendar-next-year"]  # 2027 not yet entered
    assert {k: item[k] for k in ("scheme", "record", "kind", "date")} == \
        {"scheme": HUNAN, "record": "cs-zhiyuan", "kind": "ban", "date": "2029-04-15"}
    assert "action" in item


def test_report_can_be_limited_to_one_scheme(library):
    revoked_hunan(library, "2026-04-16", "第十九条（四）")
    def run(scheme: str) -> str:
        result = subprocess.run([sys.executable, "-m", "directory", "report", "--scheme", scheme, "--today", "2026-11-23"],
                                cwd=library.root, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0
        return result.stdout

    assert "cs-zhiyuan" in run(HUNAN)
    assert "cs-zhiyuan" not in run(HEBEI)


def test_an_expert_written_as_in_the_spec_without_recognition_is_recruited_by_its_term(library):
    text = edit(good_record(JILIN, "expert"), "recognition:\n  status: recognized\n", "")
    library.add(JILIN, text, kind="expert")
    assert library.errors() == []
    assert status_on(library, date(2025, 8, 31)) == "审核中"   # term not started yet
    assert status_on(library, date(2025, 9, 1)) == "有效"


def test_a_year_without_a_yearly_report_asks_for_it(library):
    text = edit(good_record(JILIN, "expert"), "term: {start: 2025-09-01}", "term: {start: 2026-01-05}")
    library.add(JILIN, edit(text, "  - {year: 2025, hours: 20, firms: 8}", "  - {year: 2025, hours: 20, firms: 8}"),
                kind="expert")
    [item] = report(library, date(2027, 1, 5), "service-shortfall")
    assert item.action == "督促报告" and "2026 年度（2026-01-05 至 2027-01-04）" in item.message


def test_a_publicity_not_yet_started_is_upcoming_in_the_report_and_absent_from_the_site_status(library):
    publicity_batch(library, HUNAN, "2026-09-24")
    assert [i.kind for i in report(library, date(2026, 9, 23)) if i.kind.startswith("publicity")] == ["publicity-upcoming"]
    assert status_on(library, date(2026, 9, 23)) == "审核中"
