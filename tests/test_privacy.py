"""Nothing private reaches the public site (SPEC §4): not facts, waivers, reports, private, service_log
nor an expert's contact; and the open data holds published records only.

The site is built once from a copy of the sample data plus a provider and an expert whose private
places hold unique canary values; then every file under site/ is searched, gzip (pagefind) and zip
(xlsx) contents included.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from site_fixtures import REPO, build_sample_site, credit_code, site_contents

# ---------------------------------------------------------------------------------------------------
# Canary records: every private place holds a value that occurs nowhere else.

CANARY_PROVIDER_NAME = "武汉鹊桥金丝雀企业服务有限公司"
CANARY_EXPERT_NAME = "雀鸣远"

CANARY_PROVIDER = f"""\
id: canary-quequiao
scheme: hubei-sme-yanxuan
name: {CANARY_PROVIDER_NAME}
credit_code: "{credit_code('91420106MA4KQ9Q3X')}"
nature: 有限责任公司
subject_type: 专业服务机构
region: "420106"
address: 湖北省武汉市武昌区公开路 12 号
postal_code: "430071"
established: 2015-03-01
legal_representative: 公某
website: https://quequiao.example.cn
contact: {{phone: "027-86661111", email: public@quequiao.example.cn}}
categories: [管理咨询及财税服务类]
services:
  - {{name: 公开服务产品, description: 这是一段公开的服务说明。}}
profile: 这是一段公开的机构简介。
recommender: 武汉市中小企业服务中心
facts:
  registered_capital_wan: 31415.9265
  total_assets_wan: 27182.8182
  service_assets_wan: 16180.3399
  area_m2: 98765.4321
  staff_full_time: 7777123
  staff_qualified: 6666123
  staff_social_insured: 5555123
  smes_served_per_year: 4444123
  satisfaction_pct: 97.654321
  public_benefit_pct: 43.219876
  partner_institutions: 3333123
  no_bad_credit_record: true
  not_under_investigation: true
waivers:
  - {{condition: staff-full-time, reason: 隐私放宽理由子丑寅卯辰巳}}
recognition:
  batch: 2025-1
  certificate_no: 鄂严选〔2025〕901
  status: recognized
reports:
  - {{period: 2019-Q3, submitted: 2019-10-29}}
private:
  contact_person: 隐私联系人甲乙丙
  mobile: "13912345678"
  id_card: "110101199003071234"
  home_address: 隐私住址鹊巢路九九九号
  staff_list: [隐私员工丁戊己, 隐私员工庚辛壬]
"""

CANARY_EXPERT = f"""\
id: canary-queming
scheme: jilin-city-sme
name: {CANARY_EXPERT_NAME}
title: 高级经济师
employer: 吉林市公开单位有限公司
education: 硕士研究生
years_of_service: 11
expertise: [管理咨询]
region: "220202"
profile: 公开的专家简介。
recommender: 昌邑区中小企业服务中心
term: {{start: 2025-09-01}}
recognition:
  status: recognized
service_log:
  - {{year: 2025, hours: 4321.5678, firms: 8765432}}
private: {{mobile: "13987654321", email: queming.canary.q7z@private-mail.example.cn}}
"""

CANARY_MEMBER = f"""\
id: canary-quezhi
scheme: hubei-afxh
name: 武汉鹊枝安防技术服务有限公司
credit_code: "{credit_code('91420100MA4KQ8Y2W')}"
council_member: true
region: "420100"
categories: [法律服务类]
facts:
  no_bad_credit_record: true
recognition:
  batch: 2025-1
  status: recognized
reviews:
  - {{date: 2019-07-13, satisfaction_pct: 23.456789, after_rectification: true}}
"""

CANARY_CORE = f"""\
id: canary-quecao
scheme: hunan-sme-hexin
name: 长沙鹊巢企业服务有限公司
credit_code: "{credit_code('91430102MA4LQ7Y3W')}"
region: "430102"
established: 2015-03-01
categories: [数字化转型]
facts: {{area_m2: 300, service_assets_wan: 200, staff_full_time: 20, staff_social_insured: 12, staff_qualified: 15,
        no_bad_credit_record: true, not_affiliate_of_core_institution: true, registered_on_platform: true}}
recognition:
  batch: 2025-1
  status: recognized
changes:
  - {{date: 2019-04-17, kind: 更名, filed: 2019-04-29}}
complaints:
  - {{date: 2019-05-23, confirmed: false}}
