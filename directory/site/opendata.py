"""Open-data downloads: the public fields of every published record as JSON, CSV and XLSX.

Built from `Entry.public` (catalogue.py), which holds no private field. The JSON holds every public
field. The CSV and XLSX columns of a kind are derived from its schemas (rules/fields.py walks them):
the public fields that every scheme of the kind has and that one cell can hold (no list of objects
such as `services`, no prose such as `profile`; an object's fields one column each, `contact.phone`),
in schema order, after 名录 编号 名称 状态 and the validity, with the region's name after its code and
the page, then the record file's last commit date (最后更新, empty when git cannot tell), last. A
field private in the schema can never become a column; a scheme's own fields
(湖北严选 `subject_type` ...) are in the JSON only, so the table keeps one shape for every scheme.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from directory.rules.fields import Field, fields_of
from directory.rules.schemas import SchemaSet
from directory.site.catalogue import Catalogue, Entry

FIRST = ("scheme", "id", "name")
# Columns the catalogue derives, by kind: their headers.
DERIVED = {
    "provider": {"status": "状态", "valid_from": "有效期起", "valid_until": "有效期至", "region_name": "地区", "url": "页面",
                 "updated": "最后更新"},
    "expert": {"status": "状态", "valid_from": "聘任起", "valid_until": "聘任止", "region_name": "地区", "url": "页面",
               "updated": "最后更新"},
}
# Published headers that differ from the schema titles: shorter ones, and one header where the
# schemes of a kind title a field differently (机构性质 / 单位性质; 服务类别 / 主要服务项目 / 服务领域).
HEADERS = {
    "provider": {"scheme": "名录", "id": "编号", "nature": "机构性质", "categories": "服务类别"},
    "expert": {"scheme": "名录", "id": "编号", "years_of_service": "服务年限"},
}
SHOWN_AS_STATUS = {"recognition", "term"}   # the lifecycle turns them into the status and validity columns


@dataclass(frozen=True)
class DataFile:
    name: str
    description: str


def table_columns(kind: str, schemes_and_trees: list) -> list[tuple[str, str]]:
    """(cell key, header) of a kind's table, from (scheme, walked schema) of each scheme of the kind."""
    titles: dict[str, str] = {}     # first scheme's title of each cell, in schema order
    shared: set[str] | None = None
    for scheme, tree in schemes_and_trees:
        cells = dict(_one_cell_fields(tree, scheme.rules(kind).categories_field))
        for key, title in cells.items():
            titles.setdefault(key, title)
        shared = set(cells) if shared is None else shared & set(cells)
    derived = DERIVED.get(kind, DERIVED["provider"])
    keys = [key for key in FIRST if key in titles] + ["status", "valid_from", "valid_until"]
    for key in titles:
        if key in (shared or ()) and key not in FIRST:
            keys += [key, "region_name"] if key == "region" else [key]
    keys += ["url", "updated"]
    headers = {**titles, **derived, **HEADERS.get(kind, {})}
    return [(key, headers[key]) for key in keys]


def _one_cell_fields(tree: tuple[Field, ...], categories_field: str):
    """(cell key, title) of each public field one cell can hold; the categories as `categories`."""
    for entry in tree:
        if entry.private or entry.key in SHOWN_AS_STATUS:
            continue
        if entry.kind == "object":
            yield from ((child.dotted, child.title) for child in entry.children if _fits_a_cell(child))
        elif _fits_a_cell(entry):
            yield ("categories" if entry.key == categories_field else entry.key), entry.title


def _fits_a_cell(entry: Field) -> bool:
    return not entry.private and entry.kind not in ("object", "records") and not entry.prose


def _row(entry: Entry) -> dict:
    public = entry.public
    contact = public.get("contact", {}) if isinstance(public.get("contact"), dict) else {}
    validity = entry.life.validity
    return {
        **{key: value for key, value in public.items() if key not in ("recognition", "contact")},
        "scheme": entry.scheme.id, "id": entry.id, "name": entry.name, "status": entry.status_label,
        "valid_from": validity.start.isoformat() if validity else "",
        "valid_until": entry.life.valid_until.isoformat() if entry.life.valid_until else "",
        "region_name": entry.region.full_name if entry.region else "",
        "phone": contact.get("phone", ""), "email": contact.get("email", ""),
        "categories": list(entry.categories), "url": entry.url, "updated": entry.updated,
        "recognition": public.get("recognition", {}),
    }


