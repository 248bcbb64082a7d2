"""The documents staff send: `directory notice` (公示, DOCX/HTML) and `directory roster` (名录, DOCX/XLSX)."""
from __future__ import annotations

import subprocess
import sys
from datetime import date

import docx
import openpyxl
import pytest

from conftest import edit, good_record
from directory.rules.codes import credit_code_check_character
from directory.site.notice_text import chinese_date, notice_subject

HUNAN = "hunan-sme-hexin"


def run(library, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=60)


def second_provider(text: str, stem: str, name: str, first17: str) -> str:
    """Another provider from the same good record: its own id, name and credit code."""
    text = edit(text, "id: cs-zhiyuan", f"id: {stem}")
    text = edit(text, "name: 长沙智远企业管理咨询有限公司", f"name: {name}")
    return edit(text, 'credit_code: "91430102MA4L2X1Q5B"', f'credit_code: "{first17}{credit_code_check_character(first17)}"')


@pytest.fixture
def in_publicity(library):
    """A hunan batch in 公示 from Tuesday 2026-12-01 (7 working days: to Wednesday 2026-12-09), two providers."""
    library.write(f"schemes/{HUNAN}/batches/2026-2.yaml",
                  "id: 2026-2\ntitle: 2026 年度湖南省中小微企业核心服务机构（第二批）\n"
                  "publicity: {start: 2026-12-01, channel: 省工信厅门户网站, objection_contact: 中小企业服务处 0731-88888888}\n")
    text = edit(edit(good_record(HUNAN), "  batch: t-2025", "  batch: 2026-2"), "  status: recognized", "  status: publicity")
    library.add(HUNAN, text)
    library.add(HUNAN, second_provider(text, "xt-huirong", "湘潭汇融企业服务有限公司", "91430302MA4Q8C7N7"))
    assert library.errors(date(2026, 12, 1)) == []
    return library


@pytest.mark.parametrize("day, written", [
    (date(2026, 12, 7), "2026年12月7日"),
    (date(2026, 1, 1), "2026年1月1日"),
    (date(2027, 10, 31), "2027年10月31日"),
])
def test_dates_are_written_without_leading_zeros_as_gb_t_9704_wants(day, written):
    assert chinese_date(day) == written


@pytest.mark.parametrize("title, subject", [
    ("2026 年度湖南省中小微企业核心服务机构（第二批）", "2026年度湖南省中小微企业核心服务机构（第二批）拟认定名单"),
    ("湖北省安全技术防范行业协会服务机构库 2026 年拟入库名单", "湖北省安全技术防范行业协会服务机构库2026年拟入库名单"),
])
def test_the_notice_announces_the_batch_as_a_list_without_spaces_beside_figures(title, subject):
    assert notice_subject(title) == subject


def test_the_notice_docx_has_the_title_the_publicity_period_and_a_numbered_table(in_publicity, tmp_path):
    result = run(in_publicity, "notice", "--scheme", HUNAN, "--batch", "2026-2", "-o", str(tmp_path / "公示.docx"),
                 "--today", "2026-11-25")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    document = docx.Document(str(tmp_path / "公示.docx"))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == "关于2026年度湖南省中小微企业核心服务机构（第二批）拟认定名单的公示"
    assert paragraphs[1].startswith("根据《湖南省中小微企业核心服务机构认定管理办法》（湘工信中小服务〔2024〕299号）")
    assert "（共2家）予以公示" in paragraphs[1]
    assert "公示期为2026年12月1日至2026年12月9日（7个工作日）。" in paragraphs
    assert "联系方式：中小企业服务处 0731-88888888。" in paragraphs
    assert paragraphs[-2:] == ["湖南省工业和信息化厅", "2026年12月1日"]
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["序号", "名称", "统一社会信用代码", "地区", "类别"],
        ["1", "长沙智远企业管理咨询有限公司", "91430102MA4L2X1Q5B", "湖南省长沙市芙蓉区", "数字化转型"],
        ["2", "湘潭汇融企业服务有限公司", "91430302MA4Q8C7N7" + credit_code_check_character("91430302MA4Q8C7N7"),
         "湖南省长沙市芙蓉区", "数字化转型"],
    ]


