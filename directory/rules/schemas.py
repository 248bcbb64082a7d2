"""Structure and types: one compiled jsonschema validator per schema, errors turned into findings.

Schemas live in the repository (`schemes/_common/*.schema.json`, `schemes/<id>/*.schema.json`);
a scheme schema `$ref`s shared definitions and the scheme's own vocabularies in its `scheme.yaml`,
so every list of allowed values is written once. Messages come from the schemas' Chinese `title`
and `x-hint`; `x-rule` names the rule id, `x-basis` an article of the scheme's document and
`x-standard` a national standard.

The schema files are checked too, before any is used: each against the draft 2020-12 metaschema
(unknown `type`s, regexes that do not compile), and every `$ref` must lead somewhere. A broken
schema file is a finding at its own line and column, and no validator is built from it.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urldefrag, urljoin

import jsonschema_rs
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry
from referencing.exceptions import PointerToNowhere, Unresolvable
from referencing.jsonschema import DRAFT202012

from directory.findings import Finding, json_path
from directory.rules.codes import format_checker
from directory.loading.yamlfile import Document, read_file

if TYPE_CHECKING:  # schemes.py checks scheme.yaml with this module: Scheme is named in type hints only
    from directory.rules.schemes import Scheme

BASE_URI = "https://directory.invalid/"   # a name only: nothing is ever fetched
TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "true 或 false",
              "object": "“键: 值”映射", "array": "列表", "null": "空值"}
# The metaschema, with its `format: regex` asserted: a `pattern` that Python cannot compile would
# otherwise only fail when the first record is checked against it.
METASCHEMA = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _whole_string_pattern(validator, pattern: str, instance, schema):
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {_whole_string(pattern)!r}")


def _matches(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text) is not None


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(_whole_string(pattern))


def _whole_string(pattern: str) -> str:
    r"""`pattern`, with a final `$` matching only at the very end: Python's `$` also matches before
    a final newline, so "91430102MA4L2X1Q5B\n" would pass "^...$" (a `\Z` cannot be written in a
    schema: ECMA-262 regexes, which schemas use, have no `\Z`)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\Z"
    return pattern


_Validator = extend(Draft202012Validator, {"pattern": _whole_string_pattern})


@dataclass
class SchemaSet:
    """The compiled validators of a repository, keyed by (scheme id, record kind)."""

    validators: dict[tuple[str, str], Draft202012Validator]
    batch_validator: Draft202012Validator | None


def build_schemas(root: Path, schemes: dict[str, Scheme], inlined: Inlined | None = None) -> tuple[SchemaSet, list[Finding]]:
    """Every record schema and the batch schema, compiled; `inlined`: what inline_schemas gave
    (kept in the cache of the rules files), else it is worked out here."""
    schemas, findings = inline_schemas(root, schemes) if inlined is None else inlined
    checker = format_checker()
    compiled = {relative: _validator(schema, checker) for relative, schema in schemas.items() if schema is not None}
    validators = {(scheme.id, kind): compiled[f"schemes/{scheme.id}/{file_name}"]
                  for scheme in schemes.values() for kind, file_name in scheme.kinds.items()
                  if f"schemes/{scheme.id}/{file_name}" in compiled}
    return SchemaSet(validators, compiled.get(BATCH_SCHEMA)), list(findings)


BATCH_SCHEMA = "schemes/_common/batch.schema.json"
Inlined = tuple[dict[str, "dict | None"], list[Finding]]


def inline_schemas(root: Path, schemes: dict[str, Scheme]) -> Inlined:
    """The schemas build_schemas compiles, by file, each checked and with its `$ref`s inlined
    (None: broken, reported in the findings): plain JSON data, that a cache can keep."""
    files = SchemaFiles(root, "*/*.schema.json",
                        {f"schemes/{scheme.id}/scheme.yaml": scheme.raw for scheme in schemes.values()})
    schemas = {}
    for relative in [f"schemes/{scheme.id}/{file_name}" for scheme in schemes.values()
                     for file_name in scheme.kinds.values()] + [BATCH_SCHEMA]:
        schemas[relative] = files.inline(relative)
    return schemas, files.findings


