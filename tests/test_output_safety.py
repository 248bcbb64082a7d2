"""Output others read is safe: CI annotations, text lines, open-data spreadsheets, imported cells.

Values staff or applicants typed reach the output quoted in messages and cells; none of them may
turn into a CI workflow command (`::error::`, `::add-mask::`), a second line, or a spreadsheet formula.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest

from conftest import TODAY, edit, good_record, line_of
from directory.cli import main
from directory.library.repository import load_repository
from directory.reporters import report_text
from directory.rules.calendar import load_calendar
from directory.rules.schemas import build_schemas
from directory.site.catalogue import build_catalogue
from directory.site.opendata import write_open_data
from directory.staff.report import ReportItem

HUNAN = "hunan-sme-hexin"

# (typed value, as the text format shows it, as a GitHub annotation shows it once the runner unescaped it)
HOSTILE = [
    ("甲\n::error file=x.yaml::伪造的错误", "甲\\n::error file=x.yaml::伪造的错误", "甲\n::error file=x.yaml::伪造的错误"),
    ("::add-mask::秘密", "::add-mask::秘密", "::add-mask::秘密"),
    ("百分号 %0A::error::伪造 %25", "百分号 %0A::error::伪造 %25", "百分号 %0A::error::伪造 %25"),
    ("回车\r::warning::伪造", "回车\\r::warning::伪造", "回车\r::warning::伪造"),
    ("Windows\r\n::error::伪造", "Windows\\r\\n::error::伪造", "Windows\r\n::error::伪造"),
    ("分隔符\u2028::error::\u2029下一段\x85", "分隔符\\u2028::error::\\u2029下一段\\u0085",
     "分隔符\\u2028::error::\\u2029下一段\\u0085"),
    ("控制符\x1b[31m\x0b\x0c\x1c\t", "控制符\\u001b[31m\\u000b\\u000c\\u001c\\t", "控制符\\u001b[31m\\u000b\\u000c\\u001c\\t"),
    ("逗号, 冒号: 都在属性里", "逗号, 冒号: 都在属性里", "逗号, 冒号: 都在属性里"),
]
ANNOTATION = re.compile(r"^::(error|warning) file=([^:,]*)(,line=[0-9]+,col=[0-9]+)?,title=([^:,]*)::(.*)$")


def hostile_library(library, value: str) -> None:
    """The value as an enum value (its message quotes it) and inside a record's file name."""
    library.add(HUNAN, edit(good_record(HUNAN), "nature: 私人企业", f"nature: {json.dumps(value)}"))
    stem = "cs-" + value.replace("/", "")
    library.add(HUNAN, edit(good_record(HUNAN).replace("cs-zhiyuan", "cs-other"), '"91430102MA4L2X1Q5B"',
                            '"91430102MA4L2X1Q6X"'), stem=stem)


def validate_output(library, capsys, output_format: str) -> str:
    code = main(["--root", str(library.root), "validate", "--format", output_format, "--today", TODAY.isoformat()])
    assert code == 1
    return capsys.readouterr().out


def unescape(value: str) -> str:
    """What the GitHub runner makes of an escaped annotation value (toolkit's escapeProperty reversed)."""
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


@pytest.mark.parametrize("value, in_text, in_annotation", HOSTILE)
def test_the_text_format_keeps_one_finding_on_one_line_that_never_starts_with_two_colons(
        library, capsys, value, in_text, in_annotation):
    hostile_library(library, value)
    findings = json.loads(validate_output(library, capsys, "json"))
    text = validate_output(library, capsys, "text")
    lines = text.rstrip("\n").splitlines()   # str.splitlines also breaks at U+2028, U+0085, \x0b, \x1c ...
    assert len(lines) == len(findings) and len(findings) >= 3
    assert not [line for line in lines if line.lstrip().startswith("::")]
    enum_line = next(line for line in lines if "schema-enum" in line)
    assert f"「机构性质」的值「{in_text}」不在可选范围内" in enum_line
    assert any(line.startswith(f"providers/{HUNAN}/cs-{in_text}.yaml:") for line in lines)


