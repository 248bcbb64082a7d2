"""The record pages are rendered on every core (directory/site/render.py, parallel_map): the pages
and their QR codes are the same as rendered in one process, and a template error still stops the
build with its message."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_fixtures import COPIED, REPO, TODAY
from directory.library import repository as repository_module
from directory.rules.calendar import load_calendar
from directory.site.build import BuildError, build_site


def library_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in COPIED:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, folder / name)
    return folder


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a built site but pagefind's bundles (pagefind orders some of its files freely)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith(("pagefind/", "pagefind-more/"))}


def test_pages_rendered_in_several_processes_equal_those_rendered_in_one(tmp_path, monkeypatch):
    root = library_copy(tmp_path / "library")
    alone = files_of(build_site(root, TODAY, load_calendar(root)).site_dir)
    shutil.rmtree(root / ".cache")   # no pages to reuse, and the QR codes made again, in the forked processes
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)
    forked = files_of(build_site(root, TODAY, load_calendar(root)).site_dir)
    assert len([name for name in alone if name.endswith("/qr.png")]) > 10
    assert forked == alone


def test_a_template_error_in_a_record_page_stops_the_build_with_its_message(tmp_path, monkeypatch):
    root = library_copy(tmp_path / "library")
    entry = root / "templates" / "pages" / "entry.md.j2"
    entry.write_text(entry.read_text(encoding="utf-8") + "{{ no_such_value }}\n", encoding="utf-8")
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)
    with pytest.raises(BuildError, match="网页模板出错.*no_such_value"):
        build_site(root, TODAY, load_calendar(root))
    assert not (root / "site").exists()
