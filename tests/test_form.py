"""The application forms (/<scheme>/apply/, /jilin-city-sme/experts/apply/) in a real browser.

The site is built once from a copy of the sample data (with directory.form.render_apply_pages
patched into the build when build.py does not call it yet), served from 127.0.0.1; chromium fills
the forms. A bad field must be flagged (aria-invalid + a Chinese message beside it) with no YAML
written; a good record's YAML, saved into a library copy, must pass `directory validate` as is.
Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from conftest import FIXTURES, TODAY, Library  # noqa: E402
from directory.rules.codes import credit_code_check_character  # noqa: E402
from directory.loading.yamlfile import load_bytes  # noqa: E402
from directory.library.repository import load_repository  # noqa: E402
from directory.rules.schemas import build_schemas  # noqa: E402
from directory.rules.conditions import compile_conditions  # noqa: E402
from directory.site.form import build_form  # noqa: E402
from site_fixtures import REPO, build_sample_site, credit_code, serving  # noqa: E402
from test_output_safety import EMAILS  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 20_000
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# A hunan-sme-hexin application that meets every rule (tests/fixtures/records/hunan-sme-hexin.yaml
# without recognition and reports, which staff add later), with text that YAML could misread.
PROFILE = "长沙智远成立于 2018 年: 专注中小企业数字化转型咨询。\n第二段 #1 \"引号\" 'yes' \\ 反斜杠"
HUNAN = {
    "id": "cs-form-test",
    "scheme": "hunan-sme-hexin",
    "name": "长沙智远表单测试有限公司",
    "credit_code": credit_code("91430102MA4L2X1Q5"),
    "nature": "私人企业",
    "region": "430102",
    "address": "湖南省长沙市芙蓉区五一大道 99 号",
    "postal_code": "410011",
    "established": "2018-05-10",
    "legal_representative": "张某",
    "website": "https://zhiyuan.example.cn",
    "contact": {"phone": "0731-88886666", "email": "service@zhiyuan.example.cn"},
    "categories": ["数字化转型"],
    "services": [{"name": "数字化诊断", "description": "数字化转型现状诊断与路线图。"},
                 {"name": "yes"}],
    "profile": PROFILE,
    "recommender": "长沙市工业和信息化局",
    "facts": {"registered_capital_wan": 500, "total_assets_wan": 800, "service_assets_wan": 200.5,
              "area_m2": 300, "staff_full_time": 20, "staff_qualified": 15, "staff_social_insured": 12,
              "smes_served_per_year": 120, "satisfaction_pct": 92, "public_benefit_pct": 15,
              "partner_institutions": 4, "no_bad_credit_record": True,
              "not_affiliate_of_core_institution": True, "registered_on_platform": True},
    "private": {"contact_person": "李某", "mobile": "13800000000"},
}

EXPERT = {
    "id": "zhang-form-test",
    "scheme": "jilin-city-sme",
    "name": "张表单",
    "title": "高级会计师",
    "employer": "北华大学",
    "education": "硕士研究生",
    "years_of_service": 12,
    "expertise": ["投资融资", "财会税务"],
    "region": "220204",
    "profile": "长期为中小企业提供财税辅导。",
    "recommender": "船营区中小企业服务中心",
    "term": {"start": "2025-09-01"},
    "private": {"mobile": "13900000000", "email": "zhang@example.cn"},
}

# ---------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    """The built site's root folder (its site/ and, for the schema check, its schemes/)."""
    root = tmp_path_factory.mktemp("form") / "root"
    build_sample_site(root)
    return root


@pytest.fixture(scope="module")
def base_url(site_root):
    with serving(site_root / "site") as url:
        yield url


