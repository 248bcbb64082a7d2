"""Working-day calendar: PRC holidays and 调休, from chinese_calendar and holidays.yaml."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from directory.rules.calendar import CalendarGap, WorkCalendar, load_calendar

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def write_holidays(root: Path, text: str) -> Path:
    """holidays.yaml in a library of its own, beside the schema it is checked against."""
    path = root / "schemes" / "_common" / "holidays.yaml"
    path.parent.mkdir(parents=True)
    shutil.copy(REPO / "schemes" / "_common" / "holidays.schema.json", path.parent)
    path.write_text(text, encoding="utf-8")
    return root


YEAR_2027 = """\
years:
  2027:
    source: 测试用安排
    holidays: [2027-01-01]
    workdays: [2027-01-09]
"""


# --- 国庆/中秋 2025 ---------------------------------------------------------

@pytest.mark.parametrize("day", range(1, 9))
def test_national_day_week_2025_october_1_to_8_are_days_off(cal, day):
    assert not cal.is_working_day(date(2025, 10, day))


def test_sunday_september_28_2025_is_a_working_day(cal):
    assert cal.is_working_day(date(2025, 9, 28))


def test_saturday_october_11_2025_is_a_working_day(cal):
    assert cal.is_working_day(date(2025, 10, 11))


def test_ordinary_saturday_september_27_2025_is_a_day_off(cal):
    assert not cal.is_working_day(date(2025, 9, 27))


def test_five_working_days_from_friday_september_26_2025_end_on_october_9(cal):
    assert cal.nth_working_day(date(2025, 9, 26), 5) == date(2025, 10, 9)


def test_seven_working_days_from_friday_september_26_2025_end_on_saturday_october_11(cal):
    assert cal.nth_working_day(date(2025, 9, 26), 7) == date(2025, 10, 11)


# --- 春节 2026 --------------------------------------------------------------

@pytest.mark.parametrize("day", range(15, 24))
def test_spring_festival_2026_february_15_to_23_are_days_off(cal, day):
    assert not cal.is_working_day(date(2026, 2, day))


@pytest.mark.parametrize("day", [14, 28])
def test_spring_festival_2026_makeup_saturdays_are_working_days(cal, day):
    assert cal.is_working_day(date(2026, 2, day))


def test_five_working_days_from_thursday_february_12_2026_end_on_february_25(cal):
    assert cal.nth_working_day(date(2026, 2, 12), 5) == date(2026, 2, 25)


def test_seven_working_days_from_thursday_february_12_2026_end_on_february_27(cal):
    assert cal.nth_working_day(date(2026, 2, 12), 7) == date(2026, 2, 27)


def test_working_days_between_counts_both_ends_across_spring_festival_2026(cal):
    assert cal.working_days_between(date(2026, 2, 12), date(2026, 2, 28)) == 8


# --- where counting starts --------------------------------------------------

def test_counting_from_a_weekend_starts_at_the_next_working_day(cal):
    assert cal.nth_working_day(date(2025, 11, 1), 1) == date(2025, 11, 3)


def test_counting_from_a_weekend_picks_up_a_makeup_sunday(cal):
    assert cal.nth_working_day(date(2025, 9, 27), 1) == date(2025, 9, 28)


def test_counting_from_a_holiday_starts_after_the_holiday(cal):
    assert cal.nth_working_day(date(2025, 10, 1), 1) == date(2025, 10, 9)


def test_counting_from_a_holiday_reaches_the_makeup_saturday(cal):
    assert cal.nth_working_day(date(2025, 10, 1), 3) == date(2025, 10, 11)


def test_first_working_day_from_a_working_day_is_that_day(cal):
    assert cal.nth_working_day(date(2025, 9, 26), 1) == date(2025, 9, 26)


@pytest.mark.parametrize("n", [0, -1])
def test_n_below_one_is_rejected(cal, n):
    with pytest.raises(ValueError):
        cal.nth_working_day(date(2025, 9, 26), n)


# --- uncovered years --------------------------------------------------------

def test_year_without_schedule_raises_calendar_gap(cal):
    with pytest.raises(CalendarGap, match="2028 年节假日安排尚未收录"):
        cal.is_working_day(date(2028, 3, 1))


def test_calendar_gap_names_the_data_file_and_year(cal):
    with pytest.raises(CalendarGap) as info:
        cal.is_working_day(date(2028, 3, 1))
    assert info.value.year == 2028
    assert "schemes/_common/holidays.yaml" in str(info.value)


def test_counting_into_an_uncovered_year_raises_calendar_gap(cal):
    with pytest.raises(CalendarGap, match="2027 年节假日安排尚未收录"):
        cal.nth_working_day(date(2026, 12, 30), 5)


def test_covers_reports_which_years_have_a_schedule(cal):
    assert cal.covers(2025) and cal.covers(2026) and not cal.covers(2028)


# --- holidays.yaml ----------------------------------------------------------

def test_missing_holidays_file_means_no_extra_years(tmp_path):
    cal = load_calendar(tmp_path)
    assert cal.covers(2026) and not cal.covers(2027)


def test_shipped_holidays_file_loads_and_declares_no_years():
    assert load_calendar(REPO).years == frozenset()


def test_year_added_in_holidays_file_is_covered(tmp_path):
    assert load_calendar(write_holidays(tmp_path, YEAR_2027)).covers(2027)


def test_declared_holiday_in_holidays_file_is_not_a_working_day(tmp_path):
    cal = load_calendar(write_holidays(tmp_path, YEAR_2027))
    assert not cal.is_working_day(date(2027, 1, 1))  # a Friday


def test_declared_makeup_saturday_in_holidays_file_is_a_working_day(tmp_path):
    cal = load_calendar(write_holidays(tmp_path, YEAR_2027))
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday


def test_undeclared_days_in_a_file_year_follow_the_weekly_pattern(tmp_path):
    cal = load_calendar(write_holidays(tmp_path, YEAR_2027))
    assert cal.is_working_day(date(2027, 1, 4)) and not cal.is_working_day(date(2027, 1, 2))


def test_holidays_file_takes_precedence_over_the_package(tmp_path):
    text = "years:\n  2026:\n    source: 测试\n    holidays: []\n    workdays: []\n"
    cal = load_calendar(write_holidays(tmp_path, text))
    assert cal.is_working_day(date(2026, 10, 1))  # a Thursday, 国庆 in the package


def test_a_well_formed_holidays_file_has_no_findings(tmp_path):
    assert load_calendar(write_holidays(tmp_path, YEAR_2027)).findings == ()


# (holidays.yaml, rule, line, column, words of the message): each is a finding at file:line:col.
MALFORMED = [
    ("years: [2027]\n", "schema-type", 1, 8, "「各年安排」应为“键: 值”映射"),
    ("years:\n  2027: {source: x, holidays: [2027-13-01], workdays: []}\n", "schema-format", 2, 32,
     "「放假日期」「2027-13-01」不是有效日期"),
    ("years:\n  2027: {source: x, holidays: [2028-01-03], workdays: []}\n", "holidays-file", 2, 32,
     "2027 年的 holidays 中的 2028-01-03 不属于 2027 年"),
    ("years:\n  2027: {source: x, holidays: [2027-01-01]}\n", "schema-required", 2, 9,
     "缺少必填项「调休上班日期（workdays）」"),
    ("years:\n  2027: {source: x, holidays: [2027-01-09], workdays: [2027-01-09]}\n", "holidays-file", 2, 56,
     "2027-01-09 同时出现在 2027 年的 holidays 和 workdays 中"),
    ("years:\n  2027: {holidays: [], workdays: []}\n", "schema-required", 2, 9, "缺少必填项「国务院办公厅通知文号」"),
    ("years:\n  27: {source: x, holidays: [], workdays: []}\n", "schema-key", 2, 3, "「27」不符合要求：年份应为四位数字"),
    ("years:\n  2027: {source: x, holiday: [], holidays: [], workdays: []}\n", "unknown-key", 2, 21, "未知字段「holiday」"),
    ("- 2027-01-01\n", "schema-type", 1, 1, "「法定节假日与调休安排」应为“键: 值”映射"),
    ("years:\n  2027:\n\tsource: x\n", "yaml-tab", 3, 1, "制表符"),
]


@pytest.mark.parametrize("text, rule, line, column, words", MALFORMED)
def test_a_malformed_holidays_file_is_a_located_finding_not_an_exception(tmp_path, text, rule, line, column, words):
    cal = load_calendar(write_holidays(tmp_path, text))
    [finding] = [f for f in cal.findings if f.rule == rule]
    assert (finding.path, finding.line, finding.column) == ("schemes/_common/holidays.yaml", line, column)
    assert words in finding.message and finding.severity == "error"


def test_a_year_with_a_problem_is_left_out_so_counting_into_it_is_a_gap_not_a_guess(tmp_path):
    text = YEAR_2027 + "  2028:\n    source: x\n    holidays: [2027-05-03]\n    workdays: []\n"
    cal = load_calendar(write_holidays(tmp_path, text))
    assert [f.rule for f in cal.findings] == ["holidays-file"]
    assert cal.covers(2027) and not cal.covers(2028)
