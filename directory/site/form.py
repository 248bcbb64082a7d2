"""Application forms on the public site, generated from each scheme's JSON Schema.

One page per record kind of each scheme:

* providers: `/<scheme-id>/apply/` (docs `<scheme-id>/apply/index.md`); `apply` is a reserved
  record id, so no provider page can take this address;
* experts (jilin-city-sme): `/<scheme-id>/experts/apply/` — beside the expert pages, whose ids
  cannot be `apply` either (the folder is the kind's `folder` in scheme.yaml).

Beside each page the build writes `schema.json`: the same inlined schema `directory validate`
checks records with (`schemas.validators[(scheme, kind)].schema`), so the browser validates with
exactly these rules (templates/assets/apply.js, with the vendored @cfworker/json-schema and a port
of the credit-code check character); `conditions.json`: the scheme's entry conditions compiled to
JSON Schema by rules/conditions.compile_conditions, with validate's own messages and articles;
and `application.docx`: the 申请表 to print, sign and stamp (form_docx.py), filled in the browser. The form's fields come from that schema too: inputs are
named by the dotted key (`facts.area_m2`), labels are the schema `title`s, hints its `x-hint`s,
choices its `enum`s, and the region list is the scheme's area of the GB/T 2260 table.

Fields: every public top-level property, plus `facts` (申报数据, private on the site but part of
an application) and `private` (contact person and mobile; never published). Left out, because
staff fill them in later or they are derived: `recognition`, `reports`, `waivers`, `service_log`
and `term.end` (derived from `term.start`). A field an entry condition needs is marked required
(conditions.required_fields), as validate cannot check the condition without it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field as dataclass_field, replace
from pathlib import Path

from directory.rules.regions import regions
from directory.site.render import PACKAGE_TEMPLATES, page_environment
from directory.rules.conditions import compile_conditions, conditions_by_field, required_fields
from directory.rules.schemas import TYPE_NAMES
from directory.site.form_docx import application_docx, form_title
from directory.site.form_messages import templates
from directory.rules.fields import Field as SchemaField, fields_of
from directory.rules.schemes import Scheme

TEMPLATE = "apply.md.j2"
ASSETS = ("apply.js", "apply.css", "vendor")          # under templates/assets/
# validate's messages for schema errors (rules/schemas.py, read through form_messages.py) and its
# type words, for apply.js: the form says what validate says, from one copy.

SKIPPED = {"recognition", "reports", "waivers", "service_log"}    # filled in by staff later
PRIVATE_INCLUDED = {"facts", "private"}                             # private, but part of an application
DERIVED = {"term.end": "聘任截止日期按办法由起始日期推算，不必填写"}
# `private` of a provider is a free mapping (no properties in the schema): offer these two.
FREE_PRIVATE = {
    "contact_person": {"title": "联系人", "type": "string"},
    "mobile": {"title": "联系人手机", "type": "string", "x-hint": "如 13800000000"},
}
# by key: the email rule is a `pattern` in schemes/_common/defs.schema.json, not a `format`
INPUT_TYPES = {"phone": "tel", "mobile": "tel", "website": "url", "email": "email"}


@dataclass(frozen=True)
class Field:
    """One control of the form."""

    name: str                   # the dotted key: name, facts.area_m2, services.0.name
    label: str                  # the schema's title
    control: str                # text textarea number date email tel url select boolean region checkboxes hidden
    required: bool = False
    hint: str = ""              # the schema's x-hint
    notes: tuple[str, ...] = ()  # standard, basis and entry conditions: information, not checks
    options: tuple[tuple[str, str], ...] = ()   # (value, label)
    value: str = ""             # hidden fields only
    step: str = ""
    minimum: str = ""
    maximum: str = ""
    json_type: str = "string"   # how apply.js reads the value: string integer number boolean array
    kind: str = "field"

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


@dataclass(frozen=True)
class Group:
    """A fieldset: an object (contact, facts, term, private) or a repeatable list (services)."""

    name: str
    label: str
    fields: tuple[Field, ...]
    repeat: bool = False        # one row per list item; apply.js adds and removes rows
    private: bool = False
    required: bool = False
    kind: str = "group"


@dataclass(frozen=True)
class Form:
    scheme: Scheme
    kind: str
    url: str                    # site-relative, e.g. hunan-sme-hexin/apply/
    heading: str
    record_folder: str          # where the record goes, e.g. providers/hunan-sme-hexin/
    items: tuple[Field | Group, ...]
    conditions: tuple[str, ...] = dataclass_field(default_factory=tuple)

    @property
    def docs_path(self) -> str:
        return self.url + "index.md"

    @property
    def paper_title(self) -> str:
        """The title of the scheme's own 申请表, which the downloaded Word file carries."""
        return form_title(self)


