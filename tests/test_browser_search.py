"""Search in a real browser (chromium): every published provider and expert is found by what a
visitor types — full name, credit code, certificate number, short name, a place — and the result
list is ordered as a visitor expects (the exact page first, valid before the rest, notices last).

The site is the sample data plus records that make it harder: a second 长沙智远 company in 浏阳市
(a county-level city of 长沙: a search for 长沙 must list it), with a name close to the first one.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from site_fixtures import REPO, build_sample_site, chromium_browser, credit_code, serving  # noqa: E402
from directory.site.search import Settings, fnv1a, normalise, short_name  # noqa: E402

TWIN_NAME = "长沙智远数字科技有限公司"
TWIN = (REPO / "providers" / "hunan-sme-hexin" / "cs-zhiyuan.yaml").read_text(encoding="utf-8") \
    .replace("id: cs-zhiyuan", "id: ly-zhiyuan-shuzi") \
    .replace("name: 长沙智远企业管理咨询有限公司", f"name: {TWIN_NAME}") \
    .replace('credit_code: "91430102MA4L2X1Q5B"', f'credit_code: "{credit_code("91430181MA4PQ7R2X")}"') \
    .replace('region: "430102"', 'region: "430181"') \
    .replace("certificate_no: 湘核心〔2025〕001", "certificate_no: 湘核心〔2025〕031")
EXTRA = {"providers/hunan-sme-hexin/ly-zhiyuan-shuzi.yaml": TWIN}
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("search-site"), EXTRA)


@pytest.fixture(scope="module")
def published(site) -> list[dict]:
    data = site / "data"
    return [*json.loads((data / "providers.json").read_text(encoding="utf-8"))["records"],
            *({**r, "kind": "expert"} for r in json.loads((data / "experts.json").read_text(encoding="utf-8"))["records"])]


@pytest.fixture(scope="module")
def page(site):
    with serving(site) as base_url, chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        tab.base_url = base_url
        yield tab
        context.close()


def search(page, query: str, width: int = 1280) -> list[str]:
    """Open /search/?q=… and return the result links (site-relative) of the first page."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/search/?q={quote(query)}")
    summary = page.locator("#dir-search .dir-search__summary")
    expect(summary).to_have_text(re.compile(r"找到 [0-9]+ 条|没有找到"), timeout=TIMEOUT_MS)
    expect(page.locator("#dir-search[aria-busy]")).to_have_count(0)
    links = page.locator("#dir-search a.dir-search__title").evaluate_all("links => links.map(a => a.href)")
    return [link.removeprefix(page.base_url + "/") for link in links]


def test_every_provider_and_expert_is_the_first_result_for_its_full_name(page, published):
    # an organisation in two schemes (同时入选) has a page in each: either may come first
    missed = {r["name"]: search(page, r["name"])[:1] for r in published}
    missed = {name: got for name, got in missed.items() if got not in [[r["url"]] for r in published if r["name"] == name]}
    assert not missed


def test_every_provider_is_the_first_result_for_its_credit_code(page, published):
    providers = [r for r in published if r.get("credit_code")]
    missed = {r["credit_code"]: search(page, r["credit_code"])[:1] for r in providers}
    assert {code: got for code, got in missed.items()
            if got not in [[r["url"]] for r in providers if r["credit_code"] == code]} == {}


def test_a_credit_code_typed_in_lower_case_with_spaces_still_finds_the_provider(page):
    assert search(page, "9143 0102 ma4l 2x1q 5b")[:1] == ["hunan-sme-hexin/cs-zhiyuan/"]


def test_every_provider_is_the_first_result_for_its_certificate_number(page, published):
    certified = [r for r in published if (r.get("recognition") or {}).get("certificate_no")]
    assert certified
    missed = {}
    for record in certified:
        got = search(page, record["recognition"]["certificate_no"])[:1]
        if got != [record["url"]]:
            missed[record["recognition"]["certificate_no"]] = got
    assert missed == {}


def test_every_provider_is_in_the_first_three_for_its_short_name(page, published, site):
    from directory.library.repository import load_repository
    from directory.rules.calendar import load_calendar
    from directory.site.catalogue import build_catalogue

    repository = load_repository(site.parent)
    schemas, _ = repository.compiled_schemas()
    catalogue = build_catalogue(repository, schemas, load_calendar(site.parent), __import__("datetime").date(2026, 11, 23))
    settings = Settings.from_common(catalogue.common)
    missed = {}
    for entry in catalogue.entries:
        if entry.kind == "provider" and (abbreviation := short_name(entry, settings)):
            got = search(page, abbreviation)[:3]
            if entry.url not in got:
                missed[abbreviation] = got
    assert missed == {}


