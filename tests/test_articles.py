"""Articles of the seeds at their boundaries: exactly at the threshold accepted, just past it
rejected with its article, and each consequence (status, staff-report item, action).

Each row changes the good record of its scheme (tests/fixtures/records/) in one place.
"""
from __future__ import annotations

from datetime import date

import pytest

from conftest import edit, good_record
from directory.library.repository import load_repository
from directory.lifecycle.derive import derive
from directory.rules.calendar import load_calendar
from directory.staff.report import build_report

HUNAN, HEBEI, JILIN, YANXUAN, AFXH = ("hunan-sme-hexin", "hebei-sme-youzhi", "jilin-city-sme",
                                      "hubei-sme-yanxuan", "hubei-afxh")


def status_on(library, day: date) -> str:
    repository = load_repository(library.root)
    [record] = repository.records
    return derive(record, repository.schemes[record.scheme_id], repository.batch_of(record),
                  load_calendar(library.root), day).label


def items(library, day: date, kind: str):
    repository = load_repository(library.root)
    return [i for i in build_report(repository, load_calendar(library.root), day) if i.kind == kind]


def only_errors(library):
    return [(f.rule, f.message, f.basis) for f in library.errors()]


# --- entry conditions at their thresholds: (scheme, old, new, None | (rule, message fragment, article))

CONDITION_ROWS = [
    # 湖南 第七条（三）“拥有10人以上专职服务人员（不少于3人具有社会保险）”：the insured are among the staff
    (HUNAN, "  staff_social_insured: 12", "  staff_social_insured: 20", None),
    (HUNAN, "  staff_social_insured: 12", "  staff_social_insured: 21",
     ("staff-social-insured-within-staff", "「有社会保险的专职人员数」（21）不能多于「专职服务人员数」（20）", "第七条（三）")),
    # 湖北严选 第七条 needs to know the subject type: it is required
    (YANXUAN, "subject_type: 专业服务机构\n", "",
     ("schema-required", "缺少必填项「申报主体类型」（subject_type）", "")),
    # attestations the data cannot check: 湖南 第七条（一）（二），湖北严选 第五条（6）后句
    (HUNAN, "  not_affiliate_of_core_institution: true", "  not_affiliate_of_core_institution: false",
     ("not-affiliate", "非有效期内核心服务机构的关联机构", "第七条（一）")),
    (HUNAN, "  registered_on_platform: true\n", "",
     ("platform-registration", "缺少「已在省中小企业公共服务平台登记备录」（facts.registered_on_platform）", "第七条（二）")),
    (YANXUAN, "  not_under_investigation: true", "  not_under_investigation: false",
     ("not-under-investigation", "未在协助接受案件调查", "第五条（6）")),
    # 吉林市 第四条、第八条：服务商由县（市、区）中心推荐
    (JILIN, "recommender: 昌邑区中小企业服务中心\n", "",
     ("schema-required", "缺少必填项「推荐单位」（recommender）", "")),
]


@pytest.mark.parametrize("scheme, old, new, expected", CONDITION_ROWS)
def test_an_entry_condition_holds_at_its_threshold_and_fails_just_past_it(library, scheme, old, new, expected):
    library.add(scheme, edit(good_record(scheme), old, new))
    errors = only_errors(library)
    if expected is None:
        assert errors == []
        return
    rule, fragment, article = expected
    [(found_rule, message, basis)] = errors
    assert found_rule == rule and fragment in message and article in basis


# --- 湖北严选 第五条末段：“上述条件可适当放宽” — a bounded, reasoned waiver of 第五条 only

def yanxuan_waiving(library, fact: str, value: str, condition: str, reason: str = "获得武汉市表彰（武政〔2024〕1号）"):
    text = edit(good_record(YANXUAN), f"  {fact}: ", f"  {fact}: {value}\n  _old_{fact}: ")
    text = "\n".join(line for line in text.splitlines() if not line.startswith(f"  _old_{fact}")) + "\n"
    text = edit(text, "recognition:", f"waivers:\n  - {{condition: {condition}, reason: \"{reason}\"}}\nrecognition:")
    library.add(YANXUAN, text)