def render_apply_pages(catalogue, schemas, templates_dir: Path, docs_dir: Path, site_name: str) -> list[str]:
    """Write each scheme's application form(s) and their schema.json; return the paths written
    (relative to `docs_dir`)."""
    source = templates_dir if (templates_dir / "pages" / TEMPLATE).exists() else PACKAGE_TEMPLATES
    template = page_environment(source).get_template(TEMPLATE)
    written: list[str] = []

    def write(relative: str, text: str | bytes) -> None:
        target = docs_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        written.append(relative)

    for scheme in catalogue.schemes:
        for kind in scheme.kinds:
            validator = schemas.validators.get((scheme.id, kind))
            if validator is None:
                continue
            form = build_form(scheme, kind, validator.schema)
            root = "../" * form.url.count("/")
            write(form.docs_path, template.render(root=root, today=catalogue.today, site_name=site_name,
                                                  form=form, scheme=scheme, messages=_messages()))
            write(form.url + "schema.json", schema_json(validator.schema))
            write(form.url + "conditions.json", schema_json(compile_conditions(scheme, kind, catalogue.today, validator)))
            write(form.url + "application.docx", application_docx(form, catalogue.today))
    _ensure_assets(templates_dir, docs_dir)
    return written


def _messages() -> str:
    return json.dumps({**templates(), "types": TYPE_NAMES}, ensure_ascii=False, separators=(",", ":"))


def schema_json(schema: dict) -> str:
    """The inlined schema as the browser reads it: the same dict `directory validate` uses."""
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":")) + "\n"


def build_form(scheme: Scheme, kind: str, schema: dict) -> Form:
    conditions = conditions_by_field(scheme.conditions.get(kind, ()))
    needed = required_fields(scheme, kind)
    items: list[Field | Group] = []
    for entry in fields_of(schema):
        if entry.key in SKIPPED or (entry.private and entry.key not in PRIVATE_INCLUDED):
            continue
        if entry.key == "scheme":
            items.append(Field("scheme", entry.title, "hidden", value=scheme.id))
            continue
        item = _item(entry, scheme, conditions, needed)
        if item is not None:
            items.append(item)
    rules = scheme.rules(kind)
    folder = f"{rules.folder}/" if rules.folder else ""
    return Form(
        scheme=scheme, kind=kind, url=f"{scheme.id}/{folder}apply/",
        heading=f"{scheme.short_title} · {rules.label}申请表", record_folder=f"providers/{scheme.id}/{folder}",
        items=tuple(items),
        conditions=tuple(f"{c.label}（{scheme.cite(c.basis)}）" for c in scheme.conditions.get(kind, ())),
    )


