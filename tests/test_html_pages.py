"""mkdocs skips the Markdown step for our pages (directory/site/html_pages.py): the site it writes
is the one a plain mkdocs build of the same pages writes, file for file."""
from __future__ import annotations

from pathlib import Path

from site_fixtures import COPIED, REPO, TODAY
import shutil

from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.site.build import _mkdocs_config, _run_mkdocs, build_site


def test_skipping_markdown_gives_every_page_byte_for_byte_as_mkdocs_converting_it(tmp_path: Path):
    root = tmp_path / "library"
    root.mkdir()
    for name in COPIED:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, root / name)
    docs = tmp_path / "docs"
    result = build_site(root, TODAY, load_calendar(root), keep_docs=docs)
    assert result.ok
    repository = load_repository(root)
    plain = tmp_path / "plain"
    _run_mkdocs(root, _mkdocs_config(root), [repository.schemes[s] for s in sorted(repository.schemes)],
                docs, plain, TODAY, root / "templates", html_pages=False)
    written = [p for p in plain.rglob("*") if p.is_file()]
    pages = [p for p in written if p.name == "index.html"]
    assert len(pages) > 50
    different = [p.relative_to(plain).as_posix() for p in written
                 if (result.site_dir / p.relative_to(plain)).read_bytes() != p.read_bytes()]
    assert different == []
