"""Checks across records: one valid recognition per credit code; revocation bans."""
from __future__ import annotations

from datetime import date

from conftest import edit, good_record, line_of

HUNAN = "hunan-sme-hexin"


def second_hunan(extra_edits=()) -> str:
    text = edit(good_record(HUNAN), "id: cs-zhiyuan", "id: cs-zhiyuan-2")
    for old, new in extra_edits:
        text = edit(text, old, new)
    return text


def add_old_batch(library):
    library.write(f"schemes/{HUNAN}/batches/t-2021.yaml",
                  "id: t-2021\ntitle: 2021 年度\npublicity: {start: 2021-09-01}\ndecision: {date: 2021-10-20}\n")


def test_the_same_credit_code_with_overlapping_validity_is_reported(library):
    library.add(HUNAN, good_record(HUNAN))
    text = second_hunan()
    path = library.add(HUNAN, text)
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, "credit_code"), "duplicate-credit-code") in found


def test_the_same_credit_code_after_the_old_recognition_expired_is_accepted(library):
    add_old_batch(library)
    library.add(HUNAN, second_hunan([("  batch: t-2025", "  batch: t-2021"),
                                     ("established: 2018-05-10", "established: 2017-05-10")]))
    library.add(HUNAN, good_record(HUNAN))  # 2021-10-20 .. 2024-10-19, then 2025-10-20 ..
    assert library.errors() == []


def revoked(basis: str, on: str = "2025-03-01") -> str:
    return second_hunan([("  status: recognized", f"  status: revoked\n  revocation: {{date: {on}, reason: 弄虚作假, basis: {basis}}}"),
                         ("  batch: t-2025", "  batch: t-2021"), ("established: 2018-05-10", "established: 2017-05-10")])


def application() -> str:
    """The same organisation applying again, still under review (no recognition)."""
    return good_record(HUNAN).split("recognition:")[0]


def test_reapplying_during_a_three_year_ban_in_hunan_is_reported(library):
    add_old_batch(library)
    library.add(HUNAN, revoked("第十九条（一）"))
    path = library.add(HUNAN, application())
    [finding] = library.errors(today=date(2028, 2, 29))
    assert (finding.path, finding.rule) == (path, "ban-in-force")
    assert "2028-02-29" in finding.message and "第十九条" in finding.basis


def test_reapplying_the_day_the_ban_ends_is_accepted(library):
    add_old_batch(library)
    library.add(HUNAN, revoked("第十九条（一）"))
    library.add(HUNAN, application())
    assert library.errors(today=date(2028, 3, 1)) == []


def test_hebei_bans_two_years_after_missed_reports(library):
    scheme = "hebei-sme-youzhi"
    library.write(f"schemes/{scheme}/batches/t-2021.yaml",
                  "id: t-2021\ntitle: 2021 年度\npublicity: {start: 2021-09-01}\ndecision: {date: 2021-10-20}\n")
    old = edit(good_record(scheme), "id: sjz-huizhi", "id: sjz-huizhi-old")
    old = edit(old, "  batch: t-2025", "  batch: t-2021")
    old = edit(old, "established: 2017-08-08", "established: 2016-08-08")
    old = edit(old, "  status: recognized", "  status: revoked\n  revocation: {date: 2024-06-20, basis: 第十三条}")
    library.add(scheme, old)
    library.add(scheme, good_record(scheme).split("recognition:")[0])
    assert [f.rule for f in library.errors(today=date(2026, 6, 19))] == ["ban-in-force"]
    assert library.errors(today=date(2026, 6, 20)) == []


def test_a_revocation_without_a_ban_article_does_not_block_reapplying(library):
    add_old_batch(library)
    library.add(HUNAN, revoked("第十八条"))  # 测评整改未完成：撤销，但该条未规定禁止再申报
    library.add(HUNAN, application())
    assert library.errors(today=date(2026, 1, 1)) == []


def test_a_revocation_basis_without_a_ban_article_is_a_warning(library):
    add_old_batch(library)
    path = library.add(HUNAN, revoked("第十八条"))
    assert library.errors() == []
    assert [(f.path, f.rule, f.severity) for f in library.findings()] == [(path, "revocation-basis-no-ban", "warning")]
