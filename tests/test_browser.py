"""The public site in a real browser (chromium via Playwright): loading, Chinese search, filters,
badges, phone layout, user text shown as text, and a record the sample data did not contain.

The site is built once from a copy of the sample data plus extra records, served from 127.0.0.1 on a
free port. Screenshots of the pages visited go to tests/artifacts/browser-*.png (git-ignored).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from site_fixtures import build_sample_site, credit_code  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 20_000

# ---------------------------------------------------------------------------------------------------
# Extra records

XSS_NAME = "武汉<b>加粗</b>标签测试有限公司"
XSS_PROFILE = "<script>window.__pwned = 1</script> **加粗** [链接](http://evil.example)"
XSS_PROVIDER = f"""\
id: wh-xss-test
scheme: hubei-sme-yanxuan
name: "{XSS_NAME}"
credit_code: "{credit_code('91420106MA4KX8X8X')}"
nature: 有限责任公司
subject_type: 专业服务机构
region: "420106"
address: 湖北省武汉市武昌区中北路 2 号
postal_code: "430071"
established: 2019-03-01
legal_representative: 王某
website: https://xss.example.cn
contact: {{phone: "027-87654322", email: hi@xss.example.cn}}
categories: [管理咨询及财税服务类]
services:
  - {{name: "<i>斜体服务</i>", description: "<img src=x onerror=\\"window.__pwned = 2\\"> 服务说明"}}
profile: "{XSS_PROFILE}"
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
  status: recognized
"""

HELD_OUT_NAME = "秦皇岛港城智造技术服务有限公司"
HELD_OUT = f"""\
id: qhd-gangcheng
scheme: hebei-sme-youzhi
name: {HELD_OUT_NAME}
credit_code: "{credit_code('91130302MA0G7KQ5L')}"
nature: 有限责任公司
service_nature: 社会化
service_class: 数字转型类
region: "130302"
address: 河北省秦皇岛市海港区河北大街 1 号
postal_code: "066000"
established: 2016-08-08
legal_representative: 钱某
website: https://gangcheng.example.cn
contact: {{phone: "0335-3661234", email: info@gangcheng.example.cn}}
categories: [数字化赋能, 技术创新]
services:
  - {{name: 港口物流数字化, description: 为港口配套中小企业提供仓储物流系统改造。}}
profile: 港城智造服务秦皇岛港口配套和装备制造中小企业。
recommender: 秦皇岛市工业和信息化局
facts:
  total_assets_wan: 600
  area_m2: 400
  staff_full_time: 30
  staff_qualified: 27
  smes_served_per_year: 150
  public_benefit_pct: 20
  no_bad_credit_record: true
recognition:
  batch: 2025-1
  certificate_no: 冀优服〔2025〕099
  status: recognized
  grades: {{2025: A}}
reports:
  - {{period: 2025-Q4, submitted: 2025-12-05}}
  - {{period: 2026-Q1, submitted: 2026-03-10}}
  - {{period: 2026-Q2, submitted: 2026-06-10}}
  - {{period: 2026-Q3, submitted: 2026-09-10}}
"""

EXTRA = {
    "providers/hubei-sme-yanxuan/wh-xss-test.yaml": XSS_PROVIDER,
    "providers/hebei-sme-youzhi/qhd-gangcheng.yaml": HELD_OUT,
}

# ---------------------------------------------------------------------------------------------------
# Fixtures: site, server, browser, page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("browser") / "root", EXTRA)


class Visit:
    """A page plus what it logged: console errors, page errors and every request URL."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str, shot: str | None = None):
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        if shot:
            self.shot(shot)
        return response

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)

    # The search page's own UI (templates/assets/search.js on pagefind's API).
    INPUT = "#dir-search input.dir-search__input"
    MESSAGE = "#dir-search .dir-search__summary"
    RESULT = "#dir-search .dir-search__result"
    RESULT_LINK = "#dir-search a.dir-search__title"
    MORE = "#dir-search button.dir-search__more"

    def search(self, query: str) -> None:
        """Type `query` into the search box and wait for the result count."""
        box = self.page.locator(self.INPUT).first
        box.wait_for()
        box.fill(query)
        expect(self.page.locator(self.MESSAGE).first).to_have_text(re.compile(r"找到 [0-9]+ 条"))
        self.page.locator(self.RESULT).first.wait_for()

    def result_count(self) -> int:
        text = self.page.locator(self.MESSAGE).first.inner_text()
        return int(re.search(r"找到 ([0-9]+) 条", text).group(1))

    def choose_filter(self, name: str, value: str) -> None:
        """Open 筛选 (the filter lists load when opened) and choose `value` of the filter `name`."""
        self.page.locator("#dir-search details.dir-search__filter-toggle > summary").click()
        select = self.page.locator(f'#dir-search select[data-filter="{name}"]')
        select.wait_for()
        select.select_option(value)

    def all_result_links(self) -> list[str]:
        """Every result's link (absolute), after pressing 加载更多 until all are shown."""
        more = self.page.locator(self.MORE).first
        while more.count() and more.is_visible():
            shown = self.page.locator(self.RESULT_LINK).count()
            more.click()
            expect(self.page.locator(self.RESULT_LINK)).not_to_have_count(shown)
        return self.page.locator(self.RESULT_LINK).evaluate_all("links => links.map(a => a.href)")


