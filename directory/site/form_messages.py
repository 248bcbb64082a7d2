"""validate's messages for schema errors, as templates the application form fills in the browser.

The wording lives in one place, rules/schemas.py (`_finding`). Rather than copy it into apply.js,
the build asks it: for each keyword a form can break, one tiny schema and a record that breaks it,
with stand-in values (private-use characters and numbers no message contains otherwise), go
through `schema_findings`; the stand-ins in the message it returns become placeholders:

    {title} the field's title   {value} the value   {limit} the keyword's bound   {hint} x-hint
    {length} the text's length  {key} a missing key  {shown} a non-string value as JSON
    {choices} / {repeated} / {expected}: lists, joined by `separators[name]`

    >>> templates()["messages"]["pattern_hint"]
    '「{title}」格式不对：「{value}」，应为{hint}'
"""
from __future__ import annotations

import functools
import json

from jsonschema import Draft202012Validator

from directory.loading.yamlfile import load_bytes
from directory.rules.codes import format_checker
from directory.rules.schemas import TYPE_NAMES, schema_findings   # the one wording

TITLE, VALUE, VALUE_2, OTHER, HINT = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
KEY = "甲乙丙丁"                     # printable: jsonschema names a missing key by its repr()
HIGH, LOW = 918273, 311             # bounds, a value and a length no message holds by chance
NUMBER, LONG = 645312.5, 917
STAND_INS = {TITLE: "{title}", VALUE: "{value}", HINT: "{hint}", KEY: "{key}", str(HIGH): "{limit}",
             str(LOW): "{limit}", json.dumps(NUMBER): "{shown}", str(LONG): "{length}"}

# variant -> (the field's schema, its value, the list placeholder its two list items stand for)
SAMPLES = {
    "type": ({"type": ["integer", "boolean"]}, NUMBER, "expected"),
    "enum": ({"enum": [VALUE, VALUE_2]}, OTHER, "choices"),
    "format_date": ({"type": "string", "format": "date"}, VALUE, None),
    "format": ({"type": "string", "format": "email"}, VALUE, None),
    "format_hint": ({"type": "string", "format": "email", "x-hint": HINT}, VALUE, None),
    "pattern": ({"type": "string", "pattern": "^a$"}, VALUE, None),
    "pattern_hint": ({"type": "string", "pattern": "^a$", "x-hint": HINT}, VALUE, None),
    "minLength_empty": ({"type": "string", "minLength": 1}, "", None),
    "minLength": ({"type": "string", "minLength": HIGH}, VALUE, None),
    "maxLength": ({"type": "string", "maxLength": LOW}, VALUE * LONG, None),
    "minimum": ({"type": "number", "minimum": HIGH}, NUMBER, None),
    "exclusiveMinimum": ({"type": "number", "exclusiveMinimum": HIGH}, NUMBER, None),
    "maximum": ({"type": "number", "maximum": LOW}, NUMBER, None),
    "exclusiveMaximum": ({"type": "number", "exclusiveMaximum": LOW}, NUMBER, None),
    "uniqueItems": ({"type": "array", "uniqueItems": True}, [VALUE, VALUE, VALUE_2, VALUE_2], "repeated"),
}


def _message(field_schema: dict, value, required: bool = False) -> str:
    """validate's message for one field `x` (titled TITLE) holding `value`, or for missing KEY."""
    name = KEY if required else "x"
    schema = {"type": "object", "properties": {name: {"title": TITLE, **field_schema}}}
    if required:
        schema["required"] = [KEY]
    validator = Draft202012Validator(schema, format_checker=format_checker())
    document, _ = load_bytes(json.dumps({} if required else {"x": value}).encode("utf-8"), "sample.json")
    findings = schema_findings(validator, document, None)
    assert len(findings) == 1, (field_schema, findings)
    return findings[0].message


@functools.cache
def templates() -> dict:
    """{"messages": variant -> template, "separators": list placeholder -> separator}."""
    messages, separators = {}, {}
    for variant, (field_schema, value, list_name) in SAMPLES.items():
        text = _message(field_schema, value)
        if list_name == "expected":        # the two type names stand for the list
            first, second = TYPE_NAMES["integer"], TYPE_NAMES["boolean"]
        else:
            first, second = VALUE, VALUE_2
        if list_name:
            start, end = text.index(first), text.index(second) + len(second)
            separators[list_name] = text[start + len(first):end - len(second)]
            text = text[:start] + "{" + list_name + "}" + text[end:]
        for stand_in, placeholder in {**STAND_INS, OTHER: "{value}"}.items():
            text = text.replace(stand_in, placeholder)
        messages[variant] = text
    messages["required"] = _message({}, None, required=True).replace(TITLE, "{title}").replace(KEY, "{key}")
    return {"messages": messages, "separators": separators}
