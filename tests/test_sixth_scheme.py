"""A sixth scheme is a folder: a province's scheme written only as files (generated here, not
shipped) runs through validate, report, build and `new` with no code change.

What it asks that the five shipped schemes do not: quarterly reports due 15 days after the
quarter ends (2 missed -> 通报, 3 -> 撤销); an expert pool with its own term, validity, yearly summary
due at the end of February and yearly service rule; thresholds that differ by region inside the
province (珠三角 and the rest); an either-or condition; a 15-working-day 公示; validity through the
end of the third calendar year; a prerequisite recognition in another scheme; star grades; 广东.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import pytest

from conftest import REPO, edit
from directory.library.repository import load_repository
from directory.lifecycle.derive import derive
from directory.rules.calendar import load_calendar
from directory.staff.report import build_report

SCHEME, BASE = "guangdong-sme-zhuanye", "guangdong-sme-jichu"
PRD = ["4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420"]   # 珠三角九市

SCHEME_YAML = f"""\
# 广东省中小企业专业服务机构（测试用，不随项目发布）
id: {SCHEME}
title: 广东省中小企业专业服务机构
short_title: 广东专业服务机构
issuer: 广东省工业和信息化厅
document: {{title: 广东省中小企业专业服务机构管理办法, short: 广东专业服务机构管理办法, number: 粤工信〔2026〕9号, date: 2026-01-15, seed: ""}}
kinds:
  provider: provider.schema.json
  expert:
    schema: expert.schema.json
    validity: {{years: 2, starts: term, basis: 第二十条, expiry_action: 续聘}}
    reporting:
      period: year
      due_months_after: 2
      due_day: last
      consequences: [{{missed_in_a_row: 1, action: 约谈, clears: true}}]
      basis: 第二十一条
    service: {{min_hours: 20, min_firms: 10, years: calendar, shortfall_action: 解聘, missing_action: 督促报告, basis: 第二十一条}}
region: {{prefix: "44", name: 广东省, basis: 第三条}}
validity: {{years: 3, starts: decision, ends: calendar_year_end, basis: 第十五条}}
publicity: {{working_days: 15, basis: 第十二条}}
reporting:
  period: quarter
  due_months_after: 1
  due_day: 15
  consequences:
    - {{missed_in_a_row: 2, action: 通报, clears: true}}
    - {{missed_in_a_row: 3, action: 撤销}}
  basis: 第十六条
revocation_bans: [{{basis: 第十八条, years: 3}}]
grades: {{values: [★, ★★, ★★★, ★★★★, ★★★★★], values_basis: 第十七条, basis: 第十七条}}
vocabularies:
  category: {{title: 服务领域, enum: [数字化转型, 融资服务, 法律服务], x-basis: 第六条}}
  education: {{title: 学历, enum: [大专, 本科, 硕士研究生, 博士研究生], x-basis: 第九条}}
conditions:
  provider:
    - id: smes-or-income
      kind: any_of
      basis: 第八条（三）
      label: 年服务中小企业 60 家以上或服务收入占比 50% 以上
      any_of:
        - {{kind: minimum, field: facts.smes_served_per_year, min: 60, unit: 家, label: 年服务中小企业 60 家以上}}
        - {{kind: minimum, field: facts.service_income_pct, min: 50, unit: "%", label: 服务收入占比 50% 以上}}
    - {{id: premises-prd, kind: minimum, field: facts.area_m2, min: 300, unit: 平方米, when: {{region_prefix: {PRD}}}, basis: 第八条（二）, label: 珠三角九市服务场地 300 平方米以上}}
    - {{id: premises-other, kind: minimum, field: facts.area_m2, min: 150, unit: 平方米, when: {{not_region_prefix: {PRD}}}, basis: 第八条（二）, label: 其他地区服务场地 150 平方米以上}}
    - {{id: prerequisite, kind: recognized_in, in_scheme: {BASE}, basis: 第七条, label: 须为有效期内的广东省中小企业基础服务机构}}
  expert:
    - {{id: education, kind: at_least, field: education, min: 本科, order: education, basis: 第九条, label: 本科及以上学历}}
