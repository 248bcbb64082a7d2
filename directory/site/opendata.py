"""Open-data downloads: the public fields of every published record as JSON, CSV and XLSX.

Built from `Entry.public` (catalogue.py), which holds no private field. The JSON holds every public
field. The CSV and XLSX columns of a kind are derived from its schemas (rules/fields.py walks them):
the public fields that every scheme of the kind has and that one cell can hold (no list of objects
such as `services`, no prose such as `profile`; an object's fields one column each, `contact.phone`),
in schema order, after 名录 编号 名称 状态 and the validity, with the region's name after its code and
the page, then the record file's last commit date (最后更新, empty when git cannot tell) and the date
the status was computed for (状态日期, the build's --today), last. A
field private in the schema can never become a column; a scheme's own fields
(湖北严选 `subject_type` ...) are in the JSON only, so the table keeps one shape for every scheme.

Beside them: `datapackage.json` (a Frictionless Data Package: a Table Schema of each CSV, its
encoding and licence) and the JSON Schema of a published record of each kind, the scheme schemas
with their private properties removed. `write_open_data` returns what the /data/ page shows.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from directory.library.repository import machine_secret
from directory.lifecycle.derive import STATUS_LABELS

from directory.rules.fields import Field, fields_of
from directory.rules.schemas import SchemaSet
from directory.site.catalogue import Catalogue, Entry

# Raise when the workbook written below changes in a way its sheets do not show.
XLSX_FORMAT = 1
FIRST = ("scheme", "id", "name")
# Columns the catalogue derives, by kind: their headers.
DERIVED = {
    "provider": {"status": "状态", "valid_from": "有效期起", "valid_until": "有效期至", "region_name": "地区", "url": "页面",
                 "updated": "最后更新", "status_date": "状态日期"},
    "expert": {"status": "状态", "valid_from": "聘任起", "valid_until": "聘任止", "region_name": "地区", "url": "页面",
               "updated": "最后更新", "status_date": "状态日期"},
}
# Published headers that differ from the schema titles: shorter ones, and one header where the
# schemes of a kind title a field differently (机构性质 / 单位性质; 服务类别 / 主要服务项目 / 服务领域).
HEADERS = {
    "provider": {"scheme": "名录", "id": "编号", "nature": "机构性质", "categories": "服务类别"},
    "expert": {"scheme": "名录", "id": "编号", "years_of_service": "服务年限"},
}
SHOWN_AS_STATUS = {"recognition", "term"}   # the lifecycle turns them into the status and validity columns
# The derived columns in the data dictionary: (Table Schema type, description).
DERIVED_TYPES = {
    "status": ("string", "按数据日期（状态日期）计算的认定状态"),
    "valid_from": ("date", "有效期（聘任期）的开始日期"),
    "valid_until": ("date", "有效期（聘任期）的结束日期；撤销、退出时为其生效日期"),
    "region_name": ("string", "行政区划代码对应的地区名称"),
    "url": ("string", "本站页面地址（相对网站根目录）"),
    "updated": ("date", "记录文件最后一次修改（提交）的日期；无法得知时为空"),
    "status_date": ("date", "计算状态所依据的日期，即数据日期"),
}
LICENCES = {   # name in mkdocs.yml `extra.data_licence` -> (SPDX id, the licence's Chinese deed)
    "CC BY 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"),
    "CC BY-SA 4.0": ("CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.zh-hans"),
    "CC0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.zh-hans"),
}
DEFAULT_LICENCE = "CC BY 4.0"
TYPE_NAMES = {"string": "文本", "date": "日期（YYYY-MM-DD）", "boolean": "是/否", "integer": "整数", "number": "数字"}


@dataclass(frozen=True)
class DataFile:
    name: str
    description: str


@dataclass(frozen=True)
class Licence:
    name: str           # as the page shows it: CC BY 4.0
    spdx: str           # its SPDX id for datapackage.json; "" when unknown
    url: str            # "" when unknown


@dataclass(frozen=True)
class Column:
    """One CSV/XLSX column and its entry in the data dictionary."""
    key: str                        # the cell key: a field of the JSON row, or `contact.phone`
    header: str                     # the CSV header (Chinese)
    type: str = "string"            # Table Schema type of the cell as the CSV holds it
    description: str = ""
    enum: tuple[str, ...] = ()      # the cell's fixed values
    item_values: tuple[str, ...] = ()   # a list cell (items joined by 、): each item's fixed values
    example: str = ""

    @property
    def type_name(self) -> str:
        return "文本（多项以「、」分隔）" if self.item_values else TYPE_NAMES.get(self.type, self.type)


@dataclass(frozen=True)
class DataTable:
    name: str                       # providers.csv
    label: str                      # 服务机构
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class StatusCount:
    scheme_title: str
    label: str                      # 服务机构 / 专家
    counts: dict[str, int]          # status label -> records


@dataclass(frozen=True)
class OpenData:
    """What write_open_data wrote, for the /data/ page."""
    today: date
    licence: Licence
    files: tuple[DataFile, ...]
    tables: tuple[DataTable, ...]
    counts: tuple[StatusCount, ...]
    statuses: tuple[str, ...]       # the status labels that occur, in STATUS_LABELS order


def data_licence(config: dict) -> Licence:
    """The licence of the open data: mkdocs.yml `extra.data_licence`, CC BY 4.0 without one."""
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    name = str(extra.get("data_licence") or DEFAULT_LICENCE).strip()
    spdx, url = LICENCES.get(name, ("", ""))
    return Licence(name, spdx, url)


def table_columns(kind: str, schemes_and_trees: list) -> list[tuple[str, str]]:
    """(cell key, header) of a kind's table, from (scheme, walked schema) of each scheme of the kind."""
    return [(column.key, column.header) for column in column_specs(kind, schemes_and_trees)]