def _visit(browser, base_url, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    return context, Visit(page, base_url)


@pytest.fixture
def visit(browser, base_url):
    context, visit = _visit(browser, base_url, 1280)
    yield visit
    context.close()


@pytest.fixture
def phone(browser, base_url):
    context, visit = _visit(browser, base_url, 375)
    yield visit
    context.close()


def _foreign(visit: Visit) -> list[str]:
    local = urlsplit(visit.base_url).netloc
    return [url for url in visit.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != local]


# ---------------------------------------------------------------------------------------------------
# Tests


def test_the_home_page_loads_without_console_or_page_errors(visit):
    visit.open("/", shot="home")
    visit.page.wait_for_load_state("networkidle")
    expect(visit.page.locator("h1").first).to_be_visible()
    assert visit.console_errors == [] and visit.page_errors == []


def test_the_home_page_requests_nothing_from_any_other_host(visit):
    visit.open("/")
    visit.page.wait_for_load_state("networkidle")
    visit.shot("home-requests")
    assert visit.requests, "no request was recorded"
    assert _foreign(visit) == []


def test_a_search_requests_nothing_from_any_other_host_and_logs_no_error(visit):
    visit.open("/search/")
    visit.search("数字化")
    visit.page.wait_for_load_state("networkidle")
    visit.shot("search-requests")
    assert _foreign(visit) == []
    assert visit.console_errors == [] and visit.page_errors == []


def test_a_chinese_query_finds_the_provider_and_links_to_its_page(visit):
    visit.open("/search/")
    visit.search("长沙智远")
    first = visit.page.locator(Visit.RESULT_LINK).first
    expect(first).to_contain_text("长沙智远企业管理咨询有限公司")
    visit.shot("search-changsha-zhiyuan")
    assert first.get_attribute("href").rstrip("/").endswith("/hunan-sme-hexin/cs-zhiyuan")
    first.click()
    expect(visit.page.locator("article h1")).to_have_text("长沙智远企业管理咨询有限公司")
    assert visit.page.url == visit.base_url + "/hunan-sme-hexin/cs-zhiyuan/"


def test_a_filter_narrows_the_results_to_the_chosen_value(visit):
    visit.open("/search/")
    visit.search("数字化")
    before = visit.result_count()
    links_before = visit.all_result_links()
    assert len(links_before) == before
    assert any("/hunan-sme-hexin/" not in link for link in links_before), "the query should span schemes"
    visit.choose_filter("名录", "湖南核心服务机构")
    message = visit.page.locator(Visit.MESSAGE).first
    expect(message).not_to_have_text(re.compile(rf"找到 {before} 条"))
    expect(message).to_have_text(re.compile(r"找到 [0-9]+ 条"))
    after = visit.result_count()
    links = visit.all_result_links()
    visit.shot("search-filter-hunan")
    assert 0 < after < before
    assert len(links) == after
    # a provider/expert page or a 公示 notice of that scheme
    assert all(re.search(r"/(hunan-sme-hexin/|notices/hunan-sme-hexin--)", link) for link in links), links


def test_a_revoked_provider_page_shows_the_revoked_badge(visit):
    visit.open("/hunan-sme-hexin/yy-dongting/", shot="revoked-yy-dongting")
    expect(visit.page.locator("article .dir-badge").first).to_have_text("已撤销")
    expect(visit.page.locator("article .dir-alert")).to_contain_text("撤销")


# A sample of each kind of page; sample titles long enough to fill a phone's header are included
# (湖北安防's scheme page, a 公示 notice, a region list, a provider with a 16-character name).
PHONE_PAGES = {
    "home": "/",
    "scheme": "/hunan-sme-hexin/",
    "scheme-long-title": "/hubei-afxh/",
    "provider": "/hunan-sme-hexin/cs-zhiyuan/",
    "provider-long-name": "/hunan-sme-hexin/xt-xiangrong/",
    "region-list": "/hunan-sme-hexin/regions/430102/",
    "notices": "/notices/",
    "notice": "/notices/hubei-sme-yanxuan--2026-1/",
    "revocations": "/notices/revocations/",
    "data": "/data/",
    "search-results": "/search/?q=数字化",
}


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_a_page_has_no_sideways_scrolling_on_a_375px_phone(phone, name):
    phone.open(PHONE_PAGES[name])
    if name == "search-results":
        phone.page.locator(Visit.RESULT).first.wait_for()
    phone.page.wait_for_load_state("networkidle")
    phone.shot(f"phone-{name}")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{PHONE_PAGES[name]} is {width}px wide on a 375px screen: {_widest(phone.page)}"


def test_no_page_of_the_site_scrolls_sideways_on_a_375px_phone(phone, site):
    paths = sorted("/" + path.parent.relative_to(site).as_posix() + "/" for path in site.rglob("index.html"))
    paths = [path.replace("/./", "/") for path in paths]
    too_wide = {}
    for path in paths:
        phone.open(path)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[path] = width
            if len(too_wide) == 1:
                culprits = _widest(phone.page)
                phone.shot("phone-too-wide-" + (path.strip("/").replace("/", "_") or "home"))
    assert len(paths) > 100
    assert not too_wide, (f"{len(too_wide)} of {len(paths)} pages are wider than 375px "
                          f"(first: {culprits}): {too_wide}")


def _widest(page) -> list[str]:
    """The elements that stick out past the right edge (for the failure message)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                          + ' right=' + Math.round(e.getBoundingClientRect().right))""")