class FormPage:
    """One open form, with every request and script error it caused."""

    def __init__(self, browser, base_url: str, path: str, **context):
        self.context = browser.new_context(locale="zh-CN", accept_downloads=True, **context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        response = self.page.goto(base_url + path, wait_until="load")
        assert response is not None and response.status == 200, path
        self.page.wait_for_selector("#apply-form[data-ready='true']", state="attached")

    def fill(self, record: dict, prefix: str = "") -> None:
        for key, value in record.items():
            name = f"{prefix}{key}"
            if key == "scheme" and not prefix:
                continue
            if isinstance(value, dict):
                self.fill(value, name + ".")
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    if index:
                        self.page.click(f"[data-add-row='{name}']")
                    self.fill(item, f"{name}.{index}.")
            elif isinstance(value, list):
                for item in value:
                    self.page.check(f"input[type=checkbox][name='{name}'][value='{item}']")
            else:
                control = self.page.locator(f"[name='{name}']")
                if control.evaluate("e => e.tagName") == "SELECT":
                    text = {True: "true", False: "false"}.get(value, str(value)) if isinstance(value, bool) else str(value)
                    control.select_option(text)
                else:
                    control.fill(str(value))

    def generate(self) -> None:
        self.page.click("#apply-generate")

    def output(self) -> str:
        return self.page.locator("#apply-output").text_content() or ""

    def message_of(self, name: str) -> str:
        return self.page.locator(f"[name='{name}']").first.evaluate(
            "e => e.closest('[data-field]').querySelector('.dir-apply__error').textContent")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def foreign_requests(self) -> list[str]:
        local = urlsplit(self.page.url).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("blob", "data") and urlsplit(url).netloc != local]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def hunan(browser, base_url):
    form = FormPage(browser, base_url, "/hunan-sme-hexin/apply/")
    yield form
    form.close()


def validate(tmp_path: Path, relative: str, text: str) -> subprocess.CompletedProcess:
    library = Library(tmp_path / "library")
    library.write(relative, text)
    return subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate",
                           "--today", TODAY.isoformat()], capture_output=True, text=True, cwd=library.root)


def visible_text(html: str) -> str:
    """What a reader of the page sees (and a screen reader hears): text and labels, no markup."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', body))
    return re.sub(r"(?s)<[^>]*>", " ", body) + " " + labels


def unordered(record: dict) -> dict:
    return {key: sorted(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value
            for key, value in record.items()}


# ---------------------------------------------------------------------------------------------------
# The pages


def test_every_scheme_and_kind_has_a_form_with_the_schema_validate_uses(site_root):
    schemes = load_repository(REPO).schemes
    schemas, _ = build_schemas(REPO, schemes)
    for (scheme_id, kind), validator in schemas.validators.items():
        folder = site_root / "site" / scheme_id / ("experts/apply" if kind == "expert" else "apply")
        assert (folder / "index.html").exists(), folder
        assert json.loads((folder / "schema.json").read_text(encoding="utf-8")) == validator.schema
        scheme, today = schemes[scheme_id], TODAY
        assert json.loads((folder / "conditions.json").read_text(encoding="utf-8")) == \
            compile_conditions(scheme, kind, today, validator)
        assert (folder / "application.docx").read_bytes()[:2] == b"PK"
        text = visible_text((folder / "index.html").read_text(encoding="utf-8"))
        # applicants are not staff: no word of the files' format or of the repository's workflow
        assert not re.search(r"yaml|pull request|\bPR\b|git", text, re.IGNORECASE), folder
        assert "申请数据（记录文件）" in text and "申请表（Word" in text
    page = (site_root / "site" / "hunan-sme-hexin" / "apply" / "index.html").read_text(encoding="utf-8")
    for name in ("id", "credit_code", "facts.area_m2", "contact.phone", "categories", "services.0.name",
                 "private.mobile"):
        assert f'name="{name}"' in page, name
    for absent in ("recognition", "reports", "waivers"):
        assert f'name="{absent}' not in page


SHIPPED_SCHEMES = load_repository(REPO).schemes
SHIPPED_SCHEMAS, _ = build_schemas(REPO, SHIPPED_SCHEMES)


def controls(scheme_id: str, kind: str) -> dict:
    """The form's controls of one scheme and kind, by input name."""
    form = build_form(SHIPPED_SCHEMES[scheme_id], kind, SHIPPED_SCHEMAS.validators[(scheme_id, kind)].schema)
    return {field.name: field for item in form.items for field in getattr(item, "fields", (item,))}


