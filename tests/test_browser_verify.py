"""The /verify/ page in a real browser (chromium via Playwright): each answer loaded from the address
alone, on a desktop and on a 375 px phone; the form writing the address; names shown as text; the
script's key and shard functions equal to verify.py's; the print view.

The site is built once from a copy of the sample data plus one organisation recognised in two
schemes (one credit code, two records), served from 127.0.0.1 on a free port. Screenshots go to
tests/artifacts/verify-*.png (git-ignored).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from directory.site.verify import lookup_key, shard_of  # noqa: E402
from site_fixtures import build_sample_site, credit_code  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 20_000

# One organisation in two schemes: 湖北安防协会 (no term: valid until revoked) and 湖北严选 (suspended).
# Its name holds markup, which must show as text.
TWIN_CODE = credit_code("91420106MA4KW3R7X")
TWIN_NAME = "武汉<i>双库</i>认定测试有限公司"
TWIN_AFXH = f"""\
id: wh-twin
scheme: hubei-afxh
name: "{TWIN_NAME}"
credit_code: "{TWIN_CODE}"
nature: 有限责任公司
council_member: true
region: "420106"
address: 湖北省武汉市武昌区双库路 1 号
postal_code: "430071"
established: 2016-01-05
website: https://twin.example.cn
contact: {{phone: "027-85550000"}}
categories: [法律服务类]
recommender: 湖北省安全技术防范行业协会秘书处
facts:
  no_bad_credit_record: true
recognition:
  batch: 2025-1
  certificate_no: 鄂安防协库〔2025〕099
  status: recognized
"""
TWIN_YANXUAN = f"""\
id: wh-twin
scheme: hubei-sme-yanxuan
name: "{TWIN_NAME}"
credit_code: "{TWIN_CODE}"
nature: 有限责任公司
subject_type: 专业服务机构
region: "420106"
address: 湖北省武汉市武昌区双库路 1 号
postal_code: "430071"
established: 2016-01-05
legal_representative: 王某
website: https://twin.example.cn
contact: {{phone: "027-85550000", email: hi@twin.example.cn}}
categories: [管理咨询及财税服务类]
services:
  - {{name: 财税诊断, description: 小微企业财税健康检查。}}
profile: 一家在两个名录中认定的测试机构。
recommender: 武汉市中小企业服务中心
facts:
  registered_capital_wan: 100
  area_m2: 120
  staff_full_time: 10
  staff_qualified: 8
  smes_served_per_year: 80
  satisfaction_pct: 90
  public_benefit_pct: 12
  partner_institutions: 5
  no_bad_credit_record: true
  not_under_investigation: true
recognition:
  batch: 2025-1
  certificate_no: 鄂严选〔2025〕099
  status: suspended
  suspension: {{date: 2026-03-02, reason: 机构重组期间暂停服务, basis: 第十四条}}