@pytest.mark.parametrize("value, in_text, in_annotation", HOSTILE)
def test_github_annotations_escape_every_value_so_the_runner_reads_exactly_one_command_per_finding(
        library, capsys, value, in_text, in_annotation):
    hostile_library(library, value)
    findings = json.loads(validate_output(library, capsys, "json"))
    lines = validate_output(library, capsys, "github").rstrip("\n").splitlines()
    assert len(lines) == len(findings)
    annotations = []
    for line in lines:
        match = ANNOTATION.match(line)
        assert match, line
        annotations.append((unescape(match[2]), unescape(match[4]), unescape(match[5])))
    expected = [(f["path"].replace(value, in_annotation), f["rule"],
                 (f["message"] + (f"（依据：{f['basis']}）" if f["basis"] else "")).replace(value, in_annotation))
                for f in findings]
    assert annotations == expected
    assert any(f"「{in_annotation}」" in message for _, _, message in annotations)
    assert f"providers/{HUNAN}/cs-{in_annotation}.yaml" in [path for path, _, _ in annotations]


@pytest.mark.parametrize("path", ["::error::x.csv", ":x.csv", "  ::add-mask::x.csv"])
def test_a_file_name_starting_with_colons_does_not_start_a_text_line(library, capsys, path, tmp_path):
    sheet = tmp_path / path
    sheet.write_text("\ufeffid,name\nx-one,甲\n", encoding="utf-8")
    code = main(["--root", str(library.root), "import", str(sheet.relative_to(tmp_path)), "--scheme", HUNAN])
    lines = capsys.readouterr().out.splitlines()
    assert code in (1, 2) and lines  # the file is not found from the library's folder: still a finding
    assert lines[0] == "行    列    问题" and path in lines[1]   # the import's error table: the name inside a line
    assert not [line for line in lines if line.lstrip().startswith("::")]


