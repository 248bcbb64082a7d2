"""`directory diff`: a pull request's effect on the public catalogue, run on a git repository made
from the sample library (committed on main, changed on a branch)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, edit
from directory.cli import main

TODAY = "2026-12-02"
ZHIYUAN = "providers/hunan-sme-hexin/cs-zhiyuan.yaml"
XINRONG = "providers/hebei-sme-youzhi/bd-xinrong.yaml"
ZHIYUAN_LABEL = "「长沙智远企业管理咨询有限公司」（hunan-sme-hexin/cs-zhiyuan）"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), "-c", "user.name=测试", "-c", "user.email=test@example.cn",
                             "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True)
    return result.stdout


def copy_library(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("schemes", "providers"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """The sample library committed on main, with the branch `change` checked out."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = copy_library(tmp_path / "library")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "sample")
    git(root, "checkout", "-q", "-b", "change")
    return root


def change(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    file.write_text(edit(file.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def command(root: Path, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *argv, "--today", TODAY])
    out, err = capsys.readouterr()
    return code, out, err


def diff(root: Path, capsys, *options: str) -> tuple[int, str, str]:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "change")
    return command(root, capsys, "diff", *options)


def changed_section(out: str, heading: str) -> list[str]:
    """The lines under `heading` (up to the next blank line)."""
    lines = out.splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith(heading))
    return lines[start + 1: lines.index("", start) if "" in lines[start:] else None]


# (record command, the line the reviewer reads)
EVENTS = [
    (["suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-08-12", "--reason", "法人主体重组", "--basis", "第十四条"],
     f"  {ZHIYUAN_LABEL}：暂停：自 2026-08-12 起，原因：法人主体重组，依据：第十四条；状态：有效 → 暂停"),
    (["revoke", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-11-01", "--reason", "弄虚作假", "--basis", "第十九条（二）"],
     f"  {ZHIYUAN_LABEL}：已撤销：自 2026-11-01 起，原因：弄虚作假，依据：第十九条（二），2029-11-01 起方可再申报；"
     "状态：有效 → 已撤销"),
    (["withdraw", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-11-20", "--reason", "经营调整"],
     f"  {ZHIYUAN_LABEL}：自愿退出：自 2026-11-20 起，原因：经营调整；状态：有效 → 自愿退出"),
    (["publicize", "hunan-sme-hexin/hh-wuxi-shichang", "--scheme", "hunan-sme-hexin", "--batch", "2026-9",
      "--start", "2026-11-30"],
     "  「怀化五溪市场开拓服务有限公司」（hunan-sme-hexin/hh-wuxi-shichang）：进入公示：2026-11-30 至 2026-12-08；"
     "状态：审核中 → 公示中"),
    (["extend", "hebei-sme-youzhi/sjz-yunshu", "--date", "2026-11-01", "--basis", "第十二条"],
     "  「石家庄云枢数字科技有限公司」（hebei-sme-youzhi/sjz-yunshu）：有效期至：2026-12-19 → 2029-12-19；"
     "状态：即将到期 → 有效"),
]


@pytest.mark.parametrize("argv, line", EVENTS, ids=[argv[0] for argv, _ in EVENTS])
def test_a_record_command_reads_as_the_status_change_with_its_date(repo, capsys, argv, line):
    assert command(repo, capsys, *argv)[0] == 0
    code, out, err = diff(repo, capsys)
    assert code == 0, err
    assert out.startswith(f"与 main（{git(repo, 'rev-parse', 'main')[:10]}）相比，按 {TODAY} 判断：")
    assert line in out.splitlines()


def test_a_batch_decided_after_its_publicity_reads_as_recognised(repo, capsys):
    git(repo, "checkout", "-q", "main")
    command(repo, capsys, "publicize", "hunan-sme-hexin/hh-wuxi-shichang", "--scheme", "hunan-sme-hexin",
            "--batch", "2026-9", "--start", "2026-11-10")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "publicity")
    git(repo, "checkout", "-q", "-b", "decision")
    assert command(repo, capsys, "decide", "--scheme", "hunan-sme-hexin", "--batch", "2026-9", "--date", "2026-11-25",
                   "--doc-no", "湘工信〔2026〕9号")[0] == 0
    out = diff(repo, capsys)[1]
    assert ("  「怀化五溪市场开拓服务有限公司」（hunan-sme-hexin/hh-wuxi-shichang）：认定：有效期至 2029-11-24；"
            "状态：审核中 → 有效") in out.splitlines()
    assert "    认定文号：（无） → 湘工信〔2026〕9号" in out.splitlines()


def test_a_rejected_application_leaves_the_site(repo, capsys):
    git(repo, "checkout", "-q", "main")
    command(repo, capsys, "publicize", "hunan-sme-hexin/hh-wuxi-shichang", "--scheme", "hunan-sme-hexin",
            "--batch", "2026-9", "--start", "2026-11-27")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "publicity")
    git(repo, "checkout", "-q", "-b", "rejection")
    change(repo, "providers/hunan-sme-hexin/hh-wuxi-shichang.yaml", "status: publicity", "status: rejected")
    out = diff(repo, capsys)[1]
    assert "  「怀化五溪市场开拓服务有限公司」（hunan-sme-hexin/hh-wuxi-shichang）：未通过认定：网站上不再显示" in out.splitlines()


