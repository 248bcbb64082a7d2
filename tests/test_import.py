"""`directory import`: a spreadsheet staff keep in Excel becomes record files, all or nothing."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import TODAY, good_record
from directory.rules.codes import credit_code_check_character
from directory.findings import Finding
from directory.staff.document_commands import error_table
from directory.staff.importer import import_records

HUNAN = "hunan-sme-hexin"
JILIN = "jilin-city-sme"

# the keys of the good hunan record (tests/fixtures/records/) that one cell each can hold
HUNAN_KEYS = [
    "id", "scheme", "name", "credit_code", "nature", "region", "address", "postal_code", "established",
    "legal_representative", "website", "contact.phone", "contact.email", "categories", "services", "profile",
    "recommender", "facts.registered_capital_wan", "facts.total_assets_wan", "facts.service_assets_wan",
    "facts.area_m2", "facts.staff_full_time", "facts.staff_qualified", "facts.staff_social_insured",
    "facts.smes_served_per_year", "facts.satisfaction_pct", "facts.public_benefit_pct",
    "facts.partner_institutions", "facts.no_bad_credit_record", "facts.not_affiliate_of_core_institution",
    "facts.registered_on_platform", "recognition.batch",
    "recognition.certificate_no", "recognition.status", "private.contact_person", "private.mobile",
]


EXPERT_HEADER = ["id", "姓名", "职称", "工作单位", "学历", "从事中小企业服务年限", "服务领域", "行政区划代码",
                 "推荐单位", "聘任起始日期", "手机"]


def expert_row(expertise: str = "财会税务、投资融资") -> list:
    """The good jilin expert (tests/fixtures/records/) as a row under EXPERT_HEADER."""
    return ["liu-ming", "刘明", "高级会计师", "北华大学", "硕士研究生", 12, expertise, 220204,
            "船营区中小企业服务中心", datetime(2025, 9, 1), 13900000000]


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def fixture_value(record: dict, key: str):
    for part in key.split("."):
        record = record[part]
    return record


def as_cell(key: str, value):
    """A value as staff would type it in Excel: lists with 、, services one per line, dates as dates,
    region and postal code as the numbers Excel makes of them."""
    if key == "categories":
        return "、".join(value)
    if key == "services":
        return "\n".join(f"{s['name']}：{s['description']}" for s in value)
    if key == "established":
        return datetime.fromisoformat(value)
    if key in ("region", "postal_code"):
        return int(value)
    return value


def hunan_row(record_id: str, code17: str, **changes) -> list:
    """One row of the good hunan record with its own id and credit code; `changes` by dotted key."""
    record = yaml.safe_load(good_record(HUNAN))
    record["established"] = str(record["established"])
    values = {key: as_cell(key, fixture_value(record, key)) for key in HUNAN_KEYS}
    values.update({"id": record_id, "credit_code": credit_code(code17), "name": f"{record_id} 有限公司"})
    values.update({key.replace("__", "."): value for key, value in changes.items()})
    return [values[key] for key in HUNAN_KEYS]


def two_providers(**changes_to_second) -> list[list]:
    return [HUNAN_KEYS,
            hunan_row("cs-alpha", "91430102MA4L2X1Q5"),
            hunan_row("cs-beta", "91430102MA4L2X1Q6", **changes_to_second)]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    def text(value) -> str:
        if isinstance(value, datetime):
            return f"{value.year}/{value.month}/{value.day}"   # as Excel writes a date into CSV
        return "" if value is None else str(value)

    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([[text(value) for value in row] for row in rows])
    return path


def run(library, source: Path, **options):
    return import_records(library.root, source, options.pop("scheme", HUNAN), today=TODAY, **options)


def written_record(library, relative: str) -> dict:
    return yaml.safe_load((library.root / relative).read_text(encoding="utf-8"))


def providers_written(library) -> list[str]:
    folder = library.root / "providers"
    return sorted(p.relative_to(library.root).as_posix() for p in folder.rglob("*.yaml")) if folder.exists() else []


def test_a_good_sheet_of_two_providers_is_written_and_both_files_validate_clean(library, tmp_path):
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()))
    assert result.findings == []
    assert result.written == [f"providers/{HUNAN}/cs-alpha.yaml", f"providers/{HUNAN}/cs-beta.yaml"]
    assert library.findings() == []


def test_the_written_file_keeps_the_schema_order_and_numbers_that_are_text_stay_text(library, tmp_path):
    run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()))
    text = (library.root / f"providers/{HUNAN}/cs-alpha.yaml").read_text(encoding="utf-8")
    record = yaml.safe_load(text)
    assert list(record)[:4] == ["id", "scheme", "name", "credit_code"]
    assert "region: '430102'" in text and record["postal_code"] == "410011"
    assert record["facts"]["area_m2"] == 300 and record["facts"]["no_bad_credit_record"] is True
    assert record["established"] == "2018-05-10"
    assert record["private"] == {"contact_person": "李某", "mobile": "13800000000"}


def test_chinese_labels_work_as_headers(library, tmp_path):
    labels = {"id": "记录编号", "name": " 机构名称 ", "credit_code": "统一社会信用代码", "region": "行政区划代码",
              "facts.area_m2": "服务场所面积（平方米）", "contact.phone": "服务电话", "categories": "主要服务项目"}
    rows = two_providers()
    rows[0] = [labels.get(key, key) for key in HUNAN_KEYS]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert result.findings == [] and len(result.written) == 2
    assert written_record(library, result.written[0])["facts"]["area_m2"] == 300


def test_a_csv_saved_by_excel_with_a_bom_is_imported(library, tmp_path):
    source = write_csv(tmp_path / "list.csv", two_providers())
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(library, source)
    assert result.findings == [] and len(result.written) == 2
    record = written_record(library, result.written[1])
    assert record["established"] == "2018-05-10" and record["region"] == "430102"
    assert library.findings() == []


def test_services_are_one_per_line_with_an_optional_description_after_a_colon(library, tmp_path):
    services = "数字化诊断：数字化转型现状诊断与路线图。\n上云辅导: 协助企业上云\n\n政策咨询"
    rows = [HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q5", services=services)]
    [written] = run(library, write_xlsx(tmp_path / "list.xlsx", rows)).written
    assert written_record(library, written)["services"] == [
        {"name": "数字化诊断", "description": "数字化转型现状诊断与路线图。"},
        {"name": "上云辅导", "description": "协助企业上云"},
        {"name": "政策咨询"}]


def test_list_cells_are_split_on_enumeration_commas_and_semicolons(library, tmp_path):
    rows = [EXPERT_HEADER, expert_row(expertise=" 财会税务；投资融资; 政策解读、法律咨询 ")]
    [written] = run(library, write_xlsx(tmp_path / "experts.xlsx", rows), scheme=JILIN, kind="expert").written
    assert written_record(library, written)["expertise"] == ["财会税务", "投资融资", "政策解读", "法律咨询"]


def test_a_row_below_the_minimum_area_is_reported_at_its_row_and_column_and_nothing_is_written(library, tmp_path):
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers(facts__area_m2=120)))
    assert result.written == [] and providers_written(library) == []
    [finding] = [f for f in result.findings if f.severity == "error"]
    column = HUNAN_KEYS.index("facts.area_m2") + 1
    assert (finding.path, finding.line, finding.column, finding.rule) == (str(tmp_path / "list.xlsx"), 3, column, "premises-area")
    assert finding.message.startswith("第 3 行「facts.area_m2」：") and "第七条" in finding.basis


def test_a_bad_credit_code_is_reported_with_its_rule_and_nothing_is_written(library, tmp_path):
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers(credit_code="91430102MA4L2X1Q6X")))
    assert result.written == [] and providers_written(library) == []
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (3, HUNAN_KEYS.index("credit_code") + 1, "credit-code")
    assert finding.message.startswith("第 3 行「credit_code」：")


def test_an_existing_record_is_not_overwritten_without_force(library, tmp_path):
    existing = library.add(HUNAN, good_record(HUNAN).replace("cs-zhiyuan", "cs-beta"))
    before = (library.root / existing).read_text(encoding="utf-8")
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()))
    assert result.written == [] and (library.root / existing).read_text(encoding="utf-8") == before
    assert not (library.root / f"providers/{HUNAN}/cs-alpha.yaml").exists()
    [finding] = [f for f in result.findings if f.rule == "import-exists"]
    assert finding.line == 3 and f"记录 {existing} 已存在：加 --force 才会覆盖" in finding.message


def test_an_existing_record_is_overwritten_with_force(library, tmp_path):
    existing = library.add(HUNAN, good_record(HUNAN).replace("cs-zhiyuan", "cs-beta"))
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()), force=True)
    assert result.findings == [] and existing in result.written
    assert written_record(library, existing)["name"] == "cs-beta 有限公司"
    assert library.findings() == []


def test_an_unknown_header_is_reported_on_row_1_and_nothing_is_written(library, tmp_path):
    rows = two_providers()
    rows[0] = rows[0][:2] + ["机构名"] + rows[0][3:]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert result.written == [] and providers_written(library) == []
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (1, 3, "import-unknown-column")
    assert "未知的列「机构名」" in finding.message and "可用的列名有" in finding.message and "机构名称" in finding.message


def test_a_label_shared_by_several_nested_fields_is_reported_as_ambiguous(library, tmp_path):
    rows = [HUNAN_KEYS + ["日期"], hunan_row("cs-alpha", "91430102MA4L2X1Q5") + ["2026-01-05"]]
    [finding] = run(library, write_xlsx(tmp_path / "list.xlsx", rows)).findings
    assert finding.rule == "import-ambiguous-column" and "recognition.revocation.date" in finding.message


def test_a_gbk_csv_asks_staff_to_save_it_as_csv_utf8(library, tmp_path):
    source = write_csv(tmp_path / "list.csv", two_providers(), encoding="gbk")
    [finding] = run(library, source).findings
    assert finding.rule == "import-encoding" and "请另存为 CSV UTF-8" in finding.message
    assert providers_written(library) == []


def test_a_row_without_id_and_a_repeated_id_are_reported(library, tmp_path):
    without_id = hunan_row("cs-gamma", "91430102MA4L2X1Q8")
    without_id[0] = None
    rows = two_providers() + [hunan_row("cs-alpha", "91430102MA4L2X1Q7"), without_id]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert {(f.line, f.rule) for f in result.findings} == {(4, "import-duplicate-id"), (5, "import-id-missing")}
    assert "与第 2 行重复" in next(f.message for f in result.findings if f.line == 4)
    assert providers_written(library) == []


def test_cells_are_read_by_the_column_type_so_no_is_false_and_text_numbers_are_numbers(library, tmp_path):
    rows = [HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q5", facts__no_bad_credit_record="否",
                                  facts__area_m2="312.5", facts__staff_full_time="20")]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    # 312.5 and "20" are accepted as numbers; the attestation read as false is refused
    assert [f.rule for f in result.findings] == ["credit-record"]
    assert result.findings[0].column == HUNAN_KEYS.index("facts.no_bad_credit_record") + 1


def test_an_expert_sheet_is_written_under_experts(library, tmp_path):
    result = run(library, write_xlsx(tmp_path / "experts.xlsx", [EXPERT_HEADER, expert_row()]), scheme=JILIN, kind="expert")
    assert result.findings == [] and result.written == [f"providers/{JILIN}/experts/liu-ming.yaml"]
    record = written_record(library, result.written[0])
    assert record["expertise"] == ["财会税务", "投资融资"] and record["private"] == {"mobile": "13900000000"}
    assert record["term"] == {"start": "2025-09-01"} and library.findings() == []


def test_the_import_command_writes_nothing_and_exits_1_on_a_bad_row(library, tmp_path):
    import subprocess
    import sys

    sheet = tmp_path / "bad.csv"
    sheet.write_text("\ufeffid,name,credit_code,region\nx-one,长沙甲企业管理有限公司,91430102MA4L2X1Q5X,430102\n",
                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "directory", "import", str(sheet), "--scheme", "hunan-sme-hexin"],
                            cwd=library.root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stdout.startswith("行    列    问题\n")
    assert any(line.startswith("2     C「credit_code」  统一社会信用代码") and line.endswith("[credit-code]")
               for line in result.stdout.splitlines())
    assert not (library.root / "providers" / "hunan-sme-hexin" / "x-one.yaml").exists()


# ---------------------------------------------------------------- hidden characters and collisions

HIDDEN = ["\x00", "\x1b", "\t", "\x7f", "\x85", "\u2028", "\u2029"]


# an .xlsx file cannot hold NUL or ESC (XML 1.0): those come in CSV files only
@pytest.mark.parametrize("write, character", [(write_csv, c) for c in HIDDEN] + [(write_xlsx, c) for c in HIDDEN[2:]])
def test_a_control_character_in_a_cell_is_refused_at_its_row_and_column(library, tmp_path, write, character):
    rows = two_providers(name=f"长沙{character}乙有限公司")
    result = run(library, write(tmp_path / f"list{'.csv' if write is write_csv else '.xlsx'}", rows))
    assert result.written == [] and providers_written(library) == []
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (3, HUNAN_KEYS.index("name") + 1, "import-control-character")
    assert finding.message == (f"第 3 行「name」第 3 个字符是看不见的控制字符 U+{ord(character):04X}："
                               "请删除它（常见于从其他系统复制的文字）")


def test_line_breaks_inside_a_cell_are_text_not_control_characters(library, tmp_path):
    rows = [HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q5", profile="第一段。\r\n第二段。")]
    [written] = run(library, write_csv(tmp_path / "list.csv", rows)).written
    assert written_record(library, written)["profile"] == "第一段。\n第二段。"


JILIN_PROVIDER_HEADER = ["id", "name", "credit_code", "nature", "region", "address", "postal_code", "established",
                         "contact.phone", "categories", "recommender", "term.start", "facts.smes_served_per_year",
                         "facts.satisfaction_pct", "facts.no_bad_credit_record", "recognition.status"]


def test_a_provider_row_taking_an_existing_experts_id_is_refused_at_its_row(library, tmp_path):
    expert = library.add(JILIN, good_record(JILIN, "expert"), kind="expert")   # liu-ming
    row = ["liu-ming", "吉林市恒通企业管理咨询有限公司", "91220202MA14W6H8RE", "有限责任公司", 220202,
           "吉林省吉林市昌邑区解放北路 1 号", 132002, datetime(2015, 6, 1), "0432-62345678", "管理咨询、财会税务",
           "昌邑区中小企业服务中心", datetime(2025, 9, 1), 60, 95, "是", "recognized"]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", [JILIN_PROVIDER_HEADER, row]), scheme=JILIN)
    assert result.written == [] and providers_written(library) == [expert]
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (2, 1, "duplicate-id")
    assert finding.message == f"第 2 行「id」：记录编号「liu-ming」在名录 {JILIN} 中重复（另见 {expert}）"


def test_a_row_with_the_credit_code_of_a_recognised_provider_is_refused_at_its_row(library, tmp_path):
    existing = library.add(HUNAN, good_record(HUNAN))   # 91430102MA4L2X1Q5B, recognised in t-2025
    result = run(library, write_xlsx(tmp_path / "list.xlsx", [HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q5")]))
    assert result.written == [] and providers_written(library) == [existing]
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (2, HUNAN_KEYS.index("credit_code") + 1, "duplicate-credit-code")
    assert finding.message.startswith("第 2 行「credit_code」：统一社会信用代码 91430102MA4L2X1Q5B 也在 "
                                      f"{existing} 中认定")


APPLICATION_KEYS = [key for key in HUNAN_KEYS if not key.startswith("recognition.")]


@pytest.mark.parametrize("today, refused", [(date(2028, 2, 29), True), (date(2028, 3, 1), False)])
def test_a_row_for_a_provider_under_a_reapplication_ban_is_refused_until_the_ban_ends(library, tmp_path, today, refused):
    from test_cross_records import add_old_batch, revoked

    add_old_batch(library)
    banned = library.add(HUNAN, revoked("第十九条（一）"))   # 91430102MA4L2X1Q5B, revoked 2025-03-01, 3 years
    row = hunan_row("cs-again", "91430102MA4L2X1Q5")
    rows = [APPLICATION_KEYS, [value for key, value in zip(HUNAN_KEYS, row) if key in APPLICATION_KEYS]]
    result = import_records(library.root, write_xlsx(tmp_path / "list.xlsx", rows), HUNAN, today=today)
    if refused:
        assert result.written == [] and providers_written(library) == [banned]
        [finding] = result.findings
        assert (finding.line, finding.column, finding.rule) == (2, APPLICATION_KEYS.index("credit_code") + 1, "ban-in-force")
        assert finding.message.startswith("第 2 行「credit_code」：该机构（91430102MA4L2X1Q5B）于 2025-03-01 被撤销")
    else:
        assert result.findings == [] and result.written == [f"providers/{HUNAN}/cs-again.yaml"]


REVOCATION_KEYS = ["recognition.revocation.date", "recognition.revocation.reason", "recognition.revocation.basis"]


def revoked_row(record_id: str) -> tuple[list, list]:
    """(header, row) of a provider revoked on 2025-03-01 under 第十九条（一）, from batch t-2021."""
    row = hunan_row(record_id, "91430102MA4L2X1Q5", established=datetime(2017, 5, 10))
    row = [{"recognition.batch": "t-2021", "recognition.status": "revoked"}.get(key, value)
           for key, value in zip(HUNAN_KEYS, row)] + [datetime(2025, 3, 1), "弄虚作假", "第十九条（一）"]
    return HUNAN_KEYS + REVOCATION_KEYS, row


def test_a_revoked_row_whose_ban_covers_an_existing_records_application_is_refused_at_its_row(library, tmp_path):
    from test_cross_records import add_old_batch

    add_old_batch(library)
    existing = library.add(HUNAN, good_record(HUNAN))   # the same credit code, recognised in t-2025 (during the ban)
    result = run(library, write_xlsx(tmp_path / "list.xlsx", list(revoked_row("cs-zhiyuan-2"))))
    assert result.written == [] and providers_written(library) == [existing]
    [finding] = result.findings
    assert (finding.line, finding.column, finding.rule) == (2, HUNAN_KEYS.index("credit_code") + 1, "ban-in-force")
    assert finding.message.startswith(f"第 2 行「credit_code」：现有记录 {existing}：该机构（91430102MA4L2X1Q5B）"
                                      f"于 2025-03-01 被撤销（providers/{HUNAN}/cs-zhiyuan-2.yaml")


def test_a_refused_import_with_force_changes_no_file_of_the_library(library, tmp_path):
    existing = library.add(HUNAN, good_record(HUNAN).replace("cs-zhiyuan", "cs-beta"))
    sheet = write_xlsx(tmp_path / "list.xlsx", two_providers(facts__area_m2=120))
    before = {path: path.read_bytes() for path in library.root.rglob("*") if path.is_file()}
    result = run(library, sheet, force=True)
    assert result.written == [] and any(f.rule == "premises-area" for f in result.findings)
    assert {path: path.read_bytes() for path in library.root.rglob("*") if path.is_file()} == before
    assert existing in providers_written(library)


@pytest.mark.parametrize("keeps_revocation", [False, True])
def test_force_cannot_replace_a_revoked_record_under_a_ban_unless_the_row_keeps_the_revocation(
        library, tmp_path, keeps_revocation):
    from test_cross_records import add_old_batch, revoked

    add_old_batch(library)
    banned = library.add(HUNAN, revoked("第十九条（一）"))   # cs-zhiyuan-2, revoked 2025-03-01: banned to 2028-02-29
    before = (library.root / banned).read_text(encoding="utf-8")
    row = hunan_row("cs-zhiyuan-2", "91430102MA4L2X1Q5", established=datetime(2017, 5, 10))
    if keeps_revocation:
        header, row = revoked_row("cs-zhiyuan-2")
    else:
        header, row = APPLICATION_KEYS, [value for key, value in zip(HUNAN_KEYS, row) if key in APPLICATION_KEYS]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", [header, row]), force=True)
    if keeps_revocation:
        assert result.findings == [] and result.written == [banned]
        assert written_record(library, banned)["recognition"]["revocation"]["date"] == "2025-03-01"
    else:
        assert result.written == [] and (library.root / banned).read_text(encoding="utf-8") == before
        [finding] = result.findings
        assert (finding.line, finding.column, finding.rule) == (2, 1, "import-erases-ban")
        assert finding.message == (f"第 2 行：{banned} 于 2025-03-01 被撤销，至 2028-02-29（含）不得再次申报，"
                                   "覆盖会抹去这条撤销记录：更正原记录请保留认定状态 revoked 和撤销日期")
        assert "第十九条" in finding.basis


# ---------------------------------------------------------------- kinds as scheme.yaml defines them

def rename_expert_kind(library) -> None:
    """jilin's experts kept in a folder and under a label of the scheme's own choosing."""
    path = library.root / "schemes" / JILIN / "scheme.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("  expert: expert.schema.json\n") == 1
    path.write_text(text.replace("  expert: expert.schema.json\n",
                                 "  expert: {schema: expert.schema.json, folder: zhuanjia, label: 志愿服务专家}\n"),
                    encoding="utf-8")


def test_an_expert_sheet_goes_into_the_folder_scheme_yaml_gives_the_kind(library, tmp_path):
    rename_expert_kind(library)
    result = run(library, write_xlsx(tmp_path / "experts.xlsx", [EXPERT_HEADER, expert_row()]), scheme=JILIN, kind="expert")
    assert result.findings == [] and result.written == [f"providers/{JILIN}/zhuanjia/liu-ming.yaml"]
    assert library.findings() == []


@pytest.mark.parametrize("scheme, kind, message", [
    (HUNAN, "expert", "名录「湖南省中小微企业核心服务机构」不收录专家：可导入的有 服务机构（provider）"),
    ("no-such-scheme", "provider", "没有名录「no-such-scheme」：可用的有 hebei-sme-youzhi、hubei-afxh、"
                                   "hubei-sme-yanxuan、hunan-sme-hexin、jilin-city-sme"),
])
def test_a_kind_or_scheme_the_library_does_not_have_is_one_finding(library, tmp_path, scheme, kind, message):
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()), scheme=scheme, kind=kind)
    assert [(f.line, f.rule, f.message) for f in result.findings] == [(0, "import-scheme", message)]


def test_the_kinds_a_scheme_offers_are_named_by_their_labels_in_scheme_yaml(library, tmp_path):
    rename_expert_kind(library)
    result = run(library, write_xlsx(tmp_path / "list.xlsx", two_providers()), scheme=JILIN, kind="mentor")
    [finding] = result.findings
    assert finding.message.endswith("可导入的有 服务机构（provider）、志愿服务专家（expert）")


def test_an_existing_records_own_errors_do_not_stop_a_good_sheet(library, tmp_path):
    # a problem of an existing file is for `directory validate`; the sheet reports its own rows only
    broken = library.add(HUNAN, good_record(HUNAN).replace("cs-zhiyuan", "cs-small").replace("area_m2: 300", "area_m2: 20"))
    assert [f.rule for f in library.findings() if f.severity == "error"] == ["premises-area"]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", [HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q7")]))
    assert result.findings == [] and result.written == [f"providers/{HUNAN}/cs-alpha.yaml"]
    assert broken in providers_written(library)


# ---------------------------------------------------------------- sheets that cannot be read as records

@pytest.mark.parametrize("name, rows, rule, line, column", [
    ("header-only.xlsx", [["id", "name"]], "import-empty", 0, 0),
    ("unnamed.xlsx", [["id", None], ["cs-a", "长沙某公司"]], "import-unnamed-column", 1, 2),
    ("twice.xlsx", [["id", "name", "机构名称"], ["cs-a", "长沙某公司", "长沙某公司"]], "import-duplicate-column", 1, 3),
])
def test_a_sheet_that_holds_no_usable_records_is_one_located_finding(library, tmp_path, name, rows, rule, line, column):
    result = run(library, write_xlsx(tmp_path / name, rows))
    assert [(f.rule, f.line, f.column) for f in result.findings if f.rule.startswith("import-")] == [(rule, line, column)]
    assert providers_written(library) == []


@pytest.mark.parametrize("name, content, fragment", [
    ("missing.xlsx", None, "找不到文件"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "不能读取 .xls 格式"),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "无法读取 Excel 文件"),
    ("notes.txt", b"id,name\n", "只能导入 .xlsx 或 .csv 文件"),
])
def test_a_file_that_is_no_readable_spreadsheet_is_refused_with_a_chinese_message(library, tmp_path, name, content, fragment):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    [finding] = run(library, path).findings
    assert finding.rule == "import-file" and fragment in finding.message


# ---------------------------------------------------------------- friendlier sheets: 序号, place names, labels

def with_column(rows: list[list], key: str, values: list) -> list[list]:
    """`rows` with the column of `key` replaced by `values` (header first)."""
    index = rows[0].index(key)
    return [row[:index] + [value] + row[index + 1:] for row, value in zip(rows, values)]


def test_a_row_number_column_is_ignored(library, tmp_path):
    rows = [["序号"] + row for row in two_providers()]
    rows = [rows[0]] + [[number] + row[1:] for number, row in enumerate(rows[1:], start=1)]
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert result.findings == [] and len(result.written) == 2


@pytest.mark.parametrize("cell, code", [
    ("长沙市芙蓉区", "430102"),          # a county within its city
    ("湖南省长沙市芙蓉区", "430102"),     # the full name
    ("芙蓉区", "430102"),                # the name alone, the only one in 湖南
    (" 长沙市 芙蓉区 ", "430102"),
    (430102, "430102"),                  # the code, as Excel stores it
    ("长沙市", "430100"),
])
def test_a_region_written_as_a_place_name_becomes_its_code(library, tmp_path, cell, code):
    rows = with_column(two_providers(), "region", ["region", cell, cell])
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert result.findings == []
    assert written_record(library, result.written[0])["region"] == code


@pytest.mark.parametrize("cell, message", [
    ("长沙市芙容区", "第 2 行「region」：没有名为「长沙市芙容区」的行政区划（是不是「长沙市芙蓉区」，即 430102？）"),
    ("北京市东城区", "第 2 行「region」：「北京市东城区」（110101）不在本名录的地区范围内：行政区划代码应以 43 开头"),
])
def test_a_place_name_that_names_no_region_of_the_province_is_one_finding_with_a_suggestion(library, tmp_path, cell, message):
    rows = with_column(two_providers(), "region", ["region", cell, 430102])
    [finding] = run(library, write_xlsx(tmp_path / "list.xlsx", rows)).findings
    assert (finding.line, finding.column, finding.rule) == (2, HUNAN_KEYS.index("region") + 1, "import-region")
    assert finding.message.startswith(message)
    assert providers_written(library) == []


@pytest.mark.parametrize("cell, status", [
    ("已认定", "recognized"),     # the label scheme files give the value (x-hint)
    ("有效", "recognized"),       # the site's badge for a recognised record
    ("recognized", "recognized"),
])
def test_a_status_may_be_written_as_its_chinese_label(library, tmp_path, cell, status):
    rows = with_column(two_providers(), "recognition.status", ["recognition.status", cell, cell])
    result = run(library, write_xlsx(tmp_path / "list.xlsx", rows))
    assert result.findings == []
    assert written_record(library, result.written[0])["recognition"]["status"] == status


def import_command(library, *args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "directory", "import", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=120)


def test_the_errors_are_a_table_of_row_column_and_problem_each_line_short(library, tmp_path):
    rows = two_providers()
    rows[0] = rows[0][:2] + ["机构名"] + rows[0][3:]
    result = import_command(library, str(write_xlsx(tmp_path / "list.xlsx", rows)), "--scheme", HUNAN)
    assert result.returncode == 1
    header, line = result.stdout.splitlines()
    assert header == "行    列    问题"
    assert line.startswith("1     C  未知的列「机构名」（是不是「机构名称」，即 name？）：可用的列名有 id（记录编号）")
    assert line.endswith("[import-unknown-column]") and len(line) <= 200


@pytest.mark.parametrize("finding, line", [
    (Finding("list.xlsx", 2, 3, "credit-code", "第 2 行「统一社会信用代码」：校验位不对", "GB 32100-2015"),
     "2     C「统一社会信用代码」  校验位不对（依据：GB 32100-2015） [credit-code]"),
    (Finding("list.xlsx", 1, 28, "import-unknown-column", "第 1 行 AB 列：未知的列「x」"),
     "1     AB  未知的列「x」 [import-unknown-column]"),
    (Finding("list.xlsx", 0, 0, "import-file", "找不到文件「list.xlsx」"),
     "—     —  找不到文件「list.xlsx」 [import-file]"),
    (Finding("list.xlsx", 3, 2, "schema-enum", "第 3 行「机构性质」：" + "长" * 400 + "不是可选的值"),
     "3     B「机构性质」  " + "长" * 170 + "… [schema-enum]"),   # 200 characters
    (Finding("list.xlsx", 4, 2, "w", "第 4 行「名称」：a\nb", severity="warning"), "4     B「名称」  警告：a\\nb [w]"),
])
def test_each_problem_is_one_line_of_the_table_of_at_most_200_characters(finding, line):
    header, shown = error_table([finding]).splitlines()
    assert (header, shown) == ("行    列    问题", line)
    assert len(shown) <= 200


def read_template(path: Path):
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, rows[0], rows[1]


def test_the_template_has_the_chinese_headers_a_notes_row_and_drop_down_lists(library, tmp_path):
    result = import_command(library, "--template", "--scheme", HUNAN, "-o", str(tmp_path / "模板.xlsx"))
    assert result.returncode == 0, result.stderr
    sheet, headers, notes = read_template(tmp_path / "模板.xlsx")
    assert headers[:6] == ("序号", "记录编号", "机构名称", "统一社会信用代码", "机构性质", "行政区划代码")
    assert "认定状态" in headers and "撤销·日期" in headers and "名录" not in headers
    note = dict(zip(headers, notes))
    assert note["序号"] == "填写说明" and note["机构名称"] == "必填"
    assert note["认定状态"] == "选填；可选：公示中、已认定、暂停、已撤销、自愿退出、未通过认定"
    lists = {headers[openpyxl.utils.column_index_from_string(str(v.sqref).split(":")[0][:-1]) - 1]: v
             for v in sheet.data_validations.dataValidation}
    assert set(lists) == {"机构性质", "主要服务项目", "认定状态", "无不良信用记录（承诺）",
                          "非有效期内核心服务机构的关联机构（承诺）", "已在省中小企业公共服务平台登记备录",
                          "未在协助接受案件调查（承诺）"}
    options = openpyxl.load_workbook(tmp_path / "模板.xlsx")["选项"]
    nature = lists["机构性质"].formula1.split("!")[1].replace("$", "").split(":")
    assert [cell.value for row in options[nature[0]:nature[1]] for cell in row] == \
        ["事业单位", "民非组织", "社会团体", "私人企业", "国有企业", "其他企业"]
    assert str(lists["机构性质"].sqref) == "E3:E502" and lists["机构性质"].showErrorMessage
    assert not lists["主要服务项目"].showErrorMessage   # several values may be typed: 「A、B」


def test_a_filled_template_imports_and_its_notes_row_is_no_record(library, tmp_path):
    import_command(library, "--template", "--scheme", HUNAN, "-o", str(tmp_path / "模板.xlsx"))
    workbook = openpyxl.load_workbook(tmp_path / "模板.xlsx")
    sheet = workbook.worksheets[0]
    from directory.rules.schemas import build_schemas
    from directory.rules.schemes import load_schemes
    from directory.staff.importer import template_columns

    schema = build_schemas(library.root, load_schemes(library.root).schemes)[0].validators[(HUNAN, "provider")].schema
    by_key = dict(zip(HUNAN_KEYS, hunan_row("cs-alpha", "91430102MA4L2X1Q5")))
    sheet.append([1] + [by_key.get(entry.key) for _, entry in template_columns(schema)])
    workbook.save(tmp_path / "模板.xlsx")
    result = run(library, tmp_path / "模板.xlsx")
    assert result.findings == [] and result.written == [f"providers/{HUNAN}/cs-alpha.yaml"]
    assert library.errors() == []


@pytest.mark.parametrize("args, message", [
    (["--scheme", HUNAN], "请给出要导入的表格文件"),
    (["--template", "--scheme", HUNAN], "请用 -o 指定要写入的文件"),
    (["x.xlsx", "--scheme", HUNAN, "-o", "t.xlsx"], "-o 只用于 --template"),
    (["--template", "--scheme", "hunan", "-o", "t.xlsx"], "没有名录「hunan」"),
    (["--template", "--scheme", HUNAN, "--kind", "expert", "-o", "t.xlsx"], "不收录专家"),
])
def test_an_import_without_a_sheet_or_a_template_without_a_file_is_a_usage_error(library, args, message):
    result = import_command(library, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
