"""The `directory` command: parses options, runs a stage, prints with a reporter, returns an exit code.

Exit codes: 0 clean, 1 findings, 2 usage or internal error. An internal error (a bug) is one
Chinese line for staff; `--debug` adds the traceback for the maintainer.
"""
from __future__ import annotations

import argparse
import re
import sys
import traceback
import unicodedata
from datetime import date
from pathlib import Path

from directory import reporters
from directory.rules.dates import EARLIEST, LATEST, today_in_china
from directory.rules.schemes import KIND_NAMES
from directory.rules.calendar import CalendarGap, load_calendar


def _date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD：{value}") from None
    if not EARLIEST <= day <= LATEST:  # the range records may hold (rules/dates.py)
        raise argparse.ArgumentTypeError(f"日期应在 {EARLIEST} 至 {LATEST} 之间：{value}")
    return day


def _count(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 5 and 1 <= int(value) <= 10_000):
        raise argparse.ArgumentTypeError(f"工作日数应为 1 至 10000 的整数：{value[:20]}")
    return int(value)


# argparse's own words, in Chinese: the usage errors it makes (after "argument X: ", which is
# translated first), tried in order. Its help words are set in _Parser and _Formatter below.
USAGE_ERRORS = [
    (r"^argument (\S+?): ", r"参数 \1："),
    (r"the following arguments are required: (.*)", lambda m: "缺少必需的参数：" + "、".join(m[1].split(", "))),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"invalid choice: '?(.*?)'? \(choose from (.*)\)", lambda m: f"没有「{m[1]}」这一项（可选：{_listed(m[2])}）"),
    (r"unknown parser '?(.*?)'? \(choices: (.*)\)", lambda m: f"没有「{m[1]}」这个命令（可用：{_listed(m[2])}）"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 不明确，可能是：\2"),
    (r"expected one argument", "后面应写一个值"),
    (r"expected at most one argument", "后面最多写一个值"),
    (r"expected at least one argument", "后面应至少写一个值"),
    (r"expected (\d+) arguments?", r"后面应写 \1 个值"),
    (r"invalid int value: (.*)", r"应为整数：\1"),
    (r"invalid float value: (.*)", r"应为数字：\1"),
    (r"invalid \S+ value: (.*)", r"值不正确：\1"),
    (r"not allowed with argument (.*)", r"不能与 \1 同时使用"),
    (r"one of the arguments (.*) is required", r"\1 中至少要给出一个"),
    (r"ignored explicit argument (.*)", r"不应带值：\1"),
]

# Chinese placeholders in usage, help and usage errors (`--today 日期`), by the option's dest;
# argparse would show the dest itself (`--today TODAY`). Not for an option with choices: they show.
METAVARS = {
    "kind": "类别",
    "root": "目录", "today": "日期", "date": "日期", "start": "开始日期", "n": "工作日数", "paths": "路径",
    "scheme": "名录", "batch": "批次", "record_id": "编号", "record": "记录", "records": "记录", "reject": "记录",
    "source": "表格文件", "output": "文件", "reason": "原因", "basis": "条款", "title": "名称", "channel": "渠道",
    "objection_contact": "联系方式", "working_days": "天数", "doc_no": "文号", "certificate_prefix": "前缀",
    "period": "周期", "year": "年份", "grade": "等级", "base": "版本",
}


def _chinese(message: str) -> str:
    for pattern, replacement in USAGE_ERRORS:
        message = re.sub(pattern, replacement, message)
    return message


def _listed(choices: str) -> str:
    """"'github', 'json', 'text'" -> "github、json、text"."""
    return "、".join(choice.strip("'") for choice in choices.split(", "))


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, with 用法 for its "usage:"."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    # argparse measures and pads `--today 日期` by characters; a Chinese character is two columns wide
    def add_argument(self, action):
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            invocation = self._format_action_invocation(action)
            self._action_max_length = max(self._action_max_length,
                                          len(invocation) + _wide(invocation) + self._current_indent)

    def _format_action(self, action):
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        head, found, rest = text.partition(invocation)
        padding = len(rest) - len(rest.lstrip(" "))
        if found and not rest.startswith("\n") and padding > 2:
            text = head + invocation + rest[min(_wide(invocation), padding - 2):]
        return text