"""

BASE_YAML = f"""\
id: {BASE}
title: 广东省中小企业基础服务机构
issuer: 广东省中小企业服务中心
document: {{title: 广东省中小企业基础服务机构认定办法, short: 广东基础服务机构认定办法}}
kinds: {{provider: provider.schema.json}}
region: {{prefix: "44", name: 广东省, basis: 第二条}}
validity: {{years: 3, starts: decision, basis: 第十条}}
publicity: {{working_days: 5, basis: 第八条}}
reporting: null
vocabularies:
  category: {{title: 服务领域, enum: [综合服务], x-basis: 第五条}}
"""

COMMON = "../_common/defs.schema.json#/$defs/"


def provider_schema(facts: dict) -> str:
    return json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "广东 机构记录", "type": "object",
        "additionalProperties": False, "required": ["id", "scheme", "name", "credit_code", "region"],
        "properties": {
            **{key: {"$ref": COMMON + key} for key in ("id", "scheme", "name", "credit_code", "region", "profile")},
            "categories": {"title": "服务领域", "type": "array", "items": {"$ref": "scheme.yaml#/vocabularies/category"}},
            "facts": {"title": "申报数据（不公开）", "type": "object", "x-private": True, "additionalProperties": False,
                      "properties": facts},
            "recognition": {"$ref": COMMON + "recognition"}, "reports": {"$ref": COMMON + "reports"}}},
        ensure_ascii=False, indent=2)


EXPERT_SCHEMA = json.dumps({
    "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "广东 专家记录", "type": "object",
    "additionalProperties": False, "required": ["id", "scheme", "name", "education", "region", "term"],
    "properties": {
        "id": {"$ref": COMMON + "id"}, "scheme": {"$ref": COMMON + "scheme"}, "name": {"$ref": COMMON + "person_name"},
        "education": {"$ref": "scheme.yaml#/vocabularies/education"},
        "expertise": {"title": "服务领域", "type": "array", "items": {"$ref": "scheme.yaml#/vocabularies/category"}},
        "region": {"$ref": COMMON + "region"}, "term": {"$ref": COMMON + "term"},
        "recognition": {"$ref": COMMON + "recognition"}, "reports": {"$ref": COMMON + "reports"},
        "service_log": {"$ref": COMMON + "service_log"}}}, ensure_ascii=False, indent=2)

NUMBER = {"type": "number", "minimum": 0}

# 15 working days from Monday 2026-03-02: 3-2..3-6, 3-9..3-13, 3-16..3-20 -> ends 2026-03-20
BATCH = "id: 2026-1\ntitle: 2026 年第一批\npublicity: {start: 2026-03-02, end: 2026-03-20, objection_contact: 020-1}\n" \
        "decision: {doc_no: 粤工信〔2026〕20号, date: 2026-03-25}\n"
BASE_BATCH = "id: 2025-1\ntitle: 2025 年\npublicity: {start: 2025-06-02, objection_contact: 020-2}\n" \
             "decision: {doc_no: 粤中小〔2025〕3号, date: 2025-06-20}\n"

GUANGZHOU = """\
id: gz-shuzhi
scheme: guangdong-sme-zhuanye
name: 广州数智企业服务有限公司
credit_code: "91440103MA5CQ1234C"
region: "440103"
categories: [数字化转型]
facts: {smes_served_per_year: 80, service_income_pct: 30, area_m2: 300}
recognition: {batch: 2026-1, status: recognized, grades: {"2026": ★★★★}}
reports:
  - {period: 2026-Q2, submitted: 2026-07-10}