def test_a_record_that_no_longer_reads_is_said_to_be_unreadable_not_deleted(repo, capsys):
    (repo / ZHIYUAN).write_bytes(b"\xff\xfe")
    out = diff(repo, capsys)[1]
    assert f"  {ZHIYUAN_LABEL}：记录文件无法读取（见下面的问题）：网站上不再显示" in out.splitlines()
    assert f"  {ZHIYUAN}:1:1: error[yaml-encoding] 文件不是 UTF-8 编码：请用 UTF-8 重新保存" in out.splitlines()


def test_an_unquoted_code_that_reads_the_same_is_flagged_as_written_differently(repo, capsys):
    change(repo, ZHIYUAN, 'region: "430102"', "region: 430102")
    out = diff(repo, capsys)[1]
    assert "    行政区划代码：430102 → 430102（写法改变）" in out.splitlines()


def test_a_new_publicity_batch_is_announced_with_its_dates_and_objection_contact(repo, capsys):
    command(repo, capsys, "publicize", "hunan-sme-hexin/hh-wuxi-shichang", "--scheme", "hunan-sme-hexin",
            "--batch", "2026-9", "--start", "2026-11-30")
    out = diff(repo, capsys)[1]
    assert changed_section(out, "公示公告（1 条）") == [
        "  「2026 年度湖南省中小微企业核心服务机构拟认定名单」（hunan-sme-hexin/2026-9）：新的公示：2026-11-30 至 "
        "2026-12-08，1 条，异议受理：省工信厅中小企业服务处 0731-88888888"]


@pytest.mark.parametrize("old, new, line", [
    ("专注中小企业数字化转型咨询。", "专注数字化转型。",
     "    机构简介：长沙智远成立于 2018 年，专注中小企业数字化转型咨询。 → 长沙智远成立于 2018 年，专注数字化转型。"),
    ('phone: "0731-88886666"', 'phone: "0731-88880000"', "    对外服务联系方式 · 服务电话：0731-88886666 → 0731-88880000"),
    ("categories: [数字化转型]", "categories: [融资服务]", "    主要服务项目：数字化转型 → 融资服务"),
])
def test_a_published_field_shows_its_chinese_title_and_old_and_new_value(repo, capsys, old, new, line):
    change(repo, ZHIYUAN, old, new)
    code, out, _ = diff(repo, capsys)
    assert code == 0
    assert changed_section(out, "公开名录的记录（1 条）") == [f"  {ZHIYUAN_LABEL}：", line]


@pytest.mark.parametrize("output", ["text", "markdown"])
def test_a_private_field_is_named_but_its_values_never_shown(repo, capsys, output):
    change(repo, ZHIYUAN, 'mobile: "13800000000"', 'mobile: "13912345678"')
    change(repo, ZHIYUAN, "area_m2: 300", "area_m2: 4321")
    code, out, _ = diff(repo, capsys, "--format", output)
    assert code == 0
    assert "个人信息（不公开）已修改（内容不显示）" in out
    assert "申报数据（不公开）已修改（内容不显示）" in out
    for value in ("13800000000", "13912345678", "4321", "李某"):
        assert value not in out


def test_a_grade_is_named_as_not_published(repo, capsys):
    assert command(repo, capsys, "grade", "hebei-sme-youzhi/bd-xinrong", "--year", "2025", "--grade", "A")[0] == 0
    out = diff(repo, capsys)[1]
    assert "    认定信息 · 年度绩效评价（不公开）已修改（内容不显示）" in out.splitlines()


def test_a_new_finding_appears_with_its_file_line_and_rule(repo, capsys):
    change(repo, XINRONG, 'region: "130606"', 'region: "999999"')
    code, out, _ = diff(repo, capsys)
    assert code == 0   # it describes, it does not judge: validate fails the pull request
    found = changed_section(out, "新出现的问题（2 个）")
    assert [line.split()[1] for line in found] == ["error[region-code]", "error[region-outside-scheme]"]
    assert found[1].startswith(f"  {XINRONG}:8:9: error[region-outside-scheme] 行政区划代码「999999」不在河北省")
    assert "已解决的问题" not in out


def test_a_fixed_finding_is_listed_as_solved_and_no_longer_as_a_problem(repo, capsys):
    git(repo, "checkout", "-q", "main")
    change(repo, XINRONG, 'region: "130606"', 'region: "999999"')
    git(repo, "commit", "-q", "-am", "a mistake on main")
    git(repo, "checkout", "-q", "-b", "fix")
    change(repo, XINRONG, 'region: "999999"', 'region: "130606"')
    out = diff(repo, capsys)[1]
    solved = changed_section(out, "已解决的问题（2 个）")
    assert solved[0].startswith(f"  {XINRONG}:8:9: error[region-code] 行政区划代码「999999」不存在")
    assert "新出现的问题" not in out
    assert "    行政区划代码：999999 → 130606" in out.splitlines()