"""

CANARY_FILES = {
    "providers/hunan-sme-hexin/canary-quecao.yaml": CANARY_CORE,
    "providers/hubei-afxh/canary-quezhi.yaml": CANARY_MEMBER,
    "providers/hubei-sme-yanxuan/canary-quequiao.yaml": CANARY_PROVIDER,
    "providers/jilin-city-sme/experts/canary-queming.yaml": CANARY_EXPERT,
}

# (where, value) of every canary; numbers also by their integer part where it has five or more digits
CANARIES = [
    ("facts.registered_capital_wan", 31415.9265), ("facts.total_assets_wan", 27182.8182),
    ("facts.service_assets_wan", 16180.3399), ("facts.area_m2", 98765.4321),
    ("facts.staff_full_time", 7777123), ("facts.staff_qualified", 6666123),
    ("facts.staff_social_insured", 5555123), ("facts.smes_served_per_year", 4444123),
    ("facts.satisfaction_pct", 97.654321), ("facts.public_benefit_pct", 43.219876),
    ("facts.partner_institutions", 3333123),
    ("waivers.reason", "隐私放宽理由子丑寅卯辰巳"),
    ("reports.period", "2019-Q3"), ("reports.submitted", "2019-10-29"),
    ("private.contact_person", "隐私联系人甲乙丙"), ("private.mobile", "13912345678"),
    ("private.id_card", "110101199003071234"), ("private.home_address", "隐私住址鹊巢路九九九号"),
    ("private.staff_list", "隐私员工丁戊己"), ("private.staff_list", "隐私员工庚辛壬"),
    ("changes.date", "2019-04-17"), ("changes.filed", "2019-04-29"), ("complaints.date", "2019-05-23"),
    ("reviews.date", "2019-07-13"), ("reviews.satisfaction_pct", 23.456789),
    ("expert service_log.hours", 4321.5678), ("expert service_log.firms", 8765432),
    ("expert private.mobile", "13987654321"), ("expert private.email", "queming.canary.q7z@private-mail.example.cn"),
]

ZERO_WIDTH_SPACE = "\u200b".encode("utf-8")
PRIVATE_KEYS = ("facts", "reports", "private", "service_log", "waivers", "reviews", "changes", "complaints")
REVIEW_RECORD = REPO / "providers/hunan-sme-hexin/hh-wuxi-shichang.yaml"   # no recognition: under review
PUBLISHED_RECORD = REPO / "providers/hunan-sme-hexin/cs-zhiyuan.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("privacy") / "root", CANARY_FILES)


@pytest.fixture(scope="module")
def contents(site) -> list[tuple[str, bytes]]:
    # pagefind segments Chinese text with zero-width spaces (隐私\u200b联系\u200b人, 98765\u200b.\u200b4321):
    # drop them, so a value is found however the index split it
    return [(label, data.replace(ZERO_WIDTH_SPACE, b"")) for label, data in site_contents(site)]


# ---------------------------------------------------------------------------------------------------
# Helpers


def forms(value) -> list[bytes]:
    """The byte strings a leak of `value` could take: UTF-8 text, JSON \\u escapes, HTML escapes,
    and for numbers their plain decimal forms (with thousands separators, and the integer part)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        texts = {str(value), f"{value:,}"}
        whole = str(int(value))
        if len(whole) >= 5:
            texts |= {whole, f"{int(value):,}"}
    else:
        text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
        texts = {text, html.escape(text), json.dumps(text)[1:-1]}
    return sorted(t.encode("utf-8") for t in texts)


def occurrences(contents, value) -> list[str]:
    """'file: form' for every built file that holds a form of `value`."""
    return [f"{label}: {needle.decode()}" for label, data in contents for needle in forms(value) if needle in data]


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


# dates and monthly periods (2025-10, 2025-10-20) also name batch decisions, publicity windows and
# validity ends, so they are not distinctive; the canary's unique report date and period cover them.
NOT_DISTINCTIVE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")


