"""What staff read names fields by their Chinese titles and statuses by their Chinese labels.

Each row: a change to a good record, then the rule and the words its message must (and must not) hold.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import edit, good_record, line_of

HUNAN = "hunan-sme-hexin"
AFXH = "hubei-afxh"


def drop(text: str, line: str) -> str:
    return edit(text, line + "\n", "")


ROWS = [
    # a missing value: its title, and its key beside it (there is no line to look at, only a key to add)
    (HUNAN, lambda t: drop(t, "  no_bad_credit_record: true"), "credit-record",
     "缺少「无不良信用记录（承诺）」（facts.no_bad_credit_record），无法核对入库条件", "「facts."),
    (HUNAN, lambda t: drop(t, "  staff_qualified: 15"), "staff-qualified-ratio",
     "缺少「符合学历或职称要求的专业人员数」（facts.staff_qualified）", "「facts."),
    # a part larger than its whole: both by title
    (HUNAN, lambda t: edit(t, "  staff_social_insured: 12", "  staff_social_insured: 21"),
     "staff-social-insured-within-staff", "「有社会保险的专职人员数」（21）不能多于「专职服务人员数」（20）", "facts."),
    # an attestation not given: by title, and the value as YAML writes it (false, not Python's False)
    (HUNAN, lambda t: edit(t, "  registered_on_platform: true", "  registered_on_platform: false"),
     "platform-registration", "「已在省中小企业公共服务平台登记备录」须为 true，现为 false", "False"),
    (AFXH, lambda t: edit(t, "council_member: true", "council_member: false"),
     "council-member", "现为 false", "「council_member」"),
    # a status not among the choices: the choices with their labels
    (HUNAN, lambda t: edit(t, "status: recognized", "status: valid"),
     "schema-enum", "「认定状态」的值「valid」不在可选范围内：publicity（公示中）、recognized（已认定）、suspended（暂停）", None),
    # a status that requires a section: named with its label
    (HUNAN, lambda t: edit(t, "status: recognized", "status: suspended"),
     "schema-required", "缺少必填项「暂停」（suspension）：状态为 suspended（暂停） 时必须填写", None),
]


@pytest.mark.parametrize("scheme, change, rule, expected, absent", ROWS,
                         ids=[f"{row[0]}-{row[2]}" for row in ROWS])
def test_messages_name_fields_by_title_and_statuses_by_label(library, scheme, change, rule, expected, absent):
    library.add(scheme, change(good_record(scheme)))
    [message] = [finding.message for finding in library.errors() if finding.rule == rule]
    assert expected in message
    if absent:
        assert absent not in message


@pytest.mark.parametrize("key, expected", [
    ("nam", "有未知字段「nam」：是「name」（机构名称）拼错了吗？可用的字段有 address、"),
    ("zzz", "有未知字段「zzz」：请检查拼写；可用的字段有 address、"),
])
def test_an_unknown_key_suggests_the_field_meant_by_key_and_title(library, key, expected):
    text = good_record(HUNAN)
    library.add(HUNAN, text.replace("\nname:", f"\n{key}:", 1) if key == "nam" else text + f"{key}: 1\n")
    messages = [finding.message for finding in library.errors() if finding.rule == "unknown-key"]
    assert [message for message in messages if message.startswith(expected)] == messages and messages


def test_an_unclosed_flow_mapping_gets_a_chinese_hint_at_its_line(library):
    text = edit(good_record(HUNAN), "email: service@zhiyuan.example.cn}", "email: service@zhiyuan.example.cn")
    library.add(HUNAN, text)
    [finding] = [finding for finding in library.errors() if finding.rule == "yaml-syntax"]
    assert finding.message.startswith("YAML 语法错误：花括号 { } 或方括号 [ ] 未配对，或其中各项之间缺少逗号")
    assert finding.line >= line_of(text, "contact:")


def test_any_other_yaml_syntax_error_starts_with_chinese_advice(library):
    path = library.write(f"providers/{HUNAN}/broken.yaml", 'id: "broken\nname: 某公司\n')
    [finding] = [finding for finding in library.errors() if finding.path == path]
    assert finding.rule == "yaml-syntax"
    assert finding.message.startswith("YAML 语法错误：请检查这一行及其上方的缩进、冒号和引号（引号要成对）（")


def test_a_library_without_mkdocs_yml_builds_with_the_default_site_name(library):
    text = good_record(HUNAN)
    library.add(HUNAN, text)
    assert not (library.root / "mkdocs.yml").exists()
    result = subprocess.run([sys.executable, "-m", "directory", "build", "--today", "2026-11-23"], cwd=library.root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "已生成" in result.stderr and not re.search(r"Config|does not exist", result.stderr)
    assert "<title>服务机构库" in (library.root / "site" / "index.html").read_text(encoding="utf-8")


def test_a_status_written_against_its_section_names_both_statuses_with_their_labels(library):
    # recognized, but a suspension written: the warning says which status the record has and which it may mean
    text = edit(good_record(HUNAN), "  status: recognized\n",
                "  status: recognized\n  suspension: {date: 2026-08-12, reason: 法人主体重组, basis: 第十四条}\n")
    library.add(HUNAN, text)
    [message] = [f.message for f in library.findings() if f.rule == "action-status-mismatch"]
    assert "写了「暂停」（suspension），但认定状态是 recognized（已认定）" in message
    assert "应为 suspended（暂停） 吗" in message
