"""The one schema walker (directory/rules/fields.py): a record kind's fields, as tables."""
from __future__ import annotations

import copy

import pytest

from conftest import REPO
from directory.rules.fields import fields_of
from directory.rules.schemas import build_schemas
from directory.rules.schemes import load_schemes
from directory.site.opendata import table_columns

SCHEMES = load_schemes(REPO).schemes
SCHEMAS, SCHEMA_PROBLEMS = build_schemas(REPO, SCHEMES)
SHIPPED = {key: fields_of(validator.schema) for key, validator in SCHEMAS.validators.items()}


def field(schema: dict, *path: str):
    """The field at `path` of an object schema with `schema` as its property `x`."""
    found = fields_of({"properties": {"x": schema}})[0]
    for key in path:
        found = found.child(key)
    return found


@pytest.mark.parametrize("schema, kind", [
    ({"type": "string"}, "text"),
    ({}, "text"),
    ({"type": ["string", "null"]}, "text"),
    ({"enum": ["综合服务机构", "专业服务机构"]}, "text"),
    ({"type": "string", "format": "date"}, "date"),
    ({"format": "date"}, "date"),
    ({"type": "integer", "minimum": 0}, "integer"),
    ({"type": "number"}, "number"),
    ({"type": "boolean"}, "boolean"),
    ({"enum": [True, False]}, "boolean"),
    ({"type": "array", "items": {"enum": ["数字化转型"]}}, "list"),
    ({"type": "array", "items": {"type": "object", "properties": {"name": {}}}}, "records"),
    ({"type": "object", "properties": {"phone": {}}}, "object"),
    ({"allOf": [{"type": "number"}], "minimum": 1}, "number"),
])
def test_the_kind_of_a_field_says_how_one_value_is_written(schema, kind):
    assert field(schema).kind == kind


@pytest.mark.parametrize("schema, item_kind", [
    ({"type": "array", "items": {"enum": ["数字化转型"]}}, "text"),
    ({"type": "array", "items": {"type": "string", "format": "date"}}, "date"),
    ({"type": "array", "items": {"type": "integer"}}, "integer"),
    ({"type": "array"}, "text"),
])
def test_the_items_of_a_list_are_a_field_of_their_own(schema, item_kind):
    assert field(schema).items.kind == item_kind


@pytest.mark.parametrize("schema, extra_kind", [
    ({"type": "object"}, "text"),
    ({"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}, "text"),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "integer"),
    ({"type": "object", "additionalProperties": False}, None),
    ({"type": "string"}, None),
])
def test_an_object_open_to_keys_of_its_own_says_how_their_values_are_written(schema, extra_kind):
    extra = field(schema).extra
    assert (extra.kind if extra else None) == extra_kind


@pytest.mark.parametrize("schema, prose", [
    ({"type": "string", "maxLength": 1000}, True),
    ({"type": "string", "maxLength": 500}, True),
    ({"type": "string", "maxLength": 499}, False),
    ({"type": "string"}, False),
    ({"type": "array", "maxLength": 1000}, False),
])
def test_only_long_text_is_prose(schema, prose):
    assert field(schema).prose is prose


PRIVATE_OBJECT = {"type": "object", "x-private": True, "required": ["area"],
                  "properties": {"area": {"type": "number", "title": "面积"}, "note": {"type": "string"}}}
LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "title": "名称"}, "description": {"type": "string"}}}}


@pytest.mark.parametrize("schema, path, expected", [
    (PRIVATE_OBJECT, ("area",), ("x.area", "面积", True, True)),
    (PRIVATE_OBJECT, ("note",), ("x.note", "note", False, True)),
    (LIST_OF_OBJECTS, ("name",), ("x.name", "名称", True, False)),
    (LIST_OF_OBJECTS, ("description",), ("x.description", "description", False, False)),
    ({"allOf": [{"type": "object", "properties": {"start": {"title": "起"}}}], "x-private": True},
     ("start",), ("x.start", "起", False, True)),
])
def test_a_child_has_its_dotted_path_title_required_and_inherits_private(schema, path, expected):
    child = field(schema, *path)
    assert (child.dotted, child.title, child.required, child.private) == expected


def test_conditional_parts_of_an_allof_are_not_folded_into_the_field():
    recognition = field({"type": "object", "allOf": [{"if": {"required": ["a"]}, "then": {"required": ["b"]}}],
                         "properties": {"a": {}, "b": {}}})
    assert [child.key for child in recognition.children] == ["a", "b"]
    assert not {"if", "then", "allOf"} & set(recognition.schema)


def test_the_shipped_schemas_compile():
    assert SCHEMA_PROBLEMS == [] and len(SHIPPED) == 6


