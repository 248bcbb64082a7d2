"""YAML pitfalls are named in plain Chinese, at the right line, and never crash the run."""
from __future__ import annotations

from conftest import edit, good_record, line_of


def test_a_duplicate_key_is_reported_at_its_second_occurrence(library):
    text = edit(good_record("hunan-sme-hexin"), "  area_m2: 300\n", "  area_m2: 300\n  area_m2: 200\n")
    path = library.add("hunan-sme-hexin", text)
    [finding] = [f for f in library.errors() if f.rule == "yaml-duplicate-key"]
    assert (finding.path, finding.line) == (path, line_of(text, "area_m2: 200"))
    assert "area_m2" in finding.message and "重复" in finding.message


def test_a_tab_in_the_indentation_is_named(library):
    text = edit(good_record("hunan-sme-hexin"), "  area_m2: 300", "\tarea_m2: 300")
    path = library.add("hunan-sme-hexin", text)
    found = [(f.path, f.line, f.rule) for f in library.errors()]
    assert (path, line_of(text, "\tarea_m2"), "yaml-tab") in found
    assert all(rule != "yaml-syntax" for _, _, rule in found)


def test_a_file_saved_as_gbk_is_named_as_not_utf8(library):
    text = good_record("hunan-sme-hexin")
    path = library.write("providers/hunan-sme-hexin/cs-zhiyuan.yaml", text.encode("gb18030"))
    [finding] = library.errors()
    assert (finding.path, finding.rule, finding.line) == (path, "yaml-encoding", line_of(text, "长沙智远企业"))
    assert "UTF-8" in finding.message and "GBK" in finding.message


def test_a_utf8_file_with_a_byte_order_mark_is_accepted(library):
    library.write("providers/hunan-sme-hexin/cs-zhiyuan.yaml", "\ufeff" + good_record("hunan-sme-hexin"))
    assert library.errors() == []


def test_a_syntax_error_is_a_finding_and_other_files_are_still_checked(library):
    broken = edit(good_record("hunan-sme-hexin"), "name: 长沙智远企业管理咨询有限公司", "name: 长沙: 智远")
    library.add("hunan-sme-hexin", broken)
    other = edit(good_record("hebei-sme-youzhi"), "  area_m2: 400", "  area_m2: 1")
    library.add("hebei-sme-youzhi", other)
    rules = {(f.path.split("/")[1], f.rule, f.line) for f in library.errors()}
    assert ("hunan-sme-hexin", "yaml-syntax", line_of(broken, "长沙: 智远")) in rules
    assert ("hebei-sme-youzhi", "premises-area", line_of(other, "area_m2: 1")) in rules


def test_an_empty_file_and_a_list_are_findings_not_crashes(library):
    library.write("providers/hunan-sme-hexin/empty.yaml", "")
    library.write("providers/hunan-sme-hexin/listing.yaml", "- a\n- b\n")
    assert sorted(f.rule for f in library.errors()) == ["yaml-empty", "yaml-not-mapping"]


def test_a_value_with_a_leading_zero_read_as_a_number_says_the_zero_is_lost(library):
    text = edit(good_record("jilin-city-sme"), 'postal_code: "132002"', "postal_code: 0132002")
    library.add("jilin-city-sme", text)
    [finding] = library.errors()
    assert finding.rule == "yaml-unquoted-number"
    assert '"0132002"' in finding.message and "开头的 0 会丢失" in finding.message


def test_a_yes_read_as_a_boolean_is_named(library):
    text = edit(good_record("hunan-sme-hexin"), "legal_representative: 张某", "legal_representative: yes")
    library.add("hunan-sme-hexin", text)
    [finding] = library.errors()
    assert finding.rule == "yaml-unquoted-boolean"


def test_a_file_in_an_unknown_scheme_folder_is_reported(library):
    library.write("providers/hunan-typo/a.yaml", good_record("hunan-sme-hexin"))
    [finding] = library.errors()
    assert finding.rule == "unknown-scheme" and "hunan-sme-hexin" in finding.message