def column_specs(kind: str, schemes_and_trees: list) -> list[Column]:
    """The columns of a kind's table with their types and fixed values, from the schemes' schemas."""
    titles: dict[str, str] = {}     # first scheme's title of each cell, in schema order
    fields: dict[str, list[Field]] = {}
    shared: set[str] | None = None
    for scheme, tree in schemes_and_trees:
        cells = {key: entry for key, entry in _one_cell_fields(tree, scheme.rules(kind).categories_field)}
        for key, entry in cells.items():
            titles.setdefault(key, entry.title)
            fields.setdefault(key, []).append(entry)
        shared = set(cells) if shared is None else shared & set(cells)
    derived = DERIVED.get(kind, DERIVED["provider"])
    keys = [key for key in FIRST if key in titles] + ["status", "valid_from", "valid_until"]
    for key in titles:
        if key in (shared or ()) and key not in FIRST:
            keys += [key, "region_name"] if key == "region" else [key]
    keys += ["url", "updated", "status_date"]
    headers = {**titles, **derived, **HEADERS.get(kind, {})}
    return [_column(key, headers[key], fields.get(key, [])) for key in keys]


def _column(key: str, header: str, fields: list[Field]) -> Column:
    if key in DERIVED_TYPES:
        kind, description = DERIVED_TYPES[key]
        # Applications under review are not published: 审核中 never appears.
        enum = tuple(label for status, label in STATUS_LABELS.items() if status != "review") if key == "status" else ()
        return Column(key, header, kind, description, enum)
    kind = _table_type(fields)
    description = next((entry.schema.get("description") or entry.hint for entry in fields
                        if entry.schema.get("description") or entry.hint), "")
    values = tuple(dict.fromkeys(str(value) for entry in fields for value in entry.enum))
    every_has_enum = bool(fields) and all(entry.enum for entry in fields)
    examples = next((entry.schema["examples"] for entry in fields if entry.schema.get("examples")), [])
    example = _cell(examples[0]) if isinstance(examples, list) and examples else ""
    if {entry.kind for entry in fields} == {"list"}:   # items joined by 、: the fixed values are each item's
        return Column(key, header, "string", description, item_values=values if every_has_enum else (),
                      example=example)
    return Column(key, header, kind, description, values if every_has_enum and kind == "string" else (),
                  example=example)


def _table_type(fields: list[Field]) -> str:
    """The Table Schema type of a column, from the field in each scheme: the same kind in every one."""
    kinds = {entry.kind for entry in fields}
    if kinds in ({"date"}, {"boolean"}):
        return next(iter(kinds))
    # A number is a number in the CSV unless it may be negative: "-5" is written as text ('-5).
    unsigned = all(isinstance(entry.schema.get("minimum"), (int, float)) and entry.schema["minimum"] >= 0
                   for entry in fields)
    if unsigned and kinds in ({"integer"}, {"number"}, {"integer", "number"}):
        return "integer" if kinds == {"integer"} else "number"
    return "string"


def _one_cell_fields(tree: tuple[Field, ...], categories_field: str):
    """(cell key, field) of each public field one cell can hold; the categories as `categories`."""
    for entry in tree:
        if entry.private or entry.key in SHOWN_AS_STATUS:
            continue
        if entry.kind == "object":
            yield from ((child.dotted, child) for child in entry.children if _fits_a_cell(child))
        elif _fits_a_cell(entry):
            yield ("categories" if entry.key == categories_field else entry.key), entry


def _fits_a_cell(entry: Field) -> bool:
    return not entry.private and entry.kind not in ("object", "records") and not entry.prose


def _row(entry: Entry, today: date) -> dict:
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
        "status_date": today.isoformat(),
        "recognition": public.get("recognition", {}),
    }