@pytest.mark.parametrize("scheme_id, kind, name, control, json_type, required", [
    ("hunan-sme-hexin", "provider", "scheme", "hidden", "string", False),
    ("hunan-sme-hexin", "provider", "id", "text", "string", True),
    ("hunan-sme-hexin", "provider", "nature", "select", "string", False),          # an enum without "type"
    ("hunan-sme-hexin", "provider", "region", "region", "string", True),
    ("hunan-sme-hexin", "provider", "established", "date", "string", True),        # years-operating needs it
    ("hunan-sme-hexin", "provider", "website", "url", "string", False),
    ("hunan-sme-hexin", "provider", "contact.phone", "tel", "string", False),
    ("hunan-sme-hexin", "provider", "contact.email", "email", "string", False),
    ("hunan-sme-hexin", "provider", "categories", "checkboxes", "array", True),     # category-count: at least 1
    ("hunan-sme-hexin", "provider", "services.0.name", "text", "string", True),   # required in each row
    ("hunan-sme-hexin", "provider", "services.0.description", "textarea", "string", False),
    ("hunan-sme-hexin", "provider", "profile", "textarea", "string", False),
    ("hunan-sme-hexin", "provider", "facts.area_m2", "number", "number", True),    # premises-area needs it
    ("hunan-sme-hexin", "provider", "facts.total_assets_wan", "number", "number", False),   # no condition on it
    ("hunan-sme-hexin", "provider", "facts.staff_full_time", "number", "integer", True),
    ("hunan-sme-hexin", "provider", "facts.no_bad_credit_record", "boolean", "boolean", True),
    ("hunan-sme-hexin", "provider", "private.mobile", "tel", "string", False),     # offered: private is a free mapping
    ("hubei-afxh", "provider", "council_member", "boolean", "boolean", True),       # council-member: attested
    ("hubei-sme-yanxuan", "provider", "subject_type", "select", "string", True),
    ("jilin-city-sme", "expert", "years_of_service", "number", "integer", True),
    ("jilin-city-sme", "expert", "term.start", "date", "string", True),           # term is required
    ("jilin-city-sme", "expert", "private.email", "email", "string", False),
])
def test_each_field_gets_the_control_its_schema_asks_for(scheme_id, kind, name, control, json_type, required):
    field = controls(scheme_id, kind)[name]
    assert (field.control, field.json_type, field.required) == (control, json_type, required)


@pytest.mark.parametrize("scheme_id, kind, name", [
    ("hunan-sme-hexin", "provider", "recognition.status"), ("hunan-sme-hexin", "provider", "reports.0.period"),
    ("hunan-sme-hexin", "provider", "waivers.0.reason"), ("hunan-sme-hexin", "provider", "complaints.0.date"),
    ("jilin-city-sme", "expert", "term.end"), ("jilin-city-sme", "expert", "service_log.0.hours"),
])
def test_fields_staff_fill_in_later_or_derived_are_not_in_the_form(scheme_id, kind, name):
    assert name not in controls(scheme_id, kind)


def test_the_term_start_says_the_end_is_derived():
    assert "聘任截止日期按办法由起始日期推算，不必填写" in controls("jilin-city-sme", "expert")["term.start"].notes


def test_a_form_lives_in_the_folder_and_under_the_label_scheme_yaml_gives_the_kind():
    scheme = SHIPPED_SCHEMES["jilin-city-sme"]
    rules = replace(scheme.rules("expert"), folder="zhuanjia", label="志愿服务专家")
    renamed = replace(scheme, kind_rules={**scheme.kind_rules, "expert": rules})
    form = build_form(renamed, "expert", SHIPPED_SCHEMAS.validators[("jilin-city-sme", "expert")].schema)
    assert (form.url, form.record_folder) == ("jilin-city-sme/zhuanjia/apply/", "providers/jilin-city-sme/zhuanjia/")
    assert form.heading == f"{scheme.short_title} · 志愿服务专家申请表"


