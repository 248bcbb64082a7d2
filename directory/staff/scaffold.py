"""`directory new provider|expert`: a skeleton record with every field of the scheme, each under a
Chinese comment taken from the schema (label, allowed values, hint) and the scheme's entry
conditions (threshold and article) — so staff fill in a form, not a blank page.
"""
from __future__ import annotations

import json
from pathlib import Path

from directory.rules.conditions import conditions_by_field
from directory.rules.fields import Field, fields_of
from directory.rules.schemes import Condition, Scheme

INDENT = "  "
# Fields a new application does not have yet: written as comments to uncomment later.
FILLED_LATER = {"recognition": "认定信息：认定（或进入公示）后，去掉下面各行开头的“# ”再填写",
                "reports": "定期报送（不公开）：认定后按期登记，去掉下面一行开头的“# ”"}


def skeleton(scheme: Scheme, kind: str, record_id: str, schema: dict) -> str:
    """The YAML text of a new record; `schema` is the scheme's inlined schema for `kind`."""
    conditions = conditions_by_field(scheme.conditions.get(kind, ()))
    title = scheme.rules(kind).label
    lines = [f"# {scheme.title} · 新{title}记录",
             f"# 依据：《{scheme.document.title}》{scheme.document.number}",
             "# 填好后运行：.venv/bin/directory validate " + _path(scheme, kind, record_id),
             "# 标有（必填）的项必须填写；（不公开）的项只用于审核，不会出现在网站上。", ""]
    for field in fields_of(schema):
        if field.key == "waivers" and not any(c.waivable for c in scheme.conditions.get(kind, ())):
            continue  # this scheme's document allows no relaxing
        prefill = {"id": record_id, "scheme": scheme.id}.get(field.key)
        field_lines = _field(field, conditions, scheme, depth=0, prefill=prefill)
        if field.key in FILLED_LATER:
            field_lines = [f"# {FILLED_LATER[field.key]}"] + ["#" + line[1:] if line.startswith("# ") else "# " + line
                                                               for line in field_lines[1:]]
        lines += field_lines
    return "\n".join(lines) + "\n"


def _field(field: Field, conditions: dict, scheme: Scheme, depth: int, prefill: str | None = None) -> list[str]:
    pad = INDENT * depth
    lines = [pad + "# " + _comment(field.schema, field.required, conditions.get(field.dotted, []), scheme)]
    if field.type == "object" and field.children and field.key != "private":
        lines.append(f"{pad}{field.key}:")
        for child in field.children:
            lines += _field(child, conditions, scheme, depth + 1)
        return lines
    if field.repeated:
        example = ", ".join(f"{child.key}: " for child in field.children)
        lines.append(f"{pad}{field.key}:")
        lines.append(f"{pad}{INDENT}# - {{{example}}}")
        return lines
    if field.type == "array":
        lines.append(f"{pad}{field.key}: []")
        return lines
    value = json.dumps(prefill, ensure_ascii=False) if prefill else ""
    lines.append(f"{pad}{field.key}: {value}".rstrip())
    return lines


def _comment(schema: dict, required: bool, conditions: list[Condition], scheme: Scheme) -> str:
    parts = [schema.get("title", "")]
    if required:
        parts.append("（必填）")
    if schema.get("x-private") and "不公开" not in parts[0]:
        parts.append("（不公开）")
    enum = schema.get("enum") or schema.get("items", {}).get("enum")
    if enum:
        parts.append("；可选：" + "、".join(map(str, enum)))
    if schema.get("x-hint"):
        parts.append("；" + schema["x-hint"])
    elif schema.get("format") == "date":
        parts.append("；写作 YYYY-MM-DD")
    if schema.get("type") == "string" and schema.get("pattern", "").startswith("^[0-9]"):
        parts.append("；请加引号")
    for condition in conditions:
        parts.append(f"；入库条件：{condition.label}（{scheme.cite(condition.basis)}）")
    if schema.get("x-basis") and schema["x-basis"] not in {c.basis for c in conditions}:
        parts.append(f"（{scheme.cite(schema['x-basis'])}）")
    return "".join(parts)



def _path(scheme: Scheme, kind: str, record_id: str) -> str:
    folder = scheme.rules(kind).folder
    return f"providers/{scheme.id}/{folder + '/' if folder else ''}{record_id}.yaml"


def write_skeleton(root: Path, scheme: Scheme, kind: str, record_id: str, schema: dict, force: bool) -> Path:
    """Write the skeleton; refuses to overwrite an existing record unless `force`."""
    path = root / _path(scheme, kind, record_id)
    if path.exists() and not force:
        raise FileExistsError(f"{_path(scheme, kind, record_id)} 已存在：加 --force 才会覆盖")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(scheme, kind, record_id, schema), encoding="utf-8")
    return path
