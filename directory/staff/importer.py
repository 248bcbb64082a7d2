"""`directory import`: turn a spreadsheet that staff keep in Excel into record files.

One row per record, row 1 is the header. A header is a record key in dotted form (`id`,
`contact.phone`, `facts.area_m2`) or the Chinese label of the field (the schema `title`, e.g.
「服务场所面积（平方米）」; a nested field also as 「撤销·日期」 or 「认定信息·撤销·日期」).

All or nothing: the repository is loaded once, every candidate record joins it in memory as the
file it would become, and the real validator checks the candidates (the other records take part
in the checks across records only); the findings on the new files are mapped back to the
spreadsheet's row and column. Only when no error remains are the files written into the repository.
"""
from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date, datetime, time
from pathlib import Path

import yaml

from directory.findings import Finding
from directory.progress import track
from directory.library.repository import Record, Repository, load_repository
from directory.rules.fields import Field, fields_of
from directory.rules.schemes import KIND_NAMES
from directory.checks.validate import validate_repository
from directory.lifecycle.derive import STATUS_LABELS, ban_end
from directory.rules.regions import regions
from directory.loading.yamlfile import load_bytes
from directory.rules.calendar import load_calendar

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
LIST_SEPARATORS = re.compile(r"[、;；\n]")
TRUE_WORDS = {"是", "true", "1"}
FALSE_WORDS = {"否", "false", "0"}
NUMBER_TEXT = re.compile(r"^[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?%?$")
DATE_TEXT = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")   # usable as a file name; the schema checks the rest
IGNORED_HEADERS = {"序号"}
NOTES_MARK = "填写说明"    # the first cell of the template's notes row (row 2): that row is no record
SAVE_AS_HINT = "在 Excel 中选「文件 → 另存为」，文件类型选「CSV UTF-8（逗号分隔）(*.csv)」或「Excel 工作簿 (*.xlsx)」"


@dataclass
class ImportResult:
    """What an import did: the files written (repository-relative) and every problem found."""

    written: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)


@dataclass(frozen=True)
class Target:
    """A field a column can fill: its dotted key, Chinese label and how cell values are read."""

    key: str
    title: str
    kind: str = "text"          # text | date | integer | number | boolean | list | services
    item_kind: str = "text"     # for lists: the kind of each item
    required: bool = False      # required, and so are the objects it is in
    choices: tuple = ()         # an enum's values (of a list: of its items)
    labels: tuple = ()          # (Chinese label, value): what a cell may say instead of the value
    hint: str = ""              # the schema's x-hint

    @property
    def depth(self) -> int:
        return self.key.count(".")


@dataclass(frozen=True)
class Column:
    index: int                  # 1-based, as in the spreadsheet
    header: str                 # as written in row 1
    field: Target

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Candidate:
    """One row turned into a record, and the file it is to become."""

    row: int
    record: dict
    path: str                   # repository-relative


