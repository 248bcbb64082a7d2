"""Read one YAML file into plain Python values, and find the position of any value on demand.

The C loader reads the values at full speed; when a finding needs a place, the file is composed
again and each node's line and column recorded (`Document.position`), so any finding can point
at `file:line:col`. Loading never raises: a file that cannot be read becomes findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from directory.findings import Finding, json_path


class _Loader(yaml.CSafeLoader):
    """The C loader, with three changes.

    * Dates stay strings: jsonschema's `date` format check skips anything that is not a string,
      so a date that YAML turned into `datetime.date` would never be checked.
    * Mapping keys stay as written (`2025: A` gives "2025", as JSON keys are strings), and a
      repeated key is noted instead of silently overwriting the first.
    * A key with an empty value (`address:`) is left out: staff read it as "not filled in".
    """

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<复杂键>"
            if key in mapping:
                self.has_duplicate_keys = True
            value = self.construct_object(value_node, deep=deep)
            if value is None:
                # `address:` with nothing after it means "not filled in", as staff read it
                mapping.pop(key, None)
                continue
            mapping[key] = value
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


@dataclass
class Document:
    """A YAML file's content. Positions are found only when a finding needs one.

    Most files have no finding, so they are read once, at the speed of the C loader; the first
    call to `position` composes the file again to learn the 1-based (line, column) of each value.
    """

    path: str
    data: object
    text: str = ""
    _positions: dict | None = field(default=None, repr=False)
    _scalar_source: dict | None = field(default=None, repr=False)

    def position(self, parts: tuple) -> tuple[int, int]:
        """Where the value at `parts` stands; a missing key points at its nearest existing parent.

        `parts + ("<key>",)` is where a mapping key itself stands."""
        positions = self.positions
        parts = tuple(parts)
        while parts not in positions and parts:
            parts = parts[:-1]
        return positions.get(parts, (1, 1))

    @property
    def positions(self) -> dict[tuple, tuple[int, int]]:
        if self._positions is None:
            self._index()
        return self._positions

    @property
    def scalar_source(self) -> dict[tuple, str]:
        """The text YAML read as a number or boolean, for "请加引号" messages: path -> source."""
        if self._scalar_source is None:
            self._index()
        return self._scalar_source

    def _index(self) -> None:
        self._positions, self._scalar_source = {}, {}
        loader = yaml.CSafeLoader(self.text)
        try:
            root = loader.get_single_node()
            if root is not None:
                self._walk(root, ())
        except yaml.YAMLError:  # pragma: no cover - the text parsed once already
            pass
        finally:
            loader.dispose()

    def _walk(self, node, parts: tuple) -> None:
        self._positions[parts] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<复杂键>"
                # the first occurrence of a repeated key keeps its place
                self._positions.setdefault(parts + (key, "<key>"),
                                           (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                self._walk(value_node, parts + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, parts + (index,))
        elif node.tag in _NUMERIC_TAGS:
            self._scalar_source[parts] = node.value


_NUMERIC_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


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
    loader.has_duplicate_keys = False
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        if not findings:  # a tab already explains most scanner errors; one message is enough
            findings.append(_syntax_finding(error, display_path))
        return None, findings
    except yaml.YAMLError as error:  # pragma: no cover - the C parser reports marked errors
        findings.append(Finding(display_path, 1, 1, "yaml-syntax", f"YAML 语法错误：{error}"))
        return None, findings
    finally:
        loader.dispose()
    if data is None:
        findings.append(Finding(display_path, 1, 1, "yaml-empty", "文件为空：应为一条记录（键: 值 的映射）"))
        return None, findings
    document = Document(display_path, data, text)
    if loader.has_duplicate_keys:
        findings += _duplicate_key_findings(document)
    return document, findings


def _duplicate_key_findings(document: Document) -> list[Finding]:
    findings = []
    loader = yaml.CSafeLoader(document.text)
    try:
        stack = [(loader.get_single_node(), ())]
    finally:
        loader.dispose()
    while stack:
        node, parts = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<复杂键>"
                if key in seen:
                    findings.append(Finding(
                        document.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                        "yaml-duplicate-key",
                        f"键「{key}」重复出现（第一次在第 {seen[key]} 行）：YAML 只保留最后一个值，请删除其中一个",
                        json_path=json_path(parts + (key,))))
                else:
                    seen[key] = key_node.start_mark.line + 1
                stack.append((value_node, parts + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, parts + (index,)) for index, item in enumerate(node.value))
    return findings


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
