"""Read one YAML file into plain Python values, and find the position of any value on demand.

The C loader reads the values at full speed; when a finding needs a place, the file is composed
again and each node's line and column recorded (`Document.position`), so any finding can point
at `file:line:col`. Loading never raises: a file that cannot be read becomes findings.

Hostile input is refused before it costs memory or time: a file over MAX_BYTES, anything that is
not a regular file (a FIFO would block), YAML anchors and aliases (a "billion laughs" file expands
a few lines into gigabytes downstream), nesting deeper than MAX_DEPTH (libyaml's composer
recurses in C and crashes the process at some 30,000 levels), tags other than `!!str`, integers
that no figure needs and NaN or infinity (jsonschema takes NaN for a number, and every
comparison with it is false).
"""
from __future__ import annotations

import bisect
import errno
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from directory.findings import Finding, json_path


MAX_BYTES = 1_000_000        # the largest record is a few KB
MAX_DEPTH = 100              # records nest 4 levels deep
# No figure is this large, and an unquoted 18-digit credit code stays below it (to be told
# "请加引号" by the schema check); 10**400 would overflow the ratios computed as floats.
MAX_INTEGER = 10 ** 20
ALLOWED_TAGS = {"!", "tag:yaml.org,2002:str"}   # `!!str 0731` forces text; nothing else is needed