def rules_validators(root: Path, *names: str) -> tuple[dict[str, Draft202012Validator | None], list[Finding]]:
    """Validators for rules files, from `schemes/_common/<name>` (scheme, common, holidays schemas).

    A name maps to None, with findings, when its schema is missing or broken.
    """
    files = SchemaFiles(root, "_common/*.schema.json")
    return {name: files.compile(f"schemes/_common/{name}") for name in names}, files.findings


class SchemaFiles:
    """The JSON Schema files matching `pattern` under `schemes/`, read and checked once.

    `extra` adds documents that are not schema files but are `$ref`ed (each scheme's scheme.yaml).
    """

    def __init__(self, root: Path, pattern: str, extra: dict[str, object] | None = None):
        self.findings: list[Finding] = []
        self.documents: dict[str, Document] = {}    # readable JSON, for positions
        self.broken: set[str] = set()               # unreadable or against the metaschema
        for path in sorted((root / "schemes").glob(pattern)):
            relative = path.relative_to(root).as_posix()
            document, problems = _read_schema_file(path, relative)
            self.findings += problems
            if document is not None:
                self.documents[relative] = document
            if document is None or problems:
                self.broken.add(relative)
        resources = [(BASE_URI + relative, DRAFT202012.create_resource(document.data))
                     for relative, document in self.documents.items() if relative not in self.broken]
        resources += [(BASE_URI + relative, DRAFT202012.create_resource(data)) for relative, data in (extra or {}).items()]
        self.registry = Registry().with_resources(resources).crawl()
        self._checker = format_checker()

    def compile(self, relative: str) -> Draft202012Validator | None:
        schema = self.inline(relative)
        return None if schema is None else _validator(schema, self._checker)

    def inline(self, relative: str) -> dict | None:
        """The schema of the file, its `$ref`s replaced by what they point to; None if it is broken."""
        if relative in self.broken:
            return None     # reported at the file already
        if relative not in self.documents:
            self.findings.append(Finding(relative, 1, 1, "schema-file", "找不到 JSON Schema 文件"))
            return None
        uri = BASE_URI + relative
        try:
            schema = _inline_references(self.documents[relative].data, self.registry.resolver(uri), (uri, ()))
        except _ReferenceProblem as problem:
            if problem.target not in self.broken:  # a $ref into a broken file: reported at that file
                self.findings.append(self._reference_finding(problem))
            return None
        return schema

    def _reference_finding(self, problem: _ReferenceProblem) -> Finding:
        """Where the `$ref` stands that leads nowhere, and what is missing."""
        uri, parts = problem.where
        relative = _relative(uri)
        document = self.documents.get(relative)
        line, column = document.position(parts + ("$ref",)) if document else (1, 1)
        fragment = urldefrag(urljoin(uri, problem.ref))[1]
        target = problem.target
        if problem.cycle:
            message = f"「$ref: {problem.ref}」嵌套过深：是否循环引用？"
        elif isinstance(problem.cause, PointerToNowhere) or target in self.documents:
            message = f"「$ref: {problem.ref}」指向的「{unquote(fragment) or '/'}」在 {target} 中不存在：请检查拼写"
        else:
            message = f"「$ref: {problem.ref}」指向的文件 {target} 不存在：请检查文件名和相对路径"
        return Finding(relative, line, column, "schema-ref", message, json_path=json_path(parts + ("$ref",)))


def _validator(schema: dict, checker) -> Draft202012Validator:
    validator = _Validator(schema, format_checker=checker)
    _add_fast_check(validator, schema, checker)
    return validator


