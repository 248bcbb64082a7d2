"""Incremental builds (directory/site/reuse.py): pages whose inputs did not change keep the previous
HTML, and the result is byte for byte what a full build writes, search fragments and index included
(pagefind's filter and metadata files aside: pagefind orders them freely, so two full builds differ
there too)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_fixtures import TODAY, build_sample_site
from directory.rules.calendar import load_calendar
from directory.site.build import BuildError, build_site
from directory.site.reuse import MANIFEST, PageReuse
from directory.site.search import CURRENT_BUNDLE, MORE_BUNDLE

EDITED = Path("providers/hunan-sme-hexin/cs-zhiyuan.yaml")
PAGE = Path("hunan-sme-hexin/cs-zhiyuan/index.html")


@pytest.fixture
def root(tmp_path) -> Path:
    build_sample_site(tmp_path / "library")
    return tmp_path / "library"


def build(root: Path):
    result = build_site(root, TODAY, load_calendar(root))
    assert result.ok, result.findings[:3]
    return result


def unordered_by_pagefind(relative: str) -> bool:
    """The files pagefind writes in a different order on every run (its filters, its metadata and
    the entry file naming them: two full builds differ there too); its fragments and index are
    compared like every other file."""
    bundle, _, inside = relative.partition("/")
    return bundle in (CURRENT_BUNDLE, MORE_BUNDLE) and (
        inside.startswith("filter/") or inside.endswith(".pf_meta") or inside == "pagefind-entry.json")


def site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*"))
            if path.is_file() and not unordered_by_pagefind(path.relative_to(site).as_posix())}


def edit_profile(root: Path, addition: str) -> None:
    path = root / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nprofile: ", f"\nprofile: {addition}", 1), encoding="utf-8")


def full_build_files(root: Path, scratch: Path) -> dict[str, bytes]:
    """What a build with no previous site writes, for the same library."""
    copy = scratch / "full"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".cache"))
    build(copy)
    return site_files(copy / "site")


def test_a_rebuild_after_editing_one_record_keeps_the_other_pages_and_equals_a_full_build(root, tmp_path):
    edit_profile(root, "新近开设数字化转型训练营。")
    result = build(root)
    assert 0 < result.reused < result.pages
    assert "新近开设数字化转型训练营" in (root / "site" / PAGE).read_text(encoding="utf-8")
    assert site_files(root / "site") == full_build_files(root, tmp_path)


def test_a_page_changed_by_hand_in_the_site_is_built_again(root, tmp_path):
    tampered = root / "site" / PAGE
    tampered.write_text(tampered.read_text(encoding="utf-8") + "<!-- 手工改动 -->", encoding="utf-8")
    build(root)
    assert "手工改动" not in tampered.read_text(encoding="utf-8")
    assert site_files(root / "site") == full_build_files(root, tmp_path)


def test_a_changed_theme_override_builds_every_page_again(root):
    override = root / "templates" / "overrides" / "main.html"
    override.write_text(override.read_text(encoding="utf-8") + "\n{# 改动 #}\n", encoding="utf-8")
    assert build(root).reused == 0


def test_a_damaged_manifest_only_means_a_full_build(root):
    (root / MANIFEST).write_text("{not json", encoding="utf-8")
    assert build(root).reused == 0
    assert build(root).reused > 0      # and the next build has a manifest again


def test_two_scheme_shards_built_separately_assemble_into_the_full_site(root, tmp_path):
    # a national directory's CI: one job per scheme writes its pages, a final job takes them
    shards = []
    for scheme in ("hunan-sme-hexin", "hubei-afxh"):
        folder = tmp_path / "shards" / scheme
        result = build_site(root, TODAY, load_calendar(root), site_dir=folder, shard=scheme)
        assert result.ok
        written = {path.relative_to(folder).parts[0] for path in folder.rglob("index.html")}
        assert written == {scheme}      # only its own pages
        shards.append(folder)
    shutil.rmtree(root / "site")
    (root / MANIFEST).unlink()
    result = build_site(root, TODAY, load_calendar(root), from_shards=tuple(shards))
    assert result.ok
    shard_pages = sum(1 for folder in shards for _ in folder.rglob("index.html"))
    assert result.reused == shard_pages
    assert site_files(root / "site") == full_build_files(root, tmp_path)


def test_a_kept_page_changed_during_the_build_stops_it_instead_of_copying_unchecked_bytes(root, monkeypatch):
    # the previous HTML is checked when the page is read and copied only when it is written; in between
    # (mkdocs reads every page before writing the first) someone edits it
    tampered = root / "site" / PAGE
    check = PageReuse._previous_html

    def check_then_edit(self, source, key, destination):
        found = check(self, source, key, destination)
        if destination == PAGE.as_posix():
            tampered.write_text(tampered.read_text(encoding="utf-8") + "<!-- 手工改动 -->", encoding="utf-8")
        return found

    monkeypatch.setattr(PageReuse, "_previous_html", check_then_edit)
    with pytest.raises(BuildError, match="在生成过程中被改动，请重新运行 directory build"):
        build_site(root, TODAY, load_calendar(root))