"""
EXTRA = {
    "providers/hubei-afxh/wh-twin.yaml": TWIN_AFXH,
    "providers/hubei-sme-yanxuan/wh-twin.yaml": TWIN_YANXUAN,
}

DONGTING = "91430602325760147U"          # 岳阳洞庭: 湖南 2023-1, decided 2023-12-20, revoked 2026-04-16
XINGHAN = "91430408MA4L5T0BXA"           # 衡阳星瀚: 湖南 2024-1, suspended 2026-08-12
HUIRONG = "91420606316685405D"           # 襄阳汇融: 湖北严选 2023-1, valid through 2026-06-14
UNKNOWN = credit_code("91430100MA4L0Q0Q1")
MISTYPED = DONGTING[:-1] + "X"           # the check character changed

# name -> (q, date, state words of the cards in order, texts the answer holds)
CASES = {
    "before-recognition": (DONGTING, "2023-06-01", ["尚未认定"], ["截至 2023年6月1日", "岳阳洞庭数智科技有限公司"]),
    "during-validity": (DONGTING, "2025-01-01", ["有效"],
                        ["截至 2025年1月1日", "湘工信中小服务〔2023〕262号", "2023年12月20日 至 2026年12月19日"]),
    "during-suspension": (XINGHAN, "2026-09-01", ["暂停"], ["截至 2026年9月1日", "2026年8月12日", "第十四条"]),
    "after-revocation": (DONGTING, "2026-05-01", ["已撤销"],
                         ["截至 2026年5月1日", "2026年4月16日", "虚报服务合同", "第十九条（四）"]),
    "after-expiry": (HUIRONG, "2026-07-01", ["已过期"], ["截至 2026年7月1日", "2026年6月14日"]),
    "two-schemes": (TWIN_CODE, "2026-03-10", ["有效", "暂停"],
                    ["截至 2026年3月10日", "湖北省安全技术防范行业协会服务机构库", "2 条", "机构重组期间暂停服务"]),
    "expert-by-name": ("李艳秋", "2025-06-01", ["有效"], ["截至 2025年6月1日", "李艳秋", "聘任期"]),
    "no-record": (UNKNOWN, "2026-12-07", [], ["截至 2026年12月7日", "没有", "搜索页"]),
    "mistyped-code": (MISTYPED, "2026-01-05", [], ["截至 2026年1月5日", "校验位不对", "搜索页"]),
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}

ANSWER = "#dir-verify .dir-verify__answer"
AS_OF = "#dir-verify .dir-verify__asof"
STATE = "#dir-verify .dir-verify__card .dir-verify__state"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("verify-browser") / "root", EXTRA)


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.viewport_name = request.param
    yield page
    context.close()


def _address(q: str, day: str) -> str:
    return f"/verify/?q={quote(q)}&date={day}"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"verify-{page.viewport_name}-{name}.png"), full_page=True)


@pytest.mark.parametrize("name", CASES)
def test_an_answer_loaded_from_the_address_says_the_state_on_that_date(page, base_url, name):
    q, day, states, texts = CASES[name]
    page.goto(base_url + _address(q, day))
    expect(page.locator(AS_OF)).to_contain_text("截至")
    _shot(page, name)
    answer = page.locator(ANSWER).inner_text()
    assert page.locator(STATE).all_inner_texts() == states
    for text in texts:
        assert text in answer, f"{text!r} not in {answer!r}"
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[page.viewport_name]["width"]
    assert page.errors == []


def test_each_scheme_is_its_own_card_with_its_state_word_first(page, base_url):
    page.goto(base_url + _address(TWIN_CODE, "2026-03-10"))
    cards = page.locator("#dir-verify .dir-verify__card")
    expect(cards).to_have_count(2)
    for index, (state, scheme) in enumerate([("有效", "湖北省安全技术防范行业协会服务机构库"),
                                             ("暂停", "湖北省中小企业公共服务严选服务机构")]):
        first = cards.nth(index).locator(":scope > *").first
        expect(first).to_have_text(state)
        expect(cards.nth(index)).to_contain_text(scheme)


def test_a_name_with_markup_is_shown_as_text(page, base_url):
    page.goto(base_url + _address(TWIN_NAME, "2026-03-10"))
    expect(page.locator("#dir-verify .dir-verify__card")).to_have_count(2)
    names = page.locator("#dir-verify .dir-verify__name").all_inner_texts()
    assert names == [TWIN_NAME, TWIN_NAME]
    assert page.locator("#dir-verify .dir-verify__answer i").count() == 0


def _china_today() -> set[str]:
    now = datetime.now(timezone(timedelta(hours=8)))
    return {now.date().isoformat(), (now + timedelta(minutes=1)).date().isoformat()}


def test_the_date_defaults_to_today_in_china_and_submitting_writes_the_address(page, base_url):
    page.goto(base_url + "/verify/")
    date_input = page.get_by_label("核验日期")
    assert date_input.input_value() in _china_today()
    assert page.locator(ANSWER).inner_text() == ""
    page.get_by_label("统一社会信用代码或名称").fill(DONGTING)
    date_input.fill("2025-01-01")
    page.get_by_role("button", name="核验").click()
    expect(page.locator(STATE)).to_have_text(["有效"])
    address = urlsplit(page.url)
    assert address.path == "/verify/" and parse_qs(address.query) == {"q": [DONGTING], "date": ["2025-01-01"]}
    page.go_back()
    expect(page.locator(ANSWER)).to_have_text("")
    page.go_forward()
    expect(page.locator(STATE)).to_have_text(["有效"])


def test_the_print_view_keeps_the_answer_and_hides_the_form(page, base_url):
    page.goto(base_url + _address(DONGTING, "2026-05-01"))
    expect(page.locator(STATE)).to_have_text(["已撤销"])
    page.emulate_media(media="print")
    _shot(page, "print")
    expect(page.locator("#dir-verify .dir-verify__form")).to_be_hidden()
    expect(page.locator("#dir-verify .dir-verify__card")).to_be_visible()
    expect(page.locator("#dir-verify .dir-verify__address")).to_contain_text("date=2026-05-01")


KEYS = ["91430602325760147U", " ９１４３０６０２ 3257 6014 7u", "岳阳洞庭数智科技（有限）公司", "岳阳洞庭数智科技(有限)公司",
        "李艳秋", "abc·科技\u3000有限公司", TWIN_NAME, "", "𠀀字库外汉字", "Ａｂｃ－１２３"]


def test_the_pages_key_and_shard_functions_equal_verify_py(browser, base_url):
    page = browser.new_page()
    try:
        page.goto(base_url + "/verify/")
        got = page.evaluate("keys => keys.map(k => [dirVerify.lookupKey(k), dirVerify.shardOf(dirVerify.lookupKey(k), 4096)])",
                            KEYS)
    finally:
        page.close()
    assert got == [[lookup_key(k), shard_of(lookup_key(k), 4096)] for k in KEYS]
