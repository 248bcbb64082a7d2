"""Text that looks right but is not: every string of a record or batch, keys included.

Characters nobody can see make two names that look the same differ (a duplicate is not found, a
search misses), and a control character breaks the one-line messages and the pages built:

    name: 长沙智远企业管理咨询有限公司                 passes
    name: "长沙智远\u200b企业管理咨询有限公司"          text-invisible-character (a zero-width space)
    name: "长沙智远企业管理咨询有限公司\u3000"          text-surrounding-space (an ideographic space)
    legal_representative: "张某\n"                  text-line-break (only long texts may have lines)
    established: 1850-01-01                        date-out-of-range

A date outside EARLIEST..LATEST (rules/dates.py) is named here too: `parse_date` ignores it, so
without this finding it would be silently left out of every derived date.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from directory.findings import Finding, json_path
from directory.loading.yamlfile import Document
from directory.rules.dates import EARLIEST, LATEST
from directory.rules.schemas import describe

# The free texts written over several lines (机构简介, 服务内容, reasons): a line break is allowed there.
MULTILINE_KEYS = {"profile", "description", "reason"}

CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# zero-width and direction marks, soft hyphen, line/paragraph separators, word joiner, BOM
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

NAMES = {"\t": "制表符（Tab）", "\r": "回车符", "\n": "换行", "\x00": "空字符", "\u00a0": "不换行空格",
         "\u3000": "全角空格", " ": "空格", "\u00ad": "软连字符", "\u200b": "零宽空格",
         "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
         "\u2060": "零宽不换行符", "\ufeff": "零宽不换行空格（BOM）"}


def character_name(char: str) -> str:
    """'\\u200b' -> '零宽空格（U+200B）'."""
    return f"{NAMES.get(char, '控制字符' if unicodedata.category(char) == 'Cc' else '不可见字符')}（U+{ord(char):04X}）"


def visible(text: str) -> str:
    """The text with every control or invisible character written as its code, for one-line messages."""
    return INVISIBLE.sub(_code, CONTROL.sub(_code, text.replace("\n", "\\n")))


def _code(match: re.Match) -> str:
    return f"<U+{ord(match.group()):04X}>"


def text_findings(document: Document, validator) -> list[Finding]:
    """Every string value (and key) of `document`, walked without recursion."""
    findings: list[Finding] = []
    stack: list[tuple[object, tuple]] = [(document.data, ())]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check(document, validator, str(key), parts + (key, "<key>"), findings, parts + (key,))
                stack.append((item, parts + (key,)))
        elif isinstance(value, list):
            stack.extend((item, parts + (index,)) for index, item in enumerate(value))
        elif isinstance(value, str):
            _check(document, validator, value, parts, findings)
    return findings


def _check(document: Document, validator, value: str, parts: tuple, findings: list[Finding],
           label_parts: tuple | None = None) -> None:
    is_key = label_parts is not None
    label_parts = parts if label_parts is None else label_parts
    multiline = not is_key and any(part in MULTILINE_KEYS for part in parts if isinstance(part, str))
    problems = []
    control = CONTROL.search(value)
    invisible = INVISIBLE.search(value)
    inner = value.rstrip("\n") if multiline else value
    if "\n" in inner and not multiline:
        problems.append(("text-line-break", "中有换行：这一项只能写一行，请删除换行（常见于用 | 写成多行或复制粘贴时带入）"))
    if control:
        problems.append(("text-control-character",
                         f"含有{character_name(control.group())}（第 {control.start() + 1} 个字符）：请删除"))
    if invisible:
        problems.append(("text-invisible-character",
                         f"含有看不见的{character_name(invisible.group())}（第 {invisible.start() + 1} 个字符）："
                         "看起来一样的文字因此不同，请删除后重新输入"))
    stripped = inner.strip()
    if stripped != inner and not problems:  # one message per character is enough
        edge = inner[0] if inner[0] != stripped[:1] else inner[-1]
        where = "开头" if inner[0] != stripped[:1] else "末尾"
        problems.append(("text-surrounding-space", f"{where}有多余的{character_name(edge)}：请删除"))
    if not is_key and DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None  # not a date at all: the schema's date format reports it
        if day is not None and not EARLIEST <= day <= LATEST:
            problems.append(("date-out-of-range", f"为 {value}，不在合理范围（{EARLIEST} 至 {LATEST}）内：请核对年份"))
    if not problems:
        return
    label = _label(validator, label_parts) + ("的字段名" if is_key else "")
    line, column = document.position(parts)
    for rule, message in problems:
        findings.append(Finding(document.path, line, column, rule, f"「{label}」{message}", json_path=json_path(label_parts)))


def _label(validator, parts: tuple) -> str:
    if validator is None:
        return json_path(parts)
    return describe(validator, parts)[1]