def test_a_bad_field_is_flagged_in_chinese_and_no_yaml_is_written(hunan):
    hunan.fill(HUNAN)
    wrong = HUNAN["credit_code"][:17] + ("0" if HUNAN["credit_code"][17] != "0" else "1")
    hunan.page.fill("[name='credit_code']", wrong)
    hunan.page.fill("[name='postal_code']", "41001")
    hunan.page.fill("[name='facts.staff_full_time']", "20.5")
    hunan.generate()

    for name, expected in (("credit_code", "校验位不对"), ("postal_code", "邮政编码"),
                           ("facts.staff_full_time", "整数")):
        control = hunan.page.locator(f"[name='{name}']")
        expect(control).to_have_attribute("aria-invalid", "true")
        message = hunan.message_of(name)
        assert expected in message and CHINESE.search(message), (name, message)
        error_id = control.evaluate("e => e.closest('[data-field]').querySelector('.dir-apply__error').id")
        assert error_id in control.get_attribute("aria-describedby").split()
    assert hunan.page.locator("[aria-invalid='true']").count() == 3       # the good fields are not flagged
    assert hunan.output() == ""
    expect(hunan.page.locator("#apply-output")).to_be_hidden()
    expect(hunan.page.locator("#apply-download")).to_be_hidden()
    assert hunan.page.evaluate("document.activeElement.name") == "credit_code"   # the first bad field
    expect(hunan.page.locator("#apply-summary")).to_contain_text("3 处需要修改")
    hunan.shot("apply-invalid")

    # fixing a field clears its mark; the record then generates
    hunan.page.fill("[name='credit_code']", HUNAN["credit_code"])
    expect(hunan.page.locator("[name='credit_code']")).not_to_have_attribute("aria-invalid", "true")
    assert hunan.errors == []


def test_a_missing_required_field_marks_that_field(hunan):
    hunan.fill({k: v for k, v in HUNAN.items() if k not in ("name", "region")})
    hunan.page.fill("[name='services.0.name']", "")       # a description without its name
    hunan.generate()
    for name in ("name", "region", "services.0.name"):
        expect(hunan.page.locator(f"[name='{name}']")).to_have_attribute("aria-invalid", "true")
        assert "缺少必填项" in hunan.message_of(name)
    assert hunan.output() == ""

    # an empty row is left out; the error of the next row still lands on that row's field
    hunan.page.fill("[name='services.0.description']", "")
    hunan.page.fill("[name='services.1.name']", "")
    hunan.page.fill("[name='services.1.description']", "第二项只有说明")
    hunan.generate()
    expect(hunan.page.locator("[name='services.1.name']")).to_have_attribute("aria-invalid", "true")
    expect(hunan.page.locator("[name='services.0.name']")).not_to_have_attribute("aria-invalid", "true")


def test_a_good_record_gives_yaml_that_passes_directory_validate(hunan, tmp_path):
    hunan.fill(HUNAN)
    hunan.generate()
    expect(hunan.page.locator("#apply-download")).to_be_visible()
    text = hunan.output()
    hunan.shot("apply-yaml")
    assert hunan.page.locator("[aria-invalid='true']").count() == 0

    # read back exactly as written, keys in schema order
    document, problems = load_bytes(text.encode("utf-8"), "form.yaml")
    assert problems == [] and document.data == HUNAN
    assert list(document.data) == list(HUNAN)
    assert f'credit_code: "{HUNAN["credit_code"]}"' in text and 'postal_code: "410011"' in text

    result = validate(tmp_path, f"providers/hunan-sme-hexin/{HUNAN['id']}.yaml", text)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr

    # 下载: <id>.yaml with the same text; 复制: the same text on the clipboard
    with hunan.page.expect_download() as download:
        hunan.page.click("#apply-download")
    assert download.value.suggested_filename == f"{HUNAN['id']}.yaml"
    assert Path(download.value.path()).read_text(encoding="utf-8") == text
    hunan.context.grant_permissions(["clipboard-read", "clipboard-write"])
    hunan.page.click("#apply-copy")
    expect(hunan.page.locator("#apply-status")).to_contain_text("已复制")
    assert hunan.page.evaluate("navigator.clipboard.readText()") == text

    # editing the form withdraws the YAML until it is generated again
    hunan.page.fill("[name='address']", "湖南省长沙市芙蓉区五一大道 100 号")
    assert hunan.output() == ""
    assert hunan.foreign_requests() == [] and hunan.errors == []