@pytest.mark.parametrize("area, expected", [
    ("40", None),                    # half of 80 m²: the floor of an "appropriate" relaxing
    ("39", "放宽后仍须达到要求的 50%"),
    ("0", "放宽后仍须达到要求的 50%"),
])
def test_a_waived_premises_area_must_still_reach_half_the_threshold(library, area, expected):
    yanxuan_waiving(library, "area_m2", area, "premises-area")
    errors = only_errors(library)
    if expected is None:
        assert errors == []
    else:
        [(rule, message, basis)] = errors
        assert rule == "waiver-beyond-floor" and expected in message and "第五条末段" in basis


def test_a_waiver_needs_a_reason_that_is_not_blank(library):
    yanxuan_waiving(library, "area_m2", "60", "premises-area", reason="   ")
    errors = only_errors(library)
    assert sorted(rule for rule, _, _ in errors) == ["text-surrounding-space", "waiver-reason"]
    assert all("放宽理由" in message for _, message, _ in errors)


def test_the_credit_record_condition_cannot_be_waived(library):
    text = edit(good_record(YANXUAN), "  no_bad_credit_record: true", "  no_bad_credit_record: false")
    library.add(YANXUAN, edit(text, "recognition:", "waivers:\n  - {condition: credit-record, reason: 获得表彰}\nrecognition:"))
    rules = sorted(rule for rule, _, _ in only_errors(library))
    assert rules == ["credit-record", "waiver-not-allowed"]


def test_waiving_a_category_condition_says_which_conditions_the_article_allows(library):
    text = edit(good_record(YANXUAN), "categories: [管理咨询及财税服务类]", "categories: []")
    library.add(YANXUAN, edit(text, "recognition:", "waivers:\n  - {condition: category-count, reason: 获得表彰}\nrecognition:"))
    waiver = [m for rule, m, _ in only_errors(library) if rule == "waiver-not-allowed"]
    assert waiver and "不在第五条末段允许放宽的条件之列" in waiver[0] and "premises-area" in waiver[0]
    assert "没有“条件可适当放宽”的规定" not in waiver[0]


# --- statuses: a suspension does not outlive the validity

@pytest.mark.parametrize("day, label", [(date(2028, 10, 19), "暂停"), (date(2028, 10, 20), "已过期")])
def test_a_suspension_lapses_with_the_validity(library, day, label):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: suspended\n  suspension: {date: 2026-08-12, reason: 重组, basis: 第十四条}"))
    assert status_on(library, day) == label


# --- 河北 第十二条：到期自评通过后，有效期延长三年

@pytest.mark.parametrize("day, label", [(date(2031, 10, 19), "即将到期"), (date(2031, 10, 20), "已过期")])
def test_a_hebei_extension_adds_three_years(library, day, label):
    library.add(HEBEI, edit(good_record(HEBEI), "  grades: {2025: A}",
                            "  grades: {2025: A}\n  extensions:\n    - {date: 2028-09-30, doc_no: 冀工信〔2028〕1号}"))
    assert status_on(library, day) == label


def test_a_written_end_of_validity_must_count_the_extension(library):
    library.add(HEBEI, edit(good_record(HEBEI), "  grades: {2025: A}",
                            "  grades: {2025: A}\n  valid_until: 2028-10-19\n  extensions: [{date: 2028-09-30}]"))
    [(rule, message, _)] = only_errors(library)
    assert rule == "validity-mismatch" and "应为 2031-10-19" in message


# --- 通报 for missed reports lasts while the run lasts; 撤销 stays until acted on

def hunan_reports(library, periods: list[str]) -> None:
    lines = "".join(f"  - {{period: {p}, submitted: {p}-09}}\n" for p in periods)
    library.add(HUNAN, edit(good_record(HUNAN), "reports:\n  - {period: 2026-01, submitted: 2026-02-08}\n",
                            "reports:\n" + lines))


def test_a_notice_for_three_missed_months_clears_once_reports_come_in_on_time(library):
    # 2025-11..2026-01 missed (3 in a row: 通报), then 2026-02 reported by 2026-03-09
    hunan_reports(library, [])
    assert [i.action for i in items(library, date(2026, 2, 11), "reports-overdue")] == ["通报"]
    hunan_reports(library, ["2026-02"])
    [item] = items(library, date(2026, 3, 11), "reports-overdue")
    assert item.action == "" and "缺报 3 期" in item.message


def test_a_revocation_for_six_missed_months_stays_after_a_later_report(library):
    hunan_reports(library, ["2026-05"])   # 2025-11..2026-04 missed: 6 in a row
    [item] = items(library, date(2026, 6, 11), "reports-overdue")
    assert item.action == "撤销" and item.date == "2026-05-10"


