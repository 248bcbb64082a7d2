"""Batches: publicity by working days, the decision after it, the batch's own id."""
from __future__ import annotations

from conftest import line_of


def batch(body: str) -> str:
    return "id: t-2099\ntitle: 测试批次\n" + body


def test_a_written_publicity_end_must_match_the_working_day_count(library):
    # 7 working days from Fri 2025-09-26: 9-26, 9-28 (调休 Sunday), 9-29, 9-30, 10-9, 10-10, 10-11 (调休 Saturday)
    text = batch("publicity: {start: 2025-09-26, end: 2025-10-10}\n")
    path = library.write("schemes/hunan-sme-hexin/batches/t-2099.yaml", text)
    [finding] = library.errors()
    assert (finding.path, finding.rule, finding.line) == (path, "publicity-end-mismatch", 3)
    assert "2025-10-11" in finding.message and "第九条（四）" in finding.basis


def test_a_correct_publicity_end_across_the_national_day_holiday_is_accepted(library):
    library.write("schemes/hunan-sme-hexin/batches/t-2099.yaml",
                  batch("publicity: {start: 2025-09-26, end: 2025-10-11}\n"))
    assert library.errors() == []


def test_a_decision_dated_within_the_publicity_is_reported(library):
    text = batch("publicity: {start: 2025-09-26}\ndecision: {date: 2025-10-09}\n")
    path = library.write("schemes/hubei-sme-yanxuan/batches/t-2099.yaml", text)
    [finding] = library.errors()
    assert (finding.path, finding.rule, finding.line) == (path, "decision-before-publicity-end", line_of(text, "decision"))


def test_the_association_scheme_requires_the_batch_to_set_its_publicity_days(library):
    path = library.write("schemes/hubei-afxh/batches/t-2099.yaml", batch("publicity: {start: 2025-09-26}\n"))
    [finding] = library.errors()
    assert (finding.path, finding.rule) == (path, "publicity-days-missing")
    assert "第八条" in finding.basis


def test_a_batch_id_must_equal_its_file_name(library):
    library.write("schemes/hunan-sme-hexin/batches/t-2098.yaml", batch("publicity: {start: 2025-09-26}\n"))
    assert [f.rule for f in library.errors()] == ["batch-id-mismatch"]


def test_a_written_publicity_end_in_a_year_without_a_holiday_schedule_is_refused(library):
    library.write("schemes/hunan-sme-hexin/batches/t-2099.yaml",
                  batch("publicity: {start: 2028-03-01, end: 2028-03-09}\n"))
    [finding] = library.errors()
    assert finding.rule == "calendar-gap" and "2028 年节假日安排尚未收录" in finding.message


def test_a_batch_cannot_change_the_publicity_days_the_document_fixes(library):
    path = library.write("schemes/hunan-sme-hexin/batches/t-2099.yaml",
                         batch("publicity: {start: 2025-09-26, working_days: 5}\n"))
    [finding] = library.errors()
    assert (finding.path, finding.rule) == (path, "publicity-days-fixed") and "第九条（四）" in finding.basis
