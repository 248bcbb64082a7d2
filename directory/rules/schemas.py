"""Structure and types: one compiled jsonschema validator per schema, errors turned into findings.

Schemas live in the repository (`schemes/_common/*.schema.json`, `schemes/<id>/*.schema.json`);
a scheme schema `$ref`s shared definitions and the scheme's own vocabularies in its `scheme.yaml`,
so every list of allowed values is written once. Messages come from the schemas' Chinese `title`
and `x-hint`; `x-rule` names the rule id, `x-basis` an article of the scheme's document and
`x-standard` a national standard.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from directory.findings import Finding, json_path
from directory.rules.codes import format_checker
from directory.loading.yamlfile import Document
from directory.rules.schemes import Scheme

BASE_URI = "https://directory.invalid/"   # a name only: nothing is ever fetched
TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "true 或 false",
              "object": "“键: 值”映射", "array": "列表", "null": "空值"}


def _whole_string_pattern(validator, pattern: str, instance, schema):
    r"""`pattern`, with a final `$` matching only at the very end: Python's `$` also matches before
    a final newline, so "91430102MA4L2X1Q5B\n" would pass "^...$" (a `\Z` cannot be written in a
    schema: ECMA-262 regexes, which schemas use, have no `\Z`)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    if validator.is_type(instance, "string") and not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = extend(Draft202012Validator, {"pattern": _whole_string_pattern})


@dataclass
class SchemaSet:
    """The compiled validators of a repository, keyed by (scheme id, record kind)."""

    validators: dict[tuple[str, str], Draft202012Validator]
    batch_validator: Draft202012Validator | None


def build_schemas(root: Path, schemes: dict[str, Scheme]) -> tuple[SchemaSet, list[Finding]]:
    findings: list[Finding] = []
    resources = []
    contents: dict[str, dict] = {}
    for path in sorted((root / "schemes").glob("*/*.schema.json")):
        relative = path.relative_to(root).as_posix()
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            line = getattr(error, "lineno", 1)
            column = getattr(error, "colno", 1)
            findings.append(Finding(relative, line, column, "schema-file", f"JSON Schema 文件无法读取：{error}"))
            continue
        contents[relative] = schema
        resources.append((BASE_URI + relative, DRAFT202012.create_resource(schema)))
    for scheme in schemes.values():
        resources.append((BASE_URI + f"schemes/{scheme.id}/scheme.yaml", DRAFT202012.create_resource(scheme.raw)))
    registry = Registry().with_resources(resources).crawl()

    checker = format_checker()

    def compile_schema(relative: str) -> Draft202012Validator | None:
        if relative not in contents:
            if not any(f.path == relative for f in findings):  # unreadable files are reported already
                findings.append(Finding(relative, 1, 1, "schema-file", "找不到 JSON Schema 文件"))
            return None
        schema = _inline_references(contents[relative], registry.resolver(BASE_URI + relative))
        return _Validator(schema, format_checker=checker)

    validators = {}
    for scheme in schemes.values():
        for kind, file_name in scheme.kinds.items():
            validator = compile_schema(f"schemes/{scheme.id}/{file_name}")
            if validator is not None:
                validators[(scheme.id, kind)] = validator
    batch_validator = compile_schema("schemes/_common/batch.schema.json")
    return SchemaSet(validators, batch_validator), findings


ANNOTATIONS = {"title", "description", "x-hint", "x-basis", "x-standard", "x-rule", "x-private", "$comment"}


def _inline_references(schema, resolver, depth: int = 0):
    """The schema with every `$ref` replaced by what it points to.

    Resolving references is about half of jsonschema's time per record; our schemas are not
    recursive, so each is resolved once here instead. Annotations written beside a `$ref` (a
    `title`) override the target's; other keywords beside it are kept with the target in `allOf`.
    """
    if depth > 50:
        raise ValueError("JSON Schema 的 $ref 嵌套过深（是否循环引用？）")
    if isinstance(schema, list):
        return [_inline_references(item, resolver, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" not in schema:
        return {key: _inline_references(value, resolver, depth + 1) for key, value in schema.items()}
    resolved = resolver.lookup(schema["$ref"])
    target = _inline_references(resolved.contents, resolved.resolver, depth + 1)
    siblings = {key: _inline_references(value, resolver, depth + 1) for key, value in schema.items() if key != "$ref"}
    if set(siblings) - ANNOTATIONS:
        return {"allOf": [target], **siblings}
    return {**target, **siblings}


def schema_findings(validator: Draft202012Validator, document: Document, scheme: Scheme | None) -> list[Finding]:
    """Every schema error of one document, as findings with line, column and a Chinese message."""
    return [_finding(validator, error, document, scheme) for error in validator.iter_errors(document.data)]


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
    rule = schema.get("x-rule") or f"schema-{kind}"
    message = ""
    position_parts = parts

    if kind == "required":
        missing = _quoted(error.message)
        _, missing_title = describe(validator, parts + (missing,))
        rule = "schema-required"
        message = f"缺少必填项「{missing_title}」（{missing}）"
        position_parts = parts + (missing,)  # an emptied `name:` line is where to point, else the parent
        if "then" in error.relative_schema_path and isinstance(error.instance, dict) and "status" in error.instance:
            # required by an if/then on the status: point at the status that asks for it
            message += f"：状态为 {error.instance['status']} 时必须填写"
            position_parts = parts + ("status",)
    elif kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = set(schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in allowed] or [_quoted(error.message)]
        rule = "unknown-key"
        position_parts = parts + (unknown[0], "<key>")
        where = f"「{title}」中" if parts else ""
        message = (f"{where}有未知字段「{'、'.join(unknown)}」：请检查拼写"
                   + (f"；可用的字段有 {'、'.join(sorted(allowed))}" if allowed else ""))
    elif kind == "type":
        message, rule = _type_message(error, title, document, parts)
    elif kind == "enum":
        choices = "、".join(str(choice) for choice in error.validator_value)
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
    elif kind == "propertyNames":
        message = f"「{title}」中的「{error.instance}」不符合要求" + (f"：{schema.get('x-hint')}" if schema.get("x-hint") else "")
    else:
        message = f"「{title}」不符合要求（{error.message}）"

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
