"""Entry conditions: one small interpreter per *kind* of condition written in a scheme.yaml.

A scheme lists its conditions as data, e.g.

    - {id: premises-area, kind: minimum, field: facts.area_m2, min: 150, unit: 平方米, basis: 第七条（三）}

and `check_conditions` runs each through the function of its kind. A function returns None when
the record passes, or a `Shortfall` (what is wrong, and where) when it does not.

`compile_conditions` turns the same conditions into one JSON Schema the application form runs in
the browser (directory/site/form.py writes it as conditions.json). Each message is written once,
in the `_says_*` functions below: validate calls them with the values found, the compiler with
placeholders that apply.js fills from the form (see `compile_conditions` for the placeholders).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date

from directory.rules.dates import add_months, parse_date
from directory.findings import Finding, json_path
from directory.rules.schemes import Condition, Scheme
from directory.rules.schemas import describe

_MISSING = object()


@dataclass(frozen=True)
class Shortfall:
    parts: tuple        # where to point: the failing value, or its parent when missing
    message: str
    missing: str = ""   # the dotted key of a value that is not there


def _get(data: dict, dotted: str):
    value = data
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _parts(dotted: str) -> tuple:
    return tuple(dotted.split("."))


def _number(value) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _missing(condition: Condition, dotted: str) -> Shortfall:
    return Shortfall(_parts(dotted), _says_missing(condition, dotted), dotted)


_KEY = re.compile(r"「([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)」")


def _titled(message: str, validator, missing: str) -> str:
    """「facts.area_m2」 -> 「服务场所面积（平方米）」: staff know a field by its title in the schema.
    A missing one keeps its key beside the title: there is no line to look at, only a key to add."""
    def title(match: re.Match) -> str:
        schema, name = describe(validator, _parts(match[1]))
        if not schema.get("title"):
            return match[0]   # not a field (or one without a title): as it was
        return f"「{name}」（{match[1]}）" if match[1] == missing else f"「{name}」"
    return _KEY.sub(title, message)


# What each shortfall says. Arguments are the values as shown (strings): validate passes the values
# found, compile_conditions passes placeholders such as "{=facts.area_m2}".

def _says_missing(condition: Condition, dotted: str) -> str:
    return f"缺少「{dotted}」，无法核对入库条件：{condition.label}"


def _says_below_minimum(condition: Condition, shown: str) -> str:
    return f"{condition.label}：现为 {shown} {condition.unit}，要求不少于 {_fmt(condition.min)} {condition.unit}"


def _says_zero_denominator(condition: Condition) -> str:
    return f"{condition.label}：「{condition.denominator}」为 0，无法计算比例"


def _says_part_above_whole(condition: Condition, top: str, bottom: str) -> str:
    return f"「{condition.numerator}」（{top}）不能大于「{condition.denominator}」（{bottom}）"


def _says_ratio_below(condition: Condition, top: str, bottom: str, percent: str) -> str:
    return f"{condition.label}：现为 {top}/{bottom} = {percent}%，要求不低于 {_fmt(condition.min_pct)}%"


def _says_too_young(condition: Condition, established: str, reference: str, reached: str) -> str:
    return (f"{condition.label}：成立于 {established}，到 {reference} 不满 "
            f"{_fmt(condition.min_years)} 年（满 {_fmt(condition.min_years)} 年之日为 {reached}）")


def _says_more_than(condition: Condition, top: str, bottom: str) -> str:
    return f"{condition.label}：「{condition.field}」（{top}）不能多于「{condition.of}」（{bottom}）"


def _says_not_attested(condition: Condition, shown: str) -> str:
    return f"{condition.label}：「{condition.field}」须为 true，现为 {shown}"


def _says_too_few(condition: Condition, count: str) -> str:
    return f"{condition.label}：现有 {count} 项，至少 {_fmt(condition.min)} 项"


def _says_too_many(condition: Condition, count: str, items: str) -> str:
    return f"{condition.label}：现有 {count} 项（{items}），最多 {_fmt(condition.max)} 项"


def _says_below_rank(condition: Condition, shown: str) -> str:
    return f"{condition.label}：现为 {shown}，要求{condition.min}及以上"


def check_minimum(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The value at `field` is at least `min`.

    passes: {area_m2: 150} with min 150;  fails: {area_m2: 120} -> "…为 120 平方米，要求不少于 150 平方米"
    """
    value = _get(data, condition.field)
    if value is _MISSING:
        return _missing(condition, condition.field)
    number = _number(value)
    if number is None or number >= condition.min:
        return None  # a non-number is a schema finding already
    return Shortfall(_parts(condition.field), _says_below_minimum(condition, _fmt(number)))


