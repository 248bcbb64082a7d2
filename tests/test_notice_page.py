"""The site's notice page is the formal 公示: the same words and table as `directory notice`
(directory/site/notice_text.py), names linked once published, A4 on paper; a rejected applicant
appears on no page, its batch's notice included."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from site_fixtures import REPO, TODAY, build_sample_site, credit_code
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.site.catalogue import build_catalogue
from directory.site.notice_text import notice_text

REJECTED = (REPO / "providers" / "hunan-sme-hexin" / "cs-zhiyuan.yaml").read_text(encoding="utf-8") \
    .replace("id: cs-zhiyuan", "id: cs-bohui").replace("name: 长沙智远企业管理咨询有限公司", "name: 长沙驳回测试咨询有限公司") \
    .replace('credit_code: "91430102MA4L2X1Q5B"', f'credit_code: "{credit_code("91430102MA4L9B0H3")}"') \
    .replace("  batch: 2025-1\n  certificate_no: 湘核心〔2025〕001\n  status: recognized\n",
             "  batch: 2025-1\n  status: rejected\n  rejection: {date: 2025-09-30, reason: 场地面积不足}\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("notice"), {"providers/hunan-sme-hexin/cs-bohui.yaml": REJECTED})


@pytest.fixture(scope="module")
def notices(site):
    root = site.parent
    repository = load_repository(root)
    schemas, _ = repository.compiled_schemas()
    return build_catalogue(repository, schemas, load_calendar(root), TODAY).notices


def page_text(site: Path, notice) -> str:
    raw = (site / notice.url / "index.html").read_text(encoding="utf-8")
    body = raw[raw.index('class="dir-notice__document"'):raw.index("</section>", raw.index('class="dir-notice__document"'))]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_every_notice_page_shows_the_words_of_the_formal_notice(site, notices):
    assert notices
    for notice in notices:
        text, shown = notice_text(notice), page_text(site, notice)
        for part in (text.title, *text.paragraphs, text.issuer, text.date_line):
            assert part in shown, (notice.url, part)


def test_the_table_numbers_every_listed_record_with_its_code_region_and_category(site, notices):
    for notice in notices:
        shown = page_text(site, notice)
        for row in notice_text(notice).rows:
            assert " ".join(row) in shown, (notice.url, row)


def test_dates_in_the_notice_have_no_leading_zeros(site, notices):
    notice = next(n for n in notices if n.start and (n.start.month < 10 or n.start.day < 10))
    shown = page_text(site, notice)
    assert f"{notice.start.year}年{notice.start.month}月{notice.start.day}日" in shown
    assert not re.search(r"年0[0-9]月|月0[0-9]日", shown)


def test_a_published_name_in_the_table_links_to_its_page(site, notices):
    notice = next(n for n in notices if any(e.published for e in n.entries))
    raw = (site / notice.url / "index.html").read_text(encoding="utf-8")
    entry = next(e for e in notice.entries if e.published)
    assert re.search(rf'<td><a href="[./]*{re.escape(entry.url)}">{re.escape(html.escape(entry.name))}</a></td>', raw)


def test_a_rejected_applicant_is_on_no_page(site):
    assert not (site / "hunan-sme-hexin" / "cs-bohui").exists()
    for path in site.rglob("*.html"):
        assert "长沙驳回测试咨询有限公司" not in path.read_text(encoding="utf-8"), path


def test_the_notice_prints_on_a4_with_the_site_chrome_hidden():
    css = (REPO / "templates" / "assets" / "directory.css").read_text(encoding="utf-8")
    print_rules = css[css.index("@media print"):]
    assert "size: A4" in print_rules and ".md-header" in print_rules and "display: none" in print_rules


def test_the_notice_page_is_titled_by_the_notice_and_shows_no_front_matter(site, notices):
    for notice in notices:
        raw = (site / notice.url / "index.html").read_text(encoding="utf-8")
        (title,) = re.findall(r"<title>([^<]*)</title>", raw)
        assert title.startswith(notice_text(notice).title), (notice.url, title)
        assert "title: " not in raw and "---<" not in raw, notice.url