class _Unreadable(Exception):
    """The spreadsheet cannot be read at all; `rule` and the message become one finding."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def import_records(root: Path, source: Path, scheme_id: str, kind: str = "provider", force: bool = False,
                   *, today: date) -> ImportResult:
    """Import the rows of `source` (.xlsx or .csv) as records of `scheme_id`.

    Nothing is written unless every row passes every check; an existing record file is replaced
    only with `force`. Findings point at the spreadsheet: `path` is `source` as given, `line` the
    row (the header is row 1) and `column` the 1-based column.
    """
    root = Path(root).resolve()
    display = str(source)
    # Every record is read once (from the cache where it is fresh), for the checks across records.
    repository = load_repository(root, focus=[])
    problem = _scheme_problem(repository.schemes, scheme_id, kind)
    if problem:
        return ImportResult(findings=[Finding(display, 0, 0, "import-scheme", problem)])
    schemas, schema_problems = repository.compiled_schemas()
    validator = schemas.validators.get((scheme_id, kind))
    if validator is None:
        return ImportResult(findings=schema_problems)
    try:
        rows = read_rows(Path(source))
    except _Unreadable as error:
        return ImportResult(findings=[Finding(display, 0, 0, error.rule, error.message)])

    schema_tree = fields_of(validator.schema)
    fields, open_objects = schema_fields(schema_tree)
    header = rows[0] if rows else []
    columns, findings = match_headers(header, rows[1:], fields, open_objects, display)
    if findings:  # wrong headers would make every row look wrong: fix the header first
        return ImportResult(findings=findings)

    scheme = repository.schemes[scheme_id]
    folder = f"providers/{scheme_id}/{scheme.rules(kind).folder}".rstrip("/")
    candidates, findings = collect_candidates(root, rows, columns, schema_tree, scheme_id, folder, force, display,
                                              scheme.region_prefix)
    if not candidates and not findings:
        findings.append(Finding(display, 0, 0, "import-empty", "表格中没有记录：第 1 行是列名，记录从第 2 行开始"))
    if candidates:
        findings += bans_overwritten(repository, candidates, columns, scheme, today, display)
        findings += validate_in_memory(repository, candidates, scheme_id, kind, columns, today, display)
    # a region name that names no region is reported once, with a suggestion, not again by the validator
    unresolved = {finding.line for finding in findings if finding.rule == "import-region"}
    findings = [finding for finding in findings if finding.rule == "import-region" or finding.line not in unresolved
                or not finding.json_path.startswith("$.region")]
    findings = sorted(set(findings), key=lambda f: (f.line, f.column, f.rule, f.message))
    if any(finding.severity == "error" for finding in findings):
        return ImportResult(findings=findings)
    return ImportResult(write_records(root, candidates), findings)


def _scheme_problem(schemes: dict, scheme_id: str, kind: str) -> str:
    if scheme_id not in schemes:
        return f"没有名录「{scheme_id}」：可用的有 {'、'.join(sorted(schemes))}"
    scheme = schemes[scheme_id]
    if kind not in scheme.kinds:
        allowed = "、".join(f"{scheme.rules(k).label}（{k}）" for k in scheme.kinds)
        return f"名录「{scheme.title}」不收录{KIND_NAMES.get(kind, kind)}：可导入的有 {allowed}"
    return ""


# ---------------------------------------------------------------- reading the spreadsheet

def read_rows(source: Path) -> list[list]:
    """All rows of the first sheet (xlsx) or of the CSV file, as lists of cell values."""
    suffix = source.suffix.lower()
    if not source.is_file():
        raise _Unreadable("import-file", f"找不到文件「{source}」")
    if suffix in EXCEL_SUFFIXES:
        return _read_xlsx(source)
    if suffix == ".csv":
        return _read_csv(source)
    if suffix in (".xls", ".et", ".numbers", ".ods"):
        raise _Unreadable("import-file", f"不能读取 {suffix} 格式：请另存为 .xlsx 或 CSV UTF-8（{SAVE_AS_HINT}）")
    raise _Unreadable("import-file", f"只能导入 .xlsx 或 .csv 文件，「{source.name}」不是")


def _read_xlsx(source: Path) -> list[list]:
    """Values only (formulas give their last computed value); the first sheet."""
    import openpyxl  # only imports need it
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as error:
        raise _Unreadable("import-file", f"无法读取 Excel 文件（{error}）：请用 Excel 重新另存为 .xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_csv(source: Path) -> list[list]:
    """A CSV as Excel saves it: UTF-8 with BOM (plain UTF-8 too), comma separated."""
    text = _decode_csv(source.read_bytes())
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise _Unreadable("import-file", f"CSV 文件格式有误（{error}）：{SAVE_AS_HINT}") from None


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("import-encoding", f"文件是 UTF-16（Excel 的「Unicode 文本」）：请另存为 CSV UTF-8（{SAVE_AS_HINT}）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise _Unreadable("import-encoding", f"文件不是 UTF-8 编码，无法识别：请另存为 CSV UTF-8（{SAVE_AS_HINT}）") from None
    raise _Unreadable("import-encoding", "文件是 GBK/GB18030 编码（Excel 的「CSV（逗号分隔）」格式），中文会读错："
                                         f"请另存为 CSV UTF-8（{SAVE_AS_HINT}）")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: the letters Excel shows above a column."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# ---------------------------------------------------------------- the fields of a scheme

def schema_fields(tree: tuple[Field, ...]) -> tuple[dict[str, Target], dict[str, Target]]:
    """Every field a column can fill, by dotted key, from the walked schema (`fields_of`).

    Returns (fields, open objects): an object that allows keys of its own (`private`,
    `recognition.grades`) accepts any `prefix.key` column; the Target says how its values are read.
    Lists of objects other than `services` (reports, waivers, service_log) are not importable.
    """
    fields: dict[str, Target] = {}
    open_objects: dict[str, Target] = {}

    def walk(entries: tuple[Field, ...], titles: tuple[str, ...], required: bool = True) -> None:
        for entry in entries:
            if entry.kind == "object":
                walk(entry.children, titles + (entry.title,), required and entry.required)
                if entry.extra is not None:
                    open_objects[entry.dotted] = Target(entry.dotted, entry.title, _cell_kind(entry.extra) or "text")
                continue
            kind = _cell_kind(entry)
            if kind is None:
                continue
            item_kind = (_cell_kind(entry.items) or "text") if kind == "list" else "text"
            fields[entry.dotted] = Target(entry.dotted, "·".join(titles + (entry.title,)), kind, item_kind,
                                          required and entry.required, entry.enum, _labels(entry), entry.hint)

    walk(tree, ())
    return fields, open_objects


# The statuses the site and the 名录 show (有效, 即将到期, 已过期) are derived from a written `recognized`:
# a sheet exported from them can be imported again.
DERIVED_STATUS_LABELS = {label: "recognized" for status, label in STATUS_LABELS.items()
                         if status in ("valid", "expiring", "expired")}


def _labels(entry: Field) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs for an enum whose x-hint names its values 「publicity（公示中）、recognized（已认定）」."""
    pairs = tuple((label, value) for value, label in re.findall(r"([A-Za-z0-9_-]+)（([^）]+)）", entry.hint)
                  if value in entry.enum)
    if pairs and entry.dotted == "recognition.status":
        pairs += tuple(DERIVED_STATUS_LABELS.items())
    return pairs


