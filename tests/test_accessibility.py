"""Accessibility in a real browser: axe-core (vendored for tests only) reports no serious or
critical violation on each kind of page, on a desktop and a 375 px phone viewport; and the things
axe cannot judge alone: a skip link that works, visible focus, labelled search fields."""
from __future__ import annotations

from pathlib import Path

import pytest

from site_fixtures import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True)

from site_fixtures import build_sample_site  # noqa: E402

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/",
    "scheme": "/hunan-sme-hexin/",
    "category": "/hunan-sme-hexin/categories/c1/",
    "region": "/hunan-sme-hexin/regions/430102/",
    "provider": "/hunan-sme-hexin/cs-zhiyuan/",
    "revoked provider": "/hunan-sme-hexin/yy-dongting/",
    "expert": "/jilin-city-sme/experts/wang-lixin/",
    "notice": "/notices/hunan-sme-hexin--2025-1/",
    "notices": "/notices/",
    "revocations": "/notices/revocations/",
    "data": "/data/",
    "search": "/search/?q=长沙",
    "search, no result": "/search/?q=喵喵喵qqq",
    "form": "/hunan-sme-hexin/apply/",
    "verify": "/verify/?q=91430102MA4L2X1Q5B&date=2026-06-01",
    "verify, no record": "/verify/?q=91430102MA4L2X1Q5X",
    "404": "/404.html",
}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("a11y"))


def violations(browser, url: str, width: int) -> list[str]:
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)   # the search page draws its results after load
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map(v => ({ id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
        }""")
    finally:
        context.close()
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}" for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_has_no_serious_or_critical_axe_violation(browser, base_url, name, width):
    assert violations(browser, base_url + PAGES[name], width) == []


def test_the_first_tab_reaches_a_skip_link_that_moves_focus_to_the_content(browser, base_url):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(base_url + "/hunan-sme-hexin/cs-zhiyuan/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert "跳" in focused   # mkdocs-material's 跳转至, in Chinese
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") != ""
    context.close()


def test_focus_is_visible_on_the_header_search_box(browser, base_url):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(base_url + "/")
    page.locator("#dir-header-q").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    context.close()
