"""Entry conditions compiled to JSON Schema for the application form (conditions.compile_conditions).

What passes in the form passes in CI: for every condition of every scheme, a record that
`directory validate` rejects on it is rejected by the compiled schema too, with the same rule,
message and article; and a record validate accepts, the compiled schema accepts. Both are run here
in Python (jsonschema runs the compiled schema; the browser runs the same file in tests/test_browser_form.py).
"""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conftest import REPO, TODAY, Library, good_record
from directory.loading.yamlfile import load_bytes
from directory.library.repository import load_repository
from directory.rules.conditions import (CROSS_RECORD_KINDS, compile_conditions, fill_message, form_shortfalls,
                                        required_fields, with_computed)

SAMPLE = load_repository(REPO)
SCHEMES = SAMPLE.schemes
VALIDATORS = SAMPLE.compiled_schemas()[0].validators   # fields are named by their schema titles
KINDS = [(scheme_id, kind) for scheme_id, scheme in sorted(SCHEMES.items()) for kind in scheme.kinds]
LATER = ("recognition", "reports", "waivers", "service_log")     # staff add these; the form leaves them out


def application(scheme_id: str, kind: str) -> dict:
    """The scheme's sample record as an applicant sends it (tests/fixtures/records/)."""
    document, _ = load_bytes(good_record(scheme_id, kind).encode("utf-8"), "x.yaml")
    return {key: value for key, value in document.data.items() if key not in LATER}


def is_valid(schema: dict, instance) -> bool:
    return Draft202012Validator(schema).is_valid(instance)


def compiled(scheme_id: str, kind: str) -> dict:
    return compile_conditions(SCHEMES[scheme_id], kind, TODAY, VALIDATORS[(scheme_id, kind)])


def validate_conditions(tmp_path, scheme_id: str, kind: str, record: dict) -> list[dict]:
    """validate's findings on entry conditions, as {rule, message, basis}."""
    library = Library(tmp_path / "library")
    library.add(scheme_id, json.dumps(record, ensure_ascii=False), kind=kind, stem=record["id"])
    ids = {c.id for c in SCHEMES[scheme_id].conditions.get(kind, ())}
    # by rule: validate sorts its findings by line, the form by condition
    return sorted(({"rule": f.rule, "message": f.message, "basis": f.basis} for f in library.findings() if f.rule in ids),
                  key=lambda finding: finding["rule"])


def form_says(scheme_id: str, kind: str, record: dict) -> list[dict]:
    return sorted(({key: item[key] for key in ("rule", "message", "basis")}
                   for item in form_shortfalls(compiled(scheme_id, kind), record, is_valid)), key=lambda item: item["rule"])


def set_value(record: dict, dotted: str, value) -> dict:
    record = json.loads(json.dumps(record, ensure_ascii=False))
    node = record
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value
    return record


DELETE = object()


def failing_changes(scheme_id: str, kind: str) -> list[tuple[str, list]]:
    """For every condition: changes (dotted field, value) each of which makes validate reject it."""
    scheme = SCHEMES[scheme_id]
    cases = []
    for condition in scheme.conditions.get(kind, ()):
        if condition.kind in CROSS_RECORD_KINDS:
            continue
        changes = []
        if condition.kind == "minimum":
            changes = [[(condition.field, DELETE)], [(condition.field, condition.min - 1)],
                       [(condition.field, condition.min - 0.5)]]
        elif condition.kind == "attested":
            changes = [[(condition.field, DELETE)], [(condition.field, False)]]
        elif condition.kind == "ratio":
            changes = [[(condition.numerator, DELETE)], [(condition.denominator, DELETE)],
                       [(condition.numerator, 1), (condition.denominator, 7)],
                       [(condition.numerator, 9), (condition.denominator, 7)],
                       [(condition.numerator, 0), (condition.denominator, 0)]]
        elif condition.kind == "not_more_than":
            changes = [[(condition.field, 30), (condition.of, 29)]]
        elif condition.kind == "years_operating":
            young = TODAY.replace(year=TODAY.year - int(condition.min_years)).replace(day=TODAY.day + 1)
            changes = [[(condition.field, DELETE)], [(condition.field, young.isoformat())],
                       [(condition.field, f"{TODAY.year - 1}-02-28")]]
        elif condition.kind == "count":
            vocabulary = application(scheme_id, kind).get(condition.field) or []
            all_values = SCHEMES[scheme_id].vocabulary("category") or vocabulary
            if condition.min:
                changes += [[(condition.field, [])], [(condition.field, DELETE)]]
            if condition.max is not None:
                changes += [[(condition.field, all_values[:int(condition.max) + 1])]]
            if condition.when:
                changes = [[*((key, value) for key, value in condition.when.items()), *change] for change in changes]
        elif condition.kind == "at_least":
            order = scheme.vocabulary(condition.order)
            changes = [[(condition.field, DELETE)], [(condition.field, order[0])]]
        cases += [(condition.id, change) for change in changes]
    return cases


CASES = [(scheme_id, kind, rule, change) for scheme_id, kind in KINDS for rule, change in failing_changes(scheme_id, kind)]


@pytest.mark.parametrize("scheme_id, kind", KINDS)
def test_the_sample_application_passes_the_compiled_conditions_as_it_passes_validate(scheme_id, kind, tmp_path):
    record = application(scheme_id, kind)
    assert validate_conditions(tmp_path, scheme_id, kind, record) == []
    assert form_says(scheme_id, kind, record) == []
    assert is_valid(compiled(scheme_id, kind), with_computed(record, compiled(scheme_id, kind)["x-computed"]))