def check_ratio(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """numerator / denominator is at least `min_pct` percent.

    passes: qualified 15 of 20 (75 %) with min_pct 70;  fails: 12 of 20 (60 %)
    """
    numerator, denominator = _get(data, condition.numerator), _get(data, condition.denominator)
    for dotted, value in ((condition.numerator, numerator), (condition.denominator, denominator)):
        if value is _MISSING:
            return _missing(condition, dotted)
    top, bottom = _number(numerator), _number(denominator)
    if top is None or bottom is None:
        return None
    if bottom == 0:
        return Shortfall(_parts(condition.denominator), _says_zero_denominator(condition))
    if top > bottom:
        return Shortfall(_parts(condition.numerator), _says_part_above_whole(condition, _fmt(top), _fmt(bottom)))
    percent = top / bottom * 100
    if percent + 1e-9 >= condition.min_pct:
        return None
    return Shortfall(_parts(condition.numerator), _says_ratio_below(condition, _fmt(top), _fmt(bottom), f"{percent:.1f}"))


def check_years_operating(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """At least `min_years` whole years from `field` (the founding date) to the reference date.

    The reference date is the batch's publicity start (or today for an application under review).
    passes: established 2018-05-10, reference 2025-10-09, min 3;  fails: established 2023-06-01.
    """
    value = _get(data, condition.field)
    if value is _MISSING:
        return _missing(condition, condition.field)
    established = parse_date(value)
    if established is None:
        return None
    # whole months, so that a relaxed threshold (1.5 years) is counted the same way as 3 years
    reached = add_months(established, round(condition.min_years * 12))
    if reached <= reference:
        return None
    return Shortfall(_parts(condition.field),
                     _says_too_young(condition, established.isoformat(), reference.isoformat(), reached.isoformat()))


def check_not_more_than(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The value at `field` is not more than the value at `of`: a part cannot exceed the whole.

    passes: 12 staff with social insurance of 20 full-time staff;  fails: 25 of 20.
    """
    part, whole = _get(data, condition.field), _get(data, condition.of)
    top, bottom = _number(part), _number(whole)
    if top is None or bottom is None or top <= bottom:
        return None  # a missing or non-numeric value is reported by its own condition or the schema
    return Shortfall(_parts(condition.field), _says_more_than(condition, _fmt(top), _fmt(bottom)))


def check_attested(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The value at `field` is `true` (an attestation or membership).

    passes: {no_bad_credit_record: true};  fails: false or missing.
    """
    value = _get(data, condition.field)
    if value is _MISSING:
        return _missing(condition, condition.field)
    if value is True:
        return None
    shown = str(value).lower() if isinstance(value, bool) else str(value)   # false, as written in YAML
    return Shortfall(_parts(condition.field), _says_not_attested(condition, shown))


def check_count(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The list at `field` has between `min` and `max` items.

    passes: categories [数字化转型] with min 1 max 1;  fails: [数字化转型, 技术创新].
    """
    value = _get(data, condition.field)
    items = value if isinstance(value, list) else []
    count = len(items)
    if condition.min is not None and count < condition.min:
        where = _parts(condition.field) if value is not _MISSING else ()
        return Shortfall(where, _says_too_few(condition, str(count)))
    if condition.max is not None and count > condition.max:
        return Shortfall(_parts(condition.field), _says_too_many(condition, str(count), "、".join(map(str, items))))
    return None


def check_at_least(condition: Condition, data: dict, reference: date, order: list[str]) -> Shortfall | None:
    """The value at `field` ranks at or above `min` in the vocabulary named by `order`.

    passes: education 硕士研究生 with min 本科;  fails: 大专.
    """
    value = _get(data, condition.field)
    if value is _MISSING:
        return _missing(condition, condition.field)
    if value not in order or condition.min not in order:
        return None  # not a listed value: the schema's enum reports it
    if order.index(value) >= order.index(condition.min):
        return None
    return Shortfall(_parts(condition.field), _says_below_rank(condition, str(value)))


def check_any_of(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """At least one of the conditions in `any_of` holds (either-or: ≥ 60 SMEs a year, or service
    income ≥ 50 %).

    passes: smes 70, income 10 %;  fails: smes 40 and income 30 % -> both shortfalls, joined by 或.
    """
    shortfalls = []
    for alternative in condition.any_of:
        shortfall = CHECKS[alternative.kind](alternative, data, reference)
        if shortfall is None:
            return None
        shortfalls.append(shortfall)
    return Shortfall(shortfalls[0].parts, f"{condition.label}：" + "；或".join(s.message for s in shortfalls))


CHECKS = {
    "minimum": check_minimum,
    "ratio": check_ratio,
    "years_operating": check_years_operating,
    "attested": check_attested,
    "not_more_than": check_not_more_than,
    "count": check_count,
    "any_of": check_any_of,
}

# Kinds that need the other records of the library: checked across records (checks/validate.py).
CROSS_RECORD_KINDS = {"recognized_in"}


def applies(condition: Condition, data: dict) -> bool:
    """Whether a condition is asked of this record: every key of `when` must match.

    `when: {subject_type: 专业服务机构}` compares a field; `region_prefix: ["4401", "4403"]` and
    `not_region_prefix: [...]` let thresholds differ by region inside the province.
    """
    region = data.get("region") if isinstance(data.get("region"), str) else ""
    for key, expected in condition.when.items():
        if key == "region_prefix":
            if not any(region.startswith(str(prefix)) for prefix in expected):
                return False
        elif key == "not_region_prefix":
            if any(region.startswith(str(prefix)) for prefix in expected):
                return False
        elif _get(data, key) != expected:
            return False
    return True


def check_conditions(scheme: Scheme, kind: str, data: dict, reference: date, document, validator=None) -> list[Finding]:
    """Every entry condition of `scheme` for this kind of record, with waivers applied; a missing
    value is named by its title in the record's schema (`validator`) where there is one."""
    findings = []
    conditions = scheme.conditions.get(kind, ())
    waivers = [w for w in data.get("waivers") or [] if isinstance(w, dict)] if isinstance(data.get("waivers"), list) else []
    waived_names = {w.get("condition") for w in waivers if isinstance(w.get("condition"), str)}
    failing_names: set[str] = set()
    for condition in conditions:
        if condition.kind in CROSS_RECORD_KINDS or not applies(condition, data):
            continue
        if condition.kind == "at_least":
            shortfall = check_at_least(condition, data, reference, scheme.vocabulary(condition.order))
        elif condition.kind in CHECKS:
            shortfall = CHECKS[condition.kind](condition, data, reference)
        else:
            findings.append(Finding(f"schemes/{scheme.id}/scheme.yaml", 1, 1, "scheme-file",
                                    f"未知的条件类型「{condition.kind}」（条件 {condition.id}）"))
            continue
        if shortfall is None:
            continue
        if validator is not None:
            shortfall = replace(shortfall, message=_titled(shortfall.message, validator, shortfall.missing))
        failing_names |= _names(condition)
        if condition.waivable and _names(condition) & waived_names:
            beyond = _beyond_waiver_floor(scheme, condition, data, reference)
            if beyond is not None:
                line, column = document.position(beyond.parts)
                findings.append(Finding(document.path, line, column, "waiver-beyond-floor", beyond.message,
                                        scheme.cite(scheme.waiver_basis), json_path(beyond.parts)))
            continue
        line, column = document.position(shortfall.parts)
        findings.append(Finding(document.path, line, column, condition.id, shortfall.message,
                                scheme.cite(condition.basis), json_path(shortfall.parts)))
    return findings + _waiver_findings(scheme, conditions, waivers, failing_names, document)


# The threshold each kind of condition has, scaled when a waiver relaxes it.
_THRESHOLDS = {"minimum": "min", "ratio": "min_pct", "years_operating": "min_years"}


def _beyond_waiver_floor(scheme: Scheme, condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """A waiver relaxes a condition "适当" (appropriately), not away: the value must still reach
    `waiver_floor_pct` percent of the threshold (scheme.yaml records this reading of the article).

    passes: 50 m² against 80 m² with a 50 % floor;  fails: 0 m² or 39 m².
    """
    threshold = _THRESHOLDS.get(condition.kind)
    if threshold is None or scheme.waiver_floor_pct is None:
        return None
    factor = scheme.waiver_floor_pct / 100
    relaxed = replace(condition, **{threshold: getattr(condition, threshold) * factor},
                      label=f"放宽后仍须达到要求的 {_fmt(scheme.waiver_floor_pct)}%（{condition.label}）")
    return CHECKS[condition.kind](relaxed, data, reference)


def _names(condition: Condition) -> set[str]:
    """A waiver may name a condition by its id or its field, dotted or not: staff-full-time,
    facts.staff_full_time, staff_full_time."""
    names = {condition.id, condition.field, condition.numerator} - {""}
    return names | {name.split(".")[-1] for name in names}


def _waiver_findings(scheme: Scheme, conditions, waivers: list, failing_names: set, document) -> list[Finding]:
    """A waiver must name a condition the scheme allows to relax (湖北严选 第五条末段).

    In a scheme without such an article, a waiver the record relies on is an error; one for a
    condition that is met anyway is only a warning (it changes nothing).
    """
    findings = []
    waivable = set().union(*(_names(c) for c in conditions if c.waivable))
    known = set().union(*(_names(c) for c in conditions))
    for index, waiver in enumerate(waivers):
        name = waiver.get("condition")
        if not isinstance(name, str):
            continue
        line, column = document.position(("waivers", index, "condition"))
        where = json_path(("waivers", index))
        if name not in known:
            choices = "、".join(c.id for c in conditions if c.waivable) or "（无）"
            findings.append(Finding(document.path, line, column, "waiver-unknown",
                                    f"放宽的条件「{name}」不是本名录的入库条件：可放宽的条件有 {choices}",
                                    scheme.cite(scheme.waiver_basis), where))
        elif name not in waivable:
            relied_on = name in failing_names
            if waivable:
                allowed = "、".join(c.id for c in conditions if c.waivable)
                cause = f"「{name}」不在{scheme.waiver_basis}允许放宽的条件之列（可放宽：{allowed}）"
                basis = scheme.cite(scheme.waiver_basis)
            else:
                cause = f"本名录的办法没有“条件可适当放宽”的规定，不能放宽「{name}」"
                basis = scheme.document.short
            findings.append(Finding(
                document.path, line, column, "waiver-not-allowed",
                cause + ("：请补足条件" if relied_on else "：该条件已满足，请删除这条 waivers"),
                basis, where, "error" if relied_on else "warning"))
    return findings


def conditions_by_field(conditions) -> dict[str, list[Condition]]:
    table: dict[str, list[Condition]] = {}
    for condition in conditions:
        for name in (condition.field, condition.numerator, condition.denominator, condition.of):
            if name:
                table.setdefault(name, []).append(condition)
    return table


# ---------------------------------------------------------------------------------------------
# The same conditions as one JSON Schema, for the application form (the browser has no Python)

COMPUTED = "$computed"      # where the figures that compare two fields go (see `with_computed`)


def compile_conditions(scheme: Scheme, kind: str, reference: date, validator=None) -> dict:
    """Every entry condition of a kind as JSON Schema, checked the way `check_conditions` checks.

    One entry of `allOf` per condition: `x-rule` (the condition id), `x-basis` (its cited article)
    and its checks in `allOf` (in `then`, with its `when` as `if`, where it has one). The whole
    schema passes when every condition holds; the form tries each condition's checks in order,
    and the first that fails gives the condition's one message, as the interpreter above stops at
    its first shortfall (`form_shortfalls`).
    Each check carries `x-message` (the `_says_*` wording) and `x-field` (the input to mark).
    Placeholders in a message, filled from the record by apply.js (`fillMessage`) and by
    `fill_message` here: {=path} a value as Python's `:g` shows a number; {!path} as `_text`
    shows it (str(), with true and false as YAML writes them); {#path} a list's length; {、path} its items joined by 、; {.1 path} a number to one
    decimal.

    A JSON Schema cannot compare two fields, so a ratio, a part of a whole and years of operation
    are checked on figures added under `$computed` first (`with_computed`, ported in apply.js);
    `x-computed` lists them. `reference` is the day an application is judged on when it has no
    term.start: the build's date, which the site states (`x-reference`).
    Conditions across records (recognized_in) and waivers are left to `directory validate`.

    >>> from directory.rules.schemes import Condition
    >>> area = Condition("premises-area", "minimum", "第七条（三）", "场地 150 平方米以上", field="facts.area_m2",
    ...                  min=150, unit="平方米")
    >>> check = _compile(area, reference=date(2026, 11, 23), computed=[])[-1]
    >>> check["properties"]["facts"]["properties"]["area_m2"]["minimum"], check["x-message"]
    (150, '场地 150 平方米以上：现为 {=facts.area_m2} 平方米，要求不少于 150 平方米')
    """
    entries, computed = [], []
    for condition in scheme.conditions.get(kind, ()):
        checks = _compile(condition, reference, computed, scheme)
        if not checks:
            continue
        entry = {"x-rule": condition.id, "x-basis": scheme.cite(condition.basis)}
        if condition.when:
            entry.update({"if": _when(condition.when), "then": {"allOf": checks}})
        else:
            entry["allOf"] = checks
        entries.append(entry)
    if validator is not None:   # fields named by their titles, as check_conditions names them
        _title_messages(entries, validator)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"{scheme.short_title} 入库条件",
            "x-reference": reference.isoformat(), "x-computed": computed, "allOf": entries}


def _title_messages(node, validator) -> None:
    if isinstance(node, dict):
        if "x-message" in node:
            node["x-message"] = _titled(node["x-message"], validator, node.get("x-missing", ""))
        for value in node.values():
            _title_messages(value, validator)
    elif isinstance(node, list):
        for value in node:
            _title_messages(value, validator)


def form_shortfalls(compiled: dict, record: dict, is_valid) -> list[dict]:
    """What the form says of a record: [{rule, field, message, basis}], one per failing condition.

    `is_valid(schema, instance)` runs one schema (jsonschema here, @cfworker/json-schema in
    apply.js, which does the same walk)."""
    instance = with_computed(record, compiled["x-computed"])
    found = []
    for entry in compiled["allOf"]:
        if "if" in entry and not is_valid(entry["if"], instance):
            continue
        for check in entry["then"]["allOf"] if "if" in entry else entry["allOf"]:
            if not is_valid(check, instance):
                found.append({"rule": entry["x-rule"], "field": check["x-field"], "basis": entry["x-basis"],
                              "message": fill_message(check["x-message"], instance)})
                break
    return found


def with_computed(record: dict, computed: list[dict]) -> dict:
    """The record with the figures of `x-computed` under `$computed.<name>`, for what one schema
    cannot say (ported in apply.js as withComputed):

    * a comparison {top, bottom}, when both are numbers: {top, bottom, excess: top - bottom,
      pct: top / bottom * 100 (when bottom is not 0)};
    * years of operation {date, months, today}, when the date is one: {reached: that date `months`
      later, reference: the record's term.start or else today (lifecycle.derive.reference_date for
      an application under review), late: reached is after reference}.
    """
    figures = {}
    for item in computed:
        if "date" in item:
            day = parse_date(_get(record, item["date"]))
            if day is None:
                continue
            reference = parse_date(_get(record, "term.start")) or date.fromisoformat(item["today"])
            reached = add_months(day, item["months"])
            figures[item["name"]] = {"reached": reached.isoformat(), "reference": reference.isoformat(),
                                     "late": reached > reference}
            continue
        top, bottom = _number(_get(record, item["top"])), _number(_get(record, item["bottom"]))
        if top is None or bottom is None:
            continue
        figures[item["name"]] = {"top": top, "bottom": bottom, "excess": top - bottom}
        if bottom != 0:
            figures[item["name"]]["pct"] = top / bottom * 100
    return {**record, COMPUTED: figures}


def fill_message(template: str, instance: dict) -> str:
    """A compiled message with its placeholders filled (the placeholders: `compile_conditions`)."""

    def shown(match) -> str:
        sign, dotted = match.group(1).strip(), match.group(2)
        value = _get(instance, dotted)
        if value is _MISSING and sign not in "#、":
            return ""
        items = value if isinstance(value, list) else []
        if sign == "#":
            return str(len(items))
        if sign == "、":
            return "、".join(map(_text, items))
        if sign == ".1":
            return f"{value:.1f}"
        number = _number(value)
        return _fmt(number) if sign == "=" and number is not None else _text(value)

    return re.sub(PLACEHOLDER, shown, template)


PLACEHOLDER = r"\{(=|!|#|、|\.1 )([^{}\s]+)\}"


def _text(value) -> str:
    """A value as a message shows it: str(), but true and false as YAML writes them."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def required_fields(scheme: Scheme, kind: str, record: dict | None = None) -> set[str]:
    """Fields a condition cannot be checked without (a `_says_missing` shortfall): the form marks
    them 必填. A condition with a `when` asks for its field only where it applies: only with a
    `record` it applies to (the form lists it among the field's entry conditions instead)."""
    names = set()
    for condition in scheme.conditions.get(kind, ()):
        if condition.kind in CROSS_RECORD_KINDS or (condition.when and (record is None or not applies(condition, record))):
            continue
        if condition.kind in ("minimum", "years_operating", "attested", "at_least"):
            names.add(condition.field)
        elif condition.kind == "ratio":
            names |= {condition.numerator, condition.denominator}
        elif condition.kind == "count" and condition.min:
            names.add(condition.field)
    return names


def _compile(condition: Condition, reference: date, computed: list, scheme: Scheme | None = None) -> list[dict]:
    """The checks of one condition, in the order its interpreter above tries them."""
    field = condition.field
    name = condition.id
    if condition.kind == "minimum":
        return [_required(condition, field),
                _check(field, _at(field, {"minimum": condition.min}), _says_below_minimum(condition, f"{{={field}}}"))]
    if condition.kind == "attested":
        return [_required(condition, field),
                _check(field, _at(field, {"const": True}), _says_not_attested(condition, f"{{!{field}}}"))]
    if condition.kind == "at_least":
        order = scheme.vocabulary(condition.order) if scheme else []
        if condition.min not in order:
            return [_required(condition, field)]    # as check_at_least: only a missing value fails
        below = order[:order.index(condition.min)]
        return [_required(condition, field),
                _check(field, _at(field, {"not": {"enum": below}}), _says_below_rank(condition, f"{{!{field}}}"))]
    if condition.kind == "ratio":
        top, bottom = condition.numerator, condition.denominator
        computed.append({"name": name, "top": top, "bottom": bottom})
        figures = f"{COMPUTED}.{name}"
        return [_required(condition, top), _required(condition, bottom),
                _check(bottom, _at(f"{figures}.bottom", {"not": {"const": 0}}), _says_zero_denominator(condition)),
                _check(top, _at(f"{figures}.excess", {"maximum": 0}),
                       _says_part_above_whole(condition, f"{{={top}}}", f"{{={bottom}}}")),
                _check(top, _at(f"{figures}.pct", {"minimum": condition.min_pct - 1e-9}),
                       _says_ratio_below(condition, f"{{={top}}}", f"{{={bottom}}}", f"{{.1 {figures}.pct}}"))]
    if condition.kind == "not_more_than":
        computed.append({"name": name, "top": field, "bottom": condition.of})
        return [_check(field, _at(f"{COMPUTED}.{name}.excess", {"maximum": 0}),
                       _says_more_than(condition, f"{{={field}}}", f"{{={condition.of}}}"))]
    if condition.kind == "years_operating":
        months = round(condition.min_years * 12)
        computed.append({"name": name, "date": field, "months": months, "today": reference.isoformat()})
        figures = f"{COMPUTED}.{name}"
        return [_required(condition, field),
                _check(field, _at(f"{figures}.late", {"const": False}),
                       _says_too_young(condition, f"{{!{field}}}", f"{{!{figures}.reference}}", f"{{!{figures}.reached}}"))]
    if condition.kind == "count":
        checks = []
        if condition.min:
            least = math.ceil(condition.min)
            checks += [_check(field, _required_only(field), _says_too_few(condition, "0")),
                       _check(field, _at(field, {"type": "array", "minItems": least}),
                              _says_too_few(condition, f"{{#{field}}}"))]
        if condition.max is not None:
            checks.append(_check(field, _at(field, {"maxItems": math.floor(condition.max)}),
                                 _says_too_many(condition, f"{{#{field}}}", f"{{、{field}}}")))
        return checks
    if condition.kind == "any_of":
        alternatives = [_compile(alternative, reference, computed, scheme) for alternative in condition.any_of]
        if not all(alternatives):
            return []
        # each alternative's last check is its shortfall proper; a missing value reads the same
        message = f"{condition.label}：" + "；或".join(checks[-1]["x-message"] for checks in alternatives)
        first_field = alternatives[0][-1]["x-field"]
        return [_check(first_field, {"anyOf": [{"allOf": [_plain(c) for c in checks]} for checks in alternatives]},
                       message)]
    return []


def _check(field: str, schema: dict, message: str) -> dict:
    return {"x-field": field, "x-message": message, **schema}


def _plain(check: dict) -> dict:
    return {key: value for key, value in check.items() if not key.startswith("x-")}


def _at(dotted: str, leaf: dict) -> dict:
    """`leaf` applied to the value at `dotted`, where there is one: facts.area_m2 ->
    {"properties": {"facts": {"properties": {"area_m2": leaf}}}}."""
    schema = leaf
    for key in reversed(dotted.split(".")):
        schema = {"properties": {key: schema}}
    return schema


def _required_only(dotted: str) -> dict:
    """Fails where `_get` finds nothing: a key missing at any level, or a level that is no mapping."""
    schema: dict = {}
    for key in reversed(dotted.split(".")):
        schema = {"type": "object", "required": [key], "properties": {key: schema}} if schema else \
            {"type": "object", "required": [key]}
    return schema


def _required(condition: Condition, dotted: str) -> dict:
    return {**_check(dotted, _required_only(dotted), _says_missing(condition, dotted)), "x-missing": dotted}


def _when(when: dict) -> dict:
    """The schema of `applies`: every key of `when` must match."""
    parts = []
    for key, expected in when.items():
        if key in ("region_prefix", "not_region_prefix"):
            prefixes = "|".join(re.escape(str(prefix)) for prefix in expected)
            starts = ({"required": ["region"], "properties": {"region": {"type": "string", "pattern": f"^(?:{prefixes})"}}}
                      if expected else {"not": {}})
            parts.append(starts if key == "region_prefix" else {"not": starts})
        else:
            parts.append({**_required_only(key), **_at(key, {"const": expected})} if "." not in key
                         else {"allOf": [_required_only(key), _at(key, {"const": expected})]})
    return {"allOf": parts}
