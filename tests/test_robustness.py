"""Unexpected input gets findings, never a traceback: every field of a good record replaced by
values of the wrong shape, through validate and the staff report."""
from __future__ import annotations

import pytest
import yaml

from conftest import TODAY, good_record
from directory.loading.yamlfile import load_bytes
from directory.staff.report import build_report
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar

ODD_VALUES = ["5", '"text"', "[1, two]", "{a: 1}", "true", "2025-13-45", "[]", "{}"]
SCHEMES = ["hunan-sme-hexin", "hebei-sme-youzhi", "jilin-city-sme"]


def parse(text: str):
    return load_bytes(text.encode("utf-8"), "x.yaml")[0].data


def variants(scheme: str):
    data = parse(good_record(scheme))
    for key in data:
        for value in ODD_VALUES:
            yield scheme, key, value
    for key in ("status", "batch", "revocation", "suspension", "grades"):
        for value in ODD_VALUES:
            yield scheme, f"recognition.{key}", value


CASES = [case for scheme in SCHEMES for case in variants(scheme)] + [
    # nested values a validator never sees in the report (it reads unvalidated records)
    ("hubei-sme-yanxuan", "waivers", "[{condition: [staff-full-time], reason: 获得表彰的机构}]"),
    ("hunan-sme-hexin", "recognition.status", "suspended"),            # no suspension date at all
    ("hunan-sme-hexin", "recognition.suspension", "{reason: 重组}"),
    ("jilin-city-sme", "facts", "{smes_served_per_year: 60, satisfaction_pct: 95, no_bad_credit_record: true}"),
]
CASES += [("jilin-city-sme", "recognition.status", "recognized")]


def replace(text: str, dotted: str, value: str) -> str:
    data = parse(text)
    target = data
    *parents, last = dotted.split(".")
    for parent in parents:
        target = target[parent]
    target[last] = parse(value)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("scheme, key, value", CASES, ids=[f"{s}:{k}={v}" for s, k, v in CASES])
def test_a_field_of_the_wrong_shape_is_a_finding_not_a_crash(library, scheme, key, value):
    library.add(scheme, replace(good_record(scheme), key, value))
    findings = library.findings(TODAY)          # must not raise
    assert all(f.line >= 0 and f.message for f in findings)
    repository = load_repository(library.root)
    build_report(repository, load_calendar(library.root), TODAY)   # nor the staff report


def test_a_service_log_with_text_figures_does_not_break_the_report(library):
    text = good_record("jilin-city-sme", "expert").replace("  - {year: 2025, hours: 20, firms: 8}",
                                                            '  - {year: 2025, hours: "二十", firms: "8"}')
    library.add("jilin-city-sme", text, kind="expert")
    assert {f.rule for f in library.errors(TODAY)} == {"schema-type"}
    repository = load_repository(library.root)
    build_report(repository, load_calendar(library.root), TODAY)
