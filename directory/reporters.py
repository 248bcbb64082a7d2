"""Output formats of the same findings: text for staff, GitHub annotations for CI, JSON for tools."""
from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict

from directory.findings import Finding

def text(findings: list[Finding]) -> str:
    """`path:line:col: error[rule] 说明（依据：文件 第X条）`, one line per finding.

    Messages quote what staff typed and paths are whatever was given: a line break or other control
    character in them is shown escaped (`\\n`), so one finding stays one line, and a path starting
    with ":" (after spaces) gets "./" in front, so no line can start with "::": the GitHub runner
    reads such a line, leading spaces trimmed, as a workflow command.
    """
    lines = []
    for finding in findings:
        basis = f"（依据：{finding.basis}）" if finding.basis else ""
        path = one_line(finding.path)
        if path.lstrip().startswith(":"):
            path = "./" + path
        lines.append(f"{path}:{finding.line}:{finding.column}: "
                     f"{finding.severity}[{one_line(finding.rule)}] {one_line(finding.message + basis)}")
    return "\n".join(lines)


def github(findings: list[Finding]) -> str:
    """GitHub workflow commands, so errors show on the changed lines of a pull request."""
    lines = []
    for finding in findings:
        basis = f"（依据：{finding.basis}）" if finding.basis else ""
        message = _escape_data(f"{finding.message}{basis}")
        properties = f"file={_escape_property(finding.path)}"
        if finding.line:
            properties += f",line={finding.line},col={finding.column}"
        properties += f",title={_escape_property(finding.rule)}"
        lines.append(f"::{'warning' if finding.severity == 'warning' else 'error'} {properties}::{message}")
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(finding) for finding in findings], ensure_ascii=False, indent=2)


def one_line(value: str, keep: str = "") -> str:
    """Control, format and line/paragraph separator characters (but those in `keep`) as visible
    escapes: "a\\nb", "\\u2028"."""
    shown = []
    for char in value:
        if char in keep:
            shown.append(char)
        elif char in _ESCAPES:
            shown.append(_ESCAPES[char])
        elif unicodedata.category(char) in _INVISIBLE:
            shown.append(f"\\u{ord(char):04x}")
        else:
            shown.append(char)
    return "".join(shown)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}  # NUL, ESC, U+0085, U+200B, U+202E, U+2028, U+2029 ...


# GitHub's escaping of workflow command values (@actions/core `escapeData` / `escapeProperty`);
# other characters that some viewers take as a line break (U+2028, U+0085, ...) shown as \uXXXX.
def _escape_data(value: str) -> str:
    return one_line(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS = {"text": text, "github": github, "json": as_json}


def report_text(items) -> str:
    """The staff report, grouped by kind, each line `date  scheme/record  message  → action（依据）`."""
    from directory.staff.report import KIND_TITLES

    lines = []
    for kind, title in KIND_TITLES.items():
        group = [item for item in items if item.kind == kind]
        if not group:
            continue
        lines.append(f"== {title}（{len(group)}）")
        for item in group:
            action = f" → {item.action}" if item.action else ""
            basis = f"（依据：{item.basis}）" if item.basis else ""
            lines.append(one_line(f"  {item.date}  {item.scheme}/{item.record}  {item.message}{action}{basis}"))
    return "\n".join(lines)


def report_json(items) -> str:
    return json.dumps([asdict(item) for item in items], ensure_ascii=False, indent=2)


def report_with_counts(items) -> str:
    """The text report: the counts per kind and scheme first, then the items."""
    from directory.staff.report import counts_text

    return "\n".join(part for part in (one_line(counts_text(items), keep="\n"), report_text(items)) if part)


REPORT_FORMATS = {"text": report_with_counts, "json": report_json}
