"""The low-memory page path of directory/site/reuse.py: pages outside the navigation are converted just
before they are written (and let go after), so mkdocs never holds every page's HTML at once. These
tests check that this writes exactly what mkdocs' own order (convert everything, then write) writes."""
from __future__ import annotations

import logging
import shutil
from datetime import date
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest

import directory.site.build as build_module
from site_fixtures import TODAY, build_sample_site
from directory.rules.calendar import load_calendar
from directory.site.build import _run_mkdocs, build_site
from directory.site.reuse import MANIFEST, PageReuse
from test_incremental_build import site_files


def mkdocs_order(monkeypatch) -> None:
    """Builds from here on convert every page first, as mkdocs does by itself."""
    monkeypatch.setattr(build_module, "PageReuse", partial(PageReuse, defer=False))


def test_a_sample_site_built_with_late_conversion_equals_one_built_in_mkdocs_order(tmp_path, monkeypatch):
    build_sample_site(tmp_path / "late")
    shutil.copytree(tmp_path / "late", tmp_path / "early", ignore=shutil.ignore_patterns("site", ".cache"))
    (tmp_path / "late" / MANIFEST).unlink()       # a full build: every page converted, none reused
    shutil.rmtree(tmp_path / "late" / "site")
    late = build_site(tmp_path / "late", TODAY, load_calendar(tmp_path / "late"))
    mkdocs_order(monkeypatch)
    early = build_site(tmp_path / "early", TODAY, load_calendar(tmp_path / "early"))
    assert late.ok and early.ok and late.reused == early.reused == 0
    assert site_files(tmp_path / "late" / "site") == site_files(tmp_path / "early" / "site")


# Hand-written pages with what late conversion could get wrong: a title only in the first heading,
# links between pages and to anchors (in the nav and outside it), a link to an anchor that is not there.
PAGES = {
    "index.md": "# 首页\n\n[一个服务机构](s1/p-one.md)\n",
    "s1/index.md": "---\ntitle: 第一名录\n---\n\n## 认定条件 {#criteria}\n\n[第二个](p-two.md#services)\n",
    "s1/p-one.md": ("# 长沙某某咨询有限公司\n\n所属名录：[第一名录](index.md#criteria)，另见 [第二个](p-two.md#services)。\n\n"
                    "## 服务 {#services}\n\n[不存在的锚点](p-two.md#nowhere)\n"),
    "s1/p-two.md": "---\ntitle: 株洲某某服务中心\n---\n\n## 服务 {#services}\n\n[回到第一个](p-one.md#services)\n",
    "notices/index.md": "# 公示公告\n", "notices/revocations.md": "# 撤销公告\n",
    "search.md": "# 搜索\n", "data.md": "# 开放数据\n", "verify.md": "# 核验\n",
}


def build_hand_written(root: Path) -> dict[str, bytes]:
    docs, built = root / "docs", root / "built"
    for path, text in PAGES.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    # anchor problems are warnings here, so the check after the last page must see every page's anchors
    (root / "mkdocs.yml").write_text("site_name: 测试\nvalidation:\n  anchors: warn\n", encoding="utf-8")
    schemes = [SimpleNamespace(id="s1", title="第一名录")]
    _run_mkdocs(root, {"site_name": "测试"}, schemes, docs, built, date(2026, 3, 2), html_pages=False)   # Markdown pages
    return site_files(built)


@pytest.fixture
def mkdocs_warnings(caplog):
    caplog.set_level(logging.WARNING, logger="mkdocs")
    return lambda: sorted(r.getMessage() for r in caplog.records if r.name.startswith("mkdocs"))


def test_hand_written_pages_with_links_anchors_and_heading_titles_come_out_the_same(tmp_path, monkeypatch,
                                                                                    mkdocs_warnings):
    late = build_hand_written(tmp_path / "late")
    late_warnings = mkdocs_warnings()
    mkdocs_order(monkeypatch)
    early = build_hand_written(tmp_path / "early")
    assert late == early
    page = late["s1/p-one/index.html"].decode("utf-8")
    assert "<title>长沙某某咨询有限公司 - 测试</title>" in page          # the title from the first heading
    assert 'href="../#criteria"' in page and 'href="../p-two/#services"' in page
    assert late_warnings == [
        "Doc file 's1/p-one.md' contains a link 'p-two.md#nowhere', "
        "but the doc 's1/p-two.md' does not contain an anchor '#nowhere'."]
    assert mkdocs_warnings() == late_warnings * 2     # the early build found the same, no more
