"""The one schema walker (directory/rules/fields.py): a record kind's fields, as tables."""
from __future__ import annotations

import pytest

from conftest import REPO
from directory.rules.fields import fields_of
from directory.rules.schemas import build_schemas
from directory.rules.schemes import load_schemes


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


def shipped_fields():
    schemes = load_schemes(REPO).schemes
    schemas, problems = build_schemas(REPO, schemes)
    assert problems == []
    return {key: fields_of(validator.schema) for key, validator in schemas.validators.items()}


SHIPPED = shipped_fields()


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