@pytest.mark.parametrize("scheme_id, kind, rule, change", CASES,
                         ids=[f"{s}-{k}-{r}-{n}" for n, (s, k, r, _) in enumerate(CASES)])
def test_a_condition_validate_rejects_the_form_rejects_with_the_same_message_and_article(
        scheme_id, kind, rule, change, tmp_path):
    record = application(scheme_id, kind)
    for dotted, value in change:
        record = set_value(record, dotted, value)
    by_validate = validate_conditions(tmp_path, scheme_id, kind, record)
    assert rule in {finding["rule"] for finding in by_validate}, (change, by_validate)
    assert form_says(scheme_id, kind, record) == by_validate
    assert not is_valid(compiled(scheme_id, kind), with_computed(record, compiled(scheme_id, kind)["x-computed"]))


def test_every_condition_of_the_shipped_schemes_is_compiled():
    for scheme_id, kind in KINDS:
        rules = {entry["x-rule"] for entry in compiled(scheme_id, kind)["allOf"]}
        expected = {c.id for c in SCHEMES[scheme_id].conditions.get(kind, ()) if c.kind not in CROSS_RECORD_KINDS}
        assert rules == expected, scheme_id
        assert expected <= {rule for s, k, rule, _ in CASES if (s, k) == (scheme_id, kind)}, scheme_id


@pytest.mark.parametrize("scheme_id, change, messages", [
    ("hunan-sme-hexin", [("categories", ["数字化转型", "技术创新"])],
     ["主要服务项目只选一项：现有 2 项（数字化转型、技术创新），最多 1 项"]),
    ("hebei-sme-youzhi", [("categories", ["数字化赋能", "技术创新", "检验检测"])],
     ["主要服务项目最多选择 2 项：现有 3 项（数字化赋能、技术创新、检验检测），最多 2 项"]),
    ("hunan-sme-hexin", [("facts.area_m2", 120.5)], ["固定服务场地 150 平方米以上：现为 120.5 平方米，要求不少于 150 平方米"]),
    ("hebei-sme-youzhi", [("facts.total_assets_wan", 1234.5678)], []),
    ("hunan-sme-hexin", [("facts.staff_qualified", 11)],
     ["本科及以上学历或中级以上技术职称专业人员比例 60% 以上：现为 11/20 = 55.0%，要求不低于 60%"]),
    ("hunan-sme-hexin", [("established", "2024-02-29")],
     ["正常运营时间三年以上：成立于 2024-02-29，到 2026-11-23 不满 3 年（满 3 年之日为 2027-02-28）"]),
])
def test_the_form_says_what_validate_says(scheme_id, change, messages, tmp_path):
    record = application(scheme_id, "provider")
    for dotted, value in change:
        record = set_value(record, dotted, value)
    said = form_says(scheme_id, "provider", record)
    assert [item["message"] for item in said] == messages
    assert said == validate_conditions(tmp_path, scheme_id, "provider", record)


def test_a_founding_date_on_the_last_day_that_counts_passes_and_the_next_day_does_not():
    schema = compiled("hunan-sme-hexin", "provider")
    record = application("hunan-sme-hexin", "provider")
    assert form_says("hunan-sme-hexin", "provider", set_value(record, "established", "2023-11-23")) == []
    assert [s["rule"] for s in form_says("hunan-sme-hexin", "provider", set_value(record, "established", "2023-11-24"))] \
        == ["years-operating"]
    assert schema["x-reference"] == TODAY.isoformat()


@pytest.mark.parametrize("template, instance, expected", [
    ("{=a} {=b} {=c}", {"a": 120, "b": 200.5, "c": 1234567}, "120 200.5 1.23457e+06"),
    ("{!a} {!b}", {"a": False, "b": "是"}, "false 是"),
    ("{#a}（{、a}）{#b}", {"a": ["甲", "乙"], "b": "x"}, "2（甲、乙）0"),
    ("{.1 a}%", {"a": 55.55}, "55.5%"),
    ("{unknown} [{=missing.x}]", {}, "{unknown} []"),
])
def test_message_placeholders_are_filled_from_the_record(template, instance, expected):
    assert fill_message(template, instance) == expected


def test_the_form_marks_required_what_a_condition_cannot_be_checked_without():
    assert required_fields(SCHEMES["hunan-sme-hexin"], "provider") >= {
        "established", "facts.area_m2", "facts.staff_qualified", "facts.staff_full_time", "categories"}
    # 专业服务机构 only: a `when` asks for the categories only sometimes
    assert "categories" not in required_fields(SCHEMES["hubei-sme-yanxuan"], "provider")
    assert "categories" in required_fields(SCHEMES["hubei-sme-yanxuan"], "provider", {"subject_type": "专业服务机构"})
    assert "categories" not in required_fields(SCHEMES["hubei-sme-yanxuan"], "provider", {"subject_type": "综合服务机构"})
    assert required_fields(SCHEMES["jilin-city-sme"], "expert") == {"education", "years_of_service", "expertise"}


def test_the_forms_message_templates_are_validates_messages_with_placeholders():
    from directory.site.form_messages import templates

    said = templates()
    assert said["messages"]["required"] == "缺少必填项「{title}」（{key}）"
    assert said["messages"]["maxLength"] == "「{title}」最多 {limit} 个字，现有 {length} 个字"
    assert said["messages"]["enum"] == "「{title}」的值「{value}」不在可选范围内：{choices}"
    assert said["separators"] == {"expected": "或", "choices": "、", "repeated": "、"}
    assert not any(ch in text for text in said["messages"].values() for ch in "\ue000\ue001\ue002\ue003\ue004")
