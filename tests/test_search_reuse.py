"""A rebuild takes a pagefind bundle from the previous site when none of its documents changed
(directory/site/search.py: write_search_index): an edit no search shows leaves the whole site as
it was, byte for byte, and a changed or damaged bundle is indexed again."""
from __future__ import annotations

from pathlib import Path

import pytest

from site_fixtures import TODAY, build_sample_site
from directory.rules.calendar import load_calendar
from directory.site.build import build_site
from directory.site.search import CURRENT_BUNDLE, MORE_BUNDLE

EDITED = Path("providers/hunan-sme-hexin/cs-zhiyuan.yaml")   # a current record: in the first bundle


@pytest.fixture
def root(tmp_path) -> Path:
    build_sample_site(tmp_path / "library")
    return tmp_path / "library"


def build(root: Path):
    result = build_site(root, TODAY, load_calendar(root))
    assert result.ok, result.findings[:3]
    return result


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(root: Path, old: str, new: str) -> None:
    path = root / EDITED
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_no_search_shows_leaves_the_whole_site_byte_for_byte(root):
    before = files(root / "site")
    edit(root, "registered_capital_wan: 500", "registered_capital_wan: 520")   # a private fact
    build(root)
    assert files(root / "site") == before


def test_a_searchable_edit_indexes_its_bundle_again_and_takes_the_other(root):
    before = {bundle: files(root / "site" / bundle) for bundle in (CURRENT_BUNDLE, MORE_BUNDLE)}
    edit(root, "\nprofile: ", "\nprofile: 新近开设数字化转型训练营。")
    build(root)
    assert files(root / "site" / CURRENT_BUNDLE) != before[CURRENT_BUNDLE]
    assert files(root / "site" / MORE_BUNDLE) == before[MORE_BUNDLE]


def test_a_bundle_file_changed_by_hand_is_indexed_again(root):
    entry = root / "site" / CURRENT_BUNDLE / "pagefind-entry.json"
    original = entry.read_bytes()
    entry.write_bytes(b'{"damaged": true}')
    build(root)
    assert entry.read_bytes() != b'{"damaged": true}' and entry.read_bytes()[:1] == original[:1]
