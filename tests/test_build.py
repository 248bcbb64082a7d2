"""`directory build`: refuses invalid data, never half-writes site/, publishes what it should."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, edit, good_record
from directory.site.search import CURRENT_BUNDLE, MORE_BUNDLE

TODAY = "2026-11-23"


def build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", "build", "--today", TODAY, *extra],
                          cwd=root, capture_output=True, text=True, timeout=300)


@pytest.fixture
def library_with_site(library):
    """The test library with the real templates and mkdocs.yml, one provider, and a built site."""
    shutil.copytree(REPO / "templates", library.root / "templates")
    shutil.copy(REPO / "mkdocs.yml", library.root / "mkdocs.yml")
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    result = build(library.root)
    assert result.returncode == 0, result.stderr
    return library


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_a_provider_gets_a_page_at_its_address(library_with_site):
    page = library_with_site.root / "site" / "hunan-sme-hexin" / "cs-zhiyuan" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "长沙智远企业管理咨询有限公司" in html and "有效" in html


def test_an_application_under_review_is_not_published(library_with_site):
    library_with_site.add("hebei-sme-youzhi", good_record("hebei-sme-youzhi").split("recognition:")[0])
    assert build(library_with_site.root).returncode == 0
    site = library_with_site.root / "site"
    assert not (site / "hebei-sme-youzhi" / "sjz-huizhi").exists()
    assert not any("sjz-huizhi" in text.decode("utf-8", "replace") for text in site_files(site).values())


def test_invalid_data_is_refused_with_the_validate_messages_and_the_old_site_stays(library_with_site):
    site = library_with_site.root / "site"
    before = site_files(site)
    library_with_site.add("hubei-afxh", edit(good_record("hubei-afxh"), "council_member: true", "council_member: false"))
    result = build(library_with_site.root)
    assert result.returncode == 1
    assert "error[council-member]" in result.stdout and "第五条 7" in result.stdout
    assert "site/ 保持不变" in result.stderr
    assert site_files(site) == before


def test_a_template_error_after_validation_leaves_the_old_site_untouched(library_with_site):
    site = library_with_site.root / "site"
    before = site_files(site)
    (library_with_site.root / "templates" / "pages" / "entry.md.j2").write_text("{% if %}", encoding="utf-8")
    result = build(library_with_site.root)
    assert result.returncode == 1 and "模板" in result.stderr and "Traceback" not in result.stderr
    assert site_files(site) == before
    assert not list(library_with_site.root.glob(".site-build-*"))


def test_a_rebuild_replaces_pages_that_no_longer_exist(library_with_site):
    (library_with_site.root / "providers" / "hunan-sme-hexin" / "cs-zhiyuan.yaml").unlink()
    assert build(library_with_site.root).returncode == 0
    assert not (library_with_site.root / "site" / "hunan-sme-hexin" / "cs-zhiyuan").exists()


def test_two_builds_on_the_same_date_give_identical_pages_and_data(library_with_site, tmp_path_factory):
    first = site_files(library_with_site.root / "site")
    assert build(library_with_site.root).returncode == 0
    second = site_files(library_with_site.root / "site")
    # pagefind's own index files are named by content hashes it orders freely; everything else is identical
    bundles = tuple(f"{bundle}/" for bundle in (CURRENT_BUNDLE, MORE_BUNDLE))
    ours = {name for name in first if not name.startswith(bundles)}
    assert ours == {name for name in second if not name.startswith(bundles)}
    assert [name for name in sorted(ours) if first[name] != second[name]] == []


def test_the_site_loads_nothing_from_another_host(library_with_site):
    # what a browser would fetch: scripts, stylesheets, images, fonts, imports; not plain links (nor
    # rel="canonical": the page's own address under mkdocs.yml site_url, never fetched)
    loads = re.compile(r"""(<(script|img|iframe|source)[^>]+src=|<link(?![^>]*rel="canonical")[^>]+href=|url\(|@import\s|import\()\s*["']?(https?:)?//""")
    for name, content in site_files(library_with_site.root / "site").items():
        if name.endswith((".html", ".css", ".js")):
            assert not loads.search(content.decode("utf-8")), name


def test_the_builtin_search_is_off_and_pagefind_indexes_our_tokens(library_with_site):
    site = library_with_site.root / "site"
    assert not (site / "search" / "search_index.json").exists()
    # the current records in one bundle, the notices (and any other records) in the second, each one
    # index in a language pagefind does not segment: the tokens are ours (directory/site/search.py)
    current, more = (json.loads((site / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
                     for bundle in (CURRENT_BUNDLE, MORE_BUNDLE))
    assert list(current["languages"]) == list(more["languages"]) == ["zxx"]
    assert current["languages"]["zxx"]["page_count"] == 1     # the one valid provider
    assert more["languages"]["zxx"]["page_count"] >= 1        # its notice


def test_open_data_has_public_fields_in_json_and_a_bom_in_csv(library_with_site):
    data = library_with_site.root / "site" / "data"
    records = json.loads((data / "providers.json").read_text(encoding="utf-8"))["records"]
    assert [r["id"] for r in records] == ["cs-zhiyuan"]
    assert records[0]["credit_code"] == "91430102MA4L2X1Q5B" and "facts" not in records[0]
    assert (data / "providers.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def add_publicity_batch(library, start: str) -> None:
    library.write("schemes/hunan-sme-hexin/batches/t-2026.yaml",
                  f"id: t-2026\ntitle: 测试公示批次\npublicity: {{start: {start}, objection_contact: 0731-1}}\n")
    text = edit(good_record("hunan-sme-hexin"), "id: cs-zhiyuan", "id: cs-gongshi")
    text = edit(text, '"91430102MA4L2X1Q5B"', '"91430102MA4L2X1Q6E"')
    text = edit(text, "  batch: t-2025", "  batch: t-2026")
    library.add("hunan-sme-hexin", edit(text, "  status: recognized", "  status: publicity"))


def test_a_publicity_is_not_announced_before_it_starts(library_with_site):
    add_publicity_batch(library_with_site, "2026-12-01")
    assert build(library_with_site.root).returncode == 0
    site = library_with_site.root / "site"
    assert not (site / "notices" / "hunan-sme-hexin--t-2026").exists()
    assert not (site / "hunan-sme-hexin" / "cs-gongshi").exists()


def test_an_ended_publicity_still_names_its_records_until_the_decision(library_with_site):
    add_publicity_batch(library_with_site, "2026-11-02")  # 7 working days: ended 2026-11-10
    assert build(library_with_site.root).returncode == 0
    notice = (library_with_site.root / "site" / "notices" / "hunan-sme-hexin--t-2026" / "index.html").read_text(encoding="utf-8")
    assert "公示已结束" in notice and "长沙智远企业管理咨询有限公司" in notice and "待认定" in notice
    assert not (library_with_site.root / "site" / "hunan-sme-hexin" / "cs-gongshi").exists()