def _cell_kind(entry: Field) -> str | None:
    """How a cell is read for this field (a Field kind, or `services`); None when no single cell
    can hold it."""
    if entry.kind == "records":
        names = {child.key for child in entry.children}
        return "services" if "name" in names and names <= {"name", "description"} else None
    return None if entry.kind == "object" else entry.kind


# ---------------------------------------------------------------- the header row

def normalise(header: str) -> str:
    """What a header is matched by: full-width forms folded, spaces removed, · as '.'."""
    text = unicodedata.normalize("NFKC", header)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[·・•]", ".", text).casefold()


def match_headers(header: list, data_rows: list[list], fields: dict[str, Target], open_objects: dict[str, Target],
                  display: str) -> tuple[list[Column], list[Finding]]:
    """The columns of row 1, each matched to a field; unknown, ambiguous and repeated headers are findings.

    A label used by several fields means the shallowest of them (a top-level key before a nested
    one); if that still leaves more than one, the header is ambiguous.
    """
    labels = _label_index(fields)
    columns: list[Column] = []
    findings: list[Finding] = []
    width = max([len(header)] + [len(row) for row in data_rows])
    for index in range(1, width + 1):
        text = _cell_text(header[index - 1]) if index <= len(header) else ""
        where = f"第 1 行 {column_letter(index)} 列"
        if not text:
            if any(index <= len(row) and not _blank(row[index - 1]) for row in data_rows):
                findings.append(Finding(display, 1, index, "import-unnamed-column",
                                        f"{where}没有列名，但下面有内容：请填写列名，或删除这一列"))
            continue
        if normalise(text) in IGNORED_HEADERS:   # a row number staff keep for themselves
            continue
        found, problem = _resolve_header(text, fields, open_objects, labels)
        if problem:
            findings.append(Finding(display, 1, index, problem[0], f"{where}：{problem[1]}"))
            continue
        earlier = next((column for column in columns if column.field.key == found.key), None)
        if earlier:
            findings.append(Finding(display, 1, index, "import-duplicate-column",
                                    f"{where}：列「{text}」与 {earlier.letter} 列「{earlier.header}」是同一字段（{found.key}）"))
            continue
        columns.append(Column(index, text, found))
    return columns, findings


