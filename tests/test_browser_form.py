"""The application form as an applicant uses it, in a real browser (issue 13's applicant form).

Entry conditions are checked in the form with validate's own messages and articles; 湖南's one
service item and 河北's at most two block; a draft survives a reload; the filled 申请表 is a Word
file python-docx opens; and the fields the form marks required are enough for `directory validate`.
The site is built once for the module (tests/test_form.py's fixtures), served from 127.0.0.1.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from docx import Document  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from conftest import FIXTURES, TODAY, Library  # noqa: E402
from directory.loading.yamlfile import load_bytes  # noqa: E402
from test_form import HUNAN, SHIPPED_SCHEMAS, SHIPPED_SCHEMES, FormPage, base_url, site_root, with_value  # noqa: E402,F401
from test_form_conditions import CASES, application, compiled, form_says, set_value  # noqa: E402
from directory.rules.conditions import required_fields  # noqa: E402
from directory.site.form import build_form  # noqa: E402


@pytest.fixture
def hunan(browser, base_url):
    form = FormPage(browser, base_url, "/hunan-sme-hexin/apply/")
    yield form
    form.close()


def open_form(browser, base_url, scheme_id: str, kind: str = "provider") -> FormPage:
    return FormPage(browser, base_url, f"/{scheme_id}/" + ("experts/" if kind == "expert" else "") + "apply/")


def validate_json(library: Library) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate",
                             "--format", "json", "--today", TODAY.isoformat()], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout or "[]")


def sample_records():
    for path in sorted((FIXTURES / "records").glob("*.yaml")):
        kind = "expert" if path.stem.endswith("--expert") else "provider"
        scheme_id = path.stem.split("--")[0]
        yield scheme_id, kind


# ---------------------------------------------------------------------------------------------------
# Required fields: what the form marks 必填 is what validate needs


@pytest.mark.parametrize("scheme_id, kind", list(sample_records()))
def test_the_fields_marked_required_are_enough_for_directory_validate(browser, base_url, tmp_path, scheme_id, kind):
    form_spec = build_form(SHIPPED_SCHEMES[scheme_id], kind, SHIPPED_SCHEMAS.validators[(scheme_id, kind)].schema)
    record = application(scheme_id, kind)
    required = {field.name for item in form_spec.items for field in getattr(item, "fields", (item,)) if field.required}
    # and what a condition with a `when` asks of this record (专业服务机构: a category)
    required |= required_fields(SHIPPED_SCHEMES[scheme_id], kind, record)
    kept = {"scheme": record["scheme"]}
    for key, value in record.items():
        if isinstance(value, dict):
            inner = {k: v for k, v in value.items() if f"{key}.{k}" in required}
            if inner:
                kept[key] = inner
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            rows = [{k: v for k, v in row.items() if f"{key}.0.{k}" in required} for row in value]
            if any(rows):
                kept[key] = [row for row in rows if row]
        elif key in required:
            kept[key] = value
    form = open_form(browser, base_url, scheme_id, kind)
    try:
        form.fill(kept)
        form.generate()
        text = form.output()
        assert text, form.page.locator("#apply-summary").text_content()
        assert form.errors == [] and form.foreign_requests() == []
    finally:
        form.close()
    library = Library(tmp_path / "library")
    library.add(scheme_id, text, kind=kind, stem=record["id"])
    assert [f for f in validate_json(library) if f["severity"] == "error"] == []


# ---------------------------------------------------------------------------------------------------
# Entry conditions: validate's message and article, before applying


@pytest.mark.parametrize("changes", [
    {"facts.area_m2": 120},                                     # minimum
    {"facts.staff_qualified": 11},                              # ratio
    {"established": "2024-02-29"},                              # years of operation, by the build's date
    {"facts.registered_on_platform": False},                    # attested
    {"facts.staff_social_insured": 25},                         # a part of a whole, and the ratio beside it
])
def test_a_shortfall_in_an_entry_condition_shows_validates_message_and_article(hunan, tmp_path, changes):
    record = HUNAN
    for name, value in changes.items():
        record = with_value(record, name, value)
    hunan.fill(record)
    hunan.generate()
    assert hunan.output() == ""
    library = Library(tmp_path / "library")
    library.add("hunan-sme-hexin", json.dumps(record, ensure_ascii=False), stem=record["id"])
    condition_ids = {c.id for c in SHIPPED_SCHEMES["hunan-sme-hexin"].conditions["provider"]}
    findings = [f for f in validate_json(library) if f["rule"] in condition_ids]
    assert findings
    for finding in findings:
        name = finding["json_path"].removeprefix("$.")
        control = hunan.page.locator(f"[name='{name}']").first
        expect(control).to_have_attribute("aria-invalid", "true")
        assert hunan.message_of(name) == f"{finding['message']}（{finding['basis']}）"
    expect(hunan.page.locator("#apply-summary")).to_contain_text(findings[0]["basis"])
    assert hunan.errors == []


@pytest.mark.parametrize("scheme_id, kind", sorted({(s, k) for s, k, _, _ in CASES}))
def test_the_browser_walks_the_compiled_conditions_as_python_does(browser, base_url, scheme_id, kind):
    """Every failing case of test_form_conditions.py, judged by apply.js: the same messages."""
    records = []
    for s, k, _, change in CASES:
        if (s, k) != (scheme_id, kind):
            continue
        record = application(s, k)
        for dotted, value in change:
            record = set_value(record, dotted, value)
        records.append(record)
    form = open_form(browser, base_url, scheme_id, kind)
    try:
        said = form.page.evaluate(
            "([c, rs]) => rs.map(r => window.directoryApply.conditionProblems(c, r)"
            ".map(p => ({rule: p.rule, message: p.message, basis: p.basis})))",
            [compiled(scheme_id, kind), records])
    finally:
        form.close()
    for record, in_browser in zip(records, said):
        expected = [{**item, "message": f"{item['message']}（{item['basis']}）"} for item in form_says(scheme_id, kind, record)]
        assert sorted(in_browser, key=lambda item: item["rule"]) == expected, record


def test_numbers_in_messages_read_as_validate_prints_them(hunan):
    values = [0, 1, -3, 120, 150.5, 0.1 + 0.2, 99.99999, 999999, 1234567, 999999.5, 1e-5, 0.0001234, 123456789012,
              2.5e-7, 1e21, 7.0]
    assert hunan.page.evaluate("vs => vs.map(v => window.directoryApply.formatG(v))", values) == \
        [f"{value:g}" for value in values]


# ---------------------------------------------------------------------------------------------------
# 湖南 exactly one service item, 河北 at most two


@pytest.mark.parametrize("scheme_id, ticked, blocked", [
    ("hunan-sme-hexin", ["数字化转型", "技术创新"], "主要服务项目只选一项：现有 2 项（数字化转型、技术创新），最多 1 项"),
    ("hunan-sme-hexin", [], "主要服务项目只选一项：现有 0 项，至少 1 项"),
    ("hebei-sme-youzhi", ["数字化赋能", "技术创新", "检验检测"],
     "主要服务项目最多选择 2 项：现有 3 项（数字化赋能、技术创新、检验检测），最多 2 项"),
    ("hebei-sme-youzhi", ["数字化赋能", "技术创新"], ""),
])
def test_the_service_item_count_blocks_the_files(browser, base_url, scheme_id, ticked, blocked):
    record = {**application(scheme_id, "provider"), "categories": ticked}
    if not ticked:
        del record["categories"]
    form = open_form(browser, base_url, scheme_id)
    try:
        form.fill(record)
        form.generate()
        if blocked:
            assert form.output() == ""
            expect(form.page.locator("#apply-docx")).to_be_hidden()
            expect(form.page.locator("input[name='categories']").first).to_have_attribute("aria-invalid", "true")
            assert form.message_of("categories").startswith(blocked + "（")
        else:
            assert load_bytes(form.output().encode("utf-8"), "x.yaml")[0].data["categories"] == ticked
    finally:
        form.close()


# ---------------------------------------------------------------------------------------------------
# A draft kept in the browser


def test_a_draft_survives_a_reload_and_clearing_it_empties_the_form(hunan):
    page = hunan.page
    hunan.fill({"name": HUNAN["name"], "region": "430102", "categories": ["品牌提升"],
                "facts": {"area_m2": 300, "no_bad_credit_record": True},
                "services": [{"name": "诊断"}, {"name": "第二项", "description": "第二行\n说明"}]})
    expect(page.locator("#apply-draft")).to_contain_text("草稿已保存")
    page.reload()
    page.wait_for_selector("#apply-form[data-ready='true']", state="attached")
    expect(page.locator("#apply-draft")).to_contain_text("已恢复")
    assert page.input_value("[name='name']") == HUNAN["name"]
    assert page.input_value("[name='region']") == "430102"
    assert page.is_checked("input[name='categories'][value='品牌提升']")
    assert not page.is_checked("input[name='categories'][value='数字化转型']")
    assert page.input_value("[name='facts.area_m2']") == "300"
    assert page.input_value("[name='facts.no_bad_credit_record']") == "true"
    assert page.input_value("[name='services.1.description']") == "第二行\n说明"

    page.click("#apply-clear")
    page.reload()
    page.wait_for_selector("#apply-form[data-ready='true']", state="attached")
    assert page.input_value("[name='name']") == ""
    assert page.locator("[name='services.1.name']").count() == 0
    assert hunan.errors == []


# ---------------------------------------------------------------------------------------------------
# The filled 申请表 (Word)


def test_the_downloaded_application_form_is_a_word_file_with_the_filled_fields(hunan):
    record = with_value(HUNAN, "name", "长沙智远 <表单> & 测试有限公司")
    hunan.fill(record)
    hunan.generate()
    expect(hunan.page.locator("#apply-docx")).to_be_visible()
    with hunan.page.expect_download() as download:
        hunan.page.click("#apply-docx")
    assert download.value.suggested_filename.endswith("湖南省中小微企业核心服务机构申请表.docx")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))

    assert document.paragraphs[0].text == "湖南省中小微企业核心服务机构申请表"
    assert document.paragraphs[1].text.startswith(f"申请单位（盖章）：{record['name']}")
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    cells = {}
    for row in rows:                  # label | value pairs (a merged value cell repeats itself)
        for label, value in zip(row[0::2], row[1::2]):
            cells.setdefault(label, value)
    assert cells["机构名称"] == record["name"]
    assert cells["统一社会信用代码"] == HUNAN["credit_code"]
    assert cells["机构性质"] == "私人企业"
    assert cells["行政区划代码"] == "湖南省长沙市芙蓉区（430102）"          # a choice: its label
    assert cells["服务场所面积（平方米）"] == "300"
    assert cells["无不良信用记录（承诺）"] == "是"
    assert "记录编号" not in cells                                          # the record id is for staff
    text = "\n".join(cell for row in rows for cell in row)
    assert "☑数字化转型" in text and "☐技术创新" in text
    assert "1. 数字化诊断：数字化转型现状诊断与路线图。" in text and "2. yes" in text
    assert "长沙智远成立于 2018 年: 专注中小企业数字化转型咨询。\n第二段" in text    # line breaks kept
    assert "{{" not in text and "{{" not in document.paragraphs[1].text
    assert "推荐单位意见" in text and "（盖章）" in text
    assert hunan.foreign_requests() == [] and hunan.errors == []


# ---------------------------------------------------------------------------------------------------
# Messages of the schema: validate's words, from the templates the build derives from its code


def test_the_form_words_each_schema_error_as_validate_does(hunan, tmp_path):
    bad = {"postal_code": "41001", "facts.staff_full_time": 20.5, "facts.satisfaction_pct": 101,
           "profile": "长" * 1001, "contact.email": "service.zhiyuan.example.cn", "website": "ftp://zhiyuan.example.cn"}
    record = HUNAN
    for name, value in bad.items():
        record = with_value(record, name, value)
    record = {key: value for key, value in record.items() if key != "address"}       # a missing optional key
    hunan.fill(record)
    hunan.generate()
    assert hunan.output() == ""
    library = Library(tmp_path / "library")
    library.add("hunan-sme-hexin", json.dumps(record, ensure_ascii=False), stem=record["id"])
    by_path = {}
    for finding in validate_json(library):
        by_path.setdefault(finding["json_path"].removeprefix("$."), finding["message"])
    for name in bad:
        assert hunan.message_of(name) == by_path[name], name
    assert set(bad) <= set(by_path)


@pytest.mark.parametrize("name, value", [("credit_code", "91430102MA4L2X1Q5"), ("credit_code", "91430102ma4l2x1q5b"),
                                         ("credit_code", "91430102MA4L2X1Q5I"), ("name", "")])
def test_a_missing_name_or_a_bad_credit_code_reads_as_validate_says(hunan, tmp_path, name, value):
    record = with_value(HUNAN, name, value) if value else {k: v for k, v in HUNAN.items() if k != name}
    hunan.fill(record)
    hunan.generate()
    library = Library(tmp_path / "library")
    library.add("hunan-sme-hexin", json.dumps(record, ensure_ascii=False), stem=record["id"])
    said = [f["message"] for f in validate_json(library) if f["json_path"] in (f"$.{name}", "$")]
    assert hunan.message_of(name) in said, said


def test_a_scheme_that_allows_relaxing_its_conditions_says_the_form_checks_them_unrelaxed(site_root):
    def page(scheme_id: str) -> str:
        return (site_root / "site" / scheme_id / "apply" / "index.html").read_text(encoding="utf-8")

    assert "部分入库条件可适当放宽：本页按未放宽的条件检查" in page("hubei-sme-yanxuan")
    assert "适当放宽" not in page("hunan-sme-hexin")