def _cell_value(entry: Entry, row: dict, key: str):
    """A column's value: a key of the JSON row, or `object.field` of the public record."""
    parent, _, child = key.partition(".")
    if not child:
        return row.get(key, "")
    value = entry.public.get(parent)
    return value.get(child, "") if isinstance(value, dict) else ""


def write_open_data(catalogue: Catalogue, data_dir: Path, schemas: SchemaSet,
                    licence: Licence = data_licence({}), cache: Path | None = None) -> OpenData:
    """`cache`: a folder where the last workbook is kept, to copy while its sheets are unchanged."""
    data_dir.mkdir(parents=True, exist_ok=True)
    files: list[DataFile] = []
    tables: list[DataTable] = []
    record_schemas: list[DataFile] = []
    sheets: list[tuple[str, list[str], list[list[str]]]] = []
    for kind, plural, label in (("provider", "providers", "服务机构"), ("expert", "experts", "专家")):
        entries = [e for e in catalogue.entries if e.kind == kind]
        if not entries:
            continue
        rows = [_row(e, catalogue.today) for e in entries]
        (data_dir / f"{plural}.json").write_text(
            json.dumps({"generated": catalogue.today.isoformat(), "records": rows}, ensure_ascii=False, indent=1,
                       sort_keys=True), encoding="utf-8")
        kind_schemes = [scheme for scheme in catalogue.schemes if (scheme.id, kind) in schemas.validators]
        columns = column_specs(kind, [(scheme, fields_of(schemas.validators[(scheme.id, kind)].schema))
                                      for scheme in kind_schemes])
        table = [[_cell(_cell_value(entry, row, column.key)) for column in columns]
                 for entry, row in zip(entries, rows)]
        headers = [column.header for column in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_csv_text(text) for text in line] for line in table])
        # UTF-8 with BOM: Excel on Windows opens it as UTF-8 instead of GBK.
        (data_dir / f"{plural}.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        sheets.append((label, headers, table))
        files += [DataFile(f"{plural}.json", f"{label}（JSON，含全部公开字段）"),
                  DataFile(f"{plural}.csv", f"{label}（CSV，Excel 可直接打开）")]
        tables.append(DataTable(f"{plural}.csv", label, tuple(_with_example(column, index, table)
                                                              for index, column in enumerate(columns))))
        (data_dir / f"{kind}.schema.json").write_text(
            _json(_record_schema(label, {scheme.id: schemas.validators[(scheme.id, kind)].schema
                                         for scheme in kind_schemes})), encoding="utf-8")
        record_schemas.append(DataFile(f"{kind}.schema.json", f"{label}记录公开字段的 JSON Schema"))
    if sheets:
        _write_workbook(sheets, data_dir / "directory.xlsx", catalogue.today, cache)
        files.append(DataFile("directory.xlsx", "服务机构与专家（Excel 工作簿）"))
    if tables:
        (data_dir / "datapackage.json").write_text(
            _json(data_package(tables, licence, catalogue.today, schemes=[s.id for s in catalogue.schemes])),
            encoding="utf-8")
        files.append(DataFile("datapackage.json", "数据包描述（Frictionless Data Package：各 CSV 的字段、类型与许可）"))
    counts = Counter((e.scheme.id, e.kind, e.status_label) for e in catalogue.entries if e.kind in ("provider", "expert"))
    statuses = tuple(label for label in STATUS_LABELS.values() if any(key[2] == label for key in counts))
    summary = tuple(StatusCount(scheme.short_title, label, {status: counts[(scheme.id, kind, status)]
                                                             for status in statuses})
                    for scheme in catalogue.schemes
                    for kind, label in (("provider", "服务机构"), ("expert", "专家"))
                    if any(key[:2] == (scheme.id, kind) for key in counts))
    return OpenData(catalogue.today, licence, tuple(files + record_schemas), tuple(tables), summary, statuses)


def _with_example(column: Column, index: int, table: list[list[str]]) -> Column:
    """The schema's example, else the first record's value that is not empty."""
    if column.example:
        return column
    return replace(column, example=next((line[index] for line in table if line[index]), ""))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def data_package(tables: list[DataTable], licence: Licence, today: date, schemes: list[str]) -> dict:
    """A Frictionless (tabular) Data Package describing each CSV: encoding, dialect and a Table Schema."""
    licences = [{key: value for key, value in (("name", licence.spdx), ("path", licence.url), ("title", licence.name))
                 if value}]
    return {
        "profile": "tabular-data-package",
        "name": "directory-open-data",
        "title": "服务机构与专家开放数据",
        "description": "全部公开信息（不含申报数据、报送记录与个人联系方式）。",
        "created": f"{today.isoformat()}T00:00:00Z",
        "licenses": licences if licence.spdx or licence.url else [{"name": "other", "title": licence.name}],
        "resources": [{
            "name": table.name.removesuffix(".csv"),
            "path": table.name,
            "profile": "tabular-data-resource",
            "title": table.label,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",    # the BOM Excel needs; frictionless reads it as UTF-8 without it
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "header": True},
            "schema": {
                "fields": [_table_field(column, schemes) for column in table.columns],
                "missingValues": [""],
                "primaryKey": ["名录", "编号"],
            },
        } for table in tables],
    }