def distinctive_private_values(path: Path, public_text: str) -> list[tuple[str, object]]:
    """(key, value) of each string of ≥ 5 characters and each number of ≥ 5 digits in a record's
    private places, skipping values that also occur in public text (its own or another record's
    public fields, batches, scheme files)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for key in PRIVATE_KEYS:
        for leaf in leaves(data.get(key)):
            if isinstance(leaf, bool) or leaf is None:
                continue
            if isinstance(leaf, (int, float)):
                if len(re.sub(r"[^0-9]", "", str(leaf))) < 5 or str(leaf) in public_text:
                    continue
            else:
                leaf = leaf.isoformat() if isinstance(leaf, (date, datetime)) else str(leaf)
                if len(leaf) < 5 or NOT_DISTINCTIVE.match(leaf) or leaf in public_text:
                    continue
            found.append((key, leaf))
    return found


def public_text() -> str:
    """Everything that may legitimately be public: records' public fields, batches, scheme files."""
    parts = []
    for path in sorted((REPO / "providers").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parts.append(json.dumps({k: v for k, v in data.items() if k not in PRIVATE_KEYS},
                                ensure_ascii=False, default=str))
    for path in sorted((REPO / "schemes").rglob("*")):
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


SAMPLE_RECORDS = sorted((REPO / "providers").rglob("*.yaml"))


def record_id(path: Path) -> str:
    return str(path.relative_to(REPO / "providers"))


def name_of(path: Path) -> str:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["name"]


# ---------------------------------------------------------------------------------------------------
# The canary records are published, so their absence below means something


def test_the_canary_provider_and_expert_are_published_with_their_public_fields(site):
    provider = (site / "hubei-sme-yanxuan/canary-quequiao/index.html").read_text(encoding="utf-8")
    expert = (site / "jilin-city-sme/experts/canary-queming/index.html").read_text(encoding="utf-8")
    assert CANARY_PROVIDER_NAME in provider and "这是一段公开的机构简介。" in provider
    assert CANARY_EXPERT_NAME in expert and "公开的专家简介。" in expert


@pytest.mark.parametrize("where, value", CANARIES, ids=[f"{w}={v}" for w, v in CANARIES])
def test_no_canary_private_value_occurs_in_any_built_file(contents, where, value):
    assert not occurrences(contents, value), f"{where} = {value!r} leaked into the site"


# ---------------------------------------------------------------------------------------------------
# The sample data's own private values


def test_the_sample_records_have_distinctive_private_values_to_look_for():
    text = public_text()
    assert sum(len(distinctive_private_values(p, text)) for p in SAMPLE_RECORDS) >= 40


@pytest.mark.parametrize("path", SAMPLE_RECORDS, ids=record_id)
def test_no_distinctive_private_value_of_a_sample_record_occurs_in_any_built_file(contents, path):
    leaks = {f"{key} = {value!r}": occurrences(contents, value)
             for key, value in distinctive_private_values(path, public_text())}
    assert not {k: v for k, v in leaks.items() if v}, "private values leaked into the site"


# ---------------------------------------------------------------------------------------------------
# Records under review


def test_a_record_under_review_has_no_page_and_its_name_appears_nowhere(site, contents):
    assert not (site / "hunan-sme-hexin/hh-wuxi-shichang").exists()
    assert not occurrences(contents, name_of(REVIEW_RECORD))


# ---------------------------------------------------------------------------------------------------
# Open data

PROVIDER_HEADERS = ["名录", "编号", "机构名称", "状态", "有效期起", "有效期至", "统一社会信用代码", "地区", "页面"]
EXPERT_HEADERS = ["名录", "编号", "姓名", "状态", "聘任起", "聘任止", "职称", "工作单位", "页面"]


@pytest.mark.parametrize("name, expected", [("providers.csv", PROVIDER_HEADERS), ("experts.csv", EXPERT_HEADERS)])
def test_the_open_data_csv_starts_with_a_utf8_bom_and_opens_as_utf8_with_the_expected_headers(site, name, expected):
    raw = (site / "data" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    headers = rows[0]
    assert headers[:4] == expected[:4]
    assert set(expected) <= set(headers), f"missing {set(expected) - set(headers)}"
    assert all(len(row) == len(headers) for row in rows[1:])
    assert len(rows) > 1


def _json_rows(site):
    return json.loads((site / "data/providers.json").read_text(encoding="utf-8"))["records"]


def _csv_rows(site):
    rows = list(csv.DictReader(io.StringIO((site / "data/providers.csv").read_text(encoding="utf-8-sig"), newline="")))
    return [{"id": row["编号"], "name": row["机构名称"], "scheme": row["名录"]} for row in rows]


def _xlsx_rows(site):
    from openpyxl import load_workbook

    sheet = load_workbook(site / "data/directory.xlsx", read_only=True)["服务机构"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = table[0]
    return [{"id": row[headers.index("编号")], "name": row[headers.index("机构名称")],
             "scheme": row[headers.index("名录")]} for row in table[1:]]


READERS = {"json": _json_rows, "csv": _csv_rows, "xlsx": _xlsx_rows}


@pytest.mark.parametrize("form", READERS)
def test_the_open_data_lists_a_published_provider(site, form):
    rows = READERS[form](site)
    assert {"id": "cs-zhiyuan", "name": name_of(PUBLISHED_RECORD)} in [{"id": r["id"], "name": r["name"]} for r in rows]


@pytest.mark.parametrize("form", READERS)
def test_the_open_data_leaves_out_a_record_under_review(site, form):
    rows = READERS[form](site)
    assert rows, "no rows at all"
    assert not [r for r in rows if r["id"] == "hh-wuxi-shichang" or r["name"] == name_of(REVIEW_RECORD)]


def test_the_xlsx_workbook_holds_no_private_column(site):
    with zipfile.ZipFile(site / "data/directory.xlsx") as archive:
        text = "".join(archive.read(m).decode("utf-8", "replace") for m in archive.namelist() if m.endswith(".xml"))
    for label in ("申报数据", "定期报送", "个人信息", "年度服务记录", "专家联系方式", "放宽条件"):
        assert label not in text
