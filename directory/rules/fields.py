"""The fields of a record kind, read once from its inlined JSON Schema.

Every consumer of "what fields does a record have" (the skeleton of `directory new`, the pages, the
application form, the importer, the open data) walks this one list instead of the schema:

    >>> [f.key for f in fields_of({"properties": {"id": {"title": "编号"}, "facts": {
    ...     "type": "object", "x-private": True, "properties": {"area_m2": {"type": "number"}}}}})]
    ['id', 'facts']
    >>> fields_of({"properties": {"facts": {"type": "object", "x-private": True,
    ...     "properties": {"area_m2": {"type": "number"}}}}})[0].children[0].private
    True
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str                        # the property name
    path: tuple[str, ...]           # from the record's root: ("facts", "area_m2")
    schema: dict                    # its subschema (inlined: no $ref)
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
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = set(schema.get("required") or ())
    fields = []
    for key, subschema in properties.items():
        if not isinstance(subschema, dict):
            continue
        here = path + (key,)
        is_private = private or bool(subschema.get("x-private"))
        items = subschema.get("items") if isinstance(subschema.get("items"), dict) else {}
        if subschema.get("type") == "object":
            fields.append(Field(key, here, subschema, key in required, is_private,
                                fields_of(subschema, here, is_private)))
        elif subschema.get("type") == "array" and items.get("type") == "object":
            fields.append(Field(key, here, subschema, key in required, is_private,
                                fields_of(items, here, is_private), repeated=True))
        else:
            fields.append(Field(key, here, subschema, key in required, is_private))
    return tuple(fields)