def _table_field(column: Column, schemes: list[str]) -> dict:
    field: dict = {"name": column.header, "title": column.header, "type": column.type}
    if column.description:
        field["description"] = column.description
    if column.type == "date":
        field["format"] = "default"     # YYYY-MM-DD
    if column.type == "boolean":
        field["trueValues"], field["falseValues"] = ["是"], ["否"]
    constraints: dict = {}
    if column.key in FIRST:
        constraints["required"] = True
    enum = list(schemes) if column.key == "scheme" else list(column.enum)
    if enum:
        constraints["enum"] = enum
    if constraints:
        field["constraints"] = constraints
    return field


def _record_schema(label: str, by_scheme: dict[str, dict]) -> dict:
    """One kind's published record: each scheme's schema without its private properties."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{label}记录（公开字段）",
        "description": "记录文件中可公开部分的结构（各名录一种）；不含申报数据、报送记录等不公开字段。",
        "anyOf": [{"$ref": f"#/$defs/{scheme_id}"} for scheme_id in by_scheme],
        "$defs": {scheme_id: _without_private({k: v for k, v in schema.items() if k != "$schema"})
                  for scheme_id, schema in by_scheme.items()},
    }


def _without_private(schema):
    """A schema with every x-private property removed, also from `required` and conditions
    (if/then/else) at the same level, so that no private key is even named."""
    if isinstance(schema, list):
        return [_without_private(part) for part in schema]
    return _strip(schema, _private_keys(schema)) if isinstance(schema, dict) else schema


def _strip(schema: dict, private: set[str]) -> dict:
    result = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _without_private(sub) for name, sub in value.items() if name not in private}
        elif key == "required" and isinstance(value, list):
            result[key] = [name for name in value if name not in private]
        elif key in ("if", "then", "else", "not") and isinstance(value, dict):
            result[key] = _strip(value, private | _private_keys(value))
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            result[key] = [_strip(part, private | _private_keys(part)) if isinstance(part, dict) else part
                           for part in value]
        elif isinstance(value, (dict, list)):
            result[key] = _without_private(value)
        else:
            result[key] = value
    return result


def _private_keys(schema: dict) -> set[str]:
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    return {key for key, sub in properties.items() if isinstance(sub, dict) and sub.get("x-private")}


def _write_workbook(sheets: list[tuple[str, list[str], list[list[str]]]], path: Path, today: date,
                    cache: Path | None) -> None:
    """The workbook of the tables, a sheet each; copied from `cache` when the sheets and the day are
    those of the kept one (openpyxl takes seconds for 10,000 rows, on every build)."""
    import openpyxl

    try:   # signed with this machine's secret: a workbook committed in a pull request is never served
        secret = machine_secret().encode("ascii")
    except OSError:
        secret, cache = b"", None
    key = hashlib.blake2b(json.dumps([XLSX_FORMAT, openpyxl.__version__, str(today), sheets],
                                     ensure_ascii=False).encode("utf-8"), key=secret).hexdigest()
    for kept in cache.glob(f"{key}-*.xlsx") if cache is not None and cache.is_dir() else ():
        content = kept.read_bytes()
        if kept.stem.endswith("-" + hashlib.sha256(content).hexdigest()):   # not damaged since
            path.write_bytes(content)
            return
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    # Reproducible: the workbook's own dates are the build date, not the clock.
    workbook.properties.created = workbook.properties.modified = datetime(today.year, today.month, today.day)
    for label, headers, table in sheets:
        sheet = workbook.create_sheet(label)
        sheet.append(headers)
        for row, line in enumerate(table, start=2):   # row 1 holds the headers
            _write_text_row(sheet, row, line)
    _save_reproducibly(workbook, path, today)
    if cache is not None:
        try:   # only the last one is kept; written aside and renamed, so a killed build leaves none half done
            cache.mkdir(parents=True, exist_ok=True)
            for old in cache.glob("*.xlsx"):
                old.unlink()
            content = path.read_bytes()
            (cache / "workbook.tmp").write_bytes(content)
            os.replace(cache / "workbook.tmp", cache / f"{key}-{hashlib.sha256(content).hexdigest()}.xlsx")
        except OSError:
            pass   # without it the next build writes the workbook again


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
