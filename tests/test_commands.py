"""The commands that change records (directory suspend, revoke, received, publicize, decide …),
run on a copy of the sample library: what each changes, what it refuses, and what it leaves alone."""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import REPO, edit
from directory.cli import main
from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.site.catalogue import build_catalogue

TODAY = "2026-12-02"   # the day the library is validated on (commands judge their rules on --date)
ZHIYUAN = "providers/hunan-sme-hexin/cs-zhiyuan.yaml"
XINRONG = "providers/hebei-sme-youzhi/bd-xinrong.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The sample library, with comments and blank lines added to one record (as staff write them)."""
    for name in ("schemes", "providers"):
        shutil.copytree(REPO / name, tmp_path / name)
    path = tmp_path / ZHIYUAN
    text = edit(path.read_text(encoding="utf-8"), "recognition:\n", "\n# 认定信息\nrecognition:\n")
    text = edit(text, "  status: recognized\n", "  status: recognized   # 由 directory 命令维护\n\n# 每月报送\n")
    path.write_text(text, encoding="utf-8")
    return tmp_path


def run(root: Path, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *argv, *(("--today", TODAY) if argv[0] != "validate" else ())])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for folder in ("schemes", "providers") for path in sorted((root / folder).rglob("*.yaml"))}


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a diff shows as removed (-) or added (+), sorted: which lines, not how a diff pairs them."""
    return sorted(line.rstrip("\n") for line in difflib.ndiff(before.splitlines(True), after.splitlines(True))
                  if line[:2] in ("- ", "+ "))


# (command line, file, lines removed and added, words of the outcome line)
CHANGES = [
    (["suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-08-12", "--reason", "法人主体重组", "--basis", "第十四条"],
     ZHIYUAN,
     ["-   status: recognized   # 由 directory 命令维护",
      "+   status: suspended    # 由 directory 命令维护",
      "+   suspension: {date: 2026-08-12, reason: 法人主体重组, basis: 第十四条}"],
     "已暂停「长沙智远企业管理咨询有限公司」的认定：自 2026-08-12 起显示“暂停”（有效期仍至 2028-10-19）；"
     "应于 2026-11-12 前向原推荐单位报告更名、重组等调整情况"),
    (["reinstate", "providers/hunan-sme-hexin/hy-xinghan.yaml", "--date", "2026-11-30", "--reason", "审查合格"],
     "providers/hunan-sme-hexin/hy-xinghan.yaml",
     ["-   status: suspended", "+   status: recognized",
      "+   # 2026-08-12 起暂停，第十四条，法人主体与湖南某知识产权服务集团实施重组，已按期向原推荐单位报告，待纳入年度评审；2026-11-30 恢复：审查合格",
      "-   suspension:", "-     date: 2026-08-12",
      "-     reason: 法人主体与湖南某知识产权服务集团实施重组，已按期向原推荐单位报告，待纳入年度评审",
      "-     basis: 第十四条"],
     "已恢复「衡阳星瀚知识产权代理有限公司」的认定：自 2026-11-30 起显示“有效”"),
    (["revoke", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-10-01", "--reason", "以弄虚作假方式获得称号", "--basis", "第十九条（一）"],
     ZHIYUAN,
     ["-   status: recognized   # 由 directory 命令维护",
      "+   status: revoked      # 由 directory 命令维护",
      "+   revocation: {date: 2026-10-01, reason: 以弄虚作假方式获得称号, basis: 第十九条（一）}"],
     "自 2026-10-01 起显示“已撤销”并列入撤销公告；2029-09-30（含）前不得再次申报，2029-10-01 起可再申报"),
    (["withdraw", "hubei-afxh/wh-anxin-caishui", "--date", "2026-10-01", "--reason", "经营方向调整"],
     "providers/hubei-afxh/wh-anxin-caishui.yaml",
     ["-   status: recognized", "+   status: withdrawn", "+   withdrawal: {date: 2026-10-01, reason: 经营方向调整}"],
     "已登记「武汉安信财税咨询有限公司」自愿退出：自 2026-10-01 起显示“自愿退出”"),
    (["received", "hunan-sme-hexin/cs-zhiyuan", "--period", "2026-11", "--date", "2026-12-08"],
     ZHIYUAN,
     ["+   - {period: 2026-11, submitted: 2026-12-08}"],
     "已登记「长沙智远企业管理咨询有限公司」2026-11 的报送（2026-12-08）：下一期 2026-12 应于 2027-01-10 前报送"),
    (["received", "hebei-sme-youzhi/bd-xinrong", "--period", "2026-Q4", "--date", "2026-12-20"],
     XINRONG,
     ["+   - {period: 2026-Q4, submitted: 2026-12-20}"],
     "2026-Q4 的报送（2026-12-20）（逾期补报：截止 2026-12-15，仍计为缺报）：下一期 2027-Q1 应于 2027-03-15 前报送"),
    (["grade", "hebei-sme-youzhi/bd-xinrong", "--year", "2026", "--grade", "A"],
     XINRONG,
     ["-   grades: {2025: B}", "+   grades: {2025: B, 2026: A}"],
     "已登记「保定信融企业服务有限公司」2026 年度绩效评价为 A"),
    (["extend", "hebei-sme-youzhi/bd-xinrong", "--date", "2026-10-01", "--basis", "第十二条", "--doc-no", "冀工信〔2026〕9号"],
     XINRONG,
     ["+   extensions:", "+     - {date: 2026-10-01, doc_no: 冀工信〔2026〕9号}"],
     "有效期延长 3 年，有效期由 2027-12-24 届满改为至 2030-12-24"),
    (["extend", "jilin-city-sme/experts/li-yanqiu", "--date", "2027-01-10", "--basis", "第十条（三）"],
     "providers/jilin-city-sme/experts/li-yanqiu.yaml",
     ["- term: {start: 2025-01-10}", "+ term: {start: 2027-01-10}"],
     "新的聘任期自 2027-01-10 起，有效期由 2027-01-09 届满改为至 2029-01-09"),
    (["publicize", "--scheme", "hunan-sme-hexin", "--batch", "2026-2", "--start", "2026-12-01", "hunan-sme-hexin/hh-wuxi-shichang"],
     "providers/hunan-sme-hexin/hh-wuxi-shichang.yaml",
     ["+ recognition:", "+   batch: 2026-2", "+   status: publicity"],
     "1 家列入公示：2026-12-01 起 7 个工作日，至 2026-12-09 止；期满无异议后运行 directory decide"),
    (["decide", "--scheme", "hunan-sme-hexin", "--batch", "2026-1", "--date", "2026-12-01", "--doc-no", "湘工信中小服务〔2026〕8号",
      "--certificate-prefix", "湘核心〔2026〕", "--reject", "hunan-sme-hexin/cd-pinchuang", "--reason", "现场核查场地不符"],
     "providers/hunan-sme-hexin/cs-lushan-chuangye.yaml",
     ["+   certificate_no: 湘核心〔2026〕001", "-   status: publicity", "+   status: recognized"],
     "批次 2026-1 已认定（湘工信中小服务〔2026〕8号，2026-12-01）：1 家，有效期至 2029-11-30，"
     "证书编号 湘核心〔2026〕001 至 湘核心〔2026〕001；1 家未通过（保留记录，不公开）"),
]


@pytest.mark.parametrize("argv, path, lines, message", CHANGES, ids=[" ".join(c[0][:2]) for c in CHANGES])
def test_each_command_changes_only_its_lines_says_what_follows_and_the_library_stays_valid(root, capsys, argv, path, lines, message):
    before = (root / path).read_text(encoding="utf-8")
    code, out, err = run(root, capsys, *argv)
    assert code == 0, out + err
    assert changed_lines(before, (root / path).read_text(encoding="utf-8")) == sorted(lines)
    assert message in err and len(err.strip().splitlines()) == 1
    assert run(root, capsys, "validate", "--today", TODAY)[0] == 0


def test_comments_and_blank_lines_survive_a_sequence_of_commands(root, capsys):
    before = (root / ZHIYUAN).read_text(encoding="utf-8")
    for argv in (["suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-08-12", "--reason", "重组", "--basis", "第十四条"],
                 ["reinstate", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-09-01"],
                 ["received", "hunan-sme-hexin/cs-zhiyuan", "--period", "2026-11", "--date", "2026-12-08"],
                 ["revoke", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-12-10", "--reason", "弄虚作假", "--basis", "第十九条（一）"]):
        assert run(root, capsys, *argv)[0] == 0
    after = (root / ZHIYUAN).read_text(encoding="utf-8")
    assert changed_lines(before, after) == sorted([
        "-   status: recognized   # 由 directory 命令维护",
        "+   status: revoked      # 由 directory 命令维护",
        "+   revocation: {date: 2026-12-10, reason: 弄虚作假, basis: 第十九条（一）}",
        "+   # 2026-08-12 起暂停，第十四条，重组；2026-09-01 恢复",
        "+   - {period: 2026-11, submitted: 2026-12-08}"])
    # the blank line and the comment above `reports` are still right above it
    assert "\n\n# 每月报送\nreports:\n" in after and "\n\n# 认定信息\nrecognition:\n" in after
    assert run(root, capsys, "validate", "--today", TODAY)[0] == 0


def test_dry_run_prints_the_diff_and_writes_nothing(root, capsys):
    files = snapshot(root)
    code, out, err = run(root, capsys, "withdraw", "hubei-afxh/wh-anxin-caishui", "--date", "2026-10-01", "--dry-run")
    assert code == 0
    assert out.startswith("--- a/providers/hubei-afxh/wh-anxin-caishui.yaml\n+++ b/providers/hubei-afxh/wh-anxin-caishui.yaml\n")
    assert "\n-  status: recognized\n+  status: withdrawn\n+  withdrawal: {date: 2026-10-01}\n" in out
    assert err.startswith("试运行，未写入：已登记「武汉安信财税咨询有限公司」自愿退出")
    assert snapshot(root) == files


def test_a_dry_run_of_publicize_shows_the_new_batch_file(root, capsys):
    code, out, _ = run(root, capsys, "publicize", "--scheme", "hubei-afxh", "--batch", "2026-2", "--start", "2026-12-01",
                       "--working-days", "5", "hubei-afxh/xg-huizhan", "--dry-run")
    assert code == 0
    assert "--- /dev/null\n+++ b/schemes/hubei-afxh/batches/2026-2.yaml\n" in out
    assert "+title: 湖北省安全技术防范行业协会服务机构库 2026 年拟入库名单\n" in out and "+  working_days: 5\n" in out
    assert not (root / "schemes/hubei-afxh/batches/2026-2.yaml").exists()


# (command line, words of the refusal, the article cited)
REFUSALS = [
    (["revoke", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-10-01", "--reason", "x", "--basis", "第五条"],
     "撤销依据「第五条」不是本名录规定可撤销认定的条款：可用 第十七条、第十九条、第十八条", "湖南核心服务机构认定管理办法"),
    (["revoke", "jilin-city-sme/experts/chen-jianjun", "--date", "2026-10-01", "--reason", "x", "--basis", "第十一条（三）"],
     "「陈建军」在 2026-10-01 的状态是“自愿退出”：只有有效期内（或暂停中）的认定才能撤销", ""),
    (["decide", "--scheme", "hunan-sme-hexin", "--batch", "2026-1", "--date", "2026-11-27", "--doc-no", "X"],
     "批次 2026-1 的公示至 2026-11-27 止：认定日期须在公示期满之后", "湖南核心服务机构认定管理办法 第九条（四）"),
    (["decide", "--scheme", "hunan-sme-hexin", "--batch", "2025-1", "--date", "2026-11-27", "--doc-no", "X"],
     "批次 2025-1 已于 2025-10-20 发文认定", ""),
    (["received", "hebei-sme-youzhi/bd-xinrong", "--period", "2027-Q1", "--date", "2026-12-20"],
     "2027-Q1 的报送期尚未开始：自 2027-03-01 起报送，截止 2027-03-15", "河北优质服务机构培育管理指南 第十三条"),
    (["received", "hebei-sme-youzhi/bd-xinrong", "--period", "2026-11", "--date", "2026-12-20"],
     "报送周期「2026-11」写法不对：本名录写作 YYYY-QN", "第十三条"),
    (["received", "hunan-sme-hexin/cs-zhiyuan", "--period", "2026-10", "--date", "2026-11-20"],
     "2026-10 报送已于 2026-11-06 登记", ""),
    (["received", "hunan-sme-hexin/cs-zhiyuan", "--period", "2025-09", "--date", "2025-10-25"],
     "2025-09 不在「长沙智远企业管理咨询有限公司」应报送的周期内：认定自 2025-10-20 起，首期为 2025-11", "第十七条"),
    (["received", "hubei-afxh/wh-anxin-caishui", "--period", "2026-11", "--date", "2026-12-08"],
     "办法没有定期报送的规定", ""),
    (["grade", "hebei-sme-youzhi/bd-xinrong", "--year", "2025", "--grade", "D"],
     "等级「D」不在可选范围内：A、B、C", "河北优质服务机构培育管理指南 第十七条"),
    (["grade", "hebei-sme-youzhi/bd-xinrong", "--year", "2023", "--grade", "A"],
     "2023 年不在「保定信融企业服务有限公司」的认定有效期内（2024-12-25 至 2027-12-24）", "第十七条"),
    (["grade", "hubei-afxh/wh-anxin-caishui", "--year", "2025", "--grade", "A"], "办法没有年度绩效评价等级", ""),
    (["suspend", "hunan-sme-hexin/hh-wuxi-shichang", "--date", "2026-10-01", "--reason", "x"],
     "状态是“审核中”：只有有效期内的认定才能暂停", ""),
    (["suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-10-01", "--reason", "x", "--basis", "第十条"],
     "暂停依据「第十条」不是本名录规定暂停的条款：可用 第十八条、第十四条", "湖南核心服务机构认定管理办法"),
    (["reinstate", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-10-01"], "没有被暂停（状态：有效）：无需恢复", ""),
    (["reinstate", "hunan-sme-hexin/hy-xinghan", "--date", "2026-08-01"], "恢复日期 2026-08-01 早于暂停日期 2026-08-12", ""),
    (["withdraw", "hunan-sme-hexin/hh-wuxi-shichang", "--date", "2026-10-01"], "状态是“审核中”", ""),
    (["extend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-10-01", "--basis", "第十一条"],
     "本名录的办法没有延长有效期的规定：期满须重新申报", "湖南核心服务机构认定管理办法 第十一条"),
    (["extend", "hebei-sme-youzhi/bd-xinrong", "--date", "2026-10-01", "--basis", "第十三条"],
     "延期依据「第十三条」不对：本名录延长有效期的条款是 第十二条", "河北优质服务机构培育管理指南"),
    (["extend", "jilin-city-sme/experts/li-yanqiu", "--date", "2024-01-10", "--basis", "第十条（三）"],
     "状态是“审核中”", ""),
    (["publicize", "--scheme", "jilin-city-sme", "--batch", "2026-1", "--start", "2026-12-01", "jilin-city-sme/jl-jiaohe-jineng"],
     "办法不设公示", ""),
    (["publicize", "--scheme", "hubei-afxh", "--batch", "2026-2", "--start", "2026-12-01", "hubei-afxh/xg-huizhan"],
     "本名录的办法未规定公示天数：请用 --working-days 写明", "湖北安防协会服务机构库管理办法 第八条"),
    (["publicize", "--scheme", "hunan-sme-hexin", "--batch", "2026-2", "--start", "2026-12-01", "hunan-sme-hexin/cs-zhiyuan"],
     "「长沙智远企业管理咨询有限公司」已有认定（批次 2025-1，状态：有效）", ""),
    (["publicize", "--scheme", "hunan-sme-hexin", "--batch", "2026-1", "--start", "2026-12-01", "hunan-sme-hexin/hh-wuxi-shichang"],
     "批次 2026-1 已存在", ""),
    (["publicize", "--scheme", "hunan-sme-hexin", "--batch", "2026-2", "--start", "2026-12-01", "--working-days", "5",
      "hunan-sme-hexin/hh-wuxi-shichang"], "本名录的办法规定公示 7 个工作日：不能改为 5 个", "第九条（四）"),
]


@pytest.mark.parametrize("argv, message, basis", REFUSALS, ids=[" ".join(r[0][:3]) for r in REFUSALS])
def test_what_the_rules_forbid_is_refused_in_chinese_with_the_article_and_nothing_is_written(root, capsys, argv, message, basis):
    files = snapshot(root)
    code, out, err = run(root, capsys, *argv)
    assert code == 1, out + err
    assert err.startswith("directory：") and message in err and basis in err and len(err.strip().splitlines()) == 1
    assert snapshot(root) == files


def test_a_change_that_would_add_an_error_prints_the_findings_and_writes_nothing(root, capsys):
    files = snapshot(root)
    code, out, err = run(root, capsys, "publicize", "--scheme", "hunan-sme-hexin", "--batch", "2026-2", "--start", "2026-12-01",
                         "--title", "X", "hunan-sme-hexin/hh-wuxi-shichang")
    assert code == 1
    assert out.startswith("schemes/hunan-sme-hexin/batches/2026-2.yaml:2:8: error[")
    assert "批次名称" in out
    assert "修改后会出现 1 个错误：没有写入任何文件" in err
    assert snapshot(root) == files


def test_a_file_whose_layout_cannot_be_kept_is_refused_not_rewritten(root, capsys):
    path = root / XINRONG
    path.write_text(path.read_text(encoding="utf-8").replace("  batch: 2024-1", "   batch: 2024-1", 1)
                    .replace("  certificate_no:", "   certificate_no:", 1).replace("  status: recognized", "   status: recognized", 1)
                    .replace("  grades:", "   grades:", 1), encoding="utf-8")
    files = snapshot(root)
    code, _, err = run(root, capsys, "withdraw", "hebei-sme-youzhi/bd-xinrong", "--date", "2026-10-01")
    assert code == 1
    assert "文件的缩进或写法无法原样保留" in err
    assert snapshot(root) == files


def test_a_rejected_application_is_kept_with_its_reason_and_never_published(root, capsys):
    code, _, _ = run(root, capsys, "decide", "--scheme", "hunan-sme-hexin", "--batch", "2026-1", "--date", "2026-12-01",
                     "--doc-no", "湘工信中小服务〔2026〕8号", "--reject", "hunan-sme-hexin/cd-pinchuang", "--reason", "现场核查场地不符")
    assert code == 0
    text = (root / "providers/hunan-sme-hexin/cd-pinchuang.yaml").read_text(encoding="utf-8")
    assert "  status: rejected\n  rejection: {date: 2026-12-01, reason: 现场核查场地不符}\n" in text
    assert "decision:\n  doc_no: 湘工信中小服务〔2026〕8号\n  date: 2026-12-01\n" in \
        (root / "schemes/hunan-sme-hexin/batches/2026-1.yaml").read_text(encoding="utf-8")
    repository = load_repository(root)
    from datetime import date
    catalogue = build_catalogue(repository, repository.compiled_schemas()[0], load_calendar(root), date(2026, 12, 2))
    published = {entry.id for entry in catalogue.entries}
    assert "cs-lushan-chuangye" in published and "cd-pinchuang" not in published
    assert run(root, capsys, "validate", "--today", TODAY)[0] == 0


def test_grades_say_what_a_run_of_them_leads_to(root, capsys):
    assert run(root, capsys, "grade", "hunan-sme-hexin/cs-zhiyuan", "--year", "2025", "--grade", "不合格")[0] == 0
    code, _, err = run(root, capsys, "grade", "hunan-sme-hexin/cs-zhiyuan", "--year", "2026", "--grade", "不合格")
    assert code == 0
    assert "2026 年度绩效评价为 不合格；连续 2 年不合格：撤销称号，3 年内不得再次申报（湖南核心服务机构认定管理办法 第十九条（二））" in err
    assert "  grades: {2025: 不合格, 2026: 不合格}\n" in (root / ZHIYUAN).read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["suspend", "hunan-sme-hexin/nobody", "--date", "2026-10-01", "--reason", "x"], "找不到记录「hunan-sme-hexin/nobody」"),
    (["decide", "--scheme", "hunan-sme-hexin", "--batch", "2026-1", "--date", "2026-12-01", "--doc-no", "X",
      "--reject", "hunan-sme-hexin/cd-pinchuang"], "每个 --reject 后要跟一个 --reason"),
    (["decide", "--scheme", "nowhere", "--batch", "2026-1", "--date", "2026-12-01", "--doc-no", "X"], "没有名录「nowhere」"),
    (["suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-13-01", "--reason", "x"], "日期应写作 YYYY-MM-DD"),
])
def test_a_record_batch_or_option_that_does_not_exist_is_a_usage_error(root, capsys, argv, message):
    with_exit = None
    try:
        code, _, err = run(root, capsys, *argv)
    except SystemExit as exit_:   # argparse: a malformed option
        with_exit = exit_.code
        code, err = with_exit, capsys.readouterr().err
    assert code == 2
    assert message in err


def test_words_yaml_would_read_as_something_else_are_quoted(root, capsys):
    code, out, err = run(root, capsys, "publicize", "--scheme", "hunan-sme-hexin", "--batch", "2027", "--start", "2026-12-01",
                         "--channel", "yes", "hunan-sme-hexin/hh-wuxi-shichang")
    assert code == 0, out + err
    batch = (root / "schemes/hunan-sme-hexin/batches/2027.yaml").read_text(encoding="utf-8")
    assert 'id: "2027"\n' in batch and '  channel: "yes"\n' in batch
    assert '  batch: "2027"\n' in (root / "providers/hunan-sme-hexin/hh-wuxi-shichang.yaml").read_text(encoding="utf-8")
    assert run(root, capsys, "validate", "--today", TODAY)[0] == 0


def test_an_expert_recruited_by_term_gets_a_recognition_section_when_suspended(root, capsys):
    path = root / "providers/jilin-city-sme/experts/liu-shuang.yaml"
    before = path.read_text(encoding="utf-8")
    assert "recognition" not in before
    code, out, err = run(root, capsys, "suspend", "jilin-city-sme/experts/liu-shuang", "--date", "2026-12-02", "--reason", "暂停服务")
    assert code == 0, out + err
    lines = changed_lines(before, path.read_text(encoding="utf-8"))
    assert lines == sorted(["+ recognition:", "+   status: suspended", "+   suspension: {date: 2026-12-02, reason: 暂停服务}"])
    assert run(root, capsys, "validate", "--today", TODAY)[0] == 0


def test_a_change_that_would_drop_a_comment_is_refused(root, capsys):
    path = root / "providers/hunan-sme-hexin/hy-xinghan.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8"), "    date: 2026-08-12\n", "    date: 2026-08-12\n    # 待纳入年度评审\n"),
                    encoding="utf-8")
    files = snapshot(root)
    code, _, err = run(root, capsys, "reinstate", "hunan-sme-hexin/hy-xinghan", "--date", "2026-11-30")
    assert code == 1
    assert "修改后会丢失或移动文件中的注释或空行：请手工修改" in err
    assert snapshot(root) == files
