"""`directory --help` and usage errors are Chinese: argparse's own words too, and every option explained."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from conftest import REPO
from directory.cli import build_parser, main

PARSER = build_parser()
COMMANDS = next(action for action in PARSER._actions if action.dest == "command").choices
SCHEME_IDS = {path.parent.name for path in (REPO / "schemes").glob("*/scheme.yaml")}

# Latin words a Chinese help may hold: names of formats, programs and files, and examples of values.
# Anything else is an English word that needs translating.
NAMES = {
    "directory", "Excel", "CSV", "csv", "UTF-8", "XLSX", "xlsx", "DOCX", "docx", "HTML", "GitHub",
    "YYYY-MM-DD",                                     # how a date is written
    "N", "A", "Q4",                                   # 第 N 个工作日; grade A; quarter 2026-Q4
    "diff",                                           # what --dry-run shows
    "scheme.yaml", "batch_defaults", "grades.values", "schemes", "batches", "experts", "site",   # files and keys
    "git", "main", "origin", "master", "CI", "GITHUB_STEP_SUMMARY",   # directory diff: branches, the CI summary
}
# argparse's own English, which must never show
ARGPARSE_WORDS = re.compile(r"\b(usage|positional|arguments?|options|show this help|exit|error|invalid|choose|"
                            r"required|unrecognized|expected|ambiguous|allowed)\b", re.IGNORECASE)


def help_of(name: str | None) -> str:
    return (PARSER if name is None else COMMANDS[name]).format_help()


def english_words(parser: argparse.ArgumentParser, text: str) -> set[str]:
    """The Latin words of `text` that are neither option names, choices, commands nor NAMES."""
    choices = {str(choice) for action in parser._actions for choice in (action.choices or ())}
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)   # -h, --today, --dry-run
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]", text))
    return words - choices - set(COMMANDS) - NAMES - SCHEME_IDS


@pytest.mark.parametrize("name", [None, *COMMANDS], ids=lambda name: name or "directory")
def test_the_help_of_every_command_is_chinese_but_for_option_names_choices_and_known_names(name):
    parser = PARSER if name is None else COMMANDS[name]
    text = help_of(name)
    assert text.startswith("用法：")
    assert "显示本帮助并退出" in text
    assert not ARGPARSE_WORDS.search(text), ARGPARSE_WORDS.search(text)
    assert english_words(parser, text) == set()


@pytest.mark.parametrize("name", [None, *COMMANDS], ids=lambda name: name or "directory")
def test_every_option_of_every_command_has_a_chinese_help_text(name):
    parser = PARSER if name is None else COMMANDS[name]
    for action in parser._actions:
        assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), (name, action.option_strings or action.dest)


@pytest.mark.parametrize("argv, expected", [
    (["validate", "--format", "xml"], "参数 --format：没有「xml」这一项（可选：github、json、text）"),
    (["new"], "缺少必需的参数：类别、--scheme、--id"),
    (["frobnicate"], "参数 命令：没有「frobnicate」这一项（可选：validate、"),
    (["validate", "--today", "2026-13-01"], "参数 --today：日期应写作 YYYY-MM-DD：2026-13-01"),
    (["workdays", "2026-01-01"], "缺少必需的参数：工作日数"),
    (["workdays", "2026-01-01", "x"], "参数 工作日数：工作日数应为 1 至 10000 的整数：x"),
    (["publicize", "a", "--scheme", "s", "--batch", "b", "--start", "2026-01-01", "--working-days", "x"],
     "参数 --working-days：应为整数：'x'"),
    (["import", "--scheme"], "参数 --scheme：后面应写一个值"),
    (["validate", "--bogus"], "无法识别的参数：--bogus"),
    (["suspend"], "缺少必需的参数：记录、--date、--reason"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_usage_errors_exit_2_in_chinese(capsys, argv, expected):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    error = capsys.readouterr().err
    assert exit_.value.code == 2
    assert expected in error
    assert error.startswith("用法：directory")
    assert not ARGPARSE_WORDS.search(error), error


def test_an_option_too_short_to_tell_which_is_meant_is_named_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--fo", "x.csv", "--scheme", "s"])   # --force or --format
    assert "选项 --fo 不明确，可能是：--force, --format" in capsys.readouterr().err


def test_the_help_is_printed_on_stdout_with_exit_0():
    result = subprocess.run([sys.executable, "-m", "directory", "validate", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("用法：directory validate")
    assert "  --today 日期  " in result.stdout


def test_chinese_placeholders_line_up_with_the_help_texts():
    # argparse counts characters; 名录 takes four columns on a terminal, not two
    lines = [line for line in help_of("new").splitlines() if line.startswith("  --")]
    columns = {_width(line[:line.index(help_text)]) for line, help_text in zip(lines, ["名录，如", "记录编号", "覆盖"])}
    assert len(columns) == 1


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