def _label_index(fields: dict[str, Target]) -> dict[str, list[Target]]:
    """Normalised label -> the fields it may name: the title, and for nested fields also the
    parent's title before it (「撤销·日期」 or 「撤销日期」) and the whole path of titles."""
    index: dict[str, list[Target]] = {}
    for entry in fields.values():
        titles = entry.title.split("·")
        labels = {titles[-1], "·".join(titles[-2:]), "".join(titles[-2:]), entry.title}
        for label in labels:
            index.setdefault(normalise(label), []).append(entry)
    return index


def _resolve_header(text: str, fields: dict[str, Target], open_objects: dict[str, Target],
                    labels: dict[str, list[Target]]) -> tuple[Target | None, tuple[str, str] | None]:
    wanted = normalise(text)
    by_key = {key.casefold(): entry for key, entry in fields.items()}
    if wanted in by_key:
        return by_key[wanted], None
    prefix, _, rest = wanted.rpartition(".")
    if prefix in open_objects and rest:
        parent = open_objects[prefix]
        return Target(f"{parent.key}.{text.strip().rpartition('.')[2]}", f"{parent.title}·{rest}", parent.kind), None
    matches = labels.get(wanted, [])
    shallowest = [entry for entry in matches if entry.depth == min((m.depth for m in matches), default=0)]
    if len(shallowest) == 1:
        return shallowest[0], None
    if shallowest:
        choices = "、".join(f"「{entry.title}」（{entry.key}）" for entry in shallowest)
        return None, ("import-ambiguous-column", f"列名「{text}」可指 {choices}：请改用其中一个完整的列名")
    return None, ("import-unknown-column", f"未知的列「{text}」{_suggestion(wanted, fields, labels)}："
                                           f"可用的列名有 {_available(fields, open_objects)}")


AVAILABLE_SHOWN = 6    # column names a message lists: the template has them all


def _suggestion(wanted: str, fields: dict[str, Target], labels: dict[str, list[Target]]) -> str:
    """「（是不是「机构名称」，即 name？）」 for the closest unambiguous label or key, if any is close."""
    names = {label: entries[0] for label, entries in labels.items() if len(entries) == 1 and "." not in label}
    names.update({key.casefold(): entry for key, entry in fields.items()})
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    if not close:
        return ""
    entry = names[close[0]]
    titles = entry.title.split("·")
    shown = titles[-1] if close[0] in (normalise(titles[-1]), entry.key.casefold()) else "·".join(titles[-2:])
    return f"（是不是「{shown}」，即 {entry.key}？）"


def _available(fields: dict[str, Target], open_objects: dict[str, Target]) -> str:
    """The first fields as `key（label）`, the label made unambiguous (「撤销·日期」), and how many there are."""
    last = [entry.title.split("·")[-1] for entry in fields.values()]
    names = []
    for entry, label in zip(fields.values(), last):
        shown = label if last.count(label) == 1 else "·".join(entry.title.split("·")[-2:])
        names.append(f"{entry.key}（{shown}）")
    names += [f"{key}.自定义名称（{entry.title}）" for key, entry in open_objects.items()]
    if len(names) <= AVAILABLE_SHOWN:
        return "、".join(names)
    return "、".join(names[:AVAILABLE_SHOWN]) + f" 等 {len(names)} 个（全部列名见 directory import --template 生成的模板）"


# ---------------------------------------------------------------- rows to records

