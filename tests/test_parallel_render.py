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


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_pages_rendered_in_several_processes_equal_those_rendered_in_one(tmp_path, monkeypatch):
    root = library_copy(tmp_path / "library")
    build_site(root, TODAY, load_calendar(root), keep_docs=tmp_path / "alone")
    shutil.rmtree(root / ".cache", ignore_errors=True)   # the QR codes made again, in the forked processes
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)
    build_site(root, TODAY, load_calendar(root), keep_docs=tmp_path / "forked")
    alone, forked = files_of(tmp_path / "alone"), files_of(tmp_path / "forked")
    assert len([name for name in alone if name.endswith("qr.png")]) > 10
    assert forked == alone


def test_a_template_error_in_a_record_page_stops_the_build_with_its_message(tmp_path, monkeypatch):
    root = library_copy(tmp_path / "library")
    entry = root / "templates" / "pages" / "entry.md.j2"
    entry.write_text(entry.read_text(encoding="utf-8") + "{{ no_such_value }}\n", encoding="utf-8")
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)
    with pytest.raises(BuildError, match="网页模板出错.*no_such_value"):
        build_site(root, TODAY, load_calendar(root))
    assert not (root / "site").exists()