def _read_schema_file(path: Path, relative: str) -> tuple[Document | None, list[Finding]]:
    """One schema file: JSON for the content, the same text read as YAML (JSON is YAML) for positions."""
    raw, problems = read_file(path, relative, SCHEMA_MAX_BYTES)   # a FIFO or a huge file: a finding, not a hang
    if raw is None:
        return None, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Finding(relative, 1, 1, "schema-file", "JSON Schema 文件无法读取：请用 UTF-8 保存")]
    schema, findings = _checked_schema(relative, text)
    return (None if schema is _UNREADABLE else Document(relative, schema, text)), list(findings)


_UNREADABLE = object()
SCHEMA_MAX_BYTES = 4_000_000   # the shared scheme schema is ~50 KB; anything near this is not a schema


@functools.lru_cache(maxsize=256)
def _checked_schema(relative: str, text: str) -> tuple[object, tuple[Finding, ...]]:
    """The parsed schema and its metaschema findings, remembered per file content: the metaschema
    check takes about 10 ms a file and every command reads the schema files more than once."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        return _UNREADABLE, (Finding(relative, error.lineno, error.colno, "schema-file",
                                     f"JSON Schema 文件不是合法的 JSON（{error.msg}）：常见原因是多了或少了逗号、引号、括号"),)
    if not isinstance(schema, dict):
        return schema, (Finding(relative, 1, 1, "schema-file", "JSON Schema 文件应为一个对象 { … }"),)
    document = Document(relative, schema, text)
    findings = [] if _known_valid_schema(schema) else \
        [_metaschema_finding(error, document) for error in METASCHEMA.iter_errors(schema)]
    for parts, key in _unknown_keywords(schema, ()):
        line, column = document.position(parts + (key, "<key>"))
        guess = difflib.get_close_matches(key, sorted(KEYWORDS), n=1)
        findings.append(Finding(relative, line, column, "schema-unknown-keyword",
                                f"「{key}」不是 JSON Schema 2020-12 的关键字，会被忽略："
                                + (f"是「{guess[0]}」拼错了吗？" if guess else "请检查拼写；")
                                + "自己加的注解请以 x- 开头", json_path=json_path(parts + (key,))))
    return schema, tuple(findings)


# Every keyword of draft 2020-12 (and the two older ones its metaschema still accepts). The
# metaschema allows any other key, so a misspelt `additionalProperties` would silently allow all.
KEYWORDS = {
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
    "prefixItems", "items", "contains", "additionalProperties", "properties", "patternProperties",
    "dependentSchemas", "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not",
    "unevaluatedItems", "unevaluatedProperties", "type", "const", "enum", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
    "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
    "dependentRequired", "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
    "format", "contentEncoding", "contentMediaType", "contentSchema", "definitions", "dependencies",
}
_SCHEMA_VALUED = {"items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
                  "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
_SCHEMA_LISTS = {"prefixItems", "allOf", "anyOf", "oneOf"}


def _unknown_keywords(schema, parts: tuple):
    """(path of the schema object, key) for every key that is neither a keyword nor an `x-` annotation."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in KEYWORDS and not key.startswith("x-"):
            yield parts, key
        elif key in _SCHEMA_VALUED:
            yield from _unknown_keywords(value, parts + (key,))
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                yield from _unknown_keywords(subschema, parts + (key, name))
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for index, subschema in enumerate(value):
                yield from _unknown_keywords(subschema, parts + (key, index))


