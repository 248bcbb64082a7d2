r"""Text that looks right but is not: every string of a record or batch, keys included.

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

import json
import re
import unicodedata
from datetime import date

from directory.findings import Finding, json_path
from directory.loading.yamlfile import Document
from directory.rules.dates import EARLIEST, LATEST
from directory.rules.schemas import describe


CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# soft hyphen, zero-width spaces and joiners, direction marks and overrides, line/paragraph
# separators, word joiner and invisible operators, BOM
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# one search that most strings fail, so that only the rare suspect one is looked at closely
SUSPECT = re.compile(CONTROL.pattern + "|" + INVISIBLE.pattern + r"|\n|^\s|\s$")
# the same, over a whole record written as JSON (see _may_hold_problems)
QUICK = re.compile(r'[\\\x7f-\x9f' + INVISIBLE.pattern[1:-1] + r']|"\s|\s"')
QUICK_YEARS = re.compile(r'"([0-9]{4})-[0-9]{2}-[0-9]{2}"')

NAMES = {"\t": "制表符（Tab）", "\r": "回车符", "\n": "换行", "\x00": "空字符", "\u00a0": "不换行空格",
         "\u3000": "全角空格", " ": "空格", "\u00ad": "软连字符", "\u200b": "零宽空格",
         "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
         "\u2060": "零宽不换行符", "\ufeff": "零宽不换行空格（BOM）"}


def character_name(char: str) -> str:
    """'\\u200b' -> '零宽空格（U+200B）'."""
    return f"{NAMES.get(char, '控制字符' if unicodedata.category(char) == 'Cc' else '不可见字符')}（U+{ord(char):04X}）"


def text_findings(document: Document, validator) -> list[Finding]:
    """Every string value and key of `document`, walked without recursion."""
    findings: list[Finding] = []
    if not _may_hold_problems(document.data):
        return findings

    def report(parts: tuple, where: tuple, problems: list[tuple[str, str]], suffix: str = "") -> None:
        if problems:
            label = (describe(validator, parts)[1] if validator is not None else json_path(parts)) + suffix
            line, column = document.position(where)
            findings.extend(Finding(document.path, line, column, rule, f"「{label}」{message}", json_path=json_path(parts))
                            for rule, message in problems)

    stack: list[tuple[object, tuple]] = [(document.data, ())]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if SUSPECT.search(str(key)):
                    report(parts + (key,), parts + (key, "<key>"), _problems(str(key), multiline=False), "的字段名")
                stack.append((item, parts + (key,)))
        elif isinstance(value, list):
            stack.extend((item, parts + (index,)) for index, item in enumerate(value))
        elif isinstance(value, str) and SUSPECT.search(value):
            # a line break is allowed in the free texts the schema marks `x-multiline` (简介, 服务说明, 理由)
            multiline = validator is not None and bool(describe(validator, parts)[0].get("x-multiline"))
            report(parts, parts, _problems(value, multiline) + _date_problems(value))
        elif isinstance(value, str) and DATE.fullmatch(value):
            report(parts, parts, _date_problems(value))
    return findings


def _may_hold_problems(data) -> bool:
    """False for a record with nothing to report (most), found without walking it: JSON writes
    each control character as an escape with a backslash and puts each string between quotes,
    so it is enough to look for a backslash, an invisible character, a space beside a quote
    and a date whose year is out of range."""
    try:
        written = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return True
    return bool(QUICK.search(written)) or any(not EARLIEST.year <= int(year) <= LATEST.year
                                              for year in QUICK_YEARS.findall(written))


def _problems(value: str, multiline: bool) -> list[tuple[str, str]]:
    """(rule, message) of each kind of unseen character in `value`; a long text may hold lines."""
    problems = []
    inner = value.rstrip("\n") if multiline else value  # a `|` block ends in a newline
    if "\n" in inner and not multiline:
        problems.append(("text-line-break", "中有换行：这一项只能写一行，请删除换行（常见于用 | 写成多行或复制粘贴时带入）"))
    control = CONTROL.search(value)
    if control:
        problems.append(("text-control-character",
                         f"含有{character_name(control.group())}（第 {control.start() + 1} 个字符）：请删除"))
    invisible = INVISIBLE.search(value)
    if invisible:
        problems.append(("text-invisible-character",
                         f"含有看不见的{character_name(invisible.group())}（第 {invisible.start() + 1} 个字符）："
                         "看起来一样的文字因此不同，请删除后重新输入"))
    stripped = inner.strip()
    if stripped != inner and not problems:  # one message per character is enough
        leading = inner[0] != stripped[:1]
        edge = inner[0] if leading else inner[-1]
        problems.append(("text-surrounding-space", f"{'开头' if leading else '末尾'}有多余的{character_name(edge)}：请删除"))
    return problems


def _date_problems(value: str) -> list[tuple[str, str]]:
    if not DATE.fullmatch(value):
        return []
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return []  # not a date at all: the schema's date format reports it
    if EARLIEST <= day <= LATEST:
        return []
    return [("date-out-of-range", f"为 {value}，不在合理范围（{EARLIEST} 至 {LATEST}）内：请核对年份")]

