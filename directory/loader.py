"""Read one YAML file into plain Python values plus the position of every value.

PyYAML's C parser builds the node tree (it knows each node's line and column); a small walk turns
the nodes into values and records where each one stood, so any later finding can point at
`file:line:col`. Loading never raises: a file that cannot be read becomes findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from directory.findings import Finding, json_path


class _Loader(yaml.CSafeLoader):
    """The C loader, except that dates stay strings.

    jsonschema's `date` format check skips anything that is not a string, so a date that YAML
    turned into `datetime.date` would never be checked; dates are parsed in one place (lifecycle).
    """


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)

_SCALAR_TAGS_KEPT_AS_TEXT = {"tag:yaml.org,2002:str"}


@dataclass
class Document:
    """A YAML file's content with the 1-based (line, column) of every value, keyed by path tuple."""

    path: str
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    # The text YAML read as a number or boolean, for "请加引号" messages: path tuple -> source text.
    scalar_source: dict[tuple, str] = field(default_factory=dict)

    def position(self, parts: tuple) -> tuple[int, int]:
        """Where the value at `parts` stands; a missing key points at its nearest existing parent."""
        parts = tuple(parts)
        while parts not in self.positions and parts:
            parts = parts[:-1]
        return self.positions.get(parts, (1, 1))


def load_file(path: Path, display_path: str) -> tuple[Document | None, list[Finding]]:
    """Read and parse one file. Returns the document (None if unreadable) and its findings."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Finding(display_path, 0, 0, "file-unreadable", f"无法读取文件：{error.strerror}")]
    return load_bytes(raw, display_path)


def load_bytes(raw: bytes, display_path: str) -> tuple[Document | None, list[Finding]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [_encoding_finding(raw, error, display_path)]
    if text.startswith("\ufeff"):
        text = text[1:]

    findings = _tab_findings(text, display_path)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            findings.append(Finding(display_path, 1, 1, "yaml-empty", "文件为空：应为一条记录（键: 值 的映射）"))
            return None, findings
        document = Document(display_path, None)
        document.data = _to_python(loader, root, (), document, findings)
    except yaml.MarkedYAMLError as error:
        if not findings:  # a tab already explains most scanner errors; one message is enough
            findings.append(_syntax_finding(error, display_path))
        return None, findings
    except yaml.YAMLError as error:  # pragma: no cover - the C parser reports marked errors
        findings.append(Finding(display_path, 1, 1, "yaml-syntax", f"YAML 语法错误：{error}"))
        return None, findings
    finally:
        loader.dispose()
    return document, findings


def _to_python(loader, node, parts: tuple, document: Document, findings: list[Finding]):
    """Turn a composed node into plain values, recording each value's position."""
    document.positions[parts] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        mapping = {}
        for key_node, value_node in node.value:
            # Keys are kept as written: `2025: A` gives "2025", as JSON object keys are strings.
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<复杂键>"
            key_position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in mapping:
                first_line = document.positions[parts + (key, "<key>")][0]
                findings.append(Finding(
                    document.path, *key_position, "yaml-duplicate-key",
                    f"键「{key}」重复出现（第一次在第 {first_line} 行）：YAML 只保留最后一个值，请删除其中一个",
                    json_path=json_path(parts + (key,)),
                ))
            document.positions[parts + (key, "<key>")] = key_position
            mapping[key] = _to_python(loader, value_node, parts + (key,), document, findings)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, parts + (index,), document, findings)
                for index, item in enumerate(node.value)]
    if node.tag in _SCALAR_TAGS_KEPT_AS_TEXT:
        return node.value
    value = loader.construct_object(node)
    if isinstance(value, (int, float, bool)):
        document.scalar_source[parts] = node.value
    return value


def _tab_findings(text: str, display_path: str) -> list[Finding]:
    """YAML forbids tabs for indentation; name every line that starts with one."""
    if "\t" not in text:
        return []
    findings = []
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            findings.append(Finding(display_path, number, indent.index("\t") + 1, "yaml-tab",
                                    "此行用制表符（Tab）缩进：YAML 只能用空格缩进，请把 Tab 换成空格"))
    return findings


def _syntax_finding(error: yaml.MarkedYAMLError, display_path: str) -> Finding:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = f"{error.context or ''} {error.problem or ''}".strip()
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = "：可能是值里有未加引号的「: 」，或缩进不对齐"
    elif "could not find expected ':'" in problem:
        hint = "：可能是某行缺少「:」或缩进不对齐"
    elif "found undefined alias" in problem or "found character" in problem:
        hint = "：值以特殊字符（如 * & ! % @ `）开头时请加引号"
    return Finding(display_path, line, column, "yaml-syntax", f"YAML 语法错误{hint}（{problem}）")


def _encoding_finding(raw: bytes, error: UnicodeDecodeError, display_path: str) -> Finding:
    before = raw[: error.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    guess = ""
    try:
        raw.decode("gb18030")
        guess = "（看起来是 GBK/GB18030 编码，常见于 Windows 记事本或 Excel 另存）"
    except UnicodeDecodeError:
        pass
    return Finding(display_path, line, column, "yaml-encoding",
                   f"文件不是 UTF-8 编码{guess}：请用 UTF-8 重新保存")