def test_the_expert_form_of_jilin(browser, base_url, tmp_path):
    form = FormPage(browser, base_url, "/jilin-city-sme/experts/apply/")
    try:
        assert form.page.locator("[name='term.end']").count() == 0     # derived from term.start
        form.fill({k: v for k, v in EXPERT.items() if k != "term"})
        form.generate()
        expect(form.page.locator("[name='term.start']")).to_have_attribute("aria-invalid", "true")
        # validate's own words for the missing object, marked on its first field
        assert form.message_of("term.start") == "缺少必填项「聘任期限」（term）"
        without_term = json.dumps({k: v for k, v in EXPERT.items() if k != "term"}, ensure_ascii=False)
        said = validate(tmp_path / "without-term", f"providers/jilin-city-sme/experts/{EXPERT['id']}.yaml",
                        without_term).stdout
        assert "缺少必填项「聘任期限」（term）" in said, said
        form.fill({"term": EXPERT["term"]})
        form.generate()
        text = form.output()
        document, _ = load_bytes(text.encode("utf-8"), "expert.yaml")
        assert document.data == EXPERT
        result = validate(tmp_path, f"providers/jilin-city-sme/experts/{EXPERT['id']}.yaml", text)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr
        assert form.foreign_requests() == [] and form.errors == []
    finally:
        form.close()


def test_every_form_writes_its_schemes_sample_record(browser, base_url, tmp_path):
    """Each scheme's sample record (tests/fixtures/records/), less what staff add later, typed into
    its form, comes back unchanged and passes `directory validate` in one library."""
    library = Library(tmp_path / "library")
    for path in sorted((FIXTURES / "records").glob("*.yaml")):
        document, _ = load_bytes(path.read_bytes(), path.name)
        record = {k: v for k, v in document.data.items()
                  if k not in ("recognition", "reports", "waivers", "service_log")}
        kind = "expert" if path.stem.endswith("--expert") else "provider"
        form = FormPage(browser, base_url, f"/{record['scheme']}/" + ("experts/" if kind == "expert" else "") + "apply/")
        try:
            form.fill(record)
            form.generate()
            text = form.output()
            assert text, (path.name, form.page.locator("#apply-summary").text_content())
            # checkbox lists come out in the order of the schema's enum, not the order ticked
            assert unordered(load_bytes(text.encode("utf-8"), "x.yaml")[0].data) == unordered(record), path.name
            assert form.foreign_requests() == [] and form.errors == []
        finally:
            form.close()
        library.add(record["scheme"], text, kind=kind, stem=record["id"])
    result = subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate",
                             "--today", TODAY.isoformat()], capture_output=True, text=True, cwd=library.root)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr


def test_typed_markup_stays_text(hunan):
    markup = '<img src=x onerror="window.__pwned=1">'
    hunan.fill({**HUNAN, "name": "长沙" + markup, "postal_code": "<b>4</b>"})
    hunan.generate()
    assert markup in hunan.message_of("postal_code") or "<b>4</b>" in hunan.message_of("postal_code")
    hunan.page.fill("[name='postal_code']", "410011")
    hunan.generate()
    document, _ = load_bytes(hunan.output().encode("utf-8"), "x.yaml")
    assert document.data["name"] == "长沙" + markup
    assert hunan.page.evaluate("window.__pwned") is None
    assert hunan.page.locator("#apply-output img, .dir-apply__error b").count() == 0