@pytest.mark.parametrize("day, action", [(date(2026, 3, 15), ""), (date(2026, 3, 16), "通报")])
def test_hebei_two_missed_quarters_call_for_a_notice(library, day, action):
    library.add(HEBEI, edit(good_record(HEBEI), "reports:\n  - {period: 2025-Q4, submitted: 2025-12-10}\n", "reports: []\n"))
    assert [i.action for i in items(library, day, "reports-overdue")] == [action]


# --- 湖南 第十八条：测评不合格暂停，6 个月内未完成整改的撤销；第十四条：调整后 3 个月内报告

@pytest.mark.parametrize("day, kind, action", [
    (date(2026, 7, 10), "suspended", "指导整改"),          # the last day of the six months
    (date(2026, 7, 11), "suspension-overdue", "撤销称号（未按规定完成整改）"),
])
def test_a_suspension_after_a_failed_review_calls_for_revocation_after_six_months(library, day, kind, action):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: suspended\n  suspension: {date: 2026-01-10, reason: 测评不合格, basis: 第十八条}"))
    [item] = items(library, day, kind)
    assert item.action == action and "第十八条" in item.basis


def test_a_restructuring_suspension_asks_for_the_report_within_three_months(library):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: suspended\n  suspension: {date: 2026-08-12, reason: 重组, basis: 第十四条}"))
    [item] = items(library, date(2026, 11, 12), "suspended")
    assert "2026-11-12 前向原推荐单位报告" in item.message
    assert [i.action for i in items(library, date(2026, 11, 13), "suspension-overdue")] == \
        ["督促报告；审查合格可在原有效期内继续使用称号"]


# --- 湖北安防 第十条 2：满意度 70% 以下（含 70%），经整改仍不胜任的，撤消入库资格并公示

@pytest.mark.parametrize("review, kind, action", [
    ("{date: 2026-05-10, satisfaction_pct: 70.5}", None, None),
    ("{date: 2026-05-10, satisfaction_pct: 70}", "review-rectify", "限期整改后复评"),
    ("{date: 2026-05-10, satisfaction_pct: 70, after_rectification: true}", "review-failed", "撤消入库资格并公示"),
    ("{date: 2026-05-10, satisfaction_pct: 71, after_rectification: true}", None, None),
])
def test_satisfaction_of_seventy_percent_or_less_after_rectification_ends_membership(library, review, kind, action):
    library.add(AFXH, edit(good_record(AFXH), "recognition:", f"reviews:\n  - {review}\nrecognition:"))
    assert only_errors(library) == []
    found = items(library, date(2026, 6, 1), "review-rectify") + items(library, date(2026, 6, 1), "review-failed")
    assert [(i.kind, i.action) for i in found] == ([] if kind is None else [(kind, action)])
    assert all("第十条 2" in i.basis for i in found)


# --- 吉林市 第十条（一）：每个聘任年度都考核（自 term.start 起）

def jilin_expert(library, log: str) -> None:
    text = edit(good_record(JILIN, "expert"), "  - {year: 2025, hours: 20, firms: 8}", log)
    library.add(JILIN, text, kind="expert")


def test_both_years_of_a_jilin_term_are_assessed(library):
    # term 2025-09-01..2027-08-31: years "2025" (to 2026-08-31) and "2026" (to 2027-08-31)
    jilin_expert(library, "  - {year: 2025, hours: 20, firms: 8}\n  - {year: 2026, hours: 3, firms: 2}")
    assert items(library, date(2027, 8, 31), "service-shortfall") == []
    [item] = items(library, date(2027, 9, 1), "service-shortfall")
    assert "2026 年度（2026-09-01 至 2027-08-31）" in item.message and "第十一条（一）" in item.action


def test_a_term_starting_in_the_autumn_is_assessed_in_its_first_year(library):
    jilin_expert(library, "  - {year: 2025, hours: 11, firms: 29}")
    assert items(library, date(2026, 8, 31), "service-shortfall") == []
    [item] = items(library, date(2026, 9, 1), "service-shortfall")
    assert "2025 年度（2025-09-01 至 2026-08-31）服务 11 小时、29 户企业" in item.message


# --- 湖南 第十九条（二）（三）：连续两年绩效评价不合格；一年内投诉五次以上经查属实 -> 撤销

