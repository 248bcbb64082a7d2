"""The `directory` command: parses options, runs a stage, prints with a reporter, returns an exit code.

Exit codes: 0 clean, 1 findings, 2 usage or internal error. An internal error (a bug) is one
Chinese line for staff; `--debug` adds the traceback for the maintainer.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from datetime import date
from pathlib import Path

from directory import reporters
from directory.rules.dates import EARLIEST, LATEST, today_in_china
from directory.rules.schemes import KIND_NAMES
from directory.rules.calendar import CalendarGap, load_calendar
from directory.staff import commands as record_commands
from directory.staff.document_commands import add_document_commands, error_table, run_document_command


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


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, in Chinese where we can
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="directory", description="服务机构库 / 专家库：校验、推算、生成名录")
    parser.add_argument("--root", type=Path, default=Path("."), help="名录仓库目录（默认：当前目录）")
    parser.add_argument("--debug", action="store_true", help="出现内部错误时显示详细信息（供维护者排查）")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser("validate", help="按各名录的规则检查全部记录")
    validate.add_argument("paths", nargs="*", type=Path, help="只报告这些文件或文件夹的问题（仍按全库交叉检查）")
    validate.add_argument("--format", choices=sorted(reporters.REPORTERS), default="text")
    validate.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")

    workdays = commands.add_parser("workdays", help="推算第 N 个工作日（含调休）")
    workdays.add_argument("start", type=_date)
    workdays.add_argument("n", type=_count)

    report = commands.add_parser("report", help="工作提醒：公示、到期、缺报、禁止再申报、服务未达标")
    report.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")
    report.add_argument("--scheme", default=None, help="只看这个名录（如 hunan-sme-hexin）")
    report.add_argument("--format", choices=sorted(reporters.REPORT_FORMATS), default="text")

    new = commands.add_parser("new", help="生成一条新记录的模板（每项附中文说明与依据）")
    new.add_argument("kind", choices=["provider", "expert"])
    new.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    new.add_argument("--id", required=True, dest="record_id", help="记录编号（小写字母、数字、连字符），即文件名")
    new.add_argument("--force", action="store_true", help="覆盖已有的文件")

    imported = commands.add_parser("import", help="从 Excel/CSV 表格导入服务机构或专家记录（有错则一条也不写）")
    imported.add_argument("source", type=Path, help="表格文件 .xlsx 或 .csv（CSV UTF-8）")
    imported.add_argument("--scheme", required=True, help="导入到哪个名录，如 hunan-sme-hexin")
    imported.add_argument("--kind", choices=["provider", "expert"], default="provider")
    imported.add_argument("--force", action="store_true", help="覆盖已存在的记录文件")
    imported.add_argument("--format", choices=sorted(reporters.REPORTERS), default="text")
    imported.add_argument("--today", type=_date, default=None, help="按此日期判断（默认：北京时间今天）")

    site = commands.add_parser("build", help="生成公开名录网站")
    site.add_argument("--today", type=_date, default=None)
    record_commands.add_record_commands(commands, _date)
    add_document_commands(commands, _date)  # notice, roster, report --format xlsx, import --template
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        try:
            root = args.root.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
            raise UsageError(f"--root 指定的「{args.root}」无法打开（是循环的符号链接？）") from None
        if (handled := run_document_command(root, args)) is not None: return handled  # noqa: E701 - one line for them all
        if args.command == "validate":
            return _validate(root, args)
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
    from directory.library.repository import within_focus, load_repository, save_cache
    from directory.checks.validate import validate_repository

    calendar = _calendar(root)
    focus = _focus(root, args.paths)
    repository = load_repository(root, focus)
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
        result = build_site(root, args.today or today_in_china(), calendar)
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
    return 0
