"""Open-data downloads: the public fields of every published record as JSON, CSV and XLSX.

Built from `Entry.public` (catalogue.py), which holds no private field; columns are fixed here so
a spreadsheet keeps its shape from one day to the next.
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

from directory.site.catalogue import Catalogue, Entry

COLUMNS = {
    "provider": [("scheme", "名录"), ("id", "编号"), ("name", "机构名称"), ("status", "状态"),
                 ("valid_from", "有效期起"), ("valid_until", "有效期至"), ("credit_code", "统一社会信用代码"),
                 ("nature", "机构性质"), ("region", "行政区划代码"), ("region_name", "地区"), ("address", "地址"),
                 ("postal_code", "邮政编码"), ("established", "成立日期"), ("legal_representative", "法定代表人"),
                 ("website", "网址"), ("phone", "服务电话"), ("email", "电子信箱"), ("categories", "服务类别"),
                 ("recommender", "推荐单位"), ("url", "页面")],
    "expert": [("scheme", "名录"), ("id", "编号"), ("name", "姓名"), ("status", "状态"), ("valid_from", "聘任起"),
               ("valid_until", "聘任止"), ("title", "职称"), ("employer", "工作单位"), ("education", "学历"),
               ("years_of_service", "服务年限"), ("categories", "服务领域"), ("region", "行政区划代码"),
               ("region_name", "地区"), ("recommender", "推荐单位"), ("url", "页面")],
}


@dataclass(frozen=True)
class DataFile:
    name: str
    description: str


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
        "categories": list(entry.categories), "url": entry.url,
        "recognition": public.get("recognition", {}),
    }


def write_open_data(catalogue: Catalogue, data_dir: Path) -> list[DataFile]:
    data_dir.mkdir(parents=True, exist_ok=True)
    files = []
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    # Reproducible: the workbook's own dates are the build date, not the clock.
    stamp = datetime(catalogue.today.year, catalogue.today.month, catalogue.today.day)
    workbook.properties.created = workbook.properties.modified = stamp
    for kind, plural, label in (("provider", "providers", "服务机构"), ("expert", "experts", "专家")):
        rows = [_row(e) for e in catalogue.entries if e.kind == kind]
        if not rows:
            continue
        (data_dir / f"{plural}.json").write_text(
            json.dumps({"generated": catalogue.today.isoformat(), "records": rows}, ensure_ascii=False, indent=1,
                       sort_keys=True), encoding="utf-8")
        table = [[_cell(row.get(key, "")) for key, _ in COLUMNS[kind]] for row in rows]
        headers = [title for _, title in COLUMNS[kind]]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_csv_text(text) for text in line] for line in table])
        # UTF-8 with BOM: Excel on Windows opens it as UTF-8 instead of GBK.
        (data_dir / f"{plural}.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        sheet = workbook.create_sheet(label)
        sheet.append(headers)
        for line in table:
            _append_text(sheet, line)
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


def _append_text(sheet, line: list[str]) -> None:
    """A row of text cells: openpyxl would store "=..." as a formula, so every cell is typed as a
    string, and one that looks like a formula also gets Excel's quote prefix (stays text when edited).
    Characters XML cannot hold (NUL, ESC ...) would make openpyxl fail: they are shown as \\uXXXX."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) for text in line])
    for cell in sheet[sheet.max_row]:
        cell.data_type = "s"
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