def _item(entry: SchemaField, scheme: Scheme, conditions: dict, needed: set[str]) -> Field | Group | None:
    if entry.kind == "object":
        children = entry.children or (fields_of({"properties": FREE_PRIVATE}, entry.path, entry.private)
                                      if entry.key == "private" else ())
        # an object's own fields are required only where the object is (or a condition needs them)
        fields = tuple(f for child in children if child.dotted not in DERIVED
                       for f in [_field(child.dotted, child, (entry.required and child.required)
                                        or child.dotted in needed, scheme, conditions)]
                       if f)
        for name, note in DERIVED.items():
            if name.startswith(entry.key + ".") and fields:
                fields = (replace(fields[0], notes=fields[0].notes + (note,)),) + fields[1:]
        return Group(entry.key, entry.title, fields, private=entry.private,
                     required=entry.required or any(f.required for f in fields)) if fields else None
    if entry.kind == "records":
        fields = tuple(f for child in entry.children
                       for f in [_field(f"{entry.key}.0.{child.key}", child, child.required, scheme, conditions)] if f)
        return Group(entry.key, entry.title, fields, repeat=True, private=entry.private,
                     required=entry.required) if fields else None
    return _field(entry.key, entry, entry.required or entry.key in needed, scheme, conditions)


def _field(name: str, entry: SchemaField, required: bool, scheme: Scheme, conditions: dict) -> Field | None:
    """The control of one field; `name` is the input's name (`services.0.name` in a list's row)."""
    schema = entry.schema
    notes: list[str] = []
    if schema.get("x-standard"):
        notes.append(f"按 {schema['x-standard']} 检查")
    condition_list = conditions.get(entry.dotted, [])
    for condition in condition_list:
        notes.append(f"入库条件：{condition.label}（{scheme.cite(condition.basis)}）")
    if entry.basis and entry.basis not in {c.basis for c in condition_list}:
        notes.append(f"依据：{scheme.cite(entry.basis)}")
    common = dict(name=name, label=entry.title, required=required, notes=tuple(notes))

    if "enum" in schema:
        return Field(**common, control="select", hint=entry.hint,
                     options=tuple((str(v), str(v)) for v in schema["enum"]),
                     json_type="boolean" if entry.kind == "boolean" else "string")
    if entry.kind == "boolean":
        return Field(**common, control="boolean", hint=entry.hint, options=(("true", "是"), ("false", "否")),
                     json_type="boolean")
    if entry.kind == "list":
        if entry.enum:
            return Field(**common, control="checkboxes", hint=entry.hint,
                         options=tuple((str(v), str(v)) for v in entry.enum), json_type="array")
        return None  # no other kind of list occurs in the schemas; staff can add one by hand
    if entry.kind in ("integer", "number"):
        return Field(**common, control="number", hint=entry.hint, step="1" if entry.kind == "integer" else "any",
                     minimum=_bound(schema.get("minimum")), maximum=_bound(schema.get("maximum")),
                     json_type=entry.kind)
    if not entry.types <= {"string"}:
        return None
    fmt = schema.get("format")
    if entry.kind == "date":
        return Field(**common, control="date")       # the date picker writes YYYY-MM-DD
    if fmt == "region-code":
        options = tuple((code, f"{region.full_name}（{code}）") for code, region in sorted(regions().items())
                        if code.startswith(scheme.region_prefix))
        return Field(**common, control="region", hint=f"{scheme.region_name}的行政区划", options=options)
    if fmt == "email":
        return Field(**common, control="email", hint=entry.hint)
    if entry.prose:
        return Field(**common, control="textarea", hint=entry.hint)
    return Field(**common, control=INPUT_TYPES.get(entry.key, "text"), hint=entry.hint)


def _bound(value) -> str:
    return "" if value is None or isinstance(value, bool) else str(value)


def _ensure_assets(templates_dir: Path, docs_dir: Path) -> None:
    """A library whose own templates/ predate the forms still gets the form's script and styles."""
    import shutil

    for name in ASSETS:
        if (templates_dir / "assets" / name).exists() or not (PACKAGE_TEMPLATES / "assets" / name).exists():
            continue
        source, target = PACKAGE_TEMPLATES / "assets" / name, docs_dir / "assets" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