def _cell_value(entry: Entry, row: dict, key: str):
    """A column's value: a key of the JSON row, or `object.field` of the public record."""
    parent, _, child = key.partition(".")
    if not child:
        return row.get(key, "")
    value = entry.public.get(parent)
    return value.get(child, "") if isinstance(value, dict) else ""


def write_open_data(catalogue: Catalogue, data_dir: Path, schemas: SchemaSet) -> list[DataFile]:
    data_dir.mkdir(parents=True, exist_ok=True)
    files = []
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    # Reproducible: the workbook's own dates are the build date, not the clock.
    stamp = datetime(catalogue.today.year, catalogue.today.month, catalogue.today.day)
    workbook.properties.created = workbook.properties.modified = stamp
    for kind, plural, label in (("provider", "providers", "服务机构"), ("expert", "experts", "专家")):
        entries = [e for e in catalogue.entries if e.kind == kind]
        if not entries:
            continue
        rows = [_row(e) for e in entries]
        (data_dir / f"{plural}.json").write_text(
            json.dumps({"generated": catalogue.today.isoformat(), "records": rows}, ensure_ascii=False, indent=1,
                       sort_keys=True), encoding="utf-8")
        columns = table_columns(kind, [(scheme, fields_of(schemas.validators[(scheme.id, kind)].schema))
                                       for scheme in catalogue.schemes if (scheme.id, kind) in schemas.validators])
        table = [[_cell(_cell_value(entry, row, key)) for key, _ in columns] for entry, row in zip(entries, rows)]
        headers = [title for _, title in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_csv_text(text) for text in line] for line in table])
        # UTF-8 with BOM: Excel on Windows opens it as UTF-8 instead of GBK.
        (data_dir / f"{plural}.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        sheet = workbook.create_sheet(label)
        sheet.append(headers)
        for row, line in enumerate(table, start=2):   # row 1 holds the headers
            _write_text_row(sheet, row, line)
        files += [DataFile(f"{plural}.json", f"{label}（JSON，含全部公开字段）"),
                  DataFile(f"{plural}.csv", f"{label}（CSV，Excel 可直接打开）")]
    if workbook.sheetnames:
        _save_reproducibly(workbook, data_dir / "directory.xlsx", catalogue.today)
        files.append(DataFile("directory.xlsx", "服务机构与专家（Excel 工作簿）"))
    return files


def _save_reproducibly(workbook, path: Path, today) -> None:
    """An .xlsx is a zip whose members carry the clock's time; rewrite them with the build date."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock on save
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + f"{today}T00:00:00Z".encode(), content)
            target.writestr(zipfile.ZipInfo(member.filename, date_time=stamp), content,
                            compress_type=zipfile.ZIP_DEFLATED)


def _cell(value) -> str:
    if isinstance(value, list):
        text = "、".join(str(item) for item in value)
    elif isinstance(value, bool):
        text = "是" if value else "否"
    else:
        text = "" if value is None else str(value)
    return text


# A cell starting with one of these is run as a formula by Excel, WPS and LibreOffice
# (OWASP "CSV Injection"): a public name like `=HYPERLINK(...)` must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(text: str) -> str:
    """CSV has no cell types: a leading apostrophe is what makes a spreadsheet keep the text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write_text_row(sheet, row: int, line: list[str]) -> None:
    """A row of text cells: openpyxl would store "=..." as a formula, so every cell is typed as a
    string, and one that looks like a formula also gets Excel's quote prefix (stays text when edited).
    Characters XML cannot hold (NUL, ESC ...) would make openpyxl fail: they are shown as \\uXXXX.
    Cells are addressed by row and column: `sheet.max_row` scans every cell, which made 10,000 rows
    take minutes."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for column, text in enumerate(line, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