def test_yaml_emitter_and_credit_code_port_agree_with_python(hunan):
    tricky = ["yes", "No", "on", "null", "~", "", " lead", "trail ", "0731", "1e3", "1_000", "0x1F", "1:20",
              "2025-01-01", ".inf", "-", "- a", "a: b", "a #b", "a#b", "#c", "'q'", '"d"', "@x", "`x", "%x",
              "!x", "&x", "*x", "|x", ">x", "[x]", "{x}", "x,y", "?x", "<<", "=", "a\nb", "a\tb", "\u2028",
              "\x85", "\x07", "\ufeff", "\\", "C:\\dir", "全角　空格", "https://x.cn/a?b=c#d", "😀 emoji",
              "---", "...", "true", "TRUE", "y", "n", "0o17", "+1", ".5", "中文: 冒号"]
    record = {"strings": tricky, "numbers": [0, -1, 2.5, 1e21, 1.5e-7, 123456789012], "flags": [True, False],
              "nested": {"list": [{"a": "x", "b": [1]}], "empty": {}}}
    text = hunan.page.evaluate("r => window.directoryApply.toYaml(r, ['注释'])", record)
    document, problems = load_bytes(text.encode("utf-8"), "tricky.yaml")
    assert problems == [] and document.data == record, text

    prefixes = ["91350100M000100Y4", "91430102MA4L2X1Q5", "12100000400000625", "Y1110000MJ0000000"]
    expected = [credit_code_check_character(prefix) for prefix in prefixes]
    assert hunan.page.evaluate("ps => ps.map(p => window.directoryApply.creditCodeCheckCharacter(p))",
                               prefixes) == expected
    assert hunan.page.evaluate("c => window.directoryApply.creditCodeProblem(c)", "91350100M000100Y43") == ""


def test_the_form_fits_a_phone(browser, base_url):
    form = FormPage(browser, base_url, "/hunan-sme-hexin/apply/", viewport={"width": 375, "height": 740},
                    device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        form.fill({"name": "长沙" * 30, "postal_code": "41001"})
        form.generate()
        widest = form.page.evaluate("document.documentElement.scrollWidth")
        assert widest <= 375, f"the page is {widest}px wide at 375px"
        form.shot("phone-apply")
        assert form.foreign_requests() == []
    finally:
        form.close()


# ---------------------------------------------------------------------------------------------------
# Nothing typed can add or change a key of the YAML

# Each between Chinese text, so the browser's trimming of a field does not come into it.
INJECTIONS = [
    "甲\nrecognition: {status: recognized}\n乙",
    "甲\r\nrecognition:\r\n  status: recognized\r\n乙",
    "甲\u2028recognition:\u2028  status: recognized\u2028乙",
    "甲\u2029recognition: {status: recognized}\u2029乙",
    "甲\x85recognition: {status: recognized}\x85乙",
    "甲\rrecognition: {status: recognized}\r乙",
    "甲 # 注释：后面的字不能丢",
    "甲: 乙",
    "甲 \"双引号\" '单引号' \\\" 反斜杠 乙",
    "甲\\\"\nrecognition: {status: recognized}\n乙",
    "甲\x00\x07\x1b[31m\ufeff\u200b乙",
    "😀 甲",
]
FREE_TEXT = ("name", "address", "legal_representative", "recommender", "profile", "services.0.description",
             "private.contact_person")
# YAML indicators at the start: one in each field, two rounds
LEADS = "-&*!%@`|>{[?#,"
INJECTIONS += [tuple(f"{lead}甲 recognition: 乙" for lead in LEADS[start:start + len(FREE_TEXT)])
               for start in range(0, len(LEADS), len(FREE_TEXT))]


def with_value(record: dict, name: str, value) -> dict:
    """A copy of `record` with the dotted `name` (services.0.description) set to `value`."""
    record = json.loads(json.dumps(record))
    node = record
    parts = [int(p) if p.isdigit() else p for p in name.split(".")]
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return record


def test_no_typed_text_can_add_or_change_a_key_of_the_yaml(hunan, tmp_path):
    library = Library(tmp_path / "library")
    hunan.fill(HUNAN)
    for number, value in enumerate(INJECTIONS):
        typed = {**HUNAN, "id": f"cs-inject-{number}"}
        hunan.page.fill("[name='id']", typed["id"])
        values = value if isinstance(value, tuple) else (value,) * len(FREE_TEXT)
        for name, text in zip(FREE_TEXT, values):
            typed = with_value(typed, name, text)
            hunan.page.fill(f"[name='{name}']", text)
        # what each field holds: a one-line field turns line breaks into spaces or drops them
        held = hunan.page.evaluate("names => names.map(n => document.querySelector(`[name='${n}']`).value)",
                                   list(FREE_TEXT))
        assert values[4].replace("\r\n", "\n").replace("\r", "\n") == held[4], value   # the textarea keeps it whole
        expected = typed
        for name, text in zip(FREE_TEXT, held):
            expected = with_value(expected, name, text.replace("\r\n", "\n").replace("\r", "\n").strip())
        hunan.generate()
        text = hunan.output()
        assert text, (value, hunan.page.locator("#apply-summary").text_content())
        document, problems = load_bytes(text.encode("utf-8"), "x.yaml")
        assert problems == [] and document.data == expected, (value, text)
        assert list(document.data) == list(HUNAN) and "recognition" not in document.data, value
        library.add(HUNAN["scheme"], text, stem=typed["id"])
    assert hunan.errors == []
    result = subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate",
                             "--format", "json", "--today", TODAY.isoformat()], capture_output=True, text=True)
    # the files hold exactly what was typed: validate names the control and invisible characters
    # typed (text-* rules), and nothing else — no unknown key, no changed status
    assert result.returncode in (0, 1), result.stderr
    assert {f["rule"] for f in json.loads(result.stdout or "[]") if not f["rule"].startswith("text-")} == set(), \
        result.stdout
    repository = load_repository(library.root)
    assert sorted(record.data["id"] for record in repository.records) == sorted(
        f"cs-inject-{number}" for number in range(len(INJECTIONS)))
    assert all("recognition" not in record.data for record in repository.records)