def test_a_broken_settings_file_is_a_located_finding_on_one_line(library, capsys):
    library.write("schemes/_common/holidays.yaml", "years:\n  2026: {source: x,\n::error::伪造 a: b\n")
    assert main(["--root", str(library.root), "validate"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("schemes/_common/holidays.yaml:3:1: error[yaml-syntax]")


def test_the_staff_report_text_keeps_each_item_on_one_line():
    item = ReportItem("2026-11-23", HUNAN, "expiring", "cs-zhiyuan", "providers/x.yaml",
                      "名称\n::error::伪造\u2028第二行", "续期复核\r::warning::")
    [heading, line] = report_text([item]).splitlines()
    assert heading.startswith("== ") and line.startswith("  2026-11-23")
    assert "名称\\n::error::伪造\\u2028第二行 → 续期复核\\r::warning::" in line


# ---------------------------------------------------------------- e-mail addresses

# (address, valid): the same in `directory validate` and in the browser form (test_form.py)
EMAILS = [
    ("service@example.cn", True), ("first.last@mail.example.com.cn", True), ("a+tag@example.cn", True),
    ("o'brien_x-y@sub-domain.example.org", True), ("12345@qq.com", True), ("UPPER@EXAMPLE.CN", True),
    ("a@xn--fsqu00a.xn--fiqs8s", True), ("x" * 64 + "@example.cn", True),
    ("service.example.cn", False), ("a@example", False), ("a@example.c", False), ("a@example.c0m", False),
    (".a@example.cn", False), ("a.@example.cn", False), ("a..b@example.cn", False), ("a@-example.cn", False),
    ("a@example-.cn", False), ("a@example..cn", False), ("a@example.cn.", False), ("a b@example.cn", False),
    ("a@@example.cn", False), ("张三@example.cn", False), ("a@exa_mple.cn", False), ("x" * 65 + "@example.cn", False),
]
# a line break or surrounding space: the browser's e-mail field drops them, validate refuses them
EMAILS_IN_FILES_ONLY = [("service@example.cn\n", False), ("\nservice@example.cn", False),
                        (" service@example.cn", False)]


@pytest.mark.parametrize("address, valid", EMAILS + EMAILS_IN_FILES_ONLY)
def test_validate_checks_an_email_address_by_the_pattern_of_the_common_definitions(library, address, valid):
    text = edit(good_record(HUNAN), "email: service@zhiyuan.example.cn", f"email: {json.dumps(address)}")
    library.add(HUNAN, text)
    # a line break or surrounding space is also named by the text checks (text-line-break, text-surrounding-space)
    found = [(f.line, f.rule, f.json_path) for f in library.errors() if not f.rule.startswith("text-")]
    assert found == ([] if valid else [(line_of(text, "email:"), "email", "$.contact.email")])
    if not valid:
        [finding] = [f for f in library.errors() if f.rule == "email"]
        assert finding.message.startswith(f"「电子信箱」格式不对：「{address}」，应为「用户名@域名」形式的地址")


# ---------------------------------------------------------------- open data: formulas stay text

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+86 731 8888", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def open_data(tmp_path_factory):
    """providers.csv and directory.xlsx of a library whose published records hold FORMULAS as their
    name, address and legal representative."""
    from conftest import Library

    root = tmp_path_factory.mktemp("opendata")
    library = Library(root)
    for index, formula in enumerate(FORMULAS):
        text = good_record(HUNAN).replace("cs-zhiyuan", f"cs-formula-{index}")
        for key in ("name", "address", "legal_representative"):
            value = json.dumps(formula + "有限公司")
            text = re.sub(rf"^{key}: .*$", lambda _: f"{key}: {value}", text, count=1, flags=re.M)
        library.add(HUNAN, text)
    repository = load_repository(root)
    schemas, _ = build_schemas(root, repository.schemes)
    catalogue = build_catalogue(repository, schemas, load_calendar(root), TODAY)
    write_open_data(catalogue, root / "data", schemas)
    return root / "data"


def published(rows: list[list], column: str) -> list:
    header, *body = rows
    return [row[header.index(column)] for row in body]


HOSTILE_COLUMNS = ["机构名称", "地址", "法定代表人"]


def csv_rows(open_data) -> list[list[str]]:
    text = (open_data / "providers.csv").read_bytes().decode("utf-8-sig")  # read_text would turn CR into LF
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("column", HOSTILE_COLUMNS)
def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(open_data, column):
    assert sorted(published(csv_rows(open_data), column)) == sorted("'" + formula + "有限公司" for formula in FORMULAS)


@pytest.mark.parametrize("column", HOSTILE_COLUMNS)
def test_an_xlsx_cell_holds_the_exact_text_as_a_string_never_a_formula(open_data, column):
    header, *body = list(openpyxl.load_workbook(open_data / "directory.xlsx")["服务机构"].iter_rows())
    cells = [row[[cell.value for cell in header].index(column)] for row in body]
    # XML reads a raw CR back as LF (XML 1.0 §2.11); either way the cell is text
    expected = [(formula + "有限公司").replace("\r", "\n") for formula in FORMULAS]
    assert sorted(cell.value.replace("\r", "\n") for cell in cells) == sorted(expected)  # lxml keeps the CR
    assert {cell.data_type for cell in cells} == {"s"} and all(cell.quotePrefix for cell in cells)


def test_other_cells_are_written_as_they_are(open_data):
    header, first, *_ = csv_rows(open_data)
    assert first[header.index("统一社会信用代码")] == "91430102MA4L2X1Q5B"
    assert not [cell for title, cell in zip(header, first) if title not in HOSTILE_COLUMNS and cell.startswith("'")]
    rows = list(openpyxl.load_workbook(open_data / "directory.xlsx")["服务机构"].iter_rows(max_row=2))
    assert [c.value for c in rows[0]] == header
    assert [title for title, cell in zip(header, rows[1]) if cell.quotePrefix] == HOSTILE_COLUMNS


def test_a_character_xml_cannot_hold_is_shown_escaped_in_the_xlsx_instead_of_failing_the_build(library):
    library.add(HUNAN, edit(good_record(HUNAN), "name: 长沙智远企业管理咨询有限公司", 'name: "长沙\\e智远\\0有限公司"'))
    repository = load_repository(library.root)
    schemas, _ = build_schemas(library.root, repository.schemes)
    write_open_data(build_catalogue(repository, schemas, load_calendar(library.root), TODAY), library.root / "data", schemas)
    sheet = openpyxl.load_workbook(library.root / "data" / "directory.xlsx")["服务机构"]
    header = [cell.value for cell in sheet[1]]
    assert sheet[2][header.index("机构名称")].value == "长沙\\u001b智远\\u0000有限公司"
