"""Conventions of a mainland public site (issue 14, first part): the footer from mkdocs.yml `extra`
(主办单位, ICP 备案号, 公安机关备案号, contact), no generator credit unless asked, a Chinese 404 page,
one title per page, nav labels equal to page titles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_fixtures import REPO, build_sample_site

BASE = re.sub(r"^site_url:.*\n", "", (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nextra:")[0],
              flags=re.MULTILINE)
FULL_FOOTER = BASE + """
site_url: https://fwjg.test.example.cn/
extra:
  organization: 测试省中小企业发展服务中心
  contact: 0000-12345678
  icp_record: 湘ICP备12345678号-1
  police_record: 湘公网安备 43010202000123号
"""
NO_FOOTER = BASE + "\n"


@pytest.fixture(scope="module")
def full_site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("footer"), {"mkdocs.yml": FULL_FOOTER})


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("bare"), {"mkdocs.yml": NO_FOOTER})


def footer(site: Path, page: str = "index.html") -> str:
    html = (site / page).read_text(encoding="utf-8")
    return html[html.index('<footer class="md-footer">'):html.index("</footer>")]


def test_the_footer_names_the_organization_and_its_contact(full_site):
    text = footer(full_site)
    assert "主办单位：测试省中小企业发展服务中心" in text and "联系方式：0000-12345678" in text


def test_the_icp_record_links_to_the_miit_filing_site(full_site):
    assert re.search(r'<a href="https://beian.miit.gov.cn/"[^>]*>湘ICP备12345678号-1</a>', footer(full_site))


def test_the_police_record_links_to_its_entry_on_the_mps_filing_site(full_site):
    assert re.search(r'<a href="https://beian.mps.gov.cn/#/query/webSearch\?code=43010202000123"[^>]*>'
                     r"湘公网安备 43010202000123号</a>", footer(full_site))


def test_the_footer_is_on_every_page(full_site):
    for page in ("hunan-sme-hexin/index.html", "hunan-sme-hexin/cs-zhiyuan/index.html", "search/index.html", "404.html"):
        assert "测试省中小企业发展服务中心" in footer(full_site, page), page


def test_absent_footer_keys_show_nothing(bare_site):
    text = footer(bare_site)
    assert "主办单位" not in text and "备案" not in text and "联系方式" not in text


@pytest.mark.parametrize("fixture", ["full_site", "bare_site"])
def test_no_generator_credit_unless_the_owner_turns_it_on(request, fixture):
    assert "Material for MkDocs" not in footer(request.getfixturevalue(fixture))


def test_the_404_page_is_in_chinese_and_offers_the_way_on(full_site):
    html = (full_site / "404.html").read_text(encoding="utf-8")
    assert "<title>页面不存在 - " in html and "页面不存在（404）" in html and "Not found" not in html
    assert "/search/" in html and "返回首页" in html


def test_every_page_has_one_title_and_the_home_page_the_site_name_alone(full_site):
    site_name = "中小企业服务机构库"
    titles = {}
    for path in full_site.rglob("index.html"):
        (title,) = re.findall(r"<title>([^<]*)</title>", path.read_text(encoding="utf-8"))
        titles[path.relative_to(full_site).as_posix()] = title
    assert titles["index.html"] == site_name
    assert all(title.count(site_name) == 1 for title in titles.values()), titles
    assert all(title.endswith(f" - {site_name}") for page, title in titles.items() if page != "index.html")


def test_nav_labels_equal_the_titles_of_their_pages(full_site):
    html = (full_site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"#]+)" class="md-nav__link">\s*<span class="md-ellipsis">\s*([^<]+?)\s*</span>', html)
    assert len(links) >= 5
    for href, label in links:
        if href in ("./", ".", "index.html"):
            continue
        page = (full_site / href / "index.html") if not href.endswith(".html") else full_site / href
        title = re.search(r"<title>([^<]*) - ", page.read_text(encoding="utf-8")).group(1)
        assert label == title, href


def test_robots_txt_allows_indexing_and_names_the_sitemap(full_site):
    robots = (full_site / "robots.txt").read_text(encoding="utf-8")
    assert robots == "User-agent: *\nAllow: /\nSitemap: https://fwjg.test.example.cn/sitemap.xml\n"


def test_robots_txt_names_no_sitemap_without_a_site_url(bare_site):
    assert "Sitemap:" not in (bare_site / "robots.txt").read_text(encoding="utf-8")


def test_no_category_or_region_page_is_empty(full_site):
    listings = [p for p in full_site.glob("*/categories/*/index.html")] + [p for p in full_site.glob("*/regions/*/index.html")]
    assert listings
    empty = [p for p in listings if 'class="dir-card"' not in p.read_text(encoding="utf-8")]
    assert empty == []


def test_a_scheme_page_links_only_the_categories_that_have_records(full_site):
    html = (full_site / "hebei-sme-youzhi" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="categories"'):html.index('id="regions"')]
    links = re.findall(r'href="[./]*hebei-sme-youzhi/(categories/c[0-9]+/)">[^<]+</a> <span class="dir-muted">([0-9]+)</span>', section)
    assert links and all(int(count) > 0 for _, count in links)
    assert all((full_site / "hebei-sme-youzhi" / href / "index.html").exists() for href, _ in links)
    assert len(links) < 9   # 河北 has 9 categories; the sample's records use fewer


def test_a_scheme_page_shows_its_list_before_the_rules_summary(full_site):
    html = (full_site / "hunan-sme-hexin" / "index.html").read_text(encoding="utf-8")
    assert html.index('id="providers"') < html.index('id="rules"')


def test_pages_carry_their_canonical_address_under_site_url(full_site):
    html = (full_site / "hunan-sme-hexin" / "cs-zhiyuan" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://fwjg.test.example.cn/hunan-sme-hexin/cs-zhiyuan/">' in html