def _wide(text: str) -> int:
    return sum(unicodedata.east_asian_width(char) in "WF" for char in text)


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: its headings, its -h and its usage errors (exit 2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False   # its own -h says "show this help message and exit"
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        if action.metavar is None and action.dest in METAVARS and not (action.choices and action.option_strings):
            action.metavar = METAVARS[action.dest]
        return action

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}：用法错误：{_chinese(message)}", file=sys.stderr)
        raise SystemExit(2)


FORMAT_HELP = "输出格式：text 供人阅读（默认），json 供程序读取，github 为 GitHub 拉取请求中的标注"
KIND_HELP = "provider 服务机构，expert 专家"


def build_parser(only_validate: bool = False) -> argparse.ArgumentParser:
    """The parser of every command; `only_validate`: of the commands cli.py defines, without the
    staff's (their modules, ruamel.yaml and all, are a sixth of a run of validate from the cache)."""
    parser = _Parser(prog="directory", description="服务机构库 / 专家库：校验、推算、生成名录")
    parser.add_argument("--root", type=Path, default=Path("."), help="名录仓库目录（默认：当前目录）")
    parser.add_argument("--debug", action="store_true", help="出现内部错误时显示详细信息（供维护者排查）")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, title="命令", metavar="命令",
                                     help="每个命令的说明：directory <命令> -h")

    validate = commands.add_parser("validate", help="按各名录的规则检查全部记录")
    validate.add_argument("paths", nargs="*", type=Path, help="只报告这些文件或文件夹的问题（仍按全库交叉检查）")
    validate.add_argument("--format", choices=sorted(reporters.REPORTERS), default="text", help=FORMAT_HELP)
    validate.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")

    workdays = commands.add_parser("workdays", help="推算第 N 个工作日（含调休）")
    workdays.add_argument("start", type=_date, help="从这一天起算，写作 YYYY-MM-DD")
    workdays.add_argument("n", type=_count, help="第几个工作日（1 至 10000）")

    report = commands.add_parser("report", help="工作提醒：公示、到期、缺报、禁止再申报、服务未达标")
    report.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")
    report.add_argument("--scheme", default=None, help="只看这个名录（如 hunan-sme-hexin）")
    report.add_argument("--format", choices=sorted(reporters.REPORT_FORMATS), default="text",
                        help="输出格式：text 供人阅读（默认），json 供程序读取，xlsx 写入表格（配合 -o）")

    new = commands.add_parser("new", help="生成一条新记录的模板（每项附中文说明与依据）")
    new.add_argument("kind", choices=["provider", "expert"], help=KIND_HELP)
    new.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    new.add_argument("--id", required=True, dest="record_id", help="记录编号（小写字母、数字、连字符），即文件名")
    new.add_argument("--force", action="store_true", help="覆盖已有的文件")

    imported = commands.add_parser("import", help="从 Excel/CSV 表格导入服务机构或专家记录（有错则一条也不写）")
    imported.add_argument("source", type=Path, help="表格文件 .xlsx 或 .csv（CSV UTF-8）")
    imported.add_argument("--scheme", required=True, help="导入到哪个名录，如 hunan-sme-hexin")
    imported.add_argument("--kind", choices=["provider", "expert"], default="provider", help=KIND_HELP + "（默认 provider）")
    imported.add_argument("--force", action="store_true", help="覆盖已存在的记录文件")
    imported.add_argument("--format", choices=sorted(reporters.REPORTERS), default="text", help=FORMAT_HELP)
    imported.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")

    site = commands.add_parser("build", help="生成公开名录网站")
    site.add_argument("--today", type=_date, default=None, help="网站上的状态按此日期（默认：北京时间今天）")
    # a national directory: one job per scheme (--shard), then one that assembles (--from-shards)
    site.add_argument("--site-dir", metavar="目录", type=Path, default=None, help="网站输出目录（默认：site/）")
    site.add_argument("--shard", metavar="名录", default=None,
                      help="只生成这个名录的页面（分片，不含搜索索引），供最后一次构建用 --from-shards 合并")
    site.add_argument("--from-shards", metavar="目录", type=Path, nargs="+", default=(),
                      help="沿用这些分片目录中已生成且未变的页面")
    if only_validate:
        return parser
    from directory.staff import commands as record_commands
    from directory.staff.document_commands import add_document_commands
    record_commands.add_record_commands(commands, _date)
    add_document_commands(commands, _date)  # notice, roster, report --format xlsx, import --template
    from directory.staff import diff as review  # directory diff: the public effect of a change
    review.add_diff_command(commands, _date)
    return parser