"""

SHANTOU = """\
id: st-chaoshang
scheme: guangdong-sme-zhuanye
name: 汕头潮商融资服务有限公司
credit_code: "91440507MA5CQ2345U"
region: "440507"
categories: [融资服务]
facts: {smes_served_per_year: 40, service_income_pct: 60, area_m2: 150}
recognition: {batch: 2026-1, status: recognized}
"""

EXPERT = """\
id: chen-lingfeng
scheme: guangdong-sme-zhuanye
name: 陈凌峰
education: 硕士研究生
expertise: [法律服务]
region: "440304"
term: {start: 2026-01-01}
recognition: {status: recognized}
"""


def base_provider(code: str, stem: str) -> str:
    return (f"id: {stem}\nscheme: {BASE}\nname: 基础服务机构{stem}\ncredit_code: \"{code}\"\nregion: \"440103\"\n"
            "recognition: {batch: 2025-1, status: recognized}\n")


@pytest.fixture
def province(library):
    """The test library plus the two 广东 scheme folders and their records."""
    library.write(f"schemes/{SCHEME}/scheme.yaml", SCHEME_YAML)
    library.write(f"schemes/{SCHEME}/provider.schema.json", provider_schema(
        {"smes_served_per_year": {**NUMBER, "title": "年服务中小企业数"},
         "service_income_pct": {**NUMBER, "title": "服务收入占比（%）"},
         "area_m2": {**NUMBER, "title": "服务场地面积（平方米）"}}))
    library.write(f"schemes/{SCHEME}/expert.schema.json", EXPERT_SCHEMA)
    library.write(f"schemes/{SCHEME}/batches/2026-1.yaml", BATCH)
    library.write(f"schemes/{BASE}/scheme.yaml", BASE_YAML)
    library.write(f"schemes/{BASE}/provider.schema.json", provider_schema({}))
    library.write(f"schemes/{BASE}/batches/2025-1.yaml", BASE_BATCH)
    library.add(SCHEME, GUANGZHOU)
    library.add(SCHEME, SHANTOU)
    library.add(SCHEME, EXPERT, kind="expert")
    library.add(BASE, base_provider("91440103MA5CQ1234C", "jc-gz"))
    library.add(BASE, base_provider("91440507MA5CQ2345U", "jc-st"))
    return library


def run(library, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=300)


def errors(library):
    return [(f.path.rsplit("/", 1)[-1], f.rule, f.message) for f in library.errors(date(2026, 12, 1))]


def test_the_sixth_scheme_validates_clean(province):
    assert errors(province) == []
    result = run(province, "validate", "--today", "2026-12-01")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("record, old, new, rule, fragment", [
    # thresholds by region: 广州 (珠三角) 300 m², 汕头 150 m²
    (GUANGZHOU, "area_m2: 300", "area_m2: 299", "premises-prd", "珠三角九市服务场地 300 平方米以上"),
    (SHANTOU, "area_m2: 150", "area_m2: 149", "premises-other", "其他地区服务场地 150 平方米以上"),
    # either-or: 40 SMEs is enough with 50 % income, not with 49 %
    (SHANTOU, "service_income_pct: 60", "service_income_pct: 49", "smes-or-income", "或服务收入占比 50% 以上"),
    # star grades come from the scheme's own list
    (GUANGZHOU, "{\"2026\": ★★★★}", "{\"2026\": ★★★★★★}", "grade-value", "★、★★、★★★、★★★★、★★★★★"),
    # quarterly periods
    (GUANGZHOU, "period: 2026-Q2", "period: 2026-05", "report-period-cadence", "按季度报送"),
])
def test_each_rule_of_the_sixth_scheme_fails_just_past_its_threshold(province, record, old, new, rule, fragment):
    province.add(SCHEME, edit(record, old, new))
    [(_, found, message)] = errors(province)
    assert found == rule and fragment in message


def test_a_missing_prerequisite_recognition_in_the_other_scheme_is_an_error(province):
    (province.root / f"providers/{BASE}/jc-st.yaml").unlink()
    [(path, rule, message)] = errors(province)
    assert path == "st-chaoshang.yaml" and rule == "prerequisite"
    assert "在「广东省中小企业基础服务机构」中于 2026-03-02 没有有效的认定" in message


def test_a_fifteen_working_day_publicity_end_is_checked(province):
    province.write(f"schemes/{SCHEME}/batches/2026-1.yaml", BATCH.replace("end: 2026-03-20", "end: 2026-03-19"))
    [(_, rule, message)] = errors(province)
    assert rule == "publicity-end-mismatch" and "按 15 个工作日" in message and "应为 2026-03-20" in message


def status_on(library, stem: str, day: date) -> str:
    repository = load_repository(library.root)
    [record] = [r for r in repository.records if r.stem == stem]
    return derive(record, repository.schemes[record.scheme_id], repository.batch_of(record),
                  load_calendar(library.root), day).label


@pytest.mark.parametrize("stem, day, label", [
    ("gz-shuzhi", date(2028, 12, 31), "即将到期"),      # decided 2026-03-25: through the end of 2028
    ("gz-shuzhi", date(2029, 1, 1), "已过期"),
    ("chen-lingfeng", date(2027, 12, 31), "即将到期"),  # the experts' own 2-year term
    ("chen-lingfeng", date(2028, 1, 1), "已过期"),
])
def test_providers_and_experts_have_their_own_validity(province, stem, day, label):
    assert status_on(province, stem, day) == label


def report(library, day: date, kind: str, stem: str):
    items = build_report(load_repository(library.root), load_calendar(library.root), day)
    return [i for i in items if i.kind == kind and i.record == stem]


@pytest.mark.parametrize("day, action", [
    (date(2026, 10, 15), None),     # Q2 reported; Q3 due 15 days after the quarter ends: not late yet
    (date(2026, 10, 16), ""),       # Q3 missed
    (date(2027, 1, 16), "通报"),    # Q3 and Q4 missed
    (date(2027, 4, 16), "撤销"),    # three in a row
])
def test_quarterly_reports_are_due_fifteen_days_after_the_quarter(province, day, action):
    items = report(province, day, "reports-overdue", "gz-shuzhi")
    assert [i.action for i in items] == ([] if action is None else [action])


def test_an_expert_yearly_summary_is_due_at_the_end_of_february(province):
    assert report(province, date(2027, 2, 28), "reports-overdue", "chen-lingfeng") == []
    [item] = report(province, date(2027, 3, 1), "reports-overdue", "chen-lingfeng")
    assert item.action == "约谈" and "第二十一条" in item.basis


def test_an_expert_year_of_service_is_judged_by_the_pools_own_rule(province):
    province.add(SCHEME, EXPERT + "service_log:\n  - {year: 2026, hours: 19, firms: 9}\n", kind="expert")
    [item] = report(province, date(2027, 1, 1), "service-shortfall", "chen-lingfeng")
    assert item.action == "解聘" and "低于 20 小时或 10 户" in item.message


def test_the_sixth_scheme_builds_into_the_site(province):
    shutil.copytree(REPO / "templates", province.root / "templates")
    shutil.copy(REPO / "mkdocs.yml", province.root / "mkdocs.yml")
    result = run(province, "build", "--today", "2026-12-01")
    assert result.returncode == 0, result.stdout + result.stderr
    site = province.root / "site"
    assert "广州数智企业服务有限公司" in (site / SCHEME / "gz-shuzhi" / "index.html").read_text(encoding="utf-8")
    assert "陈凌峰" in (site / SCHEME / "experts" / "chen-lingfeng" / "index.html").read_text(encoding="utf-8")
    assert "2028-12-31" in (site / SCHEME / "gz-shuzhi" / "index.html").read_text(encoding="utf-8")


def test_new_writes_a_skeleton_with_the_sixth_schemes_conditions(province):
    assert run(province, "new", "provider", "--scheme", SCHEME, "--id", "fs-new").returncode == 0
    text = (province.root / f"providers/{SCHEME}/fs-new.yaml").read_text(encoding="utf-8")
    assert "珠三角九市服务场地 300 平方米以上（广东专业服务机构管理办法 第八条（二））" in text
    assert run(province, "new", "expert", "--scheme", SCHEME, "--id", "new-expert").returncode == 0
    assert (province.root / f"providers/{SCHEME}/experts/new-expert.yaml").exists()
