"""`directory report`: counts first, what is due soon as well as what is overdue, and an XLSX workbook."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from conftest import edit, good_record
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.staff.report import build_report

HUNAN = "hunan-sme-hexin"


def run(library, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", "report", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=60)


def items(library, day: date, kind: str):
    repository = load_repository(library.root)
    return [item for item in build_report(repository, load_calendar(library.root), day) if item.kind == kind]


def monthly_reports_until(text: str, last: str) -> str:
    """The good hunan record with every monthly report from 2025-11 (its first full month) to `last`, on time."""
    periods = [f"{year}-{month:02d}" for year, month in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 13)]]
    periods = periods[:periods.index(last) + 1]
    lines = "".join(f"  - {{period: {p}, submitted: {p}-28}}\n" for p in periods)
    return edit(text, "  - {period: 2026-01, submitted: 2026-02-08}\n", lines)


def revoked(library) -> None:
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: revoked\n  revocation: {date: 2026-04-16, reason: 测试, basis: 第十九条（四）}"))


@pytest.mark.parametrize("day, due", [
    (date(2026, 11, 24), []),                  # 16 days before the 10th: not yet
    (date(2026, 11, 25), ["2026-12-10"]),      # 15 days before
    (date(2026, 12, 10), ["2026-12-10"]),      # its last day
    (date(2026, 12, 11), []),                  # overdue from now on (reports-overdue), and 2027-01-10 is 30 days off
])
def test_a_monthly_report_due_within_fifteen_days_is_listed_with_its_date(library, day, due):
    library.add(HUNAN, monthly_reports_until(good_record(HUNAN), "2026-10"))
    found = items(library, day, "report-due")
    assert [item.date for item in found] == due
    if found:
        assert found[0].message.startswith("长沙智远企业管理咨询有限公司：2026-11 期报告截止 2026-12-10，尚未报送（还有 ")
        assert (found[0].action, found[0].basis) == ("提醒报送", "湖南核心服务机构认定管理办法 第十七条")


def test_a_report_already_submitted_is_not_due(library):
    library.add(HUNAN, monthly_reports_until(good_record(HUNAN), "2026-11"))
    assert items(library, date(2026, 12, 1), "report-due") == []


@pytest.mark.parametrize("day, this_week", [
    (date(2026, 10, 2), False),     # Friday: the 公示 ends the next Saturday
    (date(2026, 10, 5), True),      # Monday of the week it ends in
    (date(2026, 10, 10), True),     # its last day, a 调休 working Saturday
])
def test_a_publicity_ending_this_week_says_so(library, day, this_week):
    library.write(f"schemes/{HUNAN}/batches/t-2026.yaml",
                  "id: t-2026\ntitle: 测试公示批次\npublicity: {start: 2026-09-24, objection_contact: 0731-1}\n")
    [item] = items(library, day, "publicity-active")
    assert item.message.startswith("测试公示批次：公示至 2026-10-10")
    assert ("（本周结束）" in item.message) is this_week


def test_the_text_report_starts_with_the_counts_per_kind_and_scheme(library):
    revoked(library)
    result = run(library, "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["== 汇总：共 2 项", "  禁止再申报期内 1：hunan-sme-hexin 1", "  下一年放假安排待录入 1：_common 1"]
    assert lines[3] == "== 禁止再申报期内（1）"


def test_the_json_report_stays_a_list_of_items(library):
    revoked(library)
    result = run(library, "--format", "json", "--today", "2026-11-23")
    assert [item["kind"] for item in json.loads(result.stdout)] == ["calendar-next-year", "ban"]


def test_the_xlsx_report_has_a_summary_sheet_and_one_sheet_per_kind(library, tmp_path):
    revoked(library)
    result = run(library, "--format", "xlsx", "-o", str(tmp_path / "提醒.xlsx"), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""    # piped: nothing but the file
    workbook = openpyxl.load_workbook(tmp_path / "提醒.xlsx")
    assert workbook.sheetnames == ["汇总", "禁止再申报期内", "下一年放假安排待录入"]
    assert list(workbook["汇总"].iter_rows(values_only=True)) == [
        ("事项类别", "名录", "数量"), ("禁止再申报期内", HUNAN, 1), ("下一年放假安排待录入", "_common", 1), ("合计", None, 2)]
    header, row = workbook["禁止再申报期内"].iter_rows(values_only=True)
    assert header == ("日期", "名录", "记录/批次", "事项", "处理", "依据", "文件")
    assert row[:3] == ("2029-04-15", HUNAN, "cs-zhiyuan") and row[5] == "湖南核心服务机构认定管理办法 第十九条（四）"
    assert workbook["禁止再申报期内"].freeze_panes == "A2"


@pytest.mark.parametrize("args, message", [
    (["--format", "xlsx"], "请用 -o 指定要写入的文件"),
    (["--format", "json", "-o", "x.json"], "-o 只用于 --format xlsx"),
    (["--format", "xlsx", "-o", "no-such-folder/提醒.xlsx"], "文件夹 no-such-folder 不存在"),
    (["--format", "xlsx", "-o", "x.xlsx", "--scheme", "hunan"], "没有名录「hunan」"),
])
def test_an_xlsx_report_needs_a_writable_output_file_and_only_it_takes_one(library, args, message):
    result = run(library, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