@pytest.mark.parametrize("scheme, kind, dotted, kind_of_value", [
    ("hunan-sme-hexin", "provider", "nature", "text"),            # an enum without "type"
    ("hunan-sme-hexin", "provider", "categories", "list"),
    ("hunan-sme-hexin", "provider", "services", "records"),
    ("hunan-sme-hexin", "provider", "facts.area_m2", "number"),
    ("hunan-sme-hexin", "provider", "facts.no_bad_credit_record", "boolean"),
    ("hunan-sme-hexin", "provider", "established", "date"),
    ("hunan-sme-hexin", "provider", "recognition.revocation.date", "date"),
    ("hubei-afxh", "provider", "council_member", "boolean"),
    ("jilin-city-sme", "expert", "years_of_service", "integer"),
    ("jilin-city-sme", "expert", "term.start", "date"),
])
def test_the_shipped_schemas_give_each_field_the_kind_staff_write(scheme, kind, dotted, kind_of_value):
    def walk(fields):
        for entry in fields:
            yield entry
            yield from walk(entry.children)

    [found] = [entry for entry in walk(SHIPPED[(scheme, kind)]) if entry.dotted == dotted]
    assert found.kind == kind_of_value


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_every_shipped_kind_keeps_facts_reports_and_private_private_and_its_contact_public(key):
    fields = {entry.key: entry for entry in SHIPPED[key]}
    assert fields["private"].private and not fields["id"].private
    assert all(entry.private for name in ("facts", "reports", "service_log") if name in fields
               for entry in fields[name].children)
    assert "contact" not in fields or not any(entry.private for entry in fields["contact"].children)


# ---------------------------------------------------------------- a consumer: the open-data columns

PROVIDER_HEADERS = ["名录", "编号", "机构名称", "状态", "有效期起", "有效期至", "统一社会信用代码", "机构性质", "行政区划代码",
                    "地区", "地址", "邮政编码", "成立日期", "法定代表人", "网址", "服务电话", "电子信箱", "服务类别", "推荐单位", "页面",
                    "最后更新", "状态日期"]
EXPERT_HEADERS = ["名录", "编号", "姓名", "状态", "聘任起", "聘任止", "职称", "工作单位", "学历", "服务年限", "服务领域",
                  "行政区划代码", "地区", "推荐单位", "页面", "最后更新", "状态日期"]


def columns(kind: str, change=None) -> list[tuple[str, str]]:
    """The table columns of `kind` from the shipped schemas, `change(scheme_id, schema)` applied to copies."""
    trees = []
    for scheme_id in sorted(SCHEMES):
        if (scheme_id, kind) in SCHEMAS.validators:
            schema = copy.deepcopy(SCHEMAS.validators[(scheme_id, kind)].schema)
            if change:
                change(scheme_id, schema)
            trees.append((SCHEMES[scheme_id], fields_of(schema)))
    return table_columns(kind, trees)


@pytest.mark.parametrize("kind, headers", [("provider", PROVIDER_HEADERS), ("expert", EXPERT_HEADERS)])
def test_the_shipped_schemas_give_the_published_open_data_headers(kind, headers):
    assert [header for _, header in columns(kind)] == headers


def test_the_columns_read_the_contact_fields_and_each_kinds_categories_field():
    assert ("contact.phone", "服务电话") in columns("provider")
    assert ("categories", "服务领域") in columns("expert")          # jilin experts keep them in `expertise`


def make_private(key):
    return lambda scheme_id, schema: schema["properties"][key].update({"x-private": True})


def add_everywhere(key, title, after):
    def change(scheme_id, schema):
        items = list(schema["properties"].items())
        position = [name for name, _ in items].index(after) + 1
        schema["properties"] = dict(items[:position] + [(key, {"type": "string", "title": title})] + items[position:])
    return change


def add_to_hunan(scheme_id, schema):
    if scheme_id == "hunan-sme-hexin":
        schema["properties"]["motto"] = {"type": "string", "title": "服务宗旨"}


@pytest.mark.parametrize("change, header, present", [
    (make_private("legal_representative"), "法定代表人", False),   # private in a schema: never a column
    (add_everywhere("fax", "传真", after="website"), "传真", True),  # a new public field of every scheme
    (add_to_hunan, "服务宗旨", False),                               # one scheme's own field: JSON only
    (None, "机构简介", False),                                        # prose
    (None, "服务产品", False),                                        # a list of objects
])
def test_a_provider_column_follows_the_schemas(change, header, present):
    assert (header in [title for _, title in columns("provider", change)]) is present


def test_a_new_field_of_every_scheme_takes_its_schema_place():
    headers = [title for _, title in columns("provider", add_everywhere("fax", "传真", after="website"))]
    assert headers[headers.index("网址") + 1] == "传真"