def _metaschema_finding(error, document: Document) -> Finding:
    """A schema file against the JSON Schema 2020-12 metaschema, in words staff can act on."""
    parts = tuple(error.absolute_path)
    keyword = next((part for part in reversed(parts) if isinstance(part, str)), "")
    position_parts = parts
    if error.validator == "format" and error.validator_value == "regex":
        rule = "schema-regex"
        pattern = error.instance
        if isinstance(error.instance, dict):   # patternProperties: the keys are the regexes
            pattern = next((key for key in error.instance if not _compiles(key)), "")
            position_parts = parts + (pattern, "<key>")
        message = f"正则表达式「{pattern}」写得不对，无法使用（{error.cause}）"
    elif keyword == "type" and parts[-2:-1] != ("properties",):   # not a property named "type"
        rule = "schema-unknown-type"
        message = f"「type」的值 {json.dumps(error.instance, ensure_ascii=False)} 不是 JSON Schema 的类型：可用 {'、'.join(TYPE_NAMES)}"
    elif error.validator == "type":
        rule = "schema-metaschema"
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        shown = json.dumps(error.instance, ensure_ascii=False)
        message = (f"关键字「{keyword}」的值应为{'或'.join(TYPE_NAMES.get(name, name) for name in expected)}，"
                   f"现为 {shown[:40]}")
    else:
        rule = "schema-metaschema"
        message = f"关键字「{keyword or '（顶层）'}」的值不符合 JSON Schema 2020-12 的规定（{error.validator}）"
    line, column = document.position(position_parts)
    return Finding(document.path, line, column, rule, message, json_path=json_path(parts))


# The metaschema check, the largest fixed cost of every command (a third of a second), gated in the
# same way: jsonschema-rs's metaschema, whose `format: regex` is ECMA's, so every regex is also
# compiled by Python (jsonschema checks them so). Any string that might be a regex is tried: one too
# many only sends the file to jsonschema.
_FAST_METASCHEMA = jsonschema_rs.Draft202012Validator(Draft202012Validator.META_SCHEMA, validate_formats=True)


def _known_valid_schema(schema: dict) -> bool:
    try:
        return _FAST_METASCHEMA.is_valid(schema) and all(_compiles(pattern) for pattern in _regexes(schema))
    except Exception:  # noqa: BLE001 - anything jsonschema-rs cannot take is for jsonschema to judge
        return False