@pytest.mark.parametrize(("place", "prefix"), [
    ("长沙", "4301"), ("长沙市", "4301"), ("芙蓉区", "430102"), ("湖南", "43"), ("湖南省", "43"),
    ("武汉", "4201"), ("洪山区", "420111"), ("石家庄", "1301"),
])
def test_a_place_lists_the_providers_located_there_first(page, published, place, prefix):
    there = {r["url"] for r in published if str(r.get("region", "")).startswith(prefix)}
    assert there, f"the sample data has no record in {place}"
    got = search(page, place)
    assert set(got[: len(there)]) == there or (len(there) > 10 and set(got) <= there)


def test_a_city_includes_its_county_level_cities(page):
    assert "hunan-sme-hexin/ly-zhiyuan-shuzi/" in search(page, "长沙")   # 浏阳市 is under 长沙市


def test_providers_and_experts_come_before_notices_and_valid_before_the_rest(page, published):
    status = {r["url"]: r["status"] for r in published}
    got = search(page, "数字化")
    kinds = ["notice" if link.startswith("notices/") else "current" if status[link] in ("有效", "即将到期", "公示中")
             else "other" for link in got]
    assert kinds == sorted(kinds, key=["current", "other", "notice"].index), got
    assert "current" in kinds and "other" in kinds


def test_the_exact_name_beats_a_close_name(page):
    assert search(page, TWIN_NAME)[:1] == ["hunan-sme-hexin/ly-zhiyuan-shuzi/"]
    assert search(page, "长沙智远企业管理咨询有限公司")[:1] == ["hunan-sme-hexin/cs-zhiyuan/"]


def test_a_part_of_a_name_the_browser_cuts_differently_still_finds_it(page):
    # Intl.Segmenter cuts 财税 into 财|税 and 王立新 into 王立|新: both still match (search.py)
    assert "hubei-afxh/wh-anxin-caishui/" in search(page, "安信财税")[:3]
    assert "jilin-city-sme/experts/wang-lixin/" in search(page, "立新")[:3]


def test_a_result_shows_name_scheme_status_city_and_category(page):
    search(page, "长沙智远企业管理咨询有限公司")
    first = page.locator("#dir-search .dir-search__result").first
    expect(first.locator(".dir-badge")).to_have_text("有效")
    expect(first.locator(".dir-card__meta")).to_have_text(re.compile("湖南核心服务机构.*长沙市.*数字化转型"))


