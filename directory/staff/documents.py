"""The documents staff send: the formal 公示 of a batch and the 名录 of a scheme, as DOCX, HTML or XLSX.

In: the site's Catalogue (directory/site/catalogue.py: its PublicityNotice and Entry), so a document
says what the site says. Out: a `NoticeText` / `RosterText` (plain strings and rows), and writers
that put one into a file. The wording of the 公示 lives only in directory/site/notice_text.py:
the CLI's documents and the site's notice page both show what it returns.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from directory.site.catalogue import Catalogue
from directory.site.notice_text import NoticeText, chinese_date, entry_cells, tidy

ROSTER_HEADERS = ("序号", "名称", "统一社会信用代码", "地区", "类别", "证书编号", "有效期至", "状态")
# the order of the 名录: what is in force first, then what is not
ROSTER_ORDER = ("valid", "expiring", "publicity", "suspended", "expired", "withdrawn", "revoked")


@dataclass(frozen=True)
class RosterText:
    title: str
    subtitle: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    issuer: str


def roster_text(catalogue: Catalogue, scheme_id: str) -> RosterText:
    """The published records of a scheme with their statuses on the catalogue's day."""
    scheme = next(s for s in catalogue.schemes if s.id == scheme_id)
    entries = sorted(catalogue.of_scheme(scheme_id),
                     key=lambda e: (ROSTER_ORDER.index(e.status) if e.status in ROSTER_ORDER else len(ROSTER_ORDER),
                                    e.region.code if e.region else "", e.name))
    rows = []
    for number, entry in enumerate(entries, start=1):
        until = entry.life.valid_until
        rows.append((str(number), *entry_cells(entry), str(entry.public["recognition"].get("certificate_no", "")),
                     chinese_date(until) if until and until < date.max else "", entry.status_label))
    return RosterText(title=f"{tidy(scheme.title)}名录", subtitle=f"（截至{chinese_date(catalogue.today)}）",
                      headers=ROSTER_HEADERS, rows=tuple(rows), issuer=scheme.issuer)


# ---------------------------------------------------------------- HTML

def notice_html(text: NoticeText) -> str:
    """A standalone page of the 公示 (to print or paste into a CMS): no asset from anywhere."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in text.headers)
    rows = "\n".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in text.rows)
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.paragraphs)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{html.escape(text.title)}</title>
<style>
body {{ max-width: 48em; margin: 2em auto; font-family: FangSong, "仿宋", "仿宋_GB2312", serif; font-size: 16pt; line-height: 1.8; }}
h1 {{ text-align: center; font-family: "方正小标宋简体", SimSun, "宋体", serif; font-size: 22pt; font-weight: normal; }}
p {{ text-indent: 2em; margin: 0; }}
.dir-signature {{ text-align: right; text-indent: 0; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1em; font-family: SimSun, "宋体", serif; font-size: 12pt; }}
th, td {{ border: 1px solid #000; padding: .2em .4em; }}
</style>
</head>
<body>
<h1>{html.escape(text.title)}</h1>
{paragraphs}
<p class="dir-signature">{html.escape(text.issuer)}</p>
<p class="dir-signature">{html.escape(text.date_line)}</p>
<table>
<thead><tr>{cells}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


# ---------------------------------------------------------------- DOCX

# fonts by name only (no font file ships with a document): the ones GB/T 9704 names, as Word knows them
TITLE_FONT, BODY_FONT, TABLE_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"


def notice_docx(text: NoticeText, path: Path) -> None:
    document = _a4_document(landscape=False)
    _heading(document, text.title)
    for paragraph in text.paragraphs:
        _body(document, paragraph)
    _body(document, "")
    for line in (text.issuer, text.date_line):
        _body(document, line, align="right")
    _table(document, text.headers, text.rows)
    document.save(str(path))


def roster_docx(text: RosterText, path: Path) -> None:
    document = _a4_document(landscape=True)   # eight columns: the page turned
    _heading(document, text.title)
    _body(document, text.subtitle, align="center")
    _table(document, text.headers, text.rows)
    document.save(str(path))


def _a4_document(landscape: bool):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    width, height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    # GB/T 9704 5.2.2 版心: top 37 mm, left 28 mm (the right and bottom margins follow from 156 × 225 mm)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    return document


def _font(run, name: str, size: float) -> None:
    """A run in `name` for Chinese and Latin text alike (Word reads w:eastAsia for CJK)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _heading(document, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(title), TITLE_FONT, 22)    # 二号


def _body(document, text: str, align: str = "justify") -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                           "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    if align == "justify":
        paragraph.paragraph_format.first_line_indent = Pt(32)   # two characters of 三号
    _font(paragraph.add_run(text), BODY_FONT, 16)      # 三号


def _table(document, headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers):
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        _font(run, TABLE_FONT, 12)
    # the header row repeats on every page
    header_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            _font(cell.paragraphs[0].add_run(value), TABLE_FONT, 12)


# ---------------------------------------------------------------- XLSX

def roster_xlsx(text: RosterText, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名录"
    write_sheet(sheet, text.headers, [(int(row[0]), *row[1:]) for row in text.rows])   # 序号 as numbers
    workbook.save(str(path))


def write_sheet(sheet, headers, rows, widths: dict[str, int] | None = None) -> None:
    """A header row in bold, frozen, and columns wide enough for their content (CJK counted double)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max([text_width(header)] + [text_width(str(row[index - 1])) for row in rows if index <= len(row)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 6), 60)


def text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
