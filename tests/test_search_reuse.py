"""A rebuild takes a pagefind bundle from the previous site when none of its documents changed
(directory/site/search.py: write_search_index): an edit no search shows leaves the whole site as
it was, byte for byte, and a changed or damaged bundle is indexed again."""
from __future__ import annotations

from pathlib import Path

from directory.site.search import CURRENT_BUNDLE, MORE_BUNDLE
from test_incremental_build import build, root  # noqa: F401  (root: the fixture, a built sample library)

EDITED = Path("providers/hunan-sme-hexin/cs-zhiyuan.yaml")   # a current record: in the first bundle


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


def test_manifests_from_another_machine_reuse_nothing(root, monkeypatch):
    """The page and search manifests count only with this machine's signature: a site/ and .cache/
    committed in a pull request (or copied from elsewhere) are built anew, not reused."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(root.parent / "another-machine"))
    assert build(root).reused == 0
    assert build(root).reused > 0      # signed here now
