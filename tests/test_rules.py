"""Every validation rule, as a table: a good record changed in one place must give one finding,
with that rule id, at the changed line; the good record itself gives none."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import edit, good_record, line_of

TODAY_PLUS_ONE = date(2026, 11, 24)  # conftest.TODAY is 2026-11-23

SCHEMES = ["hunan-sme-hexin", "hubei-sme-yanxuan", "hebei-sme-youzhi", "hubei-afxh", "jilin-city-sme"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_good_record_of_each_scheme_has_no_finding(library, scheme):
    library.add(scheme, good_record(scheme))
    assert library.findings() == []


def test_the_good_expert_has_no_finding(library):
    library.add("jilin-city-sme", good_record("jilin-city-sme", "expert"), kind="expert")
    assert library.findings() == []


# (scheme, old text, new text, rule expected at the line of the new text)
BROKEN = [
    # identity, formats and YAML pitfalls
    ("hunan-sme-hexin", '"91430102MA4L2X1Q5B"', '"91430102MA4L2X1Q5X"', "credit-code"),
    ("hunan-sme-hexin", '"91430102MA4L2X1Q5B"', '"91430102MA4L2X1Q5"', "credit-code"),
    ("hunan-sme-hexin", '"91430102MA4L2X1Q5B"', '"91430102MA4L2I1Q5B"', "credit-code"),
    ("hunan-sme-hexin", '"91430102MA4L2X1Q5B"', "914301021234567891", "yaml-unquoted-number"),
    ("hunan-sme-hexin", 'region: "430102"', 'region: "430199"', "region-code"),
    ("hunan-sme-hexin", 'region: "430102"', 'region: "420102"', "region-outside-scheme"),
    ("hebei-sme-youzhi", 'region: "130102"', 'region: "430102"', "region-outside-scheme"),
    ("jilin-city-sme", 'region: "220202"', 'region: "220104"', "region-outside-scheme"),
    ("hunan-sme-hexin", 'region: "430102"', "region: 430102", "yaml-unquoted-number"),
    ("hunan-sme-hexin", 'postal_code: "410011"', 'postal_code: "41001"', "postal-code"),
    ("hunan-sme-hexin", 'postal_code: "410011"', "postal_code: 410011", "yaml-unquoted-number"),
    ("hunan-sme-hexin", 'phone: "0731-88886666"', 'phone: "8888"', "phone"),
    ("hunan-sme-hexin", 'phone: "0731-88886666"', "phone: 13800000000", "yaml-unquoted-number"),
    ("hunan-sme-hexin", "email: service@zhiyuan.example.cn", "email: service.zhiyuan.example.cn", "email"),
    ("hunan-sme-hexin", "website: https://zhiyuan.example.cn", "website: ftp://zhiyuan.example.cn", "website"),
    ("hunan-sme-hexin", "website: https://zhiyuan.example.cn", "website: javascript:alert(1)", "website"),
    ("hunan-sme-hexin", "established: 2018-05-10", "established: 2018-13-10", "date"),
    ("hunan-sme-hexin", "nature: 私人企业", "nature: 私营企业", "schema-enum"),
    ("hunan-sme-hexin", "categories: [数字化转型]", "categories: [数字化]", "schema-enum"),
    ("hunan-sme-hexin", "legal_representative: 张某", "legal_representive: 张某", "unknown-key"),
    ("hunan-sme-hexin", "  status: recognized", "  status: recognised", "schema-enum"),
    ("hunan-sme-hexin", "  status: recognized", "  status: revoked", "schema-required"),
    ("hubei-sme-yanxuan", "  status: recognized", "  status: recognized\n  grades: {2025: A}", "grades-not-in-scheme"),
    ("hunan-sme-hexin", "  status: recognized", "  status: recognized\n  grades: {2025: A}", "grade-value"),
    ("hebei-sme-youzhi", "grades: {2025: A}", "grades: {2025: D}", "grade-value"),
    ("hunan-sme-hexin", "  area_m2: 300", "  area_m2: 三百", "schema-type"),
    ("hunan-sme-hexin", "profile: 长沙智远", "profile: " + "长" * 1001 + "长沙智远", "schema-length"),
    ("hunan-sme-hexin", "  - {period: 2026-01, submitted: 2026-02-08}", "  - {period: 2026-13, submitted: 2026-02-08}", "schema-pattern"),
    ("hunan-sme-hexin", "  - {period: 2026-01, submitted: 2026-02-08}", "  - {period: 2026-Q1, submitted: 2026-04-08}", "report-period-cadence"),
    ("hebei-sme-youzhi", "  - {period: 2025-Q4, submitted: 2025-12-10}", "  - {period: 2025-12, submitted: 2025-12-10}", "report-period-cadence"),
    ("hunan-sme-hexin", "id: cs-zhiyuan", "id: CS_zhiyuan", "record-id"),
    ("hubei-sme-yanxuan", "  satisfaction_pct: 90", "  satisfaction_pct: 101", "schema-range"),
    ("hebei-sme-youzhi", "grades: {2025: A}", "grades: {25: A}", "schema-key"),   # a year is 4 digits
    ("hubei-sme-yanxuan", "  status: recognized", "  status: recognized\nwaivers:\n  - {condition: office-size, reason: 获得表彰}", "waiver-unknown"),
    # references and consistency
    ("hunan-sme-hexin", "  batch: t-2025\n  certificate_no", "  certificate_no", "batch-missing"),
    ("hunan-sme-hexin", "scheme: hunan-sme-hexin", "scheme: hebei-sme-youzhi", "scheme-mismatch"),
    ("hunan-sme-hexin", "  batch: t-2025", "  batch: t-2099", "batch-unknown"),
    ("hunan-sme-hexin", "  status: recognized", "  status: recognized\n  valid_until: 2028-10-20", "validity-mismatch"),
    ("hunan-sme-hexin", "  status: recognized", "  status: recognized\n  valid_from: 2025-10-21", "validity-mismatch"),
    ("jilin-city-sme", "term: {start: 2025-09-01}", "term: {start: 2025-09-01, end: 2027-09-01}", "validity-mismatch"),
    # entry conditions: 湖南 第七条
    ("hunan-sme-hexin", "established: 2018-05-10", "established: 2022-09-27", "years-operating"),
    ("hunan-sme-hexin", "  area_m2: 300", "  area_m2: 149", "premises-area"),
    ("hunan-sme-hexin", "  service_assets_wan: 200", "  service_assets_wan: 99.5", "service-assets"),
    ("hunan-sme-hexin", "  staff_full_time: 20", "  staff_full_time: 9", "staff-full-time"),
    ("hunan-sme-hexin", "  staff_social_insured: 12", "  staff_social_insured: 2", "staff-social-insured"),
    ("hunan-sme-hexin", "  staff_qualified: 15", "  staff_qualified: 11", "staff-qualified-ratio"),
    ("hunan-sme-hexin", "  no_bad_credit_record: true", "  no_bad_credit_record: false", "credit-record"),
    ("hunan-sme-hexin", "categories: [数字化转型]", "categories: [数字化转型, 技术创新]", "category-count"),
    ("hunan-sme-hexin", "categories: [数字化转型]", "categories: []", "category-count"),
    # 湖北严选 第五条、第七条
    ("hubei-sme-yanxuan", "established: 2019-03-01", "established: 2023-09-27", "years-operating"),
    ("hubei-sme-yanxuan", "  registered_capital_wan: 100", "  registered_capital_wan: 9", "registered-capital"),
    ("hubei-sme-yanxuan", "  staff_full_time: 10", "  staff_full_time: 7", "staff-full-time"),
    ("hubei-sme-yanxuan", "  staff_qualified: 8", "  staff_qualified: 6", "staff-qualified-ratio"),
    ("hubei-sme-yanxuan", "  area_m2: 120", "  area_m2: 79", "premises-area"),
    ("hubei-sme-yanxuan", "  smes_served_per_year: 80", "  smes_served_per_year: 49", "smes-served"),
    ("hubei-sme-yanxuan", "  satisfaction_pct: 90", "  satisfaction_pct: 79.9", "satisfaction"),
    ("hubei-sme-yanxuan", "  public_benefit_pct: 12", "  public_benefit_pct: 9", "public-benefit"),
    ("hubei-sme-yanxuan", "  partner_institutions: 5", "  partner_institutions: 2", "partner-institutions"),
    ("hubei-sme-yanxuan", "categories: [管理咨询及财税服务类]", "categories: []", "category-count"),
    # 河北 第六条、申请表
    ("hebei-sme-youzhi", "established: 2017-08-08", "established: 2023-09-27", "years-operating"),
    ("hebei-sme-youzhi", "  area_m2: 400", "  area_m2: 149", "premises-area"),
    ("hebei-sme-youzhi", "  total_assets_wan: 600", "  total_assets_wan: 299", "total-assets"),
    ("hebei-sme-youzhi", "  staff_full_time: 30", "  staff_full_time: 19", "staff-full-time"),
    ("hebei-sme-youzhi", "  staff_qualified: 27", "  staff_qualified: 23", "staff-qualified-ratio"),
    ("hebei-sme-youzhi", "  smes_served_per_year: 150", "  smes_served_per_year: 99", "smes-served"),
    ("hebei-sme-youzhi", "  public_benefit_pct: 20", "  public_benefit_pct: 9.9", "public-benefit"),
    ("hebei-sme-youzhi", "categories: [数字化赋能, 技术创新]", "categories: [数字化赋能, 技术创新, 检验检测]", "category-count"),
    ("hebei-sme-youzhi", "service_class: 数字转型类", "service_class: 数字化类", "schema-enum"),
    # 湖北安防协会 第五条
    ("hubei-afxh", "council_member: true", "council_member: false", "council-member"),
    ("hubei-afxh", "categories: [法律服务类]", "categories: [安防工程类]", "schema-enum"),
    # 吉林市 第七条
    ("jilin-city-sme", "  satisfaction_pct: 95", "  satisfaction_pct: 89", "satisfaction"),
    ("jilin-city-sme", "  smes_served_per_year: 60", "  smes_served_per_year: 29", "smes-served"),
    ("jilin-city-sme", "established: 2015-06-01", "established: 2024-01-01", "years-operating"),
]


@pytest.mark.parametrize("scheme, old, new, rule", BROKEN, ids=[f"{row[0]}:{row[3]}:{row[2][:24]}" for row in BROKEN])
def test_a_broken_record_is_reported_at_the_changed_line(library, scheme, old, new, rule):
    text = edit(good_record(scheme), old, new)
    path = library.add(scheme, text)
    expected_line = line_of(text, new.splitlines()[-1].strip()[:20])
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, expected_line, rule) in found, found


# (old, new, rule): the expert of 吉林市 (第七条（二）)
BROKEN_EXPERT = [
    ("education: 硕士研究生", "education: 大专", "education"),
    ("education: 硕士研究生", "education: 研究生", "schema-enum"),
    ("years_of_service: 12", "years_of_service: 4", "years-of-service"),
    ("expertise: [财会税务, 投资融资]", "expertise: []", "expertise-count"),
    ("expertise: [财会税务, 投资融资]", "expertise: [财会税务, 炒股]", "schema-enum"),
    ("expertise: [财会税务, 投资融资]", "expertise: [财会税务, 财会税务]", "schema-duplicate-item"),
]


@pytest.mark.parametrize("old, new, rule", BROKEN_EXPERT, ids=[row[2] + ":" + row[1] for row in BROKEN_EXPERT])
def test_a_broken_expert_is_reported_at_the_changed_line(library, old, new, rule):
    text = edit(good_record("jilin-city-sme", "expert"), old, new)
    path = library.add("jilin-city-sme", text, kind="expert")
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, new), rule) in found, found


@pytest.mark.parametrize("scheme, old, new", [
    ("hunan-sme-hexin", "established: 2018-05-10", "established: 2022-09-26"),  # exactly 3 years at publicity start
    ("hunan-sme-hexin", "  area_m2: 300", "  area_m2: 150"),
    ("hunan-sme-hexin", "  staff_qualified: 15", "  staff_qualified: 12"),      # exactly 60 %
    ("hubei-sme-yanxuan", "  satisfaction_pct: 90", "  satisfaction_pct: 80"),
    ("hubei-sme-yanxuan", "  staff_qualified: 8", "  staff_qualified: 7"),       # exactly 70 %
    ("hebei-sme-youzhi", "  staff_qualified: 27", "  staff_qualified: 24"),      # exactly 80 %
    ("hebei-sme-youzhi", "categories: [数字化赋能, 技术创新]", "categories: [数字化赋能]"),
    ("hebei-sme-youzhi", "established: 2017-08-08", "established: 2023-09-26"),  # exactly 2 years
    ("jilin-city-sme", "  satisfaction_pct: 95", "  satisfaction_pct: 90"),
])
def test_a_value_exactly_at_the_threshold_passes(library, scheme, old, new):
    library.add(scheme, edit(good_record(scheme), old, new))
    assert library.errors() == []


def test_a_missing_figure_is_reported_at_its_parent_mapping(library):
    text = edit(good_record("hunan-sme-hexin"), "  area_m2: 300\n", "")
    path = library.add("hunan-sme-hexin", text)
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, "registered_capital_wan"), "premises-area") in found


def test_a_missing_required_field_points_at_the_record(library):
    text = edit(good_record("hunan-sme-hexin"), 'credit_code: "91430102MA4L2X1Q5B"\n', "")
    library.add("hunan-sme-hexin", text)
    [finding] = library.errors()
    assert (finding.rule, finding.line) == ("schema-required", 1)
    assert "统一社会信用代码" in finding.message


def test_the_id_must_equal_the_file_name(library):
    path = library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"), stem="cs-other")
    assert [(f.path, f.line, f.rule) for f in library.errors()] == [(path, 1, "id-mismatch")]


def test_an_expert_in_a_scheme_without_experts_is_refused(library):
    text = edit(good_record("jilin-city-sme", "expert"), "scheme: jilin-city-sme", "scheme: hunan-sme-hexin")
    library.add("hunan-sme-hexin", text, kind="expert")
    assert [f.rule for f in library.errors()] == ["kind-not-allowed"]


def test_a_recognized_status_needs_a_batch_that_has_been_decided(library):
    library.write("schemes/hunan-sme-hexin/batches/t-2026.yaml",
                  "id: t-2026\ntitle: 公示中的批次\npublicity: {start: 2026-11-19}\n")
    text = edit(good_record("hunan-sme-hexin"), "  batch: t-2025", "  batch: t-2026")
    path = library.add("hunan-sme-hexin", text)
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, "status: recognized"), "status-before-decision") in found


def test_an_application_under_review_is_checked_against_today(library):
    text = good_record("hunan-sme-hexin").split("recognition:")[0]
    text = edit(text, "established: 2018-05-10", "established: 2023-11-24")
    library.add("hunan-sme-hexin", text)
    assert [f.rule for f in library.errors()] == ["years-operating"]
    assert library.errors(today=TODAY_PLUS_ONE) == []



def test_a_recognized_provider_of_jilin_needs_a_term(library):
    text = edit(good_record("jilin-city-sme"), "term: {start: 2025-09-01}\n", "")
    path = library.add("jilin-city-sme", text)
    assert [(f.path, f.rule) for f in library.errors()] == [(path, "term-missing")]


def test_a_revocation_dated_before_the_validity_starts_is_reported(library):
    text = edit(good_record("hunan-sme-hexin"), "  status: recognized",
                "  status: revoked\n  revocation: {date: 2025-10-19, basis: 第十九条（四）}")
    path = library.add("hunan-sme-hexin", text)
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, "revocation:"), "action-before-validity") in found


def test_a_publicity_status_after_the_decision_is_a_warning_not_an_error(library):
    text = edit(good_record("hunan-sme-hexin"), "  status: recognized", "  status: publicity")
    library.add("hunan-sme-hexin", text)
    assert library.errors() == []
    assert [f.rule for f in library.findings()] == ["status-after-decision"]


def test_an_id_that_is_a_site_section_name_is_refused(library):
    text = edit(good_record("hunan-sme-hexin"), "id: cs-zhiyuan", "id: categories")
    path = library.add("hunan-sme-hexin", text)
    assert [(f.path, f.rule) for f in library.errors()] == [(path, "record-id-reserved")]


def test_the_spec_example_with_a_waiver_and_a_revocation_block_is_accepted_with_warnings(library):
    text = edit(good_record("hunan-sme-hexin"), "  status: recognized",
                "  status: recognized\n  revocation: {date: 2026-03-01, reason: ……, basis: 第十九条（二）}")
    text = edit(text, "recognition:", "waivers:\n  - {condition: staff_full_time, reason: ……}\nrecognition:")
    library.add("hunan-sme-hexin", text)
    assert library.errors() == []
    assert sorted(f.rule for f in library.findings()) == ["action-status-mismatch", "waiver-not-allowed"]