def test_two_failed_yearly_evaluations_in_a_row_call_for_revocation(library):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: recognized\n  grades: {2025: 不合格, 2026: 不合格}"))
    [item] = items(library, date(2027, 1, 5), "grade-revocation")
    assert item.action.startswith("撤销称号") and "第十九条（二）" in item.basis


def test_one_failed_evaluation_is_not_a_revocation(library):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            "  status: recognized\n  grades: {2025: 不合格, 2026: 合格}"))
    assert items(library, date(2027, 1, 5), "grade-revocation") == []


def hunan_complaints(library, days: list[str], confirmed: bool = True) -> None:
    lines = "".join(f"  - {{date: {day}, confirmed: {str(confirmed).lower()}}}\n" for day in days)
    library.add(HUNAN, edit(good_record(HUNAN), "recognition:", "complaints:\n" + lines + "recognition:"))


@pytest.mark.parametrize("days, confirmed, revoked", [
    (["2026-01-05", "2026-03-01", "2026-05-01", "2026-08-01", "2027-01-04"], True, True),   # five within 12 months
    (["2026-01-05", "2026-03-01", "2026-05-01", "2026-08-01", "2027-01-05"], True, False),  # the fifth a year later
    (["2026-01-05", "2026-03-01", "2026-05-01", "2026-08-01"], True, False),                # four
    (["2026-01-05", "2026-03-01", "2026-05-01", "2026-08-01", "2026-09-01"], False, False), # not confirmed
])
def test_five_confirmed_complaints_within_a_year_call_for_revocation(library, days, confirmed, revoked):
    hunan_complaints(library, days, confirmed)
    found = items(library, date(2027, 6, 1), "complaints")
    assert [i.action for i in found] == (["撤销称号，3 年内不得再次申报"] if revoked else [])
    assert all("第十九条（三）" in i.basis for i in found)


# --- 变更报备：湖南 第十三条 一个月内；河北 第十四条 三个月内

@pytest.mark.parametrize("scheme, change, day, kind", [
    (HUNAN, "{date: 2026-03-10, kind: 更名}", date(2026, 4, 9), "change-filing-due"),
    (HUNAN, "{date: 2026-03-10, kind: 更名}", date(2026, 4, 10), "change-filing-overdue"),
    (HUNAN, "{date: 2026-03-10, kind: 更名, filed: 2026-03-20}", date(2026, 4, 10), None),
    (HEBEI, "{date: 2026-03-10, kind: 重组}", date(2026, 6, 9), "change-filing-due"),
    (HEBEI, "{date: 2026-03-10, kind: 重组}", date(2026, 6, 10), "change-filing-overdue"),
])
def test_a_change_must_be_filed_within_the_months_of_its_article(library, scheme, change, day, kind):
    library.add(scheme, edit(good_record(scheme), "recognition:", f"changes:\n  - {change}\nrecognition:"))
    assert only_errors(library) == []
    found = items(library, day, "change-filing-due") + items(library, day, "change-filing-overdue")
    assert [i.kind for i in found] == ([] if kind is None else [kind])


def test_a_change_kind_the_scheme_does_not_list_is_an_error(library):
    library.add(HUNAN, edit(good_record(HUNAN), "recognition:", "changes:\n  - {date: 2026-03-10, kind: 搬家}\nrecognition:"))
    [(rule, message, basis)] = only_errors(library)
    assert rule == "change-kind" and "更名、注册地变更" in message and "第十三条" in basis


# --- 湖北严选 第十八条（1）：全年 3 场以上服务活动满意度 80% 以下（含），经整改仍不胜任 -> 取消称号

@pytest.mark.parametrize("reviews, kind", [
    (["2026-03-01: 80", "2026-05-01: 79", "2026-09-01: 60"], "review-rectify"),
    (["2026-03-01: 80", "2026-05-01: 81", "2026-09-01: 60"], None),          # two at or below 80
    (["2025-11-01: 70", "2026-05-01: 79", "2026-09-01: 60"], None),          # the third was last year
    (["2026-03-01: 80", "2026-05-01: 79", "2026-09-01: 60", "2026-11-01: 75 rectified"], "review-failed"),
])
def test_three_activities_at_eighty_percent_or_less_in_a_year_call_for_rectification(library, reviews, kind):
    assert yanxuan_review_items(library, "satisfaction_pct", reviews, "第十八条（1）") == ([] if kind is None else [kind])