def test_the_notice_docx_is_a4_in_the_fonts_of_official_documents(in_publicity, tmp_path):
    run(in_publicity, "notice", "--scheme", HUNAN, "--batch", "2026-2", "-o", str(tmp_path / "公示.docx"))
    document = docx.Document(str(tmp_path / "公示.docx"))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    title, body = document.paragraphs[0].runs[0], document.paragraphs[1].runs[0]
    assert (title.font.name, body.font.name) == ("方正小标宋简体", "仿宋_GB2312")
    assert document.tables[0].rows[0].cells[0].paragraphs[0].runs[0].bold


def test_the_html_notice_says_what_the_docx_says(in_publicity, tmp_path):
    result = run(in_publicity, "notice", "--scheme", HUNAN, "--batch", "2026-2", "--format", "html",
                 "-o", str(tmp_path / "公示.html"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "公示.html").read_text(encoding="utf-8")
    assert "<h1>关于2026年度湖南省中小微企业核心服务机构（第二批）拟认定名单的公示</h1>" in page
    assert "<p>公示期为2026年12月1日至2026年12月9日（7个工作日）。</p>" in page
    assert "<td>2</td><td>湘潭汇融企业服务有限公司</td>" in page
    assert "http" not in page   # no asset from any other host


@pytest.mark.parametrize("args, message", [
    (["notice", "--scheme", "hunan", "--batch", "2026-2"], "没有名录「hunan」：可用的有 hebei-sme-youzhi、"),
    (["notice", "--scheme", HUNAN, "--batch", "2030-1"], "名录「hunan-sme-hexin」没有批次「2030-1」：已有的批次 2026-2、t-2025"),
    (["roster", "--scheme", "hunan"], "没有名录「hunan」"),
])
def test_an_unknown_scheme_or_batch_is_a_chinese_usage_error(in_publicity, tmp_path, args, message):
    result = run(in_publicity, *args, "-o", str(tmp_path / "out.docx"))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_a_library_with_errors_gets_no_document(in_publicity, tmp_path):
    in_publicity.add(HUNAN, edit(good_record(HUNAN), "id: cs-zhiyuan", "id: cs-bad").replace("area_m2: 300", "area_m2: 100"),
                     stem="cs-bad")
    result = run(in_publicity, "notice", "--scheme", HUNAN, "--batch", "2026-2", "-o", str(tmp_path / "公示.docx"))
    assert result.returncode == 1
    assert "未生成文件" in result.stderr and not (tmp_path / "公示.docx").exists()


def roster_library(library):
    """Three hunan providers on 2026-11-23: one valid, one revoked, one still under review (not published)."""
    text = good_record(HUNAN)
    library.add(HUNAN, text)
    library.add(HUNAN, edit(second_provider(text, "xt-chexiao", "湘潭撤销示例有限公司", "91430302MA4Q8C7N8"),
                            "  status: recognized",
                            "  status: revoked\n  revocation: {date: 2026-04-16, reason: 测试, basis: 第十九条（四）}"))
    under_review = second_provider(text, "zz-shenhe", "株洲审核中示例有限公司", "91430211MA4Q8C7N9")
    library.add(HUNAN, under_review[:under_review.index("recognition:")])
    assert library.errors() == []
    return library


def test_the_roster_xlsx_lists_the_published_records_with_their_status_today(library, tmp_path):
    result = run(roster_library(library), "roster", "--scheme", HUNAN, "-o", str(tmp_path / "名录.xlsx"),
                 "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "名录.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "名称", "统一社会信用代码", "地区", "类别", "证书编号", "有效期至", "状态")
    assert [(row[0], row[1], row[7]) for row in rows[1:]] == [
        (1, "长沙智远企业管理咨询有限公司", "有效"),
        (2, "湘潭撤销示例有限公司", "已撤销"),
    ]
    assert rows[1][6] == "2028年10月19日"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_the_roster_docx_has_the_same_rows_under_a_dated_title(library, tmp_path):
    result = run(roster_library(library), "roster", "--scheme", HUNAN, "--format", "docx",
                 "-o", str(tmp_path / "名录.docx"), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(tmp_path / "名录.docx"))
    assert [p.text for p in document.paragraphs[:2]] == ["湖南省中小微企业核心服务机构名录", "（截至2026年11月23日）"]
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells][-2:] == ["有效期至", "状态"]
    assert [row.cells[1].text for row in table.rows[1:]] == ["长沙智远企业管理咨询有限公司", "湘潭撤销示例有限公司"]
