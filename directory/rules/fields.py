"""The fields of a record kind, read once from its inlined JSON Schema.

Every consumer of "what fields does a record have" (the skeleton of `directory new`, the pages, the
application form, the importer, the open data) walks this one list instead of the schema:

    >>> [f.key for f in fields_of({"properties": {"id": {"title": "编号"}, "facts": {
    ...     "type": "object", "x-private": True, "properties": {"area_m2": {"type": "number"}}}}})]
    ['id', 'facts']
    >>> fields_of({"properties": {"facts": {"type": "object", "x-private": True,
    ...     "properties": {"area_m2": {"type": "number"}}}}})[0].children[0].private
    True
    >>> fields_of({"properties": {"tags": {"type": "array", "items": {"type": "string"}}}})[0].kind
    'list'
"""
from __future__ import annotations

from dataclasses import dataclass

JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}
PROSE_FROM = 500        # text allowed this long is prose: a text area in the form, no spreadsheet column


@dataclass(frozen=True)
class Field:
    key: str                        # the property name
    path: tuple[str, ...]           # from the record's root: ("facts", "area_m2")
    schema: dict                    # its subschema (inlined: no $ref; `allOf` parts folded in)
    required: bool                  # required in its parent
    private: bool                   # x-private here or above: never published
    children: tuple["Field", ...] = ()  # an object's properties, or those of an array's items
    repeated: bool = False          # an array of objects: each item has `children`

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def title(self) -> str:
        return self.schema.get("title") or self.key

    @property
    def type(self) -> str | None:
        kind = self.schema.get("type")
        return kind if isinstance(kind, str) else None

    @property
    def types(self) -> frozenset[str]:
        """The JSON types a value may have: its `type`, else the types of its `enum` values."""
        declared = self.schema.get("type")
        if declared:
            return frozenset(declared if isinstance(declared, list) else [declared])
        return frozenset(JSON_TYPES.get(type(value), "null") for value in self.schema.get("enum") or ())

    @property
    def kind(self) -> str:
        """What one value is: object, records (a list of objects), list, boolean, integer, number,
        date or text (anything else, e.g. a string, an enum of strings or no type at all)."""
        types = self.types
        if types == {"object"}:
            return "object"
        if types == {"array"}:
            return "records" if self.repeated else "list"
        if types in ({"boolean"}, {"integer"}, {"number"}):
            return next(iter(types))
        if types <= {"string"} and self.schema.get("format") == "date":
            return "date"
        return "text"

    @property
    def items(self) -> "Field":
        """One item of a list, as a field of its own (same key and path)."""
        return Field(self.key, self.path, _merged(self.schema.get("items")), False, self.private)

    @property
    def extra(self) -> "Field | None":
        """An object that accepts keys of its own (`additionalProperties` not false): their field."""
        extra = self.schema.get("additionalProperties", True)
        if self.kind != "object" or extra is False:
            return None
        return Field(self.key, self.path, _merged(extra), False, self.private)

    @property
    def prose(self) -> bool:
        """Free text that may run to paragraphs (a profile, a description)."""
        return self.kind == "text" and (self.schema.get("maxLength") or 0) >= PROSE_FROM

    @property
    def enum(self) -> tuple:
        items = self.schema.get("items") if isinstance(self.schema.get("items"), dict) else {}
        return tuple(self.schema.get("enum") or items.get("enum") or ())

    @property
    def hint(self) -> str:
        return self.schema.get("x-hint", "")

    @property
    def basis(self) -> str:
        items = self.schema.get("items") if isinstance(self.schema.get("items"), dict) else {}
        return self.schema.get("x-basis") or items.get("x-basis", "")

    def child(self, key: str) -> "Field | None":
        return next((f for f in self.children if f.key == key), None)


def fields_of(schema: dict, path: tuple[str, ...] = (), private: bool = False) -> tuple[Field, ...]:
    """The fields of an object schema, in the schema's order, each with its children."""
    schema = _merged(schema)
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = set(schema.get("required") or ())
    fields = []
    for key, subschema in properties.items():
        if not isinstance(subschema, dict):
            continue
        subschema = _merged(subschema)
        here = path + (key,)
        is_private = private or bool(subschema.get("x-private"))
        items = _merged(subschema.get("items"))
        if subschema.get("type") == "object":
            fields.append(Field(key, here, subschema, key in required, is_private,
                                fields_of(subschema, here, is_private)))
        elif subschema.get("type") == "array" and items.get("type") == "object":
            fields.append(Field(key, here, subschema, key in required, is_private,
                                fields_of(items, here, is_private), repeated=True))
        else:
            fields.append(Field(key, here, subschema, key in required, is_private))
    return tuple(fields)


def _merged(schema) -> dict:
    """A subschema with the parts of its `allOf` folded in: schemas.py inlines a `$ref` that has
    keywords beside it as `{"allOf": [target], ...}`. Conditional parts (if/then/else) only
    validate, so they are left out."""
    if not isinstance(schema, dict):
        return {}
    if "allOf" not in schema:
        return schema
    merged = {}
    for part in schema["allOf"]:
        if isinstance(part, dict):
            merged.update({key: value for key, value in _merged(part).items() if key not in ("if", "then", "else")})
    merged.update({key: value for key, value in schema.items() if key != "allOf"})
    return merged