def yanxuan_review_items(library, field: str, reviews: list[str], article: str) -> list[str]:
    """Write reviews given as "YYYY-MM-DD: value[ rectified]" into the good 湖北严选 record; the kinds
    of the review items on 2026-12-01, each resting on `article`."""
    lines = ""
    for review in reviews:
        day, value = review.split(": ")
        rectified = ", after_rectification: true" if value.endswith("rectified") else ""
        lines += f"  - {{date: {day}, {field}: {value.split()[0]}{rectified}}}\n"
    library.add(YANXUAN, edit(good_record(YANXUAN), "recognition:", "reviews:\n" + lines + "recognition:"))
    assert only_errors(library) == []
    found = items(library, date(2026, 12, 1), "review-rectify") + items(library, date(2026, 12, 1), "review-failed")
    assert all(article in i.basis for i in found)
    return [i.kind for i in found]


# --- 管理办法本身的有效期：湖南 第二十条 5 年（2024-08-22 印发 -> 至 2029-08-21）

@pytest.mark.parametrize("day, kind", [
    (date(2029, 5, 22), None),                  # 91 days before: not yet
    (date(2029, 5, 23), "document-expiring"),   # 90 days before, as for records
    (date(2029, 8, 21), "document-expiring"),
    (date(2029, 8, 22), "document-expired"),
])
def test_the_report_warns_before_the_hunan_document_expires(library, day, kind):
    repository = load_repository(library.root)
    found = [i.kind for i in build_report(repository, load_calendar(library.root), day, HUNAN)
             if i.kind.startswith("document-")]
    assert found == ([] if kind is None else [kind])


# --- 河北 第十条：有效期内的示范平台直接纳入，原有效期到期后重新申报

HEBEI_INCLUDED = "  status: recognized\n  direct_inclusion: {title: 国家级中小企业公共服务示范平台, included: 2026-03-01, valid_until: 2027-06-30}"


def hebei_included(library, facts_too: bool = True) -> None:
    text = edit(good_record(HEBEI), "  batch: t-2025\n", "")
    text = edit(text, "  status: recognized", HEBEI_INCLUDED)
    if not facts_too:  # included directly: the entry conditions are not asked
        text = edit(text, "  area_m2: 400", "  area_m2: 10")
    library.add(HEBEI, text)


@pytest.mark.parametrize("day, label", [(date(2027, 6, 30), "即将到期"), (date(2027, 7, 1), "已过期")])
def test_a_directly_included_platform_is_valid_until_its_own_expiry(library, day, label):
    hebei_included(library)
    assert only_errors(library) == []
    assert status_on(library, day) == label


def test_a_directly_included_platform_is_not_judged_on_the_entry_conditions(library):
    hebei_included(library, facts_too=False)
    assert only_errors(library) == []
    [item] = items(library, date(2027, 6, 1), "expiring")
    assert item.action == "原有效期到期后重新申报" and "第十条" in item.basis


def test_only_the_listed_titles_are_included_directly(library):
    text = edit(good_record(HEBEI), "  status: recognized", HEBEI_INCLUDED.replace("国家级中小企业公共服务示范平台", "市级示范平台"))
    library.add(HEBEI, text)
    [(rule, message, basis)] = only_errors(library)
    assert rule == "direct-inclusion-title" and "第十条" in basis


def test_direct_inclusion_is_refused_where_the_document_has_no_such_article(library):
    library.add(HUNAN, edit(good_record(HUNAN), "  status: recognized",
                            HEBEI_INCLUDED.replace("status: recognized", "status: recognized")))
    assert "direct-inclusion-not-in-scheme" in [rule for rule, _, _ in only_errors(library)]


# --- 湖北严选 第十八条（4）：年自主公益服务不达标（低于 10%），经协调仍不愿意整改 -> 取消称号

@pytest.mark.parametrize("reviews, kind", [
    (["2026-03-01: 10"], None),                                    # 10 % meets 第五条（3）“10%以上”
    (["2026-03-01: 9.9"], "review-rectify"),
    (["2026-03-01: 9.9", "2026-06-01: 9 rectified"], "review-failed"),
    (["2026-03-01: 9.9", "2026-06-01: 12 rectified"], None),
])
def test_public_benefit_below_ten_percent_calls_for_rectification_then_cancellation(library, reviews, kind):
    assert yanxuan_review_items(library, "public_benefit_pct", reviews, "第十八条（4）") == ([] if kind is None else [kind])