def collect_candidates(root: Path, rows: list[list], columns: list[Column], tree: tuple[Field, ...], scheme_id: str,
                       folder: str, force: bool, display: str,
                       region_prefix: str = "") -> tuple[list[Candidate], list[Finding]]:
    """One candidate per non-blank row (the template's notes row is none); a row without id, a
    repeated id or an id whose file already exists (without `force`) is a finding. Rows with an
    existing file are still checked. A region written as a name (长沙市芙蓉区) becomes its code."""
    id_column = next((column for column in columns if column.field.key == "id"), None)
    candidates: list[Candidate] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for number, row in track(enumerate(rows[1:], start=2), "读取表格行", total=max(len(rows) - 1, 0)):
        if all(_blank(value) for value in row) or (row and _cell_text(row[0]) == NOTES_MARK):
            continue

        def problem(rule: str, message: str) -> None:
            label = f"「{id_column.header}」" if id_column else ""
            findings.append(Finding(display, number, id_column.index if id_column else 0, rule,
                                    f"第 {number} 行{label}：{message}"))

        hidden = _control_character(row, columns)
        if hidden:
            column, position, char = hidden
            findings.append(Finding(display, number, column.index, "import-control-character",
                                    f"第 {number} 行「{column.header}」第 {position} 个字符是看不见的控制字符 "
                                    f"U+{ord(char):04X}：请删除它（常见于从其他系统复制的文字）"))
            continue
        record = build_record(row, columns, tree, scheme_id)
        region = record.get("region")
        if isinstance(region, str) and not REGION_CODE.match(region):
            code, message = region_code(region, region_prefix)
            if code:
                record["region"] = code
            else:
                column = column_for("$.region", columns)
                findings.append(Finding(display, number, column.index if column else 0, "import-region",
                                        f"第 {number} 行「{column.header if column else 'region'}」：{message}",
                                        json_path="$.region"))
        record_id = record.get("id")
        if not isinstance(record_id, str) or not record_id:
            problem("import-id-missing", "缺少记录编号（id）：每条记录都要有，如 cs-zhiyuan（小写字母、数字、连字符）")
            continue
        if not SAFE_ID.match(record_id):
            problem("record-id", f"记录编号「{record_id}」不能用作文件名：只用小写字母、数字和连字符，如 cs-zhiyuan")
            continue
        if record_id in seen:
            problem("import-duplicate-id", f"记录编号「{record_id}」与第 {seen[record_id]} 行重复")
            continue
        seen[record_id] = number
        path = _target_path(root, folder, record_id)
        if (root / path).exists() and not force:
            problem("import-exists", f"记录 {path} 已存在：加 --force 才会覆盖")
        candidates.append(Candidate(number, record, path))
    return candidates, findings


def _control_character(row: list, columns: list[Column]) -> tuple[Column, int, str] | None:
    """The first control character (NUL, ESC, TAB, U+2028 ...) in a cell of the row, with its
    column and 1-based position; line breaks inside a cell are text. Such a character would be
    written into the record file and from there reach the site and the open data."""
    for column in columns:
        value = row[column.index - 1] if column.index <= len(row) else None
        if not isinstance(value, str):
            continue
        for position, char in enumerate(value, start=1):
            if char not in "\r\n" and unicodedata.category(char) in ("Cc", "Zl", "Zp"):
                return column, position, char
    return None


def _target_path(root: Path, folder: str, record_id: str) -> str:
    """Where the record goes: an existing `.yml` file of that id is replaced in place."""
    existing = root / folder / f"{record_id}.yml"
    return f"{folder}/{record_id}.yml" if existing.is_file() else f"{folder}/{record_id}.yaml"


def build_record(row: list, columns: list[Column], tree: tuple[Field, ...], scheme_id: str) -> dict:
    """The record of one row, keys in the order of the schema; empty cells are left out."""
    record: dict = {}
    for column in columns:
        value = row[column.index - 1] if column.index <= len(row) else None
        if _blank(value):
            continue
        converted = convert(value, column.field)
        if converted in ("", [], None):
            continue
        _put(record, column.field.key.split("."), converted)
    record.setdefault("scheme", scheme_id)
    return _ordered(record, tree)


def _put(record: dict, parts: list[str], value) -> None:
    for part in parts[:-1]:
        record = record.setdefault(part, {})
    record[parts[-1]] = value


def _ordered(value, tree: tuple[Field, ...]):
    """Keys in the order of the schema's fields, then any others in column order."""
    if not isinstance(value, dict):
        return value
    by_key = {entry.key: entry for entry in tree}
    keys = [entry.key for entry in tree if entry.key in value] + [key for key in value if key not in by_key]
    return {key: _ordered(value[key], by_key[key].children if key in by_key else ()) for key in keys}


# ---------------------------------------------------------------- cell values

def convert(value, entry: Target):
    """A cell value read as the field's kind; an enum's Chinese label (已撤销) as its value (revoked).
    A value that does not fit is kept as text, so the validator reports it in its own words."""
    if entry.kind == "list":
        return [_labelled(item, entry.labels) for item in _as_list(value, entry.item_kind)]
    if entry.kind == "services":
        return _as_services(value)
    return _labelled(_as_scalar(value, entry.kind), entry.labels)