class _Probe(argparse.ArgumentParser):
    """The options before the command, as build_parser has them: only to tell which command it is."""

    def __init__(self):
        super().__init__(add_help=False)
        self.add_argument("-h", "--help", action="store_true")
        self.add_argument("--root")
        self.add_argument("--debug", action="store_true")
        self.add_argument("command", nargs="?")

    def error(self, message):
        raise ValueError(message)


def _command(argv: list[str]) -> str | None:
    """The command `argv` names, or None (help asked for, or the options wrong: the whole parser says)."""
    try:
        known, _ = _Probe().parse_known_args(argv)
    except ValueError:
        return None
    return None if known.help else known.command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(only_validate=_command(argv) == "validate").parse_args(argv)
    try:
        try:
            root = args.root.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
            raise UsageError(f"--root 指定的「{args.root}」无法打开（是循环的符号链接？）") from None
        if args.command == "validate":
            return _validate(root, args)
        from directory.staff import commands as record_commands
        from directory.staff.document_commands import run_document_command
        if (handled := run_document_command(root, args)) is not None: return handled  # noqa: E701 - one line for them all
        if args.command == "workdays":
            return _workdays(root, args)
        if args.command == "import":
            return _import(root, args)
        if args.command == "new":
            return _new(root, args)
        if args.command == "report":
            return _report(root, args)
        if args.command == "build":
            return _build(root, args)
        if args.command == "diff":
            from directory.staff import diff as review
            _require_library(root)
            return review.run(root, args)
        if args.command in record_commands.COMMANDS:
            _require_library(root)
            return record_commands.run(root, args)
    except UsageError as error:  # one line: it may quote a file (holidays.yaml) that a pull request changed
        print(f"directory：{reporters.one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 1
    except Exception:  # noqa: BLE001 - a crash is a bug; say so plainly and exit 2
        if args.debug:
            traceback.print_exc()
            print("directory：内部错误（这是程序的缺陷，请把上面的信息报告给维护者）", file=sys.stderr)
        else:
            print("directory：内部错误（这是程序的缺陷，不是数据的问题）：请加 --debug 重新运行，"
                  "把显示的信息报告给维护者", file=sys.stderr)
        return 2
    return 2


class UsageError(Exception):
    """Wrong place, wrong arguments or a broken settings file: exit 2 with this message."""


def _require_library(root: Path) -> None:
    for name in ("schemes", "providers"):
        if (root / name).exists() and not (root / name).is_dir():
            raise UsageError(f"{root / name} 不是文件夹：名录仓库中的 {name}/ 应是存放{'名录规则' if name == 'schemes' else '记录'}的文件夹")
    if not (root / "schemes").is_dir():
        raise UsageError(f"{root} 下没有 schemes/ 文件夹：请在名录仓库的根目录运行，或用 --root 指定")


def _calendar(root: Path):
    _require_library(root)
    return load_calendar(root)  # problems of holidays.yaml are in .findings, printed with the others


def _failed(findings) -> bool:
    return any(f.severity == "error" for f in findings)


def _validate(root: Path, args) -> int:
    from directory.library.repository import collector_paused

    # What is read stays to the end: the collector would only walk it. (Paused around the call,
    # not in it, so that what _checked held is freed, not walked, when the collector resumes.)
    with collector_paused():
        return _checked(root, args)


def _checked(root: Path, args) -> int:
    from directory.library.repository import within_focus, load_repository, load_rules, save_cache
    from directory.checks.validate import validate_repository

    _require_library(root)
    rules = load_rules(root)   # the rules files: checked once while unchanged (the cache)
    calendar = rules.calendar  # problems of holidays.yaml are in .findings, printed with the others
    focus = _focus(root, args.paths)
    repository = load_repository(root, focus, rules)
    # nothing to check at all: not "no problems". A broken rules file is still reported (exit 1).
    if not repository.records and not (repository.findings or calendar.findings or repository.compiled_schemas()[1]):
        raise UsageError("名录中还没有任何记录（providers/<名录编号>/*.yaml），没有可检查的内容："
                         "请先用 directory new 或 directory import 添加记录")
    findings = validate_repository(repository, args.today or today_in_china(), calendar)
    save_cache(repository)
    if focus:  # the rules files (scheme.yaml, schemas, common, holidays) concern every record: always shown
        findings = [finding for finding in findings if within_focus(finding.path, focus) or _rules_file(finding.path)]
    findings = sorted(set(findings) | set(calendar.findings))
    output = reporters.REPORTERS[args.format](_printable(findings))
    if output:
        print(output)
    if args.format == "text":
        checked = f"已检查 {sum(r.focused for r in repository.records)} 条记录、{len(repository.batches)} 个批次"
        summary = f"{checked}：发现 {len(findings)} 个问题" if findings else f"{checked}：没有发现问题"
        print(summary, file=sys.stderr)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _rules_file(path: str) -> bool:
    return path.startswith("schemes/") and "/batches/" not in path


def _report(root: Path, args) -> int:
    from directory.staff.report import build_report
    from directory.library.repository import load_repository

    calendar = _calendar(root)
    repository = load_repository(root)
    if args.scheme and args.scheme not in repository.schemes:
        print(f"directory：没有名录「{args.scheme}」：可用的有 {'、'.join(sorted(repository.schemes))}", file=sys.stderr)
        return 2
    items = build_report(repository, calendar, args.today or today_in_china(), args.scheme)
    output = reporters.REPORT_FORMATS[args.format](items)
    if output:
        print(output)
    if args.format == "text" and not items:
        print("今天没有需要处理的事项。", file=sys.stderr)
    # the rules files the report rests on; stderr, so that stdout stays the report (or its JSON)
    from directory.rules.schemas import build_schemas
    problems = sorted(set(calendar.findings) | set(build_schemas(root, repository.schemes)[1])
                      | {f for f in repository.findings if _rules_file(f.path)})
    if problems:
        print(reporters.text(problems), file=sys.stderr)
    return 1 if _failed(problems) else 0


def _import(root: Path, args) -> int:
    from directory.staff.document_commands import error_table
    from directory.staff.importer import import_records
    from directory.rules.schemes import load_schemes

    _require_library(root)
    schemes = load_schemes(root).schemes
    if args.scheme not in schemes or args.kind not in schemes[args.scheme].kinds:
        print(f"directory：名录「{args.scheme}」不存在或不收录{KIND_NAMES[args.kind]}"
              f"（可用的名录：{'、'.join(sorted(schemes))}）", file=sys.stderr)
        return 2
    calendar = _calendar(root)
    if _failed(calendar.findings):  # reported before anything is read
        print(reporters.text(list(calendar.findings)), file=sys.stderr)
        return 1
    result = import_records(root, args.source, args.scheme, args.kind, args.force, today=args.today or today_in_china())
    output = (error_table if args.format == "text" else reporters.REPORTERS[args.format])(_printable(result.findings))
    if output:
        print(output)
    if any(f.severity == "error" for f in result.findings):
        print(f"发现 {sum(f.severity == 'error' for f in result.findings)} 个错误：没有写入任何记录", file=sys.stderr)
        return 1
    print(f"已写入 {len(result.written)} 条记录：" + "、".join(result.written), file=sys.stderr)
    return 0


def _new(root: Path, args) -> int:
    import re

    from directory.rules.schemas import build_schemas
    from directory.staff.scaffold import write_skeleton
    from directory.rules.schemes import load_schemes

    _require_library(root)
    schemes = load_schemes(root).schemes
    if args.scheme not in schemes:
        print(f"directory：没有名录「{args.scheme}」：可用的有 {'、'.join(sorted(schemes))}", file=sys.stderr)
        return 2
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.record_id):
        print(f"directory：记录编号「{args.record_id}」只能用小写字母、数字和连字符，以字母或数字开头", file=sys.stderr)
        return 2
    validator = build_schemas(root, schemes)[0].validators.get((args.scheme, args.kind))
    if validator is None:
        print(f"directory：名录「{args.scheme}」不收录{KIND_NAMES[args.kind]}", file=sys.stderr)
        return 2
    try:
        path = write_skeleton(root, schemes[args.scheme], args.kind, args.record_id, validator.schema, args.force)
    except FileExistsError as error:
        print(f"directory：{error}", file=sys.stderr)
        return 1
    print(f"已生成 {path.relative_to(root).as_posix()}：请按注释填写，然后运行 directory validate", file=sys.stderr)
    return 0