def test_a_search_with_no_result_suggests_categories_places_and_the_credit_code(page):
    assert search(page, "喵喵喵 qqqzz") == []
    empty = page.locator("#dir-search .dir-search__empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("统一社会信用代码")
    assert empty.get_by_text("按类别浏览").locator("a").count() >= 3
    assert empty.get_by_text("按城市浏览").locator("a").count() >= 3
    empty.get_by_text("按城市浏览").locator("a").first.click()
    expect(page.locator("#dir-search .dir-search__summary")).to_have_text(re.compile(r"找到 [0-9]+ 条"))


def test_the_header_box_on_any_page_searches_the_site(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/hebei-sme-youzhi/")
    page.locator("#dir-header-q").fill("长沙智远企业管理咨询有限公司")
    page.locator("#dir-header-q").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("#dir-search a.dir-search__title").first).to_have_text("长沙智远企业管理咨询有限公司")


def test_the_home_page_has_a_search_box(page):
    page.goto(f"{page.base_url}/")
    page.locator("#dir-home-q").fill("芙蓉区")
    page.locator("#dir-home-q").press("Enter")
    expect(page.locator("#dir-search a.dir-search__title").first).to_have_text("长沙智远企业管理咨询有限公司")


def test_on_a_phone_the_header_box_is_usable_and_a_name_is_found_first(page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{page.base_url}/")
    box = page.locator("#dir-header-q").bounding_box()
    assert box and box["width"] >= 120 and box["y"] < 60
    assert search(page, "武汉安信财税咨询有限公司", width=375)[:1] in (["hubei-afxh/wh-anxin-caishui/"],
                                                                ["hubei-sme-yanxuan/wh-anxin-caishui/"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("text", ["长沙智远（有限公司）", " 91430100 ma4l ", "冀优服〔2024〕022", "ＡＢＣ１２３", "王立新",
                                  "𠀀𠀁字", "a_b-c.d", "Ⅻ²"])
def test_the_browser_normalises_and_hashes_a_key_as_the_build_does(page, text):
    page.goto(f"{page.base_url}/search/")
    got = page.evaluate("t => [directorySearch.normalise(t), directorySearch.fnv1a(directorySearch.normalise(t))]", text)
    assert got == [normalise(text), fnv1a(normalise(text))]


@pytest.mark.parametrize(("query", "first"), [
    ("长沙智远企业管理咨询有限公司", "hunan-sme-hexin/cs-zhiyuan/"),      # full name
    ("91430102MA4L2X1Q5B", "hunan-sme-hexin/cs-zhiyuan/"),              # credit code
    ("湘核心〔2025〕001", "hunan-sme-hexin/cs-zhiyuan/"),                  # certificate number
    ("信融企业服务", "hebei-sme-youzhi/bd-xinrong/"),                      # short name
    ("王立新", "jilin-city-sme/experts/wang-lixin/"),                     # expert
    ("芙蓉区", "hunan-sme-hexin/cs-zhiyuan/"),                            # district
])
def test_on_a_phone_the_query_table_finds_the_same_first_result(page, query, first):
    assert search(page, query, width=375)[:1] == [first]
    result = page.locator("#dir-search .dir-search__result").first
    box = result.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375


def test_other_related_results_follow_an_exact_answer_on_request(page):
    got = search(page, "长沙智远企业管理咨询有限公司")
    assert got == ["hunan-sme-hexin/cs-zhiyuan/"]
    related = page.locator("#dir-search .dir-search__related")
    expect(related).to_be_visible()
    related.click()
    expect(page.locator("#dir-search a.dir-search__title")).not_to_have_count(1)
    links = page.locator("#dir-search a.dir-search__title").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(links) == len(set(links))                      # the exact page is not listed twice
    assert any("notices/" in link for link in links)          # the notices naming it come after


def test_a_first_search_reads_only_the_current_records_and_the_rest_follow_on_request(page, published):
    # pagefind's second bundle (the records not current, and the notices) is fetched only when a
    # visitor goes past the current results: the first search downloads less (search.py).
    status = {r["url"]: r["status"] for r in published}
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    first = search(page, "企业")
    assert len(first) == 10 and all(status.get(link) in ("有效", "即将到期", "公示中") for link in first), first
    assert not [url for url in requested if "/pagefind-more/" in url]
    expect(page.locator("#dir-search .dir-search__summary")).to_contain_text("当前有效")
    more = page.locator("#dir-search .dir-search__more")
    while more.is_visible():
        more.click()
        expect(page.locator("#dir-search[aria-busy]")).to_have_count(0)
    links = page.locator("#dir-search a.dir-search__title").evaluate_all("links => links.map(a => a.href)")
    kinds = ["notice" if "/notices/" in link else
             "current" if status[link.removeprefix(page.base_url + "/")] in ("有效", "即将到期", "公示中") else "other"
             for link in links]
    assert kinds == sorted(kinds, key=["current", "other", "notice"].index), links
    assert {"current", "other", "notice"} <= set(kinds)
    assert [url for url in requested if "/pagefind-more/" in url]
    expect(page.locator("#dir-search .dir-search__summary")).not_to_contain_text("当前有效")


def test_when_the_second_index_cannot_be_fetched_the_current_results_stay_and_the_visitor_is_told(page):
    page.route("**/pagefind-more/**", lambda route: route.abort())
    try:
        first = search(page, "企业")
        more = page.locator("#dir-search .dir-search__more")
        while more.is_visible():      # past the current results, where the second bundle is needed
            more.click()
            expect(page.locator("#dir-search[aria-busy]")).to_have_count(0)
        expect(page.locator("#dir-search .dir-search__summary")).to_contain_text("暂时无法加载")
        links = page.locator("#dir-search a.dir-search__title").evaluate_all("links => links.map(a => a.href)")
        assert links[:len(first)] == [page.base_url + "/" + link for link in first]
        assert len(links) == int(re.search(r"找到 ([0-9]+) 条", page.locator("#dir-search .dir-search__summary").inner_text())[1])
        # a new search on the same page still answers from the current records
        page.locator("#dir-search-q").fill("咨询")
        page.locator("#dir-search .dir-search__button").click()
        expect(page.locator("#dir-search .dir-search__summary")).to_contain_text("找到", timeout=TIMEOUT_MS)
        expect(page.locator("#dir-search[aria-busy]")).to_have_count(0)
        assert page.locator("#dir-search a.dir-search__title").count() > 0
    finally:
        page.unroute("**/pagefind-more/**")
