"""The Excel workbook of the open data is kept in .cache/directory/xlsx/ and copied while its sheets
are unchanged (directory/site/opendata.py): the copy is what writing it again gives, and a change
to a record or a damaged kept file is never served."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl

from site_fixtures import COPIED, REPO, TODAY
from directory.rules.calendar import load_calendar
from directory.site.build import build_site

RECORD = "providers/hunan-sme-hexin/cs-zhiyuan.yaml"
NAME = "长沙智远企业管理咨询有限公司"


def library_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in COPIED:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, folder / name)
    return folder


def workbook(root: Path) -> bytes:
    return (build_site(root, TODAY, load_calendar(root)).site_dir / "data" / "directory.xlsx").read_bytes()


def names(content: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row}


def test_an_unchanged_library_gets_the_kept_workbook_byte_for_byte_as_written_anew(tmp_path):
    root = library_copy(tmp_path / "library")
    first = workbook(root)
    assert len(list((root / ".cache/directory/xlsx").glob("*.xlsx"))) == 1
    assert workbook(root) == first
    shutil.rmtree(root / ".cache")
    assert workbook(root) == first


def test_a_changed_name_is_in_the_next_workbook(tmp_path):
    root = library_copy(tmp_path / "library")
    assert NAME in names(workbook(root))
    record = root / RECORD
    record.write_text(record.read_text(encoding="utf-8").replace(NAME, "长沙智远改名咨询有限公司"), encoding="utf-8")
    shown = names(workbook(root))
    assert "长沙智远改名咨询有限公司" in shown and NAME not in shown
    assert len(list((root / ".cache/directory/xlsx").glob("*.xlsx"))) == 1   # only the last one is kept


def test_a_damaged_kept_workbook_is_written_anew(tmp_path):
    root = library_copy(tmp_path / "library")
    first = workbook(root)
    (kept,) = (root / ".cache/directory/xlsx").glob("*.xlsx")
    kept.write_bytes(b"PK not a workbook")
    assert workbook(root) == first