def _labelled(value, labels: tuple[tuple[str, str], ...]):
    return dict(labels).get(value, value) if isinstance(value, str) else value


def _as_scalar(value, kind: str):
    if kind in ("integer", "number"):
        return _as_number(value)
    if kind == "boolean":
        return _as_boolean(value)
    if kind == "date":
        return _as_date(value)
    return _as_text(value)


def _as_text(value) -> str:
    """Text exactly as staff see it: 430102.0 from a numeric cell is "430102", dates are YYYY-MM-DD."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return str(value)


def _as_date(value) -> str:
    """Excel dates and the text forms Excel writes into CSV (2018/5/10) as YYYY-MM-DD."""
    text = _as_text(value)
    match = DATE_TEXT.match(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return text
    return text


def _as_number(value):
    """150, 12.5, "150", "1,500", "92%" as numbers; whole numbers without ".0"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return _as_text(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not NUMBER_TEXT.match(text):
            return _as_text(value)
        text = text.replace(",", "").rstrip("%")
        value = float(text) if "." in text else int(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_boolean(value):
    if isinstance(value, bool):
        return value
    text = _as_text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return _as_text(value)


def _as_list(value, item_kind: str) -> list:
    """「数字化转型、技术创新」 or one item per line: split on 、 ; ； and line breaks."""
    if not isinstance(value, str):
        return [_as_scalar(value, item_kind)]
    items = (item.strip() for item in LIST_SEPARATORS.split(value.replace("\r", "\n")))
    return [_as_scalar(item, item_kind) for item in items if item]


def _as_services(value) -> list[dict]:
    """One service per line, 「名称：描述」 (full-width or ASCII colon; the description may be left out)."""
    services = []
    for line in _as_text(value).split("\n"):
        line = line.strip()
        if not line:
            continue
        separator = "：" if "：" in line else ":"
        name, _, description = line.partition(separator)
        service = {"name": name.strip()}
        if description.strip():
            service["description"] = description.strip()
        services.append(service)
    return services


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_text(value) -> str:
    return "" if _blank(value) else _as_text(value)


# ---------------------------------------------------------------- region names

REGION_CODE = re.compile(r"^[0-9]{6}$")


@lru_cache(maxsize=1)
def _region_names() -> dict[str, tuple[str, ...]]:
    """Name -> codes: each division by its full name (湖南省长沙市芙蓉区), by its name within its city
    (长沙市芙蓉区) and by its own name (芙蓉区, used only where the scheme's province has one of it)."""
    table = regions()
    names: dict[str, set[str]] = {}
    for code, region in table.items():
        city = table.get(region.city_code)
        forms = {region.full_name, region.name}
        if city is not None and region.city_code != code:
            forms.add(city.name + region.name)
        for form in forms:
            names.setdefault(form, set()).add(code)
    return {name: tuple(sorted(codes)) for name, codes in names.items()}


def region_code(text: str, prefix: str = "") -> tuple[str | None, str]:
    """(code, "") for a region name of the scheme's province (`prefix`, e.g. "43"), else (None, why).

    >>> region_code("长沙市芙蓉区", "43")
    ('430102', '')
    >>> region_code("长沙市芙容区", "43")[1]
    '没有名为「长沙市芙容区」的行政区划（是不是「长沙市芙蓉区」，即 430102？）：请写 6 位行政区划代码或省市区县全称'
    """
    wanted = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    names = {name: [code for code in codes if code.startswith(prefix)] for name, codes in _region_names().items()}
    codes = names.get(wanted, [])
    if len(codes) == 1:
        return codes[0], ""
    if codes:
        choices = "、".join(f"{regions()[code].full_name}（{code}）" for code in codes[:4])
        return None, f"「{text}」可指 {choices}：请写全称或行政区划代码"
    elsewhere = _region_names().get(wanted, ())
    if elsewhere:
        return None, f"「{text}」（{elsewhere[0]}）不在本名录的地区范围内：行政区划代码应以 {prefix} 开头"
    close = difflib.get_close_matches(wanted, [name for name, found in names.items() if len(found) == 1], n=1, cutoff=0.6)
    hint = f"（是不是「{close[0]}」，即 {names[close[0]][0]}？）" if close else ""
    return None, f"没有名为「{text}」的行政区划{hint}：请写 6 位行政区划代码或省市区县全称"


# ---------------------------------------------------------------- checking and writing

def validate_in_memory(repository: Repository, candidates: list[Candidate], scheme_id: str, kind: str,
                       columns: list[Column], today: date, display: str) -> list[Finding]:
    """Run the real validator on the repository with the candidates added as the files they would
    become (replacing a record at the same path); return the findings on the candidates, and those
    on existing records that name one (a collision across records), moved to their rows and columns."""
    by_path = {candidate.path: candidate for candidate in candidates}
    findings: list[Finding] = []
    added = []
    for candidate in track(candidates, "检查导入的记录"):
        # parsed from the very text that would be written, so findings have its lines and columns
        document, problems = load_bytes(record_yaml(candidate.record).encode("utf-8"), candidate.path)
        findings += problems
        if document is not None:
            added.append(Record(candidate.path, scheme_id, kind, Path(candidate.path).stem, document))
    # the existing records are unfocused (load_repository(root, focus=[])): only the candidates get
    # the checks of one record, while the checks across records see everyone
    checked = replace(repository, records=[r for r in repository.records if r.path not in by_path] + added)
    findings += validate_repository(checked, today, load_calendar(repository.root))
    on_sheet = [_on_sheet(finding, by_path[finding.path], columns, display) for finding in findings
                if finding.path in by_path]
    # A check across records may report a pair on only one of its two records, naming the other: a
    # revoked row whose ban covers an existing record's application is reported on the existing file.
    for finding in findings:
        candidate = next((c for c in candidates if finding.path not in by_path and c.path in finding.message), None)
        if candidate is None or any(f.line == candidate.row and f.rule == finding.rule for f in on_sheet):
            continue
        about = replace(finding, message=f"现有记录 {finding.path}：{finding.message}")
        on_sheet.append(_on_sheet(about, candidate, columns, display))
    return on_sheet


def bans_overwritten(repository: Repository, candidates: list[Candidate], columns: list[Column], scheme,
                     today: date, display: str) -> list[Finding]:
    """With --force, a row may replace a revoked record whose re-application ban is still running
    only if it keeps that revocation (status revoked, same date): else the import would erase the
    ban, and the repository checked with the row in its place would no longer hold it."""
    existing = {record.path: record for record in repository.records}
    findings = []
    for candidate in candidates:
        old = existing[candidate.path].values if candidate.path in existing else None
        revocation = old.action_in_force("revocation") if old is not None else None
        until = ban_end(scheme, revocation)
        if until is None or today > until:
            continue
        new = candidate.record.get("recognition")
        kept = new.get("revocation") if isinstance(new, dict) and new.get("status") == "revoked" else None
        if isinstance(kept, dict) and str(kept.get("date")) == revocation.date.isoformat():
            continue
        column = column_for("$.recognition.status", columns) or column_for("$.id", columns)
        findings.append(Finding(
            display, candidate.row, column.index if column else 0, "import-erases-ban",
            f"第 {candidate.row} 行：{candidate.path} 于 {revocation.date} 被撤销，至 {until}（含）不得再次申报，"
            "覆盖会抹去这条撤销记录：更正原记录请保留认定状态 revoked 和撤销日期",
            scheme.cite(revocation.basis.strip() or scheme.validity_basis), "$.recognition"))
    return findings


def _on_sheet(finding: Finding, candidate: Candidate, columns: list[Column], display: str) -> Finding:
    column = column_for(finding.json_path, columns)
    label = f"「{column.header}」" if column else ""
    return Finding(display, candidate.row, column.index if column else 0, finding.rule,
                   f"第 {candidate.row} 行{label}：{finding.message}", finding.basis, finding.json_path, finding.severity)


def column_for(path: str, columns: list[Column]) -> Column | None:
    """The column of a finding's json_path (`$.services[0].name` -> services): the column of that
    key, else of its nearest parent, else the first column inside it. A finding on the whole
    record (`$`, e.g. a repeated id) points at the id, the column that names the record."""
    key = re.sub(r"\[[0-9]+\]", "", path).removeprefix("$").removeprefix(".") or "id"
    by_key = {column.field.key: column for column in columns}
    parts = key.split(".") if key else []
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in by_key:
            return by_key[".".join(parts[:length])]
    return next((column for column in columns if key and column.field.key.startswith(key + ".")), None)


class _Dumper(yaml.SafeDumper):
    """safe_dump, with list items indented under their key and multi-line text as a `|` block."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_text)


def record_yaml(record: dict) -> str:
    """The file text of a record. Text that looks like a number or a date stays quoted."""
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000)


def write_records(root: Path, candidates: list[Candidate]) -> list[str]:
    """Write every record: each to a temporary file first, then all moved into place."""
    staged = []
    for candidate in candidates:
        target = root / candidate.path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.import-tmp")
        temporary.write_text(record_yaml(candidate.record), encoding="utf-8")
        staged.append((temporary, target))
    for temporary, target in staged:
        os.replace(temporary, target)
    return [candidate.path for candidate in candidates]


# ---------------------------------------------------------------- the empty template

TEMPLATE_ROWS = 500        # rows below the notes that get the drop-down lists
KIND_NOTES = {"date": "日期，如 2026-01-31", "integer": "整数", "number": "数字", "boolean": "是 / 否",
              "list": "可填多项，用「、」分隔", "services": "每行一项：「名称：说明」"}


def template_columns(schema: dict) -> list[tuple[str, Target]]:
    """(header, field) of every column a sheet of this kind may have, in the schema's order: each
    header the shortest label that the import reads back as that field (「电话」 or 「联系方式·电话」).
    The scheme is not a column: the import sets it."""
    fields, open_objects = schema_fields(fields_of(schema))
    labels = _label_index(fields)
    columns = []
    for key, entry in fields.items():
        if key == "scheme":
            continue
        titles = entry.title.split("·")
        for label in (titles[-1], "·".join(titles[-2:]), entry.title, key):
            found, problem = _resolve_header(label, fields, open_objects, labels)
            if problem is None and found.key == key:
                columns.append((label, entry))
                break
    return columns


def template_note(entry: Target) -> str:
    """What the notes row says of a column: required or not, how to write it, its choices."""
    parts = ["必填" if entry.required else "选填"]
    choices = _choices(entry)
    if entry.key == "region":
        parts.append("6 位行政区划代码，或写地名（长沙市芙蓉区）")
    elif entry.hint and not choices:
        parts.append(entry.hint)
    elif entry.kind in KIND_NOTES:
        parts.append(KIND_NOTES[entry.kind])
    if choices and entry.kind != "boolean":
        parts.append("可选：" + "、".join(choices))
    return "；".join(parts)


def _choices(entry: Target) -> list[str]:
    """The values of a drop-down list: an enum's labels where it has them (公示中), else its values."""
    if entry.kind == "boolean":
        return ["是", "否"]
    return [label for label, _ in entry.labels if label not in DERIVED_STATUS_LABELS] or [str(c) for c in entry.choices]


def write_template(scheme, kind: str, schema: dict, path: Path) -> None:
    """An empty import sheet: row 1 the headers (序号 first, ignored by the import), row 2 a note on
    each column (the import skips it), and a drop-down list on every column with a fixed set of values
    (the lists are on a hidden sheet 「选项」: a list typed into the rule may hold 255 characters only)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from directory.staff.documents import text_width

    columns = template_columns(schema)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{scheme.rules(kind).label}导入"[:31]
    options = workbook.create_sheet("选项")
    options.sheet_state = "hidden"
    sheet.append(["序号"] + [header for header, _ in columns])
    sheet.append([NOTES_MARK] + [template_note(entry) for _, entry in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(color="666666")
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = 10
    listed = 0
    for index, (header, entry) in enumerate(columns, start=2):
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = min(max(text_width(header) + 4, 14), 40)
        choices = _choices(entry)
        if not choices:
            continue
        listed += 1
        source = column_letter(listed)
        for row, choice in enumerate(choices, start=1):
            options[f"{source}{row}"] = choice
        # a list field takes several values (「A、B」): the list helps, but typing is allowed
        several = entry.kind == "list"
        validation = DataValidation(type="list", formula1=f"'选项'!${source}$1:${source}${len(choices)}",
                                    allow_blank=True, showErrorMessage=not several,
                                    errorTitle=header, error=f"请从下拉列表中选择「{header}」")
        validation.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
        sheet.add_data_validation(validation)
    workbook.save(str(path))