def test_changes_made_on_main_since_the_branch_started_are_not_the_branchs(repo, capsys):
    change(repo, ZHIYUAN, "专注中小企业数字化转型咨询。", "专注数字化转型。")
    git(repo, "commit", "-q", "-am", "on the branch")
    git(repo, "checkout", "-q", "main")
    change(repo, XINRONG, 'region: "130606"', 'region: "130602"')
    git(repo, "commit", "-q", "-am", "on main, later")
    git(repo, "checkout", "-q", "change")
    out = command(repo, capsys, "diff", "--base", "main")[1]
    assert "机构简介" in out and "bd-xinrong" not in out


def test_added_and_removed_files_are_named(repo, capsys):
    (repo / ZHIYUAN).unlink()
    assert main(["--root", str(repo), "new", "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new"]) == 0
    out = diff(repo, capsys)[1]
    assert f"  {ZHIYUAN_LABEL}：记录文件已删除：网站上不再显示" in out.splitlines()
    assert "  「cs-new」（hunan-sme-hexin/cs-new）：新申请（审核中，不在网站上）" in out.splitlines()


def test_an_edited_scheme_file_is_listed(repo, capsys):
    path = repo / "schemes/hunan-sme-hexin/scheme.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")
    out = diff(repo, capsys)[1]
    assert changed_section(out, "规则文件") == ["  schemes/hunan-sme-hexin/scheme.yaml（已修改）"]


def test_no_change_says_so(repo, capsys):
    code, out, _ = diff(repo, capsys)
    assert code == 0
    assert out.rstrip("\n").endswith("这次修改对公开名录没有影响，校验结果也没有变化。")


def test_markdown_goes_to_the_job_summary_after_what_is_there(repo, capsys, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("# 校验记录\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    command(repo, capsys, "suspend", "hunan-sme-hexin/cs-zhiyuan", "--date", "2026-08-12", "--reason", "法人主体重组")
    code, out, _ = diff(repo, capsys, "--format", "markdown")
    assert code == 0
    assert summary.read_text(encoding="utf-8") == "# 校验记录\n" + out
    assert f"- **{ZHIYUAN_LABEL}**：暂停：自 2026-08-12 起，原因：法人主体重组；状态：有效 → 暂停" in out.splitlines()


def test_text_output_leaves_the_job_summary_alone(repo, capsys, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert diff(repo, capsys)[0] == 0
    assert not summary.exists()


def test_markdown_escapes_what_a_record_says(repo, capsys):
    change(repo, ZHIYUAN, "专注中小企业数字化转型咨询。", "<script>x</script> [点我](http://x.example) **粗**")
    out = diff(repo, capsys, "--format", "markdown")[1]
    assert "&lt;script&gt;x&lt;/script&gt; \\[点我\\](http://x.example) \\*\\*粗\\*\\*" in out
    assert "<script>" not in out


def test_a_library_in_a_sub_folder_of_the_repository_is_compared_there(tmp_path, capsys):
    top = tmp_path / "top"
    root = copy_library(top / "library")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "sample")
    git(top, "checkout", "-q", "-b", "change")
    change(root, ZHIYUAN, "专注中小企业数字化转型咨询。", "专注数字化转型。")
    code, out, err = diff(root, capsys)
    assert code == 0, err
    assert changed_section(out, "公开名录的记录（1 条）")[0] == f"  {ZHIYUAN_LABEL}："


def test_a_library_new_since_the_base_lists_every_record_as_added_and_nothing_as_fixed(tmp_path, capsys):
    root = tmp_path / "library"
    root.mkdir()
    (root / "README.md").write_text("名录\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "empty")
    git(root, "checkout", "-q", "-b", "library")
    copy_library(root)
    out = diff(root, capsys)[1]
    assert f"  {ZHIYUAN_LABEL}：新增记录，认定：有效期至 2028-10-19；状态：不在网站上 → 有效" in out.splitlines()
    assert "已解决的问题" not in out


@pytest.mark.parametrize("setup, options, message", [
    ("none", [], "不在 git 仓库中：directory diff 要与 git 中的较早版本比较"),
    ("trunk", [], "找不到主分支（main、origin/main、master）：请用 --base 指定要比较的版本"),
    ("main", ["--base", "origin/nope"], "找不到要比较的版本「origin/nope」：请检查分支名或提交号"),
    ("empty", [], "这个 git 仓库还没有任何提交：没有可比较的版本"),
], ids=["not-a-git-repository", "no-main-branch", "unknown-base", "no-commit-yet"])
def test_without_a_base_to_compare_with_it_says_why_in_chinese_and_exits_2(tmp_path, capsys, setup, options, message):
    root = copy_library(tmp_path / "library")
    if setup != "none":
        git(root, "init", "-q", "-b", "main" if setup != "trunk" else "trunk")
    if setup in ("trunk", "main"):
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "sample")
    code, out, err = command(root, capsys, "diff", *options)
    assert code == 2
    assert out == ""
    assert err.startswith("directory：") and message in err and "Traceback" not in err