def test_the_yaml_writer_quotes_every_string_and_escapes_every_invisible_character(hunan):
    record = {key: value for key, value in zip(("a", "b", "c", "d", "e"),
                                               ("x\u2028y", "x\u2029y", "x\x85y", "x\ufeffy", "\ud800"))}
    text = hunan.page.evaluate("r => window.directoryApply.toYaml(r)", record)
    assert text == 'a: "x\\u2028y"\nb: "x\\u2029y"\nc: "x\\u0085y"\nd: "x\\uFEFFy"\ne: "\\uFFFD"\n'
    assert hunan.page.evaluate("r => window.directoryApply.toYaml(r)", {"name": "长沙智远", "count": 3}) == \
        'name: "长沙智远"\ncount: 3\n'


# ---------------------------------------------------------------------------------------------------
# E-mail: the pattern of schemes/_common/defs.schema.json, in validate and in the form (the table
# is in test_output_safety.py, which checks it with validate alone too)


def test_the_form_checks_an_email_address_as_validate_does(hunan, tmp_path):
    hunan.fill(HUNAN)
    library = Library(tmp_path / "library")
    for number, (address, valid) in enumerate(EMAILS):
        record = with_value({**HUNAN, "id": f"cs-mail-{number}"}, "contact.email", address)
        library.add(HUNAN["scheme"], json.dumps(record, ensure_ascii=False), stem=record["id"])
        hunan.page.fill("[name='contact.email']", address)
        hunan.generate()
        control = hunan.page.locator("[name='contact.email']")
        if valid:
            assert load_bytes(hunan.output().encode("utf-8"), "x.yaml")[0].data["contact"]["email"] == address
            assert control.get_attribute("aria-invalid") != "true", address
        else:
            expect(control).to_have_attribute("aria-invalid", "true")
            message = hunan.message_of("contact.email")
            assert message.startswith(f"「电子信箱」格式不对：「{address}」，应为「用户名@域名」形式的地址"), address
            assert hunan.output() == ""
    result = subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate",
                             "--format", "json", "--today", TODAY.isoformat()], capture_output=True, text=True)
    findings = json.loads(result.stdout)
    refused = sorted(int(Path(finding["path"]).stem.rsplit("-", 1)[1]) for finding in findings)
    assert refused == [number for number, (_, valid) in enumerate(EMAILS) if not valid]
    assert {(finding["rule"], finding["json_path"]) for finding in findings} == {("email", "$.contact.email")}
