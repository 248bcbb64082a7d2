"""The 申请表 an applicant prints, signs and stamps: a Word template written at build time.

The build writes `application.docx` beside each form page: the scheme's application form laid out
as its own annex is (a title, 申请单位（盖章） and 填报日期 above a ruled table of label | value
cells, two to a row; long texts, choices and the service list across the row; the 推荐单位意见
and the applicant's signature and stamp at the foot), every value a placeholder in a run of
its own. apply.js fills the placeholders in the browser (with the vendored fflate to open and
re-pack the zip) and offers the filled file for download: nothing is sent anywhere.

Placeholders, each the whole text of one run (`<w:t>`):

* `{{name}}`, `{{facts.area_m2}}`: the text of the control of that name (a choice: its label);
* `{{services}}`: a list group, one line per filled row (`1. 名称：说明`);
* `{{☐categories=数字化转型}}`: ☑ when that box is ticked, else ☐;
* `{{$date}}`: the day the file is made.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

# The title of each scheme's own application form, as its seed names it (SPEC §2 seeds); a scheme
# not listed gets "<title><kind label>申请表".
TITLES = {
    ("hubei-afxh", "provider"): "湖北省安全技术防范行业协会服务机构申请表",          # 000 附件 1
    ("hubei-sme-yanxuan", "provider"): "湖北省中小企业公共服务严选服务机构申请表",     # 001 附件1－2 申请报告
    ("hebei-sme-youzhi", "provider"): "河北省优质中小企业服务机构申请表",             # 002 附件
    ("jilin-city-sme", "provider"): "吉林市中小企业服务商申请表",                     # 003 第九条（二）
    ("jilin-city-sme", "expert"): "吉林市志愿服务中小企业专家申请表",                 # 003 第九条（三）
    ("hunan-sme-hexin", "provider"): "湖南省中小微企业核心服务机构申请表",            # 004 附件1
}
WIDE = {"textarea", "checkboxes"}       # controls that take a whole row
STAFF_ONLY = {"id"}                     # the record id names the file; the paper form has no use for it


def form_title(form) -> str:
    rules = form.scheme.rules(form.kind)
    return TITLES.get((form.scheme.id, form.kind), f"{form.scheme.title}{rules.label}申请表")


def application_docx(form, today: date) -> bytes:
    """The template of one form (a directory.site.form.Form) as .docx bytes, the same for the
    same build date (two builds on one date give identical sites)."""
    document = Document()
    stamp = datetime.combine(today, time())
    document.core_properties.created = document.core_properties.modified = stamp
    document.core_properties.title = form_title(form)
    _chinese_font(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(form_title(form))
    run.bold, run.font.size = True, Pt(16)
    heading = document.add_paragraph()
    heading.add_run("申请单位（盖章）：")
    heading.add_run("{{name}}")
    heading.add_run("　　　　填报日期：")
    heading.add_run("{{$date}}")

    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    pending: list = []          # short fields waiting for a partner on their row

    def flush() -> None:
        while pending:
            pair, pending[:] = pending[:2], pending[2:]
            cells = table.add_row().cells
            for index, field in enumerate(pair):
                _label(cells[2 * index], field.label)
                _value(cells[2 * index + 1], field)
            if len(pair) == 1:
                cells[1].merge(cells[3])

    def wide(label: str, fill) -> None:
        flush()
        cells = table.add_row().cells
        _label(cells[0], label)
        value = cells[1].merge(cells[3])
        fill(value.paragraphs[0])

    def section(label: str) -> None:
        flush()
        cells = table.add_row().cells
        merged = cells[0].merge(cells[3])
        merged.paragraphs[0].add_run(label).bold = True

    for item in form.items:
        if item.kind == "group":
            if item.repeat:
                wide(item.label, lambda paragraph, name=item.name: paragraph.add_run(f"{{{{{name}}}}}"))
                continue
            section(item.label + ("（不公开）" if item.private and "不公开" not in item.label else ""))
            for field in item.fields:
                _place(field, pending, wide, flush)
            flush()
        elif item.control != "hidden" and item.name not in STAFF_ONLY:
            _place(item, pending, wide, flush)
    flush()
    wide("推荐单位意见", lambda paragraph: paragraph.add_run("\n\n（盖章）\n年　　月　　日"))
    wide("申请单位承诺", lambda paragraph: paragraph.add_run(
        "本单位承诺以上所填内容及所附材料真实、准确、完整。\n\n法定代表人（签字）：　　　　　　申请单位（盖章）：\n年　　月　　日"))

    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same zip with every member dated `stamp` (zipfile dates them by the clock)."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as packed:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            packed.writestr(info, source.read(member.filename))
    return target.getvalue()


def _place(field, pending: list, wide, flush) -> None:
    if field.control in WIDE:
        wide(field.label, lambda paragraph: _value_into(paragraph, field))
    else:
        pending.append(field)


def _label(cell, text: str) -> None:
    cell.paragraphs[0].add_run(text)


def _value(cell, field) -> None:
    _value_into(cell.paragraphs[0], field)


def _value_into(paragraph, field) -> None:
    if field.control == "checkboxes":       # the form's own boxes: □数字化转型 □技术创新 …
        for value, label in field.options:
            paragraph.add_run(f"{{{{☐{field.name}={value}}}}}")
            paragraph.add_run(f"{label}　")
        return
    paragraph.add_run(f"{{{{{field.name}}}}}")


def _chinese_font(document) -> None:
    """SimSun for East Asian text, as the seeds' forms are set (Word falls back where it lacks it)."""
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "宋体")
