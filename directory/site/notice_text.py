"""The words of a formal 公示 (a batch's notice): one source for the site's notice page and for the
documents staff send (directory/staff/documents.py writes them as DOCX or HTML).

Dates are written as GB/T 9704-2012 (7.3.5.3) wants a 成文日期: Arabic numerals, the year in full,
month and day without a leading zero (2026年12月7日).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from directory.site.catalogue import Entry, PublicityNotice

NOTICE_HEADERS = ("序号", "名称", "统一社会信用代码", "地区", "类别")
@dataclass(frozen=True)
class NoticeText:
    """A 公示 as words: what the DOCX, the HTML and the site's notice page show."""

    title: str
    paragraphs: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    issuer: str
    date_line: str


def chinese_date(day: date) -> str:
    """2026-12-07 -> 2026年12月7日 (GB/T 9704: no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def tidy(text: str) -> str:
    """No spaces between Chinese and figures in a formal document: 「2026 年度」 -> 「2026年度」."""
    return re.sub(r"(?<=[0-9\u3400-\u9fff）】])\s+(?=[0-9\u3400-\u9fff（【])", "", text.strip())


def notice_subject(title: str) -> str:
    """What the 公示 announces: the batch title, as a 名单 (「…（第一批）」 -> 「…（第一批）拟认定名单」)."""
    title = tidy(title)
    return title if title.endswith("名单") else f"{title}拟认定名单"


def notice_text(notice: PublicityNotice) -> NoticeText:
    """The formal 公示 of a batch, in the usual form of such notices.

    >>> # 根据《…办法》（文号），…现将…拟认定名单予以公示。公示期为2026年11月19日至2026年11月27日（7个工作日）。
    """
    scheme = notice.scheme
    subject = notice_subject(notice.title)
    document = f"《{scheme.document.title}》" + (f"（{scheme.document.number}）" if scheme.document.number else "")
    count = f"（共{len(notice.entries)}{'名' if notice.entries and all(e.kind == 'expert' for e in notice.entries) else '家'}）"
    paragraphs = [f"根据{document}有关规定，经申报、推荐和审核，现将{subject}{count}予以公示。"]
    days = f"（{notice.working_days}个工作日）" if notice.working_days else ""
    if notice.start and notice.end:
        paragraphs.append(f"公示期为{chinese_date(notice.start)}至{chinese_date(notice.end)}{days}。")
    elif notice.start:  # the holiday schedule of the end's year is not out yet: no end date guessed
        paragraphs.append(f"公示期自{chinese_date(notice.start)}起{days.strip('（）')}，截止日期待节假日安排公布后确定。")
    paragraphs.append("公示期间，任何单位或个人如有异议，请以书面形式实名反映，并提供必要的证明材料。"
                      "以单位名义反映的，须加盖单位公章；以个人名义反映的，须署真实姓名并提供联系方式。逾期不予受理。")
    if notice.channel:
        paragraphs.append(f"公示渠道：{notice.channel}。")
    if notice.objection_contact:
        paragraphs.append(f"联系方式：{notice.objection_contact}。")
    return NoticeText(
        title=f"关于{subject}的公示",
        paragraphs=tuple(paragraphs),
        headers=NOTICE_HEADERS,
        rows=tuple((str(number), *entry_cells(entry)) for number, entry in enumerate(notice.entries, start=1)),
        issuer=scheme.issuer,
        date_line=chinese_date(notice.start) if notice.start else "",
    )


def entry_cells(entry: Entry) -> tuple[str, str, str, str]:
    """名称, 统一社会信用代码 (an expert has none), 地区, 类别."""
    return (entry.name, str(entry.public.get("credit_code", "")) or "—",
            entry.region.full_name if entry.region else str(entry.public.get("region", "")),
            "、".join(entry.categories))