def _focus(root: Path, paths: list[Path]) -> list[str] | None:
    """The path arguments relative to the repository; each must exist, inside it, under providers/
    or schemes/ (anything else would be checked for nothing and reported as clean)."""
    focus = []
    for path in paths:
        absolute = path if path.is_absolute() else (Path.cwd() / path)
        try:
            exists = absolute.exists()
        except (OSError, ValueError):  # e.g. a NUL byte in the argument
            exists = False
        if not exists:
            raise UsageError(f"找不到「{path}」：请检查路径（应在名录仓库内）")
        try:
            relative = absolute.resolve().relative_to(root).as_posix()
        except (OSError, ValueError, RuntimeError):  # outside the repository, or a symlink loop
            raise UsageError(f"「{path}」不在名录仓库 {root} 内：只能检查仓库中的文件") from None
        if relative != "." and relative.split("/")[0] not in ("providers", "schemes"):
            raise UsageError(f"「{path}」不是名录的文件：validate 只检查 providers/ 和 schemes/ 下的记录、批次和规则")
        focus.append(relative)
    return focus or None


MESSAGE_LIMIT = 500  # characters: a message quotes the value, and a value may be most of a 1 MB file


def _printable(findings: list) -> list:
    """Findings whose messages are short: a value quoted in a message may be huge. (Line breaks and
    invisible characters are escaped by the reporters, the same way in every format.)"""
    from dataclasses import replace

    def shown(message: str) -> str:
        return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT] + "…（过长，已截断）"

    return [replace(finding, message=shown(finding.message)) for finding in findings]


