"""The rules files are checked like records: a broken scheme.yaml, JSON Schema, common.yaml or
holidays.yaml is a finding at file:line:col, and validate, report and build exit 1 — never a traceback.

Each row corrupts one file of a copy of the real `schemes/` and names the finding it must give.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO, edit, good_record, line_of
from directory.cli import main
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.rules.conditions import CHECKS, CROSS_RECORD_KINDS
from directory.rules.schemes import KIND_NAMES
from directory.staff.report import build_report

FINDING = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<rule>[a-z0-9-]+)\] (?P<message>.+)$",
                     re.MULTILINE)

HUNAN = "schemes/hunan-sme-hexin/scheme.yaml"
JILIN = "schemes/jilin-city-sme/scheme.yaml"
HUNAN_SCHEMA = "schemes/hunan-sme-hexin/provider.schema.json"
DEFS = "schemes/_common/defs.schema.json"
BATCH_SCHEMA = "schemes/_common/batch.schema.json"
HOLIDAYS = "schemes/_common/holidays.yaml"
COMMON = "schemes/_common/common.yaml"
AREA = "{id: premises-area, kind: minimum, field: facts.area_m2, min: 150,"
RATIO = "denominator: facts.staff_full_time, min_pct: 60,"
VALIDITY = "validity:\n  years: 3\n  starts: decision\n  basis: 第十一条\n"
HOLIDAY_YEAR = "years:\n  2027:\n    source: 国办发明电〔2026〕X号\n    holidays: [2027-01-01]\n    workdays: [2027-01-09]\n"


def replace(old: str, new: str):
    return lambda text: edit(text, old, new)


def whole(new: str):
    return lambda text: new


# (file, corruption, rule, the text on the line the finding must point at — or a line number)
BROKEN = [
    pytest.param(HUNAN, replace("issuer: 湖南省工业和信息化厅", "issuer: [湖南省工业和信息化厅]"), "schema-type", "issuer:", id="wrong type"),
    pytest.param(HUNAN, replace("short_title:", "short_titel:"), "unknown-key", "short_titel:", id="unknown key"),
    pytest.param(HUNAN, replace(RATIO, "denominator: facts.staff_full_time, min_pc: 60,"), "unknown-key", "min_pc:",
                 id="misspelt condition key"),
    pytest.param(HUNAN, replace(AREA, AREA.replace("min: 150", "min: lots")), "schema-type", "min: lots", id="min: lots"),
    pytest.param(HUNAN, replace(AREA, AREA.replace("kind: minimum", "kind: minimun")), "schema-enum", "kind: minimun",
                 id="unknown condition kind"),
    pytest.param(HUNAN, replace(VALIDITY, "validity: {years: three}\n"), "schema-type", "validity: {years: three}",
                 id="validity years: three"),
    pytest.param(HUNAN, replace("region:\n  prefix: \"43\"\n  name: 湖南省\n  basis: 第九条（一）\n", ""), "schema-required",
                 "id: hunan-sme-hexin", id="missing required section"),
    pytest.param(HUNAN, replace("  prefix: \"43\"", "  prefix: 43"), "yaml-unquoted-number", "prefix: 43", id="unquoted prefix"),
    pytest.param(HUNAN, replace("  period: month", "  period: weekly"), "schema-enum", "period: weekly", id="unknown report period"),
    pytest.param(HUNAN, replace("  period: month\n", ""), "schema-required", "due_months_after: 1", id="reporting without its period"),
    pytest.param(HUNAN, replace("  due_day: 10", "  due_day: 32"), "schema-any-of", "due_day: 32", id="a due day past any month"),
    pytest.param(HUNAN, replace("    enum: [事业单位,", "    enmu: [事业单位,"), "unknown-key", "enmu:", id="misspelt vocabulary key"),
    pytest.param(HUNAN, replace("id: hunan-sme-hexin", "id: hunan-hexin"), "scheme-id-mismatch", "id: hunan-hexin", id="id is not the folder"),
    pytest.param(HUNAN, replace("  provider: provider.schema.json", "  provider: providers.schema.json"), "scheme-reference",
                 "providers.schema.json", id="kinds names a missing schema file"),
    pytest.param(JILIN, replace("order: education,", "order: educaton,"), "scheme-reference", "order: educaton",
                 id="at_least orders by a missing vocabulary"),
    pytest.param(JILIN, replace("min: 本科, order: education", "min: 学士, order: education"), "scheme-reference", "min: 学士",
                 id="at_least minimum not in its vocabulary"),
    pytest.param(JILIN, replace("  expert: expert.schema.json\n", ""), "scheme-reference", "  expert:",
                 id="conditions for a kind the scheme does not take"),
    pytest.param(HUNAN, whole("- id: hunan-sme-hexin\n- title: x\n"), "yaml-not-mapping", 1, id="scheme.yaml is a list"),
    pytest.param(HUNAN, whole(""), "yaml-empty", 1, id="empty scheme.yaml"),
    pytest.param(HUNAN, replace("    - {id: premises-area, kind: minimum, field: facts.area_m2, min: 150,",
                                "    - {id: premises-area, kind: any_of, any_of: [{kind: minimum, field: facts.area_m2, mni: 150}, "
                                "{kind: minimum, field: facts.area_m2, min: 150}],"),
                 "unknown-key", "any_of: [{kind: minimum", id="an either-or alternative with a misspelt key"),
    pytest.param(HUNAN, replace("title: 湖南省中小微企业核心服务机构\n", "title: 湖南: 核心\n"), "yaml-syntax", "title: 湖南: 核心",
                 id="yaml syntax error"),
    pytest.param(HUNAN_SCHEMA, replace("defs.schema.json#/$defs/postal_code", "defs.schema.json#/$defs/postal_cod"), "schema-ref",
                 '$defs/postal_cod"', id="ref to a missing definition"),
    pytest.param(HUNAN_SCHEMA, replace("../_common/defs.schema.json#/$defs/address", "../_common/def.schema.json#/$defs/address"),
                 "schema-ref", "def.schema.json", id="ref to a missing file"),
    pytest.param(HUNAN_SCHEMA, replace('"$ref": "scheme.yaml#/vocabularies/nature"', '"$ref": "scheme.yaml#/vocabularies/natur"'),
                 "schema-ref", "vocabularies/natur", id="ref to a missing vocabulary"),
    pytest.param(DEFS, replace('"$ref": "#/$defs/date",\n      "title": "成立日期"', '"$ref": "#/$defs/dat",\n      "title": "成立日期"'),
                 "schema-ref", '"#/$defs/dat"', id="ref in the shared definitions"),
    pytest.param(BATCH_SCHEMA, replace('"title": {"title": "批次名称", "type": "string"', '"title": {"title": "批次名称", "type": "strng"'),
                 "schema-unknown-type", '"strng"', id="unknown type"),
    pytest.param(DEFS, replace('"pattern": "^[0-9]{6}$"', '"pattern": "^[0-9{6}$"'), "schema-regex", "^[0-9{6}$", id="bad regex"),
    pytest.param(HUNAN_SCHEMA, replace('"additionalProperties": false,\n', '"additionalProperties": false,\n  "patternProperties": {"x-(": {}},\n'),
                 "schema-regex", '"x-("', id="bad regex in patternProperties"),
    pytest.param(HUNAN_SCHEMA, replace('"type": "object",\n  "additionalProperties": false,', '"type": "object",\n  "additionalProperites": false,'),
                 "schema-unknown-keyword", "additionalProperites", id="misspelt keyword"),
    pytest.param(HUNAN_SCHEMA, replace('"type": "object",\n  "additionalProperties": false,', '"type": "object"\n  "additionalProperties": false,'),
                 "schema-file", '"additionalProperties": false,', id="invalid JSON"),
    pytest.param("schemes/_common/scheme.schema.json", replace('"title": "名录名称",\n      "type": "string"', '"title": "名录名称",\n      "type": "text"'),
                 "schema-unknown-type", '"type": "text"', id="the scheme schema itself is broken"),
    pytest.param("schemes/_common/holidays.schema.json", replace('"source": {"title": "国务院办公厅通知文号", "type": "string"',
                 '"source": {"title": "国务院办公厅通知文号", "type": "txt"'), "schema-unknown-type", '"type": "txt"', id="the holidays schema is broken"),
    pytest.param(COMMON, replace("expiring_soon_days: 90", "expiring_soon_days: ninety"), "schema-type", "expiring_soon_days", id="common.yaml wrong type"),
    pytest.param(COMMON, replace("holiday_reminder_from:", "holiday_remind_from:"), "unknown-key", "holiday_remind_from", id="common.yaml unknown key"),
    pytest.param(HOLIDAYS, whole(HOLIDAY_YEAR.replace("[2027-01-01]", "[2027-02-30]")), "schema-format", "2027-02-30", id="holidays wrong date"),
    pytest.param(HOLIDAYS, whole(HOLIDAY_YEAR.replace("[2027-01-01]", "[2026-10-01]")), "holidays-file", "2026-10-01",
                 id="holidays date in the wrong year"),
    pytest.param(HOLIDAYS, whole(HOLIDAY_YEAR.replace("[2027-01-09]", "[2027-01-01]")), "holidays-file", "workdays: [2027-01-01]",
                 id="holidays same date in both lists"),
    pytest.param(HOLIDAYS, whole(HOLIDAY_YEAR.replace("    source: 国办发明电〔2026〕X号\n", "")), "schema-required", "holidays: [2027-01-01]",
                 id="holidays missing source"),
    pytest.param(HOLIDAYS, whole("- 2027-01-01\n"), "schema-type", 1, id="holidays not a mapping"),
    pytest.param(HOLIDAYS, whole("years:\n  2027: 国办发明电\n"), "schema-type", "2027:", id="holidays year not a mapping"),
    pytest.param(HOLIDAYS, whole(""), "yaml-empty", 1, id="empty holidays"),
]


def corrupted(root: Path, relative: str, corrupt) -> str:
    """A copy of the real schemes/ (batches included, so the report has work) with one file
    changed by `corrupt`; the changed file's text."""
    shutil.copytree(REPO / "schemes", root / "schemes")
    path = root / relative
    text = corrupt(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return text


def run(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *args, "--today", "2026-11-23"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("relative, corrupt, rule, where", BROKEN)
def test_a_broken_rules_file_is_a_located_finding_for_validate_report_and_build(tmp_path, capsys, relative, corrupt, rule, where):
    text = corrupted(tmp_path, relative, corrupt)
    line = where if isinstance(where, int) else line_of(text, where)
    for command in ("validate", "report", "build"):
        code, out, err = run(tmp_path, capsys, command)
        assert "Traceback" not in err and "内部错误" not in err, err
        findings = [m.groupdict() for m in FINDING.finditer(out + "\n" + err)]
        located = [(f["path"], int(f["line"]), f["rule"]) for f in findings]
        assert (relative, line, rule) in located, f"{command}: {located}"
        assert code == 1, f"{command} exited {code}"
        assert not any("Error(" in f["message"] or "Exception" in f["message"] for f in findings)  # no repr()


def test_the_shipped_rules_files_have_no_findings(capsys):
    code, out, err = run(REPO, capsys, "validate")
    assert (code, out) == (0, ""), out


def test_a_misspelt_condition_key_names_the_keys_its_kind_takes(tmp_path, capsys):
    corrupted(tmp_path, HUNAN, replace(RATIO, "denominator: facts.staff_full_time, min_pc: 60,"))
    code, out, _ = run(tmp_path, capsys, "validate", "--format", "json")
    [finding] = [f for f in json.loads(out) if f["rule"] == "unknown-key"]
    assert finding["message"] == ("「入库条件」中有未知字段「min_pc」：是「min_pct」（最低比例（%））拼错了吗？"
                                  "可用的字段有 basis、denominator、id、kind、label、min_pct、numerator、waivable、when")
    assert finding["json_path"] == "$.conditions.provider[8]"


def test_min_lots_is_a_type_error_in_chinese_at_the_value(tmp_path, capsys):
    text = corrupted(tmp_path, HUNAN, replace(AREA, AREA.replace("min: 150", "min: lots")))
    code, out, _ = run(tmp_path, capsys, "validate", "--format", "json")
    [finding] = [f for f in json.loads(out) if f["path"] == HUNAN]
    line = line_of(text, "min: lots")
    assert (finding["line"], finding["column"]) == (line, text.splitlines()[line - 1].index("lots") + 1)
    assert finding["message"] == "「下限」应为数字，现为 「lots」"


def test_a_misspelt_keyword_suggests_the_keyword(tmp_path, capsys):
    corrupted(tmp_path, HUNAN_SCHEMA, replace('"additionalProperties": false,\n  "required"', '"additionalProperites": false,\n  "required"'))
    code, out, _ = run(tmp_path, capsys, "validate", "--format", "json")
    [finding] = json.loads(out)
    assert finding["message"] == "「additionalProperites」不是 JSON Schema 2020-12 的关键字，会被忽略：是「additionalProperties」拼错了吗？自己加的注解请以 x- 开头"


def test_a_broken_holidays_file_makes_workdays_a_usage_error(tmp_path, capsys):
    corrupted(tmp_path, HOLIDAYS, whole("years: [2027]\n"))
    code = main(["--root", str(tmp_path), "workdays", "2026-12-30", "3"])
    assert code == 2 and f"{HOLIDAYS}:1:8: error[schema-type]" in capsys.readouterr().err


def test_the_condition_kinds_of_the_scheme_schema_are_those_the_program_interprets():
    schema = json.loads((REPO / "schemes/_common/scheme.schema.json").read_text(encoding="utf-8"))
    condition = schema["$defs"]["condition"]
    kinds = set(condition["properties"]["kind"]["enum"])
    branches = {branch["if"]["properties"]["kind"]["const"] for branch in condition["allOf"]}
    assert kinds == branches == set(CHECKS) | {"at_least"} | CROSS_RECORD_KINDS
    assert set(schema["$defs"]["kinds"]["properties"]) == set(schema["$defs"]["conditions"]["properties"]) == set(KIND_NAMES)


def test_records_of_a_scheme_with_a_broken_file_wait_for_it_and_a_focused_run_still_names_it(library, capsys):
    record = library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    path = library.root / HUNAN
    path.write_text(edit(path.read_text(encoding="utf-8"), "  years: 3\n", "  years: three\n"), encoding="utf-8")
    code, out, _ = run(library.root, capsys, "validate", str(library.root / record), "--format", "json")
    assert code == 1
    assert [(f["path"], f["rule"]) for f in json.loads(out)] == [(HUNAN, "schema-type")]


# --- the working-day calendar running out ------------------------------------------------------

YEAR_2027 = ("years:\n  2027:\n    source: 测试用安排\n"
             "    holidays: [2027-01-01, 2027-02-10, 2027-02-11, 2027-02-12]\n    workdays: []\n")


def late_batch(library, decision: str = "") -> str:
    """A 湖南 batch whose 7 working days of publicity run from 2026-12-28 into 2027."""
    text = "id: t-2099\ntitle: 跨年批次（测试）\npublicity:\n  start: 2026-12-28\n" + decision
    return library.write("schemes/hunan-sme-hexin/batches/t-2099.yaml", text)


@pytest.mark.parametrize("decision, severity", [
    ("", "error"),                                               # in publicity: the notice needs its end
    ("decision: {doc_no: 测试〔2027〕1号, date: 2027-01-20}\n", "warning"),  # decided: only a check is lost
])
def test_a_publicity_reaching_a_year_without_holidays_names_the_file_and_the_year(library, decision, severity):
    path = late_batch(library, decision)
    [finding] = [f for f in library.findings() if f.rule == "calendar-gap"]
    assert (finding.path, finding.line, finding.severity) == (path, 4, severity)
    assert "2027 年节假日安排尚未收录" in finding.message and "schemes/_common/holidays.yaml" in finding.message


def test_entering_the_year_in_holidays_yaml_ends_the_calendar_gap(library):
    late_batch(library)
    library.write(HOLIDAYS, YEAR_2027)
    assert [f for f in library.findings() if f.rule == "calendar-gap"] == []


def reminders(library, day: str) -> list:
    items = build_report(load_repository(library.root), load_calendar(library.root), date.fromisoformat(day))
    return [item for item in items if item.kind == "calendar-next-year"]


@pytest.mark.parametrize("day, reminded", [("2026-10-31", False), ("2026-11-01", True), ("2026-12-31", True)])
def test_from_november_the_report_reminds_staff_to_enter_next_years_holidays(library, day, reminded):
    items = reminders(library, day)
    assert bool(items) == reminded
    if reminded:
        assert items[0].path == HOLIDAYS and items[0].message.startswith("2027 年的放假与调休安排尚未录入")


def test_no_reminder_once_next_year_is_entered(library):
    library.write(HOLIDAYS, YEAR_2027)
    assert reminders(library, "2026-11-23") == []


def test_the_reminder_date_is_data_in_common_yaml(library):
    path = library.root / COMMON
    path.write_text(edit(path.read_text(encoding="utf-8"), 'holiday_reminder_from: "11-01"', 'holiday_reminder_from: "12-01"'),
                    encoding="utf-8")
    assert reminders(library, "2026-11-23") == [] and reminders(library, "2026-12-01") != []