class _Loader(yaml.CSafeLoader):
    """The C loader, with four changes.

    * Dates stay strings: jsonschema's `date` format check skips anything that is not a string,
      so a date that YAML turned into `datetime.date` would never be checked.
    * Mapping keys stay as written (`2025: A` gives "2025", as JSON keys are strings), and a
      repeated key is noted instead of silently overwriting the first.
    * A key with an empty value (`address:`) is left out: staff read it as "not filled in".
    * A number that cannot be a figure (too large, NaN, infinite) is noted in `refused` as
      (node, rule, message) and kept as its text; the file is then refused as a whole.
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

    def construct_yaml_int(self, node):
        # checked before int(): Python refuses to convert more than 4,300 digits (ValueError)
        if len(node.value) <= 30:
            value = super().construct_yaml_int(node)
            if abs(value) <= MAX_INTEGER:
                return value
        self.refused.append((node, "yaml-number-too-large",
                             f"数字「{_shorten(node.value)}」过大：不是合理的数值；如果是编号，请加引号写成文本"))
        return node.value

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if math.isfinite(value):
            return value
        self.refused.append((node, "yaml-number-not-finite",
                             f"「{_shorten(node.value)}」不是有效的数值（非数或无穷大）：请填写实际的数字"))
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


class Lines:
    """Line and column of a YAML mark as git, editors and GitHub count them: at \\n only. YAML also
    breaks lines at a lone \\r, U+2028, U+2029 and U+0085, so its own line numbers would point
    too far down after such a character (inside a quoted value, where it is legal)."""

    _ODD_BREAKS = re.compile("\r(?!\n)|[\u2028\u2029\x85]")

    def __init__(self, text: str):
        self._newlines = [m.start() for m in re.finditer("\n", text)] if self._ODD_BREAKS.search(text) else None

    def place(self, mark) -> tuple[int, int]:
        if mark is None:
            return 1, 1
        if self._newlines is None:   # the usual case: YAML's count is right
            return mark.line + 1, mark.column + 1
        before = bisect.bisect_left(self._newlines, mark.index)
        line_start = self._newlines[before - 1] + 1 if before else 0
        return before + 1, mark.index - line_start + 1


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
        self._lines = Lines(self.text)
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
        self._positions[parts] = self._lines.place(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<复杂键>"
                # the first occurrence of a repeated key keeps its place
                self._positions.setdefault(parts + (key, "<key>"), self._lines.place(key_node.start_mark))
                self._walk(value_node, parts + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, parts + (index,))
        elif node.tag in _NUMERIC_TAGS:
            self._scalar_source[parts] = node.value


_NUMERIC_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


class StoredDocument(Document):
    """A file known unchanged since it was last read (the validate cache says so): `summary` holds
    the few fields kept of it, and the file is parsed only when anything else is asked for."""

    def __init__(self, path: str, file: str | Path, summary: dict):
        self.path, self.file, self.summary = path, file, summary
        self._positions = self._scalar_source = self._loaded = None

    @property
    def data(self) -> object:
        return self._load().data

    @property
    def text(self) -> str:
        return self._load().text

    def _load(self) -> Document:
        if self._loaded is None:
            document, _ = load_file(self.file, self.path)   # its findings are in the cache already
            self._loaded = document if document is not None else Document(self.path, {})
        return self._loaded


def load_file(path: str | Path, display_path: str) -> tuple[Document | None, list[Finding]]:
    """Read and parse one file. Returns the document (None if unreadable) and its findings."""
    raw, findings = read_file(path, display_path)
    return (None, findings) if raw is None else load_bytes(raw, display_path)


def read_file(path: str | Path, display_path: str, limit: int | None = None) -> tuple[bytes | None, list[Finding]]:
    """The bytes of a regular file of at most `limit` bytes (default: a record's MAX_BYTES), or
    None and a finding. The file is opened without blocking and checked before anything is read,
    so a FIFO, a folder or a huge file is a finding, never a hang."""
    limit = MAX_BYTES if limit is None else limit

    def refusal(rule: str, message: str):
        return None, [Finding(display_path, 1, 1, rule, message)]

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the run
    except OSError as error:
        return refusal("file-unreadable", f"无法读取文件：{_os_reason(error)}")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return refusal("file-not-regular", "这不是普通文件（是文件夹、管道或设备）：这里只能是文本文件")
            if info.st_size > limit:
                return refusal("file-too-large", f"文件有 {info.st_size:,} 字节，超过上限 {limit:,} 字节：请检查文件内容")
            raw = handle.read(limit + 1)  # the size may change between the check and the read
        except OSError as error:
            return refusal("file-unreadable", f"无法读取文件：{_os_reason(error)}")
    if len(raw) > limit:
        return refusal("file-too-large", f"文件超过上限 {limit:,} 字节：请检查文件内容")
    return raw, []


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
    loader.refused = []
    try:
        hostile = _hostile_findings(text, display_path) if _may_be_hostile(text) else []
        if hostile:
            return None, findings + hostile
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        if not findings:  # a tab already explains most scanner errors; one message is enough
            findings.append(_syntax_finding(error, display_path, Lines(text)))
        return None, findings
    except (yaml.YAMLError, ValueError, TypeError, KeyError, RecursionError):
        # a last resort: a constructor's own error that libyaml did not mark; never a traceback
        findings.append(Finding(display_path, 1, 1, "yaml-syntax", "YAML 语法错误：文件内容无法读取，请检查格式"))
        return None, findings
    finally:
        loader.dispose()
    if loader.refused:
        lines = Lines(text)
        return None, findings + [Finding(display_path, *lines.place(node.start_mark), rule, message)
                                 for node, rule, message in loader.refused]
    if data is None:
        findings.append(Finding(display_path, 1, 1, "yaml-empty", "文件为空：应为一条记录（键: 值 的映射）"))
        return None, findings
    document = Document(display_path, data, text)
    if loader.has_duplicate_keys:
        findings += _duplicate_key_findings(document)
    return document, findings


_OPENERS = re.compile(r"[\[{?]|-(?=\s|$)")   # what can open a level: a bracket, `?`, a `- ` entry
_INDENT = re.compile("(?:^|[\r\x85\u2028\u2029]) +", re.MULTILINE)  # YAML has four line breaks besides \n


def _may_be_hostile(text: str) -> bool:
    """False when the text cannot hold an anchor, alias or tag, nor nest deeper than MAX_DEPTH.

    Most records are plain, so the event scan below is skipped for them. Anchors, aliases and
    tags need `&`, `*` or `!`; each level of nesting needs a bracket (a flow mapping inside a
    sequence can add one more), a `-` or `?` indicator, or a deeper indentation."""
    if "&" in text or "*" in text or "!" in text:
        return True
    # First a bound from plain counts (no regex, no lists): every opener is one of these
    # characters, and an indentation (with the line break before it) is at most one longer than
    # the longest run of spaces.
    bound = text.count("-") + text.count("?") + 2 * (text.count("[") + text.count("{")) + 2
    if bound < MAX_DEPTH and " " * (MAX_DEPTH - bound) not in text:
        return False
    levels = (len(_OPENERS.findall(text)) + text.count("[") + text.count("{")
              + max(map(len, _INDENT.findall(text)), default=0) + 2)
    return levels > MAX_DEPTH


def _hostile_findings(text: str, display_path: str) -> list[Finding]:
    """Scan the parser's events, before anything is composed, for what records never need:
    anchors and aliases, tags, and nesting deeper than MAX_DEPTH (the scan stops there)."""
    findings: list[Finding] = []
    scanner = yaml.CSafeLoader(text)
    depth = 0
    lines = Lines(text)

    def at(event, rule: str, message: str) -> None:
        findings.append(Finding(display_path, *lines.place(event.start_mark), rule, message))

    try:
        while len(findings) < 20:  # a billion-laughs file holds many; the first few are enough
            event = scanner.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    at(event, "yaml-too-deep", f"嵌套超过 {MAX_DEPTH} 层：记录不需要这么深的结构，请检查文件内容")
                    break
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None) \
                    and not any(finding.rule == "yaml-alias" for finding in findings):  # once per file
                at(event, "yaml-alias", "记录中不能使用 YAML 锚点和别名（& 和 *）：请把内容直接写出来；"
                                        "值以 & 或 * 开头时请加引号")
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in ALLOWED_TAGS:
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                at(event, "yaml-tag", f"记录中不能使用 YAML 标签「{_shorten(shown)}」：只能写普通的文本、数字、列表和映射，"
                                      "请删除这个标签；值以 ! 开头时请加引号")
    finally:
        scanner.dispose()
    return findings


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


_OS_REASONS = {errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.ENOENT: "文件不存在（或是失效的链接）",
               errno.ELOOP: "链接循环指向自身", errno.EISDIR: "这是文件夹", errno.ENXIO: "这不是普通文件"}


def _os_reason(error: OSError) -> str:
    """Why a file could not be read, in Chinese (the system's own text is English)."""
    return _OS_REASONS.get(error.errno, f"系统错误 {error.errno}")


def _duplicate_key_findings(document: Document) -> list[Finding]:
    findings = []
    lines = Lines(document.text)
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
                        document.path, *lines.place(key_node.start_mark),
                        "yaml-duplicate-key",
                        f"键「{key}」重复出现（第一次在第 {seen[key]} 行）：YAML 只保留最后一个值，请删除其中一个",
                        json_path=json_path(parts + (key,))))
                else:
                    seen[key] = lines.place(key_node.start_mark)[0]
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


def _syntax_finding(error: yaml.MarkedYAMLError, display_path: str, lines: Lines) -> Finding:
    line, column = lines.place(error.problem_mark or error.context_mark)
    problem = f"{error.context or ''} {error.problem or ''}".strip()
    hint = "：请检查这一行及其上方的缩进、冒号和引号（引号要成对）"   # PyYAML's own words (in brackets) are English
    if "mapping values are not allowed" in problem:
        hint = "：可能是值里有未加引号的「: 」，或缩进不对齐"
    elif "could not find expected ':'" in problem:
        hint = "：可能是某行缺少「:」或缩进不对齐"
    elif "flow mapping" in problem or "flow sequence" in problem:
        hint = "：花括号 { } 或方括号 [ ] 未配对，或其中各项之间缺少逗号"
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