def _workdays(root: Path, args) -> int:
    try:
        calendar = load_calendar(root)
        if _failed(calendar.findings):
            print(reporters.text(list(calendar.findings)), file=sys.stderr)
            return 2
        print(calendar.nth_working_day(args.start, args.n).isoformat())
    except (CalendarGap, ValueError) as error:
        print(f"directory：{error}", file=sys.stderr)
        return 2
    return 0


def _build(root: Path, args) -> int:
    from directory.site.build import STAGE_TITLES, BuildBusy, BuildError, build_site

    calendar = _calendar(root)
    if _failed(calendar.findings):  # no site from working days counted on a broken calendar
        print(reporters.text(list(calendar.findings)))
        print("节假日安排文件有错误，未生成网站；原有的 site/ 保持不变", file=sys.stderr)
        return 1
    try:
        result = build_site(root, args.today or today_in_china(), calendar,
                            site_dir=root / args.site_dir if args.site_dir else None, shard=args.shard,
                            from_shards=tuple(root / folder for folder in args.from_shards))
    except BuildBusy as error:
        print(f"directory：{error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"directory：{error}；原有的 site/ 保持不变", file=sys.stderr)
        return 1
    output = reporters.text(_printable(result.findings))
    if output:
        print(output)
    if not result.ok:
        print(f"数据有 {sum(f.severity == 'error' for f in result.findings)} 个错误，未生成网站；原有的 site/ 保持不变",
              file=sys.stderr)
        return 1
    stages = "，".join(f"{STAGE_TITLES.get(stage, stage)} {seconds:.1f} 秒" for stage, seconds in result.timings.items())
    print(f"已生成 {result.pages} 个页面到 {result.site_dir}（{stages}）", file=sys.stderr)
    if result.reused:
        print(f"其中 {result.reused} 个页面与上次相同，沿用上次生成的网页", file=sys.stderr)
    return 0
