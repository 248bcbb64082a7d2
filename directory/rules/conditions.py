"""Entry conditions: one small interpreter per *kind* of condition written in a scheme.yaml.

A scheme lists its conditions as data, e.g.

    - {id: premises-area, kind: minimum, field: facts.area_m2, min: 150, unit: 平方米, basis: 第七条（三）}

and `check_conditions` runs each through the function of its kind. A function returns None when
the record passes, or a `Shortfall` (what is wrong, and where) when it does not.
"""
from __future__ import annotations

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
    return Shortfall(_parts(dotted), f"缺少「{dotted}」，无法核对入库条件：{condition.label}", dotted)


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
    return Shortfall(_parts(condition.field),
                     f"{condition.label}：现为 {_fmt(number)} {condition.unit}，要求不少于 {_fmt(condition.min)} {condition.unit}")


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
        return Shortfall(_parts(condition.denominator), f"{condition.label}：「{condition.denominator}」为 0，无法计算比例")
    if top > bottom:
        return Shortfall(_parts(condition.numerator),
                         f"「{condition.numerator}」（{_fmt(top)}）不能大于「{condition.denominator}」（{_fmt(bottom)}）")
    percent = top / bottom * 100
    if percent + 1e-9 >= condition.min_pct:
        return None
    return Shortfall(_parts(condition.numerator),
                     f"{condition.label}：现为 {_fmt(top)}/{_fmt(bottom)} = {percent:.1f}%，要求不低于 {_fmt(condition.min_pct)}%")


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
                     f"{condition.label}：成立于 {established.isoformat()}，到 {reference.isoformat()} 不满 "
                     f"{_fmt(condition.min_years)} 年（满 {_fmt(condition.min_years)} 年之日为 {reached.isoformat()}）")


def check_not_more_than(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The value at `field` is not more than the value at `of`: a part cannot exceed the whole.

    passes: 12 staff with social insurance of 20 full-time staff;  fails: 25 of 20.
    """
    part, whole = _get(data, condition.field), _get(data, condition.of)
    top, bottom = _number(part), _number(whole)
    if top is None or bottom is None or top <= bottom:
        return None  # a missing or non-numeric value is reported by its own condition or the schema
    return Shortfall(_parts(condition.field),
                     f"{condition.label}：「{condition.field}」（{_fmt(top)}）不能多于「{condition.of}」（{_fmt(bottom)}）")


def check_attested(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The value at `field` is `true` (an attestation or membership).

    passes: {no_bad_credit_record: true};  fails: false or missing.
    """
    value = _get(data, condition.field)
    if value is _MISSING:
        return _missing(condition, condition.field)
    if value is True:
        return None
    return Shortfall(_parts(condition.field), f"{condition.label}：「{condition.field}」须为 true，现为 {str(value).lower() if isinstance(value, bool) else value}")


def check_count(condition: Condition, data: dict, reference: date) -> Shortfall | None:
    """The list at `field` has between `min` and `max` items.

    passes: categories [数字化转型] with min 1 max 1;  fails: [数字化转型, 技术创新].
    """
    value = _get(data, condition.field)
    items = value if isinstance(value, list) else []
    count = len(items)
    if condition.min is not None and count < condition.min:
        where = _parts(condition.field) if value is not _MISSING else ()
        return Shortfall(where, f"{condition.label}：现有 {count} 项，至少 {_fmt(condition.min)} 项")
    if condition.max is not None and count > condition.max:
        return Shortfall(_parts(condition.field), f"{condition.label}：现有 {count} 项（{'、'.join(map(str, items))}），最多 {_fmt(condition.max)} 项")
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
    return Shortfall(_parts(condition.field), f"{condition.label}：现为 {value}，要求{condition.min}及以上")


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