def test_user_text_on_a_provider_page_is_shown_as_text_and_never_run(visit):
    visit.open("/hubei-sme-yanxuan/wh-xss-test/", shot="user-text-provider")
    page = visit.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    profile = page.locator(".dir-profile").inner_text()
    assert "<script>window.__pwned = 1</script>" in profile and "**加粗**" in profile
    assert "[链接](http://evil.example)" in profile
    assert page.locator('a[href^="http://evil.example"]').count() == 0
    assert page.locator("img[src='x']").count() == 0
    expect(page.locator("article h1")).to_have_text(XSS_NAME)
    assert page.locator("article b, article i, h1 b").count() == 0
    assert "<i>斜体服务</i>" in page.locator(".dir-services").inner_text()


def test_a_provider_name_with_markup_is_text_in_the_scheme_list(visit):
    visit.open("/hubei-sme-yanxuan/", shot="user-text-scheme-list")
    link = visit.page.locator("a.dir-card__name", has_text="标签测试有限公司")
    expect(link).to_have_text(XSS_NAME)
    assert link.locator("b").count() == 0


def test_user_text_is_shown_as_text_in_the_search_results(visit):
    visit.open("/search/")
    visit.search("加粗")
    result = visit.page.locator(Visit.RESULT, has_text="标签测试有限公司").first
    expect(result).to_be_visible()
    visit.page.wait_for_load_state("networkidle")
    visit.shot("user-text-search")
    assert visit.page.evaluate("typeof window.__pwned") == "undefined"
    assert result.locator("b, i, img, script, a[href^='http://evil.example']").count() == 0
    expect(result.locator("a.dir-search__title")).to_have_text(XSS_NAME)


def test_a_record_not_in_the_sample_data_gets_its_own_page(visit):
    visit.open("/hebei-sme-youzhi/qhd-gangcheng/", shot="held-out-page")
    expect(visit.page.locator("article h1")).to_have_text(HELD_OUT_NAME)


def test_a_record_not_in_the_sample_data_is_found_by_a_chinese_query(visit):
    visit.open("/search/")
    visit.search("港城智造")
    links = visit.all_result_links()
    visit.shot("held-out-search")
    assert visit.base_url + "/hebei-sme-youzhi/qhd-gangcheng/" in links
