"""The commands that write documents: `notice`, `roster`, `report --format xlsx`, `import --template`.

cli.py calls `add_document_commands` once while building its parser and `run_document_command` once
before its own dispatch; like cli.py this module parses, runs a stage, prints and returns the exit
code (0 written, 1 findings in the data, 2 usage), and nothing else here prints.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from directory import reporters
from directory.rules.dates import today_in_china

FORMATS = {"notice": ("docx", "html"), "roster": ("docx", "xlsx")}


class _Usage(Exception):
    """A wrong scheme, batch or output file: one Chinese line, exit 2."""


def add_document_commands(subparsers, date_type) -> None:
    """The `notice` and `roster` parsers, and the options `report` and `import` gain here
    (`--format xlsx -o`, `--template -o`): added to the parsers cli.py has already built, so that
    cli.py keeps one line for all of them."""
    notice = subparsers.add_parser("notice", help="生成一个批次的公示文件（DOCX 或 HTML，文字与网站公示页一致）")
    notice.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    notice.add_argument("--batch", required=True, help="批次编号，如 2026-1（schemes/<名录>/batches/ 下的文件名）")
    notice.add_argument("--format", choices=FORMATS["notice"], default="docx", help="文件格式（默认 docx）")
    notice.add_argument("-o", "--output", type=Path, required=True, help="写入的文件，如 公示.docx")
    notice.add_argument("--today", type=date_type, default=None, help="按此日期判断（默认：北京时间今天）")

    roster = subparsers.add_parser("roster", help="生成一个名录当前公布的名单（DOCX 或 XLSX）")
    roster.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    roster.add_argument("--format", choices=FORMATS["roster"], default="xlsx", help="文件格式（默认 xlsx）")
    roster.add_argument("-o", "--output", type=Path, required=True, help="写入的文件，如 名录.xlsx")
    roster.add_argument("--today", type=date_type, default=None, help="状态按此日期（默认：北京时间今天）")

    # argparse keeps an option's choices and a positional's nargs on its Action: extended in place
    report = subparsers.choices["report"]
    _action(report, "format").choices = sorted({*_action(report, "format").choices, "xlsx"})
    report.add_argument("-o", "--output", type=Path, default=None, help="--format xlsx 时写入的文件，如 提醒.xlsx")

    imported = subparsers.choices["import"]
    source = _action(imported, "source")
    source.nargs, source.required, source.default = "?", False, None
    imported.add_argument("--template", action="store_true", help="不导入：生成一张空白导入模板（中文列名、填写说明、下拉选项）")
    imported.add_argument("-o", "--output", type=Path, default=None, help="--template 时写入的文件，如 模板.xlsx")


def _action(parser: argparse.ArgumentParser, dest: str) -> argparse.Action:
    return next(action for action in parser._actions if action.dest == dest)


def run_document_command(root: Path, args) -> int | None:
    """The exit code of a document command, or None when `args` is a command cli.py runs itself."""
    try:
        if args.command in FORMATS:
            return _write_document(root, args)
        if args.command == "report" and args.format == "xlsx":
            return _report_xlsx(root, args)
        if args.command == "report" and args.output:
            raise _Usage("-o 只用于 --format xlsx：文字和 JSON 报告显示在屏幕上（可用「> 文件」保存）")
        if args.command == "import" and args.output and not args.template:
            raise _Usage("-o 只用于 --template：导入写入的是 providers/ 下的记录文件")
        if args.command == "import":
            return _import_template(root, args) if args.template else _import_source(args)
    except _Usage as error:
        print(f"directory：{reporters.one_line(str(error))}", file=sys.stderr)
        return 2
    return None


def _output(args) -> Path:
    if args.output is None:
        raise _Usage("请用 -o 指定要写入的文件，如 -o 提醒.xlsx")
    if not args.output.parent.is_dir():
        raise _Usage(f"无法写入「{args.output}」：文件夹 {args.output.parent} 不存在")
    return args.output


def _save(write, text, path: Path) -> None:
    try:
        write(text, path)
    except OSError as error:   # read-only folder, file open in Excel (Windows), disk full
        raise _Usage(f"无法写入「{path}」（{error.strerror or '写入失败'}）：文件是否正在 Excel/Word 中打开？") from None


def _library(root: Path):
    """The repository and its calendar, read as every command reads them."""
    from directory.library.repository import load_repository
    from directory.rules.calendar import load_calendar

    if not (root / "schemes").is_dir():
        raise _Usage(f"{root} 下没有 schemes/ 文件夹：请在名录仓库的根目录运行，或用 --root 指定")
    calendar = load_calendar(root)
    repository = load_repository(root)
    return repository, calendar


def _scheme(repository, scheme_id: str):
    if scheme_id not in repository.schemes:
        raise _Usage(f"没有名录「{scheme_id}」：可用的有 {'、'.join(sorted(repository.schemes))}")
    return repository.schemes[scheme_id]


def _write_document(root: Path, args) -> int:
    from directory.checks.validate import validate_repository
    from directory.site.catalogue import build_catalogue
    from directory.site.notice_text import notice_text
    from directory.staff import documents

    output = _output(args)
    repository, calendar = _library(root)
    _scheme(repository, args.scheme)
    today = args.today or today_in_china()
    day = today
    if args.command == "notice":
        batch = repository.batches.get((args.scheme, args.batch))
        if batch is None:
            batches = sorted(b for s, b in repository.batches if s == args.scheme)
            raise _Usage(f"名录「{args.scheme}」没有批次「{args.batch}」：已有的批次 {'、'.join(batches) or '（无）'}")
        start = batch.values.publicity_start
        if start is None:
            raise _Usage(f"批次「{args.batch}」没有写公示开始日期（publicity.start）：无法生成公示")
        day = max(today, start)   # a notice is prepared before its first day: the site lists it from then on
    findings = sorted(set(validate_repository(repository, day, calendar)) | set(calendar.findings))
    errors = [finding for finding in findings if finding.severity == "error"]
    if errors:
        print(reporters.text(errors), file=sys.stderr)
        print(f"数据有 {len(errors)} 个错误，未生成文件：请先改正（directory validate）", file=sys.stderr)
        return 1
    catalogue = build_catalogue(repository, repository.compiled_schemas()[0], calendar, day)
    if args.command == "notice":
        notice = next(n for n in catalogue.notices if (n.scheme.id, n.batch_id) == (args.scheme, args.batch))
        text = notice_text(notice)
        write = documents.notice_docx if args.format == "docx" else \
            (lambda t, p: p.write_text(documents.notice_html(t), encoding="utf-8"))
        _save(write, text, output)
        print(f"已写入 {output}：{text.title}（{len(text.rows)} 条）", file=sys.stderr)
    else:
        text = documents.roster_text(catalogue, args.scheme)
        _save(documents.roster_docx if args.format == "docx" else documents.roster_xlsx, text, output)
        print(f"已写入 {output}：{text.title}{text.subtitle}（{len(text.rows)} 条）", file=sys.stderr)
    return 0


def _report_xlsx(root: Path, args) -> int:
    from directory.staff.report import build_report, report_xlsx

    output = _output(args)
    repository, calendar = _library(root)
    if args.scheme:
        _scheme(repository, args.scheme)
    items = build_report(repository, calendar, args.today or today_in_china(), args.scheme)
    _save(report_xlsx, items, output)
    print(f"已写入 {output}：{len(items)} 项", file=sys.stderr)
    return 0


def _import_template(root: Path, args) -> int:
    from directory.rules.schemes import KIND_NAMES
    from directory.staff.importer import write_template

    output = _output(args)
    repository, _ = _library(root)
    scheme = _scheme(repository, args.scheme)
    if args.kind not in scheme.kinds:
        raise _Usage(f"名录「{scheme.title}」不收录{KIND_NAMES.get(args.kind, args.kind)}")
    validator = repository.compiled_schemas()[0].validators.get((args.scheme, args.kind))
    if validator is None:
        raise _Usage(f"名录「{args.scheme}」的{KIND_NAMES.get(args.kind, args.kind)}规则文件有错误：请先运行 directory validate")
    _save(lambda schema, path: write_template(scheme, args.kind, schema, path), validator.schema, output)
    print(f"已写入 {output}：第 1 行是列名，第 2 行是填写说明，从第 3 行起每行一条记录", file=sys.stderr)
    return 0


TABLE_WIDTH = 200    # characters of one line of the import's error table
_ON_SHEET = re.compile(r"^第 [0-9]+ 行(?: [A-Z]+ 列)?(?:「(?P<header>[^」]*)」)?：")


def error_table(findings) -> str:
    """The problems of an import as a table for staff: 行, 列, 问题 — one line each, at most
    TABLE_WIDTH characters (the whole message stays in --format json)."""
    if not findings:
        return ""
    from directory.staff.importer import column_letter

    lines = ["行    列    问题"]
    for finding in findings:
        matched = _ON_SHEET.match(finding.message)
        message = finding.message[matched.end():] if matched else finding.message
        column = column_letter(finding.column) if finding.column else "—"
        if matched and matched.group("header"):
            column += f"「{matched.group('header')}」"
        basis = f"（依据：{finding.basis}）" if finding.basis else ""
        warning = "警告：" if finding.severity == "warning" else ""
        start = reporters.one_line(f"{finding.line or '—':<4}  {column}  {warning}")
        end = reporters.one_line(f"{basis} [{finding.rule}]")
        problem = reporters.one_line(message)
        room = TABLE_WIDTH - len(start) - len(end)
        if len(problem) > room:
            problem = problem[:max(room - 1, 10)] + "…"
        lines.append(start + problem + end)
    return "\n".join(lines)


def _import_source(args) -> int | None:
    """An import without a spreadsheet (and without --template) is a usage error; else cli.py imports."""
    if args.source is None:
        raise _Usage("请给出要导入的表格文件（.xlsx 或 .csv），或加 --template -o 模板.xlsx 生成导入模板")
    return None
