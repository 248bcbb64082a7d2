"""Change a YAML file the way a person would: ruamel.yaml's round trip keeps comments, key order,
quoting and blank lines, so the diff of a command shows only the lines it meant to change.

    edit = YamlEdit.parse(text)                    # EditError if the file's layout cannot be kept
    put(edit.data["recognition"], "status", "suspended")
    put(edit.data["recognition"], "suspension", flow(date=day, reason="重组"), after=("status",))
    edit.text()                                    # the file with those two lines changed

ruamel keeps a comment or blank line on the entry *before* it. Whatever stands between one entry
and the next (a blank line, a comment about the next key) must therefore move to an entry inserted
between them (`_take_tail` / `_give_tail`), or it would end up above the new entry.
"""
from __future__ import annotations

import io

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

# (mapping, sequence, offset) indentations tried in turn: the first that gives the file back
# unchanged is the file's own layout (records here use 2/4/2: "  - {…}" under a key).
LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))
WIDTH = 10_000  # never fold a long line: staff wrote it on one line


class EditError(Exception):
    """The file cannot be changed without disturbing what staff wrote: one Chinese line."""


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    return yaml


def _dump(yaml: YAML, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


class YamlEdit:
    """One file's content, loaded for editing; `text()` writes it back in the file's own layout."""

    def __init__(self, original: str, yaml: YAML, data: CommentedMap):
        self.original = original
        self.yaml = yaml
        self.data = data

    @classmethod
    def parse(cls, text: str) -> "YamlEdit":
        for layout in LAYOUTS:
            yaml = _yaml(layout)
            try:
                data = yaml.load(text)
            except YAMLError:
                raise EditError("文件不是有效的 YAML：请先运行 directory validate 修正") from None
            if not isinstance(data, CommentedMap):
                raise EditError("文件内容不是“键: 值”的映射：请先运行 directory validate 修正")
            if _dump(yaml, data) == text:
                return cls(text, yaml, data)
        raise EditError("文件的缩进或写法无法原样保留（如混用缩进）：请手工修改，或先统一为两格缩进")

    def text(self) -> str:
        result = _dump(self.yaml, self.data)
        if not _kept_in_order(_remarks(self.original), _remarks(result)):
            raise EditError("修改后会丢失或移动文件中的注释或空行：请手工修改")  # a guard: see _remarks
        return result


def new_file(data: dict) -> str:
    """The text of a new file (a batch), in the layout of the shipped ones."""
    return _dump(_yaml(LAYOUTS[0]), block(**data))


def scalar(value):
    """A string as the library's loader (PyYAML, YAML 1.1) will read it back: quoted where written
    plain it would be something else (`yes`, `2026`, `0731`), which ruamel (YAML 1.2) would not quote."""
    if isinstance(value, str) and not isinstance(value, DoubleQuotedScalarString):
        try:
            plain = pyyaml.safe_load(value)
        except pyyaml.YAMLError:
            plain = None
        if plain != value:
            return DoubleQuotedScalarString(value)
    return value


def flow(**items) -> CommentedMap:
    """A mapping written on one line: {date: 2026-08-12, reason: 重组}."""
    mapping = block(**items)
    mapping.fa.set_flow_style()
    return mapping


def block(**items) -> CommentedMap:
    """A mapping written one key a line (a nested plain dict becomes one too)."""
    mapping = CommentedMap((key, block(**value) if isinstance(value, dict) and not isinstance(value, CommentedMap)
                            else scalar(value)) for key, value in items.items() if value is not None)
    mapping.fa.set_block_style()
    return mapping


def put(mapping: CommentedMap, key: str, value, after: tuple[str, ...] = ()) -> None:
    """Set `key`; a new key goes after the last of `after` present (else at the end)."""
    value = scalar(value)
    if key in mapping:
        if isinstance(mapping[key], (CommentedMap, CommentedSeq)) or isinstance(value, (CommentedMap, CommentedSeq)):
            tail = _take_tail(mapping, key)
            mapping[key] = value
            _give_tail(mapping, key, tail)
        else:
            mapping[key] = value  # a scalar: its end-of-line comment stays
        return
    keys = list(mapping)
    present = [keys.index(name) for name in after if name in mapping]
    position = max(present) + 1 if present else len(keys)
    tail = _take_tail(mapping, keys[position - 1]) if position else ""
    mapping.insert(position, key, value)
    _give_tail(mapping, key, tail)


def append(sequence: CommentedSeq, item) -> None:
    """Add an item at the end of a list, after its last item's comments."""
    item = scalar(item)
    tail = _take_tail(sequence, len(sequence) - 1) if sequence else ""
    sequence.append(item)
    _give_tail(sequence, len(sequence) - 1, tail)


def remove(mapping: CommentedMap, key: str) -> None:
    """Delete `key` with its value; the lines below it (comments on what follows) stay."""
    keys = list(mapping)
    tail = _take_tail(mapping, key)
    index = keys.index(key)
    del mapping[key]
    mapping.ca.items.pop(key, None)
    if index:
        _give_tail(mapping, keys[index - 1], tail)


def note(mapping: CommentedMap, key: str, remark: str, indent: int) -> None:
    """A comment line right below the line of `key` (a scalar), e.g. what a command replaced."""
    line = f"{' ' * indent}# {remark}\n"
    slot = _slot(mapping, key)
    token = slot[2]
    if token is None:
        slot[2] = CommentToken("\n" + line, CommentMark(0), None)
    else:
        first, newline, rest = token.value.partition("\n")
        token.value = first + newline + line + rest


# ---------------------------------------------------------------- comments between entries

def _slot(node, key) -> list:
    """ruamel's comment slots of one entry: a mapping keeps the text after a value at [2], a list at [0]."""
    return node.ca.items.setdefault(key, [None, None, None, None])


def _position(node) -> int:
    return 2 if isinstance(node, CommentedMap) else 0


def _is_block(value) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()


def _take_tail(node, key) -> str:
    """Remove and return the whole lines that follow entry `key` (its end-of-line comment stays)."""
    value = node[key]
    if _is_block(value):
        if isinstance(value, CommentedSeq) and value.ca.end:
            text = "".join(token.value for token in value.ca.end)
            value.ca.end = []
            return text
        return _take_tail(value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)
    token = node.ca.items.get(key, [None] * 4)[_position(node)]
    if token is None:
        return ""
    first, newline, rest = token.value.partition("\n")
    token.value = first + newline
    return rest


def _give_tail(node, key, tail: str) -> None:
    """Put `tail` (whole lines) after entry `key`, inside its deepest last entry where it has one."""
    if not tail:
        return
    value = node[key]
    if _is_block(value):
        _give_tail(value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1, tail)
        return
    slot = _slot(node, key)
    index = _position(node)
    if slot[index] is None:
        slot[index] = CommentToken("\n" + tail, CommentMark(0), None)
    else:
        slot[index].value += tail


def _remarks(text: str) -> list[str]:
    """The comment lines and blank lines of a text, in order."""
    return [line.strip() for line in text.splitlines() if not line.strip() or line.strip().startswith("#")]


def _kept_in_order(before: list[str], after: list[str]) -> bool:
    """Every remark of `before` is in `after`, in the same order (new ones may be added)."""
    found = iter(after)
    return all(any(remark == candidate for candidate in found) for remark in before)
