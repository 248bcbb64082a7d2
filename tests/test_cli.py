"""The `directory validate` command as CI and staff run it: exit codes and the three formats."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import edit, good_record, line_of
from directory.cli import main

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): error\[(?P<rule>[a-z0-9-]+)\] (?P<message>.+)$")


def run(library, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=120)


def break_area(library) -> tuple[str, int]:
    text = edit(good_record("hunan-sme-hexin"), "  area_m2: 300", "  area_m2: 100")
    return library.add("hunan-sme-hexin", text), line_of(text, "area_m2: 100")


def test_a_clean_repository_exits_0(library):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    result = run(library, "validate", "--today", "2026-11-23")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "没有发现问题" in result.stderr


def test_findings_exit_1_with_one_text_line_each_citing_the_article(library):
    path, line = break_area(library)
    library.add("hubei-afxh", edit(good_record("hubei-afxh"), "council_member: true", "council_member: false"))
    result = run(library, "validate", "--today", "2026-11-23")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    first = LINE.match(next(l for l in lines if l.startswith(path)))
    assert (first["path"], int(first["line"]), first["rule"]) == (path, line, "premises-area")
    assert first["message"].endswith("（依据：湖南核心服务机构认定管理办法 第七条（三））")
    assert "100" in first["message"] and "150" in first["message"]


def test_json_format_is_a_list_of_findings(library):
    path, line = break_area(library)
    result = run(library, "validate", "--format", "json", "--today", "2026-11-23")
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)
    assert finding["path"] == path and finding["line"] == line and finding["rule"] == "premises-area"
    assert finding["json_path"] == "$.facts.area_m2" and "第七条（三）" in finding["basis"]


def test_github_format_emits_error_annotations(library):
    path, line = break_area(library)
    result = run(library, "validate", "--format", "github", "--today", "2026-11-23")
    assert result.returncode == 1
    assert result.stdout.startswith(f"::error file={path},line={line},col=12,title=premises-area::")
    assert "第七条（三）" in result.stdout


def test_paths_limit_the_report_to_those_files(library):
    break_area(library)
    other = library.add("hubei-afxh", edit(good_record("hubei-afxh"), "council_member: true", "council_member: false"))
    result = run(library, "validate", other, "--format", "json", "--today", "2026-11-23")
    assert [f["path"] for f in json.loads(result.stdout)] == [other]


def test_an_unknown_option_exits_2(library):
    assert run(library, "validate", "--format", "xml").returncode == 2


def test_running_outside_a_library_exits_2_with_a_hint(tmp_path):
    result = subprocess.run([sys.executable, "-m", "directory", "validate"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "schemes/" in result.stderr


def test_root_option_checks_another_directory(library, tmp_path_factory):
    break_area(library)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = subprocess.run([sys.executable, "-m", "directory", "--root", str(library.root), "validate"],
                            cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "premises-area" in result.stdout


def test_a_broken_scheme_file_is_a_finding_not_a_traceback(library):
    (library.root / "schemes" / "hunan-sme-hexin" / "provider.schema.json").write_text("{not json", encoding="utf-8")
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    result = run(library, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "schema-file" in result.stdout


def test_workdays_counts_the_start_as_day_one_across_national_day(library):
    result = run(library, "workdays", "2025-09-26", "7")
    assert (result.returncode, result.stdout.strip()) == (0, "2025-10-11")


def test_workdays_refuses_a_year_without_a_schedule(library):
    result = run(library, "workdays", "2028-01-03", "5")
    assert result.returncode == 2 and "2028 年节假日安排尚未收录" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["workdays", "2025-09-26", "0"], "工作日数应为 1 至 10000 的整数：0"),
    (["workdays", "2025-09-26", "--", "-5"], "工作日数应为 1 至 10000 的整数：-5"),
    (["workdays", "2025-09-26", "9" * 5000], "工作日数应为 1 至 10000 的整数：99999999999999999999"),
    (["validate", "--today", "9999-12-31"], "日期应在 1900-01-01 至 2099-12-31 之间：9999-12-31"),
    (["report", "--today", "0001-01-01"], "日期应在 1900-01-01 至 2099-12-31 之间：0001-01-01"),
], ids=["a count of 0", "a negative count", "a count of 5,000 digits", "a day in 9999", "a day in year 1"])
def test_an_argument_out_of_range_is_a_usage_error_in_chinese(library, capsys, args, message):
    with pytest.raises(SystemExit) as stopped:
        main(["--root", str(library.root), *args])
    assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_a_root_that_is_a_looping_symlink_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert main(["--root", str(tmp_path / "loop"), "validate"]) == 2
    err = capsys.readouterr().err
    assert "无法打开" in err and "Traceback" not in err