def _regexes(value):
    """Every `pattern` text and `patternProperties` key anywhere in `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                yield item
            elif key == "patternProperties" and isinstance(item, dict):
                yield from item
            yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


ANNOTATIONS = {"title", "description", "x-hint", "x-basis", "x-standard", "x-rule", "x-private", "$comment"}


class _ReferenceProblem(Exception):
    """A `$ref` that leads nowhere (or round in circles); `where` is (file URI, path in that file)."""

    def __init__(self, where: tuple[str, tuple], ref: str, cause: Exception | None = None, cycle: bool = False):
        super().__init__(ref)
        self.where, self.ref, self.cause, self.cycle = where, ref, cause, cycle
        self.target = _relative(urldefrag(urljoin(where[0], ref))[0])   # the file it points into


def _relative(uri: str) -> str:
    """A registry URI back to the repository-relative path it was named after."""
    return uri[len(BASE_URI):] if uri.startswith(BASE_URI) else uri


def _inline_references(schema, resolver, where: tuple[str, tuple], depth: int = 0):
    """The schema with every `$ref` replaced by what it points to.

    Resolving references is about half of jsonschema's time per record; our schemas are not
    recursive, so each is resolved once here instead. Annotations written beside a `$ref` (a
    `title`) override the target's; other keywords beside it are kept with the target in `allOf`.
    `where` (file URI, path inside it) follows along only to say where a broken `$ref` stands.
    """
    uri, parts = where
    if isinstance(schema, list):
        return [_inline_references(item, resolver, (uri, parts + (index,)), depth + 1) for index, item in enumerate(schema)]
    if not isinstance(schema, dict):
        return schema
    inner = {key: _inline_references(value, resolver, (uri, parts + (key,)), depth + 1)
             for key, value in schema.items() if key != "$ref"}
    if "$ref" not in schema:
        return inner
    reference = schema["$ref"]
    if depth > 50:
        raise _ReferenceProblem(where, reference, cycle=True)
    try:
        resolved = resolver.lookup(reference)
    except Unresolvable as error:
        raise _ReferenceProblem(where, reference, error) from None
    target_uri, fragment = urldefrag(urljoin(uri, reference))
    target_parts = tuple(unquote(part).replace("~1", "/").replace("~0", "~") for part in fragment.split("/")[1:])
    target = _inline_references(resolved.contents, resolved.resolver, (target_uri, target_parts), depth + 1)
    if set(inner) - ANNOTATIONS:
        return {"allOf": [target], **inner}
    return {**target, **inner}


def schema_findings(validator: Draft202012Validator, document: Document, scheme: Scheme | None) -> list[Finding]:
    """Every schema error of one document, as findings with line, column and a Chinese message."""
    if _known_valid(validator, document.data):
        return []
    return [_finding(validator, error, document, scheme) for error in validator.iter_errors(document.data)]


# The fast check: jsonschema-rs answers "valid or not" some 50 times faster than jsonschema, which
# took two thirds of `directory validate`. Most records are valid; only for the others does
# jsonschema run, so every finding still comes from its errors (same messages, lines, rules).
# The fast check must never pass what jsonschema would fail: every `pattern` and `format` is
# handed back to the very Python functions jsonschema calls (regex dialects differ: ECMA's `\D`
# matches a full-width digit, Python's does not), and anything it cannot take (an integer past 64
# bits, a schema it refuses) means "not known valid", never "valid".
_FAST_CHECKS: dict[int, object] = {}   # id(validator) -> jsonschema_rs validator (or None), while both live


def _add_fast_check(validator: Draft202012Validator, schema: dict, checker) -> None:
    """Made when first used: a run from the cache checks few records."""
    _FAST_CHECKS[id(validator)] = functools.partial(_fast_check, schema, checker)
    weakref.finalize(validator, _FAST_CHECKS.pop, id(validator), None)


def _fast_check(schema: dict, checker):
    checks: dict[str, object] = {}
    try:
        return jsonschema_rs.Draft202012Validator(_with_python_checks(schema, checks, checker), formats=checks,
                                                  validate_formats=True, ignore_unknown_formats=False)
    except Exception:  # noqa: BLE001 - a schema jsonschema-rs refuses is checked by jsonschema alone
        return None


def _known_valid(validator: Draft202012Validator, data: object) -> bool:
    fast = _FAST_CHECKS.get(id(validator))
    if isinstance(fast, functools.partial):
        fast = _FAST_CHECKS[id(validator)] = fast()
    try:
        return fast is not None and fast.is_valid(data)
    except Exception:  # noqa: BLE001 - e.g. an integer past 64 bits: let jsonschema judge it
        return False


def _with_python_checks(schema, checks: dict, checker):
    """A copy of the (inlined) schema in which each subschema's `pattern` and `format` are one
    custom format, named in `checks`, that calls what jsonschema calls for them."""
    if not isinstance(schema, dict):
        return schema
    if "patternProperties" in schema:  # its keys are regexes too, matched by jsonschema-rs's own engine
        raise ValueError("patternProperties")
    copy = {}
    for key, value in schema.items():
        if key in _SCHEMA_VALUED:
            copy[key] = _with_python_checks(value, checks, checker)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            copy[key] = {name: _with_python_checks(subschema, checks, checker) for name, subschema in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            copy[key] = [_with_python_checks(subschema, checks, checker) for subschema in value]
        elif key not in ("pattern", "format"):
            copy[key] = value
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and _same_in_both(pattern):
        copy["pattern"], pattern = pattern, None
    if pattern is not None or "format" in schema:
        name = f"python-{len(checks)}"
        checks[name] = functools.partial(_python_check, pattern, schema.get("format"), checker)
        copy["format"] = name
    return copy


# A regex of only these parts means the same to Python and to ECMA-262 (jsonschema-rs): literal
# ASCII letters, digits and a few signs, classes of them (no negation, no \d \s \w: those differ),
# groups, alternatives, quantifiers, `^` and a final `$` (Python's is read as \Z, ECMA's is the end).
_PLAIN_REGEX = re.compile(r"\^?(?:[A-Za-z0-9_:/@ -]|\\[.\-/]|\[[A-Za-z0-9_-]+\]|\{[0-9]+(?:,[0-9]*)?\}|[?*+|)]|\((?:\?:)?)*\$?")


def _same_in_both(pattern: str) -> bool:
    return _PLAIN_REGEX.fullmatch(pattern) is not None


def _python_check(pattern, format_name, checker, text: str) -> bool:
    """jsonschema-rs asks formats of strings only; `pattern` and our formats pass anything else."""
    if isinstance(pattern, str) and not _matches(pattern, text):
        return False
    return format_name is None or checker.conforms(text, format_name)


def describe(validator: Draft202012Validator, parts: tuple) -> tuple[dict, str]:
    """The subschema and Chinese label for the value at `parts` (the schema is inlined: no $ref)."""
    schema = validator.schema
    label = ""
    for part in parts:
        label = schema.get("title") or label
        if isinstance(part, int):
            schema = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        elif part in schema.get("properties", {}):
            schema = schema["properties"][part]
        elif isinstance(schema.get("additionalProperties"), dict):
            schema = schema["additionalProperties"]
        else:
            schema = {}
    if schema.get("title"):
        return schema, schema["title"]
    if parts and isinstance(parts[-1], int):
        return schema, f"{label} 第 {parts[-1] + 1} 项"
    if parts:
        return schema, f"{label}·{parts[-1]}" if label else str(parts[-1])
    return schema, "记录"


def _finding(validator, error, document: Document, scheme: Scheme | None) -> Finding:
    parts = tuple(error.absolute_path)
    kind = error.validator
    schema, title = describe(validator, parts)
    # rule ids are kebab-case: anyOf -> schema-any-of
    rule = schema.get("x-rule") or "schema-" + re.sub(r"(?<=[a-z])(?=[A-Z])", "-", kind).lower()
    message = ""
    position_parts = parts

    if "propertyNames" in error.schema_path:   # a key that breaks the rule for keys: point at the key
        rule = "schema-key"
        hint = error.schema.get("x-hint")
        message = f"「{title}」中的「{error.instance}」不符合要求" + (f"：{hint}" if hint else "")
        position_parts = parts + (error.instance, "<key>")
    elif kind == "required":
        missing = _quoted(error.message)
        _, missing_title = describe(validator, parts + (missing,))
        rule = "schema-required"
        message = f"缺少必填项「{missing_title}」（{missing}）"
        position_parts = parts + (missing,)  # an emptied `name:` line is where to point, else the parent
        if "then" in error.relative_schema_path and isinstance(error.instance, dict) and "status" in error.instance:
            # required by an if/then on the status: point at the status that asks for it
            status = error.instance["status"]   # with its label from the status's x-hint: suspended（暂停）
            label = re.search(rf"(?<![a-z]){re.escape(str(status))}（[^）]*）", describe(validator, parts + ("status",))[0].get("x-hint", ""))
            message += f"：状态为 {label[0] if label else status} 时必须填写"
            position_parts = parts + ("status",)
    elif kind in ("additionalProperties", "unevaluatedProperties"):
        # the keys allowed where the error arose: in an if/then branch these are the branch's own
        allowed = set(error.schema.get("properties") or schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in allowed] or [_quoted(error.message)]
        rule = "unknown-key"
        position_parts = parts + (unknown[0], "<key>")
        where = f"「{title}」中" if parts else ""
        guess = difflib.get_close_matches(str(unknown[0]), sorted(allowed), n=1)
        meant = describe(validator, parts + (guess[0],))[0].get("title") if guess else None   # by its title too
        advice = [f"是「{guess[0]}」{f'（{meant}）' if meant else ''}拼错了吗？" if guess else "请检查拼写"]
        if allowed:
            advice.append(f"{'' if guess else '；'}可用的字段有 {'、'.join(sorted(allowed))}")
        message = f"{where}有未知字段「{'、'.join(unknown)}」：" + "".join(advice)
    elif kind == "type":
        message, rule = _type_message(error, title, document, parts)
    elif kind == "enum":
        choices = schema.get("x-hint") or "、".join(str(choice) for choice in error.validator_value)   # x-hint: with labels
        message = f"「{title}」的值「{error.instance}」不在可选范围内：{choices}"
        rule = schema.get("x-rule") or "schema-enum"
    elif kind == "format":
        cause = str(error.cause) if error.cause else ""
        if cause and error.validator_value not in ("date", "email"):
            message = cause
        elif error.validator_value == "date":
            message = f"「{title}」「{error.instance}」不是有效日期：日期写作 YYYY-MM-DD，如 2025-10-20"
        else:
            message = f"「{title}」格式不对：「{error.instance}」" + (f"（{schema['x-hint']}）" if schema.get("x-hint") else "")
    elif kind == "pattern":
        message = f"「{title}」格式不对：「{error.instance}」" + (f"，应为{schema['x-hint']}" if schema.get("x-hint") else "")
    elif kind in ("minLength", "maxLength"):
        length = len(error.instance)
        if kind == "maxLength":
            message = f"「{title}」最多 {error.validator_value} 个字，现有 {length} 个字"
        else:
            message = f"「{title}」不能为空" if error.validator_value <= 1 else f"「{title}」至少 {error.validator_value} 个字"
        rule = "schema-length"
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "不小于" if kind.startswith(("minimum", "exclusiveMinimum")) else "不大于"
        message = f"「{title}」应{bound} {error.validator_value}，现为 {error.instance}"
        rule = "schema-range"
    elif kind == "uniqueItems":
        seen, repeated = set(), []
        for item in error.instance:
            key = json.dumps(item, ensure_ascii=False, sort_keys=True)
            if key in seen:
                repeated.append(item if isinstance(item, str) else key)
            seen.add(key)
        message = f"「{title}」有重复项「{'、'.join(map(str, repeated))}」"
        rule = "schema-duplicate-item"
    else:
        # anyOf / oneOf and the like: the schema's own hint says it in Chinese; else jsonschema's words
        hint = schema.get("x-hint")
        message = f"「{title}」不符合要求：{hint}" if hint else f"「{title}」不符合要求（{error.message}）"

    line, column = document.position(position_parts)
    basis = schema.get("x-standard", "")
    if not basis and schema.get("x-basis") and scheme is not None:
        basis = scheme.cite(schema["x-basis"])
    return Finding(document.path, line, column, rule, message, basis, json_path(parts))


def _type_message(error, title: str, document: Document, parts: tuple) -> tuple[str, str]:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    instance = error.instance
    source = document.scalar_source.get(parts, str(instance))
    if "string" in expected and isinstance(instance, (int, float)) and not isinstance(instance, bool):
        lost = "（开头的 0 会丢失）" if source.startswith("0") else ""
        return (f"「{title}」被 YAML 读成了数字 {source}{lost}：请加引号写成 \"{source}\"", "yaml-unquoted-number")
    if "string" in expected and isinstance(instance, bool):
        return (f"「{title}」被 YAML 读成了 true/false（原文 {source}）：请加引号写成 \"{source}\"", "yaml-unquoted-boolean")
    if "string" in expected and instance is None:
        return (f"「{title}」是空的：请填写，或删除这一行", "schema-type")
    names = "或".join(TYPE_NAMES.get(name, name) for name in expected)
    shown = json.dumps(instance, ensure_ascii=False) if not isinstance(instance, str) else f"「{instance}」"
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f"「{title}」应为{names}，现为 {shown}", "schema-type"


def _quoted(message: str) -> str:
    match = re.search(r"'([^']*)'", message)
    return match.group(1) if match else message
